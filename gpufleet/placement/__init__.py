"""Power-aware placement: choose each workload's region and instance type by carbon, cost or both.

`place(fleet, catalog)` solves the joint placement of a fleet's workloads exactly (a mixed-integer
program, HiGHS via `highspy`) under shared quotas and budgets, and explains each decision.
`rank_regions(...)` ranks the regions that can host one request. See docs/placement.md.
"""

from gpufleet.placement.model import ConstraintUse, Decision, Option, Placement, PlacementError
from gpufleet.placement.options import rank_regions
from gpufleet.placement.joint import place

__all__ = ["ConstraintUse", "Decision", "Option", "Placement", "PlacementError", "place", "rank_regions"]
