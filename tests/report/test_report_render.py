"""`gpufleet report` (Markdown) and `gpufleet diff` (terminal): exact output, size limit, unknowns."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from gpufleet.report import fmt
from gpufleet.report.markdown import COMMENT_LIMIT, MARKER, render_markdown
from gpufleet.report.model import load_reports
from gpufleet.report.plans import estimate_states

UPDATE = os.environ.get("GPUFLEET_UPDATE_GOLDEN") == "1"

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _golden(name: str, text: str) -> None:
    path = FIXTURES / name
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text()


@pytest.fixture
def in_fixtures(monkeypatch):
    """Run from the fixtures folder so the report names the plans by relative paths."""
    monkeypatch.chdir(FIXTURES)


def test_report_of_a_head_with_8_more_gpus_against_its_base(in_fixtures, gpufleet_cli):
    code, out, err = gpufleet_cli("report", "gpufleet-head.json", "--base", "gpufleet-base.json", "--output", "-")
    assert (code, err) == (0, "")
    assert out.startswith(MARKER + "\n")
    assert "### `prod`: 40 GPUs (+8) · 264,157.80 USD/month (partial; +40,179.20)\n" in out
    assert "| GPUs | 32 | 40 | +8 |\n" in out
    # both totals leave unpriced resources out: marked partial (the note below the table lists them)
    assert "| USD/month | 223,978.60 (partial) | 264,157.80 (partial) | +40,179.20 |\n" in out
    # mandatory policy results come before the collapsed details
    assert out.index("**Mandatory policy violations (1)**") < out.index("<details>")
    _golden("report-prod.md", out)


def test_report_of_a_real_pulumi_preview_json(in_fixtures, gpufleet_cli):
    code, out, _ = gpufleet_cli("report", "cli-preview-p5x4.json", "--output", "-")
    assert code == 0
    # the instances' root volumes are the AMI's (no rootBlockDevice), and us-west-2 has no sourced EBS price:
    # 4 unpriced volumes, so the totals are partial
    assert "### `dev`: 32 GPUs · 160,716.80 USD/month (partial)\n" in out
    assert "| GPUs | 32 |\n| USD/month | 160,716.80 (partial) |\n" in out
    assert "| aws | us-west-2 | 32 | 160,716.80 (and 4 unpriced) | 27,471.4 | 3.290 |\n" in out
    assert "| aws | us-west-2 | p5.48xlarge | 4 | 32 | EFA | no launch template with EFA interfaces |\n" in out
    assert "**Policies:** not in this plan" in out
    assert "**Pulumi operations:** 6 create\n" in out
    _golden("report-cli-preview.md", out)


def test_report_of_a_stack_export(in_fixtures, gpufleet_cli):
    code, out, _ = gpufleet_cli("report", "stack-export-p5x4.json", "--output", "-")
    assert code == 0
    assert "### `dev`: 32 GPUs · 160,716.80 USD/month (partial)\n" in out
    assert "Pulumi operations" not in out


def test_report_writes_a_file_with_output(tmp_path, gpufleet_cli):
    code, out, _ = gpufleet_cli("report", FIXTURES / "gpufleet-head.json", "--output", tmp_path / "r.md")
    assert (code, out) == (0, "")
    assert (tmp_path / "r.md").read_text().startswith(MARKER)


@pytest.mark.parametrize(("where", "why"), [("missing/r.md", "folder '{tmp}/missing' does not exist"),
                                            (".", "is a folder, not a file")])
def test_report_output_that_cannot_be_written_exits_2_before_reading_plans(tmp_path, gpufleet_cli, where, why):
    code, out, err = gpufleet_cli("report", FIXTURES / "gpufleet-head.json", "--output", tmp_path / where)
    assert (code, out) == (2, "")
    why = why.format(tmp=tmp_path)
    assert err == f"usage error: 1 problem(s)\n  - --output: {why} (got '{tmp_path / where}')\n"


def test_diff_for_the_terminal(in_fixtures, gpufleet_cli):
    code, out, err = gpufleet_cli("diff", "gpufleet-base.json", "gpufleet-head.json")
    assert (code, err) == (0, "")
    # both totals leave unpriced resources out: "(partial)" as in the preview and the Markdown report
    assert "GPUs                                      32                     40           +8\n" in out
    assert "USD/month               223,978.60 (partial)   264,157.80 (partial)   +40,179.20\n" in out
    assert "tCO2e/month                  5.936 (partial)        6.703 (partial)       +0.767\noperational\n" in out
    assert "tCO2e/month embodied         0.238 (partial)        0.356 (partial)       +0.118\n" in out
    assert ("Totals leave out 6 unpriced resources (head); 5 unpriced resources (base); unknown is never counted "
            "as 0.") in " ".join(out.split())
    assert max(map(len, out.splitlines())) <= 80
    _golden("diff-prod.txt", out)


def test_a_plan_compared_with_itself_has_zero_deltas_without_sign(in_fixtures, gpufleet_cli):
    _, out, _ = gpufleet_cli("report", "gpufleet-head.json", "--base", "gpufleet-head.json", "--output", "-")
    assert "| GPUs | 40 | 40 | 0 |\n| USD/month | 264,157.80 (partial) | 264,157.80 (partial) | 0.00 |\n" in out
    assert "**Resources:** 0 added · 0 changed · 0 removed" in out


@pytest.mark.parametrize(("value", "decimals", "number", "signed"), [
    (8, 0, "8", "+8"),
    (-8, 0, "-8", "-8"),
    (0, 0, "0", "0"),
    (1234.5, 2, "1,234.50", "+1,234.50"),
    (-1234.567, 2, "-1,234.57", "-1,234.57"),
    (-0.001, 2, "0.00", "0.00"),
    (Decimal("40179.20"), 2, "40,179.20", "+40,179.20"),
    (0.125, 2, "0.12", "+0.12"),  # half-even, on the decimal the float prints as
    (None, 2, "unknown", "unknown"),
])
def test_number_formats(value, decimals, number, signed):
    assert (fmt.number(value, decimals), fmt.signed(value, decimals)) == (number, signed)


def test_a_count_of_one_reads_singular_whether_a_number_or_already_written():
    assert [fmt.count(n, "GPU") for n in (1, 0, 2, 1024, "1", "+1", "-1", "0–32", "8 + unknown", "unknown")] == [
        "1 GPU", "0 GPUs", "2 GPUs", "1,024 GPUs", "1 GPU", "+1 GPU", "-1 GPU", "0–32 GPUs", "8 + unknown GPUs",
        "unknown GPUs"]
    assert (fmt.count(1, "more policy", "more policies"), fmt.count(3, "more policy", "more policies")) == (
        "1 more policy", "3 more policies")
    assert (fmt.signed_gpu_range(1, None, "GPU"), fmt.signed_gpu_range(8, 40, "GPU"), fmt.signed_gpu_range(1, 1)) == (
        "+1 GPU", "+8 GPUs, max +40", "+1")


def _cli_preview(instances: list[tuple[str, str]], region: str = "us-west-2") -> dict:
    provider = "urn:pulumi:dev::p::pulumi:providers:aws::default"
    steps = [{"op": "create", "urn": provider, "newState": {"urn": provider, "type": "pulumi:providers:aws",
                                                            "custom": True, "inputs": {"region": region}}}]
    for name, itype in instances:
        urn = f"urn:pulumi:dev::p::aws:ec2/instance:Instance::{name}"
        steps.append({"op": "create", "urn": urn, "newState": {
            "urn": urn, "type": "aws:ec2/instance:Instance", "custom": True, "provider": f"{provider}::id",
            "inputs": {"instanceType": itype}}})
    return {"steps": steps}


def test_unknown_figures_are_written_unknown_never_0(tmp_path):
    (tmp_path / "base.json").write_text(json.dumps(_cli_preview([("a", "p5.48xlarge")])))
    (tmp_path / "head.json").write_text(json.dumps(_cli_preview([("a", "x9.mystery")])))
    text = render_markdown(load_reports(tmp_path / "head.json", tmp_path / "base.json"))
    # both sides' root volumes are the AMI's: unpriced, so the base's known totals are partial
    assert "| GPUs | 8 | 0 | -8 |\n| USD/month | 40,179.20 (partial) | unknown | unknown |\n" in text
    assert "| kWh/month | 6,867.8 (partial) | unknown | unknown |\n" in text
    assert ("> Totals leave out what is unknown — 2 resources could not be priced; 2 resources without an energy "
            "estimate (listed below).") in text
    assert ("| `a` | `aws:ec2/instance:Instance` | x9.mystery is not in the catalog (GPU types: instance\\_types.csv, "
            "CPU hosts: host\\_types.csv) |") in text


def _huge_gpufleet_plan(n: int, stack: str = "prod") -> dict:
    """A gpufleet plan with `n` GPU instances (one region), `n` buckets and a violation per instance."""
    provider = f"urn:pulumi:{stack}::p::pulumi:providers:aws::default"
    states = [{"urn": provider, "type": "pulumi:providers:aws", "custom": True, "id": "id", "inputs": {"region": "us-west-2"}}]
    for i in range(n):
        for t, inputs in (("aws:ec2/instance:Instance", {"instanceType": "g6.xlarge"}), ("aws:s3/bucket:Bucket", {})):
            states.append({"urn": f"urn:pulumi:{stack}::p::{t}::worker-with-a-long-descriptive-name-{i:05d}", "type": t,
                           "custom": True, "provider": f"{provider}::id", "inputs": inputs})
    violations = [{"policy": "aws-ec2-instance-require-owner-tag", "level": "mandatory" if i % 10 == 0 else "advisory",
                   "urn": s["urn"], "message": "instance has no team tag; every GPU resource must name its owner team"}
                  for i, s in enumerate(states[1::2])]
    return {"steps": [{"op": "create", "urn": s["urn"], "newState": s} for s in states],
            "gpufleet": {"stack": stack, **estimate_states(states), "violations": violations}}


def test_a_huge_stack_stays_under_the_comment_limit_with_the_summary_first(tmp_path):
    (tmp_path / "head.json").write_text(json.dumps(_huge_gpufleet_plan(3000)))
    (tmp_path / "base.json").write_text(json.dumps(_huge_gpufleet_plan(10)))
    text = render_markdown(load_reports(tmp_path / "head.json", tmp_path / "base.json"))
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith(MARKER)
    figures = text.index("| GPUs | 10 | 3,000 | +2,990 |")
    assert figures < text.index("**Mandatory policy violations (300)**") < text.index("<details>")
    # other policies, changes, unpriced, resources without an energy estimate, chart
    assert text.count("<details>") == text.count("</details>") == 5
    cut = re.findall(r"_… ([\d,]+) more not shown: run `gpufleet report` or `gpufleet diff` locally", text)
    assert cut  # lists were cut, each saying by how much
    assert "Report cut at GitHub's comment size limit" not in text
    # the same plans without a size limit: nothing cut
    assert "more not shown" not in render_markdown(load_reports(tmp_path / "head.json", tmp_path / "base.json"),
                                                   limit=10**9)


def test_when_cutting_rows_is_not_enough_the_text_is_cut_and_says_so(tmp_path):
    for i in range(400):
        (tmp_path / f"stack-{i:03d}.json").write_text(json.dumps(_huge_gpufleet_plan(2, stack=f"stack-{i:03d}")))
    text = render_markdown(load_reports(tmp_path))
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith(MARKER)
    assert text.endswith("_Report cut at GitHub's comment size limit: run `gpufleet report` or `gpufleet diff` "
                         "locally for the full list._\n")
    assert text.count("<details>") == text.count("</details>")
