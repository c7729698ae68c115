"""GCP, declared: a VPC with the GPU fabric's own networks (one VPC per GPU NIC at the MTU the family
needs for GPUDirect-TCPX/TCPXO, a zonal RoCE VPC for GPUDirect-RDMA), a private GKE cluster with
Dataplane V2 and multi-networking, GKE GPU node pools, Managed Lustre + Cloud Storage; and the
region's provider.

Every child is created with `parent=parent`: the program's region provider (`provider`) reaches it
through the parent. Implements the `Declarer` interface of components/declarer.py. Facts about
machine families (GPU NIC networks, MTU, network profile, compact placement) come from the catalog.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pulumi
import pulumi_gcp as gcp

from gpufleet.catalog import MachineFamily, load_catalog
from gpufleet.clouds.gcp.facts import (
    ACCELERATOR_TYPES,
    ARCHIVE_CLASS,
    COLD_CLASS,
    COOL_CLASS,
    DEFAULT_SYSTEM_NODE_SIZE,
    GPU_DRIVER_VERSION,
    NODE_IMAGE_TYPE,
    RELEASE_CHANNEL,
    RESERVATION_LABEL_KEY,
    SOFT_DELETE_SECONDS,
    SYSTEM_NODES,
)
from gpufleet.clouds.gcp.labels import label_value as gcp_label
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.tags import TAG_HOURS, TAG_OBJECT_TIB, TAG_UTILIZATION, TAG_WORKLOAD, label_value, number, short_name

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"  # access is decided by IAM roles
# The one role GKE nodes need (GKE hardening guide, "Use least privilege IAM service accounts").
NODE_ROLE = "roles/container.defaultNodeServiceAccount"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
PODS_RANGE, SERVICES_RANGE = "pods", "services"
LUSTRE_PORTS = ["988"]  # Lustre's default port (GKE Managed Lustre CSI docs; cluster-toolkit managed-lustre examples)
LUSTRE_FILESYSTEM = "lustre"  # the Lustre file system's name on the instance (at most 8 letters and digits)
INTERNAL = [{"protocol": "tcp"}, {"protocol": "udp"}, {"protocol": "icmp"}]


def provider(region: str) -> pulumi.ProviderResource:
    """The explicit provider of one region, named `gcp-<region>`, in the stack's project (`gcp:project`)."""
    return gcp.Provider(f"gcp-{region}", region=region, project=pulumi.Config("gcp").get("project"))


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    """What a cluster's parts share beyond the provider: nothing on GCP."""
    return {}


def _family(instance: Any) -> MachineFamily:
    family = load_catalog().machine_family(instance)
    assert family is not None, instance.name  # preflight refuses types without a family
    return family


def fabric_key(zone: str, family: str) -> str:
    """How `fabric_network_configs` names one zone's networks for one machine family."""
    return f"{zone}:{family}"


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    """A cluster's references for one GPU node group: with the fabric, the GPU NIC networks of its zone
    and machine family."""
    if group.fabric == "none":
        return {}
    key = fabric_key(group.zone, _family(group.instance).name)
    return {"fabric_network_configs": network.fabric_network_configs.apply(lambda configs: configs[key])}


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    return {}


def gcp_labels(owner: Mapping[str, str], workload: str | None = None) -> dict[str, str]:
    """The owner tags as labels (preflight checked they are valid), plus the workload: identity only,
    never a derived figure (components/tags.py)."""
    labels = dict(owner)
    if workload:
        labels[TAG_WORKLOAD] = gcp_label(workload)
    return labels


# --- network -------------------------------------------------------------------------------------------


def _blocks(plan: NetworkPlan, needed: int) -> tuple[ipaddress.IPv4Network, Iterator[ipaddress.IPv4Network]]:
    """The pods' secondary range (half the address space) and equal blocks of the other half, at least
    `needed` of them: nodes, services, private services access, then the GPU networks."""
    pods, rest = plan.cidr.subnets(prefixlen_diff=1)
    return pods, rest.subnets(prefixlen_diff=max(4, math.ceil(math.log2(needed))))


def _fabric_families(plan: NetworkPlan) -> list[MachineFamily]:
    catalog = load_catalog()
    return list({f.name: f for it in plan.fabric_instance_types if (f := catalog.machine_family(it))}.values())


