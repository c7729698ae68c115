"""The comparison of two plans as plain text for a terminal (`gpufleet diff`): every row, no cuts."""

from __future__ import annotations

from typing import Sequence

from gpufleet.report import fmt
from gpufleet.report.compare import Change
from gpufleet.report.model import StackReport
from gpufleet.report.summary import Summary

_FIGURE_ROWS = (("GPUs", "gpus"), ("USD/month", "monthly_usd"), ("kWh/month", "monthly_kwh"),
                ("tCO2e/month", "monthly_tco2e"))
_KIND_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _columns(rows: list[Sequence[str]], right: str = "", indent: str = "  ") -> list[str]:
    """Rows padded into columns; `right` has "r" for each right-aligned column."""
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = right.ljust(len(widths), "l")
    out = []
    for row in rows:
        cells = [c.rjust(w) if right[i] == "r" else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _value(change: Change, figure: str) -> str:
    return fmt.delta(figure, change.delta(figure)) if change.costs else "-"


def _totals(r: StackReport) -> list[str]:
    c = r.comparison
    assert c is not None
    rows: list[Sequence[str]] = [("", "base", "head", "change")]
    for label, f in _FIGURE_ROWS:
        b, h = c.base_totals, c.head_totals
        rows.append((label, f"{b.gpus:,}" if f == "gpus" else fmt.figure(f, getattr(b, f)),
                     f"{h.gpus:,}" if f == "gpus" else fmt.figure(f, getattr(h, f)), fmt.delta(f, c.delta(f))))
    return _columns(rows, "lrrr")


def _policies(s: Summary) -> list[str]:
    if s.violations is None:
        return ["Policies (head): not in this plan (not run, or a Pulumi CLI plan)"]
    if not s.violations:
        return ["Policies (head): no violations"]
    counts = ", ".join(f"{n} {level}" for level, n in s.violation_counts().items())
    rows = [(str(v.get("level")), str(v.get("policy")), str(v.get("urn") or "(stack)").rsplit("::", 1)[-1],
             " ".join(str(v.get("message")).split())) for v in s.violations]
    return [f"Policies (head): {counts}", *_columns(rows)]


def render_diff(reports: list[StackReport]) -> str:
    lines: list[str] = []
    for r in reports:
        c = r.comparison
        assert c is not None, "diff needs a base"
        base = "none (no base plan)" if r.base_missing else f"{c.base.source} ({c.base.format_name})"
        lines += [f"Stack {r.stack}: {base} -> {r.head.source} ({r.head.format_name})", "", *_totals(r), ""]
        lines += [f"Warning ({p.source}): {w}" for p in (c.base, r.head) for w in p.warnings]
        unpriced_base, unpriced_head = c.unpriced
        if unpriced_base or unpriced_head:
            lines += [f"Totals leave out unpriced resources (base {unpriced_base}, head {unpriced_head}); "
                      "unknown is never counted as 0.", ""]
        counts = ", ".join(f"{len(c.of_kind(k))} {k}" for k in ("added", "changed", "removed"))
        lines.append(f"Resources: {counts}")
        rows = [(_KIND_MARK[ch.kind], ch.name, ch.type, ",".join(ch.changed) or "-", _value(ch, "gpus"),
                 _value(ch, "monthly_usd"), _value(ch, "monthly_kwh")) for ch in c.changes]
        if rows:
            lines += _columns([("", "resource", "type", "inputs changed", "GPUs", "USD/month", "kWh/month"), *rows],
                              "llllrrr")
        lines += ["", *_policies(r.summary)]
        if r.summary.unpriced:
            lines += ["", f"Unpriced (head): {len(r.summary.unpriced)}",
                      *_columns([(u.name, u.type, u.reason) for u in r.summary.unpriced])]
        lines.append("")
    return "\n".join(lines)
