"""A policy violation as `gpufleet preview` reports it, whichever way the pack was run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

LEVELS = ("mandatory", "advisory")
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Violation:
    """One diagnostic of the policy pack: the policy, its enforcement level, the resource (None for the
    whole stack) and the message (the bad value, the limit and the fix)."""

    policy: str
    level: str  # "mandatory" | "advisory"
    urn: str | None
    message: str

    def to_json(self) -> dict:
        return {"policy": self.policy, "level": self.level, "urn": self.urn, "message": self.message}

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"


def sort_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Mandatory first, then by policy name, resource (stack-wide first) and message."""
    return sorted(violations, key=lambda v: (v.level != "mandatory", v.policy, v.urn or "", v.message))


def stack_level(urn: str | None) -> bool:
    """A result about the whole stack (a stack policy's, from AnalyzeStack: its budgets, its quotas), not about one
    resource: no URN, or the stack's own (`urn:pulumi:STACK::PROJECT::pulumi:pulumi:Stack::NAME`)."""
    return not urn or urn.split("::")[2:3] == [STACK_TYPE]