def gcp_name(logical: str, limit: int = 63) -> str:
    """A GCP resource name from a logical name: lowercase letters, digits and '-', at most `limit`
    characters (a cut name ends in a hash). Named explicitly, networks and clusters are known at
    preview, so node pools can be checked against them."""
    return short_name(logical, limit)


def _internal_firewall(parent: pulumi.Resource, name: str, network: gcp.compute.Network, ranges: list[str],
                       description: str) -> gcp.compute.Firewall:
    return gcp.compute.Firewall(name, network=network.name, direction="INGRESS", source_ranges=ranges,
                                allows=INTERNAL, description=description,
                                opts=pulumi.ResourceOptions(parent=parent))


def _gpu_vpc(parent: pulumi.Resource, name: str, region: str, block: ipaddress.IPv4Network, mtu: int | None,
             description: str) -> dict[str, Any]:
    """One network for one GPU NIC (or extra gVNIC): a VPC at `mtu`, a subnet, traffic from within only."""
    opts = pulumi.ResourceOptions(parent=parent)
    vpc = gcp.compute.Network(name, name=gcp_name(name), auto_create_subnetworks=False, routing_mode="REGIONAL",
                              mtu=mtu, description=description, opts=opts)
    subnet = gcp.compute.Subnetwork(name, name=gcp_name(name), network=vpc.id, region=region,
                                    ip_cidr_range=str(block), opts=opts)
    _internal_firewall(parent, f"{name}-internal", vpc, [str(block)], f"{description}: traffic from within only")
    return {"network": vpc.name, "subnetwork": subnet.name}


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> dict[str, Any]:
    opts = pulumi.ResourceOptions(parent=parent)
    families = _fabric_families(plan)
    per_zone = [f for f in families if f.fabric_network_profile]  # RDMA: networks bound to a zone
    needed = 3 + sum(f.fabric_networks or 0 for f in families if not f.fabric_network_profile) + \
        len(plan.zones) * sum(1 + (f.extra_host_networks or 0) for f in per_zone)
    pods, blocks = _blocks(plan, needed)
    nodes_block, services_block, services_access_block = next(blocks), next(blocks), next(blocks)

    vpc = gcp.compute.Network(f"{name}-vpc", name=gcp_name(f"{name}-vpc"), auto_create_subnetworks=False,
                              routing_mode="REGIONAL", description="gpufleet: GKE nodes, control plane access, file system",
                              opts=opts)
    subnet = gcp.compute.Subnetwork(
        f"{name}-nodes", name=gcp_name(f"{name}-nodes"), network=vpc.id, region=plan.region,
        ip_cidr_range=str(nodes_block),
        private_ip_google_access=True,  # private nodes reach Google APIs without internet egress
        secondary_ip_ranges=[{"range_name": PODS_RANGE, "ip_cidr_range": str(pods)},
                             {"range_name": SERVICES_RANGE, "ip_cidr_range": str(services_block)}],
        opts=opts)
    _internal_firewall(parent, f"{name}-internal", vpc, [str(plan.cidr)], "gpufleet: traffic from within the VPC")

    file_system_networks: dict[str, Any] = {}
    if plan.enable_file_system_subnet:
        # Managed Lustre lives in Google's network, reached through private services access.
        reserved = gcp.compute.GlobalAddress(
            f"{name}-services-range", name=gcp_name(f"{name}-services-range"), purpose="VPC_PEERING", address_type="INTERNAL",
            address=str(services_access_block.network_address), prefix_length=services_access_block.prefixlen,
            network=vpc.id, labels=dict(args["tags"]), opts=opts)
        peering = gcp.servicenetworking.Connection(f"{name}-services-access", network=vpc.id,
                                                   service="servicenetworking.googleapis.com",
                                                   reserved_peering_ranges=[reserved.name], opts=opts)
        gcp.compute.Firewall(f"{name}-lustre", network=vpc.name, direction="INGRESS",
                             source_ranges=[str(services_access_block)],
                             allows=[{"protocol": "tcp", "ports": LUSTRE_PORTS}],
                             description="gpufleet: Managed Lustre from the private services range", opts=opts)
        # The file system may only be created once the peering exists: its id carries the dependency.
        joined = pulumi.Output.all(vpc.id, peering.id).apply(lambda ids: ids[0])
        file_system_networks = {zone: joined for zone in plan.zones}

    fabric: dict[str, list[dict[str, Any]]] = {}
    for family in families:
        label = f"{name}-{family.name}"
        if family.fabric_network_profile is None:  # GPUDirect-TCPX/TCPXO: one VPC per GPU NIC, for every zone
            networks = [_gpu_vpc(parent, f"{label}-gpu-{i}", plan.region, next(blocks), family.fabric_network_mtu,
                                 f"gpufleet: {family.fabric} GPU NIC {i} of {family.name}")
                        for i in range(family.fabric_networks or 0)]
            fabric.update({fabric_key(zone, family.name): networks for zone in plan.zones})
            continue
        project = gcp.organizations.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=parent)).project
        for zone in plan.zones:  # GPUDirect-RDMA: extra gVNIC networks, then one RoCE VPC bound to the zone
            hosts = [_gpu_vpc(parent, f"{label}-{zone}-gvnic-{j}", plan.region, next(blocks), None,
                              f"gpufleet: extra gVNIC {j} of {family.name}")
                     for j in range(family.extra_host_networks or 0)]
            profile = project.apply(lambda p, z=zone, suffix=family.fabric_network_profile:
                                    f"projects/{p}/global/networkProfiles/{z}-{suffix}")
            rdma = gcp.compute.Network(f"{label}-{zone}-rdma", name=gcp_name(f"{label}-{zone}-rdma"),
                                       auto_create_subnetworks=False, routing_mode="REGIONAL",
                                       mtu=family.fabric_network_mtu, network_profile=profile,
                                       description=f"gpufleet: {family.fabric} for {family.name} in {zone}", opts=opts)
            block = next(blocks)
            nic_blocks = block.subnets(prefixlen_diff=math.ceil(math.log2(family.fabric_networks or 1)))
            nics = [{"network": rdma.name, "subnetwork": gcp.compute.Subnetwork(
                f"{label}-{zone}-rdma-{i}", name=gcp_name(f"{label}-{zone}-rdma-{i}"), network=rdma.id,
                region=plan.region, ip_cidr_range=str(next(nic_blocks)), opts=opts).name}
                for i in range(family.fabric_networks or 0)]
            fabric[fabric_key(zone, family.name)] = hosts + nics

    return NetworkOutputs(
        network_id=vpc.id,
        node_subnet_ids={zone: subnet.id for zone in plan.zones},
        control_plane_subnet_ids=[subnet.id],
        file_system_subnet_ids=file_system_networks,
        fabric_security_group_id=None,  # Feature.FABRIC_SECURITY_GROUP
        file_system_security_group_id=None,  # Feature.FILE_SYSTEM_SECURITY_GROUP
        proximity_placement_group_ids={},  # Feature.PROXIMITY_PLACEMENT_GROUPS
        fabric_network_configs=fabric,
    )


