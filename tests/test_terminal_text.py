"""Values gpufleet did not write (resource names, warnings, notes, policy messages, file names, values
echoed in errors) print as the text they are: control characters and bidirectional marks escaped, in
every line gpufleet writes to a terminal, in its workflow annotations and in the report's Markdown."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from gpufleet.cli import main
from gpufleet.commands._terminal import console, text_console
from gpufleet.commands.preview import render_placement
from gpufleet.report import inert as markdown
from gpufleet.terminal_text import inert

FIXTURES = Path(__file__).parent / "report" / "fixtures"
# What a hostile value carries: an ESC sequence that recolours the terminal, a right-to-left override,
# a carriage return (the rest of the line would overwrite its start), a bell, a line separator.
HOSTILE = "gpu\x1b[31m\u202e\r\x07\u2028x"
SHOWN = "gpu\\u001b[31m\\u202e\\u000d\\u0007\\u2028x"


def test_inert_escapes_controls_and_bidi_marks_and_keeps_tabs_and_newlines():
    assert inert(HOSTILE) == SHOWN
    assert inert("\u061c\u200e\u200f\u2029\u202a\u2066\u2069\x7f\x85\x00") == (
        "\\u061c\\u200e\\u200f\\u2029\\u202a\\u2066\\u2069\\u007f\\u0085\\u0000")
    assert inert("a\tb\nc é 漢 \u200b") == "a\tb\nc é 漢 \u200b"  # printable text, tab and newline untouched


def test_gpufleet_consoles_escape_what_was_printed_without_inert(monkeypatch):
    """The render hook: a value that reached a line unescaped still shows escaped (rich itself drops CR
    and BEL from a Text, so only `inert` before rich shows those)."""
    buffer = io.StringIO()
    out = text_console(buffer, 80)
    out.print(Text("name \x1b[2J\u202eevil"))
    out.print("[bold]x[/] \x1b]0;title\x07")  # plain text: no markup; the OSC sequence shown, BEL dropped
    assert buffer.getvalue() == "name \\u001b[2J\\u202eevil\n[bold]x[/] \\u001b]0;title\n"
    for name, value in (("COLUMNS", "100"), ("FORCE_COLOR", "1"), ("TERM", "xterm-256color")):
        monkeypatch.setenv(name, value)  # a colour terminal: rich's own colour codes stay codes
    colour = console()
    colour.file = io.StringIO()
    colour.print(Text("ok \x1b[31m", style="red"))
    colour.print("[bold]x[/] \u202e")  # markup still works
    assert colour.file.getvalue() == "\x1b[31mok \\u001b[31m\x1b[0m\n\x1b[1mx\x1b[0m \\u202e\n"


def test_preview_notes_and_advisories_show_controls_escaped():
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, color_system=None)
    render_placement({"catalog": {"version": "2026.11", "data": f"overlay {HOSTILE}"}, "not_locked": [HOSTILE],
                      "recommendation": {"text": f"move {HOSTILE} to aws us-west-2"},
                      "advisories": [f"workload {HOSTILE}: no price"]}, out, "prod")
    assert buffer.getvalue().splitlines() == [
        f"Catalog: 2026.11 (overlay {SHOWN})",
        f"Not locked: 1 workload ({SHOWN}), placed at this run: they may move when the catalog changes; lock with "
        "`gpufleet place prod --lock`",
        f"Recommendation: move {SHOWN} to aws us-west-2",
        f"Advisory: workload {SHOWN}: no price"]


def _hostile_partial_plan(tmp_path: Path) -> Path:
    """A `pulumi preview --json` of changes only (gpufleet warns about it) whose file name and changed
    resource's name are hostile."""
    doc = json.loads((FIXTURES / "cli-preview-p5x4.json").read_text())
    changed = copy.deepcopy(doc)
    [step] = [s for s in doc["steps"] if s["urn"].endswith("::trainer-0")]
    step = json.loads(json.dumps(step).replace("trainer-0", "trainer\\u001b[31m\\u202e\\r"))
    changed["steps"] = [{**step, "op": "update"}]
    changed["changeSummary"] = {"same": 4, "update": 1}
    path = tmp_path / "evil\x1b[31m\u202e\r.json"
    path.write_text(json.dumps(changed))
    return path


