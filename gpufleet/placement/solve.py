"""The joint placement as a mixed-integer program, solved exactly with HiGHS (`highs.py`).

Workloads whose options are the same (same clouds, regions, types, nodes, figures and places in their
order) are interchangeable: they form one class, and the program has one integer variable y[k, o] ∈
0..|k| per class k and option o — how many of the class take o — instead of a binary per workload and
option. Every shared constraint (region quota, GPU quota, USD budget, carbon budget) and every stage
but the last is a sum over workloads of a figure of the option taken, so it depends on the counts
only; aggregating removes the symmetry among identical workloads, which is what made the tie-break
stages slow. Each class's workloads then take its options in order: the first by `weight` (the last
stage's weight) takes the best-placed option, and so on.

Objectives are lexicographic: a list of integer vectors (cents, grams, nodes), then optionally the
position stage (`POSITION`): Σ over workloads of the option's place × the workload's weight. Each
stage is solved, then its optimum fixed (Σ c·y ≤ optimum + ½, exact because c is integer) for the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array, hstack, vstack

from gpufleet.placement import highs, lattice
from gpufleet.placement.model import Option
from gpufleet.placement.solver_output import silenced

# A tie-break stage starts from a placement that is usually already optimal (HiGHS's start solution, or
# the placement its cutoff row asks to beat), so its work is the proof; HiGHS's root reduced-cost
# heuristic (a sub-MIP that looks for a better solution) rarely finds one there and cost up to a second
# per stage at 1,000 workloads (docs/benchmarks.md#placement).
_TIE_OPTIONS = {"mip_heuristic_run_root_reduced_cost": False}
# On the program with offer totals (`Assignment._offer_totals`) HiGHS's sub-MIP heuristics (RINS, RENS) and
# feasibility jump cost more than they find: balanced's USD and position stages at 1,000 workloads, seeds
# 1-16, took 3.2 -> 1.4 s and 13.6 -> 6.7 s CPU in all without them, each of the 32 solves faster
# (docs/benchmarks.md#placement).
_OFFER_TOTALS_OPTIONS = {**_TIE_OPTIONS, "mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False,
                         "mip_heuristic_run_feasibility_jump": False}
# The last stage: Σ place × weight; not a vector over the counts (see Assignment.position_model).
POSITION = "position"


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
    # what workloads placed outside this solve (a lock's) already use of it: part of the use shown, not solved for
    locked: float = 0.0

    @property
    def free(self) -> float:
        """What this solve may use: the limit less the locked use; 0 when the locked workloads exceed the limit
        (the lock is honoured, so they stay; the use shown says by how much they are over)."""
        return max(0.0, self.limit - self.locked)

    def applies(self, o: Option) -> bool:
        return (self.region is None or (o.cloud, o.region) == self.region) and \
            self.instance_type in (None, o.instance_type)

    def coefficient(self, o: Option) -> float:
        return float(getattr(o, self.figure)) if self.applies(o) else 0.0


Row = tuple[np.ndarray, float]  # an extra constraint: coefficients · y ≤ bound
Stage = "np.ndarray | str"  # a vector over the variables, or POSITION (last)


@dataclass(frozen=True)
class Found:
    """One solve: the best placement found (None: infeasible if proven, else none found), whether it is
    proven optimal, and HiGHS's lower bound on the optimum."""

    selection: list[int] | None
    proven: bool
    bound: float


@dataclass(frozen=True)
class Minimum:
    """A lexicographic minimum (`Assignment.minimise`): the selection (None when infeasible), whether the
    first stage is proven optimal and by how much it may miss the optimum (its value minus a proven lower
    bound, in the stage's integer unit; 0 when proven), and whether every later stage is proven."""

    selection: list[int] | None
    objective_exact: bool = True
    objective_gap: float | None = 0.0  # None: no finite bound
    ties_exact: bool = True


def _same(o: Option) -> tuple:
    """What the program sees of an option (not the workload it belongs to)."""
    return (o.cloud, o.region, o.instance_type, o.nodes, o.gpus, o.monthly_usd, o.monthly_kgco2e)


