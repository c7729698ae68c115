"""What a reviewer needs to know of one plan: totals, where the GPUs are, their fabric, the storage
tiers, what could not be priced and the policy results.

Everything is derived from the plan's estimate and its resources' inputs, so it reads plans from
gpufleet and from the Pulumi CLI alike. Inputs missing at preview (unknown values) make the
corresponding figure "unknown"; they never fail the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.clouds import reader_for
from gpufleet.estimate.plan import GPU_DECIMALS, gpu_capacity_label, gpus_unknown, index_views
from gpufleet.readers.base import NOT_CONFIGURED
from gpufleet.readers.views import ResourceView, views_from_states
from gpufleet.report import fmt
from gpufleet.report.fmt import DECIMALS, to_decimal
from gpufleet.report.plans import Plan

FIGURES = ("monthly_usd", "monthly_kwh", "monthly_kgco2e")

# Policy levels, most severe first (CrossGuard's enforcement levels).
LEVEL_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Totals:
    """A plan's monthly totals. None: nothing contributing to the figure could be estimated."""

    gpus: int | float  # a float when partitions of a GPU are in it (a sixth of an A10: 0.1667)
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None  # operational
    monthly_embodied_kgco2e: float | None = None  # manufacturing; None in plans written before it was estimated
    # figures (as the report names them: monthly_usd, monthly_kwh, monthly_tco2e, monthly_embodied_tco2e)
    # whose total leaves out what is unknown
    partial: frozenset[str] = frozenset()
    # the plan's `totals.max_gpus`: the GPUs capacity that scales (to zero) can reach; None: it cannot scale above
    max_gpus: int | float | None = None
    # GPU capacity of unknown size (node count or GPUs per node not known), named as the policies name it
    gpus_unknown: tuple[str, ...] = ()
    # the money total is unknown although resources are priced: all at 0, beside what is left out
    only_free_priced: bool = False

    @property
    def counted_gpus(self) -> int | float | None:
        """`gpus` as the JSON writes it: None when GPU capacity of unknown size is all there is to count."""
        return None if self.gpus_unknown and not (self.gpus or self.max_gpus) else self.gpus

    @property
    def partial_totals(self) -> list[str]:
        """The totals of the report's JSON that leave out what is unknown: "gpus" (and "max_gpus") when GPU
        capacity of unknown size is left out of a count that is not itself unknown (from the estimates, so
        plans written before the plan file listed "gpus" there get it too), then USD, kWh and tCO2e."""
        gpus = ["gpus", *(["max_gpus"] if self.max_gpus is not None else [])] \
            if self.gpus_unknown and self.counted_gpus is not None else []
        return gpus + [f for f in ("monthly_usd", "monthly_kwh", "monthly_tco2e")
                       if f in self.partial and getattr(self, f) is not None]

    @property
    def reach(self) -> int | float:
        """The GPUs the stack can reach at its maximum node counts (the counted GPUs when it cannot scale)."""
        return self.gpus if self.max_gpus is None else self.max_gpus

    def text(self, figure: str) -> str:
        """A total as the report writes it: "unknown", or the figure, "(partial)" when it leaves some out;
        GPUs as the preview writes them ("0–44" for capacity that can scale above what is counted)."""
        if figure == "gpus":
            return fmt.gpus_with_unknown(fmt.gpu_range(self.gpus, self.max_gpus), bool(self.gpus or self.max_gpus),
                                         bool(self.gpus_unknown))
        return fmt.figure(figure, getattr(self, figure)) + "".join(f" ({n})" for n in self._notes(figure))

    def _notes(self, figure: str) -> list[str]:
        """"partial" beside a total that leaves some out; "only free parts priced" beside a money total unknown
        for that reason (as `gpufleet preview` says)."""
        if getattr(self, figure) is not None:
            return ["partial"] if figure in self.partial else []
        return ["only free parts priced"] if figure == "monthly_usd" and self.only_free_priced else []

    def with_unit(self, figure: str, unit: str, change: str | None = None) -> str:
        """A total with its unit and any change, as a title writes it: "264,157.80 USD/month (partial; +8.00)"."""
        notes = self._notes(figure) + ([change] if change else [])
        return f"{fmt.figure(figure, getattr(self, figure))} {unit}" + (f" ({'; '.join(notes)})" if notes else "")

    @property
    def monthly_tco2e(self) -> float | None:
        return None if self.monthly_kgco2e is None else self.monthly_kgco2e / 1000

    @property
    def monthly_embodied_tco2e(self) -> float | None:
        return None if self.monthly_embodied_kgco2e is None else self.monthly_embodied_kgco2e / 1000

    def decimal(self, figure: str) -> Decimal | None:
        """A total as the plan states it, rounded as the report prints it."""
        return to_decimal(getattr(self, figure), DECIMALS[figure])


