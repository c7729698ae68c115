"""A `pulumi preview --json` without `--show-sames` lists only changes: the report must say so."""

import copy
import json
from pathlib import Path

from gpufleet.report.plans import read_plan
from gpufleet.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def _partial(tmp_path: Path) -> Path:
    doc = json.loads((FIXTURES / "cli-preview-p5x4.json").read_text())
    changed = copy.deepcopy(doc)
    # keep one instance as an update; the CLI leaves the 3 unchanged ones (and the stack) out
    instances = [s for s in doc["steps"] if s["newState"]["type"] == "aws:ec2/instance:Instance"]
    changed["steps"] = [{**instances[0], "op": "update"}]
    changed["changeSummary"] = {"same": 4, "update": 1}
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(changed))
    return path


def test_partial_cli_preview_is_flagged_not_silently_undercounted(tmp_path, capsys):
    path = _partial(tmp_path)
    plan = read_plan(path)
    assert plan.estimate["totals"]["gpus"] == 8
    assert plan.warnings == (
        "this preview lists changed resources only: 4 unchanged resource(s) are not in it, so its totals cover "
        "the changes, not the whole stack. Run `pulumi preview --json --show-sames`.",)
    assert main(["report", str(path), "--output", "-"]) == 0
    assert f"> **Warning** (`{path}`): this preview lists changed resources only: 4 unchanged" in capsys.readouterr().out
    assert main(["diff", str(FIXTURES / "cli-preview-p5x4.json"), str(path)]) == 0
    assert f"Warning ({path}): this preview lists changed resources only" in " ".join(capsys.readouterr().out.split())


def test_full_previews_carry_no_warning():
    assert read_plan(FIXTURES / "cli-preview-p5x4.json").warnings == ()
