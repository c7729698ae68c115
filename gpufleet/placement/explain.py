"""Why: each decision's reason, runners-up, fallbacks and binding constraints; why nothing is feasible."""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Iterable, Sequence

from gpufleet.catalog import Catalog
from gpufleet.errors import Problem
from gpufleet.placement.model import ConstraintUse, Decision, Option, amount, over_by
from gpufleet.placement.options import NOT_ASKED, WorkloadOptions, cents, order_key, price_kind
from gpufleet.placement.solve import Assignment, Group, Row

MAX_ALTERNATIVES = 3
_FIGURE_WORDS = {"monthly_usd": "price", "monthly_kgco2e": "carbon"}


def _price_words(wanted: str, used: str | None) -> str:
    """Which price a choice was ranked on, when it is not the plain on-demand list price."""
    if used is None or wanted == used == "on-demand":
        return ""
    if wanted == used or wanted == "on-demand":
        return f" at the {used} price"
    return f" at the {used} price (no {wanted} price in the catalog)"


# --- options left out because a figure is unknown --------------------------------------------------


def unknown_figures(o: Option, figures: tuple[str, ...]) -> list[str]:
    return [f for f in figures if getattr(o, f) is None]


def _cause(o: Option, figure: str) -> str:
    """The first unknown input behind an unknown figure (carbon is unknown when energy is)."""
    how = o.footprint.derivation
    if figure == "monthly_kgco2e" and o.monthly_kwh is None:
        figure = "monthly_kwh"
    return how[figure].removeprefix("unknown: ")


def left_out_note(left_out: Sequence[Option], figures: tuple[str, ...], why: str) -> str:
    """One line naming the options not considered because a figure needed for `why` is unknown."""
    words = sorted({_FIGURE_WORDS[f] for o in left_out for f in unknown_figures(o, figures)})
    causes: dict[str, list[Option]] = {}
    for o in left_out:
        causes.setdefault(_cause(o, unknown_figures(o, figures)[0]), []).append(o)
    examples = "; ".join(f"{cause}: {', '.join(f'{o.where} {o.instance_type}' for o in options)}"
                         for cause, options in causes.items())
    return f"{len(left_out)} option(s) not considered for {why}, {' and '.join(words)} unknown: {examples}"


# --- infeasibility ------------------------------------------------------------------------------


def _ceil(value: float, unit: str) -> float:
    """Round a needed amount up to what a limit is written in: whole GPUs, cents, 0.001 tCO2e."""
    step = {"GPUs": 1.0, "USD": 0.01, "kgCO2e": 1.0}[unit]  # kgCO2e limits are written in tCO2e
    return math.ceil(round(value / step, 6)) * step


def _least(group: Group) -> str:
    return {"monthly_usd": "for the cheapest feasible placement",
            "monthly_kgco2e": "for the lowest-carbon feasible placement"}.get(
        group.figure, "by any feasible placement")


def _of_which_locked(group: Group) -> str:
    """What of a needed amount the locked workloads already use (it counts towards the limit, but placement cannot
    move them)."""
    return f" ({amount(group.locked, group.unit)} of it by locked workloads)" if group.locked else ""


def infeasible_problems(a: Assignment, rows: Sequence[Row] = ()) -> list[Problem]:
    """Which shared constraints make the placement infeasible, and the limits that would make it feasible.

    Each group is relaxed alone; if that is feasible, the least the group needs (its figure minimised
    under every other constraint) is reported. If no single group is enough, pairs are tried.
    """
    indices = range(len(a.groups))

    def needed(g: int, drop: frozenset[int], extra: Sequence[Row] = ()) -> float | None:
        row = a.group_matrix[[g]].toarray()[0]
        selection, _ = a.solve(row, [*rows, *extra], drop)
        return None if selection is None else float(row[a.columns(selection)].sum())

    problems = []
    for g in indices:
        value = needed(g, frozenset({g}))
        if value is None:
            continue
        grp = a.groups[g]
        value = _ceil(grp.locked + value, grp.unit)
        problems.append(Problem(
            grp.path,
            f"{grp.name}: {amount(grp.limit, grp.unit)} < {amount(value, grp.unit)} needed "
            f"{_least(grp)}{_of_which_locked(grp)}; raise it to at least {amount(value, grp.unit)}",
        ))
    if problems:
        return problems
    for g1, g2 in itertools.combinations(indices, 2):
        if not a.feasible(rows, frozenset({g1, g2})):
            continue
        both = frozenset({g1, g2})
        v1 = needed(g1, both)
        assert v1 is not None
        row1 = a.group_matrix[[g1]].toarray()[0]
        v2 = needed(g2, both, [(row1, v1 + 1e-6 * max(1.0, v1))])
        if v2 is None:
            continue
        p1, p2 = a.groups[g1], a.groups[g2]
        v1, v2 = _ceil(p1.locked + v1, p1.unit), _ceil(p2.locked + v2, p2.unit)
        problems.append(Problem(
            f"{p1.path} and {p2.path}",
            f"{p1.name} ({amount(p1.limit, p1.unit)}) and {p2.name} ({amount(p2.limit, p2.unit)}) together: "
            f"no placement fits; raising them to {amount(v1, p1.unit)} and {amount(v2, p2.unit)} would",
        ))
    if problems:
        return problems
    names = ", ".join(g.name for g in a.groups)
    return [Problem("gpufleet:fleet", f"no placement fits even with any one or two of these relaxed: {names}")]