# --- control plane -------------------------------------------------------------------------------------


def _account_id(name: str) -> str:
    """A service account id: 6–30 lowercase letters, digits and '-', starting with a letter."""
    stem = short_name(name, 24)
    return f"{stem if stem[:1].isalpha() else 'g' + short_name(name, 23)}-nodes"


def _node_account(parent: pulumi.Resource, name: str) -> gcp.serviceaccount.Account:
    """The nodes' own service account, with only the role GKE nodes need (never the Compute Engine
    default account, which holds Editor)."""
    opts = pulumi.ResourceOptions(parent=parent)
    project = gcp.organizations.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=parent)).project
    account = gcp.serviceaccount.Account(f"{name}-nodes", account_id=_account_id(name),
                                         display_name=f"GKE nodes of {name} (least privilege)", opts=opts)
    gcp.projects.IAMMember(f"{name}-nodes-role", project=project, role=NODE_ROLE, member=account.member, opts=opts)
    return account


def kubeconfig(cluster_name: str, endpoint: str | None, ca_certificate: str | None) -> str:
    """A kubeconfig that holds no credential: the client gets a token from gke-gcloud-auth-plugin with the
    caller's own Google credentials (GKE docs, "Install kubectl and configure cluster access")."""
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": cluster_name,
        "clusters": [{"name": cluster_name, "cluster": {"server": f"https://{endpoint}" if endpoint else "",
                                                        "certificate-authority-data": ca_certificate or ""}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "users": [{"name": cluster_name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "gke-gcloud-auth-plugin",
            "provideClusterInfo": True}}}],
    }, sort_keys=True)


