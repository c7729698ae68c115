"""Readers of pulumi-gcp resource types: Compute Engine instances, GKE node pools and the pools a GKE
cluster declares itself (its default pool, inline `nodePools`) as capacity; Managed Lustre and Cloud
Storage as storage; what else is billable.

GKE counts nodes per zone: a node pool of `nodeCount` 2 over `nodeLocations` [a, b] runs 4 nodes. A
pool in a zone has one zone; a regional pool without `nodeLocations` (its own or its cluster's) runs
in three zones of the region, GKE's default ("Creating a regional cluster": the default configuration
replicates each node pool across three zones of the control plane's region).
"""

from __future__ import annotations

import re
from typing import Any

from gpufleet.files import plain_number
from gpufleet.readers.base import (
    HOURLY,
    NOT_CONFIGURED,
    ONE,
    STORAGE,
    USAGE,
    BillLine,
    Capacity,
    Graph,
    Priced,
    ResourceReader,
    Scaling,
    Storage,
    billable_readers,
    by_id,
    by_name,
    count,
    declared_object_storage,
    duty,
    free_readers,
    node_disks,
    number,
    whole,
)
from gpufleet.readers.views import ResourceView, get_known, known, value_at

CLOUD = "gcp"
GPU_TYPE_PATTERN = r"^(a\d|g\d)-"  # accelerator-optimised (A*) and G2/G4 machine types
NODE_POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
GIB_PER_TIB = 1024.0
REGIONAL_DEFAULT_ZONES = 3  # GKE docs, "Creating a regional cluster" (see above)
_ZONE = re.compile(r"^[a-z]+-[a-z]+\d+-[a-z]$")
_CLUSTER_LOCATION = re.compile(r"/locations/([^/]+)/clusters/")


def _region_of(place: Any) -> str | None:
    """A zone ("us-east4-a") names its region ("us-east4"); a location may be either."""
    if not isinstance(place, str) or not known(place):
        return None
    return place.rsplit("-", 1)[0] if _ZONE.match(place) else place


def _region(view: ResourceView) -> str | None:
    return _region_of(get_known(view.inputs, "zone") or get_known(view.inputs, "location")
                      or get_known(view.provider_inputs, "region"))


def _gke_cluster(pool: ResourceView, graph: Graph) -> ResourceView | None:
    """The cluster a node pool belongs to: the one its `cluster` input depends on (a new cluster's id is
    unknown at preview), else the one whose name or id it names."""
    for urn in pool.dependencies.get("cluster", ()):
        other = graph.get(urn)
        if other is not None and other.type == CLUSTER:
            return other
    ref = get_known(pool.inputs, "cluster")
    if not isinstance(ref, str):
        return None
    return by_id(graph, CLUSTER, ref) or by_name(graph, CLUSTER, "name", ref)


def _pool_location(inputs: dict[str, Any]) -> Any:
    """A node pool's location: its own, else the one its cluster's id names."""
    location = value_at(inputs, "location")
    if location is None and isinstance(ref := value_at(inputs, "cluster"), str):
        match = _CLUSTER_LOCATION.search(ref)
        location = match.group(1) if match else None
    return location


def _zones(inputs: dict[str, Any]) -> int | None:
    """How many zones a node pool's per-zone counts apply to; None when unknown."""
    locations = value_at(inputs, "nodeLocations")
    if isinstance(locations, list) and locations:
        return len(set(locations)) if all(known(z) for z in locations) else None
    location = _pool_location(inputs)
    if not isinstance(location, str) or not known(location):
        return None
    return 1 if _ZONE.match(location) else REGIONAL_DEFAULT_ZONES


def _times(n: int | None, zones: int | None) -> int | None:
    return None if n is None or zones is None else n * zones


def _node_labels(inputs: dict[str, Any]) -> dict[str, Any]:
    """gpufleet's duty labels: Kubernetes node labels (they allow "62.5"), else the nodes' GCE labels."""
    resource = get_known(inputs, "nodeConfig", "resourceLabels")
    k8s = get_known(inputs, "nodeConfig", "labels")
    return {**(resource if isinstance(resource, dict) else {}), **(k8s if isinstance(k8s, dict) else {})}


