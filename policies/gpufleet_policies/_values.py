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
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from gpufleet.readers.base import number, truthy
from gpufleet.readers.views import is_unknown
from gpufleet.readers.views import value_at as get

__all__ = ["CannotVerify", "Findings", "as_list", "falsy", "get", "is_unknown", "join", "number", "plain",
           "short_urn", "truthy"]


def plain(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Policy-runtime properties (unknown-checking proxies) as plain dicts and lists; unknowns stay
    their sentinel strings, so reading them never raises."""
    if props is None:
        return {}
    out = serialize_properties(props)
    return dict(out) if isinstance(out, Mapping) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


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
