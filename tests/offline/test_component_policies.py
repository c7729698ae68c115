"""Multi-language components under the policy pack and in the terminal summary (issue #16, found by
review on programs written from pulumi-eks/awsx docs): the pack must see them where the estimator
prices them, and capacity without a region must say so rather than print "None"."""

from pathlib import Path

from gpufleet.cli import main
from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"


def test_the_policy_pack_sees_components_in_the_region_the_estimator_prices_them() -> None:
    result = preview(PROGRAMS / "multi_language", "dev", in_process_policies=True)
    seen = [(v.policy, v.urn and v.urn.rsplit("::", 1)[-1]) for v in result.violations]
    # eks.Cluster on the default aws provider (stack aws:region us-east-1) and eks.ManagedNodeGroup on
    # its own us-west-2 provider are priced: no "region not known" verdicts, and no "cannot verify
    # owner tags" for components (their children carry the tags; they are not expanded offline)
    assert seen == [
        ("gpufleet-gpu-always-on-idle-waste", "gpu"),
        ("gpufleet-gpu-instance-types-allowed", "gpu"),
        ("gpufleet-node-group-max-gpus", "gpu"),
        ("gpufleet-nonprod-gpu-spot-or-scale-to-zero", "gpu"),
        ("gpufleet-stack-gpu-quota", None),
        ("gpufleet-stack-monthly-carbon-budget", None),
        ("gpufleet-stack-monthly-cost-budget", None),
    ]
    budget = next(v for v in result.violations if v.policy == "gpufleet-stack-monthly-cost-budget")
    total = result.to_json()["gpufleet"]["totals"]["monthly_usd"]  # the estimator's: the pack agrees
    assert budget.message.startswith(f"estimated ${total:,.2f}/month for 19 GPUs exceeds")


def test_capacity_without_a_region_is_shown_as_region_unknown(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["preview", "dev", "--program", str(PROGRAMS / "classic_azure"), "--no-policies"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "p5.48xlarge" in line)
    assert row.split()[:5] == ["aws", "(region", "unknown)", "p5.48xlarge", "on-demand"]
