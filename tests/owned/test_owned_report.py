"""The PR report of a Pulumi CLI plan (`pulumi preview --json`, no gpufleet estimate) prices an owned site
from the plan's own stack config, as the preview does."""

import json
from pathlib import Path

from gpufleet.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_a_cli_plan_is_priced_from_the_sites_in_its_stack_config(tmp_path):
    plan = tmp_path / "plan.json"
    assert main(["preview", "hybrid", "--program", str(ROOT), "--quiet", "--no-policies", "--json", str(plan)]) == 0
    doc = json.loads(plan.read_text())
    del doc["gpufleet"]  # what the Pulumi CLI writes: steps and config, no estimate
    cli_plan = tmp_path / "cli.json"
    cli_plan.write_text(json.dumps(doc))
    out = tmp_path / "report.md"
    assert main(["report", str(cli_plan), "--output", str(out)]) == 0
    assert [line for line in out.read_text().splitlines() if line.startswith("| owned")] == [
        "| owned | dc-north | 32 | 43,216.00 | 18,164.7 | 0.509 |"]
