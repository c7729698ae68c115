"""A resource as gpufleet's readers see it, whatever the plan format it came from, and how to read
its inputs: `get_known` (unknowns read as None: estimates) and `value_at` (unknowns kept: policies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

from gpufleet.secrets import SECRET_MARK, SECRET_SIG, secret_values

# Values the engine does not know at preview, and the wrapper of secret values (Pulumi's wire format).
from gpufleet.pulumi_private import SECRET_SIG as SECRET_MARK
from gpufleet.pulumi_private import SIG_KEY as SECRET_SIG
from gpufleet.pulumi_private import UNKNOWN

# The engine marshals every unknown as UNKNOWN; SDKs may use the typed sentinels (pulumi_policy.proxy's
# UNKNOWN_{BOOLEAN,NUMBER,ARRAY,ASSET,ARCHIVE,OBJECT}_VALUE).
UNKNOWNS = frozenset({UNKNOWN, "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
                      "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "030794c1-ac77-496b-92df-f27374a8bd58",
                      "e48ece36-62e2-4504-bad9-02848725956a", "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"})


@dataclass(frozen=True)
class ResourceView:
    """A resource as the estimator sees it: type, inputs (wire names) and its provider's inputs.

    `dependencies` are its inputs' property dependencies (input name -> URNs) where the plan format
    has them. A view with `part_of` is capacity that another resource declares inline (an AKS
    cluster's agentPoolProfiles): `urn` names the part, `part_of` is the declaring resource's URN.
    """

    urn: str
    type: str
    inputs: dict[str, Any]
    provider_inputs: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    part_of: str | None = None
    secrets: frozenset[str] = frozenset()  # values its inputs (or its provider's) mark secret: never shown
    custom: bool = True  # False: a component (its children are resources of their own)
    remote: bool = False  # a multi-language component whose children the offline preview does not construct

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


def plain(value: Any) -> Any:
    """Unwrap secret markers (estimates need the value; output never prints inputs)."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_MARK:
            return plain(value.get("value"))
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def known(value: Any) -> bool:
    return value is not None and value != UNKNOWN


def get_known(value: Any, *path: str) -> Any:
    """`value[path[0]][path[1]]…`, or None where the path is missing, leads through a non-dict, or
    ends at an unknown value."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if known(value) else None


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWNS


def value_at(data: Any, *path: str | int) -> Any:
    """The value at `path`, None when absent; an unknown on the way is returned as the sentinel
    (so a policy can tell "not set" from "not known at preview")."""
    for key in path:
        if is_unknown(data):
            return data
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
            data = data[key]
        else:
            if not isinstance(data, Mapping):
                return None
            data = data.get(key)
    return data


def provider_urn(reference: str | None) -> str | None:
    """"urn:pulumi:...::default_7_51_1::<id>" -> the provider's URN."""
    if not isinstance(reference, str) or not reference:
        return None
    return reference.rsplit("::", 1)[0]


def _default_provider_inputs(urn: str | None, config: dict[str, Any]) -> dict[str, Any]:
    """A default provider's inputs are its package's stack config (`aws:region` -> `region`).

    `pulumi preview --json` shows no steps for default providers, so their inputs live in `config`.
    """
    if not urn:
        return {}
    type_, name = urn.rsplit("::", 2)[-2:]
    if not type_.startswith("pulumi:providers:") or not name.startswith("default"):
        return {}
    prefix = type_.removeprefix("pulumi:providers:") + ":"
    return {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}


def views_from_states(states: list[dict[str, Any]], config: dict[str, Any] | None = None) -> list[ResourceView]:
    """Views from resource states shaped like `pulumi preview --json` newState or `stack export`
    resources: `{urn, type, inputs, provider, id?, propertyDependencies?}`. Provider inputs are resolved
    by URN, and for default providers that are not among the states, from the stack `config` (`aws:region`)."""
    def _dict(value: Any) -> dict[str, Any]:
        return value if isinstance(value, dict) else {}

    def _str(value: Any) -> str:
        return value if isinstance(value, str) else ""

    by_urn = {s.get("urn"): s for s in states}
    views = []
    for s in states:
        purn = provider_urn(s.get("provider"))
        provider = by_urn.get(purn)
        provider_inputs = _dict((provider or {}).get("inputs")) or _default_provider_inputs(purn, config or {})
        views.append(
            ResourceView(
                urn=_str(s.get("urn")),
                type=_str(s.get("type")),
                inputs=plain(_dict(s.get("inputs"))),
                provider_inputs=plain(provider_inputs),
                secrets=secret_values(s.get("inputs")) | secret_values(provider_inputs),
                id=s.get("id") if isinstance(s.get("id"), str) else None,
                dependencies={k: tuple(u for u in v if isinstance(u, str))
                              for k, v in _dict(s.get("propertyDependencies")).items() if isinstance(v, list)},
                custom=s.get("custom") is not False,
                remote=s.get("remote") is True,
            )
        )
    return views
