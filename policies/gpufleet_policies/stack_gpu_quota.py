"""gpufleet-stack-gpu-quota: the GPUs a stack can scale to stay within its quota, per stack and region."""

from __future__ import annotations

from collections import defaultdict

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import budget, gpu_groups, stack_context, stack_plan, unknown_part
from gpufleet_policies._values import join

NAME = "gpufleet-stack-gpu-quota"


def check(args, config, findings) -> None:
    plan = stack_plan(args.resources)
    groups = gpu_groups(plan, findings)
    counted = []
    for g in groups:
        if g.max_gpus is None:
            findings.cannot_verify(f"{g.name}: {unknown_part(g)} not known")
            continue
        counted.append(g)
    limit = budget(config, "max_gpus", "gpu_quota")
    total = sum(g.max_gpus for g in counted)
    if limit is not None and total > limit.value:
        top = join(f"{g.name} {g.max_gpus} ({g.nodes(g.scaling.max_nodes)})"
                   for g in sorted(counted, key=lambda g: -g.max_gpus)[:3])
        findings.violation(
            f"the stack can scale to {total} GPUs at maximum node counts, over the quota of {limit.value:g} "
            f"GPUs ({limit.source}). Largest: {top}. Fix: lower maximum node counts, or raise the quota."
        )
    fleet = stack_context().fleet
    if fleet is None:
        return
    by_region: dict[tuple[str | None, str | None], int] = defaultdict(int)
    for g in counted:
        by_region[(g.estimate.cloud, g.estimate.region)] += g.max_gpus
    for q in fleet.quotas:
        used = by_region.get((q.cloud, q.region), 0)
        if used > q.gpus:
            names = join(g.name for g in counted if (g.estimate.cloud, g.estimate.region) == (q.cloud, q.region))
            findings.violation(
                f"{q.cloud} {q.region}: {used} GPUs at maximum node counts ({names}), over the region quota of "
                f"{q.gpus} (stack gpufleet:fleet.quotas). Fix: lower maximum node counts there, place "
                "capacity in another candidate region, or record the larger quota."
            )


POLICY = stack_policy(
    NAME,
    "The GPUs the stack can scale to (maximum node counts) stay within its GPU quota, and within each "
    "region quota the stack declares; gpufleet:fleet budgets.gpu_quota takes precedence over max_gpus.",
    check,
    area="cost",
    severity=Severity.HIGH,
    remediation="Lower maximum node counts (maxSize, maxCount), spread capacity over regions, or raise the "
                "quota (gpufleet:fleet budgets.gpu_quota / quotas, or max_gpus in the policy config).",
    properties={"max_gpus": {"type": "integer", "minimum": 1, "default": 512,
                             "description": "GPU quota of the stack when it sets none"}},
)
