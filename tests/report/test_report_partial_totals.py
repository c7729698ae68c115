"""`gpufleet report` and `gpufleet diff` in the terminal mark totals as the preview does: "(partial)" when
they leave unpriced resources out, "unknown" when nothing is known, and say what they leave out (unpriced
and not assessed resources)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PROVIDER = "urn:pulumi:dev::p::pulumi:providers:aws::default"


def _preview(resources: list[tuple[str, str, dict]]) -> dict:
    """A `pulumi preview --json` creating `resources` (name, type, inputs) in us-west-2."""
    steps = [{"op": "create", "urn": PROVIDER, "newState": {"urn": PROVIDER, "type": "pulumi:providers:aws",
                                                            "custom": True, "inputs": {"region": "us-west-2"}}}]
    for name, rtype, inputs in resources:
        urn = f"urn:pulumi:dev::p::{rtype}::{name}"
        steps.append({"op": "create", "urn": urn, "newState": {
            "urn": urn, "type": rtype, "custom": True, "provider": f"{PROVIDER}::id", "inputs": inputs}})
    return {"steps": steps}


# In us-east-1 with a declared 100 GiB gp3 root volume, so that the volume is priced (0.08 USD/GiB-month: 8.00;
# us-west-2 has no sourced EBS price, and a root volume left to the AMI is unpriced): one p5.48xlarge is
# 55.04 × 730 = 40,187.20 USD + 8.00 = 40,187.20 USD, 7,051.8 + 0.216 kWh and 2.794 tCO2e a month.
ROOT = {"region": "us-east-1", "rootBlockDevice": {"volumeSize": 100, "volumeType": "gp3"}}
P5 = ("gpu", "aws:ec2/instance:Instance", {"instanceType": "p5.48xlarge", **ROOT})
# a type the catalog does not know, its root volume the AMI's: both unpriced
MYSTERY = ("mystery", "aws:ec2/instance:Instance", {"instanceType": "x9.mystery"})
# a type gpufleet has no reader or price for: not assessed
UNKNOWN_TYPE = ("widget", "acme:index:Widget", {"size": 4})


@pytest.fixture
def plans(tmp_path: Path):
    def write(name: str, *resources: tuple[str, str, dict]) -> Path:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(_preview(list(resources))))
        return path
    return write


@pytest.fixture(autouse=True)
def _width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")


def test_report_of_one_plan_marks_partial_totals_and_says_what_they_leave_out(plans, gpufleet_cli):
    code, out, err = gpufleet_cli("report", plans("head", P5, MYSTERY))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == ["Total: 40,187.20 USD/month (partial) · 2.794 tCO2e/month (partial) · 8 GPUs · no mandatory "
                         "policy", "violations"]
    assert lines[3] == "Stack dev: 8 GPUs · 40,187.20 USD/month (partial)"
    assert lines[6:12] == ["GPUs                                        8",
                           "USD/month                 40,187.20 (partial)",
                           "kWh/month                   7,052.0 (partial)",
                           "tCO2e/month operational       2.794 (partial)",
                           "tCO2e/month embodied          0.119 (partial)",
                           "Totals leave out 2 unpriced resources; unknown is never counted as 0."]


def test_a_complete_plan_is_not_marked(plans, gpufleet_cli):
    code, out, _ = gpufleet_cli("report", plans("head", P5))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Total: 40,187.20 USD/month · 2.794 tCO2e/month · 8 GPUs · no mandatory policy violations"
    assert lines[2] == "Stack dev: 8 GPUs · 40,187.20 USD/month"
    assert "partial" not in out and "leave out" not in out


def test_a_total_of_nothing_known_is_unknown_not_partial(plans, gpufleet_cli):
    code, out, _ = gpufleet_cli("report", plans("head", MYSTERY))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Total: unknown USD/month · unknown tCO2e/month · 0 GPUs · no mandatory policy violations"
    assert lines[2] == "Stack dev: 0 GPUs · unknown USD/month"
    assert lines[7] == "USD/month                 unknown"
    assert "partial" not in out


def test_not_assessed_resources_make_the_usd_total_partial(plans, gpufleet_cli):
    """A type gpufleet does not know costs what nobody knows: the preview calls such a plan INCOMPLETE."""
    head = plans("head", P5, UNKNOWN_TYPE)
    code, out, _ = gpufleet_cli("report", head)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("Total: 40,187.20 USD/month (partial) · 2.794 tCO2e/month · 8 GPUs · no mandatory policy "
                        "violations")
    assert lines[6:11] == ["USD/month                 40,187.20 (partial)",
                           "kWh/month                             7,052.0",
                           "tCO2e/month operational                 2.794",
                           "tCO2e/month embodied                    0.119",
                           "Totals leave out 1 resource not assessed; unknown is never counted as 0."]
    code, md, _ = gpufleet_cli("report", head, "--output", "-")
    assert "### `dev`: 8 GPUs · 40,187.20 USD/month (partial)\n" in md
    assert "| USD/month | 40,187.20 (partial) |\n| kWh/month | 7,052.0 |\n" in md
    assert ("> Totals leave out what is unknown — 1 resource not assessed (of types gpufleet does not know). "
            "Unknown is never counted as 0.\n") in md


def test_diff_marks_each_side_and_names_the_gaps_of_the_side_that_has_them(plans, gpufleet_cli):
    base, head = plans("base", P5), plans("head", P5, MYSTERY, UNKNOWN_TYPE)
    code, out, err = gpufleet_cli("diff", base, head)
    assert (code, err) == (0, "")
    assert "\n".join([
        "                               base                  head   change",
        "──────────────────────────────────────────────────────────────────",
        "GPUs                              8                     8        0",
        "USD/month                 40,187.20   40,187.20 (partial)     0.00",
        "kWh/month                   7,052.0     7,052.0 (partial)      0.0",
        "tCO2e/month operational       2.794       2.794 (partial)    0.000"]) in out
    assert ("Totals leave out 2 unpriced resources, 1 resource not assessed (head); unknown is never counted as 0."
            in " ".join(out.split()))
    code, out, _ = gpufleet_cli("report", head, "--base", base)
    assert out.splitlines()[2] == "Stack dev: 8 GPUs · 40,187.20 USD/month (partial; 0.00)"
