"""One mixed-integer solve with HiGHS through its own Python API (`highspy`), which can start from a solution.

`scipy.optimize.milp` runs the same solver but cannot pass a start solution. A tie-break stage starts
from the placement so far; without it HiGHS has no incumbent and spends its root on a feasibility pump
and interior-point analytic centres (seconds at 1,000 workloads: docs/benchmarks.md#placement).
Whether a solve is proven is read from HiGHS's model status alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csc_array

from gpufleet.placement.solver_output import silenced

OPTIMAL, INFEASIBLE, NODE_LIMIT = "optimal", "infeasible", "node limit"
# HiGHS 1.16 proved an optimum yet returned another solution: with a start solution and presolve, it can
# report the optimal objective of the reduced model while `getSolution()` gives back the start solution
# (seen on bench/placement_same.py's 30/cost/0 fleet, position stage: objective −566, solution −414).
UNMATCHED = "solution not the one proven optimal"
_STATUS = {
    highspy.HighsModelStatus.kOptimal: OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: INFEASIBLE,
    # every count of the placement programs has finite bounds (the lattice search's free coefficients are bounded
    # through the counts' rows), so "unbounded or infeasible" is infeasible
    highspy.HighsModelStatus.kUnboundedOrInfeasible: INFEASIBLE,
    # HiGHS reports its branch-and-bound node limit (`mip_max_nodes`) as a solution limit
    highspy.HighsModelStatus.kSolutionLimit: NODE_LIMIT,
}
# HiGHS stops at a relative gap of 1e-4 by default; placement must be exact. HiGHS 1.16's MIP search
# depends on its number of threads (0: one per core): on one thread the node counts, and so what a node
# limit stops, are the same on every machine (and it used less CPU at 1,000 workloads).
_OPTIONS = {"output_flag": False, "mip_rel_gap": 0.0, "threads": 1}


@dataclass(frozen=True)
class Result:
    status: str  # OPTIMAL (proven), INFEASIBLE (proven), NODE_LIMIT (stopped, maybe with a solution), UNMATCHED
    x: np.ndarray | None  # the best solution found, None when none was
    nodes: int  # branch-and-bound nodes
    started: bool  # whether it was given a start solution
    bound: float  # HiGHS's dual bound: no solution is better (−inf before the root; +inf when infeasible)


def solve_milp(c: np.ndarray, integer: np.ndarray, lower: np.ndarray, upper: np.ndarray, matrix,
               row_lower: np.ndarray, row_upper: np.ndarray, node_limit: int | None = None,
               start: np.ndarray | None = None, options: dict | None = None) -> Result:
    """Minimise c·x, row_lower ≤ matrix·x ≤ row_upper, lower ≤ x ≤ upper, x integer where `integer`.

    `start` is a feasible solution HiGHS begins from (its incumbent); `node_limit` a deterministic stop.
    Raises RuntimeError for any other outcome (a time or iteration limit, a numerical failure).
    """
    a = csc_array(matrix)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(c), a.shape[0]
    cost = np.asarray(c, dtype=float)
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, dtype=float), np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(c), a.shape[0]
    lp.a_matrix_.start_, lp.a_matrix_.index_ = a.indptr, a.indices
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    with silenced():  # HiGHS prints some lines with a plain printf whatever output_flag says (solver_output.py)
        h = highspy.Highs()
        for name, value in {**_OPTIONS, **(options or {}),
                            **({"mip_max_nodes": node_limit} if node_limit is not None else {})}.items():
            h.setOptionValue(name, value)
        h.passModel(lp)
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(map(float, start))
            solution.value_valid = True
            h.setSolution(solution)
        h.run()
        model_status = h.getModelStatus()
        status = _STATUS.get(model_status)
        if status is None:
            raise RuntimeError(f"HiGHS did not solve the placement: {h.modelStatusToString(model_status)}")
        info = h.getInfo()
        found = status != INFEASIBLE and \
            info.primal_solution_status == int(highspy.SolutionStatus.kSolutionStatusFeasible)
        x = np.array(h.getSolution().col_value) if found else None
        # the placement programs' objectives are integers at integer points: a solution whose value is
        # not HiGHS's proven objective is not that optimum
        if status == OPTIMAL and x is not None and abs(float(cost @ x) - info.objective_function_value) > 0.25:
            status = UNMATCHED
        return Result(status, x, int(info.mip_node_count), start is not None, float(info.mip_dual_bound))