def _node_config(machine_type: str, service_account: Any, resource_labels: Mapping[str, str],
                 **extra: Any) -> dict[str, Any]:
    return {
        "machine_type": machine_type,
        "service_account": service_account,
        "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
        "resource_labels": dict(resource_labels),
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        # Pods see only the GKE metadata server: node credentials stay out of their reach.
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        **extra,
    }


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> dict[str, Any]:
    """`network` is the cluster's `HighBandwidthNetwork`."""
    opts = pulumi.ResourceOptions(parent=parent)
    labels = gcp_labels(args["tags"])
    region = args["region"]
    project = gcp.organizations.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=parent)).project
    account = _node_account(parent, f"{name}-system")
    zones = network.node_subnet_ids.apply(sorted)
    cluster = gcp.container.Cluster(
        f"{name}-gke",
        name=gcp_name(name, 40),  # GKE cluster names: at most 40 characters
        location=region,
        node_locations=zones,
        network=network.network_id,
        subnetwork=network.control_plane_subnet_ids.apply(lambda ids: ids[0]),
        # GKE needs a first pool to create a cluster; the system pool below replaces it.
        remove_default_node_pool=True,
        initial_node_count=1,
        node_config=_node_config(DEFAULT_SYSTEM_NODE_SIZE, account.email, labels),
        networking_mode="VPC_NATIVE",
        ip_allocation_policy={"cluster_secondary_range_name": PODS_RANGE, "services_secondary_range_name": SERVICES_RANGE},
        # Dataplane V2 and multi-networking: what nodes with a NIC per GPU need.
        datapath_provider="ADVANCED_DATAPATH",
        enable_multi_networking=True,
        private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": True},
        min_master_version=args.get("kubernetes_version"),
        release_channel={"channel": RELEASE_CHANNEL},
        workload_identity_config={"workload_pool": project.apply(lambda p: f"{p}.svc.id.goog")},
        enable_shielded_nodes=True,
        addons_config={"gcs_fuse_csi_driver_config": {"enabled": True}, "lustre_csi_driver_config": {"enabled": True}},
        resource_labels=labels,
        opts=opts,
    )
    low, high = SYSTEM_NODES
    gcp.container.NodePool(
        f"{name}-system",
        cluster=cluster.id,
        location=region,
        node_locations=zones,
        initial_node_count=1,
        autoscaling={"total_min_node_count": low, "total_max_node_count": high},
        node_config=_node_config(args.get("system_node_size") or DEFAULT_SYSTEM_NODE_SIZE, account.email, labels),
        management={"auto_repair": True, "auto_upgrade": True},
        opts=opts,
    )
    return ControlPlaneOutputs(
        cluster_name=cluster.name, cluster_id=cluster.id, cluster_security_group_id=None,
        kubeconfig=pulumi.Output.all(cluster.name, cluster.private_cluster_config, cluster.master_auth).apply(
            lambda parts: kubeconfig(parts[0], getattr(parts[1], "private_endpoint", None),
                                     getattr(parts[2], "cluster_ca_certificate", None))))


