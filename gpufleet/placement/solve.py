"""The joint placement as a mixed-integer program, solved exactly with HiGHS (`scipy.optimize.milp`).

Variables: x[w, o] ∈ {0, 1}, one per workload w and option o. Each workload takes exactly one option;
each shared constraint (region quota, GPU quota, USD budget, carbon budget) bounds Σ coefficient · x.

Objectives are lexicographic: a list of integer vectors (cents, grams, nodes, tie ranks). Each stage is
solved, then its optimum fixed (Σ c·x ≤ optimum + ½, exact because c is integer) for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, vstack

from gpufleet.placement.model import Option

# HiGHS stops at a relative gap of 1e-4 by default; placement must be exact.
_HIGHS_OPTIONS = {"mip_rel_gap": 0.0, "presolve": True}


@dataclass(frozen=True)
class Group:
    """A constraint shared by all workloads: Σ figure of the chosen options (in `region`, if set) ≤ limit."""

    name: str  # "quota aws us-west-2", "budget monthly_usd"
    path: str
    limit: float
    unit: str  # "GPUs", "USD", "kgCO2e"
    figure: str  # an Option attribute: "gpus", "monthly_usd", "monthly_kgco2e"
    region: tuple[str, str] | None = None  # (cloud, region) for a region quota
    instance_type: str | None = None  # within the region, only this type counts (an owned site's GPUs of a model)

    def applies(self, o: Option) -> bool:
        return (self.region is None or (o.cloud, o.region) == self.region) and \
            self.instance_type in (None, o.instance_type)

    def coefficient(self, o: Option) -> float:
        return float(getattr(o, self.figure)) if self.applies(o) else 0.0


Row = tuple[np.ndarray, float]  # an extra constraint: coefficients · x ≤ bound


class Assignment:
    """One option per workload under shared groups; `choices[w]` are workload w's options, best first."""

    def __init__(self, choices: Sequence[Sequence[Option]], groups: Sequence[Group]):
        self.choices = [list(c) for c in choices]
        self.groups = list(groups)
        sizes = [len(c) for c in self.choices]
        self.offsets = np.concatenate(([0], np.cumsum(sizes))).astype(int)
        self.size = int(self.offsets[-1])
        owner = np.repeat(np.arange(len(sizes)), sizes)
        self._assign = csr_array((np.ones(self.size), (owner, np.arange(self.size))), shape=(len(sizes), self.size))
        self.group_matrix = self._group_matrix()
        self.limits = np.array([g.limit for g in self.groups], dtype=float)

    def _group_matrix(self) -> csr_array:
        options = [o for c in self.choices for o in c]
        in_region: dict[tuple[str, str], list[int]] = {}
        for j, o in enumerate(options):
            in_region.setdefault((o.cloud, o.region), []).append(j)
        figures = {g.figure: np.array([getattr(o, g.figure) or 0.0 for o in options], dtype=float)
                   for g in self.groups}
        rows, cols, values = [], [], []
        for i, g in enumerate(self.groups):
            column = figures[g.figure]
            hit = np.arange(self.size) if g.region is None else np.array(
                [j for j in in_region.get(g.region, []) if g.applies(options[j])], dtype=int)
            rows.append(np.full(len(hit), i))
            cols.append(hit)
            values.append(column[hit])
        if not self.groups:
            return csr_array((0, self.size))
        return csr_array((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(len(self.groups), self.size))

    def vector(self, value: Callable[[int, Option], float]) -> np.ndarray:
        """A coefficient per variable, from (workload index, option)."""
        return np.array([value(w, o) for w, options in enumerate(self.choices) for o in options], dtype=float)

    def columns(self, selection: Sequence[int]) -> np.ndarray:
        return self.offsets[:-1] + np.asarray(selection, dtype=int)

    def value(self, c: np.ndarray, selection: Sequence[int]) -> float:
        return float(c[self.columns(selection)].sum())

    def usage(self, selection: Sequence[int]) -> np.ndarray:
        """Σ coefficient over the chosen options, per group."""
        x = np.zeros(self.size)
        x[self.columns(selection)] = 1.0
        return self.group_matrix @ x

    def satisfies(self, selection: Sequence[int], rows: Sequence[Row] = (), drop: frozenset[int] = frozenset()) -> bool:
        used = self.usage(selection)
        for g, limit in enumerate(self.limits):
            if g not in drop and used[g] > limit + 1e-9 * max(1.0, abs(limit)):
                return False
        return all(self.value(c, selection) <= bound + 1e-9 * max(1.0, abs(bound)) for c, bound in rows)

    def _constraints(self, rows: Sequence[Row], drop: frozenset[int]) -> list[LinearConstraint]:
        constraints = [LinearConstraint(self._assign, 1.0, 1.0)]
        keep = [g for g in range(len(self.groups)) if g not in drop]
        if keep:
            constraints.append(LinearConstraint(self.group_matrix[keep], -np.inf, self.limits[keep]))
        if rows:
            constraints.append(LinearConstraint(np.vstack([r for r, _ in rows]), -np.inf, [b for _, b in rows]))
        return constraints

    def fix_by_reduced_cost(self, c: np.ndarray, rows: Sequence[Row], upper: np.ndarray, incumbent: float) -> np.ndarray:
        """Upper bounds with x_j fixed to 0 where the LP relaxation proves c·x > `incumbent` whenever x_j = 1.

        For an optimal LP with reduced costs d_j >= 0 at the lower bound, every feasible x has
        c·x >= LP + Σ d_j x_j; an x_j whose d_j exceeds the gap to an integer incumbent (c is
        integer) is 0 in every solution at least as good as the incumbent.
        """
        constraints = self._constraints(rows, frozenset())
        a_ub = vstack([csr_array(k.A) for k in constraints[1:]]) if len(constraints) > 1 else None
        b_ub = np.concatenate([k.ub for k in constraints[1:]]) if len(constraints) > 1 else None
        lp = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=self._assign, b_eq=np.ones(len(self.choices)),
                     bounds=np.column_stack([np.zeros(self.size), upper]), method="highs")
        if lp.status != 0:
            return upper
        slack = incumbent - lp.fun + 0.5
        fixed = upper.copy()
        fixed[lp.lower.marginals > slack + 1e-6 * max(1.0, abs(incumbent))] = 0.0
        return fixed

    def solve(self, c: np.ndarray, rows: Sequence[Row] = (), drop: frozenset[int] = frozenset(),
              node_limit: int | None = None, upper: np.ndarray | None = None) -> tuple[list[int] | None, bool]:
        """Minimise c·x under the groups (except `drop`) and `rows`.

        Returns (selection, proven optimal); selection None when infeasible, or when `node_limit`
        branch-and-bound nodes found no solution.
        """
        constraints = self._constraints(rows, drop)
        options = dict(_HIGHS_OPTIONS, **({"node_limit": node_limit} if node_limit is not None else {}))
        result = milp(c, integrality=np.ones(self.size), bounds=Bounds(0, 1 if upper is None else upper),
                      constraints=constraints, options=options)
        if result.status == 2:
            return None, True
        # scipy reports HiGHS's node limit as status 4 ("solution limit reached"), with the best x found
        stopped = node_limit is not None and result.status in (1, 4)
        if result.status != 0 and not stopped:
            raise RuntimeError(f"HiGHS did not solve the placement: {result.message}")
        if result.x is None:
            return None, False
        x = result.x
        selection = [int(np.argmax(x[a:b])) for a, b in zip(self.offsets[:-1], self.offsets[1:])]
        if not self.satisfies(selection, rows, drop):
            raise RuntimeError("HiGHS returned a placement that breaks a constraint once rounded")
        return selection, result.status == 0

    def feasible(self, rows: Sequence[Row] = (), drop: frozenset[int] = frozenset()) -> bool:
        return self.solve(np.zeros(self.size), rows, drop)[0] is not None

    def minimise(self, stages: Sequence[np.ndarray], rows: Sequence[Row] = (),
                 tie_node_limit: int | None = None) -> tuple[list[int] | None, bool]:
        """Lexicographic minimum of integer `stages`: (selection or None when infeasible, ties exact).

        The first stage is always solved to proven optimality. Each later stage (a tie-break among
        the optima so far) may stop after `tie_node_limit` branch-and-bound nodes — a deterministic
        limit — keeping the best solution found, which is still optimal for every earlier stage;
        the second value says whether every stage was proven optimal.

        When every workload can take the option that is best for it alone (by the same lexicographic
        order), that is the optimum and no solve is needed; likewise a stage's solution that gives
        every workload its own best option ends the search.
        """
        rows = list(rows)
        best = self.separate_best(stages)
        if self.satisfies(best, rows):
            return best, True
        selection: list[int] | None = None
        exact = True
        upper = np.ones(self.size)
        for k, c in enumerate(stages):
            if k:
                upper = self.fix_by_reduced_cost(c, rows, upper, self.value(c, selection))
            found, proven = self.solve(c, rows, node_limit=tie_node_limit if k else None, upper=upper)
            if k == 0 and found is None:
                return None, True
            exact = exact and proven
            selection = found or selection
            assert selection is not None
            if selection == best:
                return selection, exact
            value = self.value(c, selection)
            if k == 0:
                upper = self.fix_by_reduced_cost(c, rows, upper, value)
            rows.append((c, value + 0.5))
        return selection, exact

    def separate_best(self, stages: Sequence[np.ndarray]) -> list[int]:
        """Each workload's lexicographically best option by `stages`, ignoring shared groups."""
        out = []
        for a, b in zip(self.offsets[:-1], self.offsets[1:]):
            keys = list(zip(*(c[a:b] for c in stages)))
            out.append(min(range(b - a), key=keys.__getitem__))
        return out


