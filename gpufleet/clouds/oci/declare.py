"""Oracle Cloud, declared: a VCN with private regional subnets and a service gateway, a private enhanced
OKE cluster with a system node pool, GPU node pools on bare-metal GPU shapes — or, for the
high-bandwidth fabric, an RDMA cluster network of self-managed OKE nodes — File Storage with Lustre
and an Object Storage bucket with lifecycle to Archive; and the region's provider and the compartment.

Every child is created with `parent=parent`: the program's region provider (`provider`) reaches it
through the parent. Implements the `Declarer` interface of components/declarer.py. Availability
domains, OKE node images, the kubeconfig and the Object Storage namespace are looked up (their offline
answers: gpufleet/clouds/oci/offline.py). The Kubernetes version is not: it is the cluster's argument or
the named default (facts.DEFAULT_KUBERNETES_VERSION), so a new OKE release never upgrades a cluster.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_oci as oci
import yaml

from gpufleet.clouds.oci.facts import (
    ARCHIVE_ACTION,
    CLUSTER_TYPE,
    DEFAULT_KUBERNETES_VERSION,
    DEFAULT_SYSTEM_NODE_SIZE,
    INFREQUENT_ACCESS_ACTION,
    SELF_MANAGED_NODE_SCRIPT,
    SYSTEM_NODE_MEMORY_GB,
    SYSTEM_NODE_OCPUS,
    SYSTEM_NODES,
    performance_tier,
)
from gpufleet.clouds.oci.preflight import default_zone, oke_version
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan
from gpufleet.errors import Problem, UserError

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.tags import TAG_HOURS, TAG_OBJECT_TIB, TAG_UTILIZATION, label_value, number, short_name, workload_tags

# The stack setting naming the compartment every OCI resource of the fleet goes in (the provider has none).
COMPARTMENT_SETTING = ("gpufleet", "ociCompartmentOcid")
_COMPARTMENT = re.compile(r"^ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$")
CNI = "FLANNEL_OVERLAY"  # pods on an overlay: the VCN's addresses stay for nodes and the file system
ALL_OPTIONS = "all"  # the option id that lists every OKE node image


def provider(region: str) -> pulumi.ProviderResource:
    """The explicit provider of one region, named `oci-<region>` (credentials from the stack's `oci:*`)."""
    return oci.Provider(f"oci-{region}", region=region)


def compartment_problem(value: object) -> Problem | None:
    setting = ":".join(COMPARTMENT_SETTING)
    if value is None or value == "":
        return Problem(setting, "required when a workload is placed on oci: the OCID of the compartment every OCI "
                                "resource of the fleet is created in (set it with `pulumi config set "
                                f"{setting} ocid1.compartment.oc1..…`)")
    if not isinstance(value, str) or not _COMPARTMENT.match(value):
        return Problem(setting, "not a compartment OCID", value, ("ocid1.compartment.oc1..<id>", "ocid1.tenancy.oc1..<id>"))
    return None


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    """The compartment every part of the cluster is created in, from the stack setting."""
    section, key = COMPARTMENT_SETTING
    compartment = pulumi.Config(section).get(key)
    if problem := compartment_problem(compartment):
        raise UserError([problem], heading="the stack's OCI configuration is incomplete")
    return {"compartment_id": compartment}


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    """A node pool names its cluster by OCID and runs its Kubernetes version; self-managed fabric hosts
    also join through the cluster's kubeconfig."""
    assert isinstance(control_plane, OkeControlPlane)
    references = {"cluster_id": control_plane.cluster_id, "kubernetes_version": control_plane.kubernetes_version}
    if group.fabric != "none":
        references["cluster_kubeconfig"] = control_plane.kubeconfig
    return references


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class OkeControlPlane(ControlPlaneOutputs):
    """The control plane's outputs and the Kubernetes version it runs, which its node pools run too and
    pick their node image by."""

    kubernetes_version: Any = None


def _invoke(parent: pulumi.Resource) -> pulumi.InvokeOutputOptions:
    return pulumi.InvokeOutputOptions(parent=parent)


def _domain(parent: pulumi.Resource, compartment: Any, zone: str) -> pulumi.Output[str]:
    """The full name of availability domain `zone` ("AD-1" -> "Uocm:UK-LONDON-1-AD-1"), looked up: the
    prefix is the tenancy's. Any compartment of the tenancy lists its domains."""
    found = oci.identity.get_availability_domains_output(compartment_id=compartment, opts=_invoke(parent))

    def pick(domains: Sequence[Any]) -> str:
        names = [d.name for d in domains if d.name.endswith(f"-{zone}")]
        if not names:
            raise ValueError(f"the region has no availability domain {zone}: it has "
                             f"{', '.join(d.name for d in domains)}")
        return names[0]

    return found.apply(lambda result: pick(result.availability_domains))


def oke_image(sources: Sequence[Any], version: str, gpu: bool) -> str:
    """The newest OKE node image for `version`: a GPU image (NVIDIA driver) for GPU shapes, x86-64."""
    wanted = sorted((s for s in sources if f"-OKE-{version.lstrip('v')}" in s.source_name
                     and ("-GPU-" in s.source_name) == gpu and "aarch64" not in s.source_name),
                    key=lambda s: s.source_name)
    if not wanted:
        raise ValueError(f"OKE lists no {'GPU ' if gpu else ''}node image for Kubernetes {version}")
    return wanted[-1].image_id


# The node image is looked up (the newest OKE image for the version) at every run: a new Oracle image
# must not replace running nodes by itself, so the looked-up id is kept as deployed — in an OKE node pool,
# and in the instance configuration an RDMA cluster network launches its hosts from (pulumi-oci 5.5.0
# `InstanceConfiguration`: only its compartment, name and tags are "(Updatable)", so a change to
# `instanceDetails` replaces it and the cluster network's pool moves to the new one). The newest
# image is used when the pool or configuration is created; moving running nodes to a newer one (after a
# `kubernetes_version` change too) is a deliberate `pulumi up --replace` of that resource (docs/clouds.md).
IMAGE_NOT_CHURNED = pulumi.ResourceOptions(ignore_changes=["nodeSourceDetails.imageId"])
LAUNCH_IMAGE_NOT_CHURNED = pulumi.ResourceOptions(
    ignore_changes=["instanceDetails.launchDetails.sourceDetails.imageId"])


def _image(parent: pulumi.Resource, compartment: Any, version: Any, gpu: bool) -> pulumi.Output[str]:
    options = oci.containerengine.get_node_pool_option_output(node_pool_option_id=ALL_OPTIONS, compartment_id=compartment,
                                                              node_pool_k8s_version=version, opts=_invoke(parent))
    return pulumi.Output.all(options, version).apply(lambda parts: oke_image(parts[0].sources, parts[1], gpu))


# --- network -------------------------------------------------------------------------------------------


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> NetworkOutputs:
    opts = pulumi.ResourceOptions(parent=parent)
    compartment, tags = args["compartment_id"], dict(args["tags"])
    nodes_block, control_block, file_system_block, _ = plan.cidr.subnets(prefixlen_diff=2)
    vcn = oci.core.Vcn(f"{name}-vcn", compartment_id=compartment, cidr_blocks=[str(plan.cidr)], display_name=name,
                       freeform_tags=tags, opts=opts)
    # Private nodes reach Oracle services (OCI Registry for images, Object Storage) through a service gateway.
    services = oci.core.get_services_output(opts=_invoke(parent)).apply(
        lambda found: next(s for s in found.services if s.name.startswith("All ")))
    gateway = oci.core.ServiceGateway(f"{name}-services", compartment_id=compartment, vcn_id=vcn.id,
                                      services=[{"service_id": services.id}], display_name=f"{name}-services",
                                      freeform_tags=tags, opts=opts)
    routes = oci.core.RouteTable(
        f"{name}-routes", compartment_id=compartment, vcn_id=vcn.id, display_name=f"{name}-routes",
        route_rules=[{"network_entity_id": gateway.id, "destination": services.cidr_block,
                      "destination_type": "SERVICE_CIDR_BLOCK", "description": "Oracle services"}],
        freeform_tags=tags, opts=opts)
    security = oci.core.SecurityList(
        f"{name}-internal", compartment_id=compartment, vcn_id=vcn.id, display_name=f"{name}-internal",
        ingress_security_rules=[{"protocol": "all", "source": str(plan.cidr), "source_type": "CIDR_BLOCK",
                                 "description": "from within the VCN only"}],
        egress_security_rules=[{"protocol": "all", "destination": str(plan.cidr), "destination_type": "CIDR_BLOCK",
                                "description": "within the VCN"},
                               {"protocol": "6", "destination": services.cidr_block,
                                "destination_type": "SERVICE_CIDR_BLOCK", "description": "Oracle services (TCP)"}],
        freeform_tags=tags, opts=opts)

    def subnet(suffix: str, block: ipaddress.IPv4Network) -> oci.core.Subnet:
        # Regional subnets (no availability domain): every domain's nodes can use them.
        return oci.core.Subnet(f"{name}-{suffix}", compartment_id=compartment, vcn_id=vcn.id, cidr_block=str(block),
                               display_name=f"{name}-{suffix}", prohibit_public_ip_on_vnic=True,
                               prohibit_internet_ingress=True, route_table_id=routes.id,
                               security_list_ids=[security.id], freeform_tags=tags, opts=opts)

    nodes, control = subnet("nodes", nodes_block), subnet("control-plane", control_block)
    file_systems = subnet("file-system", file_system_block) if plan.enable_file_system_subnet else None
    return NetworkOutputs(
        network_id=vcn.id,
        node_subnet_ids={zone: nodes.id for zone in plan.zones},
        control_plane_subnet_ids=[control.id],
        file_system_subnet_ids={zone: file_systems.id for zone in plan.zones} if file_systems else {},
        fabric_security_group_id=None,  # Feature.FABRIC_SECURITY_GROUP
        file_system_security_group_id=None,  # Feature.FILE_SYSTEM_SECURITY_GROUP
        proximity_placement_group_ids={},  # Feature.PROXIMITY_PLACEMENT_GROUPS
        fabric_network_configs={},  # Feature.FABRIC_NETWORKS
    )


# --- control plane -------------------------------------------------------------------------------------


def _shape_config(shape: str) -> dict[str, float] | None:
    """Flexible shapes need their size; fixed shapes take none."""
    return {"ocpus": SYSTEM_NODE_OCPUS, "memory_in_gbs": SYSTEM_NODE_MEMORY_GB} if shape.endswith(".Flex") else None


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> ControlPlaneOutputs:
    """`network` is the cluster's `HighBandwidthNetwork`."""
    opts = pulumi.ResourceOptions(parent=parent)
    compartment, tags = args["compartment_id"], dict(args["tags"])
    wanted = args.get("kubernetes_version")  # exact (preflight refuses a minor alone)
    version = oke_version(wanted) if wanted else DEFAULT_KUBERNETES_VERSION
    cluster = oci.containerengine.Cluster(
        f"{name}-oke",
        compartment_id=compartment,
        name=name,
        vcn_id=network.network_id,
        kubernetes_version=version,
        type=CLUSTER_TYPE,
        endpoint_config={"subnet_id": network.control_plane_subnet_ids.apply(lambda ids: ids[0]),
                         "is_public_ip_enabled": False},
        cluster_pod_network_options=[{"cni_type": CNI}],
        # Volumes and load balancers the cluster creates carry the owner tags too.
        options={"persistent_volume_config": {"freeform_tags": tags}, "service_lb_config": {"freeform_tags": tags}},
        freeform_tags=tags,
        opts=opts,
    )
    shape = args.get("system_node_size") or DEFAULT_SYSTEM_NODE_SIZE
    oci.containerengine.NodePool(
        f"{name}-system",
        cluster_id=cluster.id,
        compartment_id=compartment,
        name=f"{name}-system",
        kubernetes_version=version,
        node_shape=shape,
        node_shape_config=_shape_config(shape),
        node_config_details={
            "size": SYSTEM_NODES,
            # The first domain (every region has one); the node subnet is regional.
            "placement_configs": [{"availability_domain": _domain(parent, compartment, default_zone(args["region"])),
                                   "subnet_id": network.node_subnet_ids.apply(lambda ids: ids[sorted(ids)[0]])}],
            "is_pv_encryption_in_transit_enabled": True,
            "freeform_tags": tags,
        },
        node_source_details={"source_type": "IMAGE", "image_id": _image(parent, compartment, version, gpu=False)},
        initial_node_labels=[{"key": "gpufleet.io/role", "value": "system"}],
        freeform_tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, IMAGE_NOT_CHURNED),
    )
    # OKE's kubeconfig holds no credential: kubectl signs in with the OCI CLI and the caller's own key.
    kubeconfig = oci.containerengine.get_cluster_kube_config_output(cluster_id=cluster.id, opts=_invoke(parent)).apply(
        lambda found: found.content)
    return OkeControlPlane(cluster_name=cluster.name, cluster_id=cluster.id, cluster_security_group_id=None,
                           kubeconfig=kubeconfig, kubernetes_version=version)


