"""Every file that once crashed gpufleet (a traceback, exit 1 or 3, minutes of work, gigabytes of memory)
now exits 2 with the exact problems in its `.expected` file. The corpus grows with each crash found:
drop the file in `corpus/<kind>/`, run with GPUFLEET_UPDATE_CORPUS=1 once, review the `.expected` file.

kind `stack`: a stack file of gpufleet's own project (`gpufleet preview`); `policy`: a policy
configuration (`gpufleet preview dev --policy-config`); `plan`: a plan for `gpufleet report`; `overlay`:
a folder of catalog CSVs (`gpufleet place dev --catalog`); `stackref`: the outputs file of
`--stack-reference` (for the offline tests' `lookups` program); `project`: a folder with a Pulumi project
of its own (`Pulumi.yaml`, `Pulumi.case.yaml`, `__main__.py`), previewed without policies.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gpufleet.catalog.overlay import OVERLAY_ENV
from gpufleet.cli import main

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]
LOOKUPS = ROOT / "tests" / "offline" / "programs" / "lookups"  # reads StackReference("acme/network/prod")
UPDATE = os.environ.get("GPUFLEET_UPDATE_CORPUS") == "1"


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (CORPUS / kind).iterdir() if p.suffix != ".expected")


def _project(tmp_path: Path, stack_file: Path) -> Path:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", project / "__main__.py")
    shutil.copy(stack_file, project / "stacks" / "Pulumi.case.yaml")
    return project


def _argv(kind: str, case: Path, tmp_path: Path) -> tuple[list[str], Path]:
    """The command line for a case, and the path its messages name (shown as {file} in `.expected`)."""
    if kind == "stack":
        project = _project(tmp_path, case)
        return ["preview", "case", "--program", str(project)], project / "stacks" / "Pulumi.case.yaml"
    if kind == "policy":
        return ["preview", "dev", "--program", str(ROOT), "--policy-config", str(case)], case
    if kind == "overlay":
        return ["place", "dev", "--program", str(ROOT), "--catalog", str(case)], case.resolve()
    if kind == "stackref":
        return ["preview", "dev", "--program", str(LOOKUPS), "--no-policies", "--stack-reference",
                f"acme/network/prod={case}"], case
    if kind == "project":
        return ["preview", "case", "--program", str(case), "--no-policies"], case.resolve()
    return ["report", str(case)], case


@pytest.mark.parametrize(("kind", "case"), [(kind, case) for kind in ("stack", "policy", "plan", "overlay", "stackref", "project")
                                            for case in _cases(kind)], ids=lambda x: getattr(x, "name", x))
def test_a_past_crash_is_a_clear_configuration_error(kind, case, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(OVERLAY_ENV, "")  # `--catalog` sets it for the process: restored after the test
    monkeypatch.delenv(OVERLAY_ENV)
    argv, named = _argv(kind, case, tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    shown = err.replace(str(named), "{file}")
    expected = case.with_name(case.name + ".expected")
    if UPDATE:
        expected.write_text(shown)
    assert (code, out, shown) == (2, "", expected.read_text())
