"""Azure, declared: VNet with proximity placement groups, private AKS, GPU agent pools, Azure Managed
Lustre + Blob; and the location's provider and resource group.

Every child is created with `parent=parent`: the program's provider (`provider`) reaches it through
the parent. Locations are set explicitly from the plan. Implements the `Declarer` interface of
components/declarer.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_azure_native as azure_native

from gpufleet.clouds.azure.facts import DEFAULT_SYSTEM_NODE_SIZE, NODE_OS_SKU, lustre_sku
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.tags import TAG_HOURS, TAG_OBJECT_TIB, TAG_UTILIZATION, label_value, number, short_name, workload_tags

SYSTEM_NODES = (2, 3)
GPU_TAINT = "nvidia.com/gpu=true:NoSchedule"
# Built-in role "Network Contributor" (Azure built-in roles reference): AKS manages load balancers and
# addresses in the node subnet with it.
NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7"
STORAGE_SKU = "Standard_LRS"  # Archive needs LRS/GRS/RA-GRS; LRS keeps the data in the region
LUSTRE_MAINTENANCE_WINDOW = {"day_of_week": "Sunday", "time_of_day_utc": "02:00"}
SOFT_DELETE_DAYS = 30


def provider(region: str) -> pulumi.ProviderResource:
    """The explicit provider of one location, named `azure-<region>`."""
    return azure_native.Provider(f"azure-{region}", location=region)


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    """A tagged resource group for one cluster, named `<cluster>-rg`."""
    group = azure_native.resources.ResourceGroup(f"{name}-rg", location=region, tags=dict(tags), opts=opts)
    return {"resource_group_name": group.name}


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    """A cluster's references for one GPU node group: the zone's proximity placement group, when used."""
    if not group.use_placement_group:
        return {}
    return {"proximity_placement_group_id": network.proximity_placement_group_ids.apply(
        lambda ids, z=group.zone: ids[z])}


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    """A cluster's references for one storage tier: the blob private endpoint goes in the node subnet."""
    return {"private_endpoint_subnet_id": network.node_subnet_ids.apply(lambda ids, z=store.zone: ids[z])}


# --- names ---------------------------------------------------------------------------------------------


def pool_name(workload: str) -> str:
    """AKS Linux pool names: at most 12 lower-case letters and digits."""
    return short_name(workload, 12, alphanumeric=True)


def storage_account_name(name: str) -> str:
    """3–24 lower-case letters and digits, unique across Azure: a readable stem and a stable hash."""
    digest = hashlib.sha256(f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}".encode()).hexdigest()[:8]
    return re.sub(r"[^a-z0-9]", "", name.lower())[:16] + digest


# --- network -------------------------------------------------------------------------------------------


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> NetworkOutputs:
    tags = dict(args["tags"])
    group = args["resource_group_name"]
    opts = pulumi.ResourceOptions(parent=parent)
    vnet = azure_native.network.VirtualNetwork(f"{name}-vnet", resource_group_name=group, location=plan.region,
                                               address_space={"address_prefixes": [str(plan.cidr)]}, tags=tags,
                                               opts=opts)
    nsg = azure_native.network.NetworkSecurityGroup(
        f"{name}-nsg", resource_group_name=group, location=plan.region, tags=tags, opts=opts,
        # Explicit, though Azure's default rules already deny it: nothing inbound from the internet.
        security_rules=[{"name": "deny-internet-inbound", "priority": 4096, "direction": "Inbound", "access": "Deny",
                         "protocol": "*", "source_address_prefix": "Internet", "source_port_range": "*",
                         "destination_address_prefix": "*", "destination_port_range": "*"}])
    blocks = plan.cidr.subnets(new_prefix=plan.cidr.prefixlen + 4)
    nodes = azure_native.network.Subnet(f"{name}-nodes", resource_group_name=group, virtual_network_name=vnet.name,
                                        address_prefix=str(next(blocks)), network_security_group={"id": nsg.id},
                                        opts=opts)
    file_system_subnets: dict[str, Any] = {}
    if plan.enable_file_system_subnet:
        # Managed Lustre wants a subnet of its own, at least a /24.
        lustre = azure_native.network.Subnet(f"{name}-lustre", resource_group_name=group, virtual_network_name=vnet.name,
                                             address_prefix=str(next(blocks)), network_security_group={"id": nsg.id},
                                             opts=pulumi.ResourceOptions(parent=parent, depends_on=[nodes]))
        file_system_subnets = {zone: lustre.id for zone in plan.zones}
    placement_groups = {}
    infiniband = [it.name for it in plan.fabric_instance_types if it.interconnect == "InfiniBand"]
    if infiniband:
        for zone in plan.zones:
            placement_groups[zone] = azure_native.compute.ProximityPlacementGroup(
                f"{name}-ppg-{zone}", resource_group_name=group, location=plan.region,
                proximity_placement_group_type="Standard", zones=[zone], intent={"vm_sizes": infiniband},
                tags=tags, opts=opts).id
    return NetworkOutputs(
        network_id=vnet.id,
        node_subnet_ids={zone: nodes.id for zone in plan.zones},
        control_plane_subnet_ids=[nodes.id],
        file_system_subnet_ids=file_system_subnets,
        fabric_security_group_id=None,  # Feature.FABRIC_SECURITY_GROUP
        file_system_security_group_id=None,  # Feature.FILE_SYSTEM_SECURITY_GROUP
        proximity_placement_group_ids=placement_groups,
        fabric_network_configs={},  # Feature.FABRIC_NETWORKS
    )


