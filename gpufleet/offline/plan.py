"""Render a recorded program run as `pulumi preview --json` prints it for a new stack.

The shape follows the CLI's `previewDigest` (pulumi/pkg/display/json.go) and `apitype.ResourceV3`:
Go's `omitempty` fields are left out when empty, secrets become the string "[secret]" where they
sit, unknowns stay the unknown sentinel string. Like the CLI, default-provider steps are neither
shown nor counted (`shouldReportStep`), though resources still name them as their `provider`.
Differences that remain: inputs are as the program sent them, before the provider's `Check` adds
defaults and auto-names, and no `duration` is given.
"""

from __future__ import annotations

import math
from typing import Any

from gpufleet import pulumi_private as _sdk
from gpufleet.files import PLAN_MAX_DEPTH
from gpufleet.offline.runner import PROVIDER_TYPE_PREFIX, ProgramRun, RecordedResource

SECRET_SHOWN = "[secret]"  # what the CLI prints for a secret without --show-secrets
# A resource's input sits five levels down a plan (the document, `steps`, a step, `newState`, `inputs`);
# plan readers refuse a path longer than PLAN_MAX_DEPTH (files.py).
_PLAN_INPUT_LEVEL = 5


def shown_value(value: Any) -> Any:
    """A wire value as the CLI prints it: secrets blinded, whole floats as integers (Go's JSON)."""
    if _sdk.is_secret(value):
        return SECRET_SHOWN
    if isinstance(value, dict):
        return {key: shown_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown_value(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def non_finite_path(value: Any, path: str = "") -> str | None:
    """The path (`limits.max[1]`) of the first number in `value` that is not finite (inf, -inf, NaN), or None.

    JSON has no such number: a policy pack (pulumi_policy converts properties to JSON) and a plan file cannot
    hold one. An output value or a secret is looked into at the same path."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict) and _sdk.SIG_KEY in value:
        return non_finite_path(value.get("value"), path)
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = non_finite_path(item, f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def depth(data: Any) -> int:
    """How many lists and mappings deep `data` nests (counted without recursing); a secret's wrapper is not a level
    (readers unwrap it, and the plan shows the secret as one string)."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict) and value.get(_sdk.SIG_KEY) == _sdk.SECRET_SIG:
            pending.append((value.get("value"), level))
        elif isinstance(value, (list, dict)):
            deepest = max(deepest, level)
            pending.extend((item, level + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def too_deep(run: ProgramRun) -> str | None:
    """The first resource input that nests deeper than a plan file holds, in words (None: none does).

    The SDK serializes thousands of levels on the program's thread; what reads inputs after the run
    (estimates, the plan, `gpufleet report`) reads at most what a plan holds."""
    room = PLAN_MAX_DEPTH - _PLAN_INPUT_LEVEL
    for r in run.resources:
        for key, value in r.inputs.items():
            if (levels := depth(value)) > room:
                return (f"{r.type} {r.name!r}: input {key!r} nests {levels:,} levels deep, deeper than a plan file "
                        f"holds ({room}); policy documents and manifests nest a few: flatten it, or pass it as a JSON "
                        "string")
    return None


def _is_default_provider(resource: RecordedResource) -> bool:
    return resource.type.startswith(PROVIDER_TYPE_PREFIX) and (resource.name == "default" or resource.name.startswith("default_"))


def _new_state(resource: RecordedResource) -> dict:
    state: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom, "type": resource.type}
    optional = {
        "inputs": shown_value(resource.inputs),
        "parent": resource.parent,
        "protect": resource.protect,
        "dependencies": resource.dependencies,
        "provider": resource.provider,
        "propertyDependencies": resource.property_dependencies,
        "retainOnDelete": resource.retain_on_delete,
    }
    state.update({key: value for key, value in optional.items() if value})
    return state


def _step(resource: RecordedResource) -> dict:
    step: dict[str, Any] = {"op": "create", "urn": resource.urn}
    if resource.provider:
        step["provider"] = resource.provider
    step["newState"] = _new_state(resource)
    step["detailedDiff"] = None
    return step


def preview_json(run: ProgramRun) -> dict:
    """The document `pulumi preview --json` would print for this run against an empty stack."""
    config = {key: SECRET_SHOWN if key in run.settings.secret_keys else value for key, value in sorted(run.settings.config.items())}
    steps = [_step(resource) for resource in run.resources if not _is_default_provider(resource)]
    document: dict[str, Any] = {"config": config, "steps": steps, "diagnostics": [dict(d) for d in run.diagnostics]}
    document["changeSummary"] = {"create": len(steps)} if steps else {}
    return document
