"""A locked placement: the reviewed decision a stack file keeps under `gpufleet:placement`.

`gpufleet place STACK --lock` writes, per workload, its cloud, region, instance type, cluster and
the catalog version the decision was made with. The program then places a locked workload exactly
there — never elsewhere, whatever the catalog now says — and places only the workloads without a
lock (flagged "not locked"). When placing afresh would now be materially better, `recommend` says so
with the saving; adopting it is a new `place --lock`, reviewed like any change.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Annotated, Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from gpufleet.catalog import Catalog
from gpufleet.clouds import adapter
from gpufleet.config import Cloud, Fleet, Name, Workload, name_field, plain_number_text, structural_problems
from gpufleet.errors import Problem, UserError, did_you_mean, unknown_name
from gpufleet.footprint import capacity_footprint
from gpufleet.placement.joint import place, shared_groups
from gpufleet.placement.model import ConstraintUse, Decision, Option, Placement, PlacementError, total
from gpufleet.placement.options import price_kind

LOCK_KEY = "gpufleet:placement"
_HEADING = f"invalid placement lock ({LOCK_KEY})"


class WorkloadLock(BaseModel):
    """Where one workload runs, as reviewed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cloud: Cloud
    region: Annotated[str, Field(min_length=1)]
    instance_type: Annotated[str, Field(min_length=1)]
    cluster: Annotated[str, name_field(49)]
    catalog: Annotated[str, Field(min_length=1, description="version of the catalog the decision used")]
    # The hot tier sized for the GPUs at lock time: kept when gpu_count changes, so the file system is
    # never resized (a smaller one is replaced, its data lost) without a new reviewed lock.
    hot_tib: Annotated[float | None, Field(gt=0)] = None
    hot_throughput_mb_s_per_tib: Annotated[int | None, Field(gt=0)] = None

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_as_written(cls, value: Any, info: ValidationInfo) -> Any:
        return plain_number_text(cls, value, info)


class PlacementLock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workloads: dict[Name, WorkloadLock] = Field(default_factory=dict)
    # what was not proven optimal in the placement locked (`Placement.proof_notes()`: at most two lines); absent
    # when all was. Bounded, one line each: the preview repeats them.
    not_proven: Annotated[list[Annotated[str, Field(min_length=1, max_length=500)]], Field(max_length=4)] = \
        Field(default_factory=list)

    @field_validator("not_proven")
    @classmethod
    def _one_line_each(cls, notes: list[str]) -> list[str]:
        for note in notes:
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in note):
                raise ValueError("each note is one line of text, without control characters")
        return notes


def parse_lock(raw: Any) -> PlacementLock:
    """A `gpufleet:placement` value (a mapping, or its JSON text as the engine passes it)."""
    if raw is None:
        return PlacementLock()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise UserError([Problem(LOCK_KEY, "must be a mapping with `workloads`", raw)], heading=_HEADING) from None
    try:
        return PlacementLock.model_validate(raw)
    except ValidationError as e:
        # Reported as the fleet's are: "required key is missing", unknown keys with what is allowed.
        raise UserError(structural_problems(e, PlacementLock, lambda loc: LOCK_KEY + "".join(f".{p}" for p in loc)),
                        heading=_HEADING) from None


def default_cluster_name(fleet: Fleet, workload: str) -> str:
    """A cluster is named by intent (the environment and the first workload it was made for), never
    by a derived value such as the region a price made best."""
    return f"{fleet.environment}-{workload}"


def legacy_cluster_name(fleet: Fleet, region: str) -> str:
    """The name clusters had before locks (by region): kept as an alias, so a deployed stack's
    resources are renamed in place, not replaced."""
    return f"{fleet.environment}-{region}"


