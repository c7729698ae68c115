"""gpufleet-stack-monthly-cost-budget: the stack's estimated monthly cost stays within its budget."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy, usd
from gpufleet_policies._stack import budget, stack_plan
from gpufleet_policies._values import join, short_urn

NAME = "gpufleet-stack-monthly-cost-budget"


def _floor(estimate, catalog) -> tuple[float, bool] | None:
    """A lower bound for GPU capacity the catalog cannot price where it is: the same nodes at the type's
    cheapest on-demand price in any catalog region of its cloud; for a type priced nowhere, its GPUs at
    the cheapest price per GPU of any type with the same GPU model in its cloud (the bool says so). None
    when there is no such price."""
    if estimate.instance_type is None or estimate.nodes is None or estimate.hours is None:
        return None
    rates = [o.usd_per_hour for o in catalog.offered(estimate.instance_type, estimate.cloud)
             if o.usd_per_hour is not None]
    if rates:
        return min(rates) * estimate.nodes * estimate.hours, False
    it = catalog.instance_type(estimate.instance_type)
    if it is None or not it.gpu_count:
        return None
    per_gpu = [o.usd_per_hour / other.gpu_count for other in catalog.instance_types.values()
               if other.cloud == it.cloud and other.gpu_model == it.gpu_model and other.gpu_count
               for o in catalog.offered(other.name, it.cloud) if o.usd_per_hour is not None]
    return (min(per_gpu) * it.gpu_count * estimate.nodes * estimate.hours, True) if per_gpu else None


def check(args, config, findings) -> None:
    limit = budget(config, "monthly_usd", "monthly_usd")
    if limit is None:
        return
    plan = stack_plan(args.resources)
    est = plan.estimate
    total = est.total("monthly_usd")
    found = {u: f for u in est.unpriced if (f := _floor(est.resources[u], plan.catalog)) is not None}
    floors = {u: value for u, (value, _) in found.items()}
    by_gpu = any(per_gpu for _, per_gpu in found.values())
    at_least = total + sum(floors.values())
    if at_least <= limit.value:
        return
    largest = sorted((e for e in est.resources.values() if e.monthly_usd), key=lambda e: -e.monthly_usd)[:3]
    top = f" Largest: {join(f'{short_urn(e.urn)} {usd(e.monthly_usd)}' for e in largest)}." if largest else ""
    per_gpu = "; for a type priced nowhere, its GPU model's cheapest price per GPU" if by_gpu else ""
    floor = (f" plus at least {usd(sum(floors.values()))} for {len(floors)} GPU resource(s) the catalog does not "
             f"price where they are (their type's cheapest catalog price{per_gpu})") if floors else ""
    rest = len(est.unpriced) - len(floors)
    not_counted = f"; {rest} more resource(s) have no price and are not counted" if rest else ""
    findings.violation(
        f"estimated {usd(total)}/month for {est.gpus} GPUs{floor} exceeds the budget of {usd(limit.value)}/month "
        f"({limit.source}) by {usd(at_least - limit.value)}{not_counted}.{top} Fix: lower node counts or hours, "
        "use spot or scale to zero, choose cheaper regions, or raise the budget."
    )


POLICY = stack_policy(
    NAME,
    "The stack's estimated monthly cost (gpufleet's catalog and estimator) stays within its budget; "
    "a stack's own gpufleet:fleet budgets.monthly_usd takes precedence over monthly_usd here.",
    check,
    area="cost",
    severity=Severity.HIGH,
    remediation="Lower node counts or hours, use spot or scale-to-zero capacity, choose cheaper regions, "
                "or raise the budget (gpufleet:fleet budgets.monthly_usd or the policy config).",
    properties={"monthly_usd": {"type": "number", "exclusiveMinimum": 0, "default": 500000,
                                "description": "monthly budget in USD when the stack sets none"}},
)
