"""gpufleet's CrossGuard policies: cost, sustainability and safety guardrails for GPU fleets.

One policy per module, each exposing `POLICY`. `policies/__main__.py` is the only place that
constructs the `PolicyPack` (constructing one starts a gRPC server and blocks), so these modules stay
importable by tests and by gpufleet's in-process fast path.
"""

from pulumi_policy import EnforcementLevel

from gpufleet_policies import (
    capacity_reservation_expired,
    capacity_reservation_expiring,
    gpu_always_on_idle_waste,
    gpu_capacity_reservation_expected,
    gpu_instance_types_allowed,
    gpu_region_max_grid_intensity,
    gpu_region_max_pue,
    gpu_unpriced,
    instance_imdsv2_required,
    kubernetes_private_endpoint,
    node_group_max_gpus,
    nonprod_gpu_spot_or_scale_to_zero,
    object_storage_lifecycle_rules,
    placement_locked,
    required_tags,
    security_group_no_open_ingress,
    stack_gpu_quota,
    stack_monthly_carbon_budget,
    stack_monthly_cost_budget,
    storage_encryption_at_rest,
    storage_no_public_access,
    storage_protected_or_retained,
    task_stack_expiry_required,
)

PACK_NAME = "gpufleet"
DESCRIPTION = "Cost, sustainability and safety guardrails for GPU fleets, priced by gpufleet's catalog."
# Without a policy-config file every policy is advisory; the environment files (dev.json, staging.json,
# prod.json) set the levels.
ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY

POLICIES = [
    # cost
    stack_monthly_cost_budget.POLICY,
    stack_gpu_quota.POLICY,
    node_group_max_gpus.POLICY,
    gpu_instance_types_allowed.POLICY,
    nonprod_gpu_spot_or_scale_to_zero.POLICY,
    gpu_unpriced.POLICY,
    gpu_capacity_reservation_expected.POLICY,
    capacity_reservation_expiring.POLICY,
    capacity_reservation_expired.POLICY,
    task_stack_expiry_required.POLICY,
    # sustainability
    gpu_region_max_grid_intensity.POLICY,
    stack_monthly_carbon_budget.POLICY,
    gpu_region_max_pue.POLICY,
    gpu_always_on_idle_waste.POLICY,
    # safety
    required_tags.POLICY,
    storage_encryption_at_rest.POLICY,
    storage_no_public_access.POLICY,
    kubernetes_private_endpoint.POLICY,
    instance_imdsv2_required.POLICY,
    storage_protected_or_retained.POLICY,
    object_storage_lifecycle_rules.POLICY,
    security_group_no_open_ingress.POLICY,
    placement_locked.POLICY,
]
