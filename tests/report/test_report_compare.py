"""Base -> head: the resources that changed and the deltas of the totals."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

from gpufleet.report.compare import compare
from gpufleet.report.model import load_reports
from gpufleet.report.plans import read_plan

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _changes(comparison):
    return [(c.kind, c.name, c.changed, c.delta("gpus") if c.costs else None,
             c.delta("monthly_usd") if c.costs else None) for c in comparison.changes]


def test_a_head_with_8_more_gpus_is_plus_8_and_the_exact_difference_of_the_totals():
    base, head = read_plan(FIXTURES / "gpufleet-base.json"), read_plan(FIXTURES / "gpufleet-head.json")
    c = compare(base, head)
    assert c.delta("gpus") == 8
    written = (Decimal(str(load("gpufleet-head.json")["gpufleet"]["totals"]["monthly_usd"]))
               - Decimal(str(load("gpufleet-base.json")["gpufleet"]["totals"]["monthly_usd"])))
    assert c.delta("monthly_usd") == written == Decimal("40179.20")  # one p5.48xlarge: 55.04 USD/h × 730 h
    assert c.delta("monthly_kwh") == Decimal("30326.6") - Decimal("23922.2")
    assert c.delta("monthly_tco2e") == Decimal("6.703") - Decimal("5.936")
    assert c.delta("monthly_embodied_tco2e") == Decimal("0.356") - Decimal("0.238")
    assert _changes(c) == [
        ("added", "train-checkpoints", (), 0, None),  # a bucket: no GPUs, no price in the catalog
        ("changed", "train-nodes", ("scalingConfig",), 8, Decimal("40179.20")),
    ]
    assert c.unpriced == (5, 6)  # the EKS and AKS control planes are priced; the AKS pool's OS disks are not


def test_two_stacks_of_one_project_compare_resource_by_resource(tmp_path):
    doc = load("gpufleet-base.json")
    prod = read_plan(FIXTURES / "gpufleet-base.json")
    dev_doc = json.loads(json.dumps(doc).replace("urn:pulumi:prod::", "urn:pulumi:dev::"))
    dev_doc["gpufleet"]["stack"] = "dev"
    (tmp_path / "dev.json").write_text(json.dumps(dev_doc))
    c = compare(prod, read_plan(tmp_path / "dev.json"))
    assert (c.changes, c.delta("gpus"), c.delta("monthly_usd")) == ([], 0, Decimal("0.00"))


def test_a_provider_moved_to_another_region_changes_the_provider_and_what_it_serves(tmp_path):
    head = load("cli-preview-p5x4.json")
    moved = copy.deepcopy(head)
    moved["steps"][1]["newState"]["inputs"]["region"] = "eu-north-1"
    (tmp_path / "north.json").write_text(json.dumps(moved))
    c = compare(read_plan(FIXTURES / "cli-preview-p5x4.json"), read_plan(tmp_path / "north.json"))
    assert [(ch.kind, ch.name, ch.changed) for ch in c.changes] == [
        ("changed", f"trainer-{i}", ("(provider configuration)",)) for i in range(4)
    ] + [("changed", "default_7_51_1", ("region",))]
    assert c.delta("gpus") == 0
    # each node 58.8928 USD/h × 730 h = 42,991.744 -> 42,991.74; 4 rows = 171,966.96; minus 160,716.80
    assert c.delta("monthly_usd") == Decimal("11250.16")


def test_folders_pair_stacks_by_file_name_with_new_and_removed_stacks(tmp_path):
    for side, stacks in (("base", ("training", "shared")), ("head", ("shared", "inference"))):
        (tmp_path / side).mkdir()
        for s in stacks:
            (tmp_path / side / f"{s}.json").write_text((FIXTURES / "cli-preview-p5x4.json").read_text())
    reports = load_reports(tmp_path / "head", tmp_path / "base")
    got = [(r.stack, r.base_missing, r.summary.totals.gpus, r.comparison.delta("gpus"), len(r.comparison.changes))
           for r in reports]
    assert got == [
        ("inference", True, 32, 32, 5),  # new: provider and 4 instances added
        ("shared", False, 32, 0, 0),
        ("training", False, 0, -32, 5),  # removed from the head
    ]


def test_an_empty_base_folder_makes_every_stack_new(tmp_path):
    (tmp_path / "base").mkdir()
    reports = load_reports(FIXTURES.parent / "fixtures", tmp_path / "base")
    assert {r.stack: r.base_missing for r in reports} == {
        "cli-preview-p5x4": True, "gpufleet-base": True, "gpufleet-head": True, "stack-export-p5x4": True}
