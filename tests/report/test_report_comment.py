"""The pull-request comment leads with what changed, and stays inert whatever a plan says.

Changed stacks first and expanded, unchanged ones on one line; the headline verdict; thresholds; a
failed head preview; recommendations and the chart; hostile plans (HTML, Markdown, @mentions, #refs,
links, absurd and infinite totals, huge violation lists) and plans of 10k node groups.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from gpufleet.cli import main
from gpufleet.report.markdown import COMMENT_LIMIT, MARKER, render_markdown
from gpufleet.report.model import load_reports
from gpufleet.report.verdict import Thresholds

FIXTURES = Path(__file__).parent / "fixtures"
BASE, HEAD = FIXTURES / "gpufleet-base.json", FIXTURES / "gpufleet-head.json"


def _folders(tmp_path: Path, stacks: dict[str, tuple[dict, dict]]) -> tuple[Path, Path]:
    base, head = tmp_path / "base", tmp_path / "head"
    for folder in (base, head):
        folder.mkdir()
    for stack, (b, h) in stacks.items():
        (base / f"{stack}.json").write_text(json.dumps(b))
        (head / f"{stack}.json").write_text(json.dumps(h))
    return base, head


def _plan(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_changed_stack_comes_first_expanded_and_the_other_on_one_line(tmp_path, gpufleet_cli):
    # "aaa" sorts first but is unchanged; "zzz" changed.
    base, head = _folders(tmp_path, {"aaa": (_plan(BASE), _plan(BASE)), "zzz": (_plan(BASE), _plan(HEAD))})
    code, out, err = gpufleet_cli("report", head, "--base", base, "--output", "-")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == [MARKER, "## gpufleet: cost, energy, carbon and policies", "",
                         "**❌ 1 mandatory policy violation** · **+40,179.20 USD/month** (+9.0 %) · "
                         "**+0.767 tCO2e/month** · **+8 GPUs**"]
    assert lines[5] == "> ❌ **Blocked by mandatory policies** — `zzz`: `gpufleet-budget-monthly-usd` (1)"
    assert lines[7] == "### `zzz`: 40 GPUs (+8) · 264,157.80 USD/month (partial; +40,179.20)"
    assert "### `aaa`" not in out
    assert "**Unchanged (1):**\n\n- `aaa`: 32 GPUs · 223,978.60 USD/month · 5.936 tCO2e/month · " in out
    assert out.index("### `zzz`") < out.index("- `aaa`")
    # base -> head in the tables that have both
    # the EKS control plane is priced in the region beside the node group; 3 resources there are not
    assert ("| aws | us-west-2 | 16 → 24 | 80,431.40 → 120,610.60 (and 3 unpriced) | 12,813.9 → 19,218.4 | "
            "1.535 → 2.302 |") in out
    assert "| `train-nodes` | aws us-west-2 | `p5.48xlarge` | 16 → 24 | 6.88 | 131 |" in out
    # a small chart of cost and carbon by stack, collapsed
    chart = out[out.index("<summary>Chart: cost and carbon by stack</summary>"):]
    assert '    x-axis ["aaa", "zzz"]\n    y-axis "USD/month"\n    bar [223978.60, 264157.80]\n' \
           '    line [223978.60, 223978.60]\n' in chart


def test_the_same_in_the_terminal_fits_80_columns(tmp_path, gpufleet_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    base, head = _folders(tmp_path, {"aaa": (_plan(BASE), _plan(BASE)), "zzz": (_plan(BASE), _plan(HEAD))})
    code, out, _ = gpufleet_cli("report", head, "--base", base)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.splitlines()[0] == ("Change: +40,179.20 USD/month (+9.0 %) · +0.767 tCO2e/month · +8 GPUs · 1")
    # the totals leave unpriced resources out, as the preview says: "(partial)", and what they leave out
    assert out.index("Stack zzz: 40 GPUs · 264,157.80 USD/month (partial; +40,179.20)") < out.index("Unchanged:")
    assert ("USD/month               223,978.60 (partial)   264,157.80 (partial)   +40,179.20\n" in out)
    assert ("Totals leave out 6 unpriced resources (head); 5 unpriced resources (base); unknown is never counted "
            "as 0.") in " ".join(out.split())
    assert "  aaa: 32 GPUs · 223,978.60 USD/month (partial) · 0 mandatory" in out
    assert "aws us-west-2   16 → 24   80,431.40 → 120,610.60   1.535 → 2.302" in out


def test_a_change_below_the_thresholds_is_kept_out(tmp_path):
    base, head = _folders(tmp_path, {"prod": (_plan(BASE), _plan(BASE))})
    plan = _plan(BASE)
    plan["gpufleet"]["totals"]["monthly_usd"] += 12.5  # a trivial change: +12.50 USD/month
    (head / "prod.json").write_text(json.dumps(plan))
    reports = load_reports(head, base)
    full = render_markdown(reports)
    assert "### `prod`" in full  # without thresholds any change is shown
    kept_out = render_markdown(reports, thresholds=Thresholds(min_usd=100, min_percent=1))
    assert "### `prod`" not in kept_out
    assert ("No significant change (no stack reaches the thresholds: 100.00 USD/month or 1 %).\n" in kept_out)
    assert ("- `prod`: 32 GPUs · 223,991.10 USD/month · 5.936 tCO2e/month · ⚠️ 1 advisory · below the thresholds "
            "(+12.50 USD/month)\n") in kept_out
    assert "### `prod`" in render_markdown(reports, thresholds=Thresholds(min_usd=10))


def test_a_failed_head_preview_is_said_with_its_error(tmp_path, gpufleet_cli):
    base, head = _folders(tmp_path, {"prod": (_plan(BASE), _plan(HEAD))})
    (head / "prod.json").unlink()
    error = tmp_path / "head-error.txt"
    error.write_text("$ gpufleet preview prod\nerror: the Pulumi program failed: ```KeyError: 'nodes'``` @team\n")
    code, out, err = gpufleet_cli("report", head, "--base", base, "--head-error", error, "--output", "-")
    assert (code, err) == (0, "")
    assert "> ⚠️ **The head preview failed**" in out
    assert "````text\n$ gpufleet preview prod\nerror: the Pulumi program failed: ```KeyError: 'nodes'``` @team\n````" in out
    assert "### `prod`" not in out  # its head failed: not reported as removed


def test_recommendations_from_the_placement(tmp_path, gpufleet_cli):
    plan = _plan(HEAD)
    plan["gpufleet"]["placement"] = {"workloads": {"train": {"runners_up": [
        {"cloud": "aws", "region": "us-east-1", "instance_type": "p5.48xlarge", "delta_monthly_usd": -1200.5,
         "delta_monthly_kgco2e": 300.0},
        {"cloud": "aws", "region": "eu-north-1", "instance_type": "p5.48xlarge", "delta_monthly_usd": 10.0,
         "delta_monthly_kgco2e": -2500.0},
        {"cloud": "azure", "region": "eastus", "instance_type": "x", "delta_monthly_usd": 5.0,
         "delta_monthly_kgco2e": 5.0}]}}}
    (tmp_path / "p.json").write_text(json.dumps(plan))
    _, out, _ = gpufleet_cli("report", tmp_path / "p.json", "--output", "-")
    assert ("**Recommendations**\n\n"
            "- move `train` to aws us-east-1 (`p5.48xlarge`): -1,200.50 USD/month, +0.300 tCO2e/month\n"
            "- move `train` to aws eu-north-1 (`p5.48xlarge`): +10.00 USD/month, -2.500 tCO2e/month\n\n") in out


# --- hostile plans ------------------------------------------------------------------------------

HOSTILE = ("<details><summary>x</summary><img src=x onerror=alert(1)> @everyone @org/platform-team see #123 "
           "GH-42 https://evil.example/phish www.evil.example [click](https://evil.example) **bold** | cell "
           "`code` <!-- gpufleet-report --> ![img](https://evil.example/i.png)\n## heading")
ALLOWED_TAGS = {"p", "h2", "h3", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "strong", "em",
                "details", "summary", "sub", "ul", "li", "blockquote", "br"}


class _Html(HTMLParser):
    """Tags, and the text outside code, of the comment rendered as GitHub would (CommonMark + tables)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._code += tag in ("code", "pre")

    def handle_endtag(self, tag):
        self._code -= tag in ("code", "pre")

    def handle_data(self, data):
        if not self._code:
            self.text.append(data)