def lock_problems(fleet: Fleet, lock: PlacementLock, catalog: Catalog, clouds: tuple[str, ...],
                  stack: str) -> list[Problem]:
    """A lock that no longer fits the fleet or the catalog: stale, so the program refuses to guess. The fix names
    `stack`'s own command: the program and `gpufleet place` both check with this."""
    problems = []
    names = [w.name for w in fleet.workloads]
    fix = f"run `gpufleet place {stack} --lock` to review a new placement"
    for name, entry in lock.workloads.items():
        path = f"{LOCK_KEY}.workloads.{name}"
        workload = next((w for w in fleet.workloads if w.name == name), None)
        if workload is None:
            problems.append(Problem(path, f"no workload of this name in gpufleet:fleet; remove it or {fix}", name,
                                    tuple(names), did_you_mean(name, names)))
            continue
        if entry.cloud not in clouds:
            problems.append(Problem(f"{path}.cloud", "the program cannot build this cloud", entry.cloud, clouds))
        if region_problem := catalog.check_region(f"{path}.region", entry.cloud, entry.region):
            problems.append(region_problem)
        it = catalog.instance_type(entry.instance_type)
        if it is None or it.cloud != entry.cloud:
            problems.append(unknown_name(f"{path}.instance_type", f"{entry.cloud} GPU instance type",
                                         entry.instance_type,
                                         [n for n, t in catalog.instance_types.items() if t.cloud == entry.cloud]))
        elif it not in catalog.instance_types_for_gpu(workload.gpu):
            problems.append(Problem(f"{path}.instance_type", f"stale: the workload now asks for {workload.gpu}, "
                                    f"{it.name} has {it.gpu_model}; {fix}", entry.instance_type))
        elif (cloud := adapter(entry.cloud)) is not None:  # what placement leaves out, preflight would refuse
            if (refusal := cloud.type_refusal(it)) is not None:
                problems.append(Problem(f"{path}.instance_type", f"{refusal}; {fix}", entry.instance_type))
            elif workload.high_bandwidth_fabric and not cloud.attaches_fabric(it):
                has = (f"gpufleet does not attach {it.name}'s fabric" if it.high_bandwidth
                       else f"{it.name} has no high-bandwidth fabric")
                problems.append(Problem(f"{path}.instance_type", f"the workload asks for a high-bandwidth fabric and "
                                        f"{has}; {fix}", entry.instance_type))
        if workload.instance_type is not None and workload.instance_type != entry.instance_type:
            problems.append(Problem(f"{path}.instance_type", f"stale: the workload pins {workload.instance_type}; "
                                    f"{fix}", entry.instance_type))
    by_site: dict[str, set[str]] = {}
    by_cluster: dict[str, set[str]] = {}
    for entry in lock.workloads.values():
        by_site.setdefault(f"{entry.cloud} {entry.region}", set()).add(entry.cluster)
        by_cluster.setdefault(entry.cluster, set()).add(f"{entry.cloud} {entry.region}")
    for site, clusters in sorted(by_site.items()):
        if len(clusters) > 1:
            problems.append(Problem(LOCK_KEY, f"workloads in {site} name different clusters; one cluster "
                                    "per cloud and region", ", ".join(sorted(clusters))))
    for cluster, sites in sorted(by_cluster.items()):
        if len(sites) > 1:  # one cluster's resources cannot be in two regions: the program would mix them up
            problems.append(Problem(LOCK_KEY, f"workloads in {' and '.join(sorted(sites))} name the same cluster; "
                                    f"one name per cloud and region; {fix}", cluster))
    return problems


def lock_error(problems: list[Problem]) -> UserError:
    """The refusal of a stale lock, worded the same wherever it is found."""
    return UserError(problems, heading=_HEADING)


def locked_option(workload: Workload, entry: WorkloadLock, catalog: Catalog) -> Option:
    """The locked choice with today's catalog figures (unknown where the catalog no longer knows)."""
    it = catalog.instance_type(entry.instance_type)
    assert it is not None  # lock_problems checked it
    nodes = math.ceil(workload.gpu_count / it.gpu_count)
    footprint = capacity_footprint(catalog, entry.cloud, entry.region, it.name, nodes,
                                   hours=workload.hours_per_month, utilization=workload.utilization,
                                   capacity_type=price_kind(workload))
    return Option(workload.name, entry.cloud, entry.region, it.name, nodes, nodes * it.gpu_count, footprint)