# --- nodes ---------------------------------------------------------------------------------------------


def node_labels(plan: NodeGroupPlan) -> dict[str, str]:
    labels = {
        "gpufleet.io/workload": label_value(plan.workload),
        "gpufleet.io/gpu": label_value(plan.instance.gpu_model),
        "gpufleet.io/fabric": label_value(plan.fabric.lower()),
        "gpufleet.io/capacity": plan.capacity_type,
    }
    return labels


def _tags(owner: Mapping[str, str], plan: NodeGroupPlan) -> dict[str, str]:
    """The owner tags, the workload and what cost estimates read (utilisation, hours)."""
    tags = workload_tags(owner, plan.workload)
    if plan.utilization_percent is not None:
        tags[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        tags[TAG_HOURS] = number(plan.hours_per_month)
    return tags


def join_script(kubeconfig: str, labels: Mapping[str, str]) -> str:
    """Cloud-init user data (base64) that joins a host to the OKE cluster as a self-managed node: the OKE
    image's install script with the cluster's private API endpoint and CA (OCI docs, "Working with
    Self-Managed Nodes")."""
    config = yaml.safe_load(kubeconfig)  # OKE returns YAML
    cluster = config["clusters"][0]["cluster"]
    endpoint = re.sub(r"^https://|:\d+$", "", cluster["server"])
    node_labels_arg = ",".join(f"{k}={v}" for k, v in labels.items())
    script = ("#!/usr/bin/env bash\n"
              f"bash {SELF_MANAGED_NODE_SCRIPT} --apiserver-endpoint {endpoint} "
              f"--kubelet-ca-cert {cluster['certificate-authority-data']} "
              f"--kubelet-extra-args \"--node-labels={node_labels_arg}\"\n")
    return base64.b64encode(script.encode()).decode()


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> NodeGroupOutputs:
    opts = pulumi.ResourceOptions(parent=parent)
    compartment, tags, labels = args["compartment_id"], _tags(args["tags"], plan), node_labels(plan)
    domain = _domain(parent, compartment, plan.zone)
    image = _image(parent, compartment, args["kubernetes_version"], gpu=True)
    spot = plan.capacity_type == "spot"  # OCI preemptible capacity, reclaimed with the host terminated
    if plan.fabric == "none":
        placement: dict[str, Any] = {"availability_domain": domain, "subnet_id": args["node_subnet_id"]}
        if spot:
            placement["preemptible_node_config"] = {"preemption_action": {"type": "TERMINATE",
                                                                          "is_preserve_boot_volume": False}}
        pool = oci.containerengine.NodePool(
            f"{name}-node-pool",
            cluster_id=args["cluster_id"],
            compartment_id=compartment,
            name=name,
            kubernetes_version=args["kubernetes_version"],
            node_shape=plan.instance.name,
            node_config_details={"size": plan.nodes, "placement_configs": [placement],
                                 "is_pv_encryption_in_transit_enabled": True, "freeform_tags": tags},
            node_source_details={"source_type": "IMAGE", "image_id": image,
                                 "boot_volume_size_in_gbs": str(plan.root_volume_gib)},
            initial_node_labels=[{"key": k, "value": v} for k, v in labels.items()],
            freeform_tags=tags,
            opts=pulumi.ResourceOptions.merge(opts, IMAGE_NOT_CHURNED),
        )
        return NodeGroupOutputs(node_group_name=pool.name, placement_group_name=None, fabric_interfaces_per_node=0)

    # The fabric: an RDMA cluster network of the shape, its hosts joining the cluster as self-managed nodes.
    launch: dict[str, Any] = {
        "compartment_id": compartment,
        "availability_domain": domain,
        "shape": plan.instance.name,
        "display_name": name,
        "source_details": {"source_type": "image", "image_id": image, "boot_volume_size_in_gbs": str(plan.root_volume_gib)},
        "create_vnic_details": {"subnet_id": args["node_subnet_id"], "assign_public_ip": False, "freeform_tags": tags},
        "metadata": {"user_data": pulumi.Output.from_input(args["cluster_kubeconfig"]).apply(
            lambda kubeconfig: join_script(kubeconfig, labels))},
        "is_pv_encryption_in_transit_enabled": True,
        "freeform_tags": tags,
    }
    if spot:
        launch["preemptible_instance_config"] = {"preemption_action": {"type": "TERMINATE", "preserve_boot_volume": False}}
    configuration = oci.core.InstanceConfiguration(
        f"{name}-instance-configuration", compartment_id=compartment, display_name=name,
        instance_details={"instance_type": "compute", "launch_details": launch}, freeform_tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, LAUNCH_IMAGE_NOT_CHURNED))
    network = oci.core.ClusterNetwork(
        f"{name}-cluster-network",
        compartment_id=compartment,
        display_name=name,
        instance_pools=[{"instance_configuration_id": configuration.id, "size": plan.nodes, "display_name": name,
                         "freeform_tags": tags}],
        placement_configuration={"availability_domain": domain, "primary_subnet_id": args["node_subnet_id"]},
        freeform_tags=tags,
        opts=opts,
    )
    # The cluster network wires every RDMA NIC itself: gpufleet configures no fabric interface per node.
    return NodeGroupOutputs(node_group_name=network.display_name, placement_group_name=network.id,
                            fabric_interfaces_per_node=0)


