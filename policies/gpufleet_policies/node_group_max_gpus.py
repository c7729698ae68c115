"""gpufleet-node-group-max-gpus: no single node group (or scale set, agent pool, instance) can
scale past a GPU ceiling."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet.readers.base import ONE_INSTANCE
from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import gpu_groups, stack_plan, unknown_part

NAME = "gpufleet-node-group-max-gpus"


def check(args, config, findings) -> None:
    limit = int(config["max_gpus_per_node_group"])
    for g in gpu_groups(stack_plan(args.resources), findings):
        if g.max_gpus is None:
            findings.cannot_verify(f"{g.name}: {unknown_part(g)} not known")
        elif g.max_gpus > limit and g.scaling.max_path == ONE_INSTANCE:
            findings.violation(
                f"{g.name} has {g.max_gpus} GPUs ({g.nodes(1)}), over the limit of {limit} GPUs per node group. "
                f"Fix: use an instance type with at most {limit} GPUs.",
                g.urn,
            )
        elif g.max_gpus > limit:
            findings.violation(
                f"{g.name} can scale to {g.max_gpus} GPUs ({g.scaling.max_path} = {g.nodes(g.scaling.max_nodes)}), "
                f"over the limit of {limit} GPUs per node group. Fix: lower {g.scaling.max_path} to at most "
                f"{limit // g.gpus_per_node}, or split the capacity.",
                g.urn,
            )


POLICY = stack_policy(
    NAME,
    "No node group, scale set, agent pool or instance can scale past max_gpus_per_node_group GPUs.",
    check,
    area="cost",
    severity=Severity.MEDIUM,
    remediation="Lower the group's maximum node count, or split it into several groups.",
    properties={"max_gpus_per_node_group": {"type": "integer", "minimum": 1, "default": 128,
                                            "description": "GPUs one capacity resource may scale to"}},
)