def _remaining(fleet: Fleet, locked: list[Option]) -> Fleet:
    """The fleet without its locked workloads, its quotas and budgets as set: `place` counts what the locked ones
    use of each (so the use shown is the fleet's, over the limit when they exceed it). A budget a locked workload's
    figure is unknown for is left out, as what it leaves cannot be known."""
    unlocked = [w for w in fleet.workloads if w.name not in {o.workload for o in locked}]
    b = fleet.budgets
    budgets = b.model_copy(update={
        "monthly_usd": None if total([o.monthly_usd for o in locked]) is None else b.monthly_usd,
        "monthly_tco2e": None if total([o.monthly_kgco2e for o in locked]) is None else b.monthly_tco2e,
    })
    return fleet.model_copy(update={"workloads": unlocked, "budgets": budgets})


def _locked_uses(fleet: Fleet, catalog: Catalog, locked: list[Option]) -> tuple[ConstraintUse, ...]:
    """Each shared constraint's use when every workload is locked: theirs alone, over the limit where it now is."""
    return tuple(ConstraintUse(g.name, g.path, g.locked, g.limit, g.unit, locked=g.locked)
                 for g in shared_groups(fleet, catalog, locked))


def lock_overruns(fleet: Fleet, lock: PlacementLock, catalog: Catalog) -> list[ConstraintUse]:
    """The shared constraints the locked workloads alone exceed (a quota or budget lowered below them), as the
    preview shows their use; for a lock `lock_problems` accepts."""
    catalog = fleet.catalog(catalog)
    locked = [locked_option(w, lock.workloads[w.name], catalog) for w in fleet.workloads if w.name in lock.workloads]
    return [use for use in _locked_uses(fleet, catalog, locked) if use.over > 0]


@dataclasses.dataclass(frozen=True)
class LockedPlacement:
    """The placement the program builds: locked workloads where locked, the others placed now."""

    placement: Placement
    locked: frozenset[str]  # workload names
    clusters: dict[str, str]  # workload -> cluster name
    catalog_version: str
    previous_names: dict[str, str] = dataclasses.field(default_factory=dict)  # cluster -> name deployed before
    # workload -> its locked hot tier (TiB, MB/s per TiB)
    hot_tiers: dict[str, tuple[float, int]] = dataclasses.field(default_factory=dict)

    @property
    def unlocked(self) -> list[str]:
        return [name for name in self.placement.decisions if name not in self.locked]


def place_with_lock(fleet: Fleet, catalog: Catalog, lock: PlacementLock, clouds: tuple[str, ...],
                    stack: str) -> LockedPlacement:
    """Honour the lock; place the rest jointly, within what the locked workloads leave of quotas, site GPUs
    and budgets (nothing, where they exceed one: they stay, and the constraint's use says by how much). A stale
    lock is refused, naming `stack`'s command to re-lock."""
    catalog = fleet.catalog(catalog)
    problems = lock_problems(fleet, lock, catalog, clouds, stack)
    if problems:
        raise lock_error(problems)
    locked = [locked_option(w, lock.workloads[w.name], catalog) for w in fleet.workloads if w.name in lock.workloads]
    rest = _remaining(fleet, locked)
    placed = place(rest, catalog, clouds=clouds, locked=locked) if rest.workloads else None
    decisions: dict[str, Decision] = {}
    by_name = {o.workload: o for o in locked}
    locked_notes = tuple(lock.not_proven) if by_name else ()
    for w in fleet.workloads:
        if w.name in by_name:
            o = by_name[w.name]
            version = lock.workloads[w.name].catalog
            reason = f"locked: {o.gpus} {w.gpu} on {o.nodes} {o.instance_type} in {o.where} (catalog {version})"
            decisions[w.name] = Decision(w.name, o, (), (), (), reason)
        else:
            assert placed is not None
            decisions[w.name] = placed.decisions[w.name]
    chosen = [d.chosen for d in decisions.values()]
    placement = Placement(
        objective=fleet.objective,
        decisions=decisions,
        total_monthly_usd=total([o.monthly_usd for o in chosen]),
        total_monthly_kwh=total([o.monthly_kwh for o in chosen]),
        total_monthly_kgco2e=total([o.monthly_kgco2e for o in chosen]),
        constraints=placed.constraints if placed else _locked_uses(rest, catalog, locked),
        ties_exact=placed.ties_exact if placed else True,
        objective_exact=placed.objective_exact if placed else True,
        objective_gap=placed.objective_gap if placed else 0.0,
        locked_notes=locked_notes,
        cap_basis=placed.cap_basis if placed else None,
    )
    clusters = cluster_names(fleet, placement, lock)
    previous = {clusters[name]: legacy_cluster_name(fleet, d.chosen.region) for name, d in decisions.items()}
    hot = {name: (e.hot_tib, e.hot_throughput_mb_s_per_tib) for name, e in lock.workloads.items()
           if e.hot_tib is not None and e.hot_throughput_mb_s_per_tib is not None}
    return LockedPlacement(placement, frozenset(by_name), clusters, catalog.version,
                           {name: old for name, old in previous.items() if name != old}, hot)


