"""The report as JSON (`gpufleet report --json`, `gpufleet diff --json`): per stack, the totals of
head and base, their change, the resource changes, policy results and unpriced resources.

Unknown figures are null, never 0; a figure too large or not finite (a hostile plan) is the string
"inf", "-inf" or "nan" so the document stays valid JSON.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from gpufleet.report.compare import Change, Comparison
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
    # `max_gpus` only where the plan has it, as in the plan file: what capacity that scales can reach;
    # `gpus_unknown_size`: the GPU capacity `gpus` leaves out (null `gpus`: that is all there is)
    return {"gpus": _number(t.counted_gpus), "gpus_unknown_size": len(t.gpus_unknown),
            **{f: _number(getattr(t, f)) for f in TOTALS if f != "gpus"},
            **({"max_gpus": _number(t.max_gpus)} if t.max_gpus is not None else {})}


def _change(c: Comparison) -> dict[str, Any]:
    """Head minus base of each total: null where either is unknown; `partial_totals` lists the changes made of
    a total that leaves something out (GPU capacity of unknown size, unpriced resources) on either side."""
    scales = c.base_totals.max_gpus is not None or c.head_totals.max_gpus is not None
    gpus_unknown = c.base_totals.counted_gpus is None or c.head_totals.counted_gpus is None
    change = {**{f: None if f == "gpus" and gpus_unknown else _number(c.delta(f)) for f in TOTALS},
              **({"max_gpus": None if gpus_unknown else _number(c.delta("max_gpus"))} if scales else {})}
    partial = set(c.base_totals.partial_totals) | set(c.head_totals.partial_totals)
    return {**change, "partial_totals": [f for f in (*TOTALS, "max_gpus") if f in partial and change.get(f) is not None]}


def _scales(change: Change) -> bool:
    return any(isinstance(e, dict) and "max_gpus" in e for e in (change.base, change.head))


def stack_json(r: StackReport) -> dict[str, Any]:
    s, c = r.summary, r.comparison
    doc: dict[str, Any] = {
        "stack": r.stack,
        "head": {"source": r.head.source, "format": r.head.format, "totals": _totals(s.totals),
                 "partial_totals": s.totals.partial_totals},
        "policy_environment": r.head.policy_environment,
        "violations": s.violations,
        "unpriced": [u.urn for u in s.unpriced],
        "warnings": list(r.head.warnings),
    }
    if c is not None:
        doc["base"] = None if r.base_missing else {"source": c.base.source, "format": c.base.format,
                                                     "totals": _totals(c.base_totals),
                                                     "partial_totals": c.base_totals.partial_totals}
        doc["change"] = _change(c)
        doc["resources"] = [{"kind": ch.kind, "urn": ch.urn, "type": ch.type, "inputs_changed": list(ch.changed),
                             **{f: _number(ch.delta(f)) for f in PER_RESOURCE if ch.costs},
                             **({"max_gpus": _number(ch.delta("max_gpus"))} if _scales(ch) else {})}
                            for ch in c.changes]
    return doc


def report_json(reports: list[StackReport]) -> dict[str, Any]:
    return {"stacks": [stack_json(r) for r in reports]}
