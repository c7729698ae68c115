"""Capacity that scales (to zero): `gpufleet report` and `gpufleet diff` show the GPUs it can reach as the
preview does ("0–44"), from the plan's `max_gpus`, in the terminal, the pull-request comment and the JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gpufleet.cli import main

PROGRAM = Path(__file__).resolve().parents[1] / "offline" / "programs" / "scale_to_zero_gpu_pools"


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[str, Path]:
    """The program's plan (head: the EKS node group up to 4 p4d.24xlarge, 0–32 GPUs), the same program with
    the node group up to 2 (base: 0–16), each written by `gpufleet preview --json`, and the head's
    resources as a `pulumi stack export` (estimated by the report itself)."""
    root = tmp_path_factory.mktemp("scale-range")
    base_program = root / "base-program"
    shutil.copytree(PROGRAM, base_program)
    main_py = base_program / "__main__.py"
    main_py.write_text(main_py.read_text().replace('"max_size": 4', '"max_size": 2'))
    out = {"head": root / "head.json", "base": root / "base.json", "export": root / "export.json"}
    for program, plan in ((PROGRAM, out["head"]), (base_program, out["base"])):
        assert main(["preview", "dev", "--program", str(program), "--json", str(plan), "--no-policies",
                     "--quiet"]) == 0
    steps = json.loads(out["head"].read_text())["steps"]
    out["export"].write_text(json.dumps({"version": 3, "deployment": {
        "resources": [s["newState"] for s in steps if s.get("newState")]}}))
    return out


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: object) -> list[str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        assert (code, captured.err) == (0, "")
        return captured.out.splitlines()

    return run


def test_the_plan_holds_what_the_preview_shows(plans, cli):
    head = json.loads(plans["head"].read_text())["gpufleet"]["totals"]
    base = json.loads(plans["base"].read_text())["gpufleet"]["totals"]
    assert (head["gpus"], head["max_gpus"], base["gpus"], base["max_gpus"]) == (0, 44, 0, 28)
    lines = cli("preview", "dev", "--program", PROGRAM, "--no-policies", "--quiet")
    assert [line for line in lines if line.startswith(("aws ", "azure ", "gcp "))] == [
        "aws us-east-1     p4d.24xlarge               on-demand       0   0–32   0.00         0         0",
        "azure eastus      Standard_NC24ads_A100_v4   on-demand       0    0–8   0.00   unknown   unknown",
        "gcp us-central1   a2-highgpu-1g              on-demand       0    0–4   0.00         0         0"]
    assert [line for line in lines if line.startswith("Total: ")][0].startswith("Total: 0–44 GPUs · 0.00 USD/month · ")


def test_report_in_the_terminal_shows_the_range(plans, cli):
    assert cli("report", plans["head"]) == [
        "Total: 0.00 USD/month · 0.000 tCO2e/month (partial) · 0–44 GPUs · no mandatory policy violations",
        "",
        "Stack dev: 0–44 GPUs · 0.00 USD/month",
        "                                this plan",
        "─────────────────────────────────────────",
        "GPUs                                 0–44",
        "USD/month                            0.00",
        "kWh/month                   0.0 (partial)",
        "tCO2e/month operational   0.000 (partial)",
        "tCO2e/month embodied      0.000 (partial)",
        "",
        "Where",
        "where             GPUs   USD/month   tCO2e/month",
        "────────────────────────────────────────────────",
        "aws us-east-1     0–32        0.00         0.000",
        "azure eastus       0–8        0.00       unknown",
        "gcp us-central1    0–4        0.00         0.000",
    ]


def test_report_against_a_base_shows_both_ranges_and_the_change_of_the_maximum(plans, cli):
    lines = cli("report", plans["head"], "--base", plans["base"])
    assert lines[:3] == [
        "Change: 0.00 USD/month (n/a) · 0.000 tCO2e/month · 0 GPUs, max +16 · no mandatory policy violations",
        "",
        "Stack dev: 0–44 GPUs · 0.00 USD/month (0.00)"]
    assert lines[5] == "GPUs                                 0–28              0–44   0, max +16"
    assert lines[-6:] == [
        "Where",
        "where                    GPUs   USD/month   tCO2e/month",
        "───────────────────────────────────────────────────────",
        "aws us-east-1     0–16 → 0–32        0.00         0.000",
        "azure eastus              0–8        0.00       unknown",
        "gcp us-central1           0–4        0.00         0.000",
    ]


def test_a_change_of_the_maximum_alone_is_significant(plans, cli):
    """Raising a node group's maximum changes no counted GPU nor cost: it is still a GPU change, never
    "No significant change" under a USD threshold."""
    lines = cli("report", plans["head"], "--base", plans["base"], "--min-usd", "1000")
    assert lines[2] == "Stack dev: 0–44 GPUs · 0.00 USD/month (0.00)"
    assert "No significant change" not in "\n".join(lines)


def test_pull_request_comment_shows_the_range(plans, cli):
    text = "\n".join(cli("report", plans["head"], "--base", plans["base"], "--output", "-"))
    for expected in [
        "**✅ no mandatory policy violations** · **0.00 USD/month** (n/a) · **0.000 tCO2e/month** · "
        "**0 GPUs, max +16**",
        "### `dev`: 0–44 GPUs (0, max +16) · 0.00 USD/month (0.00)",
        "| GPUs | 0–28 | 0–44 | 0, max +16 |",
        "| aws | us-east-1 | 0–16 → 0–32 | 0.00 | 0.0 | 0.000 |",
        "| azure | eastus | 0–8 | 0.00 | unknown | unknown |",
        "| gcp | us-central1 | 0–4 | 0.00 | 0.0 | 0.000 |",
        "| aws | us-east-1 | p4d.24xlarge | 0 | 0–16 → 0–32 | EFA | no launch template with EFA interfaces |",
        "| ~ | `eks` | `aws:eks/nodeGroup:NodeGroup` | scalingConfig | 0, max +16 | 0.00 | 0.0 |",
    ]:
        assert f"\n{expected}\n" in f"\n{text}\n", expected
    head_only = cli("report", plans["head"], "--output", "-")
    assert head_only[3] == ("**✅ no mandatory policy violations** · **0.00 USD/month** · "
                            "**0.000 tCO2e/month (partial)** · **0–44 GPUs**")
    assert head_only[5] == "### `dev`: 0–44 GPUs · 0.00 USD/month"


def test_diff_shows_the_range_and_the_change_of_each_resource(plans, cli):
    lines = cli("diff", plans["base"], plans["head"])
    assert lines[0] == f"Stack dev: {plans['base']} (gpufleet plan) ->"  # the head's path on the next line
    assert lines[lines.index("") + 1:] == [
        "                                     base              head       change",
        "────────────────────────────────────────────────────────────────────────",
        "GPUs                                 0–28              0–44   0, max +16",
        "USD/month                            0.00              0.00         0.00",
        "kWh/month                   0.0 (partial)     0.0 (partial)          0.0",
        "tCO2e/month operational   0.000 (partial)   0.000 (partial)        0.000",
        "tCO2e/month embodied      0.000 (partial)   0.000 (partial)        0.000",
        "",
        "Resources: 0 added, 1 changed, 0 removed",
        "    resource   type                          inputs changed         GPUs   USD/month   kWh/month",
        "────────────────────────────────────────────────────────────────────────────────────────────────",
        "~   eks        aws:eks/nodeGroup:NodeGroup   scalingConfig    0, max +16        0.00         0.0",
        "",
        "Policies (head): not in this plan (not run, or a Pulumi CLI plan)",
        "",
    ]


def test_json_carries_max_gpus_where_the_plan_has_it(plans, cli):
    [stack] = json.loads("\n".join(cli("diff", plans["base"], plans["head"], "--json", "-")))["stacks"]
    assert (stack["base"]["totals"]["max_gpus"], stack["head"]["totals"]["max_gpus"]) == (28, 44)
    assert (stack["change"]["gpus"], stack["change"]["max_gpus"]) == (0, 16)
    assert [(r["urn"].rsplit("::", 1)[1], r["gpus"], r["max_gpus"]) for r in stack["resources"]] == [("eks", 0, 16)]


def test_a_pulumi_stack_export_is_estimated_to_the_same_range(plans, cli):
    lines = cli("report", plans["export"])
    # its pools scaled to 0 cost 0.00 beside what has no price: the money total is unknown, not "0.00 (partial)"
    # (the terminal is 100 columns wide here: the total's line wraps)
    assert lines[:4] == ["Total: unknown USD/month (only free parts priced) · 0.000 tCO2e/month (partial) · 0–44 GPUs · no",
                         "mandatory policy violations", "", "Stack dev: 0–44 GPUs · unknown USD/month (only free parts priced)"]


def test_capacity_that_cannot_scale_shows_its_count_alone(cli):
    fixture = Path(__file__).parent / "fixtures" / "gpufleet-base.json"
    assert "max_gpus" not in json.loads(fixture.read_text())["gpufleet"]["totals"]
    lines = cli("report", fixture)
    assert [line for line in lines if line.startswith(("Total: ", "Stack ", "GPUs "))] == [
        "Total: 223,978.60 USD/month (partial) · 5.936 tCO2e/month (partial) · 32 GPUs · no mandatory policy",
        "Stack prod: 32 GPUs · 223,978.60 USD/month (partial)",
        "GPUs                                        32"]


def test_a_max_gpus_that_is_not_a_number_makes_the_plan_unreadable(plans, tmp_path, capsys):
    doc = json.loads(plans["head"].read_text())
    doc["gpufleet"]["totals"]["max_gpus"] = "44"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["report", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"unreadable plan: 1 problem(s)\n  - {bad}: gpufleet.totals.max_gpus: wrong type (got 'string'); "
        "allowed: number\n")