def _attached_gpus(accelerators: Any) -> tuple[str, int] | None:
    """(accelerator type, GPUs per node) of `guestAccelerators` (a type may be a full
    `.../acceleratorTypes/nvidia-tesla-t4` URL); None when unknown or of more than one type."""
    if not isinstance(accelerators, list):
        return None
    kinds, total = set(), 0
    for accelerator in accelerators:
        kind, n = get_known(accelerator, "type"), count(get_known(accelerator, "count"))
        if not isinstance(kind, str) or n is None:
            return None
        kinds.add(kind.rsplit("/", 1)[-1])
        total += n
    return (kinds.pop(), total) if len(kinds) == 1 and total else None


DISK = "gcp:compute/disk:Disk"
NO_DISK_PRICE = "no sourced Persistent Disk or Hyperdisk price in the catalog"
# pulumi-gcp 10.2.0 `container.ClusterNodeConfigArgs.disk_size_gb` (a cluster's pools): "Size of the disk attached to
# each node, specified in GB. The smallest allowed disk size is 10GB. Defaults to 100GB."; `disk_type`: "Defaults
# to `hyperdisk-balanced` if `hyperdisk-balanced` is supported and `pd-balanced` is not supported for the machine
# type; otherwise defaults to `pd-balanced`."
GKE_DEFAULT_DISK_GB = 100
_GKE_DEFAULT_DISK_TYPE = "pd-balanced or hyperdisk-balanced by machine type (diskType unset)"


def _gb(value: Any) -> float | None:
    n = plain_number(value) if isinstance(value, str) else number(value)
    return n if n is not None and n > 0 else None


def _disk(owner: ResourceView, path: str, nodes: int | None, gb: Any, kind: Any, role: str, size_unset: str,
          kind_unset: str) -> list[ResourceView]:
    """One part for a disk each node gets (`node_disks`): `gb` GB of disk type `kind`, or what unset means."""
    size = f"{n:g} GB" if (n := _gb(gb)) is not None else size_unset
    what = f"{kind} {role}(s)" if isinstance(kind, str) and known(kind) else f"{role}(s) of {kind_unset}"
    return node_disks(owner, path, DISK, nodes, size, what, NO_DISK_PRICE)


def _pool_boot_disks(pool: ResourceView, nodes: int | None) -> list[ResourceView]:
    """A GKE pool's boot disks, one per node: `nodeConfig.bootDisk` (sizeGb, diskType), else the older
    `nodeConfig.diskSizeGb` and `diskType` (pulumi-gcp: "being migrated to `boot_disk`"), else GKE's defaults."""
    config = get_known(pool.inputs, "nodeConfig")
    boot = get_known(config, "bootDisk")
    gb = get_known(boot, "sizeGb") or get_known(config, "diskSizeGb")
    kind = get_known(boot, "diskType") or get_known(config, "diskType")
    return _disk(pool, "nodeConfig.bootDisk", nodes, gb, kind, "boot disk",
                 f"{GKE_DEFAULT_DISK_GB} GB (diskSizeGb unset: GKE's default)", _GKE_DEFAULT_DISK_TYPE)


def _template_disks(owner: ResourceView, template: ResourceView, nodes: int | None) -> list[ResourceView]:
    """The disks an instance template gives each instance, one part each (`instanceTemplate.disks[i]`): those it
    creates (`diskSizeGb`, `diskType`; unset size: the image's), not those it attaches (`source`: a disk of its
    own)."""
    disks = get_known(template.inputs, "disks")
    out = []
    for i, disk in enumerate(disks if isinstance(disks, list) else []):
        if not isinstance(disk, dict) or value_at(disk, "source") is not None:
            continue
        boot = get_known(disk, "boot") is True
        out += _disk(owner, f"instanceTemplate.disks[{i}]", nodes, get_known(disk, "diskSizeGb"),
                     get_known(disk, "diskType"), "boot disk" if boot else "disk",
                     "the image's size (diskSizeGb unset)" if boot else "a size not set (diskSizeGb)",
                     "the API's default type (diskType unset)")
    return out


def _capacity_type(node_config: Any) -> str:
    if get_known(node_config, "spot") or get_known(node_config, "preemptible"):
        return "spot"
    if get_known(node_config, "reservationAffinity", "consumeReservationType") == "SPECIFIC_RESERVATION":
        return "reserved"
    return "on-demand"