def cluster_names(fleet: Fleet, placement: Placement, lock: PlacementLock) -> dict[str, str]:
    """Workload -> cluster: the lock's name for its cloud and region, else named after the first workload (in
    fleet order) placed there whose name no other cloud and region's cluster has taken (a workload locked in
    one region and placed afresh in another: its name stays with the cluster it named), else that first name
    numbered."""
    by_site: dict[tuple[str, str], str] = {}
    for entry in lock.workloads.values():
        by_site.setdefault((entry.cloud, entry.region), entry.cluster)
    placed_at: dict[tuple[str, str], list[str]] = {}
    for name, d in placement.decisions.items():
        placed_at.setdefault((d.chosen.cloud, d.chosen.region), []).append(name)
    taken = set(by_site.values())
    for site, names in placed_at.items():
        if site not in by_site:
            by_site[site] = _free_name([default_cluster_name(fleet, name) for name in names], taken)
            taken.add(by_site[site])
    return {name: by_site[(d.chosen.cloud, d.chosen.region)] for name, d in placement.decisions.items()}


def without_unknown_regions(lock: PlacementLock, catalog: Catalog) -> PlacementLock:
    """The lock without its entries in a region the catalog does not know (a typo: the program refuses the lock, so
    no cluster was deployed there). Re-locking then gives the workload's region its cluster name back: with the
    entry, the name counted as taken and the cluster that keeps it was renamed (`dev-notebooks-2`), so replaced."""
    return lock.model_copy(update={"workloads": {name: entry for name, entry in lock.workloads.items()
                                                 if catalog.region(entry.cloud, entry.region) is not None}})


def _free_name(names: list[str], taken: set[str]) -> str:
    """The first of `names` not taken, else the first with the least number not taken (within the lock's 49
    characters)."""
    for name in names:
        if name not in taken:
            return name
    k = 2
    while (numbered := f"{names[0][:48 - len(str(k))]}-{k}") in taken:
        k += 1
    return numbered


def lock_document(placement: Placement, clusters: Mapping[str, str], catalog_version: str,
                  hot_tiers: Mapping[str, tuple[float, int]] | None = None) -> dict[str, Any]:
    """The `gpufleet:placement` value that locks every workload where `placement` put it, with its
    hot tier (TiB, MB/s per TiB) where `hot_tiers` sized one, and what of it was not proven optimal (a lock
    records where, and so whether that was proven: previews of the locked stack keep saying it)."""
    hot_tiers = hot_tiers or {}
    notes = dataclasses.replace(placement, locked_notes=()).proof_notes()  # this placement's own, not its lock's
    return {"workloads": {
        name: {"cloud": d.chosen.cloud, "region": d.chosen.region, "instance_type": d.chosen.instance_type,
               "cluster": clusters[name], "catalog": catalog_version,
               **({"hot_tib": hot_tiers[name][0], "hot_throughput_mb_s_per_tib": hot_tiers[name][1]}
                  if name in hot_tiers else {})}
        for name, d in placement.decisions.items()}, **({"not_proven": notes} if notes else {})}


