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
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, _DictProxy, _ListProxy

from gpufleet.readers.base import number, truthy
from gpufleet.readers.views import is_unknown
from gpufleet.readers.views import value_at as get

__all__ = ["CannotVerify", "Findings", "as_list", "falsy", "get", "is_unknown", "join", "number", "plain",
           "short_urn", "truthy"]


# The last few `plain` results by the properties object they came from. The in-process path and the pack's
# process (`_process.share_read_only_properties`) give every resource policy the same properties object for a
# resource, so it is converted once, not once per policy.
_RECENT_PLAIN: dict[int, tuple[Any, dict[str, Any]]] = {}
_RECENT = 8


def plain(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Policy-runtime properties (unknown-checking proxies) as plain dicts and lists; unknowns stay
    their sentinel strings, so reading them never raises. The result may be shared: read, never modify."""
    if props is None:
        return {}
    key = id(props)
    recent = _RECENT_PLAIN.pop(key, None)
    if recent is None or recent[0] is not props:
        out = _plain(props)
        recent = (props, out if isinstance(out, dict) else {})  # the object is held: its id is not reused
        if len(_RECENT_PLAIN) >= _RECENT:
            del _RECENT_PLAIN[next(iter(_RECENT_PLAIN))]
    _RECENT_PLAIN[key] = recent
    return recent[1]


def _plain(value: Any) -> Any:
    """`serialize_properties`, with the common cases (proxies, dicts, lists, scalars) first: the runtime's
    conversion tests every value against every asset and archive class."""
    kind = type(value)
    if kind is str or kind is float or kind is bool or kind is int or value is None:
        return value
    if kind is _DictProxy or kind is dict:
        target = value["__target"] if kind is _DictProxy else value
        return {k: _plain(v) for k, v in target.items()}
    if kind is _ListProxy or kind is list:
        return [_plain(v) for v in (value["__target"] if kind is _ListProxy else value)]
    return serialize_properties(value)  # assets, archives, secrets


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
