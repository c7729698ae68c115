"""The preview's placement lines tell the user the exact command for their stack, and say "not locked" once at any
size: one line for the workloads, one for the program's per-workload warnings."""

import io
import shutil
from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from gpufleet.cli import main
from gpufleet.commands.preview import _diagnostics, _not_locked_warnings, render_placement
from gpufleet.placement.lock import not_locked_warning

REPO = Path(__file__).resolve().parents[1]
CATALOG = {"version": "a52ea79b8063", "data": "shipped data"}


def _placement_lines(unlocked: list[str]) -> list[str]:
    buffer = io.StringIO()
    render_placement({"catalog": CATALOG, "not_locked": unlocked, "recommendation": None},
                     Console(file=buffer, width=300, no_color=True), "mine")
    return buffer.getvalue().splitlines()


def test_the_not_locked_line_names_the_stack_to_lock():
    assert _placement_lines(["tune", "serve"]) == [
        "Catalog: a52ea79b8063 (shipped data)",
        "Not locked: 2 workloads (tune, serve), placed at this run: they may move when the catalog changes; lock with "
        "`gpufleet place mine --lock`"]


def test_the_not_locked_line_counts_a_fleet_and_names_the_first_five():
    """It listed every name: 1,000 of them at fleet scale."""
    assert _placement_lines([f"w{i:04d}" for i in range(1000)])[1:] == [
        "Not locked: 1,000 workloads (w0000, w0001, w0002, w0003, w0004 and 995 more), placed at this run: they may "
        "move when the catalog changes; lock with `gpufleet place mine --lock`"]


def test_a_placement_not_proven_optimal_is_said_under_the_catalog():
    buffer = io.StringIO()
    note = ("Not proven optimal (balanced objective): the solver stopped at its node limits; the carbon total is at "
            "most 3.809 kgCO2e/month above the optimum")
    render_placement({"catalog": CATALOG, "not_proven": [note],
                      "not_locked": [], "recommendation": None}, Console(file=buffer, width=300, no_color=True), "mine")
    assert buffer.getvalue().splitlines() == ["Catalog: a52ea79b8063 (shipped data)", note]


def test_the_programs_not_locked_warnings_are_one_line_and_the_other_messages_listed():
    """One warning per workload not locked filled the first screenful of diagnostics (12 shown, "… 88 more"),
    saying again what the "Not locked" line says; a message that only looks like one (another stack's command,
    a workload the placement does not list) is listed as before."""
    names = [f"w{i:04d}" for i in range(14)]
    diagnostics = [{"severity": "warning", "message": not_locked_warning(n, "mine")} for n in names]
    diagnostics.insert(3, {"severity": "error", "message": "quota lookup failed"})
    diagnostics += [{"severity": "warning", "message": not_locked_warning("w0000", "other")},
                    {"severity": "warning", "message": not_locked_warning("extra", "mine")}]
    buffer = io.StringIO()
    _diagnostics(SimpleNamespace(diagnostics=diagnostics), Console(file=buffer, width=300, no_color=True),
                 _not_locked_warnings({"catalog": CATALOG, "not_locked": names}, "mine"))
    assert buffer.getvalue().splitlines() == [
        "Diagnostics (the program's log): 17 message(s)",
        "  error: quota lookup failed",
        f"  warning: {not_locked_warning('w0000', 'other')}",
        f"  warning: {not_locked_warning('extra', 'mine')}",
        '  warning: 14 messages, one per workload under "Not locked" above (see --json: diagnostics)']


def test_without_gpufleets_placement_no_warning_is_folded():
    assert [_not_locked_warnings(p, "mine") for p in (None, {"not_locked": ["a"]}, {"catalog": CATALOG,
                                                                                   "not_locked": []})] == [set()] * 3


def test_an_unlocked_preview_of_gpufleets_program_says_not_locked_once(tmp_path, capsys, monkeypatch):
    """gpufleet's own program, seven workloads, none locked: the program's warnings are the ones folded."""
    monkeypatch.setenv("COLUMNS", "300")
    (tmp_path / "stacks").mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    workloads = "".join(f"      - {{name: nb{i}, gpu: T4, gpu_count: 1, utilization_percent: 50, capacity: spot, "
                        "scale_to_zero: true}\n" for i in range(1, 8))
    (tmp_path / "stacks" / "Pulumi.seven.yaml").write_text(
        "config:\n  gpufleet:fleet:\n    environment: dev\n    owner: {team: ml-platform, cost-center: cc-1234}\n"
        "    objective: cost\n    candidates:\n      - {cloud: aws, regions: [us-west-2]}\n"
        f"    workloads:\n{workloads}")
    assert main(["preview", "seven", "--program", str(tmp_path), "--no-policies", "--quiet"]) == 0
    lines = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert [line for line in lines if "ocked" in line and not line.startswith(" " * 8)] == [
        "Not locked: 7 workloads (nb1, nb2, nb3, nb4, nb5 and 2 more), placed at this run: they may move when the "
        "catalog changes; lock with `gpufleet place seven --lock`",
        '  warning: 7 messages, one per workload under "Not locked" above (see --json: diagnostics)']
    i = lines.index("Diagnostics (the program's log): 7 message(s)")
    assert lines[i + 1] == '  warning: 7 messages, one per workload under "Not locked" above (see --json: diagnostics)'
