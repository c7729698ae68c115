"""Reports as text for a terminal: `gpufleet diff` (the comparison, every row) and `gpufleet report`
(what changed, ordered as the pull-request comment). Every figure whole.

Tables fit the given width (the terminal's): names wrap, figures never do, and the least important
columns are left out (and named) when the width cannot hold them. Values from a plan are shown as
text, never interpreted as markup, control characters escaped.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding

from gpufleet.commands._terminal import MIN_WIDTH, Column, print_table, print_violations, safe_text, text_console
from gpufleet.report import fmt
from gpufleet.report.compare import Change, Comparison, gpus_change
from gpufleet.report.disruption import gpus_text
from gpufleet.report.disruption import summary as disruption_summary
from gpufleet.report.model import StackReport
from gpufleet.report.reservations import reservations, today
from gpufleet.report.summary import Summary
from gpufleet.report.verdict import (
    Thresholds,
    headline,
    lock_recommendation,
    mandatory,
    ordered,
    recommendations,
    region_pairs,
    region_value,
    unit,
    workload_pairs,
)

_FIGURE_ROWS = (("GPUs", "gpus"), ("USD/month", "monthly_usd"), ("kWh/month", "monthly_kwh"),
                ("tCO2e/month operational", "monthly_tco2e"), ("tCO2e/month embodied", "monthly_embodied_tco2e"))
_KIND_MARK = {"added": "+", "removed": "-", "changed": "~"}
_HINT = None  # every column is in the plans themselves


def _value(change: Change, figure: str) -> str:
    if not change.costs:
        return "-"
    return gpus_change(change) if figure == "gpus" else fmt.delta(figure, change.delta(figure))


def _totals(out: Console, r: StackReport) -> None:
    c = r.comparison
    assert c is not None
    b, h = c.base_totals, c.head_totals
    rows = [(label, b.text(f), h.text(f), gpus_change(c) if f == "gpus" else fmt.delta(f, c.delta(f)))
            for label, f in _FIGURE_ROWS]
    print_table(out, [Column("", "name", keep=True), Column("base", "figure", keep=True),
                      Column("head", "figure", keep=True), Column("change", "figure", keep=True)], rows, hint=_HINT)


def _left_out(out: Console, r: StackReport) -> bool:
    """Say what the totals leave out (as the preview does): unpriced and not assessed resources, of the
    base and the head. False when they leave nothing out."""
    plans = [("head", r.summary)] + ([("base", r.base_summary)] if r.base_summary is not None else [])
    gaps = [", ".join(([fmt.count(len(s.unpriced), "unpriced resource")] if s.unpriced else [])
                      + ([f"{fmt.count(s.not_assessed, 'resource')} not assessed"] if s.not_assessed else []))
            + (f" ({which})" if len(plans) > 1 else "")
            for which, s in plans if s.unpriced or s.not_assessed]
    if gaps:
        out.print(safe_text(f"Totals leave out {'; '.join(gaps)}; unknown is never counted as 0."))
    for which, s in plans:
        if s.totals.gpus_unknown:
            out.print(safe_text(f"GPU capacity of unknown size{f' ({which})' if len(plans) > 1 else ''}: "
                                f"{len(s.totals.gpus_unknown):,} resource(s) whose GPU count is not known: "
                                f"{', '.join(s.totals.gpus_unknown)}; the GPU totals leave them out."))
    return bool(gaps) or any(s.totals.gpus_unknown for _, s in plans)


def _disruptions(out: Console, c: Comparison) -> None:
    """What rolls or replaces GPU nodes, or replaces or deletes storage: shown before anything else changes."""
    if not c.disruptions:
        return
    out.print(safe_text(f"Disrupts running GPU nodes or storage: {disruption_summary(c.disruptions)}", style="bold"))
    print_table(out, [Column("effect", "name", keep=True), Column("resource", "name", keep=True),
                      Column("GPUs", "figure", keep=True), Column("why", "text", keep=True),
                      Column("type", "name", drop_order=1)],
                [(d.effect, d.name, gpus_text(d), d.why, d.type) for d in c.disruptions], hint=_HINT)


def _policies(out: Console, s: Summary) -> None:
    if s.violations is None:
        out.print(safe_text("Policies (head): not in this plan (not run, or a Pulumi CLI plan)"))
        return
    if not s.violations:
        out.print(safe_text("Policies (head): no violations"))
        return
    counts = ", ".join(f"{n} {level}" for level, n in s.violation_counts().items())
    rows = [(str(v.get("level")), str(v.get("policy")), str(v.get("urn") or "stack").rsplit("::", 1)[-1],
             " ".join(str(v.get("message")).split())) for v in s.violations]
    print_violations(out, f"Policies (head): {counts}", rows)


def render_diff(reports: list[StackReport], width: int = MIN_WIDTH) -> str:
    buffer = io.StringIO()
    out = text_console(buffer, width)
    for r in reports:
        c = r.comparison
        assert c is not None, "diff needs a base"
        base = "none (no base plan)" if r.base_missing else f"{c.base.source} ({c.base.format_name})"
        out.print(safe_text(f"Stack {r.stack}: {base} -> {r.head.source} ({r.head.format_name})"))
        out.print()
        _totals(out, r)
        out.print()
        for p in (c.base, r.head):
            for w in p.warnings:
                out.print(safe_text(f"Warning ({p.source}): {w}"))
        if _left_out(out, r):
            out.print()
        _disruptions(out, c)
        if c.disruptions:
            out.print()
        counts = ", ".join(f"{len(c.of_kind(k))} {k}" for k in ("added", "changed", "removed"))
        out.print(safe_text(f"Resources: {counts}"))
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


# --- `gpufleet report` in the terminal: what changed, as the PR comment orders it -----------------

def _stack_lines(out: Console, r: StackReport) -> None:
    t, c = r.summary.totals, r.comparison
    change = None if c is None else fmt.delta("monthly_usd", c.delta("monthly_usd"))
    title = f"Stack {r.stack}: {fmt.count(t.text('gpus'), 'GPU')} · {t.with_unit('monthly_usd', 'USD/month', change)}"
    if r.base_missing:
        title += " — new stack"
    out.print(safe_text(title, style="bold"))
    if c is not None:
        _totals(out, r)
    else:
        print_table(out, [Column("", "name", keep=True), Column("this plan", "figure", keep=True)],
                    [(label, t.text(f)) for label, f in _FIGURE_ROWS], hint=_HINT)
    _left_out(out, r)
    for p in [r.head] + ([c.base] if c is not None else []):
        for w in p.warnings:
            out.print(safe_text(f"Warning ({p.source}): {w}"))
    if c is not None and c.disruptions:
        out.print()
        _disruptions(out, c)
    found = mandatory(r.summary)
    if found:
        print_violations(out, f"Mandatory policy violations ({len(found):,}): these block the deployment",
                         [(str(v.get("level")), str(v.get("policy")), str(v.get("urn") or "stack").rsplit("::", 1)[-1],
                           str(v.get("message"))) for v in found])
    elif r.summary.violations is not None:
        others = len(r.summary.violations)
        out.print(safe_text(f"Policies: no mandatory violations{f', {others:,} other result(s)' if others else ''}."))
    arrow = (lambda b, h: h if b == h else f"{b} → {h}") if c is not None else (lambda b, h: h)
    rows = [(f"{p.key[0]} {p.key[1]}", *(arrow(region_value(p.base, f), region_value(p.head, f))
                                         for f in ("gpus", "monthly_usd", "monthly_tco2e"))) for p in region_pairs(r)]
    if rows:
        out.print()
        print_table(out, [Column("where", "name", keep=True), Column("GPUs", "figure", keep=True),
                          Column("USD/month", "figure", keep=True), Column("tCO2e/month", "figure", drop_order=1)],
                    rows, title="Where", hint=_HINT)
    rows = []
    for p in workload_pairs(r):
        w = p.head or p.base
        figures = [arrow("—" if p.base is None else unit(getattr(p.base, a), d),
                         "—" if p.head is None else unit(getattr(p.head, a), d))
                   for a, d in (("usd_per_gpu_hour", 2), ("gco2e_per_gpu_hour", 0))]
        rows.append((w.name, w.where, *figures))
    if rows:
        out.print()
        print_table(out, [Column("workload", "name", keep=True), Column("where", "name", drop_order=1),
                          Column("USD/GPU-hour", "figure", keep=True), Column("gCO2e/GPU-hour", "figure", keep=True)],
                    rows, title="Workloads", hint=_HINT)
    found_reservations = reservations(r.head.reservations)
    if found_reservations:
        now = today()
        out.print()
        print_table(out, [Column("workload", "name", keep=True), Column("reservation", "name", keep=True),
                          Column("dates (UTC)", "name", keep=True), Column("status", "text", keep=True)],
                    [(x.workload, f"{x.kind}\n{x.id}", x.period, x.status(now)) for x in found_reservations],
                    title="Capacity reservations", hint=_HINT)
    found_recommendations = recommendations(r)
    locked = lock_recommendation(r)
    if found_recommendations or locked:
        out.print()
        out.print(safe_text("Recommendations", style="bold"))
        if locked:
            out.print(Padding(safe_text(f"locked placement: {locked}"), (0, 0, 0, 2)))
        for x in found_recommendations:
            usd = "unknown" if x.delta_usd is None else fmt.signed(x.delta_usd, 2)
            co2 = "unknown" if x.delta_kgco2e is None else fmt.signed(x.delta_kgco2e / 1000, 3)
            out.print(Padding(safe_text(f"move {x.workload} to {x.where} ({x.instance_type}): {usd} USD/month, "
                                   f"{co2} tCO2e/month"), (0, 0, 0, 2)))


def render_text(reports: list[StackReport], width: int = MIN_WIDTH, *, thresholds: Thresholds | None = None,
                head_error: str | None = None) -> str:
    """The report for a terminal: the headline, then the changed stacks, then one line per other stack."""
    thresholds = thresholds or Thresholds()
    buffer = io.StringIO()
    out = text_console(buffer, width)
    h = headline(reports)
    verdict = f"{h.mandatory:,} mandatory policy violation(s)" if h.mandatory else "no mandatory policy violations"
    if h.compared:
        out.print(safe_text(f"Change: {fmt.delta('monthly_usd', h.usd)} USD/month ({fmt.signed(h.usd_percent, 1) + ' %' if h.usd_percent is not None else 'n/a'}) · "
                       f"{fmt.delta('monthly_tco2e', h.tco2e)} tCO2e/month · {h.gpus_text} · {verdict}",
                       style="bold"))
    else:
        out.print(safe_text(f"Total: {h.head_total('monthly_usd', 'USD/month')} · {h.head_total('monthly_tco2e', 'tCO2e/month')} · "
                       f"{h.gpus_text} · {verdict}", style="bold"))
    if head_error is not None:
        out.print(safe_text("The head preview failed; its error (last lines):", style="bold"))
        for line in head_error.rstrip("\n").splitlines()[-20:]:
            out.print(Padding(safe_text(line), (0, 0, 0, 2)))
    significant, rest = ordered(reports, thresholds)
    if h.compared and not significant:
        out.print(safe_text("No significant change" + (f" (thresholds: {thresholds.describe()})" if thresholds.any_set else "")
                       + "."))
    for r in significant:
        out.print()
        _stack_lines(out, r)
    if rest:
        out.print()
        out.print(safe_text(f"Unchanged{' or below the thresholds' if thresholds.any_set else ''}:", style="bold"))
        for r in rest:
            t = r.summary.totals
            out.print(Padding(safe_text(f"{r.stack}: {fmt.count(t.text('gpus'), 'GPU')} · {t.with_unit('monthly_usd', 'USD/month')} · "
                                   f"{len(mandatory(r.summary)):,} mandatory"), (0, 0, 0, 2)))
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))
