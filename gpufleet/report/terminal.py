"""The comparison of two plans as text for a terminal (`gpufleet diff`): every row, every figure whole.

Tables fit the given width (the terminal's): names wrap, figures never do, and the least important
columns are left out (and named) when the width cannot hold them. Values from a plan are shown as
text, never interpreted as markup.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from gpufleet.commands._terminal import MIN_WIDTH, Column, print_table, print_violations
from gpufleet.report import fmt
from gpufleet.report.compare import Change
from gpufleet.report.model import StackReport
from gpufleet.report.summary import Summary

_FIGURE_ROWS = (("GPUs", "gpus"), ("USD/month", "monthly_usd"), ("kWh/month", "monthly_kwh"),
                ("tCO2e/month", "monthly_tco2e"))
_KIND_MARK = {"added": "+", "removed": "-", "changed": "~"}
_HINT = None  # every column is in the plans themselves


def _value(change: Change, figure: str) -> str:
    return fmt.delta(figure, change.delta(figure)) if change.costs else "-"


def _totals(out: Console, r: StackReport) -> None:
    c = r.comparison
    assert c is not None
    rows = []
    for label, f in _FIGURE_ROWS:
        b, h = c.base_totals, c.head_totals
        rows.append((label, f"{b.gpus:,}" if f == "gpus" else fmt.figure(f, getattr(b, f)),
                     f"{h.gpus:,}" if f == "gpus" else fmt.figure(f, getattr(h, f)), fmt.delta(f, c.delta(f))))
    print_table(out, [Column("", "name", keep=True), Column("base", "figure", keep=True),
                      Column("head", "figure", keep=True), Column("change", "figure", keep=True)], rows, hint=_HINT)


def _policies(out: Console, s: Summary) -> None:
    if s.violations is None:
        out.print(Text("Policies (head): not in this plan (not run, or a Pulumi CLI plan)"))
        return
    if not s.violations:
        out.print(Text("Policies (head): no violations"))
        return
    counts = ", ".join(f"{n} {level}" for level, n in s.violation_counts().items())
    rows = [(str(v.get("level")), str(v.get("policy")), str(v.get("urn") or "stack").rsplit("::", 1)[-1],
             " ".join(str(v.get("message")).split())) for v in s.violations]
    print_violations(out, f"Policies (head): {counts}", rows)


def render_diff(reports: list[StackReport], width: int = MIN_WIDTH) -> str:
    buffer = io.StringIO()
    out = Console(file=buffer, width=max(width, MIN_WIDTH), color_system=None, highlight=False, emoji=False,
                  markup=False)
    for r in reports:
        c = r.comparison
        assert c is not None, "diff needs a base"
        base = "none (no base plan)" if r.base_missing else f"{c.base.source} ({c.base.format_name})"
        out.print(Text(f"Stack {r.stack}: {base} -> {r.head.source} ({r.head.format_name})"))
        out.print()
        _totals(out, r)
        out.print()
        for p in (c.base, r.head):
            for w in p.warnings:
                out.print(Text(f"Warning ({p.source}): {w}"))
        unpriced_base, unpriced_head = c.unpriced
        if unpriced_base or unpriced_head:
            out.print(Text(f"Totals leave out unpriced resources (base {unpriced_base}, head {unpriced_head}); "
                           "unknown is never counted as 0."))
            out.print()
        counts = ", ".join(f"{len(c.of_kind(k))} {k}" for k in ("added", "changed", "removed"))
        out.print(Text(f"Resources: {counts}"))
        rows = [(_KIND_MARK[ch.kind], ch.name, ch.type, ",".join(ch.changed) or "-", _value(ch, "gpus"),
                 _value(ch, "monthly_usd"), _value(ch, "monthly_kwh")) for ch in c.changes]
        if rows:
            print_table(out, [Column("", "figure", keep=True), Column("resource", "name", keep=True),
                              Column("type", "name", drop_order=3), Column("inputs changed", "text", drop_order=2),
                              Column("GPUs", "figure", keep=True), Column("USD/month", "figure", keep=True),
                              Column("kWh/month", "figure", drop_order=1)], rows, hint=_HINT)
        out.print()
        _policies(out, r.summary)
        if r.summary.unpriced:
            out.print()
            print_table(out, [Column("resource", "name", keep=True), Column("type", "name", drop_order=1),
                              Column("why", "text", keep=True)],
                        [(u.name, u.type, u.reason) for u in r.summary.unpriced],
                        title=f"Unpriced (head): {len(r.summary.unpriced)}", hint=_HINT)
        out.print()
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))