# --- decisions ----------------------------------------------------------------------------------


def _best_per_region(options: Iterable[Option], exclude: tuple[str, str]) -> list[Option]:
    """The first (best) option of each region other than `exclude`, in order, at most three."""
    seen: dict[tuple[str, str], Option] = {}
    for o in options:
        if (o.cloud, o.region) != exclude:
            seen.setdefault((o.cloud, o.region), o)
        if len(seen) == MAX_ALTERNATIVES:
            break
    return list(seen.values())


def _named(d: Decision, name: str) -> Decision:
    """`d` for the workload `name` of the same kind: the same decision, its options named after it."""
    if d.workload == name:
        return d
    return dataclasses.replace(d, workload=name, chosen=d.chosen.named(name),
                               runners_up=tuple(o.named(name) for o in d.runners_up),
                               fallbacks=tuple(o.named(name) for o in d.fallbacks))


class Explainer:
    """Decisions of a solved placement: each workload's constraints are read with the others fixed.

    Workloads of one kind (`kinds[w]`; they differ only in their name, `joint._kinds`) share their options:
    `workloads[k]`, the first such workload's, `ranked[k]` (its allowed options in the tie-break order) and
    `choices[k]` (those eligible, in that order). A
    decision depends only on the kind and the option chosen (with the others' use of each constraint,
    which is fixed), so it is worked out once per (kind, chosen option) and given each workload's name.
    """

    def __init__(self, catalog: Catalog, objective: str, ranked: Sequence[Sequence[Option]],
                 choices: Sequence[Sequence[Option]], chosen: Sequence[Option], groups: Sequence[Group],
                 workloads: Sequence[WorkloadOptions], kinds: Sequence[int], cap: ConstraintUse | None,
                 cap_cents: int | None):
        self.catalog = catalog
        self.objective = objective
        self.ranked = ranked  # per kind
        self.choices = choices  # per kind
        self.workloads = workloads  # per kind
        self.kinds = kinds  # per workload
        self.chosen = chosen  # per workload: an option of its kind's `choices`
        self.groups = groups
        self.cap = cap
        self.cap_cents = cap_cents
        in_region: dict[tuple[str, str], list[Option]] = {}
        for o in chosen:
            in_region.setdefault((o.cloud, o.region), []).append(o)
        # Σ over the chosen options in the fleet's order; those outside a region group's region add 0
        self.used = [sum((g.coefficient(o) for o in (chosen if g.region is None else in_region.get(g.region, ()))), 0.0)
                     for g in groups]
        self.total_cents = sum(cents(o.monthly_usd) for o in chosen) if cap_cents is not None else 0
        self._fleet_wide = [i for i, g in enumerate(groups) if g.region is None]
        self._by_region: dict[tuple[str, str], list[int]] = {}
        for i, g in enumerate(groups):
            if g.region is not None:
                self._by_region.setdefault(g.region, []).append(i)
        self._decisions: dict[tuple[int, int], Decision] = {}  # (kind, chosen's place in its choices)

    def constraint_uses(self) -> list[ConstraintUse]:
        """Every shared constraint's use; binding when it blocks some workload's better option."""
        cases = {(k, self.choices[k].index(o)): (k, o) for k, o in zip(self.kinds, self.chosen)}
        binding = {i for k, o in cases.values() for i in self._blocking(k, o)}
        uses = [ConstraintUse(g.name, g.path, g.locked + float(self.used[i]), g.limit, g.unit, i in binding, g.locked)
                for i, g in enumerate(self.groups)]
        if self.cap:
            uses.append(dataclasses.replace(self.cap, binding=-1 in binding))
        return uses

    def _blocking(self, k: int, chosen: Option) -> dict[int, Option]:
        """Group (-1: cost cap) -> the best option ranked before `chosen` (of kind k) that it blocks."""
        options = self.choices[k]
        breaking: dict[int, Option] = {}
        for better in options[: options.index(chosen)]:
            for i in self._swap_breaks(chosen, better, cap_too=True):
                breaking.setdefault(i, better)
        return breaking

    def _swap_breaks(self, chosen: Option, o: Option, cap_too: bool) -> list[int]:
        """Groups (index; -1 for the cost cap) that moving a workload alone from `chosen` to `o` would break."""
        broken = []
        for i in self._fleet_wide + self._by_region.get((o.cloud, o.region), []):
            g = self.groups[i]
            after = self.used[i] - g.coefficient(chosen) + g.coefficient(o)
            if after > g.free + 1e-9 * max(1.0, g.free):
                broken.append(i)
        if cap_too and self.cap_cents is not None:
            if self.total_cents - cents(chosen.monthly_usd) + cents(o.monthly_usd) > self.cap_cents:
                broken.append(-1)
        return sorted(broken, key=lambda i: (i < 0, i))

    def decision(self, w: int, name: str, notes: tuple[str, ...]) -> Decision:
        """Workload w's decision, named `name` (its options are its kind's, named after the first)."""
        k, chosen = self.kinds[w], self.chosen[w]
        key = (k, self.choices[k].index(chosen))
        if key not in self._decisions:
            self._decisions[key] = self._decide(k, chosen, notes)
        return _named(self._decisions[key], name)

    def _decide(self, k: int, chosen: Option, notes: tuple[str, ...]) -> Decision:
        wo = self.workloads[k]
        choices = self.choices[k]
        key = lambda o: order_key(o, self.objective)  # noqa: E731

        breaking = self._blocking(k, chosen)
        order = sorted(breaking, key=lambda i: (i < 0, i))
        binding = [self._blocked(chosen, i, breaking[i]) for i in order]
        shared = [self.groups[i].name if i >= 0 else "cost cap" for i in order]

        chosen_key = key(chosen)
        filters = []
        for f in wo.filters:
            excluded = min(wo.without(f.name), key=key, default=None)  # the best option only f removes
            if excluded is not None and key(excluded) < chosen_key:
                filters.append(f)
                why = f.why(excluded)
                binding.append(f"{f.label}: excludes better {excluded.where} {excluded.instance_type}"
                               + (f" ({why})" if why else ""))

        # a generator: _best_per_region stops at its third region, so later options need no check
        fallbacks = _best_per_region(
            (o for o in choices if o is not chosen and not self._swap_breaks(chosen, o, cap_too=False)),
            (chosen.cloud, chosen.region))
        runners_up = _best_per_region(self.ranked[k], (chosen.cloud, chosen.region))
        return Decision(
            workload=wo.workload.name,
            chosen=chosen,
            runners_up=tuple(runners_up),
            fallbacks=tuple(fallbacks),
            binding=tuple(binding),
            reason=self.reason(wo, chosen, shared, [f.phrase for f in filters if f.name not in NOT_ASKED]),
            notes=notes,
        )

    def _blocked(self, chosen: Option, group: int, better: Option) -> str:
        """"quota aws eu-north-1: 60 of 64 GPUs used by the others; aws eu-north-1 p5.48xlarge needs 64"."""
        if group < 0:
            assert self.cap is not None and self.cap_cents is not None
            others = self.total_cents - cents(chosen.monthly_usd)
            return (f"{self.cap.name}: {self.cap.limit:,.2f} USD; {better.where} {better.instance_type} would make "
                    f"the fleet {(others + cents(better.monthly_usd)) / 100:,.2f} USD")
        g = self.groups[group]
        others = g.locked + self.used[group] - g.coefficient(chosen)  # locked workloads are others too
        return (f"{g.name}: {amount(others, g.unit, with_unit=False)} of {amount(g.limit, g.unit)} used by the "
                f"others{over_by(others, g.limit, g.locked, g.unit)}; {better.where} {better.instance_type} needs "
                f"{amount(g.coefficient(better), g.unit, False)}")

    def reason(self, wo: WorkloadOptions, chosen: Option, shared: list[str], filters: list[str]) -> str:
        w = wo.workload
        what = f"{w.gpu_count} {w.gpu}" + "".join(f" {phrase}" for phrase in filters)
        best = {"cost": "cheapest", "carbon": "lowest-carbon", "balanced": "lowest-carbon"}[self.objective]
        if shared == ["cost cap"]:
            phrase = f"least carbon within the cost cap for {what}"
        elif shared:
            phrase = f"best region for {what} left by {' and '.join(shared)}"
        else:
            phrase = f"{best} region for {what}"
        grid = self._grid(chosen)
        usd = f"{chosen.monthly_usd:.2f} USD/month" if chosen.monthly_usd is not None else "price unknown"
        usd += _price_words(price_kind(w), chosen.footprint.price_kind)
        figures = {"cost": usd, "carbon": grid, "balanced": f"{grid} - {usd}"}[self.objective]
        return f"{self.objective}: {phrase} - {figures}"

    def _grid(self, o: Option) -> str:
        if o.monthly_kgco2e is None:
            return "carbon unknown"
        region = self.catalog.regions[(o.cloud, o.region)]
        return f"grid {region.grid_gco2e_per_kwh:g} g/kWh PUE {region.pue:g}"
