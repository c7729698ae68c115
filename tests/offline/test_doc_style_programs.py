"""Programs a new user writes from the providers' docs (issue #16): each previews to exit 0 and says
what it knows — GPUs whenever the type is known, "unknown" (never 0) for totals nothing of which is
known, "(partial)" for totals that leave some out, and the components a plan consists of."""

from pathlib import Path

from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"


def _after(lines: list[str], title: str) -> list[str]:
    """The rows of the table titled `title` (below its header and rule), up to the next line that is no row."""
    start = lines.index(title) + 3
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith(("  ", *"abcdefghijklmnopqrstuvwxyz0123456789"))
                or lines[i].startswith(("Total", "GPU capacity", "Energy", "Unpriced", "Policies", "No "))), len(lines))
    return [" ".join(line.split()) for line in lines[start:end]]


def total(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("Total:"))


def test_a_gpu_vm_whose_price_and_power_are_unknown_totals_unknown_not_zero(summary) -> None:
    lines = summary("azure_nc_vm")
    assert _after(lines, "GPU capacity (monthly)") == [
        "azure eastus Standard_NC6s_v3 on-demand 1 1 unknown unknown unknown"]
    assert total(lines) == (
        "Total: 1 GPU · unknown USD/month · unknown kWh/month · unknown kgCO2e/month operational + unknown "
        "kgCO2e/month embodied (INCOMPLETE: known items only; 2 unpriced below)")  # the VM and its OS disk
    plan = preview(PROGRAMS / "azure_nc_vm", "dev", policy_pack=None).to_json()["gpufleet"]
    assert plan["totals"] == {"gpus": 1, "gpus_unknown_size": 0, "monthly_usd": None, "monthly_kwh": None, "monthly_kgco2e": None,
                              "monthly_embodied_kgco2e": None}
    assert plan["partial_totals"] == []


def test_totals_that_leave_unknown_energy_out_are_marked_partial(summary) -> None:
    lines = summary("aks_gpu_pools")
    assert _after(lines, "GPU capacity (monthly)") == [
        "azure westeurope Standard_NC24ads_A100_v4 on-demand 2 2 unknown unknown unknown",
        "azure westeurope Standard_NC8as_T4_v3 on-demand 3 3 unknown 302 86"]
    assert total(lines) == (
        # the cluster's control plane is on AKS's Free tier: a known 0.00 beside the unpriced GPU pools (and their
        # pools' OS disks) says nothing of the month's cost, so it is unknown (it read "0.00 USD/month (partial)")
        "Total: 5 GPUs · unknown USD/month (only free parts priced) · 302 kWh/month (partial) · 85.5 kgCO2e/month "
        "(partial) operational + unknown kgCO2e/month embodied (INCOMPLETE: known items only; 6 unpriced below)")
    plan = preview(PROGRAMS / "aks_gpu_pools", "dev", policy_pack=None).to_json()["gpufleet"]
    assert plan["partial_totals"] == ["monthly_kwh", "monthly_kgco2e"]
    t4 = plan["estimates"]["urn:pulumi:dev::aks-gpu-pools::azure-native:containerservice:AgentPool::t4pool"]
    # the known part only: the T4 pool's energy (the A100 pool's is unknown); no money total of the Free tier's 0.00
    assert (plan["totals"]["monthly_usd"], plan["totals"]["monthly_kwh"]) == (None, t4["monthly_kwh"])


def test_gpus_attached_to_an_n1_machine_are_counted(summary) -> None:
    lines = summary("gcp_n1_t4")
    assert _after(lines, "GPU capacity (monthly)") == [
        "gcp us-central1 n1-standard-8 on-demand 1 2 unknown unknown unknown"]
    plan = preview(PROGRAMS / "gcp_n1_t4", "dev", policy_pack=None).to_json()["gpufleet"]
    vm = plan["estimates"]["urn:pulumi:dev::gcp-n1-t4::gcp:compute/instance:Instance::t4-vm"]
    assert (vm["gpus"], vm["derivation"]["gpus"], vm["derivation"]["monthly_usd"]) == (
        2, "1 × 2 nvidia-tesla-t4 (attached: guestAccelerators)",
        "unknown: n1-standard-8 with 2 × nvidia-tesla-t4 attached: the catalog prices neither the machine type nor "
        "attached GPUs")


