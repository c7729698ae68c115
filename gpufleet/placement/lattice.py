"""The lattice search: a core's placements over a reduced basis of the moves between them.

Balanced's objective stage (least carbon under the cost cap) is a knapsack over the cap. On some fleets its core
holds many placements within a few kilograms of one another that fill the cap and the quotas in different ways;
branching on counts, HiGHS cannot tell them apart in tens of thousands of nodes (docs/benchmarks.md#placement).
This is the reformulation of Aardal, Hurkens and Lenstra (Math. Oper. Res. 25(3), 2000; Aardal and Lenstra, Math.
Oper. Res. 29(3), 2004) for such programs: every placement of the core is y = y0 + Qᵀλ with λ integer, the rows
of Q0 being the moves within a class (one workload from the class's base option to another). LLL reduction
(python-flint) of Q0, extended with columns that weigh each move by what it does to the rows that can bind and
by its reduced cost, turns the basis into short moves that keep those rows and cost little: the ones a search
must combine. HiGHS then branches on λ. Reduction changes Q0 only by unimodular row operations, so λ ranges
over exactly the core's integer placements: a λ proven optimal is the core's optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array

from gpufleet.placement import highs

# The embedding's weights (lattice reformulations need them; these are lattice9's, studied on bench/placement.py's
# balanced fleets at 1,000 workloads, docs/benchmarks.md#placement): a move of one workload counts SCALE; a row
# that can bind counts SCALE per "window" of it — the slack a better placement may leave in it (the gap over the
# row's dual), else its range in the core — a window held within [1, MAX_WINDOW] units: the cap weighted
# nearly as an equality, as the quotas; the move's reduced cost counts SCALE per gap.
SCALE = 1000
MAX_WINDOW = 100.0


@dataclass(frozen=True)
class Core:
    """A core of the stage: the classes' counts (`offsets` into the variables, `count` workloads each), `upper`
    (0: left out), the rows that can bind there (`matrix` · y ≤ `limits`), the stage `c`, and the LP
    relaxation's duals of those rows (≥ 0) and gap (a placement's value minus the LP's)."""

    c: np.ndarray
    offsets: np.ndarray
    count: np.ndarray
    upper: np.ndarray
    matrix: np.ndarray
    limits: np.ndarray
    duals: np.ndarray
    gap: float


@dataclass(frozen=True)
class Found:
    """The best counts found (None: none), whether proven optimal in the core, and a lower bound on its optimum."""

    counts: np.ndarray | None
    proven: bool
    bound: float


def search(core: Core, start: np.ndarray, node_limit: int | None, options: dict | None = None) -> Found:
    """Minimise c·y over the core's integer placements, HiGHS starting from the counts `start` (within the core
    and feasible), branching on the coordinates of the reduced basis; at most `node_limit` nodes."""
    starts = core.offsets[:-1]
    free = core.upper > 0
    several = np.flatnonzero(np.add.reduceat(free.astype(int), starts) > 1)
    if not len(several):  # one option per class: the start is the only placement
        return Found(start, True, float(core.c @ start))
    cols = [starts[k] + np.flatnonzero(free[starts[k]:core.offsets[k + 1]]) for k in several]
    moving = np.concatenate(cols)
    fixed = start.copy()
    fixed[moving] = 0.0
    y0 = start[moving]
    rows = core.matrix[:, moving]
    limits = core.limits - core.matrix @ fixed
    # the least each row can take in the core: each class's workloads on its least option there
    least = sum(core.count[k] * rows[:, at:at + len(js)].min(axis=1)
                for k, js, at in zip(several, cols, np.cumsum([0] + [len(js) for js in cols])))
    basis = _moves(cols, core.c)
    reduced = _reduce(basis, rows, core.c[moving], core, np.maximum(limits - least, 1.0))
    directions = reduced.T.astype(float)  # y = y0 + directions · λ
    along = rows @ directions
    matrix = csr_array(np.vstack([directions, along]))
    lower = np.concatenate((-y0, np.full(len(limits), -np.inf)))
    upper = np.concatenate((core.upper[moving] - y0, limits - rows @ y0))
    width = reduced.shape[0]
    cost = core.c[moving] @ directions
    result = highs.solve_milp(cost, np.ones(width), np.full(width, -np.inf), np.full(width, np.inf), matrix,
                              lower, upper, node_limit=node_limit, start=np.zeros(width), options=options)
    constant = float(core.c @ fixed + core.c[moving] @ y0)
    if result.status == highs.INFEASIBLE:
        # the start is feasible at λ = 0 within gpufleet's tolerance but not HiGHS's: this search proves nothing, and
        # the searches on the counts decide
        return Found(None, False, -np.inf)
    if result.x is None:
        return Found(None, False, constant + result.bound)
    y = fixed.copy()
    y[moving] = y0 + reduced.T @ np.round(result.x).astype(np.int64)
    return Found(y, result.status == highs.OPTIMAL, constant + result.bound)


def _moves(cols: list[np.ndarray], c: np.ndarray) -> np.ndarray:
    """Q0: for each class, one workload from its base option (its least c) to each other free option."""
    out = []
    at = 0
    for js in cols:
        base = at + int(np.argmin(c[js]))
        for j in range(at, at + len(js)):
            if j != base:
                v = np.zeros(sum(map(len, cols)), dtype=np.int64)
                v[j], v[base] = 1, -1
                out.append(v)
        at += len(js)
    return np.array(out)


def _reduce(basis: np.ndarray, rows: np.ndarray, c: np.ndarray, core: Core, spread: np.ndarray) -> np.ndarray:
    """The LLL-reduced basis of the same lattice, under the embedding's weights (`spread`: each row's range)."""
    window = np.minimum(np.divide(core.gap, core.duals, out=spread.copy(), where=core.duals > 0), spread)
    window = np.clip(window, 1.0, MAX_WINDOW)
    weight = np.maximum(1.0, np.rint(SCALE / window))
    effect = basis @ rows.T  # each move's change to each row
    reduced_cost = basis @ c + effect @ core.duals
    embedded = np.hstack([basis * SCALE, np.rint(effect * weight),
                          np.rint(SCALE * reduced_cost / max(core.gap, 1.0))[:, None]])
    import flint  # only when a lattice search runs: importing it costs every preview ~30-60 ms otherwise

    lll = flint.fmpz_mat([[int(v) for v in row] for row in embedded]).lll()
    out = np.array([[int(lll[i, j]) for j in range(basis.shape[1])] for i in range(lll.nrows())], dtype=np.int64)
    if np.any(out % SCALE):  # reduction only combines rows: the identity block stays a multiple of SCALE
        raise RuntimeError("LLL reduction changed the lattice")
    return out // SCALE
