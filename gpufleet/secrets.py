"""Secrets stay secret wherever a value flows: estimates, policy messages, the JSON plan and the report.

A program marks a value secret (`pulumi.Output.secret(...)`, `Config.require_secret`, a `secure:`
stack value); the engine records it wrapped (`{SECRET_SIG: SECRET_MARK, "value": …}`). gpufleet still
*uses* the value — a GPU fleet whose instance type is a secret is priced and judged like any other, or
a secret would be a way around every budget — but never *shows* it: every text gpufleet writes is
passed through a `Redactor` that replaces each secret value by `[secret]`, and an estimate that
depends on one says so.

Redaction is by value, not by path, so a secret is caught wherever it flowed (a launch template's
secret instance type in a node group's estimate, in a policy message, in a derivation): a value is
replaced where it stands as a whole token, so a secret `4` does not blank every digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Pulumi's wire format: a secret value is `{SECRET_SIG: SECRET_MARK, "value": …}`.
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270"
SHOWN = "[secret]"  # what a secret value is shown as (the Pulumi CLI shows the same)
_TOKEN_EDGE = r"A-Za-z0-9_.\-/:"  # characters that continue a token (instance types, regions, ids, URNs)


def secret_values(value: Any) -> frozenset[str]:
    """The text of every value inside a secret wrapper in `value` (wire format), iteratively."""
    found: set[str] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, inside = stack.pop()
        if isinstance(item, dict):
            if item.get(SECRET_SIG) == SECRET_MARK:
                stack.append((item.get("value"), True))
            else:
                stack.extend((v, inside) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, inside) for v in item)
        elif inside and isinstance(item, str) and item and item != SHOWN:
            found.add(item)
        elif inside and isinstance(item, (int, float)) and not isinstance(item, bool):
            found.add(f"{item:g}" if isinstance(item, float) else str(item))
    return frozenset(found)


class Redactor:
    """Replaces known secret values in text and JSON-like data by `[secret]`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if s)
        # Longest first, so a secret that contains another is replaced whole.
        alternatives = "|".join(re.escape(s) for s in sorted(self.secrets, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![{_TOKEN_EDGE}])(?:{alternatives})(?![{_TOKEN_EDGE}])") if alternatives else None

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def touches(self, text: object) -> bool:
        """True when `text` shows a secret (or is already the `[secret]` placeholder)."""
        if not isinstance(text, str):
            return False
        return SHOWN in text or (self._pattern is not None and self._pattern.search(text) is not None)

    def text(self, text: str) -> str:
        return text if self._pattern is None else self._pattern.sub(SHOWN, text)

    def value(self, value: Any) -> Any:
        """`value` with every string in it redacted (dict keys too: URNs and tag names can be built from secrets)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value
