"""The policy pack treats an owned site like a region: its grid intensity, PUE and price come from the
stack's `sites:` (read from the stack config the engine hands the pack, as with the Pulumi CLI)."""

from functools import cache
from pathlib import Path

from gpufleet.offline import load_stack, run_program
from gpufleet.policy.config import load_policy_config
from gpufleet.policy.inprocess import analyze_in_process

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
QUOTA = "prod-research-train-research-train-gpu-quota"


@cache
def hybrid():
    return run_program(load_stack(ROOT, "hybrid"))


def verdicts(policy: str, stack_config: dict | None = None, **properties) -> list[tuple]:
    run = hybrid()
    config = {"all": "disabled", policy: {"enforcementLevel": "mandatory", **properties}}
    found = analyze_in_process(PACK, run, config, project=run.settings.project, stack=run.settings.stack,
                               stack_config=stack_config or run.settings.config)
    return [(v.urn.rsplit("::", 1)[-1] if v.urn else None, v.message) for v in found]


def test_the_sites_grid_intensity_is_judged_like_a_regions():
    assert [f for f in verdicts("gpufleet-gpu-region-max-grid-intensity", max_grid_gco2e_per_kwh=30)
            if f[0] == QUOTA] == []
    found = verdicts("gpufleet-gpu-region-max-grid-intensity", max_grid_gco2e_per_kwh=20)
    assert [f for f in found if f[0] == QUOTA] == [
        (QUOTA, f"{QUOTA} puts 32 GPUs (dc-north/8xH100) in owned dc-north, whose grid emits 28 gCO2e/kWh (2025), "
                "over the limit of 20 gCO2e/kWh. Fix: place the capacity in a cleaner region (no catalog region "
                "offering dc-north/8xH100 meets the limit).")]


def test_the_sites_pue_is_judged_like_a_regions():
    found = verdicts("gpufleet-gpu-region-max-pue", max_pue=1.1)
    assert [f for f in found if f[0] == QUOTA] == [
        (QUOTA, f"{QUOTA} puts 32 GPUs (dc-north/8xH100) in owned dc-north, whose PUE is 1.2 (2025), over the limit "
                "of 1.1. Fix: place the capacity in a more efficient region (no catalog region offering "
                "dc-north/8xH100 meets the limit).")]


def test_the_hybrid_stack_passes_prod_with_the_sites_figures_in_its_budget():
    run = hybrid()
    found = analyze_in_process(PACK, run, load_policy_config(PACK / "prod.json"), project=run.settings.project,
                               stack=run.settings.stack, stack_config=run.settings.config)
    assert [v for v in found if v.level == "mandatory"] == []
    # The total counts the site's $43,216.00 (32 GPUs × 1.85 USD × 730 h) beside the clouds' $400,548.08 and the AKS
    # control plane and system pool ($73.00 + $388.36); the unpriced ones include 4 parts for node disks (AKS OS
    # disks, GKE boot disks, OCI boot volumes: no sourced price).
    config = dict(run.settings.config)
    config["gpufleet:fleet"] = config["gpufleet:fleet"].replace('"monthly_usd":500000', '"monthly_usd":400000')
    assert config != run.settings.config
    assert verdicts("gpufleet-stack-monthly-cost-budget", stack_config=config) == [(None, (
        "estimated $444,225.44/month for 88 GPUs exceeds the budget of $400,000.00/month (gpufleet:fleet.budgets."
        "monthly_usd of stack hybrid) by $44,225.44; 10 more resource(s) have no price and are not counted. Largest: "
        "prod-pretrain-pretrain-cluster-network $233,600.00, prod-chat-serving-chat-serving-agent-pool $93,305.68, "
        "prod-finetune-finetune-node-pool $73,642.40. Fix: lower node counts or hours, use spot or scale to zero, "
        "choose cheaper regions, or raise the budget."))]
