"""Reading plans: gpufleet's own, `pulumi preview --json` and `pulumi stack export`, and bad files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gpufleet.errors import UserError
from gpufleet.report.plans import estimate_states, read_plan, read_plans

# each instance, then its root volume (the AMI's: no rootBlockDevice), unpriced
TRAINERS = [urn for i in range(4)
            for urn in (f"urn:pulumi:dev::team-train::aws:ec2/instance:Instance::trainer-{i}",
                        f"urn:pulumi:dev::team-train::aws:ec2/instance:Instance::trainer-{i}.rootBlockDevice")]

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_cli_preview_of_four_p5_in_us_west_2_is_32_gpus_and_160_716_80_usd():
    plan = read_plan(FIXTURES / "cli-preview-p5x4.json")
    assert (plan.format, plan.stack, plan.violations) == ("preview", "dev", None)
    # totals are the sum of the rows as reported: 4 × 6,867.84 kWh (8.4 kW × 730 h × PUE 1.12), 4 × 822.493
    # kgCO2e (× 119.76 g/kWh) and 4 × 118.75 kgCO2e embodied (5,700 kg × 730 h / 35,040 h)
    assert plan.estimate["totals"] == {"gpus": 32, "gpus_unknown_size": 0, "monthly_usd": 160716.8, "monthly_kwh": 27471.36,
                                       "monthly_kgco2e": 3289.972, "monthly_embodied_kgco2e": 475.0}
    assert list(plan.estimate["estimates"]) == TRAINERS
    assert {e["region"] for e in plan.estimate["estimates"].values()} == {"us-west-2"}  # from the default provider
    assert plan.operations == Counter({"create": 6})


def test_stack_export_gives_the_same_estimate_without_external_and_pending_delete_resources():
    plan = read_plan(FIXTURES / "stack-export-p5x4.json")
    preview = read_plan(FIXTURES / "cli-preview-p5x4.json")
    assert (plan.format, plan.stack, plan.violations, plan.steps) == ("stack-export", "dev", None, [])
    assert list(plan.estimate["estimates"]) == TRAINERS
    assert plan.estimate["totals"] == preview.estimate["totals"]
    assert [s["urn"].rsplit("::", 1)[-1] for s in plan.states] == [
        "team-train-dev", "default_7_51_1", "trainer-0", "trainer-1", "trainer-2", "trainer-3"]


@pytest.mark.parametrize("name", ["gpufleet-base.json", "gpufleet-head.json"])
def test_gpufleet_plan_uses_its_embedded_estimate_which_a_re_estimate_reproduces(name):
    doc = load(name)
    plan = read_plan(FIXTURES / name)
    assert (plan.format, plan.stack) == ("gpufleet", "prod")
    section = doc["gpufleet"]
    assert plan.estimate == {k: section[k] for k in ("totals", "partial_totals", "estimates", "unpriced",
                                                     "unknown_energy", "unknown_embodied", "assessment", "gpu_requests",
                                                     "usage_based")}
    assert plan.violations == section["violations"]
    # The same estimator over the plan's own steps gives the same numbers, resource by resource.
    assert estimate_states(plan.states, plan.config) == plan.estimate


def test_gpufleet_plan_totals_are_taken_as_written(tmp_path):
    doc = load("gpufleet-head.json")
    doc["gpufleet"]["totals"]["monthly_usd"] = 1.23
    (tmp_path / "p.json").write_text(json.dumps(doc))
    assert read_plan(tmp_path / "p.json").estimate["totals"]["monthly_usd"] == 1.23


def _instance(name: str, itype: str) -> dict:
    urn = f"urn:pulumi:dev::p::aws:ec2/instance:Instance::{name}"
    return {"urn": urn, "type": "aws:ec2/instance:Instance", "custom": True, "inputs": {"instanceType": itype},
            "provider": "urn:pulumi:dev::p::pulumi:providers:aws::default_7_51_1::pid"}


def test_cli_preview_leaves_deleted_and_read_resources_out_of_the_head(tmp_path):
    provider = {"urn": "urn:pulumi:dev::p::pulumi:providers:aws::default_7_51_1", "type": "pulumi:providers:aws",
                "custom": True, "id": "pid", "inputs": {"region": "us-west-2"}}
    a, b, c, d, e = (_instance(n, "p5.48xlarge") for n in "abcde")
    steps = [
        {"op": "same", "urn": provider["urn"], "oldState": provider, "newState": provider},
        {"op": "same", "urn": a["urn"], "oldState": a, "newState": a},
        {"op": "delete", "urn": b["urn"], "oldState": b},
        {"op": "update", "urn": c["urn"], "oldState": _instance("c", "p4d.24xlarge"), "newState": c},
        {"op": "create-replacement", "urn": d["urn"], "newState": d},
        {"op": "replace", "urn": d["urn"], "oldState": _instance("d", "p4d.24xlarge"), "newState": d},
        {"op": "delete-replaced", "urn": d["urn"], "oldState": _instance("d", "p4d.24xlarge")},
        {"op": "read", "urn": e["urn"], "newState": e},
    ]
    (tmp_path / "preview.json").write_text(json.dumps({"steps": steps, "changeSummary": {}}))
    plan = read_plan(tmp_path / "preview.json")
    assert [urn.rsplit("::", 1)[-1] for urn in plan.estimate["estimates"]] == [
        "a", "a.rootBlockDevice", "c", "c.rootBlockDevice", "d", "d.rootBlockDevice"]
    assert plan.estimate["totals"]["gpus"] == 24
    assert plan.estimate["estimates"][d["urn"]]["instance_type"] == "p5.48xlarge"
    assert plan.operations == Counter({"same": 2, "delete": 1, "update": 1, "create-replacement": 1, "replace": 1,
                                       "delete-replaced": 1, "read": 1})
    assert [s.type for s in plan.steps][2] == "aws:ec2/instance:Instance"  # a delete's type, from its old state


def test_a_powershell_utf16_redirect_is_read(tmp_path):
    path = tmp_path / "preview.json"
    path.write_bytes((FIXTURES / "cli-preview-p5x4.json").read_text().encode("utf-16"))
    assert read_plan(path).estimate["totals"]["gpus"] == 32


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", ":1:2: invalid JSON: Expecting property name enclosed in double quotes"),
    ("[1, 2]", ": not a plan gpufleet can read (got 'list'); allowed: gpufleet preview STACK --json FILE, "
               "pulumi preview --json, pulumi stack export"),
    ('{"outputs": {}, "name": "x"}', ": not a plan gpufleet can read (got ['name', 'outputs']); allowed: "
                                     "gpufleet preview STACK --json FILE, pulumi preview --json, pulumi stack export"),
])
def test_unreadable_or_unknown_files_exit_2_naming_the_file(tmp_path, gpufleet_cli, content, problem):
    path = tmp_path / "plan.json"
    path.write_text(content)
    code, out, err = gpufleet_cli("report", path, "--output", "-")
    assert (code, out) == (2, "")
    assert err == f"unreadable plan: 1 problem(s)\n  - {path}{problem}\n"


def test_a_missing_file_exits_2(tmp_path, gpufleet_cli):
    code, _, err = gpufleet_cli("diff", tmp_path / "base.json", FIXTURES / "gpufleet-head.json")
    assert code == 2
    assert err == f"usage error: 1 problem(s)\n  - base: no such file or folder (got '{tmp_path / 'base.json'}')\n"


def test_a_malformed_gpufleet_section_lists_every_problem(tmp_path):
    doc = load("gpufleet-head.json")
    doc["gpufleet"] = {"totals": {"gpus": 1}, "estimates": [], "violations": [{"policy": "x"}]}
    (tmp_path / "p.json").write_text(json.dumps(doc))
    with pytest.raises(UserError) as e:
        read_plan(tmp_path / "p.json")
    assert [p.render() for p in e.value.problems] == [
        f"{tmp_path / 'p.json'}: gpufleet.totals: must have gpus, monthly_usd, monthly_kwh and monthly_kgco2e",
        f"{tmp_path / 'p.json'}: gpufleet.estimates: must be a dict (got 'list')",
        f"{tmp_path / 'p.json'}: gpufleet.violations[0]: must have policy, level, urn and message",
    ]


def test_a_folder_of_plans_is_keyed_by_file_name(tmp_path):
    (tmp_path / "training.json").write_text((FIXTURES / "cli-preview-p5x4.json").read_text())
    (tmp_path / "notes.txt").write_text("not a plan")
    assert list(read_plans(tmp_path)) == ["training"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="folder has no plan files"):
        read_plans(tmp_path / "empty")


def test_a_plan_previewed_without_policies_says_so(tmp_path, gpufleet_cli):
    doc = load("gpufleet-head.json")
    doc["gpufleet"].update(policy_environment=None, violations=[])
    (tmp_path / "p.json").write_text(json.dumps(doc))
    assert read_plan(tmp_path / "p.json").violations is None
    _, out, _ = gpufleet_cli("report", tmp_path / "p.json", "--output", "-")
    assert "**Policies:** not run (`gpufleet preview --no-policies`)" in out


def test_a_default_provider_missing_from_the_steps_takes_its_region_from_the_config(tmp_path):
    doc = load("cli-preview-p5x4.json")
    doc["steps"] = [s for s in doc["steps"] if s["newState"]["type"] != "pulumi:providers:aws"]
    (tmp_path / "p.json").write_text(json.dumps(doc))
    plan = read_plan(tmp_path / "p.json")
    assert {e["region"] for e in plan.estimate["estimates"].values()} == {"us-west-2"}
    assert plan.estimate["totals"]["monthly_usd"] == 160716.8


def test_a_cli_preview_of_an_empty_stack_has_no_steps(tmp_path):
    (tmp_path / "empty.json").write_text('{"config": {}, "changeSummary": {}, "duration": 1000}')
    plan = read_plan(tmp_path / "empty.json")
    assert (plan.format, plan.stack, plan.states, plan.estimate["totals"]["gpus"]) == ("preview", "empty", [], 0)
