"""review6's findings on the bill, previewed as programs users copy from the providers' registry docs: node
disks outside AWS listed unpriced (F1), a managed instance group's autoscaler read for the GPUs it can reach
(F6), and a money total whose only priced part is free said to be unknown (F3)."""

import json
from pathlib import Path

from gpufleet.cli import main
from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"
AZ = "no sourced Azure managed disk price in the catalog"
PD = "no sourced Persistent Disk or Hyperdisk price in the catalog"


def _plan(name: str) -> dict:
    return preview(PROGRAMS / name, "dev", policy_pack=None).to_json()["gpufleet"]


def _unpriced(plan: dict) -> dict[str, tuple[str, str]]:
    return {u.rsplit("::", 1)[1]: (plan["estimates"][u]["type"], plan["estimates"][u]["derivation"]["monthly_usd"])
            for u in plan["unpriced"]}


def test_azure_vm_scale_set_and_aks_pools_disks_are_listed_unpriced() -> None:
    plan = _plan("node_disks_azure")
    disk = "azure-native:compute:Disk"
    unset = ("OS disk(s), managed (billed) unless AKS makes them Ephemeral (osDiskType unset: Ephemeral when the VM "
             "size's cache or temporary disk is larger than the OS disk)")
    # the VMs themselves are priced in eastus; the Ephemeral pool's OS disks are on its hosts: no disk
    assert _unpriced(plan) == {
        "nd.storageProfile.osDisk": (disk, f"unknown: 1 × 1024 GB Premium_LRS managed OS disk(s): {AZ}"),
        "nd.storageProfile.dataDisks[0]": (disk, f"unknown: 1 × 2048 GB PremiumV2_LRS managed data disk(s): {AZ}"),
        "a100.virtualMachineProfile.storageProfile.osDisk": (
            disk, "unknown: 2 × the image's size (diskSizeGB unset) managed OS disk(s) of a type Azure picks "
                  f"(managedDisk.storageAccountType unset): {AZ}"),
        "aks.agentPoolProfiles[system].osDisk": (
            disk, f"unknown: 3 × 128 GB (osDiskSizeGB unset: AKS's default for 4 vCPUs) {unset}: {AZ}"),
        "gpu.osDisk": (disk, f"unknown: 2 × 256 GB managed OS disk(s): {AZ}")}
    assert "monthly_usd" in plan["partial_totals"] and plan["assessment"]["complete"] is False
    # each part is the disks' own, its energy unknown too, never 0
    assert set(_unpriced(plan)) <= {u.rsplit("::", 1)[1] for u in plan["unknown_energy"]}


def test_gcp_instance_and_gke_pool_boot_disks_are_listed_unpriced() -> None:
    assert _unpriced(_plan("node_disks_gcp")) == {
        # the test catalog has no g2 offer there; the A100 pool is priced
        "l4": ("gcp:compute/instance:Instance", "unknown: g2-standard-8 has no offer in gcp europe-west4 in the catalog"),
        "l4.bootDisk": ("gcp:compute/disk:Disk", f"unknown: 1 × 200 GB pd-ssd boot disk(s): {PD}"),
        "a100.nodeConfig.bootDisk": (
            "gcp:compute/disk:Disk", "unknown: 2 × 100 GB (diskSizeGb unset: GKE's default) boot disk(s) of pd-balanced "
                                     f"or hyperdisk-balanced by machine type (diskType unset): {PD}")}


def test_oci_node_pool_and_instance_boot_volumes_are_listed_unpriced() -> None:
    volume, why = "oci:Core/bootVolume:BootVolume", "no sourced Block Volume price in the catalog"
    assert _unpriced(_plan("node_disks_oci")) == {
        "h100.nodeSourceDetails.bootVolume": (volume, f"unknown: 2 × 200 GB boot volume(s): {why}"),
        "a100": ("oci:Core/instance:Instance", "unknown: BM.GPU4.8 is not in the catalog (GPU types: "
                                                "instance_types.csv, CPU hosts: host_types.csv)"),
        "a100.sourceDetails.bootVolume": (
            volume, f"unknown: 1 × the image's size (sourceDetails.bootVolumeSizeInGbs unset) boot volume(s): {why}")}


def test_a_managed_instance_groups_autoscaler_sets_the_gpus_it_can_reach(summary) -> None:
    plan = _plan("mig_autoscaler")
    # counted at targetSize 3 (6 GPUs), reaching maxReplicas 6 (12 GPUs): it showed 6 GPUs only
    assert (plan["totals"]["gpus"], plan["totals"]["max_gpus"]) == (6, 12)
    mig = plan["estimates"]["urn:pulumi:dev::mig-autoscaler::gcp:compute/regionInstanceGroupManager:"
                            "RegionInstanceGroupManager::a2"]
    assert mig["derivation"]["max_gpus"] == "6 × 2 A100-40GB at autoscalingPolicy.maxReplicas of autoscaler a2 = 6"
    assert next(line for line in summary("mig_autoscaler") if line.startswith("Total:")).startswith(
        "Total: 6–12 GPUs · unknown USD/month · 2,313 kWh/month (partial) ·")
    # the test catalog has no a2-highgpu-2g offer in us-central1; its template's boot disks are unpriced too
    assert _unpriced(plan) == {
        "a2": ("gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
               "unknown: a2-highgpu-2g has no offer in gcp us-central1 in the catalog"),
        "a2.instanceTemplate.disks[0]": (
            "gcp:compute/disk:Disk", "unknown: 3 × the image's size (diskSizeGb unset) boot disk(s) of the API's "
                                     f"default type (diskType unset): {PD}")}


def test_a_money_total_whose_only_priced_part_is_free_is_unknown_not_zero(summary) -> None:
    total = next(line for line in summary("only_free_priced") if line.startswith("Total:"))
    # it read "0.00 USD/month (partial)": the Free tier's control plane, beside GPUs without a price
    assert total == ("Total: 1–4 GPUs · unknown USD/month (only free parts priced) · unknown kWh/month · unknown "
                     "kgCO2e/month operational + unknown kgCO2e/month embodied (INCOMPLETE: known items only; 4 "
                     "unpriced below)")
    plan = _plan("only_free_priced")
    assert (plan["totals"]["monthly_usd"], plan["partial_totals"]) == (None, [])
    cluster = "urn:pulumi:dev::only-free-priced::azure-native:containerservice:ManagedCluster::aks"
    assert plan["estimates"][cluster]["monthly_usd"] == 0.0  # the Free tier, still priced as such


def test_the_report_of_such_a_plan_says_so_too(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(preview(PROGRAMS / "only_free_priced", "dev", policy_pack=None).to_json()))
    assert main(["report", str(plan)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["Total: unknown USD/month (only free parts priced) · unknown tCO2e/month · 1–4 GPUs · no mandatory "
                         "policy violations", "",
                         "Stack dev: 1–4 GPUs · unknown USD/month (only free parts priced)"]
