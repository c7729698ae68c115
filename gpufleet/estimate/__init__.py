"""Estimate what a plan's resources cost, draw and emit, from their inputs alone.

One estimator serves `gpufleet preview`, the policy pack and `gpufleet report`, so all three agree.
It works from resource inputs (instance type, node counts, region from the resource or its
provider), so programs gpufleet did not write are estimated too. See docs/estimates.md.
"""

from gpufleet.estimate.plan import PlanEstimate, ResourceEstimate, estimate_plan, estimate_resource
from gpufleet.readers.views import ResourceView, UNKNOWN

__all__ = ["PlanEstimate", "ResourceEstimate", "ResourceView", "UNKNOWN", "estimate_plan", "estimate_resource"]
