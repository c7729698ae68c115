"""`--json` never lets a partial GPU count pass for the whole: the plan file's and the report's totals carry
`gpus_unknown_size` (the GPU capacity whose GPUs `gpus` leaves out) and list "gpus" in `partial_totals`
beside capacity of unknown size; `gpus` is null when such capacity is all there is. Exact documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpufleet.report.plans import read_plan
from tests.report.test_report_partial_totals import P5, _preview

# A P-family type the catalog does not have: GPU capacity whose GPUs per node are unknown.
P9 = ("next", "aws:ec2/instance:Instance", {"instanceType": "p9.48xlarge"})
P9_URN = "urn:pulumi:dev::p::aws:ec2/instance:Instance::next"
# One p5.48xlarge on demand in us-east-1 with its 100 GiB gp3 root volume (test_report_partial_totals.py): 8 H100,
# 40,179.20 + 8.00 USD, 7,051.8 + 0.216 kWh, 2,794.362 kgCO2e operational, 118.75 kgCO2e embodied a month.
P5_TOTALS = {"gpus": 8, "gpus_unknown_size": 0, "monthly_usd": 40187.2, "monthly_kwh": 7052.016,
             "monthly_tco2e": 2.794362}


@pytest.fixture
def plans(tmp_path: Path):
    def write(name: str, *resources: tuple[str, str, dict]) -> Path:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(_preview(list(resources))))
        return path
    return write


@pytest.fixture
def batch_pool_plan(tmp_path: Path, gpufleet_cli) -> Path:
    plan = tmp_path / "pool.json"
    program = Path(__file__).parents[1] / "policies" / "programs" / "azure_batch_pool_h100"
    code, out, err = gpufleet_cli("preview", "prod", "--program", program, "--no-policies", "--quiet", "--json", plan)
    assert (code, err) == (0, "")
    return plan


def test_the_plan_files_totals_count_gpu_capacity_of_unknown_size(plans):
    both = read_plan(plans("both", P5, P9)).estimate
    assert both["totals"] == {"gpus": 8, "gpus_unknown_size": 1, "monthly_usd": 40187.2, "monthly_kwh": 7052.016,
                              "monthly_kgco2e": 2794.362, "monthly_embodied_kgco2e": 118.75}
    assert both["partial_totals"] == ["gpus", "monthly_usd", "monthly_kwh", "monthly_kgco2e", "monthly_embodied_kgco2e"]
    only = read_plan(plans("only", P9)).estimate
    assert only["totals"] == {"gpus": None, "gpus_unknown_size": 1, "monthly_usd": None, "monthly_kwh": None,
                              "monthly_kgco2e": None, "monthly_embodied_kgco2e": None}
    assert only["partial_totals"] == []
    assert read_plan(plans("p5", P5)).estimate["partial_totals"] == []


def test_a_preview_writes_them_as_the_report_reads_them(batch_pool_plan):
    """`gpufleet preview --json` of the Azure Batch pool gpufleet does not read (80 × ND96isr_H100_v5, its
    size unknown): `gpus` null, one resource of unknown size."""
    written = json.loads(batch_pool_plan.read_text())["gpufleet"]
    assert (written["totals"]["gpus"], written["totals"]["gpus_unknown_size"], written["partial_totals"]) == (None, 1, [])


def _json(gpufleet_cli, *args) -> dict:
    code, out, err = gpufleet_cli(*args, "--json", "-")
    assert (code, err) == (0, "")
    [stack] = json.loads(out)["stacks"]
    return stack


def test_report_json_of_a_plan_beside_capacity_of_unknown_size(plans, gpufleet_cli):
    stack = _json(gpufleet_cli, "report", plans("head", P5, P9), "--base", plans("base", P5))
    assert stack["head"]["totals"] == {**P5_TOTALS, "gpus_unknown_size": 1}
    assert stack["head"]["partial_totals"] == ["gpus", "monthly_usd", "monthly_kwh", "monthly_tco2e"]
    assert (stack["base"]["totals"], stack["base"]["partial_totals"]) == (P5_TOTALS, [])
    # what is counted did not change; the change is partial: the new capacity's GPUs are not in it
    assert stack["change"] == {"gpus": 0, "monthly_usd": 0.0, "monthly_kwh": 0.0, "monthly_tco2e": 0.0,
                               "partial_totals": ["gpus", "monthly_usd", "monthly_kwh", "monthly_tco2e"]}


def test_diff_json_to_capacity_of_unknown_size_only_is_an_unknown_change(plans, gpufleet_cli):
    stack = _json(gpufleet_cli, "diff", plans("base", P5), plans("head", P9))
    assert stack["head"]["totals"] == {"gpus": None, "gpus_unknown_size": 1, "monthly_usd": None,
                                       "monthly_kwh": None, "monthly_tco2e": None}
    assert stack["head"]["partial_totals"] == []
    assert stack["change"] == {"gpus": None, "monthly_usd": None, "monthly_kwh": None, "monthly_tco2e": None,
                               "partial_totals": []}
    assert [(r["urn"], r["gpus"]) for r in stack["resources"]] == [
        (P9_URN, None), ("urn:pulumi:dev::p::aws:ec2/instance:Instance::gpu", -8)]


def test_a_plan_written_before_the_count_reads_the_same(batch_pool_plan, gpufleet_cli, tmp_path):
    """A gpufleet plan without `gpus_unknown_size` (written before it), whose total of only capacity of
    unknown size was 0: the report counts that capacity from its estimates."""
    doc = json.loads(batch_pool_plan.read_text())
    del doc["gpufleet"]["totals"]["gpus_unknown_size"]
    doc["gpufleet"]["totals"]["gpus"] = 0
    (tmp_path / "old.json").write_text(json.dumps(doc))
    stack = _json(gpufleet_cli, "report", tmp_path / "old.json")
    assert (stack["head"]["totals"]["gpus"], stack["head"]["totals"]["gpus_unknown_size"]) == (None, 1)


def test_a_count_of_the_wrong_type_is_an_unreadable_plan(gpufleet_cli, tmp_path):
    doc = {"gpufleet": {"totals": {"gpus": 8, "gpus_unknown_size": "one", "monthly_usd": 1.0, "monthly_kwh": 1.0,
                                   "monthly_kgco2e": 1.0}, "estimates": {}}, "steps": []}
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    code, out, err = gpufleet_cli("report", tmp_path / "bad.json")
    assert code == 2
    assert "gpufleet.totals.gpus_unknown_size" in err and "wrong type" in err