@dataclass(frozen=True)
class RegionRow:
    cloud: str
    region: str
    gpus: int | float
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None
    unpriced: int
    max_gpus: int | float | None = None  # what its capacity can scale to (`max_gpus_of`); None: not above `gpus`

    @property
    def monthly_tco2e(self) -> float | None:
        return None if self.monthly_kgco2e is None else self.monthly_kgco2e / 1000


@dataclass(frozen=True)
class FabricRow:
    """GPU capacity of one instance type in one region, and its interconnect."""

    cloud: str
    region: str
    instance_type: str
    interconnect: str  # from the catalog: "EFA", "InfiniBand", "GPUDirect-TCPX", "none", "unknown"
    configured: str  # what the plan's resources configure for it, in words
    nodes: int | None
    gpus: int | float
    resources: int
    max_gpus: int | float | None = None  # what its capacity can scale to (`max_gpus_of`); None: not above `gpus`


@dataclass(frozen=True)
class StorageRow:
    """Storage of one tier (service) in one region."""

    tier: str
    cloud: str
    region: str
    resources: int
    capacity_tib: float | None  # provisioned capacity; None when elastic or not known at preview
    elastic: bool
    details: tuple[str, ...]


@dataclass(frozen=True)
class Unpriced:
    urn: str
    type: str
    reason: str

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Summary:
    totals: Totals
    regions: list[RegionRow]
    fabric: list[FabricRow]
    storage: list[StorageRow]
    unpriced: list[Unpriced]
    unknown_energy: list[Unpriced]
    violations: list[dict[str, Any]] | None  # mandatory first; None: the plan has no policy results
    # resources of types gpufleet does not know (the plan's `assessment`): their cost is in no total
    not_assessed: int = 0

    def violation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for v in self.violations or []:
            counts[str(v.get("level"))] = counts.get(str(v.get("level")), 0) + 1
        return counts


# --- totals and regions -------------------------------------------------------------------------

def _sum(values: list[float | None]) -> float | None:
    """The sum of the known values; None when there are values and none is known."""
    got = [v for v in values if v is not None]
    if not got and values:
        return None
    return _fsum(got)


def _fsum(values: list[float]) -> float:
    """An exact sum; a sum beyond float's range is infinite (a broken or hostile plan), not an error."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


def gpu_count(value: Any) -> int | float:
    """A GPU count from a plan: whole, or a share of a GPU (a partition, written with decimals); 0 when absent."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def gpu_sum(values: Iterable[Any]) -> int | float:
    """GPU counts added up, rounded to the plan file's precision (shares are written with 4 decimals, so
    six separate sixths, 6 × 0.1667, add up to 1.0002; one resource's six sixths are written 1). A sum
    beyond float's range (a hostile plan) is infinite, not an error."""
    total = _fsum([gpu_count(v) for v in values])
    if not math.isfinite(total):
        return total
    return int(total) if total == int(total) else round(total, GPU_DECIMALS)