def test_a_plan_of_components_only_lists_the_components_as_not_expanded(summary) -> None:
    lines = summary("eks_components_only")
    assert _after(lines, "Resources by type") == [
        "awsx:ec2:Vpc (component, children not expanded) 1",
        "eks:index:Cluster (component, children not expanded) 1",
        "eks:index:ManagedNodeGroup (component, children not expanded) 1"]
    assert _after(lines, "GPU capacity (monthly)") == ["aws us-east-2 g6e.12xlarge on-demand 2 8–16 unknown 2,825 1,119"]


def test_gpu_types_counted_without_a_price_in_a_launch_template_and_an_instance(summary) -> None:
    lines = summary("aws_g6_asg")
    assert _after(lines, "GPU capacity (monthly)") == [
        "aws us-west-2 g6.2xlarge on-demand 3 3–6 unknown 276 33",
        "aws us-west-2 g6e.12xlarge on-demand 1 4 unknown 1,400 168"]
    # the nodes' root volumes (the launch template maps none; the instance declares no rootBlockDevice) are the
    # AMI's: their energy is not known, so the energy and carbon totals are partial
    assert total(lines).startswith("Total: 7–10 GPUs · unknown USD/month · 1,676 kWh/month (partial) · 200.7 "
                                   "kgCO2e/month (partial) operational")


def test_a_project_without_any_stack_file_previews_with_its_project_config(summary) -> None:
    lines = summary("no_stack_file")
    # the rows add up to the total, each rounded as the total adds it
    assert _after(lines, "GPU capacity (monthly)") == ["aws eu-north-1 p5.48xlarge on-demand 2 16 85,983.48 13,490 333"]
    assert total(lines).startswith("Total: 16 GPUs · 85,983.48 USD/month")


def test_capacity_that_scales_to_zero_shows_the_gpus_it_can_reach_and_costs_its_minimum(summary) -> None:
    lines = summary("scale_to_zero_gpu_pools")
    assert _after(lines, "GPU capacity (monthly)") == [
        "aws us-east-1 p4d.24xlarge on-demand 0 0–32 0.00 0 0",  # 4 × 8 A100 at maxSize
        "azure eastus Standard_NC24ads_A100_v4 on-demand 0 0–8 0.00 unknown unknown",  # AML cluster + AKS pool
        "gcp us-central1 a2-highgpu-1g on-demand 0 0–4 0.00 0 0"]
    assert total(lines).startswith("Total: 0–44 GPUs · 0.00 USD/month · ")
    plan = preview(PROGRAMS / "scale_to_zero_gpu_pools", "dev", policy_pack=None).to_json()["gpufleet"]
    assert plan["totals"]["gpus"] == 0 and plan["totals"]["max_gpus"] == 44
    rows = {urn.rsplit("::", 1)[1]: (e["nodes"], e["gpus"], e["max_gpus"], e["monthly_usd"], e["derivation"]["max_gpus"])
            for urn, e in plan["estimates"].items()}
    assert rows == {
        "aml": (0, 0, 4, 0.0, "4 × 1 A100-80GB at properties.properties.scaleSettings.maxNodeCount = 4"),
        "eks": (0, 0, 32, 0.0, "4 × 8 A100-40GB at scalingConfig.maxSize = 4"),
        "aks": (0, 0, 4, 0.0, "4 × 1 A100-80GB at maxCount = 4"),
        "gke": (0, 0, 4, 0.0, "4 × 1 A100-40GB at autoscaling.maxNodeCount = 4"),
    }


def test_capacity_that_cannot_scale_above_its_nodes_has_no_max_gpus(summary) -> None:
    plan = preview(PROGRAMS / "azure_nc_vm", "dev", policy_pack=None).to_json()["gpufleet"]
    assert [("max_gpus" in e) for e in plan["estimates"].values() if e["gpus"]] == [False]
    assert "max_gpus" not in plan["totals"]


def test_the_gpu_quota_counts_what_capacity_that_scales_to_zero_can_reach() -> None:
    plan = preview(PROGRAMS / "scale_to_zero_gpu_pools", "dev", in_process_policies=True).to_json()["gpufleet"]
    assert [v for v in plan["violations"] if v["policy"] == "gpufleet-stack-gpu-quota"] == [{
        "policy": "gpufleet-stack-gpu-quota", "level": "advisory", "urn": None,
        "message": "the stack can scale to 44 GPUs at maximum node counts, over the quota of 16 GPUs (policy config "
                   "max_gpus). Largest: eks 32 (4 nodes of p4d.24xlarge (8 GPUs each)), aml 4 (4 nodes of "
                   "Standard_NC24ads_A100_v4 (1 GPU each)), aks 4 (4 nodes of Standard_NC24ads_A100_v4 (1 GPU each)). "
                   "Fix: lower maximum node counts, or raise the quota."}]
