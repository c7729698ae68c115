"""The report as Markdown for a pull-request comment: what changed first.

Order: the hidden marker; a headline verdict over every stack (Δ USD/month, Δ %, Δ tCO2e/month,
Δ GPUs, mandatory violations first); when the head preview failed, that and its error; the stacks
that changed (significantly, by the thresholds), each expanded, most consequential first; the others
collapsed to one line each; a small Mermaid chart of cost and carbon in a collapsed section.

Per changed stack: totals base -> head and the change; policies; every mandatory violation; where the
GPUs are (base -> head); per workload $/GPU-hour and gCO2e/GPU-hour (base -> head); recommendations
with their savings when the plan carries a placement; fabric and storage; then the long lists
collapsed in `<details>`.

Every value that comes from a plan is made inert (`gpufleet.report.inert`). The text stays under
GitHub's comment limit (65,536 characters): long lists are cut with a note saying how many rows were
left out, mandatory violations last (then grouped by policy, each policy named with its count), and
only if that is not enough is the text cut.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Sequence

from gpufleet.report import fmt, inert
from gpufleet.report.compare import Change, Comparison, gpus_change
from gpufleet.report.disruption import gpus_text
from gpufleet.report.disruption import summary as disruption_summary
from gpufleet.report.model import StackReport
from gpufleet.report.reservations import reservations, today
from gpufleet.report.summary import Summary, Totals
from gpufleet.report.verdict import (
    Thresholds,
    changed,
    headline,
    lock_recommendation,
    mandatory,
    ordered,
    paired,
    percent,
    recommendations,
    region_pairs,
    region_value,
    unit,
    workload_pairs,
)

MARKER = "<!-- gpufleet-report -->"
COMMENT_LIMIT = 65_536
# Row caps tried in turn until the comment fits; None shows every row.
_ROW_CAPS: tuple[int | None, ...] = (None, 400, 200, 100, 50, 25, 10, 5, 0)
_FIGURE_ROWS = (("GPUs", "gpus"), ("USD/month", "monthly_usd"), ("kWh/month", "monthly_kwh"),
                ("tCO2e/month operational", "monthly_tco2e"), ("tCO2e/month embodied", "monthly_embodied_tco2e"))
_LEVEL_MARK = {"mandatory": "❌", "remediate": "🔧", "advisory": "⚠️"}
_KIND_MARK = {"added": "+", "removed": "-", "changed": "~"}
FULL_LIST_HINT = "run `gpufleet report` or `gpufleet diff` locally for the full list"
ERROR_LINES = 40  # the end of a failed head preview's output shown in the comment
_MAX_POLICIES_NAMED = 50


class Md(str):
    """Markdown made here (or already made inert): a table cell that is not escaped again."""


def _cell(value: object) -> str:
    return value if isinstance(value, Md) else inert.text(value)


def _code(value: object) -> Md:
    return Md(inert.code(value))


def _table(headers: Sequence[str], rows: list[Sequence[object]], cap: int | None, align: str = "") -> list[str]:
    """A Markdown table; `align` has one letter per column ("l"/"r"), left by default."""
    if not rows:
        return []
    marks = [("---:" if a == "r" else "---") for a in align.ljust(len(headers), "l")]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    shown = rows if cap is None else rows[:cap]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in shown]
    if len(rows) > len(shown):
        lines += ["", f"_… {len(rows) - len(shown):,} more not shown: {FULL_LIST_HINT}._"]
    return lines


def _details(summary: str, body: list[str]) -> list[str]:
    if not body:
        return []
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]


def _totals_value(totals: Totals, figure: str) -> str:
    return totals.text(figure)


def _delta(of: Change | Comparison, figure: str) -> str:
    return gpus_change(of) if figure == "gpus" else fmt.delta(figure, of.delta(figure))


def _arrow(base: str, head: str) -> str:
    return head if base == head else f"{base} → {head}"


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    return fmt.signed(value, 1) + " %"


# --- headline -----------------------------------------------------------------------------------

def _mandatory_by_policy(reports: list[StackReport]) -> str:
    parts = []
    for r in reports:
        counts: dict[str, int] = {}
        for v in mandatory(r.summary):
            counts[str(v.get("policy"))] = counts.get(str(v.get("policy")), 0) + 1
        named = [f"{inert.code(p)} ({n:,})" for p, n in sorted(counts.items())[:_MAX_POLICIES_NAMED]]
        if len(counts) > _MAX_POLICIES_NAMED:
            named.append(f"and {fmt.count(len(counts) - _MAX_POLICIES_NAMED, 'more policy', 'more policies')}")
        if named:
            parts.append(f"{inert.code(r.stack)}: " + ", ".join(named))
    return "; ".join(parts)


def _headline(reports: list[StackReport], significant: list[StackReport], thresholds: Thresholds) -> list[str]:
    h = headline(reports)
    verdict = f"❌ {h.mandatory:,} mandatory policy violation{'s' if h.mandatory != 1 else ''}" if h.mandatory \
        else "✅ no mandatory policy violations"
    if h.compared:
        figures = (f"**{fmt.delta('monthly_usd', h.usd)} USD/month** ({_percent(h.usd_percent)}) · "
                   f"**{fmt.delta('monthly_tco2e', h.tco2e)} tCO2e/month** · **{h.gpus_text}**")
    else:
        figures = (f"**{h.head_total('monthly_usd', 'USD/month')}** · **{h.head_total('monthly_tco2e', 'tCO2e/month')}** · "
                   f"**{h.gpus_text}**")
    lines = [f"**{verdict}** · {figures}", ""]
    if h.mandatory:
        lines += [f"> ❌ **Blocked by mandatory policies** — {_mandatory_by_policy(reports)}", ""]
    if h.compared and not significant:
        why = f" (no stack reaches the thresholds: {thresholds.describe()})" if thresholds.any_set and any(
            changed(r) for r in reports) else ""
        lines += [f"No significant change{why}.", ""]
    return lines


def _head_error(error: str) -> list[str]:
    tail = error.rstrip("\n").splitlines()[-ERROR_LINES:]
    cut = len(error.rstrip("\n").splitlines()) - len(tail)
    note = f" (its last {len(tail)} lines)" if cut > 0 else ""
    return ["> ⚠️ **The head preview failed**: the stacks below are what could be previewed; a stack whose "
            f"head failed is not in this report. The error{note}:", "", *inert.fenced("\n".join(tail)), ""]


# --- one stack ----------------------------------------------------------------------------------

def _stack_title(r: StackReport) -> str:
    t, c = r.summary.totals, r.comparison
    gpus = fmt.count(t.text('gpus'), "GPU") + (f" ({gpus_change(c)})" if c else "")
    usd = t.with_unit("monthly_usd", "USD/month", fmt.delta("monthly_usd", c.delta("monthly_usd")) if c else None)
    state = " — new stack" if r.base_missing else ""
    return f"### {inert.code(r.stack)}: {gpus} · {usd}{state}"


def _sources(r: StackReport) -> str:
    text = f"_head: {inert.code(r.head.source)} ({r.head.format_name})"
    if r.comparison is not None:
        base = r.comparison.base
        text += ("; base: none (no base plan: a new stack, or its base preview failed)" if r.base_missing
                 else f"; base: {inert.code(base.source)} ({base.format_name})")
    return text + "_"


def _figures(r: StackReport) -> list[str]:
    s, c = r.summary, r.comparison
    if c is None:
        rows = [(label, Md(_totals_value(s.totals, f))) for label, f in _FIGURE_ROWS]
        lines = _table(("", "this plan"), rows, None, "lr")
    else:
        rows = [(label, Md(_totals_value(c.base_totals, f)), Md(_totals_value(c.head_totals, f)),
                 Md(_delta(c, f)))
                for label, f in _FIGURE_ROWS]
        lines = _table(("", "base", "head", "change"), rows, None, "lrrr")
    notes = []
    if s.unpriced:
        notes.append(f"{fmt.count(len(s.unpriced), 'resource')} could not be priced")
    if s.unknown_energy:
        notes.append(f"{fmt.count(len(s.unknown_energy), 'resource')} without an energy estimate")
    notes = [f"{'; '.join(notes)} (listed below)"] if notes else []
    if s.not_assessed:
        notes.append(f"{fmt.count(s.not_assessed, 'resource')} not assessed (of types gpufleet does not know)")
    if notes:
        lines += ["", f"> Totals leave out what is unknown — {'; '.join(notes)}. Unknown is never counted as 0."]
    plans = [r.head] + ([r.comparison.base] if r.comparison is not None else [])
    if any(p.warnings for p in plans):
        lines += ["", *(f"> **Warning** ({inert.code(p.source)}): {inert.text(w)}" for p in plans for w in p.warnings)]
    return lines


def _policy_line(r: StackReport) -> str:
    s = r.summary
    if s.violations is None:
        if r.head.format == "gpufleet":
            return "**Policies:** not run (`gpufleet preview --no-policies`)"
        return ("**Policies:** not in this plan (`pulumi preview --json` and `pulumi stack export` carry no "
                "policy results; `gpufleet preview --json` does)")
    label = f"**Policies ({inert.code(r.head.policy_environment)}):**" if r.head.policy_environment else "**Policies:**"
    if not s.violations:
        return f"{label} ✅ no violations"
    counts = s.violation_counts()
    return label + " " + " · ".join(f"{_LEVEL_MARK.get(level, '•')} {counts[level]:,} {inert.text(level, 40)}"
                                    for level in counts)


def _change_line(c: Comparison) -> str:
    parts = [f"{len(c.of_kind(k)):,} {k}" for k in ("added", "changed", "removed")]
    return "**Resources:** " + " · ".join(parts)


def _operations_line(r: StackReport) -> str | None:
    ops = r.head.operations
    if r.head.format != "preview" or not ops:
        return None
    parts = [f"{n:,} {inert.text(op, 40)}" for op, n in sorted(ops.items()) if op != "same"] or ["no changes"]
    return "**Pulumi operations:** " + " · ".join(parts)


def _regions(r: StackReport, cap: int | None) -> list[str]:
    rows = []
    for p in region_pairs(r):
        cells: list[object] = [p.key[0], p.key[1]]
        for figure in ("gpus", "monthly_usd", "monthly_kwh", "monthly_tco2e"):
            head = region_value(p.head, figure)
            if figure == "monthly_usd" and p.head is not None and p.head.unpriced and p.head.monthly_usd is not None:
                head += f" (and {p.head.unpriced:,} unpriced)"
            cells.append(Md(_arrow(region_value(p.base, figure), head) if r.comparison else head))
        rows.append(cells)
    return _table(("cloud", "region", "GPUs", "USD/month", "kWh/month", "tCO2e/month"), rows, cap, "llrrrr")


def _workloads(r: StackReport, cap: int | None) -> list[str]:
    rows = []
    for p in workload_pairs(r):
        w = p.head or p.base
        figures = []
        for attribute, digits in (("usd_per_gpu_hour", 2), ("gco2e_per_gpu_hour", 0)):
            head = "—" if p.head is None else unit(getattr(p.head, attribute), digits)
            base = "—" if p.base is None else unit(getattr(p.base, attribute), digits)
            figures.append(Md(_arrow(base, head) if r.comparison else head))
        gpus = Md(_arrow("—" if p.base is None else p.base.gpus_text, "—" if p.head is None else p.head.gpus_text)
                  if r.comparison else w.gpus_text)
        rows.append((_code(w.name), w.where, _code(w.instance_type), gpus, *figures))
    return _table(("workload", "where", "instance type", "GPUs", "USD/GPU-hour", "gCO2e/GPU-hour"), rows, cap,
                  "lllrrr")


def _recommendations(r: StackReport, cap: int | None) -> list[str]:
    found = recommendations(r)
    locked = lock_recommendation(r)
    if not found and locked is None:
        return []
    lines = [] if locked is None else [f"- locked placement: {inert.text(locked)}"]
    shown = found if cap is None else found[:max(cap, 5)]
    for x in shown:
        usd = "unknown USD/month" if x.delta_usd is None else f"{fmt.signed(x.delta_usd, 2)} USD/month"
        co2 = "unknown tCO2e/month" if x.delta_kgco2e is None else f"{fmt.signed(x.delta_kgco2e / 1000, 3)} tCO2e/month"
        lines.append(f"- move {inert.code(x.workload)} to {inert.text(x.where)} ({inert.code(x.instance_type)}): "
                     f"{usd}, {co2}")
    if len(found) > len(shown):
        lines.append(f"- _… {len(found) - len(shown):,} more: {FULL_LIST_HINT}_")
    return lines


def _reservations(r: StackReport, cap: int | None) -> list[str]:
    head = reservations(r.head.reservations)
    base = reservations(r.comparison.base.reservations) if r.comparison else []
    now = today()
    rows = []
    for p in paired(base, head, lambda x: (x.workload, x.kind, x.id)):
        x = p.head or p.base
        period = p.head.period if p.head else "—"
        if r.comparison is not None and p.base is not None:
            period = _arrow(p.base.period, period)
        status = p.head.status(now) if p.head else "removed"
        rows.append((_code(x.workload), Md(f"{inert.text(x.kind)} {inert.code(x.id)}"), x.zone, period,
                     Md(("❌ " if "ENDED" in status else "⚠️ " if "ends" in status else "") + inert.text(status))))
    return _table(("workload", "reservation", "zone", "dates (UTC)", "status"), rows, cap)


def _fabric(r: StackReport, cap: int | None) -> list[str]:
    base = r.base_summary.fabric if r.base_summary else None
    rows = []
    for p in paired(base, r.summary.fabric, lambda f: (f.cloud, f.region, f.instance_type, f.interconnect,
                                                         f.configured)):
        nodes = [("—" if f is None else "unknown" if f.nodes is None else fmt.gpus(f.nodes)) for f in (p.base, p.head)]
        gpus = ["—" if f is None else fmt.gpu_range(f.gpus, f.max_gpus) for f in (p.base, p.head)]
        if r.comparison is None:
            nodes, gpus = [nodes[1]] * 2, [gpus[1]] * 2
        rows.append((*p.key[:3], Md(_arrow(*nodes)), Md(_arrow(*gpus)), *p.key[3:]))
    return _table(("cloud", "region", "instance type", "nodes", "GPUs", "interconnect", "configured"), rows, cap,
                  "lllrrll")


def _storage_capacity(st: Any) -> str:
    if st is None:
        return "—"
    if st.elastic:
        return "elastic"
    return fmt.number(st.capacity_tib, 2) + (" TiB" if st.capacity_tib is not None else "")


def _storage(r: StackReport, cap: int | None) -> list[str]:
    base = r.base_summary.storage if r.base_summary else None
    rows = []
    for p in paired(base, r.summary.storage, lambda st: (st.tier, st.cloud, st.region)):
        counts = ["—" if st is None else f"{st.resources:,}" for st in (p.base, p.head)]
        capacity = [_storage_capacity(p.base), _storage_capacity(p.head)]
        if r.comparison is None:
            counts, capacity = [counts[1]] * 2, [capacity[1]] * 2
        st = p.head or p.base
        rows.append((*p.key, Md(_arrow(*counts)), Md(_arrow(*capacity)), ", ".join(st.details) or "—"))
    return _table(("storage", "cloud", "region", "resources", "capacity", "details"), rows, cap, "lllrrl")


def _disruptions(c: Comparison | None, cap: int | None) -> list[str]:
    """What rolls or replaces GPU nodes, or replaces or deletes storage: never collapsed."""
    if c is None or not c.disruptions:
        return []
    rows = [(Md(f"**{d.effect}**"), _code(d.name), _code(d.type), Md(inert.text(gpus_text(d))), d.why)
            for d in c.disruptions]
    return [f"> ⚠️ **Disrupts running GPU nodes or storage** — {inert.text(disruption_summary(c.disruptions))}", "",
            *_table(("effect", "resource", "type", "GPUs", "why"), rows, cap, "lllrl"), ""]


def _violation_rows(violations: Iterable[dict[str, Any]]) -> list[tuple[object, ...]]:
    return [(Md(f"{_LEVEL_MARK.get(str(v.get('level')), '•')} {inert.text(v.get('level'), 40)}"), _code(v.get("policy")),
             _code(str(v.get("urn") or "(stack)").rsplit("::", 1)[-1]), v.get("message"))
            for v in violations]


def _mandatory_section(s: Summary, compact: bool) -> list[str]:
    found = mandatory(s)
    if not found:
        return []
    heading = f"**Mandatory policy violations ({len(found):,})** — these block the deployment:"
    if not compact:
        return [heading, "", *_table(("level", "policy", "resource", "message"), _violation_rows(found), None), ""]
    # Too many to list in full within the comment: each policy with its count and first resources.
    by_policy: dict[str, list[str]] = {}
    for v in found:
        by_policy.setdefault(str(v.get("policy")), []).append(str(v.get("urn") or "(stack)").rsplit("::", 1)[-1])
    rows = [(_code(p), Md(f"{len(names):,}"), Md(", ".join(inert.code(n, 60) for n in names[:5])
                                                 + (f", … {len(names) - 5:,} more" if len(names) > 5 else "")))
            for p, names in sorted(by_policy.items())]
    return [heading, "", *_table(("policy", "resources", "first resources"), rows, None, "lrl"), "",
            f"_Messages not shown (too many for one comment): {FULL_LIST_HINT}._", ""]


def _other_policies(s: Summary, cap: int | None) -> list[str]:
    others = [v for v in s.violations or [] if v.get("level") != "mandatory"]
    return _details(f"Other policy results ({len(others):,})",
                    _table(("level", "policy", "resource", "message"), _violation_rows(others), cap))


def _change_value(change: Change, figure: str) -> str:
    if not change.costs:
        return "—"
    return _delta(change, figure)


def _changes(c: Comparison, cap: int | None) -> list[str]:
    rows = [(Md(_KIND_MARK[ch.kind]), _code(ch.name), _code(ch.type), ", ".join(ch.changed) or "—",
             Md(_change_value(ch, "gpus")), Md(_change_value(ch, "monthly_usd")), Md(_change_value(ch, "monthly_kwh")))
            for ch in c.changes]
    table = _table(("", "resource", "type", "inputs changed", "GPUs", "USD/month", "kWh/month"), rows, cap, "llllrrr")
    return _details(f"Resource changes ({len(c.changes):,})", table)


def _unpriced(s: Summary, cap: int | None) -> list[str]:
    lines = _details(f"Unpriced resources ({len(s.unpriced):,})",
                     _table(("resource", "type", "why"), [(_code(u.name), _code(u.type), u.reason) for u in s.unpriced], cap))
    lines += _details(f"Resources without an energy estimate ({len(s.unknown_energy):,})",
                      _table(("resource", "type", "why"),
                             [(_code(u.name), _code(u.type), u.reason) for u in s.unknown_energy], cap))
    return lines


def _operations(r: StackReport, cap: int | None) -> list[str]:
    if r.head.format != "preview":
        return []
    rows = [(s.op, _code(s.urn.rsplit("::", 1)[-1]), _code(s.type)) for s in r.head.steps if s.op != "same"]
    return _details(f"Pulumi operations ({len(rows):,})", _table(("op", "resource", "type"), rows, cap))


def _stack_section(r: StackReport, cap: int | None, compact: bool) -> list[str]:
    s = r.summary
    lines = [_stack_title(r), "", _sources(r), "", *_figures(r), "", _policy_line(r) + "  "]
    if r.comparison is not None:
        lines.append(_change_line(r.comparison) + "  ")
    if (ops := _operations_line(r)) is not None:
        lines.append(ops + "  ")
    lines[-1] = lines[-1].rstrip()
    lines.append("")
    lines += _disruptions(r.comparison, cap)
    lines += _mandatory_section(s, compact)
    for title, body in (("Where", _regions(r, cap)), ("Workloads", _workloads(r, cap)),
                        ("Recommendations", _recommendations(r, cap)), ("Reservations", _reservations(r, cap)),
                        ("Fabric", _fabric(r, cap)),
                        ("Storage", _storage(r, cap))):
        if body:
            lines += [f"**{title}**", "", *body, ""]
    lines += _other_policies(s, cap)
    if r.comparison is not None:
        lines += _changes(r.comparison, cap)
    lines += _unpriced(s, cap)
    lines += _operations(r, cap)
    return lines


def _unchanged_line(r: StackReport) -> str:
    t = r.summary.totals
    counts = r.summary.violation_counts()
    policies = ("policies not in the plan" if r.summary.violations is None else
                " · ".join(f"{_LEVEL_MARK.get(k, '•')} {n:,} {inert.text(k, 40)}" for k, n in counts.items())
                or "✅ no violations")
    change = "" if not changed(r) else f" · below the thresholds ({fmt.delta('monthly_usd', r.comparison.delta('monthly_usd'))} USD/month)"  # type: ignore[union-attr]
    return (f"- {inert.code(r.stack)}: {fmt.count(t.text('gpus'), 'GPU')} · {fmt.figure('monthly_usd', t.monthly_usd)} USD/month · "
            f"{fmt.figure('monthly_tco2e', t.monthly_tco2e)} tCO2e/month · {policies}{change}")


def _chart_values(values: list[float | None]) -> str | None:
    """Mermaid data: every value known and finite, else no chart."""
    if any(v is None or not fmt.is_finite(v) for v in values):
        return None
    return ", ".join(f"{v:.2f}" for v in values)  # type: ignore[union-attr]


def _chart(reports: list[StackReport]) -> list[str]:
    """Cost and carbon by stack (several stacks) or by region (one stack), head as bars and base as a line."""
    if len(reports) > 1:
        labels = [r.stack for r in reports]
        head = [[r.summary.totals.monthly_usd for r in reports], [r.summary.totals.monthly_tco2e for r in reports]]
        base = [[r.comparison.base_totals.monthly_usd if r.comparison else None for r in reports],
                [r.comparison.base_totals.monthly_tco2e if r.comparison else None for r in reports]]
        by = "stack"
    elif reports:
        pairs = region_pairs(reports[0])
        labels = [f"{p.key[0]} {p.key[1]}" for p in pairs]
        head = [[p.head.monthly_usd if p.head else 0.0 for p in pairs], [p.head.monthly_tco2e if p.head else 0.0 for p in pairs]]
        base = [[p.base.monthly_usd if p.base else 0.0 for p in pairs], [p.base.monthly_tco2e if p.base else 0.0 for p in pairs]]
        if reports[0].comparison is None:
            base = [[None] * len(pairs)] * 2
        by = "region"
    else:
        return []
    if not labels or len(labels) > 12:
        return []
    body = []
    for (title, unit_), heads, bases in zip((("Cost", "USD/month"), ("Carbon", "tCO2e/month")), head, base):
        bars = _chart_values(heads)
        if bars is None:
            continue
        line = _chart_values(bases)
        body += ["```mermaid", "xychart-beta", f'    title "{title} by {by} ({unit_}; bars: head, line: base)"',
                 "    x-axis [" + ", ".join(f'"{inert.label(x)}"' for x in labels) + "]",
                 f'    y-axis "{unit_}"', f"    bar [{bars}]", *([f"    line [{line}]"] if line else []), "```", ""]
    return _details(f"Chart: cost and carbon by {by}", body)


def _render(reports: list[StackReport], cap: int | None, compact: bool, thresholds: Thresholds,
            head_error: str | None) -> str:
    significant, rest = ordered(reports, thresholds)
    lines = [MARKER, "## gpufleet: cost, energy, carbon and policies", ""]
    lines += _headline(reports, significant, thresholds)
    if head_error is not None:
        lines += _head_error(head_error)
    for r in significant:
        lines += _stack_section(r, cap, compact)
    if rest:
        lines += [f"**Unchanged ({len(rest):,}):**" if not thresholds.any_set
                  else f"**Unchanged or below the thresholds ({len(rest):,}):**", "",
                  *(_unchanged_line(r) for r in (rest if cap is None else rest[:max(cap, 20)])), ""]
        if cap is not None and len(rest) > max(cap, 20):
            lines += [f"_… {fmt.count(len(rest) - max(cap, 20), 'more stack')}: {FULL_LIST_HINT}._", ""]
    if significant:
        lines += _chart(reports)
    changes = " Changes are head minus base." if any(r.comparison for r in reports) else ""
    lines.append("<sub>Estimated from the plans' resource inputs with gpufleet's catalog (list prices, grid "
                 f"intensity, PUE).{changes}</sub>")
    return "\n".join(lines) + "\n"


def _hard_cut(text: str, limit: int) -> str:
    note = f"\n\n_Report cut at GitHub's comment size limit: {FULL_LIST_HINT}._\n"
    budget = limit - len(note) - len("\n</details>") * 8
    cut = text[:budget].rsplit("\n", 1)[0]
    if cut.count("```") % 2:
        cut += "\n```"
    open_details = cut.count("<details>") - cut.count("</details>")
    return cut + "\n</details>" * open_details + note


def render_markdown(reports: list[StackReport], limit: int = COMMENT_LIMIT, *, thresholds: Thresholds | None = None,
                    head_error: str | None = None) -> str:
    """The comment, at most `limit` characters, starting with the marker the workflow looks for."""
    thresholds = thresholds or Thresholds()
    text = ""
    for compact in (False, True):
        for cap in _ROW_CAPS:
            text = _render(reports, cap, compact, thresholds, head_error)
            if len(text) <= limit:
                return text
    return _hard_cut(text, limit)
