"""gpufleet-stack-monthly-cost-budget: the stack's estimated monthly cost stays within its budget.

GPU capacity the catalog cannot price where it runs is counted at a lower bound: the same nodes at the
type's cheapest on-demand price in any catalog region of its cloud (a managed service's instance at its
hardware's). A GPU type the catalog prices nowhere has no such bound: its GPUs count at their GPU model's
cheapest price per GPU only to show a stack over its budget even so; otherwise the budget cannot be
verified, which is a violation at the policy's level (mandatory in prod), never a pass.
"""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._capacity import is_gpu_type
from gpufleet_policies._define import stack_policy, usd
from gpufleet_policies._stack import budget, stack_plan
from gpufleet_policies._values import join, short_urn

NAME = "gpufleet-stack-monthly-cost-budget"


def _same_type_floor(estimate, catalog) -> float | None:
    """The nodes at their type's cheapest on-demand price in any catalog region of its cloud."""
    rates = [o.usd_per_hour for o in catalog.offered(estimate.instance_type, estimate.cloud)
             if o.usd_per_hour is not None]
    return min(rates) * estimate.nodes * estimate.hours if rates else None


def _per_gpu_guess(estimate, catalog) -> float | None:
    """The GPUs at the cheapest price per GPU of any type with the same GPU model in its cloud."""
    it = catalog.instance_type(estimate.instance_type)
    if it is None or not it.gpu_count:
        return None
    per_gpu = [o.usd_per_hour / other.gpu_count for other in catalog.instance_types.values()
               if other.cloud == it.cloud and other.gpu_model == it.gpu_model and other.gpu_count
               for o in catalog.offered(other.name, it.cloud) if o.usd_per_hour is not None]
    return min(per_gpu) * it.gpu_count * estimate.nodes * estimate.hours if per_gpu else None


def check(args, config, findings) -> None:
    limit = budget(config, "monthly_usd", "monthly_usd")
    if limit is None:
        return
    plan = stack_plan(args.resources)
    est, catalog = plan.estimate, plan.catalog
    total = est.total("monthly_usd")
    floors: dict[str, float] = {}  # lower bounds, and per-GPU guesses for GPU types priced nowhere
    by_gpu, unverifiable, uncounted = False, [], []
    for urn in est.unpriced:
        e = est.resources[urn]
        gpu = is_gpu_type(e.instance_type, catalog)
        if e.instance_type is None or e.nodes is None or e.hours is None:
            if gpu:  # GPU capacity of a node count not known at preview
                uncounted.append(urn)
            continue
        floor = _same_type_floor(e, catalog)
        if floor is None and gpu:
            unverifiable.append(urn)
            floor = _per_gpu_guess(e, catalog)
            by_gpu = by_gpu or floor is not None
        if floor is not None:
            floors[urn] = floor
    at_least = total + sum(floors.values())
    if at_least > limit.value:
        _over_budget(est, limit, total, floors, by_gpu, at_least, findings)
    elif unverifiable or uncounted:
        def shown(urns: list[str]) -> str:
            return join(f"{short_urn(u)} ({est.resources[u].instance_type} in {est.resources[u].cloud} "
                        f"{est.resources[u].region or '?'})" for u in urns)
        why = [f"{len(unverifiable)} GPU resource(s) have no price anywhere in the catalog, so no lower bound: "
               f"{shown(unverifiable)}"] if unverifiable else []
        why += [f"{len(uncounted)} GPU resource(s) have a node count not known at preview: {shown(uncounted)}"] \
            if uncounted else []
        fixes = (["add the type's on-demand price, with its source, to the catalog (an offers.csv row in a --catalog "
                  "overlay), use a type the catalog prices"] if unverifiable else []) + (
            ["declare the node count (a resource that declares none, such as a GameLift fleet, cannot be bounded)"]
            if uncounted else [])
        findings.violation(
            f"cannot verify the budget of {usd(limit.value)}/month ({limit.source}): {'; '.join(why)}; the estimated "
            f"{usd(total)}/month leaves them out. Fix: {', '.join(fixes)}, or make this policy advisory for the "
            "stack."
        )


def _over_budget(est, limit, total, floors, by_gpu, at_least, findings) -> None:
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
    "a stack's own gpufleet:fleet budgets.monthly_usd takes precedence over monthly_usd here. GPU capacity "
    "the catalog prices nowhere makes the budget unverifiable: a violation, never a pass.",
    check,
    area="cost",
    severity=Severity.HIGH,
    remediation="Lower node counts or hours, use spot or scale-to-zero capacity, choose cheaper regions, "
                "or raise the budget (gpufleet:fleet budgets.monthly_usd or the policy config); price a GPU type "
                "the catalog lacks with a --catalog overlay row.",
    properties={"monthly_usd": {"type": "number", "exclusiveMinimum": 0, "default": 500000,
                                "description": "monthly budget in USD when the stack sets none"}},
)
