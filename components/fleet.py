"""A placed fleet as components: one `GpuCluster` per cloud and region the placement chose.

`fleet_clusters` turns the typed fleet and its placement into cluster arguments (plain data, no
resources); `declare_fleet` runs preflight on every cluster first, then builds one explicit provider
per cloud and region and declares the clusters with it. Used by the program (`__main__.py`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pulumi

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.config import CONFIG_KEY, Fleet, SiteFacts, Workload
from gpufleet.errors import UserError
from gpufleet.placement.lock import LockedPlacement

from gpufleet.components.args import GpuClusterArgs, NodeGroupSpecArgs, StorageSpecArgs
from gpufleet.components.cluster import GpuCluster
from gpufleet.components.declarer import cloud_adapter, declarer
from gpufleet.components.preflight import DEFAULT_THROUGHPUT_MB_S_PER_GPU, plan_cluster

# Stands in for what the program declares for a cluster's scope (an Azure resource group), so every
# cluster passes preflight before anything is declared.
_DECLARED_LATER = "declared-by-the-program"


@dataclass(frozen=True)
class PlannedCluster:
    name: str
    cloud: str
    region: str
    args: GpuClusterArgs
    previous_name: str | None = None  # the name it was deployed under, if another: an alias keeps its resources


def _node_group(workload: Workload, instance_type: str) -> NodeGroupSpecArgs:
    spec: NodeGroupSpecArgs = {
        "workload": workload.name, "gpu": workload.gpu, "gpu_count": workload.gpu_count,
        "instance_type": instance_type, "capacity_type": workload.capacity, "scale_to_zero": workload.scale_to_zero,
        # The fabric (and its placement group) only where the workload asks for it.
        "enable_fabric": workload.high_bandwidth_fabric,
        "utilization_percent": workload.utilization_percent, "hours_per_month": workload.hours_per_month,
    }  # fmt: skip
    if workload.reservation is not None:
        r = workload.reservation
        spec["reservation"] = {"kind": r.kind, "id": r.id, "zone": r.zone}
    return spec


def _storage(workload: Workload, cloud: str, locked: tuple[float, int] | None = None) -> StorageSpecArgs | None:
    """`locked`: the hot tier the placement lock recorded (TiB, MB/s per TiB), used unless `hot_tib` is set."""
    storage = workload.storage
    if storage is None:
        return None
    has_file_system = cloud_adapter(cloud).file_system is not None
    spec: StorageSpecArgs = {
        "workload": workload.name,
        # Training reads its data set through the hot tier where the cloud has one (CoreWeave: objects only);
        # inference only when it asks for one (`hot_tib`, which preflight refuses on a cloud without one).
        "enable_hot_tier": (workload.kind == "training" and has_file_system) or storage.hot_tib > 0,
        "cold_after_days": storage.cold_after_days,
        "archive_after_days": storage.archive_after_days,
    }
    if storage.hot_tib > 0:
        spec["hot_capacity_tib"] = storage.hot_tib
    elif spec["enable_hot_tier"] and locked is not None:
        # The locked size, whatever gpu_count now is: resizing is a reviewed re-lock, never a side effect.
        tib, tier = locked
        spec["hot_capacity_tib"], spec["throughput_mb_s_per_tib"] = tib, tier
        if tib * tier < workload.gpu_count * DEFAULT_THROUGHPUT_MB_S_PER_GPU:
            spec["throughput_mb_s_per_gpu"] = tib * tier / workload.gpu_count  # what each GPU gets until re-locked
    if storage.object_tib > 0:
        spec["object_capacity_tib"] = storage.object_tib
    return spec


def fleet_clusters(fleet: Fleet, placed: LockedPlacement) -> list[PlannedCluster]:
    """One cluster per (cloud, region) the placement chose, in the fleet's workload order, named as
    the lock says (or by its first workload): no derived figure reaches a name or an input."""
    clusters: dict[tuple[str, str], PlannedCluster] = {}
    for workload in fleet.workloads:
        option = placed.placement.decisions[workload.name].chosen
        key = (option.cloud, option.region)
        if key not in clusters:
            name = placed.clusters[workload.name]
            clusters[key] = PlannedCluster(name, option.cloud, option.region, {
                "cloud": option.cloud, "region": option.region, "tags": fleet.owner_tags, "node_groups": [],
                "storage": []}, placed.previous_names.get(name))
            site = fleet.site(option.region) if cloud_adapter(option.cloud).hosts_sites else None
            if (version := fleet.kubernetes_version(option.cloud, option.region)) is not None:
                clusters[key].args["kubernetes_version"] = version
            if site is not None:
                clusters[key].args["site"] = site.model_dump(include=set(SiteFacts.model_fields))
            elif fleet.enable_gpu_software:
                clusters[key].args["enable_gpu_software"] = True
        args = clusters[key].args
        args["node_groups"].append(_node_group(workload, option.instance_type))
        if (storage := _storage(workload, option.cloud, placed.hot_tiers.get(workload.name))) is not None:
            args["storage"].append(storage)
    return list(clusters.values())


def hot_tier_advisories(fleet: Fleet, placed: LockedPlacement, stack: str) -> tuple[str, ...]:
    """Locked hot tiers now too small for their workload's GPUs: kept as locked (a resize is a reviewed
    decision; a smaller file system would be replaced), said as a note naming the re-lock."""
    notes = []
    for workload in fleet.workloads:
        locked = placed.hot_tiers.get(workload.name)
        if locked is None or workload.storage is None or workload.storage.hot_tib > 0:
            continue
        tib, tier = locked
        needed = workload.gpu_count * DEFAULT_THROUGHPUT_MB_S_PER_GPU
        if tib * tier < needed:
            notes.append(f"{workload.name}'s hot tier is locked at {tib:g} TiB ({tib * tier:,.0f} MB/s); its "
                         f"{workload.gpu_count} GPUs need {needed:,.0f} MB/s at "
                         f"{DEFAULT_THROUGHPUT_MB_S_PER_GPU:g} MB/s per GPU. Kept as locked: resize it with "
                         f"`gpufleet place {stack} --lock` (or set storage.hot_tib)")
    return tuple(notes)


def locked_hot_tiers(fleet: Fleet, placed: LockedPlacement, catalog: Catalog) -> dict[str, tuple[float, int]]:
    """Each workload's hot tier as preflight sizes it now for its GPUs, to record in a lock:
    workload -> (TiB, MB/s per TiB). A size the user set (`storage.hot_tib`) is theirs, not locked."""
    fresh = dataclasses.replace(placed, hot_tiers={})
    out = {}
    for cluster in fleet_clusters(fleet, fresh):
        scope = {key: _DECLARED_LATER for key in cloud_adapter(cluster.cloud).scope_inputs}
        plan, problems = plan_cluster({**cluster.args, **scope}, cluster.name, catalog)
        if problems:
            raise UserError(problems, heading="the placed fleet fails preflight")
        assert plan is not None
        set_by_user = {w.name for w in fleet.workloads if w.storage is not None and w.storage.hot_tib > 0}
        for s in plan.storage:
            if s.product is not None and s.hot_capacity_gib and s.workload not in set_by_user:
                out[s.workload] = (s.hot_capacity_tib, s.throughput_mb_s_per_tib)
    return out


def _renamed(cluster: PlannedCluster, name: str) -> list[pulumi.Alias]:
    """Children named `{cluster}-…` inherit the alias (the SDK swaps the name prefix)."""
    return [pulumi.Alias(name=name.replace(cluster.name, cluster.previous_name, 1))] if cluster.previous_name else []


def declare_fleet(fleet: Fleet, placed: LockedPlacement, catalog: Catalog | None = None) -> dict[str, GpuCluster]:
    """Preflight every cluster, then declare them, each with its cloud and region's own provider."""
    catalog = fleet.catalog(catalog or load_catalog())
    planned = fleet_clusters(fleet, placed)
    problems = []
    for cluster in planned:
        scope = {key: _DECLARED_LATER for key in cloud_adapter(cluster.cloud).scope_inputs}
        problems += plan_cluster({**cluster.args, **scope}, cluster.name, catalog)[1]
    if problems:
        raise UserError(problems, heading="the placed fleet fails preflight")

    declared = {}
    for cluster in planned:
        cloud = declarer(cluster.cloud)
        site = fleet.site(cluster.region) if "site" in cluster.args else None
        # An owned site's provider is its existing cluster's (how to reach it is in the stack's `sites:`).
        provider = cloud.site_provider(site, f"{CONFIG_KEY}.sites[{fleet.sites.index(site)}].cluster") \
            if site is not None else cloud.provider(cluster.region)
        opts = pulumi.ResourceOptions(providers=[provider])
        scope = cloud.declare_scope(cluster.name, cluster.region, fleet.owner_tags, pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=_renamed(cluster, f"{cluster.name}-rg"))))
        declared[cluster.name] = GpuCluster(cluster.name, {**cluster.args, **scope}, pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=_renamed(cluster, cluster.name))))
    return declared
