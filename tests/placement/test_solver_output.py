"""HiGHS prints to file descriptor 1 from C whatever its options say; `gpufleet place` keeps that off stdout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from gpufleet.placement.solver_output import silenced
from tests.placement.fleets import NOISY_FLEET


# highspy 1.16 prints its banner when a solver is created, before any option (output_flag) can be set; HiGHS
# 1.12 (in scipy) also printed "HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();".
HIGHS_LINE = "Running HiGHS 1.16.0"
REPO = Path(__file__).resolve().parents[2]



def _project(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text("name: noisy\nruntime: python\n")
    (tmp_path / "__main__.py").write_text('"""Never run: `gpufleet place` reads the stack\'s configuration."""\n')
    (tmp_path / "Pulumi.noisy.yaml").write_text(yaml.safe_dump({"config": {"gpufleet:fleet": NOISY_FLEET}}))
    return tmp_path


def _gpufleet(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    """The CLI in a fresh process, stdout a pipe (as in `gpufleet place … --json - | jq`)."""
    code = f"{prelude}\nimport sys\nfrom gpufleet.cli import main\nsys.exit(main({list(args)!r}))\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)


def test_highs_prints_on_this_fleet_when_not_silenced(tmp_path):
    """The reproduction the other tests rely on: without the redirection, HiGHS writes to stdout (its
    banner, once per process: hence a fresh one)."""
    project = _project(tmp_path)
    prelude = "import contextlib\nfrom gpufleet.placement import highs\nhighs.silenced = contextlib.nullcontext\n"
    done = _gpufleet("place", "noisy", "--program", str(project), "--json", "-", prelude=prelude)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(HIGHS_LINE)


def test_place_shows_no_solver_output_and_its_json_on_stdout_is_the_json_file(tmp_path):
    project = _project(tmp_path / "project")
    written = tmp_path / "placement.json"
    to_file = _gpufleet("place", "noisy", "--program", str(project), "--json", str(written))
    assert (to_file.returncode, to_file.stderr) == (0, "")
    assert to_file.stdout.startswith("Placement of stack noisy — objective cost: least cost\n")
    assert "Highs" not in to_file.stdout
    to_stdout = _gpufleet("place", "noisy", "--program", str(project), "--json", "-")
    assert (to_stdout.returncode, to_stdout.stderr) == (0, "")
    assert to_stdout.stdout == written.read_text()
    assert json.loads(to_stdout.stdout)["objective"] == "cost"


def test_unflushed_c_output_during_a_solve_never_reaches_stdout(tmp_path):
    """Whatever C prints into its own stdout buffer during a solve is flushed to the null device, not
    written into the JSON when the buffer is flushed later (at exit)."""
    prelude = (
        "import ctypes\n"
        "from gpufleet.placement import highs\n"
        "real = highs.highspy.Highs.run\n"
        "def noisy_run(self):\n"
        "    ctypes.CDLL(None).printf(b'printed by C during the solve\\n')\n"
        "    return real(self)\n"
        "highs.highspy.Highs.run = noisy_run\n"
    )
    project = _project(tmp_path)
    done = _gpufleet("place", "noisy", "--program", str(project), "--json", "-", prelude=prelude)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["objective"] == "cost"
    assert "printed by C" not in done.stdout


def test_silenced_restores_descriptor_1_and_keeps_what_was_written_before(capfd):
    before = os.fstat(1)
    print("before", end="\n")
    with silenced():
        os.write(1, b"inside\n")
        with silenced():  # nested: still silenced, and the outer block restores
            os.write(1, b"nested\n")
        os.write(1, b"inside again\n")
    os.write(1, b"after\n")
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    assert capfd.readouterr().out == "before\nafter\n"