# --- storage -------------------------------------------------------------------------------------------


def bucket_name(name: str) -> str:
    """Unique in the tenancy's namespace: a readable stem and a stable hash of the project, stack and name."""
    digest = hashlib.sha256(f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}".encode()).hexdigest()[:8]
    stem = re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:50].rstrip("-")
    return f"{stem}-{digest}"


def lifecycle_rules(plan: StoragePlan) -> list[dict[str, Any]]:
    """Objects (and previous versions) move to Infrequent Access after the first of the cool and cold steps,
    then to Archive."""
    infrequent = min(d for d in (plan.cool_after_days, plan.cold_after_days) if d is not None)
    rules = []
    for target in ("objects", "previous-object-versions"):
        for action, days in ((INFREQUENT_ACCESS_ACTION, infrequent), (ARCHIVE_ACTION, plan.archive_after_days)):
            rules.append({"name": f"{action.lower().replace('_', '-')}-{target}", "action": action,
                          "time_amount": str(days), "time_unit": "DAYS", "is_enabled": True, "target": target})
    return rules


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> StorageOutputs:
    compartment, tags = args["compartment_id"], workload_tags(args["tags"], plan.workload)
    bucket_tags = dict(tags)
    if plan.object_capacity_tib is not None:
        bucket_tags[TAG_OBJECT_TIB] = number(plan.object_capacity_tib)
    namespace = oci.objectstorage.get_namespace_output(compartment_id=compartment, opts=_invoke(parent)).apply(
        lambda found: found.namespace)
    bucket = oci.objectstorage.Bucket(
        f"{name}-objects",
        compartment_id=compartment,
        namespace=namespace,
        name=bucket_name(name),
        access_type="NoPublicAccess",
        storage_tier="Standard",
        versioning="Enabled",
        freeform_tags=bucket_tags,
        opts=data_opts,  # encrypted at rest with Oracle-managed keys
    )
    # Object Storage applies the rules with the service's own permission (an IAM policy in the home region:
    # docs/components.md, OCI prerequisites).
    oci.objectstorage.ObjectLifecyclePolicy(f"{name}-lifecycle", bucket=bucket.name, namespace=namespace,
                                            rules=lifecycle_rules(plan), opts=pulumi.ResourceOptions(parent=parent))
    file_system = None
    if plan.product is not None:
        file_system = oci.lustre.FileStorageLustreFileSystem(
            f"{name}-lustre",
            compartment_id=compartment,
            availability_domain=_domain(parent, compartment, plan.zone),
            subnet_id=args["file_system_subnet_id"],
            capacity_in_gbs=plan.hot_capacity_gib,  # the API's figure (facts.FILE_SYSTEM)
            performance_tier=performance_tier(plan.throughput_mb_s_per_tib),
            file_system_name=short_name(plan.workload, 8, alphanumeric=True) or "lustre",
            display_name=name,
            # Clients acting as root are mapped to nobody: a job cannot take over the file system's root.
            root_squash_configuration={"identity_squash": "ROOT"},
            freeform_tags=tags,
            opts=data_opts,
        )
    return StorageOutputs(object_store_name=bucket.name, object_store_id=bucket.id,
                          object_container_name=None,  # Feature.OBJECT_CONTAINER
                          hot_file_system_id=file_system.id if file_system else None)
