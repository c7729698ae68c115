"""One way to define a gpufleet policy: a check that fills `Findings`, a config schema with defaults.

The engine fills each policy's config with the schema defaults before `Configure` (and the pack's
environment files override them); `settings()` applies the same defaults when a policy is called
without that reconciliation, so a policy never runs on a missing threshold.
"""

from __future__ import annotations

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
        findings = Findings()
        check(args, settings(args.get_config(), properties), findings)
        findings.report(report_violation, stack=True)

    return StackValidationPolicy(name=name, description=description, validate=validate,
                                 config_schema=_schema(properties), severity=severity, tags=TAGS[area],
                                 remediation_steps=remediation)


def usd(x: float) -> str:
    return f"${x:,.2f}"
