"""Partitions of a GPU (AWS gr6f: half an L4) are counted as their share in the preview, the plan file
and the report, never as 0 or 1 GPU."""

from __future__ import annotations

import json
from pathlib import Path

from gpufleet.report import fmt

PROVIDER = "urn:pulumi:dev::p::pulumi:providers:aws::default"


def _preview(instance_types: list[str]) -> dict:
    steps = [{"op": "create", "urn": PROVIDER, "newState": {"urn": PROVIDER, "type": "pulumi:providers:aws",
                                                            "custom": True, "inputs": {"region": "us-west-2"}}}]
    for i, itype in enumerate(instance_types):
        urn = f"urn:pulumi:dev::p::aws:ec2/instance:Instance::vm-{i}"
        steps.append({"op": "create", "urn": urn, "newState": {
            "urn": urn, "type": "aws:ec2/instance:Instance", "custom": True, "provider": f"{PROVIDER}::id",
            "inputs": {"instanceType": itype}}})
    return {"steps": steps}


def test_half_an_l4_is_reported_as_half_a_gpu(tmp_path: Path, gpufleet_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    (tmp_path / "base.json").write_text(json.dumps(_preview(["gr6.4xlarge"])))
    (tmp_path / "head.json").write_text(json.dumps(_preview(["gr6.4xlarge", "gr6f.4xlarge"])))
    code, out, err = gpufleet_cli("report", tmp_path / "head.json", "--base", tmp_path / "base.json", "--output", "-")
    assert (code, err) == (0, "")
    assert "### `dev`: 1.50 GPUs (+0.50) · unknown USD/month (unknown)\n" in out
    assert "| GPUs | 1 | 1.50 | +0.50 |\n" in out
    code, out, _ = gpufleet_cli("diff", tmp_path / "base.json", tmp_path / "head.json")
    assert "GPUs                                    1              1.50     +0.50\n" in out  # kWh "(partial)": AMI roots
    assert "+   vm-1       aws:ec2/instance:Instance   -                +0.50     unknown      +118.9\n" in out
    code, doc, _ = gpufleet_cli("report", tmp_path / "head.json", "--json", "-")
    assert json.loads(doc)["stacks"][0]["head"]["totals"]["gpus"] == 1.5


def test_gpu_counts_are_written_whole_or_with_two_decimals():
    from fractions import Fraction
    assert [fmt.gpus(n) for n in (8, 1024, Fraction(1, 6), 0.1667, 1.5, Fraction(6, 6), None)] == [
        "8", "1,024", "0.17", "0.17", "1.50", "1", "unknown"]
    assert [fmt.signed_gpus(n) for n in (8, 0, -0.5, Fraction(1, 3))] == ["+8", "0", "-0.50", "+0.33"]


def test_gpu_counts_beyond_float_range_are_infinite_not_a_crash(tmp_path: Path, gpufleet_cli):
    """A plan file may now carry decimal GPU counts: two of 1e308 in one region overflow the sum."""
    doc = _preview(["gr6.4xlarge"])
    plan = {"steps": doc["steps"], "gpufleet": {
        "totals": {"gpus": 1e308, "monthly_usd": None, "monthly_kwh": None, "monthly_kgco2e": None},
        "estimates": {f"urn:pulumi:dev::p::aws:ec2/instance:Instance::vm-{i}": {
            "type": "aws:ec2/instance:Instance", "cloud": "aws", "region": "us-west-2", "instance_type": "gr6.4xlarge",
            "nodes": 1, "gpus": 1e308, "monthly_usd": None, "monthly_kwh": None, "monthly_kgco2e": None,
            "derivation": {}} for i in range(2)},
        "unpriced": [], "unknown_energy": []}}
    (tmp_path / "p.json").write_text(json.dumps(plan))
    code, out, err = gpufleet_cli("report", tmp_path / "p.json", "--output", "-")
    assert (code, err) == (0, "")
    assert "### `dev`: 1.000e+308 GPUs · unknown USD/month\n" in out
    assert "| aws | us-west-2 | infinite | unknown | unknown | unknown |\n" in out
