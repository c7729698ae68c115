"""The package other teams install: a wheel built from the repository, installed in a fresh virtual
environment, previews another team's project with gpufleet's own policy pack and reports on the plan.

The fresh environment sees the shared dependencies (pulumi, the provider SDKs…) through a `.pth`, as
the worktrees' environments do, so nothing is downloaded; gpufleet itself comes only from the wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "team-inference"
# What the build reads: the project file, the package, and the folders linked into it.
BUILD_INPUTS = ("pyproject.toml", "gpufleet", "components", "policies")


def _run(args: list[str | Path], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; returns its bin/ folder."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in BUILD_INPUTS:  # a copy, so the build leaves nothing in the repository
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(REPO / name, source / name)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", root / "dist", source], root)
    assert built.returncode == 0, built.stderr
    wheel, = (root / "dist").glob("gpufleet-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("components/")]  # no top-level `components` package
    assert {"gpufleet/components/__init__.py", "gpufleet/policies/PulumiPolicy.yaml", "gpufleet/policies/__main__.py",
            "gpufleet/policies/dev.json", "gpufleet/policies/gpufleet_policies/__init__.py"} <= set(names)

    venv = root / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", venv], root).returncode == 0
    site, = venv.glob("lib/python*/site-packages")
    shared = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_shared_deps.pth").write_text("\n".join(shared) + "\n")
    done = _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--quiet",
                 wheel], root)
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_the_installed_gpufleet_is_the_wheel_and_its_components_import_under_its_name(installed, tmp_path):
    done = _run([installed / "python", "-c", "import gpufleet, gpufleet.components as c, gpufleet.preview as p; "
                 "print(gpufleet.__file__); print(sorted(x.__name__ for x in c.COMPONENTS)); "
                 "print(p.DEFAULT_POLICY_PACK)"], tmp_path)
    assert done.returncode == 0, done.stderr
    where, components, pack = done.stdout.splitlines()
    site, = (installed.parent).glob("lib/python*/site-packages")
    assert Path(where) == site / "gpufleet" / "__init__.py"
    assert components == "['GpuCluster', 'GpuNodeGroup', 'GpuSoftwareStack', 'HighBandwidthNetwork', 'StorageTiers']"
    assert Path(pack) == site / "gpufleet" / "policies"
    gone = _run([installed / "python", "-c", "import components"], tmp_path)
    assert gone.returncode == 1 and "No module named 'components'" in gone.stderr


def test_another_teams_project_previews_with_the_installed_policy_pack_and_reports(installed, tmp_path):
    project = tmp_path / "team-inference"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__"))
    # The team's own enforcement: dev's policies, with a mandatory budget the stack exceeds.
    config = json.loads((REPO / "policies" / "dev.json").read_text())
    config["gpufleet-stack-monthly-cost-budget"] = {"enforcementLevel": "mandatory", "monthly_usd": 2000}
    (project / "policy-config.json").write_text(json.dumps(config))

    preview = _run([installed / "gpufleet", "preview", "dev", "--policy-config", "policy-config.json",
                    "--json", "plan.json"], project)
    assert preview.returncode == 1, preview.stdout + preview.stderr  # the mandatory violation, and nothing else
    plan = json.loads((project / "plan.json").read_text())["gpufleet"]
    assert plan["totals"]["gpus"] == 12
    verdicts = sorted((v["policy"], v["level"], v["urn"]) for v in plan["violations"])
    assert verdicts == [("gpufleet-stack-monthly-cost-budget", "mandatory", None)]
    message, = [v["message"] for v in plan["violations"]]
    assert message.startswith("estimated $2,289.16/month for 12 GPUs exceeds the budget of $2,000.00/month")  # with the EKS fee

    report = _run([installed / "gpufleet", "report", "plan.json", "--output", "-"], project)
    assert report.returncode == 0, report.stderr
    assert "❌ 1 mandatory policy violation" in report.stdout
    assert "`gpufleet-stack-monthly-cost-budget`" in report.stdout
