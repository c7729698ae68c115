"""gpufleet-gpu-instance-types-allowed: only the GPU instance types an environment allows."""

from __future__ import annotations

from fnmatch import fnmatchcase

from pulumi_policy import Severity

from gpufleet_policies._capacity import instance_type_fields, is_gpu_type
from gpufleet_policies._define import resource_policy
from gpufleet_policies._stack import stack_catalog
from gpufleet_policies._values import is_unknown, join, plain

NAME = "gpufleet-gpu-instance-types-allowed"


def _describe(name: str, catalog) -> str:
    it = catalog.instance_type(name)
    return f"{name!r} ({it.gpu_count} × {it.gpu_model})" if it else f"{name!r} (a GPU type not in the catalog)"


def check(args, config, findings) -> None:
    allowed = list(config["allowed_instance_types"])
    catalog = stack_catalog()  # an owned site's instance types are the stack's
    for path, value in instance_type_fields(args.resource_type, plain(args.props)):
        if is_unknown(value):
            findings.cannot_verify(f"{path}: instance type not known at preview")
        elif is_gpu_type(value, catalog) and not any(fnmatchcase(value, pattern) for pattern in allowed):
            findings.violation(
                f"{path} = {_describe(value, catalog)} is not a GPU instance type allowed here; allowed: "
                f"{join(allowed)}. Fix: use an allowed type, or add it to allowed_instance_types in the "
                "environment's policy config."
            )


POLICY = resource_policy(
    NAME,
    "GPU instance types (catalog types, and the P/G, N-series, A/G2/G4 families) match the environment's "
    "allow-list (names or shell patterns).",
    check,
    area="cost",
    severity=Severity.MEDIUM,
    remediation="Use an allowed GPU instance type, or extend allowed_instance_types in the policy config.",
    properties={"allowed_instance_types": {
        "type": "array", "items": {"type": "string"}, "default": ["*"],
        "description": "GPU instance types allowed, as names or shell patterns (g5.*); default: all"}},
)