class Instance(ResourceReader):
    type = "gcp:compute/instance:Instance"
    cloud = CLOUD
    is_capacity = True
    replace_inputs = ("name", "project", "zone")  # Terraform Google provider `google_compute_instance`: ForceNew

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "labels"))
        scheduling = get_known(view.inputs, "scheduling")
        kind = "spot" if get_known(scheduling, "provisioningModel") == "SPOT" or get_known(scheduling, "preemptible") \
            else "reserved" if get_known(view.inputs, "reservationAffinity", "type") == "SPECIFIC_RESERVATION" \
            else "on-demand"
        return Capacity(CLOUD, _region(view), get_known(view.inputs, "machineType"), 1, kind, hours, util, notes,
                        attached_gpus=_attached_gpus(get_known(view.inputs, "guestAccelerators")))

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        machine = value_at(inputs, "machineType")
        return [] if machine is None else [("machineType", machine)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        return [value_at(view.inputs, "reservationAffinity", "specificReservation", "values")]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its boot disk when it creates one (`bootDisk.initializeParams`; `bootDisk.source` attaches a disk of
        its own). Disks it attaches (`attachedDisks`) are resources of their own; scratch (local SSD) disks
        are not read."""
        boot = get_known(view.inputs, "bootDisk")
        if value_at(boot, "source") is not None:
            return []
        params = get_known(boot, "initializeParams")
        return _disk(view, "bootDisk", 1, get_known(params, "size"), get_known(params, "type"), "boot disk",
                     "the image's size (bootDisk.initializeParams.size unset)",
                     "the API's default type (bootDisk.initializeParams.type unset)")


INSTANCE_TEMPLATES = ("gcp:compute/instanceTemplate:InstanceTemplate",
                      "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate")


class InstanceTemplate(ResourceReader):
    """An instance template: declares a machine type (and attached GPUs), runs nothing itself."""

    cloud = CLOUD

    def __init__(self, type_: str) -> None:
        self.type = type_

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        machine = value_at(inputs, "machineType")
        return [] if machine is None else [("machineType", machine)]


def _group_template(view: ResourceView, graph: Graph) -> ResourceView | None:
    """The instance template a managed instance group's first version runs: the one it depends on (a new
    template's self link is unknown at preview), else the one whose id it names. Never a guess."""
    for urn in view.dependencies.get("versions", ()):
        other = graph.get(urn)
        if other is not None and other.type in INSTANCE_TEMPLATES:
            return other
    versions = get_known(view.inputs, "versions")
    ref = get_known(versions[0], "instanceTemplate") if isinstance(versions, list) and versions else None
    return next((t for type_ in INSTANCE_TEMPLATES if (t := by_id(graph, type_, ref)) is not None), None)


AUTOSCALERS = ("gcp:compute/autoscaler:Autoscaler", "gcp:compute/regionAutoscaler:RegionAutoscaler")


def _autoscaler(group: ResourceView, graph: Graph) -> ResourceView | None:
    """The autoscaler whose `target` is the group: the one that depends on it there (a new group's id is unknown
    at preview), else the one naming its id. One that is OFF (`autoscalingPolicy.mode`) does not resize it."""
    for key, other in graph.items():
        if key != other.urn or other.type not in AUTOSCALERS:
            continue
        target = get_known(other.inputs, "target")
        if group.urn in other.dependencies.get("target", ()) or (group.id is not None and target == group.id):
            return None if get_known(other.inputs, "autoscalingPolicy", "mode") == "OFF" else other
    return None


class ManagedInstanceGroup(ResourceReader):
    """A managed instance group (zonal or regional): `targetSize` instances of its instance template's
    machine type, counted at that size; an autoscaler attached to it (`compute.Autoscaler`,
    `RegionAutoscaler`) sets the sizes it scales between (`autoscalingPolicy.minReplicas`, `maxReplicas`)."""

    cloud = CLOUD
    is_capacity = True

    def __init__(self, type_: str) -> None:
        self.type = type_

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        template = _group_template(view, graph)
        properties = template.inputs if template is not None else {}
        hours, util, notes = duty(get_known(properties, "labels"))
        notes["nodes"] = "target size of the managed instance group"
        scheduling = get_known(properties, "scheduling")
        kind = "spot" if get_known(scheduling, "provisioningModel") == "SPOT" or get_known(scheduling, "preemptible") \
            else "on-demand"
        region = _region_of(get_known(view.inputs, "zone") or get_known(view.inputs, "region")
                            or get_known(view.provider_inputs, "region"))
        return Capacity(CLOUD, region, get_known(properties, "machineType"),
                        count(get_known(view.inputs, "targetSize")), kind, hours, util, notes,
                        attached_gpus=_attached_gpus(get_known(properties, "guestAccelerators")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = whole(value_at(inputs, "targetSize"))
        return Scaling(n, n, "targetSize", "targetSize")

    def scaling_in(self, view: ResourceView, graph: Graph) -> Scaling | None:
        scaler = _autoscaler(view, graph)
        if scaler is None:
            return self.scaling(view.inputs)
        policy = value_at(scaler.inputs, "autoscalingPolicy")
        return Scaling(whole(value_at(policy, "minReplicas")), whole(value_at(policy, "maxReplicas")),
                       f"autoscalingPolicy.minReplicas of autoscaler {scaler.name}",
                       f"autoscalingPolicy.maxReplicas of autoscaler {scaler.name}")

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """The disks its instance template gives each instance (`_template_disks`)."""
        template = _group_template(view, graph)
        return [] if template is None else _template_disks(view, template, self.capacity(view, graph).nodes)


class NodePool(ResourceReader):
    """A GKE node pool, or a pool a cluster declares (its default pool, an inline `nodePools` entry)
    as a view of this type with the cluster's location."""

    type = NODE_POOL
    cloud = CLOUD
    is_capacity = True
    # Terraform Google provider `google_container_node_pool` (bridged by pulumi-gcp 10): these fields are
    # `ForceNew`. GKE applies a change of the nodes' configuration or version by recreating the nodes
    # (surge or blue-green node pool upgrade), where it does not replace the pool.
    replace_inputs = ("cluster", "initialNodeCount", "location", "name", "namePrefix", "placementPolicy", "project")
    roll_inputs = ("nodeConfig", "version")

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(_node_labels(view.inputs))
        inputs = view.inputs
        per_zone = count(get_known(inputs, "nodeCount"))
        source = "nodeCount"
        if per_zone is None:
            per_zone, source = count(get_known(inputs, "initialNodeCount")), "initialNodeCount"
        zones = _zones(inputs)
        cluster = _gke_cluster(view, graph) if _pool_location(inputs) is None else None
        if zones is None and cluster is not None and value_at(inputs, "nodeLocations") is None:
            zones = _zones({"location": get_known(cluster.inputs, "location"),
                            "nodeLocations": get_known(cluster.inputs, "nodeLocations")})
        nodes = _times(per_zone, zones)
        notes["nodes"] = (f"{source} per zone × {zones} zone(s)" if zones is not None
                          else f"{source} is per zone, and the pool's zones are not known at preview")
        location = _pool_location(inputs) or (get_known(cluster.inputs, "location") if cluster else None)
        region = _region_of(location) or _region_of(get_known(view.provider_inputs, "region"))
        return Capacity(CLOUD, region, get_known(inputs, "nodeConfig", "machineType"), nodes,
                        _capacity_type(get_known(inputs, "nodeConfig")), hours, util, notes,
                        attached_gpus=_attached_gpus(get_known(inputs, "nodeConfig", "guestAccelerators")))

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        machine = value_at(inputs, "nodeConfig", "machineType")
        return [] if machine is None else [("nodeConfig.machineType", machine)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        auto = value_at(inputs, "autoscaling")
        zones = _zones(inputs)
        per = f" × {zones} zones" if zones is not None and zones > 1 else ""  # the paths say what is per zone
        if isinstance(auto, dict):
            if value_at(auto, "totalMinNodeCount") is not None or value_at(auto, "totalMaxNodeCount") is not None:
                return Scaling(whole(value_at(auto, "totalMinNodeCount")), whole(value_at(auto, "totalMaxNodeCount")),
                               "autoscaling.totalMinNodeCount", "autoscaling.totalMaxNodeCount")
            return Scaling(_times(whole(value_at(auto, "minNodeCount")), zones),
                           _times(whole(value_at(auto, "maxNodeCount")), zones),
                           f"autoscaling.minNodeCount{per}", f"autoscaling.maxNodeCount{per}")
        key = "nodeCount" if value_at(inputs, "nodeCount") is not None else "initialNodeCount"
        n = _times(whole(value_at(inputs, key)), zones)
        return Scaling(n, n, f"{key}{per}", f"{key}{per}")

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its nodes' boot disks (`_pool_boot_disks`)."""
        return _pool_boot_disks(view, self.capacity(view, graph).nodes)

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        affinity = value_at(view.inputs, "nodeConfig", "reservationAffinity")
        if value_at(affinity, "consumeReservationType") != "SPECIFIC_RESERVATION":
            return []
        return [value_at(affinity, "values")]

    def fabric_configured(self, view: ResourceView | None, graph: Graph, interconnect: str) -> str:
        if not interconnect.startswith("GPUDirect"):
            return NOT_CONFIGURED
        if view is None:
            return "GPU networks unknown (declared inline in the cluster)"
        networks = get_known(view.inputs, "networkConfig", "additionalNodeNetworkConfigs") or []
        n = len(networks) if isinstance(networks, list) else 0
        compact = get_known(view.inputs, "placementPolicy", "type") == "COMPACT"
        return (f"{n} additional node networks/node" if n else "no additional node networks") + \
            (", compact placement" if compact else "")


def _is_capacity_pool(node_config: Any) -> bool:
    """A pool worth pricing: a GPU machine type, GPUs attached, or a type not known at preview. GKE's
    default machine type (no `machineType`) is a CPU type."""
    if not isinstance(node_config, dict):
        return node_config is not None  # the whole nodeConfig unknown at preview
    if get_known(node_config, "guestAccelerators"):
        return True
    machine = node_config.get("machineType")
    return machine is not None and (not known(machine) or re.match(GPU_TYPE_PATTERN, str(machine)) is not None)


class Cluster(ResourceReader):
    """A GKE cluster: billed (management fee), and the pools it declares itself: its default pool
    (`initialNodeCount` nodes per zone of `nodeConfig.machineType`, unless `removeDefaultNodePool`) and
    each entry of `nodePools`. Pools of CPU machine types are billed with the cluster, unpriced (the
    catalog has no GCP CPU machine type)."""

    type = CLUSTER
    cloud = CLOUD
    billable = "GKE cluster management fee"
    # Terraform Google provider `google_container_cluster` (bridged by pulumi-gcp 10): `name`, `location`
    # and `project` are `ForceNew`.
    replace_inputs = ("location", "name", "project")
    # Its own pools cannot change in place: pulumi-gcp 10.2.0 `Cluster.node_pools` ("node pools defined
    # inside a cluster can't be changed (or added/removed) after cluster creation without deleting and
    # recreating the entire cluster"), and the default pool's `nodeConfig` block is `ForceNew` (Terraform
    # Google provider, node_config.go `schemaNodeConfig`). So a change that would recreate a separate
    # NodePool's nodes or the pool itself replaces the cluster, and every pool in it. A version change is
    # a node upgrade, which recreates the nodes by surge: an inline pool's `version`, and the default pool's,
    # which is the cluster's `nodeVersion` (pulumi-gcp 10.2.0 `Cluster.node_version`: "This only affects nodes
    # in the default node pool ... To update nodes in other node pools, use the `version` attribute on the
    # node pool"). `minMasterVersion` is the control plane's ("The minimum version of the master"): a pool
    # without its own version is not upgraded by that change (GKE's node auto-upgrade may follow later, on
    # its own schedule), so it is not listed. Scaling (`nodeCount`, `autoscaling`) is not listed either.
    part_replace_inputs = ("initialNodeCount", "name", "namePrefix", "nodeConfig", "placementPolicy")
    part_roll_inputs = ("version",)
    part_replace_reason = "an inline pool cannot change in place: the provider replaces the cluster and every pool in it"
    part_replaces_parent = True

    def bill(self, view: ResourceView, graph: Graph) -> list[BillLine]:
        # A flat fee per cluster whatever its mode or size; the free tier's monthly credit is per billing
        # account, so not applied to any one cluster.
        region = _region(view)
        lines = [BillLine(HOURLY, "gke-cluster-management", "standard", region, 1.0, "cluster")]
        cpu_pools = [label for _, label, pool in self._pools(view.inputs)
                     if not _is_capacity_pool(pool.get("nodeConfig"))]
        if cpu_pools:
            lines.append(BillLine(HOURLY, "gke-cpu-node-pools", "machine types not in the catalog", region, None,
                                  f"CPU node pools {', '.join(cpu_pools)} (their machine types' prices)"))
        return lines

    def _pools(self, inputs: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """(path, label, node-pool-shaped inputs) of each pool the cluster declares."""
        pools = []
        if value_at(inputs, "removeDefaultNodePool") is not True and value_at(inputs, "nodeConfig") is not None:
            default = {"nodeConfig": value_at(inputs, "nodeConfig"),
                       "initialNodeCount": value_at(inputs, "initialNodeCount")}
            if value_at(inputs, "nodeVersion") is not None:  # the default pool's version (see part_roll_inputs)
                default["version"] = value_at(inputs, "nodeVersion")
            pools.append(("", "default-pool", default))
        for i, pool in enumerate(value_at(inputs, "nodePools") or []):
            if isinstance(pool, dict):
                name = pool.get("name")
                pools.append((f"nodePools[{i}].", name if isinstance(name, str) and known(name) else str(i), dict(pool)))
        for _, _, pool in pools:
            pool.setdefault("location", value_at(inputs, "location"))
            if pool.get("nodeLocations") is None:
                pool["nodeLocations"] = value_at(inputs, "nodeLocations")
        return pools

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return [(f"{path}nodeConfig.machineType", machine) for path, _, pool in self._pools(inputs)
                if (machine := value_at(pool, "nodeConfig", "machineType")) is not None]

    def _pool_views(self, view: ResourceView) -> list[ResourceView]:
        return [ResourceView(urn=f"{view.urn}.nodePools[{label}]", type=NODE_POOL, inputs=pool,
                             provider_inputs=view.provider_inputs, dependencies={"cluster": (view.urn,)},
                             part_of=view.urn) for _, label, pool in self._pools(view.inputs)]

    def inline_capacity(self, view: ResourceView) -> list[ResourceView]:
        return [pool for pool in self._pool_views(view) if _is_capacity_pool(pool.inputs.get("nodeConfig"))]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its capacity pools, and each pool's boot disks (`_pool_boot_disks`), a CPU pool's too (its machine
        type is in the cluster's unpriced line, its disks are not), all parts of the cluster."""
        out = []
        for pool in self._pool_views(view):
            capacity = [pool] if _is_capacity_pool(pool.inputs.get("nodeConfig")) else []
            out += [*capacity, *_pool_boot_disks(pool, NodePool().capacity(pool, graph).nodes)]
        return out


def _lustre(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    # pulumi-gcp types capacity and throughput as strings ("36000"); numbers are accepted too.
    def figure(key: str) -> float | None:
        value = get_known(v.inputs, key)
        return plain_number(value) if isinstance(value, str) else number(value)
    gib, tier = figure("capacityGib"), figure("perUnitStorageThroughput")
    return True, (None if gib is None else gib / GIB_PER_TIB), [f"{tier:g} MB/s/TiB"] if tier is not None else []


def _bucket(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    details = [str(c) for c in [get_known(v.inputs, "storageClass") or "STANDARD"]]
    for rule in get_known(v.inputs, "lifecycleRules") or []:
        if get_known(rule, "action", "type") == "SetStorageClass" and (c := get_known(rule, "action", "storageClass")):
            details.append(f"lifecycle → {c}")
    return False, None, details


def _lustre_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """Managed Lustre is billed per GiB of capacity by performance tier (throughput per TiB)."""
    _, tib, details = _lustre(v)
    tier = details[0].split()[0] if details else "tier not known at preview"
    return [BillLine(STORAGE, "managed-lustre", tier, region, tib, "capacityGib")]


def _bucket_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """A bucket is billed on the bytes stored, by storage class, and on operations: priced on the capacity
    a gpufleet component declares (at the bucket's class; lifecycle rules then move objects to colder,
    cheaper classes, so an upper bound), otherwise usage-based."""
    storage_class = v.inputs.get("storageClass", "STANDARD")
    sku = storage_class if isinstance(storage_class, str) and known(storage_class) \
        else "storage class not known at preview"
    operations = BillLine(USAGE, "gcs-operations", sku, region, None, "operations and data retrieval")
    return [declared_object_storage("gcs", sku, region, get_known(v.inputs, "labels"), tag_word="label", at=sku,
                                    lifecycle="lifecycle rules move objects to colder, cheaper classes"),
            operations]


def _cloud_nat(view: ResourceView, region: str | None) -> list[BillLine]:
    return [BillLine(USAGE, "cloud-nat", "gateway", region, None, "gateway hours per VM using it"),
            BillLine(USAGE, "cloud-nat-data", "GB", region, None, "data processed")]


class _GcpStorage(Storage):
    def storage_region(self, view: ResourceView) -> str:
        """Managed Lustre's location is a zone and a bucket's an upper-case region ("EUROPE-WEST4")."""
        place = get_known(view.inputs, "location") or get_known(view.provider_inputs, "region")
        return (_region_of(place.lower()) or "unknown") if isinstance(place, str) else "unknown"


# Resources that are billed but have no price in the catalog (which prices GPU capacity).
BILLABLE: dict[str, str] = {
    "gcp:compute/disk:Disk": "persistent disk storage; no price in the catalog",
    "gcp:compute/address:Address": "static IP address hours; no price in the catalog",
    "gcp:compute/reservation:Reservation":
        "billed at the reserved machines' rate while unused; nodes running in it are priced at their node pool",
    "gcp:filestore/instance:Instance": "Filestore capacity; no price in the catalog",
    "gcp:sql/databaseInstance:DatabaseInstance": "Cloud SQL instance hours and storage; no price in the catalog",
    "gcp:artifactregistry/repository:Repository": "Artifact Registry storage; no price in the catalog",
}

class GlobalAddress(ResourceReader):
    """A global address: an internal range reserved for private services access or Private Service
    Connect costs nothing; an external static IP is billed by the hour."""

    type = "gcp:compute/globalAddress:GlobalAddress"
    cloud = CLOUD

    def billable_reason(self, view: ResourceView) -> str | None:
        internal = get_known(view.inputs, "addressType") == "INTERNAL" or \
            get_known(view.inputs, "purpose") in ("VPC_PEERING", "PRIVATE_SERVICE_CONNECT")
        return None if internal else "static external IP address hours; no price in the catalog"


# Types that cost nothing by themselves (what runs in or through them is assessed on its own).
FREE: tuple[str, ...] = (
    "gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/firewall:Firewall",
    "gcp:compute/route:Route", "gcp:compute/router:Router", "gcp:compute/resourcePolicy:ResourcePolicy",
    "gcp:compute/networkPeering:NetworkPeering", "gcp:servicenetworking/connection:Connection",
    "gcp:serviceaccount/account:Account", "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:serviceaccount/iAMBinding:IAMBinding", "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding", "gcp:projects/iAMPolicy:IAMPolicy", "gcp:projects/service:Service",
    "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    "gcp:storage/bucketIAMPolicy:BucketIAMPolicy", "gcp:storage/bucketACL:BucketACL",
    "gcp:storage/bucketAccessControl:BucketAccessControl",
    "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
    # A database and a user inside a Cloud SQL instance: the instance is billed (and listed unpriced).
    "gcp:sql/database:Database", "gcp:sql/user:User",
    # An autoscaler resizes a managed instance group: the group's VMs are billed (read as its capacity), the
    # autoscaler itself is not a billed product.
    "gcp:compute/autoscaler:Autoscaler", "gcp:compute/regionAutoscaler:RegionAutoscaler",
)

READERS: list[ResourceReader] = [
    Instance(),
    *(InstanceTemplate(t) for t in INSTANCE_TEMPLATES),
    ManagedInstanceGroup("gcp:compute/instanceGroupManager:InstanceGroupManager"),
    ManagedInstanceGroup("gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager"),
    NodePool(),
    Cluster(),
    # Storage: the Terraform Google provider's `ForceNew` fields of each resource.
    _GcpStorage("gcp:lustre/instance:Instance", CLOUD, "Google Cloud Managed Lustre", "Managed Lustre capacity",
                _lustre, _lustre_lines, replace_inputs=("filesystem", "instanceId", "location", "network", "project")),
    _GcpStorage("gcp:storage/bucket:Bucket", CLOUD, "Cloud Storage", "Cloud Storage", _bucket, _bucket_lines,
                replace_inputs=("location", "name", "project")),
    Priced("gcp:compute/routerNat:RouterNat", CLOUD, "Cloud NAT gateway hours and data", _cloud_nat,
           lambda view: _region_of(get_known(view.inputs, "region") or get_known(view.provider_inputs, "region"))),
    GlobalAddress(),
    *billable_readers(CLOUD, BILLABLE),
    *free_readers(CLOUD, FREE),
]
