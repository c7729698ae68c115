"""HiGHS prints to file descriptor 1 from C whatever its options say; `gpufleet place` keeps that off stdout."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.placement import place
from gpufleet.placement import solve
from gpufleet.placement.solver_output import silenced


HIGHS_LINE = "HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n"
REPO = Path(__file__).resolve().parents[2]

# A fleet on which HiGHS (scipy 1.17.1) prints HIGHS_LINE while placing it on the fixture catalog: found
# among bench/placement.py's random fleets (seed 6, 20 workloads, cost), then cut down to what still prints.
NOISY_FLEET = {
    "environment": "test", "owner": {"team": "ml", "cost-center": "cc-0"}, "objective": "cost",
    "candidates": [
        {"cloud": "aws", "regions": ["us-east-1", "us-east-2", "us-west-2"]},
        {"cloud": "azure", "regions": ["westus2"]},
        {"cloud": "gcp", "regions": ["us-west4"]},
        {"cloud": "oci", "regions": ["uk-london-1", "us-ashburn-1"]},
        {"cloud": "coreweave", "regions": ["US-WEST-04"]},
    ],
    "quotas": [
        {"cloud": "aws", "region": "eu-north-1", "gpus": 91}, {"cloud": "aws", "region": "eu-west-1", "gpus": 101},
        {"cloud": "aws", "region": "us-east-2", "gpus": 71}, {"cloud": "aws", "region": "us-west-2", "gpus": 117},
        {"cloud": "azure", "region": "westus2", "gpus": 101}, {"cloud": "oci", "region": "uk-london-1", "gpus": 84},
    ],
    "budgets": {"gpu_quota": 621},
    "workloads": [
        {"name": name, "gpu": gpu, "gpu_count": count, "utilization_percent": util,
         **({"data_residency": ["US"]} if us else {})}
        for name, gpu, count, util, us in [
            ("w0001", "T4", 64, 70, True), ("w0002", "T4", 64, 50, False), ("w0006", "A100-40GB", 32, 70, True),
            ("w0007", "A100-40GB", 64, 70, False), ("w0008", "A100-40GB", 16, 30, False),
            ("w0011", "T4", 2, 50, False), ("w0012", "H100", 2, 50, False), ("w0013", "L40S", 4, 90, False),
            ("w0014", "T4", 1, 50, False), ("w0015", "B200", 1, 90, False), ("w0016", "T4", 8, 90, False),
            ("w0017", "T4", 4, 90, False), ("w0018", "L40S", 8, 90, False), ("w0019", "H100", 1, 30, False),
        ]
    ],
}
ALL_CLOUDS = ("aws", "azure", "gcp", "oci", "coreweave")
# HIGHS_LINE comes from the sub-MIP of HiGHS's root reduced-cost heuristic in a tie-break stage, which
# placement now turns off there (solve._TIE_OPTIONS); the tests turn it back on so that HiGHS prints.
HIGHS_DEFAULTS = "from gpufleet.placement import solve\nsolve._TIE_OPTIONS = {}\n"


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


def test_highs_prints_on_this_fleet_when_not_silenced(capfd, monkeypatch):
    """The reproduction the other tests rely on: without the redirection, HiGHS writes to stdout."""
    monkeypatch.setattr(solve, "silenced", contextlib.nullcontext)
    monkeypatch.setattr(solve, "_TIE_OPTIONS", {})
    place(parse_fleet(NOISY_FLEET), load_catalog(), clouds=ALL_CLOUDS)
    assert HIGHS_LINE in capfd.readouterr().out


def test_place_shows_no_solver_output_and_its_json_on_stdout_is_the_json_file(tmp_path):
    project = _project(tmp_path / "project")
    written = tmp_path / "placement.json"
    to_file = _gpufleet("place", "noisy", "--program", str(project), "--json", str(written), prelude=HIGHS_DEFAULTS)
    assert (to_file.returncode, to_file.stderr) == (0, "")
    assert to_file.stdout.startswith("Placement of stack noisy — objective cost: least cost\n")
    assert "Highs" not in to_file.stdout
    to_stdout = _gpufleet("place", "noisy", "--program", str(project), "--json", "-", prelude=HIGHS_DEFAULTS)
    assert (to_stdout.returncode, to_stdout.stderr) == (0, "")
    assert to_stdout.stdout == written.read_text()
    assert json.loads(to_stdout.stdout)["objective"] == "cost"


def test_unflushed_c_output_during_a_solve_never_reaches_stdout(tmp_path):
    """Whatever C prints into its own stdout buffer during a solve is flushed to the null device, not
    written into the JSON when the buffer is flushed later (at exit)."""
    prelude = (
        "import ctypes\n"
        "from gpufleet.placement import solve\n"
        "real = solve.milp\n"
        "def noisy_milp(*a, **k):\n"
        "    ctypes.CDLL(None).printf(b'printed by C during the solve\\n')\n"
        "    return real(*a, **k)\n"
        "solve.milp = noisy_milp\n"
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