def test_diff_and_report_warning_lines_and_resource_names_show_controls_escaped(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line each, to compare whole lines
    path = _hostile_partial_plan(tmp_path)
    shown_path = f"{tmp_path}/evil\\u001b[31m\\u202e\\u000d.json"
    warning = (f"Warning ({shown_path}): this preview lists changed resources only: 4 unchanged resource(s) are "
               "not in it, so its totals cover the changes, not the whole stack. Run `pulumi preview --json "
               "--show-sames`.")
    assert main(["diff", str(FIXTURES / "cli-preview-p5x4.json"), str(path)]) == 0
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines()]
    assert f"Stack dev: {FIXTURES / 'cli-preview-p5x4.json'} (pulumi preview --json) -> {shown_path} " \
           "(pulumi preview --json)" in lines
    assert warning in lines
    # the plan reader already replaced the controls in the plan's own values (gpufleet.report.plans)
    assert any(line.startswith("+   trainer\ufffd[31m\ufffd\ufffd ") for line in lines), out
    assert not any(c in out for c in "\x1b\u202e\r")
    assert main(["report", str(path)]) == 0
    out = capsys.readouterr().out
    assert warning in [line.strip() for line in out.splitlines()]
    assert not any(c in out for c in "\x1b\u202e\r")


def test_an_error_echoing_a_file_name_shows_controls_escaped(tmp_path, capsys):
    path = tmp_path / "plan\x1b[2J\u202e.json"
    path.write_text("{not json")
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unreadable plan: 1 problem(s)\n"
                          f"  - {tmp_path}/plan\\u001b[2J\\u202e.json:1:2: "), err
    assert "\x1b" not in err and "\u202e" not in err


def test_markdown_values_show_controls_escaped():
    assert markdown.text(HOSTILE) == "gpu\\\\u001b\\[31m\\\\u202e \\\\u0007 x"  # CR, U+2028: whitespace there
    assert markdown.code("gpu\x1b[31m\u202e") == "`gpu\\u001b[31m\\u202e`"
    assert markdown.fenced("line 1\x1b[2J\nline 2\u202e") == ["```text", "line 1\\u001b[2J\nline 2\\u202e", "```"]


def test_workflow_annotations_cannot_start_a_command_of_their_own(tmp_path, capsys, monkeypatch):
    """`::error::` lines carry the head's policy messages: a newline in one must not begin a line of its
    own (GitHub would run it as a workflow command), and `%` must not decode as an escape."""
    from gpufleet.report import ci

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    ci._annotate("error", "100%0A\n::add-mask::x\r::stop-commands::t\x1b[2J\u202e")
    assert capsys.readouterr().err == "::error::100%250A%0A::add-mask::x%0D::stop-commands::t\\u001b[2J\\u202e\n"
    monkeypatch.delenv("GITHUB_ACTIONS")
    ci._annotate("error", "100%0A\n::add-mask::x\r\x1b[2J")
    assert capsys.readouterr().err == "error: 100%0A\n::add-mask::x\\u000d\\u001b[2J\n"
    # through `check`, from a head's plan (whose reader already replaced the controls in its values)
    doc = json.loads((FIXTURES / "gpufleet-head.json").read_text())
    [budget] = [v for v in doc["gpufleet"]["violations"] if v["level"] == "mandatory"]
    budget["message"] = "over budget 100%0A\n::add-mask::x\r\x1b[2J"
    (tmp_path / "head").mkdir()
    (tmp_path / "head" / "prod.json").write_text(json.dumps(doc))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PR_"))}
    done = subprocess.run([sys.executable, "-m", "gpufleet.report.ci", "check", str(tmp_path / "head")],
                          capture_output=True, text=True, env={**env, "GITHUB_ACTIONS": "true"}, timeout=120)
    assert (done.returncode, done.stdout) == (1, "1 mandatory policy violation(s)\n")
    assert done.stderr == ("::error::prod: gpufleet-budget-monthly-usd (stack): over budget 100%250A%0A::add-mask::x"
                           "\ufffd\ufffd[2J\n")


def test_a_program_error_prints_escaped_exit_3(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("raise ValueError('no GPUs \\x1b[2J\\u202e\\r configured')\n")
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies"]) == 3
    err = capsys.readouterr().err
    assert "ValueError: no GPUs \\u001b[2J\\u202e\\u000d configured" in err, err
    assert not any(c in err for c in "\x1b\u202e\r")


def test_task_stacks_are_listed_escaped(capsys):
    import argparse
    from datetime import datetime, timezone

    from gpufleet.commands.tasks import list_or_reap

    class Workspace:
        def list_stacks(self):
            return ["t\x1b[2J\u202e"]

        def stack_config(self, name):
            return {"gpufleet:task": "fine\rtune", "gpufleet:expiresAt": "2026-11-30T00:00:00Z"}

    now = datetime(2026, 11, 30, 1, tzinfo=timezone.utc)
    assert list_or_reap(Workspace(), now, argparse.Namespace(reap=False, json_file=None)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1 task stack(s)", "  t\\u001b[2J\\u202e  task fine\\u000dtune  expires 2026-11-30T00:00:00Z  expired"]
