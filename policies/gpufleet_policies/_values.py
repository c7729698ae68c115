"""Reading resource properties as the engine sends them: plain data, unknowns and "cannot verify".

Policies read plain data (numbers arrive as floats, e.g. 16.0) and decide explicitly what to do with
a value that is unknown at preview (pulumi-policy#258): a known violation is always reported; an
unknown that could hide one is reported as an advisory note through `CannotVerify`, which the
pulumi-policy runtime turns into an advisory diagnostic ("can't run policy … during preview: …")
without dropping the violations already reported. Nothing is treated as compliant or as 0 because
it is unknown, and no unknown crashes a policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

# The engine marshals every unknown as the string sentinel; SDKs may use the typed ones.
UNKNOWNS = frozenset({UNKNOWN_STRING_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_BOOLEAN_VALUE, UNKNOWN_ARRAY_VALUE,
                      UNKNOWN_OBJECT_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE})


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWNS


def plain(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Policy-runtime properties (unknown-checking proxies) as plain dicts and lists; unknowns stay
    their sentinel strings, so reading them never raises."""
    if props is None:
        return {}
    out = serialize_properties(props)
    return dict(out) if isinstance(out, Mapping) else {}


def get(data: Any, *path: str | int) -> Any:
    """The value at `path`, None when absent; an unknown on the way is returned as the sentinel."""
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


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def truthy(value: Any) -> bool:
    """Booleans as providers accept them: True or the strings "true"/"True" (launch templates use strings)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def falsy(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def short_urn(urn: str | None) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "the stack"


class CannotVerify(UnknownValueError):
    """A value the policy needs is unknown (at preview, or to the catalog): an advisory note."""

    def __init__(self, message: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = message


@dataclass
class Findings:
    """What a policy found: violations (reported at the policy's level) and what it could not verify."""

    violations: list[tuple[str, str | None]] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    def violation(self, message: str, urn: str | None = None) -> None:
        self.violations.append((message, urn))

    def cannot_verify(self, what: str) -> None:
        self.unverified.append(what)

    def report(self, report_violation: Callable[..., None], *, stack: bool = False) -> None:
        for message, urn in self.violations:
            if stack:
                report_violation(message, urn)
            else:
                report_violation(message)
        if self.unverified:
            shown = "; ".join(self.unverified[:10])
            more = f"; … {len(self.unverified) - 10} more" if len(self.unverified) > 10 else ""
            raise CannotVerify(f"cannot verify {shown}{more}")


def join(items: Iterable[Any], limit: int = 12) -> str:
    items = [str(i) for i in items]
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")