# --- nodes ---------------------------------------------------------------------------------------------


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> dict[str, Any]:
    family = _family(plan.instance)
    labels = gcp_labels(args["tags"], plan.workload)
    account = _node_account(parent, name)
    node_labels = {
        "gpufleet.io/workload": label_value(plan.workload),
        "gpufleet.io/gpu": label_value(plan.instance.gpu_model),
        "gpufleet.io/fabric": label_value(plan.fabric.lower()),
        "gpufleet.io/capacity": plan.capacity_type,
    }
    # What cost estimates read; Kubernetes label values may carry a decimal point, GCP labels may not.
    if plan.utilization_percent is not None:
        node_labels[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        node_labels[TAG_HOURS] = number(plan.hours_per_month)
    extra: dict[str, Any] = {}
    if plan.capacity_type == "spot":
        extra["spot"] = True
    if plan.reservation is not None:
        extra["reservation_affinity"] = {"consume_reservation_type": "SPECIFIC_RESERVATION",
                                         "key": RESERVATION_LABEL_KEY, "values": [plan.reservation.id]}
    node_config = _node_config(
        plan.instance.name, account.email, labels,
        guest_accelerators=[{"type": ACCELERATOR_TYPES[family.name], "count": plan.instance.gpu_count,
                             "gpu_driver_installation_config": {"gpu_driver_version": GPU_DRIVER_VERSION}}],
        disk_size_gb=plan.root_volume_gib,
        image_type=NODE_IMAGE_TYPE,
        gvnic={"enabled": True},
        labels=node_labels,
        taints=[GPU_TAINT],
        **extra,
    )
    network_config: dict[str, Any] = {"enable_private_nodes": True}
    if plan.fabric != "none":
        network_config["additional_node_network_configs"] = args["fabric_network_configs"]
    compact = plan.use_placement_group and family.compact_placement is True
    pool = gcp.container.NodePool(
        f"{name}-node-pool",
        cluster=args["cluster_name"],
        location=plan.region,
        node_locations=[plan.zone],
        initial_node_count=plan.nodes,
        autoscaling={"min_node_count": plan.min_nodes, "max_node_count": plan.max_nodes},
        node_config=node_config,
        network_config=network_config,
        placement_policy={"type": "COMPACT"} if compact else None,
        management={"auto_repair": True, "auto_upgrade": True},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return NodeGroupOutputs(
        node_group_name=pool.name,
        # GKE creates and names the compact placement policy of the pool.
        placement_group_name=pool.placement_policy.apply(lambda p: p.policy_name if p else None) if compact else None,
        fabric_interfaces_per_node=(family.fabric_networks or 0) if plan.fabric != "none" else 0,
    )


# --- storage -------------------------------------------------------------------------------------------


def bucket_name(name: str) -> str:
    """3–63 lowercase letters, digits and '-', unique across Cloud Storage: a readable stem and a stable hash."""
    digest = hashlib.sha256(f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}".encode()).hexdigest()[:8]
    stem = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")[:50].rstrip("-")
    return f"{stem}-{digest}"


def _lifecycle(plan: StoragePlan) -> list[dict[str, Any]]:
    """Objects move to colder classes with age, each rule only for objects still in a warmer class."""
    rules, warmer = [], ["STANDARD"]
    for days, storage_class in ((plan.cool_after_days, COOL_CLASS), (plan.cold_after_days, COLD_CLASS),
                                (plan.archive_after_days, ARCHIVE_CLASS)):
        if days is None:
            continue
        rules.append({"action": {"type": "SetStorageClass", "storage_class": storage_class},
                      "condition": {"age": days, "matches_storage_classes": list(warmer)}})
        warmer.append(storage_class)
    return rules


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> dict[str, Any]:
    labels = gcp_labels(args["tags"], plan.workload)
    bucket_labels = dict(labels)
    if plan.object_capacity_tib is not None:
        bucket_labels[TAG_OBJECT_TIB] = gcp_label(number(plan.object_capacity_tib))
    bucket = gcp.storage.Bucket(
        f"{name}-objects",
        name=bucket_name(name),
        location=plan.region.upper(),
        storage_class="STANDARD",
        uniform_bucket_level_access=True,  # IAM only: no object ACLs
        public_access_prevention="enforced",
        versioning={"enabled": True},
        soft_delete_policy={"retention_duration_seconds": SOFT_DELETE_SECONDS},
        lifecycle_rules=_lifecycle(plan),
        labels=bucket_labels,
        opts=data_opts,  # encrypted at rest with Google-managed keys
    )
    file_system = None
    if plan.product is not None:
        file_system = gcp.lustre.Instance(
            f"{name}-lustre",
            instance_id=short_name(f"{name}-lustre", 63),
            location=plan.zone,
            filesystem=LUSTRE_FILESYSTEM,
            capacity_gib=str(plan.hot_capacity_gib),
            per_unit_storage_throughput=str(plan.throughput_mb_s_per_tib),
            network=args["file_system_subnet_id"],
            # No `gke_support_enabled`: that legacy flag moves Lustre to port 6988 and forces every GKE client
            # onto the deprecated legacy port; GKE 1.33.2-gke.4780000 and later mount on port 988 (GKE docs,
            # "Access Managed Lustre instances on GKE with the Managed Lustre CSI driver", Lustre ports).
            labels=labels,
            opts=data_opts,
        )
    return StorageOutputs(object_store_name=bucket.name, object_store_id=bucket.id,
                          object_container_name=None,  # Feature.OBJECT_CONTAINER
                          hot_file_system_id=file_system.id if file_system else None)
