"""The report as Markdown for a pull-request comment.

Order: the figures first (one screen per stack: totals and their change, policies in one line, where
the GPUs are, fabric, storage), then mandatory policy violations, then the long lists collapsed in
`<details>`. The text stays under GitHub's comment limit (65,536 characters): long lists are cut
with a note saying how many rows were left out, and if that is not enough the text is cut.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from gpufleet.report import fmt
from gpufleet.report.compare import Change, Comparison
from gpufleet.report.model import StackReport
from gpufleet.report.summary import Summary, Totals

MARKER = "<!-- gpufleet-report -->"
COMMENT_LIMIT = 65_536
# Row caps tried in turn until the comment fits; None shows every row.
_ROW_CAPS: tuple[int | None, ...] = (None, 400, 200, 100, 50, 25, 10, 5, 0)
_FIGURE_ROWS = (("GPUs", "gpus"), ("USD/month", "monthly_usd"), ("kWh/month", "monthly_kwh"),
                ("tCO2e/month", "monthly_tco2e"))
_LEVEL_MARK = {"mandatory": "❌", "remediate": "🔧", "advisory": "⚠️"}
_KIND_MARK = {"added": "+", "removed": "-", "changed": "~"}
FULL_LIST_HINT = "run `gpufleet report` or `gpufleet diff` locally for the full list"


def _cell(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def _code(value: object) -> str:
    return f"`{_cell(value).replace('`', chr(39))}`"


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
    return f"{totals.gpus:,}" if figure == "gpus" else fmt.figure(figure, getattr(totals, figure))


# --- sections -----------------------------------------------------------------------------------

def _headline(r: StackReport) -> str:
    t, c = r.summary.totals, r.comparison
    gpus = f"{t.gpus:,} GPUs" + (f" ({fmt.delta('gpus', c.delta('gpus'))})" if c else "")
    usd = f"{fmt.figure('monthly_usd', t.monthly_usd)} USD/month" + (
        f" ({fmt.delta('monthly_usd', c.delta('monthly_usd'))})" if c else "")
    return f"### {_code(r.stack)}: {gpus} · {usd}"


def _sources(r: StackReport) -> str:
    text = f"_head: {_code(r.head.source)} ({r.head.format_name})"
    if r.comparison is not None:
        base = r.comparison.base
        text += "; base: none (no base plan: a new stack, or its base preview failed)" if r.base_missing else f"; base: {_code(base.source)} ({base.format_name})"
    return text + "_"


def _figures(r: StackReport) -> list[str]:
    s, c = r.summary, r.comparison
    if c is None:
        rows = [(label, _totals_value(s.totals, f)) for label, f in _FIGURE_ROWS]
        lines = _table(("", "this plan"), rows, None, "lr")
    else:
        rows = [(label, _totals_value(c.base_totals, f), _totals_value(c.head_totals, f), fmt.delta(f, c.delta(f)))
                for label, f in _FIGURE_ROWS]
        lines = _table(("", "base", "head", "change"), rows, None, "lrrr")
    notes = []
    if s.unpriced:
        notes.append(f"{fmt.count(len(s.unpriced), 'resource')} could not be priced")
    if s.unknown_energy:
        notes.append(f"{fmt.count(len(s.unknown_energy), 'GPU resource')} without an energy estimate")
    if notes:
        lines += ["", f"> Totals leave out what is unknown — {'; '.join(notes)} (listed below). "
                      "Unknown is never counted as 0."]
    plans = [r.head] + ([r.comparison.base] if r.comparison is not None else [])
    lines += ["", *(f"> **Warning** ({_code(p.source)}): {w}" for p in plans for w in p.warnings)] \
        if any(p.warnings for p in plans) else []
    return lines


def _policy_line(r: StackReport) -> str:
    s = r.summary
    if s.violations is None:
        if r.head.format == "gpufleet":
            return "**Policies:** not run (`gpufleet preview --no-policies`)"
        return ("**Policies:** not in this plan (`pulumi preview --json` and `pulumi stack export` carry no "
                "policy results; `gpufleet preview --json` does)")
    label = f"**Policies ({_code(r.head.policy_environment)}):**" if r.head.policy_environment else "**Policies:**"
    if not s.violations:
        return f"{label} ✅ no violations"
    counts = s.violation_counts()
    return label + " " + " · ".join(f"{_LEVEL_MARK.get(level, '•')} {counts[level]:,} {level}" for level in counts)


def _change_line(c: Comparison) -> str:
    parts = [f"{len(c.of_kind(k)):,} {k}" for k in ("added", "changed", "removed")]
    return "**Resources:** " + " · ".join(parts)


def _operations_line(r: StackReport) -> str | None:
    ops = r.head.operations
    if r.head.format != "preview" or not ops:
        return None
    parts = [f"{n:,} {op}" for op, n in sorted(ops.items()) if op != "same"] or ["no changes"]
    return "**Pulumi operations:** " + " · ".join(parts)


def _regions(s: Summary, cap: int | None) -> list[str]:
    rows = [(r.cloud, r.region, f"{r.gpus:,}", fmt.figure("monthly_usd", r.monthly_usd)
             + (f" (and {r.unpriced:,} unpriced)" if r.unpriced and r.monthly_usd is not None else ""),
             fmt.figure("monthly_kwh", r.monthly_kwh), fmt.figure("monthly_tco2e", r.monthly_tco2e))
            for r in s.regions]
    return _table(("cloud", "region", "GPUs", "USD/month", "kWh/month", "tCO2e/month"), rows, cap, "llrrrr")


def _fabric(s: Summary, cap: int | None) -> list[str]:
    rows = [(f.cloud, f.region, f.instance_type, "unknown" if f.nodes is None else f"{f.nodes:,}", f"{f.gpus:,}",
             f.interconnect, f.configured) for f in s.fabric]
    return _table(("cloud", "region", "instance type", "nodes", "GPUs", "interconnect", "configured"), rows, cap,
                  "lllrrll")


def _storage(s: Summary, cap: int | None) -> list[str]:
    rows = [(st.tier, st.cloud, st.region, f"{st.resources:,}",
             "elastic" if st.elastic else fmt.number(st.capacity_tib, 2) + (" TiB" if st.capacity_tib is not None else ""),
             ", ".join(st.details) or "—") for st in s.storage]
    return _table(("storage", "cloud", "region", "resources", "capacity", "details"), rows, cap, "lllrrl")


def _violation_rows(violations: Iterable[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [(f"{_LEVEL_MARK.get(str(v.get('level')), '•')} {v.get('level')}", _code(v.get("policy")),
             _code(str(v.get("urn") or "(stack)").rsplit("::", 1)[-1]), str(v.get("message")))
            for v in violations]


def _policies(s: Summary, cap: int | None) -> list[str]:
    if not s.violations:
        return []
    headers = ("level", "policy", "resource", "message")
    mandatory = [v for v in s.violations if v.get("level") == "mandatory"]
    others = [v for v in s.violations if v.get("level") != "mandatory"]
    lines = []
    if mandatory:
        lines += [f"**Mandatory policy violations ({len(mandatory):,})** — these block the deployment:", "",
                  *_table(headers, _violation_rows(mandatory), cap if cap is None else max(cap, 5)), ""]
    lines += _details(f"Other policy results ({len(others):,})", _table(headers, _violation_rows(others), cap))
    return lines


def _change_value(change: Change, figure: str) -> str:
    if not change.costs:
        return "—"
    return fmt.delta(figure, change.delta(figure))


def _changes(c: Comparison, cap: int | None) -> list[str]:
    rows = [(_KIND_MARK[ch.kind], _code(ch.name), _code(ch.type), ", ".join(ch.changed) or "—",
             _change_value(ch, "gpus"), _change_value(ch, "monthly_usd"), _change_value(ch, "monthly_kwh"))
            for ch in c.changes]
    table = _table(("", "resource", "type", "inputs changed", "GPUs", "USD/month", "kWh/month"), rows, cap, "llllrrr")
    return _details(f"Resource changes ({len(c.changes):,})", table)


def _unpriced(s: Summary, cap: int | None) -> list[str]:
    lines = _details(f"Unpriced resources ({len(s.unpriced):,})",
                     _table(("resource", "type", "why"), [(_code(u.name), _code(u.type), u.reason) for u in s.unpriced], cap))
    lines += _details(f"GPU resources without an energy estimate ({len(s.unknown_energy):,})",
                      _table(("resource", "type", "why"),
                             [(_code(u.name), _code(u.type), u.reason) for u in s.unknown_energy], cap))
    return lines


def _operations(r: StackReport, cap: int | None) -> list[str]:
    if r.head.format != "preview":
        return []
    rows = [(s.op, _code(s.urn.rsplit("::", 1)[-1]), _code(s.type)) for s in r.head.steps if s.op != "same"]
    return _details(f"Pulumi operations ({len(rows):,})", _table(("op", "resource", "type"), rows, cap))


def _stack_section(r: StackReport, cap: int | None) -> list[str]:
    s = r.summary
    lines = [_headline(r), "", _sources(r), "", *_figures(r), "", _policy_line(r) + "  "]
    if r.comparison is not None:
        lines.append(_change_line(r.comparison) + "  ")
    if (ops := _operations_line(r)) is not None:
        lines.append(ops + "  ")
    lines[-1] = lines[-1].rstrip()
    lines.append("")
    for title, body in (("Where", _regions(s, cap)), ("Fabric", _fabric(s, cap)), ("Storage", _storage(s, cap))):
        if body:
            lines += [f"**{title}**", "", *body, ""]
    lines += _policies(s, cap)
    if r.comparison is not None:
        lines += _changes(r.comparison, cap)
    lines += _unpriced(s, cap)
    lines += _operations(r, cap)
    return lines


def _overview(reports: list[StackReport]) -> list[str]:
    rows = []
    for r in reports:
        t, c = r.summary.totals, r.comparison
        cells = [_code(r.stack)]
        for _, f in _FIGURE_ROWS:
            value = _totals_value(t, f)
            cells.append(value + (f" ({fmt.delta(f, c.delta(f))})" if c else ""))
        counts = r.summary.violation_counts()
        cells.append("n/a" if r.summary.violations is None else
                     " · ".join(f"{_LEVEL_MARK.get(k, '•')} {n}" for k, n in counts.items()) or "✅")
        rows.append(cells)
    return _table(("stack", "GPUs", "USD/month", "kWh/month", "tCO2e/month", "policies"), rows, None, "lrrrrl")


def _render(reports: list[StackReport], cap: int | None) -> str:
    lines = [MARKER, "## gpufleet: cost, energy, carbon and policies", ""]
    if len(reports) > 1:
        lines += [*_overview(reports), ""]
    for r in reports:
        lines += _stack_section(r, cap)
    changes = " Changes are head minus base." if any(r.comparison for r in reports) else ""
    lines.append("<sub>Estimated from the plans' resource inputs with gpufleet's catalog (list prices, grid "
                 f"intensity, PUE).{changes}</sub>")
    return "\n".join(lines) + "\n"


def _hard_cut(text: str, limit: int) -> str:
    note = f"\n\n_Report cut at GitHub's comment size limit: {FULL_LIST_HINT}._\n"
    budget = limit - len(note) - len("\n</details>") * 8
    cut = text[:budget].rsplit("\n", 1)[0]
    open_details = cut.count("<details>") - cut.count("</details>")
    return cut + "\n</details>" * open_details + note


def render_markdown(reports: list[StackReport], limit: int = COMMENT_LIMIT) -> str:
    """The comment, at most `limit` characters, starting with the marker the workflow looks for."""
    text = ""
    for cap in _ROW_CAPS:
        text = _render(reports, cap)
        if len(text) <= limit:
            return text
    return _hard_cut(text, limit)