def max_gpus_of(estimates: Iterable[dict[str, Any]]) -> int | float | None:
    """The GPUs these estimates can reach, as `gpufleet preview` adds them up for a row: each estimate's
    `max_gpus` where the plan has one, else its `gpus`; None when none of them has a `max_gpus`."""
    estimates = list(estimates)
    if not any(_number(e.get("max_gpus")) is not None for e in estimates):
        return None
    return gpu_sum(e["max_gpus"] if _number(e.get("max_gpus")) is not None else e.get("gpus") for e in estimates)


def totals_of(plan: Plan) -> Totals:
    estimate = plan.estimate
    raw = estimate["totals"]
    per = list(estimate["estimates"].values())
    # resources not assessed cost what nobody knows: a USD total beside them leaves them out
    partial = _partial(estimate) | ({"monthly_usd"} if not_assessed(plan) else set())
    figures: dict[str, float | None] = {}
    for figure in FIGURES:
        value = _number(raw.get(figure))
        # The estimator sums known values only; when nothing was known the sum is not a real 0, nor is a money
        # total of free parts beside what is left out (plans written before the estimator said so themselves).
        # Energy and carbon are modelled for compute capacity only (resources with a cloud).
        relevant = [e for e in per if figure == "monthly_usd" or e.get("cloud") is not None]
        if value == 0 and ((relevant and all(e.get(figure) is None for e in relevant))
                           or (figure == "monthly_usd" and figure in partial)):
            value = None
        figures[figure] = value
    return Totals(gpu_count(raw.get("gpus")), figures["monthly_usd"], figures["monthly_kwh"], figures["monthly_kgco2e"],
                  _number(raw.get("monthly_embodied_kgco2e")), partial,
                  None if _number(raw.get("max_gpus")) is None else gpu_count(raw["max_gpus"]),
                  tuple(gpu_capacity_label(str(urn).rsplit("::", 1)[-1], e) for urn, e in estimate["estimates"].items()
                        if isinstance(e, dict) and gpus_unknown(e.get("gpus"), e.get("derivation"))),
                  figures["monthly_usd"] is None and _only_free_priced(per, bool(not_assessed(plan))))


def _only_free_priced(estimates: list[Any], not_assessed: bool) -> bool:
    """Resources priced, all at 0, beside others unpriced or not assessed (the money total is then unknown)."""
    priced = [_number(e.get("monthly_usd")) for e in estimates if isinstance(e, dict)]
    known = [v for v in priced if v is not None]
    return bool(known) and not any(known) and (len(known) < len(priced) or not_assessed)


# The estimate's names of the figures the report writes in tonnes.
_REPORTED_AS = {"monthly_kgco2e": "monthly_tco2e", "monthly_embodied_kgco2e": "monthly_embodied_tco2e"}


def _partial(estimate: dict[str, Any]) -> frozenset[str]:
    """The figures whose total the plan says leaves unknowns out (`partial_totals`; plans written before
    it have none), as the report names them."""
    written = estimate.get("partial_totals")
    return frozenset(_REPORTED_AS.get(f, f) for f in written if isinstance(f, str)) if isinstance(written, list) \
        else frozenset()


def _regions(plan: Plan) -> list[RegionRow]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in plan.estimate["estimates"].values():
        if e.get("cloud") is None:
            continue  # billable services the catalog does not price: listed as unpriced
        groups.setdefault((e["cloud"], e.get("region") or "unknown"), []).append(e)
    rows = []
    for (cloud, region), es in sorted(groups.items()):
        rows.append(RegionRow(
            cloud, region, gpu_sum(e.get("gpus") for e in es),
            *(_sum([_number(e.get(f)) for e in es]) for f in FIGURES),
            unpriced=sum(1 for e in es if e.get("monthly_usd") is None), max_gpus=max_gpus_of(es),
        ))
    return rows


# --- fabric -------------------------------------------------------------------------------------

