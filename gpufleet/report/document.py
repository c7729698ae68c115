"""The report as JSON (`gpufleet report --json`, `gpufleet diff --json`): per stack, the totals of
head and base, their change, the resource changes, policy results and unpriced resources.

Unknown figures are null, never 0; a figure too large or not finite (a hostile plan) is the string
"inf", "-inf" or "nan" so the document stays valid JSON.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from gpufleet.report.compare import Change
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
    # `max_gpus` only where the plan has it, as in the plan file: what capacity that scales can reach
    return {**{f: _number(getattr(t, f)) for f in TOTALS},
            **({"max_gpus": _number(t.max_gpus)} if t.max_gpus is not None else {})}


def _scales(change: Change) -> bool:
    return any(isinstance(e, dict) and "max_gpus" in e for e in (change.base, change.head))


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
        scales = c.base_totals.max_gpus is not None or c.head_totals.max_gpus is not None
        doc["change"] = {**{f: _number(c.delta(f)) for f in TOTALS},
                         **({"max_gpus": _number(c.delta("max_gpus"))} if scales else {})}
        doc["resources"] = [{"kind": ch.kind, "urn": ch.urn, "type": ch.type, "inputs_changed": list(ch.changed),
                             **{f: _number(ch.delta(f)) for f in PER_RESOURCE if ch.costs},
                             **({"max_gpus": _number(ch.delta("max_gpus"))} if _scales(ch) else {})}
                            for ch in c.changes]
    return doc


def report_json(reports: list[StackReport]) -> dict[str, Any]:
    return {"stacks": [stack_json(r) for r in reports]}