def _rendered(markdown: str) -> _Html:
    html = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(markdown)
    parser = _Html()
    parser.feed(html)
    return parser


def _hostile_plan() -> dict:
    plan = copy.deepcopy(_plan(HEAD))
    g = plan["gpufleet"]
    for v in g["violations"]:
        v["message"] = HOSTILE
        v["policy"] = HOSTILE
        v["level"] = "mandatory"
    g["policy_environment"] = HOSTILE
    urn = next(iter(g["estimates"]))
    bad = urn.rsplit("::", 1)[0] + "::" + HOSTILE.replace("\n", " ")
    g["estimates"][bad] = g["estimates"].pop(urn)
    g["estimates"][bad]["region"] = HOSTILE
    g["unpriced"] = [bad if u == urn else u for u in g["unpriced"]]
    for step in plan["steps"]:
        if step["urn"] == urn:
            step["urn"] = step["newState"]["urn"] = bad
            step["newState"]["inputs"][HOSTILE] = "x"
    return plan


def test_a_hostile_plan_renders_an_inert_comment(tmp_path, gpufleet_cli):
    (tmp_path / "head.json").write_text(json.dumps(_hostile_plan()))
    code, out, _ = gpufleet_cli("report", tmp_path / "head.json", "--base", BASE, "--output", "-")
    assert code == 0
    assert out.count(MARKER) == 1 and out.startswith(MARKER)
    html = _rendered(out)
    assert html.tags <= ALLOWED_TAGS  # no <img>, <a>, raw <details> from the plan, no heading from a value
    text = "".join(html.text)
    assert not re.search(r"@\w", text), "an @mention"
    assert not re.search(r"#\d", text) and not re.search(r"GH-\d", text, re.IGNORECASE), "a reference"
    assert "://" not in text and "www." not in text, "a link"
    assert "<img src=x onerror=alert(1)>" in text  # shown as text, not dropped
    assert text.count("@\u200beveryone") >= 2  # the mention, broken, in messages and policy names