class Assignment:
    """One option per workload under shared groups; `choices[w]` are workload w's options, best first.

    `places[w][p]` is option p's place in workload w's whole order and `weights[w]` its weight in the
    position stage (distinct; a higher weight takes the better-placed option among identical workloads).
    """

    def __init__(self, choices: Sequence[Sequence[Option]], groups: Sequence[Group],
                 places: Sequence[Sequence[int]] | None = None, weights: Sequence[int] | None = None):
        self.choices = list(choices)
        self.groups = list(groups)
        n = len(self.choices)
        places = [range(len(c)) for c in self.choices] if places is None else list(places)
        weights = [n - w for w in range(n)] if weights is None else list(weights)
        self.weights = np.array(weights, dtype=float)
        by_key: dict[tuple, int] = {}
        # identical workloads may share their lists (`joint.place` does): each pair of lists is keyed once
        keys: dict[tuple[int, int], tuple] = {}
        self.members: list[list[int]] = []  # workloads of each class, highest weight first
        self.klass = np.zeros(n, dtype=int)
        for w in sorted(range(n), key=lambda w: -weights[w]):
            ids = (id(self.choices[w]), id(places[w]))
            if ids not in keys:
                keys[ids] = (tuple(map(_same, self.choices[w])), tuple(places[w]))
            k = by_key.setdefault(keys[ids], len(self.members))
            if k == len(self.members):
                self.members.append([])
            self.members[k].append(w)
            self.klass[w] = k
        self.options = [self.choices[m[0]] for m in self.members]  # each class's options
        sizes = [len(c) for c in self.options]
        self.offsets = np.concatenate(([0], np.cumsum(sizes))).astype(int)
        self.size = int(self.offsets[-1])
        self.places = np.array([p for m in self.members for p in places[m[0]]], dtype=float)
        self.count = np.array([len(m) for m in self.members], dtype=float)
        self.upper = np.repeat(self.count, sizes)
        owner = np.repeat(np.arange(len(sizes)), sizes)
        self._assign = csr_array((np.ones(self.size), (owner, np.arange(self.size))), shape=(len(sizes), self.size))
        self.group_matrix = self._group_matrix()
        self._option = [o for c in self.options for o in c]  # each count's option
        self._nodes = np.array([o.nodes for o in self._option], dtype=float)
        self.limits = np.array([g.free for g in self.groups], dtype=float)

    def _group_matrix(self) -> csr_array:
        options = [o for c in self.options for o in c]
        in_region: dict[tuple[str, str], list[int]] = {}
        for j, o in enumerate(options):
            in_region.setdefault((o.cloud, o.region), []).append(j)
        figures = {f: np.array([getattr(o, f) or 0.0 for o in options], dtype=float)
                   for f in {g.figure for g in self.groups}}
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

    def vector(self, value: Callable[[Option], float]) -> np.ndarray:
        """A coefficient per variable (class and option), from the option."""
        return np.array([value(o) for options in self.options for o in options], dtype=float)

    def columns(self, selection: Sequence[int]) -> np.ndarray:
        """The variable of each workload's chosen option."""
        return self.offsets[self.klass] + np.asarray(selection, dtype=int)

    def counts(self, selection: Sequence[int]) -> np.ndarray:
        return np.bincount(self.columns(selection), minlength=self.size).astype(float)

    def value(self, c: np.ndarray, selection: Sequence[int]) -> float:
        return float(c[self.columns(selection)].sum())

    def usage(self, selection: Sequence[int]) -> np.ndarray:
        """Σ coefficient over the chosen options, per group."""
        return self.group_matrix @ self.counts(selection)

    def satisfies(self, selection: Sequence[int], rows: Sequence[Row] = (), drop: frozenset[int] = frozenset()) -> bool:
        used = self.usage(selection)
        for g, limit in enumerate(self.limits):
            if g not in drop and used[g] > limit + 1e-9 * max(1.0, abs(limit)):
                return False
        return all(self.value(c, selection) <= bound + 1e-9 * max(1.0, abs(bound)) for c, bound in rows)

    def selection(self, y: np.ndarray) -> list[int]:
        """Each workload's option from the counts: within a class, higher weights take better places."""
        out = [0] * len(self.choices)
        for k, members in enumerate(self.members):
            taken = np.repeat(np.arange(self.offsets[k + 1] - self.offsets[k]),
                              y[self.offsets[k]:self.offsets[k + 1]].astype(int))
            for w, p in zip(members, taken):
                out[w] = int(p)
        return out

    # --- the position stage -------------------------------------------------------------------

    def _position_terms(self, upper: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """The position stage over the counts: a linear part, and the classes of several workloads.

        A class's workloads with weights v_1 > … > v_m fill its options in place order, so with counts
        y_1 … y_K (places p_1 < … < p_K) and C_j = y_1 + … + y_j its position total is
        p_K·V(m) − Σ_{j<K} (p_{j+1} − p_j)·V(C_j), V(c) = v_1 + … + v_c. V is concave: V(C_j) is
        Σ_i v_i·z_ji over auxiliaries z_ji ∈ [0, 1] with Σ_i z_ji = C_j, which the objective fills in
        the order of v (exactly V(C_j) at an integer C_j). Options whose count is fixed to 0 (`upper`)
        add nothing to any C_j and are left out. A class of one workload is linear: its weight × place.
        Returns the linear part over the counts and (the class's free variables, v) for the others.
        """
        linear = np.zeros(self.size)
        pieces = []
        for k, members in enumerate(self.members):
            a, b = self.offsets[k], self.offsets[k + 1]
            if len(members) == 1:
                linear[a:b] = self.places[a:b] * self.weights[members[0]]
                continue
            free = a + np.flatnonzero(upper[a:b] > 0)
            if len(free) > 1:
                pieces.append((free, self.weights[members]))
        return linear, pieces

    def _position_model(self, upper: np.ndarray) -> tuple[np.ndarray, csr_array, int]:
        """(objective over counts + auxiliaries, rows = 0 linking them, number of auxiliaries)."""
        linear, pieces = self._position_terms(upper)
        aux_costs, rows, cols, values = [], [], [], []
        t = self.size  # next auxiliary's column
        r = 0
        for free, v in pieces:
            for j in range(len(free) - 1):  # Σ_i z_ji − (y_1 + … + y_j) = 0
                aux_costs.extend(-(self.places[free[j + 1]] - self.places[free[j]]) * v)
                rows.extend([r] * (len(v) + j + 1))
                cols.extend([*range(t, t + len(v)), *free[:j + 1]])
                values.extend([1.0] * len(v) + [-1.0] * (j + 1))
                t += len(v)
                r += 1
        c = np.concatenate((linear, aux_costs))
        return c, csr_array((values, (rows, cols)), shape=(r, t)), t - self.size

    def position_value(self, selection: Sequence[int], upper: np.ndarray) -> float:
        """The position stage's value as the program computes it (without its constant), where `selection`
        takes no option whose count `upper` fixes to 0."""
        linear, pieces = self._position_terms(upper)
        y = self.counts(selection)
        total = float(linear @ y)
        for free, v in pieces:
            V = np.concatenate(([0.0], np.cumsum(v)))
            cumulative = np.cumsum(y[free]).astype(int)
            for j in range(len(free) - 1):
                total -= (self.places[free[j + 1]] - self.places[free[j]]) * V[cumulative[j]]
        return total

    # --- solving ------------------------------------------------------------------------------

    def _program(self, stage, rows: Sequence[Row], drop: frozenset[int], upper: np.ndarray):
        """(objective, equality rows (A, b), rows A·x ≤ b, number of auxiliaries) for `stage` over the counts
        (then the position stage's auxiliaries)."""
        aux = 0
        equal = []
        if isinstance(stage, str):
            c, matrix, aux = self._position_model(upper)
        else:
            c = stage

        def widen(m) -> csr_array:
            m = csr_array(m)
            return hstack([m, csr_array((m.shape[0], aux))], format="csr") if aux else m

        equal = [(widen(self._assign), self.count)]
        if aux:
            equal.append((matrix, np.zeros(matrix.shape[0])))
        below = []
        keep = [g for g in range(len(self.groups)) if g not in drop]
        if keep:
            below.append((widen(self.group_matrix[keep]), self.limits[keep]))
        if rows:
            below.append((widen(np.vstack([r for r, _ in rows])), np.array([b for _, b in rows])))
        return c, equal, below, aux

    def _relaxation(self, stage, rows: Sequence[Row], upper: np.ndarray):
        """The LP relaxation of `stage` within `upper` (scipy's result: duals of the group rows, then of `rows`),
        or None if HiGHS did not solve it."""
        c, equal, below, aux = self._program(stage, rows, frozenset(), upper)
        stack = lambda parts: (vstack([m for m, _ in parts]), np.concatenate([b for _, b in parts]))  # noqa: E731
        a_eq, b_eq = stack(equal)
        a_ub, b_ub = stack(below) if below else (None, None)
        with silenced():
            lp = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=self._bounds(upper, aux),
                         method="highs")
        return lp if lp.status == 0 else None

    def fix_by_reduced_cost(self, stage, rows: Sequence[Row], upper: np.ndarray, incumbent: float) -> np.ndarray:
        """Upper bounds with y_j fixed to 0 where the LP relaxation proves the stage > `incumbent` whenever
        y_j ≥ 1.

        For an optimal LP with reduced costs d_j >= 0 at the lower bound, every feasible y has
        value >= LP + Σ d_j y_j; a y_j whose d_j exceeds the gap to an integer incumbent (every stage
        is integer at integer counts) is 0 in every solution at least as good as the incumbent.
        """
        lp = self._relaxation(stage, rows, upper)
        if lp is None:
            return upper
        slack = incumbent - lp.fun + 0.5
        fixed = upper.copy()
        fixed[lp.lower.marginals[:self.size] > slack + 1e-6 * max(1.0, abs(incumbent))] = 0.0
        return fixed

    def _rows_that_bind(self, rows: Sequence[Row],
                        upper: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(every row's coefficients: the groups, then `rows`; their limits; which can bind within `upper`), or None
        when a class has no free option (nothing is feasible within `upper`) or an option no figure.

        A row can bind only if it can exceed its limit: if |k| × the class's largest coefficient among its free
        options, summed over the classes, does; the other rows hold whatever the counts."""
        matrix = self.group_matrix.toarray()
        limits = self.limits
        if rows:
            matrix = np.vstack([matrix, *(c[None, :] for c, _ in rows)])
            limits = np.concatenate((limits, [b for _, b in rows]))
        if not len(limits):
            return matrix, limits, np.zeros(0, dtype=bool)
        most = np.maximum.reduceat(np.where(upper > 0, matrix, -np.inf), self.offsets[:-1], axis=1)
        if not np.all(np.isfinite(most)):
            return None
        # near a limit counts as able to bind: a row left out must hold for certain
        return matrix, limits, most @ self.count > limits - 1e-9 * np.maximum(1.0, np.abs(limits))

    def drop_dominated(self, stages: Sequence, rows: Sequence[Row], upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`upper` with 0 for each count whose option another free option of its class dominates, and for each
        count the one it moves to (itself when kept).

        Only the rows (groups and `rows`) that can bind within `upper` count (`_rows_that_bind`). Option d
        dominates option j of the same class when d adds no more to any row that can bind and comes first
        lexicographically by `stages` (the position stage: its place), then by place — places are distinct
        within a class, so of two options one always comes first. Moving a
        workload from j to d keeps every row and makes the placement lexicographically better: no
        lexicographic optimum within `upper` takes j, and each stage's optimum within `upper` is one without
        it. `prune_dominated` compares every row, before any count is fixed; within a core most quota rows
        cannot bind (balanced's objective-stage cores at 1,000 workloads: a third to a half of the free counts go).
        A dropped count moves to its lexicographically first dominator, which no option dominates (dominance
        is transitive), so `moved` takes a placement within `upper` to one within the result.
        """
        free = upper > 0
        onto = np.arange(self.size)
        bind = self._rows_that_bind(rows, upper)
        if bind is None:
            return upper, onto
        matrix, _, binds = bind
        starts = self.offsets[:-1]
        keys = [self.places if isinstance(s, str) else s for s in stages] + [self.places]
        rank = np.empty(self.size, dtype=int)
        rank[np.lexsort(keys[::-1])] = np.arange(self.size)
        rows_that_bind = matrix[binds]
        fixed = upper.copy()
        for k in np.flatnonzero(np.add.reduceat(free, starts) > 1):
            cols = starts[k] + np.flatnonzero(free[starts[k]:self.offsets[k + 1]])
            b = rows_that_bind[:, cols]
            r = rank[cols]
            # dominates[d, j]: d adds no more to any row that can bind, and comes first
            dominates = np.all(b[:, :, None] <= b[:, None, :], axis=0) & (r[:, None] < r[None, :])
            dropped = np.flatnonzero(dominates.any(axis=0))
            if len(dropped):
                fixed[cols[dropped]] = 0.0
                first = np.where(dominates[:, dropped], r[:, None], np.iinfo(int).max).argmin(axis=0)
                onto[cols[dropped]] = cols[first]
        return fixed, onto

    def moved(self, selection: Sequence[int], onto: np.ndarray) -> list[int]:
        """`selection` with each workload's option moved as `onto` (from `drop_dominated`) says, its class's
        workloads then taking the options in order again (a move can jump over another of the class's options)."""
        return self.selection(np.bincount(onto[self.columns(selection)], minlength=self.size).astype(float))

    def _bounds(self, upper: np.ndarray, aux: int) -> np.ndarray:
        return np.column_stack([np.zeros(self.size + aux), np.concatenate((upper, np.ones(aux)))])

    def solve(self, stage, rows: Sequence[Row] = (), drop: frozenset[int] = frozenset(),
              node_limit: int | None = None, upper: np.ndarray | None = None,
              cutoff: float | None = None, start: Sequence[int] | None = None,
              offer_totals: bool = False) -> tuple[list[int] | None, bool]:
        """(selection, proven optimal) of `search`."""
        found = self.search(stage, rows, drop, node_limit, upper, cutoff, start, offer_totals)
        return found.selection, found.proven

    def search(self, stage, rows: Sequence[Row] = (), drop: frozenset[int] = frozenset(),
               node_limit: int | None = None, upper: np.ndarray | None = None,
               cutoff: float | None = None, start: Sequence[int] | None = None,
               offer_totals: bool = False) -> Found:
        """Minimise `stage` under the groups (except `drop`) and `rows`, among placements whose stage value
        is at most `cutoff` (if set), HiGHS starting from the placement `start` (if set; it must satisfy
        everything and take no option `upper` fixes to 0); with `offer_totals`, on the program with an
        integer total per offer (`_offer_totals`).
        The selection is None when infeasible, or when `node_limit` branch-and-bound nodes found no
        solution. Not proven either when HiGHS returns a solution other than the one it proved optimal
        (`highs.UNMATCHED`).
        """
        upper = self.upper if upper is None else upper
        c, equal, below, aux = self._program(stage, rows, drop, upper)
        if cutoff is not None:
            below.append((csr_array(c[None, :]), np.array([cutoff])))
        matrix = vstack([m for m, _ in equal + below])
        row_upper = np.concatenate([b for _, b in equal + below])
        row_lower = np.concatenate([b for _, b in equal] + [np.full(len(b), -np.inf) for _, b in below])
        bounds = self._bounds(upper, aux)
        integer = np.concatenate((np.ones(self.size), np.zeros(aux)))
        x0 = None if start is None else self._start(stage, start, upper)
        from_placement = cutoff is not None or start is not None
        if offer_totals:
            matrix, row_lower, row_upper, totals = self._offer_totals(matrix, row_lower, row_upper, upper)
            c = np.concatenate((c, np.zeros(len(totals))))
            integer = np.concatenate((integer, np.ones(len(totals))))
            bounds = np.vstack((bounds, np.column_stack((np.zeros(len(totals)), [t @ upper for t in totals]))))
            if x0 is not None:
                y = self.counts(start)
                x0 = np.concatenate((x0, [t @ y for t in totals]))
        result = highs.solve_milp(c, integer, bounds[:, 0], bounds[:, 1], matrix, row_lower, row_upper,
                                  node_limit=node_limit, start=x0,
                                  options=_OFFER_TOTALS_OPTIONS if offer_totals else _TIE_OPTIONS if from_placement else None)
        if result.status == highs.INFEASIBLE:
            return Found(None, True, np.inf)
        if result.x is None:
            return Found(None, False, result.bound)
        selection = self.selection(np.round(result.x[:self.size]))
        if not self.satisfies(selection, rows, drop):
            raise RuntimeError("HiGHS returned a placement that breaks a constraint once rounded")
        return Found(selection, result.status == highs.OPTIMAL, result.bound)

    def _offer_totals(self, matrix, row_lower: np.ndarray, row_upper: np.ndarray, upper: np.ndarray):
        """The program with an integer column per offer: its nodes taken, M = Σ nodes·y over the counts of that
        (cloud, region, instance type) that `upper` leaves free (offers with two or more), and a row M − Σ = 0.

        Each inequality row whose coefficients on an offer's counts are integers is rewritten exactly on
        that row's integer rate per node r (from the offer's count with the most nodes): a·y becomes
        r·M + Σ (a − r·nodes)·y. Quota, GPU and node rows are proportional to nodes, so their offers'
        counts leave them; the USD and kgCO2e rows (cents, grams) keep only each option's rounding. The
        same placements, with the same values; but HiGHS now branches on an offer's total, which rules out
        at once the fractional trades between workloads that keep the fixed totals — what made the
        tie-break stages slow (docs/benchmarks.md#placement). Returns (matrix, row bounds, each offer's
        Σ as a vector over the counts).
        """
        free = np.flatnonzero(upper > 0)
        by_offer: dict[tuple[str, str, str], list[int]] = {}
        for j in free:
            o = self._option[j]
            by_offer.setdefault((o.cloud, o.region, o.instance_type), []).append(int(j))
        offers = [np.array(js) for js in by_offer.values() if len(js) > 1]
        if not offers:
            return matrix, row_lower, row_upper, []
        matrix = csr_array(matrix)
        width = matrix.shape[1]
        rewrite = np.flatnonzero(np.isinf(row_lower))  # the inequality rows: groups, stage rows, a cutoff
        a = matrix[rewrite].toarray()
        added = np.zeros((len(rewrite), len(offers)))
        link = np.zeros((len(offers), width + len(offers)))
        totals = []
        for g, js in enumerate(offers):
            nodes = self._nodes[js]
            block = a[:, js]
            big = int(np.argmax(nodes))
            rate = np.round(block[:, big] / nodes[big])
            rate[~np.all(block == np.round(block), axis=1)] = 0.0
            a[:, js] = block - np.outer(rate, nodes)
            added[:, g] = rate
            link[g, js] = -nodes
            link[g, width + g] = 1.0
            total = np.zeros(self.size)
            total[js] = nodes
            totals.append(total)
        keep = np.setdiff1d(np.arange(matrix.shape[0]), rewrite)  # equality rows: unchanged, first
        matrix = vstack([hstack([matrix[keep], csr_array((len(keep), len(offers)))]),
                         csr_array(np.hstack((a, added))), csr_array(link)], format="csr")
        row_lower = np.concatenate((row_lower[keep], row_lower[rewrite]))
        row_upper = np.concatenate((row_upper[keep], row_upper[rewrite]))
        zeros = np.zeros(len(offers))
        return matrix, np.concatenate((row_lower, zeros)), np.concatenate((row_upper, zeros)), totals

    def _start(self, stage, selection: Sequence[int], upper: np.ndarray) -> np.ndarray:
        """The program's variables at `selection`: its counts, then (position stage) the auxiliaries as the
        objective fills them (z_ji = 1 for the C_j largest weights, in the order of `_position_model`)."""
        y = self.counts(selection)
        aux: list[float] = []
        for free, v in self._position_terms(upper)[1] if isinstance(stage, str) else ():
            for total in np.cumsum(y[free])[:-1].astype(int):
                aux.extend([1.0] * total + [0.0] * (len(v) - total))
        return np.concatenate((y, aux))

    def _tie_break(self, stage, rows: Sequence[Row], upper: np.ndarray, selection: list[int],
                   node_limits: tuple[int | None, int | None], offer_totals: bool = False) -> tuple[list[int] | None, bool]:
        """A placement strictly better than `selection` in `stage` (None if there is none), and whether
        that is proven.

        HiGHS first starts from `selection` (with an incumbent it skips its feasibility pump and
        interior-point analytic centres, seconds at 1,000 workloads). If that search stops at its node
        limit (`node_limits[0]`) or returns another solution than the one it proved, the stage is solved
        again with a cutoff row that admits only placements strictly better than the best found, up to
        `node_limits[1]` nodes.
        """
        value = self.stage_value(stage, selection, upper)
        found, proven = self.solve(stage, rows, node_limit=node_limits[0], upper=upper, start=selection,
                                   offer_totals=offer_totals)
        better = found if found is not None and self.stage_value(stage, found, upper) <= value - 0.5 else None
        if proven:
            return better, True
        best = better or selection
        again, proven = self.solve(stage, rows, node_limit=node_limits[1], upper=upper, offer_totals=offer_totals,
                                   cutoff=self.stage_value(stage, best, upper) - 0.5)
        return again or better, proven

    def feasible(self, rows: Sequence[Row] = (), drop: frozenset[int] = frozenset()) -> bool:
        return self.solve(np.zeros(self.size), rows, drop)[0] is not None

    def stage_value(self, stage, selection: Sequence[int], upper: np.ndarray) -> float:
        return self.position_value(selection, upper) if isinstance(stage, str) else self.value(stage, selection)

    def minimise(self, stages: Sequence, rows: Sequence[Row] = (),
                 tie_node_limits: tuple[int | None, int | None] = (None, None),
                 offer_totals: frozenset[int] = frozenset(),
                 objective_node_limits: tuple[int | None, int | None, int | None] = (None, None, None),
                 objective_whole: bool = True, dominance: frozenset[int] = frozenset()) -> Minimum:
        """Lexicographic minimum of integer `stages`.

        The first stage is solved by `_objective`, within `objective_node_limits` (`objective_whole`: see
        there). Each later stage (a tie-break among the optima so far) may stop after `tie_node_limits`
        branch-and-bound nodes (started from the placement so far, then with a cutoff row: `_tie_break`) —
        deterministic limits — keeping the best solution found, which is still optimal for every earlier
        stage. The tie-break stages whose indices are in `offer_totals` are solved on the program with offer
        totals (`_offer_totals`); those in `dominance` without the options dominated in their core
        (`drop_dominated`; 0: the objective stage's first search of its core).

        When every workload can take the option that is best for it alone (by the same lexicographic
        order), that is the optimum and no solve is needed; likewise a stage's solution that gives
        every workload its own best option ends the search.
        """
        rows = list(rows)
        best = self.separate_best(stages)
        if self.satisfies(best, rows):
            return Minimum(best)
        selection: list[int] | None = None
        first = Found(None, True, np.inf)
        exact = True
        upper = self.upper.copy()
        for k, stage in enumerate(stages):
            if k:
                # A tie-break seeks only placements better than the one so far; none found and proven
                # means it is optimal.
                upper = self.fix_by_reduced_cost(stage, rows, upper, self.stage_value(stage, selection, upper))
                if k in dominance:
                    upper, onto = self.drop_dominated(stages[k:], rows, upper)
                    selection = self.moved(selection, onto)
                found, proven = self._tie_break(stage, rows, upper, selection, tie_node_limits, k in offer_totals)
                selection = found or selection
                exact = exact and proven
            else:
                first = self._objective(stages, rows, upper, objective_node_limits, objective_whole,
                                        dominance=0 in dominance)
                selection = first.selection
                if selection is None:
                    return Minimum(None)
            assert selection is not None
            if selection == best:  # every workload's own best: optimal in every stage
                return Minimum(selection, ties_exact=exact)
            if isinstance(stage, str):
                break  # the position stage is last
            value = self.value(stage, selection)
            if k == 0:
                upper = self.fix_by_reduced_cost(stage, rows, upper, value)
            rows.append((stage, value + 0.5))
        gap: float | None = 0.0
        if not first.proven:
            gap = None
            if math.isfinite(first.bound):
                # HiGHS's bound rounded up (every stage is integer at integer counts), within its tolerance; a
                # bound above a value found is not one, and proves nothing
                bound = math.ceil(first.bound - max(1e-6, 1e-9 * abs(first.bound)))
                above = self.value(stages[0], first.selection) - bound
                gap = above if above >= 0 else None
        return Minimum(selection, first.proven or gap == 0, gap, exact)  # a gap of 0 proves it too

    def _objective(self, stages: Sequence, rows: Sequence[Row], upper: np.ndarray,
                   node_limits: tuple[int | None, int | None, int | None], whole: bool = True,
                   dominance: bool = False) -> Found:
        """The first of `stages`: the best placement found, whether it is proven optimal, and a lower bound.

        HiGHS's root node (its heuristics) gives a placement; reduced-cost fixing with its value keeps only
        the options a placement at least as good can take (`fix_by_reduced_cost`: the "core", a few hundred
        of ~6,000 counts at 1,000 workloads), so every better placement is in the core, and a lower bound on
        the core's optimum is one on the stage's. The core is solved from that placement on the program with
        offer totals (`_offer_totals`), up to `node_limits[0]` nodes — with `dominance`, without the options
        dominated there (`drop_dominated`: what is left still holds an optimum; the start moves to those kept)
        — and if that is not proven, by the lattice search (`_lattice`: over a reduced basis of the moves between
        placements, from the best placement found) within the same options, up to `node_limits[1]`, and then
        the whole core plainly without a start, up to `node_limits[2]`: the searches fail on different fleets.
        Balanced's objective stage (least carbon under the cost cap) is a knapsack over the cap, and on some
        fleets a search on the counts takes minutes to prove it (docs/benchmarks.md#placement); the limits are
        deterministic (one thread), so the same fleet gets the same placement, and an unproven stage says so
        with its gap.
        When the root finds no placement, the stage is solved whole, without a limit (only a search tells a
        feasible fleet from an infeasible one), unless `whole` is false: then nothing is found.
        """
        stage = stages[0]
        root = self.search(stage, rows, upper=upper, node_limit=1)
        if root.proven or root.selection is None:  # proven at the root (or infeasible), or nothing found there
            return self.search(stage, rows, upper=upper) if not root.proven and whole else root
        value = self.value(stage, root.selection)
        core = self.fix_by_reduced_cost(stage, rows, upper, value)
        first, start = core, root.selection
        if dominance:
            first, onto = self.drop_dominated(stages, rows, core)
            start = self.moved(root.selection, onto)  # no worse than the root's
        value = lambda sel: self.value(stage, sel)  # noqa: E731
        tries = [self.search(stage, rows, upper=first, start=start, offer_totals=True,
                             node_limit=node_limits[0])]
        if not tries[-1].proven:
            best = min([start, *(t.selection for t in tries if t.selection is not None)], key=value)
            tries.append(self._lattice(stage, rows, first, best, node_limits[1]))
        if not tries[-1].proven:
            tries.append(self.search(stage, rows, upper=core, node_limit=node_limits[2]))
        if any(t.selection is None and t.proven for t in tries):
            raise RuntimeError("HiGHS found no placement in the core, which holds the one it started from")
        best = min([start, *(t.selection for t in tries if t.selection is not None)], key=value)
        return Found(best, any(t.proven for t in tries), max(t.bound for t in tries))

    def _lattice(self, stage: np.ndarray, rows: Sequence[Row], upper: np.ndarray, start: list[int],
                 node_limit: int | None) -> Found:
        """`stage` within `upper` by the lattice search (`lattice.py`), from the placement `start` (within `upper`,
        feasible); the LP relaxation there gives the embedding its duals and gap."""
        lp = self._relaxation(stage, rows, upper)
        bind = self._rows_that_bind(rows, upper)
        if lp is None or bind is None:
            return Found(None, False, -np.inf)
        matrix, limits, binds = bind
        duals = np.maximum(-lp.ineqlin.marginals, 0.0)  # one per row (none without rows)
        core = lattice.Core(stage, self.offsets, self.count, upper, matrix[binds], limits[binds], duals[binds],
                            self.value(stage, start) - lp.fun)
        # started from the best placement found, HiGHS's sub-MIP heuristics rarely improve on it here either (the
        # lattice search of bench/placement.py's balanced seed 8 at 1,000 workloads: 0.91 -> 0.32 s; seed 32 0.77 ->
        # 0.83 s; a core it does not prove, seed 1: 2.22 -> 1.27 s)
        found = lattice.search(core, self.counts(start), node_limit, _OFFER_TOTALS_OPTIONS)
        if found.counts is None:
            return Found(None, False, found.bound)
        selection = self.selection(found.counts)
        if not self.satisfies(selection, rows) or np.any(self.counts(selection) > upper):
            raise RuntimeError("the lattice search returned a placement outside its core")
        return Found(selection, found.proven, found.bound)

    def separate_best(self, stages: Sequence) -> list[int]:
        """Each workload's lexicographically best option by `stages` (the position stage: its place),
        ignoring shared groups."""
        vectors = [self.places if isinstance(s, str) else s for s in stages]
        best = []
        for a, b in zip(self.offsets[:-1], self.offsets[1:]):
            keys = list(zip(*(c[a:b] for c in vectors)))
            best.append(min(range(b - a), key=keys.__getitem__))
        return [best[k] for k in self.klass]


def prune_dominated(choices: Sequence[Sequence[Option]], groups: Sequence[Group],
                    also: tuple[str, ...] = ()) -> list[list[Option]]:
    """Each workload's options without those an earlier (better-ranked) option dominates.

    `choices[w]` must be in the tie-break order. Option o is dominated by an earlier o' when o' adds
    no more to any constraint row: same region or a region without quota, and no more GPUs, USD or
    kgCO2e where a fleet-wide row (or `also`, e.g. the cost cap) counts them. Swapping o for o' keeps
    any placement feasible and makes it lexicographically better, so no optimum uses o.

    Dominance is transitive, so an option dominated by an earlier one that is itself pruned is also
    dominated by a kept one: o is kept exactly when no earlier option dominates it, which is checked
    for all pairs at once.
    """
    quotas = [g for g in groups if g.region is not None]
    figures = sorted({g.figure for g in groups if g.region is None} | set(also) | ({"gpus"} if quotas else set()))
    by_region: dict[tuple[str, str], list[int]] = {}
    for i, g in enumerate(quotas):
        by_region.setdefault(g.region, []).append(i)  # type: ignore[arg-type]
    rows: dict[tuple[str, str, str], int] = {}  # (cloud, region, instance type) -> the quota rows it counts in, as bits
    out = []
    for options in choices:
        masks = []
        for o in options:
            where = (o.cloud, o.region, o.instance_type)
            if where not in rows:
                rows[where] = sum(1 << i for i in by_region.get((o.cloud, o.region), ()) if quotas[i].applies(o))
            masks.append(rows[where])
        distinct = {m: i for i, m in enumerate(dict.fromkeys(masks))}
        within = np.array([[a & ~b == 0 for b in distinct] for a in distinct], dtype=bool)
        ids = np.array([distinct[m] for m in masks], dtype=int)
        # dominates[d, j]: option d counts in no quota row j does not, and adds no more of any figure
        dominates = within[ids[:, None], ids[None, :]]
        for f in figures:
            column = np.array([getattr(o, f) for o in options], dtype=float)
            dominates &= column[:, None] <= column[None, :]
        dominated = np.triu(dominates, k=1).any(axis=0)  # by an earlier option
        out.append([o for o, d in zip(options, dominated) if not d])
    return out
