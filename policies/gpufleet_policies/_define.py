"""One way to define a gpufleet policy: a check that fills `Findings`, a config schema with defaults.

The engine fills each policy's config with the schema defaults before `Configure` (and the pack's
environment files override them); `settings()` applies the same defaults when a policy is called
without that reconciliation, so a policy never runs on a missing threshold.

Policies are evaluated one at a time (`EVALUATING`). The engine calls a pack serially, but pulumi-policy's
gRPC server answers on 4 threads, and `gpufleet preview` keeps several resources in flight (so the pack
never waits for a round trip): then the server's threads run at once. gpufleet's policies share caches
between calls (`_values.plain`'s recent results, `_stack.stack_plan`'s last plan and its indexes), which
are not written for concurrent use; one lock around every policy's evaluation keeps them exactly as under
the engine's serial calls, while pulumi-policy's own work for a call (deserialising the request, building
the response) may overlap another's. The simplest safe choice: a one-worker server would also do, but
pulumi-policy builds its server inside `PolicyPack(...)`, and the pack's threads share one interpreter lock,
so serialising the policies loses no parallelism. Called serially (the Pulumi CLI, the in-process path)
the lock is never contended and nothing changes.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from pulumi_policy import (
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from gpufleet_policies._values import Findings

Properties = dict[str, dict[str, Any]]
ResourceCheck = Callable[[ResourceValidationArgs, dict[str, Any], Findings], None]
StackCheck = Callable[[StackValidationArgs, dict[str, Any], Findings], None]

EVALUATING = threading.Lock()

TAGS = {"cost": ["gpufleet", "cost"], "sustainability": ["gpufleet", "sustainability"],
        "safety": ["gpufleet", "security"]}


def settings(given: Any, properties: Properties) -> dict[str, Any]:
    out = {k: v["default"] for k, v in properties.items() if "default" in v}
    out.update(dict(given or {}))
    return out


def _schema(properties: Properties) -> PolicyConfigSchema | None:
    return PolicyConfigSchema(properties=properties) if properties else None


def resource_policy(name: str, description: str, check: ResourceCheck, *, area: str, severity: Severity,
                    remediation: str, properties: Properties | None = None) -> ResourceValidationPolicy:
    properties = properties or {}

    def validate(args: ResourceValidationArgs, report_violation: Callable[..., None]) -> None:
        with EVALUATING:
            findings = Findings()
            check(args, settings(args.get_config(), properties), findings)
            findings.report(report_violation)

    return ResourceValidationPolicy(name=name, description=description, validate=validate,
                                    config_schema=_schema(properties), severity=severity, tags=TAGS[area],
                                    remediation_steps=remediation)


def stack_policy(name: str, description: str, check: StackCheck, *, area: str, severity: Severity,
                 remediation: str, properties: Properties | None = None) -> StackValidationPolicy:
    properties = properties or {}

    def validate(args: StackValidationArgs, report_violation: Callable[..., None]) -> None:
        with EVALUATING:
            findings = Findings()
            check(args, settings(args.get_config(), properties), findings)
            findings.report(report_violation, stack=True)

    return StackValidationPolicy(name=name, description=description, validate=validate,
                                 config_schema=_schema(properties), severity=severity, tags=TAGS[area],
                                 remediation_steps=remediation)


def usd(x: float) -> str:
    return f"${x:,.2f}"