def test_mandatory_violations_are_never_cut_away(tmp_path):
    plan = _plan(HEAD)
    noise = "x" * 5000
    plan["gpufleet"]["violations"] = (
        [{"policy": "loud-advisory", "level": "advisory", "urn": None, "message": noise}] * 200
        + [{"policy": f"blocker-{i % 300:03d}", "level": "mandatory", "urn": f"urn:pulumi:prod::p::t::r{i}",
            "message": noise} for i in range(3000)])
    (tmp_path / "head.json").write_text(json.dumps(plan))
    text = render_markdown(load_reports(tmp_path / "head.json", BASE))
    assert len(text) <= COMMENT_LIMIT
    assert "Report cut at GitHub's comment size limit" not in text
    headline = text.splitlines()[5]
    assert headline.startswith("> ❌ **Blocked by mandatory policies** — `prod`: `blocker-000` (10), ")
    assert headline.endswith(", `blocker-049` (10), and 250 more policies")
    # every mandatory policy, with its count, its first resources; the messages do not fit
    section = text[text.index("**Mandatory policy violations (3,000)**"):]
    assert all(f"| `blocker-{i:03d}` | 10 | `r" in section for i in range(300))
    assert "_Messages not shown (too many for one comment)" in section


def test_absurd_and_infinite_totals_are_reported_as_such(tmp_path, gpufleet_cli, monkeypatch):
    plan = _plan(HEAD)
    plan["gpufleet"]["totals"]["monthly_usd"] = 1e26
    urn = next(u for u, e in plan["gpufleet"]["estimates"].items() if e.get("gpus"))
    plan["gpufleet"]["estimates"][urn]["monthly_kwh"] = 1.7e308
    plan["gpufleet"]["estimates"][urn + "2"] = dict(plan["gpufleet"]["estimates"][urn])  # the sum overflows
    (tmp_path / "head.json").write_text(json.dumps(plan))
    code, out, err = gpufleet_cli("report", tmp_path / "head.json", "--base", BASE, "--output", "-")
    assert (code, err) == (0, "")
    assert "| USD/month | 223,978.60 (partial) | 1.000e+26 (partial) | +1.000e+26 |" in out
    assert "infinite" in out
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = gpufleet_cli("diff", BASE, tmp_path / "head.json")
    assert (code, err) == (0, "")
    assert "USD/month                223,978.60 (partial)   1.000e+26 (partial)   +1.000e+26\n" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_report_is_linear_in_the_plan_s_size(tmp_path):
    """10,000 node groups naming a launch template outside the plan (once minutes: each looked it up
    by scanning every resource)."""
    steps = []
    for i in range(10_000):
        urn = f"urn:pulumi:prod::big::aws:eks/nodeGroup:NodeGroup::ng-{i}"
        steps.append({"op": "create", "urn": urn, "newState": {
            "urn": urn, "type": "aws:eks/nodeGroup:NodeGroup", "custom": True,
            "inputs": {"launchTemplate": {"id": "lt-outside", "version": "1"}, "launchTemplateName": "x",
                       "scalingConfig": {"desiredSize": 1, "minSize": 1, "maxSize": 1}}}})
    (tmp_path / "big.json").write_text(json.dumps({"steps": steps, "config": {"aws:region": "us-west-2"}}))
    assert main(["report", str(tmp_path / "big.json"), "--output", str(tmp_path / "r.md")]) == 0
    assert (tmp_path / "r.md").read_text().startswith(MARKER)