# --- recommendation -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Recommendation:
    """Placing afresh would be materially better than the lock: what would move and what it saves."""

    moves: tuple[tuple[str, Option, Option], ...]  # workload, locked option, better option
    saving_monthly_usd: float | None  # positive: cheaper
    saving_monthly_kgco2e: float | None  # positive: less carbon
    saving_percent: float  # of `figure`, the figure that improves most
    figure: str  # "monthly_usd" or "monthly_kgco2e"

    def text(self, stack: str) -> str:
        moves = "; ".join(f"{name} {a.where} {a.instance_type} -> {b.where} {b.instance_type}"
                          for name, a, b in self.moves)
        usd = "?" if self.saving_monthly_usd is None else f"{-self.saving_monthly_usd:+,.2f}"
        kg = "?" if self.saving_monthly_kgco2e is None else f"{-self.saving_monthly_kgco2e:+,.0f}"
        what = "cost" if self.figure == "monthly_usd" else "carbon"
        return (f"re-placing would cut {what} by {self.saving_percent:.1f} % ({usd} USD/month, {kg} kgCO2e/month): "
                f"{moves}. Not applied: review with `gpufleet place {stack}`, adopt with "
                f"`gpufleet place {stack} --lock`.")

    def to_output(self) -> dict[str, Any]:
        return {
            "saving_monthly_usd": None if self.saving_monthly_usd is None else round(self.saving_monthly_usd, 2),
            "saving_monthly_kgco2e": None if self.saving_monthly_kgco2e is None
            else round(self.saving_monthly_kgco2e, 3),
            "saving_percent": round(self.saving_percent, 2),
            "figure": self.figure,
            "moves": [{"workload": name, "from": a.to_output(), "to": b.to_output()} for name, a, b in self.moves],
        }


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


# The figures a recommendation may cite, by objective; balanced weighs both.
_FIGURES = {"cost": ("monthly_usd",), "carbon": ("monthly_kgco2e",), "balanced": ("monthly_kgco2e", "monthly_usd")}


def recommend(fleet: Fleet, catalog: Catalog, current: LockedPlacement, clouds: tuple[str, ...]
              ) -> Recommendation | None:
    """A recommendation when a fresh placement (by the fleet's objective, under its constraints)
    improves the objective's figure — cost or carbon for balanced — by the fleet's
    `replacement_threshold_percent` or more over the locked placement, both priced with `catalog`."""
    if not current.locked:
        return None
    catalog = fleet.catalog(catalog)
    try:
        fresh = place(fleet, catalog, clouds=clouds)
    except PlacementError:
        return None  # nothing feasible to recommend
    moves = []
    for name in sorted(current.locked, key=list(current.placement.decisions).index):
        a, b = current.placement.decisions[name].chosen, fresh.decisions[name].chosen
        if (a.cloud, a.region, a.instance_type) != (b.cloud, b.region, b.instance_type):
            moves.append((name, a, b))
    if not moves:
        return None
    gains = []
    for figure in _FIGURES[fleet.objective]:
        now, then = getattr(current.placement, f"total_{figure}"), getattr(fresh, f"total_{figure}")
        if now is not None and then is not None and now > 0:
            gains.append(((now - then) / now * 100, figure))
    if not gains or max(gains)[0] < fleet.replacement_threshold_percent:
        return None
    percent, figure = max(gains)
    return Recommendation(tuple(moves), _minus(current.placement.total_monthly_usd, fresh.total_monthly_usd),
                          _minus(current.placement.total_monthly_kgco2e, fresh.total_monthly_kgco2e), percent, figure)


def not_locked_warning(name: str, stack: str) -> str:
    """What the program logs for a workload placed without a lock. `gpufleet preview` knows it, to count these
    warnings (one per workload: hundreds at fleet scale) in one line under its own "Not locked" line."""
    return (f"workload {name} is not locked: placed now, it may move when the catalog changes; "
            f"review and lock with `gpufleet place {stack} --lock`")


def placement_output(stack: str, result: LockedPlacement, recommendation: Recommendation | None,
                     catalog_description: str, advisories: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `placement` stack output: figures, reasons, lock status and any recommendation. Outputs,
    unlike resource inputs, may change with every catalog refresh without touching a resource."""
    out = result.placement.to_output()
    for name, workload in out["workloads"].items():
        workload["locked"] = name in result.locked
        workload["cluster"] = result.clusters[name]
    out["not_locked"] = result.unlocked
    out["advisories"] = list(advisories)
    out["catalog"] = {"version": result.catalog_version, "data": catalog_description}
    out["recommendation"] = None if recommendation is None else {
        **recommendation.to_output(), "text": recommendation.text(stack)}
    return out
