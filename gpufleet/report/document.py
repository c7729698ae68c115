"""The report as JSON (`gpufleet report --json`, `gpufleet diff --json`): per stack, the totals of
head and base, their change, the resource changes, policy results and unpriced resources.

Unknown figures are null, never 0; a figure too large or not finite (a hostile plan) is the string
"inf", "-inf" or "nan" so the document stays valid JSON.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from gpufleet.report.model import StackReport
from gpufleet.report.summary import Totals

TOTALS = ("gpus", "monthly_usd", "monthly_kwh", "monthly_tco2e")
PER_RESOURCE = ("gpus", "monthly_usd", "monthly_kwh")


def _number(value: float | int | Decimal | None) -> float | int | str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value) if value.is_finite() else str(value).lower().replace("infinity", "inf")
        if isinstance(value, str):
            return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _totals(t: Totals) -> dict[str, Any]:
    return {f: _number(getattr(t, f)) for f in TOTALS}


def stack_json(r: StackReport) -> dict[str, Any]:
    s, c = r.summary, r.comparison
    doc: dict[str, Any] = {
        "stack": r.stack,
        "head": {"source": r.head.source, "format": r.head.format, "totals": _totals(s.totals)},
        "policy_environment": r.head.policy_environment,
        "violations": s.violations,
        "unpriced": [u.urn for u in s.unpriced],
        "warnings": list(r.head.warnings),
    }
    if c is not None:
        doc["base"] = None if r.base_missing else {"source": c.base.source, "format": c.base.format,
                                                     "totals": _totals(c.base_totals)}
        doc["change"] = {f: _number(c.delta(f)) for f in TOTALS}
        doc["resources"] = [{"kind": ch.kind, "urn": ch.urn, "type": ch.type, "inputs_changed": list(ch.changed),
                             **{f: _number(ch.delta(f)) for f in PER_RESOURCE if ch.costs}}
                            for ch in c.changes]
    return doc


def report_json(reports: list[StackReport]) -> dict[str, Any]:
    return {"stacks": [stack_json(r) for r in reports]}