def test_terminal_escapes_in_a_plan_never_reach_the_terminal(tmp_path, gpufleet_cli, monkeypatch):
    plan = _plan(HEAD)
    escapes = "\x1b]0;title\x07\x1b[2J\rover\u202egnp.exe"
    urn = next(iter(plan["gpufleet"]["estimates"]))
    bad = urn.rsplit("::", 1)[0] + "::n" + escapes
    plan["gpufleet"]["estimates"][bad] = plan["gpufleet"]["estimates"].pop(urn)
    for step in plan["steps"]:
        if step["urn"] == urn:
            step["urn"] = step["newState"]["urn"] = bad
    plan["gpufleet"]["violations"] = [{"policy": "p" + escapes, "level": "mandatory", "urn": None,
                                       "message": "m" + escapes}]
    (tmp_path / "head.json").write_text(json.dumps(plan))
    monkeypatch.setenv("COLUMNS", "80")
    for args in (("diff", BASE, tmp_path / "head.json"), ("report", tmp_path / "head.json", "--base", BASE),
                 ("report", tmp_path / "head.json", "--base", BASE, "--output", "-")):
        code, out, _ = gpufleet_cli(*args)
        assert code == 0, args
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out), args
        assert "p\ufffd]0;title\ufffd\ufffd[2J\ufffdover\ufffdgnp.exe" in out.replace("\n", ""), args


def test_math_in_a_plan_value_is_shown_as_written():
    from gpufleet.report import inert

    assert inert.text("$\\Huge{X}$ costs $5") == "\\$\\\\Huge{X}\\$ costs \\$5"