# --- nodes ---------------------------------------------------------------------------------------------


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> NodeGroupOutputs:
    tags = workload_tags(args["tags"], plan.workload)
    if plan.utilization_percent is not None:
        tags[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        tags[TAG_HOURS] = number(plan.hours_per_month)
    extra: dict[str, Any] = {}
    if plan.capacity_type == "spot":
        spot_price = plan.spot_max_price_usd_per_hour
        extra.update(scale_set_priority="Spot", scale_set_eviction_policy="Delete",
                     spot_max_price=-1.0 if spot_price is None else spot_price)
    if plan.reservation is not None:
        extra["capacity_reservation_group_id"] = plan.reservation.id
    if plan.use_placement_group:
        extra["proximity_placement_group_id"] = args["proximity_placement_group_id"]
    pool = azure_native.containerservice.AgentPool(
        f"{name}-agent-pool",
        resource_group_name=args["resource_group_name"],
        resource_name_=args["cluster_name"],
        agent_pool_name=pool_name(plan.workload),
        mode="User",
        os_type="Linux",
        os_sku=NODE_OS_SKU,
        vm_size=plan.instance.name,
        count=plan.nodes,
        enable_auto_scaling=True,
        min_count=plan.min_nodes,
        max_count=plan.max_nodes,
        availability_zones=[plan.zone],
        vnet_subnet_id=args["node_subnet_id"],
        os_disk_size_gb=plan.root_volume_gib,
        orchestrator_version=args.get("kubernetes_version"),  # unset: the cluster's when created, then kept
        node_labels={
            "gpufleet.io/workload": label_value(plan.workload),
            "gpufleet.io/gpu": label_value(plan.instance.gpu_model),
            "gpufleet.io/fabric": label_value(plan.fabric.lower()),
            "gpufleet.io/capacity": plan.capacity_type,
        },
        node_taints=[GPU_TAINT],
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
        **extra,
    )
    return NodeGroupOutputs(
        node_group_name=pool.name,
        placement_group_name=args.get("proximity_placement_group_id") if plan.use_placement_group else None,
        fabric_interfaces_per_node=0,  # InfiniBand is on the host, not interfaces gpufleet attaches
    )


# --- control plane -------------------------------------------------------------------------------------


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> ControlPlaneOutputs:
    """`network` is the cluster's `HighBandwidthNetwork`."""
    tags = dict(args["tags"])
    group = args["resource_group_name"]
    subnet = network.control_plane_subnet_ids.apply(lambda ids: ids[0])
    low, high = SYSTEM_NODES
    cluster = azure_native.containerservice.ManagedCluster(
        f"{name}-aks",
        resource_group_name=group,
        resource_name_=name,
        location=args["region"],
        dns_prefix=name,
        kubernetes_version=args.get("kubernetes_version"),
        identity={"type": "SystemAssigned"},
        sku={"name": "Base", "tier": "Standard"},
        api_server_access_profile={"enable_private_cluster": True, "enable_private_cluster_public_fqdn": False},
        # Entra ID only: no local admin kubeconfig exists to leak.
        disable_local_accounts=True,
        aad_profile={"managed": True, "enable_azure_rbac": True},
        enable_rbac=True,
        oidc_issuer_profile={"enabled": True},
        security_profile={"workload_identity": {"enabled": True}},
        network_profile={"network_plugin": "azure", "network_plugin_mode": "overlay"},
        agent_pool_profiles=[{
            "name": "system", "mode": "System", "os_type": "Linux", "type": "VirtualMachineScaleSets",
            "vm_size": args.get("system_node_size") or DEFAULT_SYSTEM_NODE_SIZE, "vnet_subnet_id": subnet,
            "count": low, "min_count": low, "max_count": high, "enable_auto_scaling": True, "tags": tags,
            **({"orchestrator_version": args["kubernetes_version"]} if args.get("kubernetes_version") else {}),
        }],
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    client = azure_native.authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    azure_native.authorization.RoleAssignment(
        f"{name}-aks-network-contributor",
        principal_id=cluster.identity.apply(lambda identity: identity.principal_id if identity else None),
        principal_type="ServicePrincipal",
        role_definition_id=client.subscription_id.apply(
            lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR_ROLE}"),
        scope=subnet,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    # Entra ID clusters: the "exec" format runs kubelogin with the caller's own identity (no credential kept).
    credentials = azure_native.containerservice.list_managed_cluster_user_credentials_output(
        resource_group_name=group, resource_name=cluster.name, format="exec",
        opts=pulumi.InvokeOutputOptions(parent=parent))
    return ControlPlaneOutputs(
        cluster_name=cluster.name, cluster_id=cluster.id, cluster_security_group_id=None,
        kubeconfig=credentials.kubeconfigs.apply(
            lambda configs: base64.b64decode(configs[0].value).decode() if configs else ""))


# --- storage -------------------------------------------------------------------------------------------


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> StorageOutputs:
    tags = workload_tags(args["tags"], plan.workload)
    group = args["resource_group_name"]
    opts = pulumi.ResourceOptions(parent=parent)
    account_tags = dict(tags)
    if plan.object_capacity_tib is not None:
        account_tags[TAG_OBJECT_TIB] = number(plan.object_capacity_tib)
    account = azure_native.storage.StorageAccount(
        f"{name}-objects",
        resource_group_name=group,
        location=plan.region,
        account_name=storage_account_name(name),
        kind="StorageV2",
        sku={"name": STORAGE_SKU},
        access_tier="Hot",
        allow_blob_public_access=False,
        allow_shared_key_access=False,
        public_network_access="Disabled",
        network_rule_set={"default_action": "Deny", "bypass": "None"},
        minimum_tls_version="TLS1_2",
        enable_https_traffic_only=True,
        encryption={"key_source": "Microsoft.Storage", "require_infrastructure_encryption": True,
                    "services": {"blob": {"enabled": True, "key_type": "Account"}}},
        tags=account_tags,
        opts=data_opts,
    )
    azure_native.storage.BlobServiceProperties(
        f"{name}-objects-blob-service", resource_group_name=group, account_name=account.name,
        blob_services_name="default", is_versioning_enabled=True,
        delete_retention_policy={"enabled": True, "days": SOFT_DELETE_DAYS},
        container_delete_retention_policy={"enabled": True, "days": SOFT_DELETE_DAYS}, opts=opts)
    container = azure_native.storage.BlobContainer(f"{name}-objects-data", resource_group_name=group,
                                                   account_name=account.name, container_name="data",
                                                   public_access="None", opts=opts)
    steps = [(key, days) for key, days in (("tier_to_cool", plan.cool_after_days), ("tier_to_cold", plan.cold_after_days),
                                           ("tier_to_archive", plan.archive_after_days)) if days is not None]
    azure_native.storage.ManagementPolicy(
        f"{name}-objects-lifecycle",
        resource_group_name=group,
        account_name=account.name,
        management_policy_name="default",  # the only name Azure accepts
        policy={"rules": [{
            "name": "warm-to-cold-to-archive", "enabled": True, "type": "Lifecycle",
            "definition": {"filters": {"blob_types": ["blockBlob"]},
                           "actions": {
                               "base_blob": {key: {"days_after_modification_greater_than": days} for key, days in steps},
                               # earlier versions (versioning is on) follow the same classes
                               "version": {key: {"days_after_creation_greater_than": days} for key, days in steps}}},
        }]},
        opts=opts,
    )
    azure_native.network.PrivateEndpoint(
        f"{name}-objects-endpoint",
        resource_group_name=group,
        location=plan.region,
        subnet={"id": args["private_endpoint_subnet_id"]},
        private_link_service_connections=[{"name": "blob", "private_link_service_id": account.id, "group_ids": ["blob"]}],
        tags=tags,
        opts=opts,
    )
    file_system = None
    if plan.product is not None:
        file_system = azure_native.storagecache.AmlFilesystem(
            f"{name}-lustre",
            resource_group_name=group,
            location=plan.region,
            sku={"name": lustre_sku(plan.throughput_mb_s_per_tib)},
            storage_capacity_ti_b=plan.hot_capacity_tib,  # encrypted at rest with platform-managed keys
            zones=[plan.zone],
            filesystem_subnet=args["file_system_subnet_id"],
            maintenance_window=LUSTRE_MAINTENANCE_WINDOW,
            tags=tags,
            opts=data_opts,
        )
    return StorageOutputs(object_store_name=account.name, object_store_id=account.id,
                          object_container_name=container.name, hot_file_system_id=file_system.id if file_system else None)
