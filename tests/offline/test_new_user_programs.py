"""Findings of a new user's review of the offline preview (issue #16 review): minimal programs under
programs/, each previewed as the README says, with the exact behaviour a real `pulumi preview` user
expects."""

import json
import sys
from pathlib import Path

import pytest

from gpufleet.cli import main
from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"


@pytest.fixture
def summary(capsys, monkeypatch):
    """The terminal summary of a program's preview (no policies), wide enough not to wrap."""
    monkeypatch.setenv("COLUMNS", "220")

    def run(name: str) -> list[str]:
        assert main(["preview", "dev", "--program", str(PROGRAMS / name), "--no-policies"]) == 0
        return [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    return run


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


def test_a_function_beside_gpus_makes_the_energy_total_partial_not_complete(summary) -> None:
    lines = summary("function_beside_gpu")
    plan = preview(PROGRAMS / "function_beside_gpu", "dev", policy_pack=None).to_json()["gpufleet"]
    gpu = plan["estimates"]["urn:pulumi:dev::function-beside-gpu::aws:ec2/instance:Instance::gpu"]
    fn = "urn:pulumi:dev::function-beside-gpu::aws:lambda/function:Function::fn"
    # the function's energy is unknown: the total is the GPU box's, marked partial (it printed complete)
    assert plan["totals"]["monthly_kwh"] == gpu["monthly_kwh"]
    assert plan["partial_totals"] == ["monthly_usd", "monthly_kwh", "monthly_kgco2e"]
    assert plan["unknown_energy"] == [fn]
    assert " kWh/month (partial) · " in _line(lines, "Total:")
    assert _line(lines, "Energy and carbon unknown") == "Energy and carbon unknown for 1 resource(s): fn"


def test_a_plan_whose_energy_is_all_unknown_totals_unknown_kwh_not_zero(summary) -> None:
    lines = summary("function_only")
    assert _line(lines, "Total:") == (
        "Total: 0 GPUs · unknown USD/month · unknown kWh/month · unknown kgCO2e/month operational + 0.0 kgCO2e/month "
        "embodied (INCOMPLETE: known items only; 1 unpriced below)")
    plan = preview(PROGRAMS / "function_only", "dev", policy_pack=None).to_json()["gpufleet"]
    assert plan["totals"] == {"gpus": 0, "monthly_usd": None, "monthly_kwh": None, "monthly_kgco2e": None,
                              "monthly_embodied_kgco2e": 0.0}
    assert plan["partial_totals"] == []


def test_what_a_program_prints_goes_to_stderr_and_json_on_stdout_stays_json(capsys) -> None:
    assert main(["preview", "dev", "--program", str(PROGRAMS / "prints"), "--json", "-", "--no-policies"]) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)  # it began with the program's "dry run: True"
    assert [s["newState"]["type"] for s in plan["steps"]] == ["pulumi:pulumi:Stack", "aws:s3/bucket:Bucket"]
    # a preview, as the CLI runs it: the apply on the bucket's unknown id does not run
    assert err.splitlines().count("dry run: True") == 1
    assert "never at preview" not in err


def test_a_provider_sdk_missing_from_gpufleets_environment_says_how_to_install_it(capsys) -> None:
    assert main(["preview", "dev", "--program", str(PROGRAMS / "missing_sdk"), "--no-policies"]) == 3
    assert capsys.readouterr().err == (
        "error: the Pulumi program failed: __main__.py:4: ModuleNotFoundError: No module named 'pulumi_random' (the "
        "program runs with the Python packages of gpufleet's own environment; install the SDK there: "
        f"{sys.executable} -m pip install pulumi-random)\n")


def test_a_stack_reference_the_program_does_not_read_is_a_usage_error_naming_the_ones_it_reads(capsys, tmp_path) -> None:
    outputs = tmp_path / "network.json"
    outputs.write_text('{"vpcId": "vpc-1"}')
    lookups = PROGRAMS / "lookups"  # reads StackReference("acme/network/prod")
    # another organization's name: its outputs were silently left unused, the program's stayed unknown
    assert main(["preview", "dev", "--program", str(lookups), "--no-policies",
                 "--stack-reference", f"acme-corp/network/prod={outputs}"]) == 2
    assert capsys.readouterr().err == (
        "usage error: 1 problem(s)\n"
        "  - --stack-reference acme-corp/network/prod: the program reads no StackReference of this name; did you "
        "mean 'acme/network/prod'?; allowed: acme/network/prod\n")
    assert main(["preview", "dev", "--program", str(PROGRAMS / "function_only"), "--no-policies",
                 "--stack-reference", f"acme/network/prod={outputs}"]) == 2
    assert capsys.readouterr().err == (
        "usage error: 1 problem(s)\n  - --stack-reference acme/network/prod: the program reads no StackReference\n")


def test_the_stack_references_a_program_reads_are_listed_with_where_their_outputs_came_from() -> None:
    lookups = PROGRAMS / "lookups"
    given = preview(lookups, "dev", policy_pack=None, stack_references={"acme/network/prod": {"vpcId": "vpc-1"}})
    assert given.run.lookups["pulumi:pulumi:StackReference acme/network/prod"] == "outputs from --stack-reference"
    assert given.run.outputs["vpcId"] == "vpc-1"
    unknown = preview(lookups, "dev", policy_pack=None)
    assert unknown.run.lookups["pulumi:pulumi:StackReference acme/network/prod"] == (
        "outputs unknown at preview: pass --stack-reference NAME=FILE")