def prune_dominated(choices: Sequence[Sequence[Option]], groups: Sequence[Group],
                    also: tuple[str, ...] = ()) -> list[list[Option]]:
    """Each workload's options without those an earlier (better-ranked) option dominates.

    `choices[w]` must be in the tie-break order. Option o is dominated by an earlier o' when o' adds
    no more to any constraint row: same region or a region without quota, and no more GPUs, USD or
    kgCO2e where a fleet-wide row (or `also`, e.g. the cost cap) counts them. Swapping o for o' keeps
    any placement feasible and makes it lexicographically better, so no optimum uses o.
    """
    quotas = [g for g in groups if g.region is not None]
    figures = {g.figure for g in groups if g.region is None} | set(also)
    if quotas:
        figures.add("gpus")
    out = []
    for options in choices:
        kept: list[Option] = []
        for o in options:
            if not any(_dominates(d, o, quotas, figures) for d in kept):
                kept.append(o)
        out.append(kept)
    return out


def _dominates(d: Option, o: Option, quotas: list[Group], figures: set[str]) -> bool:
    """d counts against no quota that o does not (so swapping o for d keeps every quota) and no more."""
    if any(g.applies(d) and not g.applies(o) for g in quotas):
        return False
    return all(getattr(d, f) <= getattr(o, f) for f in figures)