def _fabric(plan: Plan, views: dict[str, ResourceView], catalog: Catalog) -> list[FabricRow]:
    graph = index_views(views.values())
    groups: dict[tuple[str, str, str, str, str], list[dict[str, Any]]] = {}
    for urn, e in plan.estimate["estimates"].items():
        if not e.get("instance_type") or e.get("cloud") is None:
            continue
        it = catalog.instance_type(e["instance_type"])
        if it is None:
            continue  # not a GPU instance type the catalog knows (system nodes, CPU instances): no GPU fabric
        interconnect = it.interconnect or "unknown"
        # Inline capacity (an AKS cluster's pools) has an estimate but no view of its own.
        reader = reader_for(str(e.get("type")))
        configured = reader.fabric_configured(views.get(urn), graph, interconnect) if reader else NOT_CONFIGURED
        key = (e["cloud"], e.get("region") or "unknown", e["instance_type"], interconnect, configured)
        groups.setdefault(key, []).append(e)
    rows = []
    for (cloud, region, itype, interconnect, configured), es in sorted(groups.items()):
        nodes = [e.get("nodes") for e in es]
        rows.append(FabricRow(cloud, region, itype, interconnect, configured,
                              None if None in nodes else sum(nodes), gpu_sum(e.get("gpus") for e in es), len(es),
                              max_gpus_of(es)))
    return rows


# --- storage ------------------------------------------------------------------------------------

def _storage(views: dict[str, ResourceView]) -> list[StorageRow]:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    lifecycle: dict[tuple[str, str, str], list[str]] = {}
    for v in views.values():
        reader = reader_for(v.type)
        if reader is None:
            continue
        if (configures := reader.lifecycle(v)) is not None:
            tier, classes = configures
            lifecycle.setdefault((tier, reader.cloud, reader.storage_region(v)), []).extend(classes)
            continue
        if (read := reader.storage(v)) is None:
            continue
        g = groups.setdefault((read.tier, reader.cloud, reader.storage_region(v)),
                              {"n": 0, "tib": [], "provisioned": read.provisioned, "details": []})
        g["n"] += 1
        g["tib"].append(read.capacity_tib)
        g["details"].extend(read.details)
    rows = []
    for key, g in sorted(groups.items()):
        details = g["details"] + lifecycle.get(key, [])
        capacity = None if not g["provisioned"] or None in g["tib"] else _fsum(g["tib"])
        rows.append(StorageRow(*key, g["n"], capacity, not g["provisioned"], tuple(dict.fromkeys(details))))
    return rows


# --- unpriced, policies, all together -----------------------------------------------------------

def _unpriced(plan: Plan, urns: list[str], figure: str) -> list[Unpriced]:
    out = []
    for urn in urns:
        e = plan.estimate["estimates"].get(urn) or {}
        reason = str((e.get("derivation") or {}).get(figure) or "no reason recorded")
        out.append(Unpriced(urn, str(e.get("type") or ""), reason.removeprefix("unknown: ")))
    return out


def sorted_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mandatory first, then remediate, advisory and anything else; stable within a level."""
    return sorted(violations, key=lambda v: (LEVEL_ORDER.get(str(v.get("level")), len(LEVEL_ORDER)),
                                             str(v.get("policy")), str(v.get("urn") or "")))


def summarize(plan: Plan, catalog: Catalog | None = None) -> Summary:
    catalog = catalog or load_catalog()
    views = {v.urn: v for v in views_from_states(plan.states, config=plan.config)}
    return Summary(
        totals=totals_of(plan),
        regions=_regions(plan),
        fabric=_fabric(plan, views, catalog),
        storage=_storage(views),
        unpriced=_unpriced(plan, plan.estimate["unpriced"], "monthly_usd"),
        unknown_energy=_unpriced(plan, plan.estimate["unknown_energy"], "monthly_kwh"),
        violations=None if plan.violations is None else sorted_violations(plan.violations),
        not_assessed=not_assessed(plan),
    )


def not_assessed(plan: Plan) -> int:
    """Resources the plan's estimate did not assess (0 in plans written before assessments were recorded)."""
    count = (plan.estimate.get("assessment") or {}).get("not_assessed")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0
