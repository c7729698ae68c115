"""CoreWeave, declared: a VPC with the prefixes CKS needs, a CKS cluster whose API server is not public,
GPU node pools as CoreWeave's `NodePool` custom resource (pulumi-coreweave has no node pool type) through
a Kubernetes provider for the new cluster, and an AI Object Storage bucket with versioning and a
lifecycle configuration; and the provider.

Every child is created with `parent=parent`: the program's CoreWeave provider reaches it through the
parent. The node pools are objects inside the cluster, so they need a Kubernetes provider bound to it,
which nobody can pass before the cluster exists: the node group builds it from the cluster's
kubeconfig (as `GpuCluster` does for the GPU software stack). Implements the `Declarer` interface of
components/declarer.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_coreweave as coreweave
import pulumi_kubernetes as kubernetes

from gpufleet.clouds.coreweave.facts import (
    ABORT_INCOMPLETE_UPLOADS_DAYS,
    COMPUTE_CLASS,
    DEFAULT_KUBERNETES_VERSION,
    NODE_POOL_API_VERSION,
    NODE_POOL_KIND,
)
from gpufleet.clouds.coreweave.preflight import default_zone
from gpufleet.clouds.coreweave.readers import REGION_LABEL
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan
from gpufleet.errors import Problem, UserError

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.tags import TAG_HOURS, TAG_OBJECT_TIB, TAG_UTILIZATION, label_value, number, short_name, workload_tags

# The VPC prefixes the cluster takes its pod, service and internal load balancer ranges from, by name.
POD_PREFIX, SERVICE_PREFIX, INTERNAL_LB_PREFIX = "pod-cidr", "service-cidr", "internal-lb-cidr"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
MAX_NAME_CHARS = 30  # CksCluster and NetworkingVpc names: "Must not be longer than 30 characters"


def provider(region: str) -> pulumi.ProviderResource:
    """The explicit provider, named `coreweave-<region>` (CoreWeave's API is global; the zone is per
    resource). Its token comes from the stack's `coreweave:token`."""
    return coreweave.Provider(f"coreweave-{region}")


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    return {}


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    """A node pool is an object in the cluster: it needs the cluster's kubeconfig."""
    return {"cluster_kubeconfig": control_plane.kubeconfig}


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    return {}


def cw_name(logical: str) -> str:
    """A CoreWeave name (lowercase letters, digits, '-'; at most 30 characters, a cut name ends in a hash)."""
    return short_name(logical, MAX_NAME_CHARS)


# --- network -------------------------------------------------------------------------------------------


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> NetworkOutputs:
    if len(plan.zones) != 1:  # a CKS cluster and its VPC are in one zone
        raise UserError([Problem(f"{name}.zones", "a CoreWeave cluster runs in one zone: give every node group the "
                                 "same zone", list(plan.zones), plan.zones[:1])], heading=f"HighBandwidthNetwork {name}")
    zone = plan.zones[0]
    pods, services, internal_lb, _ = plan.cidr.subnets(prefixlen_diff=2)
    vpc = coreweave.NetworkingVpc(
        f"{name}-vpc",
        name=cw_name(f"{name}-vpc"),
        zone=zone,
        vpc_prefixes=[{"name": POD_PREFIX, "value": str(pods)}, {"name": SERVICE_PREFIX, "value": str(services)},
                      {"name": INTERNAL_LB_PREFIX, "value": str(internal_lb)}],
        # Public prefixes a node advertises are not imported into public-facing networks.
        ingress={"disable_public_services": True},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return NetworkOutputs(
        network_id=vpc.id,
        node_subnet_ids={zone: vpc.id},  # nodes boot into the VPC: it is their network
        control_plane_subnet_ids=[vpc.id],
        file_system_subnet_ids={},
        fabric_security_group_id=None,  # Feature.FABRIC_SECURITY_GROUP
        file_system_security_group_id=None,  # Feature.FILE_SYSTEM_SECURITY_GROUP
        proximity_placement_group_ids={},  # Feature.PROXIMITY_PLACEMENT_GROUPS
        fabric_network_configs={},  # Feature.FABRIC_NETWORKS
    )


# --- control plane -------------------------------------------------------------------------------------


def kubeconfig(cluster_name: str, endpoint: str | None, token: str | None = None) -> str:
    """A kubeconfig of the cluster; without `token` it holds no credential (the client adds its CoreWeave
    API access token, as in the kubeconfig CoreWeave's console hands out)."""
    user = {"token": token} if token else {}
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": cluster_name,
        "clusters": [{"name": cluster_name, "cluster": {"server": f"https://{endpoint}" if endpoint else ""}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "users": [{"name": cluster_name, "user": user}],
    }, sort_keys=True)


def cluster_zone(args: Mapping[str, Any]) -> str:
    """The cluster's one zone (the network refuses more), known before anything is declared: the node
    groups' zone, else the region's default."""
    zones = [spec["zone"] for spec in args["node_groups"] if spec.get("zone")]
    return zones[0] if zones else default_zone(args["region"])


def cks_version(wanted: str | None) -> str:
    """CKS takes a minor version with a 'v' ("v1.35")."""
    return f"v{wanted.lstrip('v')}" if wanted else DEFAULT_KUBERNETES_VERSION


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> ControlPlaneOutputs:
    """`network` is the cluster's `HighBandwidthNetwork`."""
    cluster = coreweave.CksCluster(
        f"{name}-cks",
        name=cw_name(name),
        zone=cluster_zone(args),
        vpc_id=network.network_id,
        version=cks_version(args.get("kubernetes_version")),
        public=False,  # the API server is reachable from inside the VPC only
        pod_cidr_name=POD_PREFIX,
        service_cidr_name=SERVICE_PREFIX,
        internal_lb_cidr_names=[INTERNAL_LB_PREFIX],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return ControlPlaneOutputs(
        cluster_name=cluster.name, cluster_id=cluster.id, cluster_security_group_id=None,
        kubeconfig=pulumi.Output.all(cluster.name, cluster.api_server_endpoint).apply(
            lambda parts: kubeconfig(parts[0], parts[1])))


# --- nodes ---------------------------------------------------------------------------------------------


def _node_labels(owner: Mapping[str, str], plan: NodeGroupPlan) -> dict[str, str]:
    """Labels of the node pool object: the owner tags and what cost estimates read (label-safe values): the
    region (a node pool names none) and the duty."""
    labels = {key: label_value(value) for key, value in workload_tags(owner, plan.workload).items()}
    labels[REGION_LABEL] = plan.region
    if plan.utilization_percent is not None:
        labels[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        labels[TAG_HOURS] = number(plan.hours_per_month)
    return labels


def _access_token() -> pulumi.Output[str] | None:
    """The stack's CoreWeave API token (`coreweave:token`), which CKS also takes as a bearer token."""
    return pulumi.Config("coreweave").get_secret("token")


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> NodeGroupOutputs:
    opts = pulumi.ResourceOptions(parent=parent)
    if args.get("cluster_kubeconfig") is not None:
        # The cluster is new: a provider bound to it (its kubeconfig plus the stack's token, a secret).
        config = pulumi.Output.all(args["cluster_kubeconfig"], _access_token()).apply(
            lambda parts: _with_token(parts[0], parts[1]))
        cluster = kubernetes.Provider(f"{name}-kubernetes", kubeconfig=pulumi.Output.secret(config), opts=opts)
        opts = pulumi.ResourceOptions(parent=parent, provider=cluster)
    # else: the caller's Kubernetes provider for an existing cluster reaches the pool through the parent.
    node_labels = {
        "gpufleet.io/workload": label_value(plan.workload),
        "gpufleet.io/gpu": label_value(plan.instance.gpu_model),
        "gpufleet.io/fabric": label_value(plan.fabric.lower()),
        "gpufleet.io/capacity": plan.capacity_type,
    }
    autoscaling = plan.min_nodes < plan.nodes
    spec: dict[str, Any] = {
        "computeClass": COMPUTE_CLASS,
        "instanceType": plan.instance.name,  # InfiniBand types ("…ib-…") come with the fabric attached
        "targetNodes": plan.nodes,
        "autoscaling": autoscaling,
        "nodeLabels": node_labels,
        "nodeTaints": [GPU_TAINT],
    }
    if autoscaling:
        spec.update({"minNodes": plan.min_nodes, "maxNodes": plan.max_nodes})
    pool = kubernetes.apiextensions.CustomResource(
        f"{name}-node-pool",
        api_version=NODE_POOL_API_VERSION,
        kind=NODE_POOL_KIND,
        metadata={"name": cw_name(name), "labels": _node_labels(args["tags"], plan)},
        spec=spec,
        opts=opts,
    )
    return NodeGroupOutputs(node_group_name=pool.metadata.apply(lambda _: cw_name(name)),
                            placement_group_name=None,  # CoreWeave places InfiniBand types on its fabric itself
                            fabric_interfaces_per_node=0)


def _with_token(config: str, token: str | None) -> str:
    parsed = json.loads(config)
    return kubeconfig(parsed["current-context"], parsed["clusters"][0]["cluster"]["server"].removeprefix("https://"),
                      token)


# --- storage -------------------------------------------------------------------------------------------


def bucket_name(name: str) -> str:
    """3–63 lowercase letters, digits and '-', unique across AI Object Storage: a readable stem and a hash."""
    digest = hashlib.sha256(f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}".encode()).hexdigest()[:8]
    stem = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")[:50].rstrip("-")
    return f"{stem}-{digest}"


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> StorageOutputs:
    opts = pulumi.ResourceOptions(parent=parent)
    tags = workload_tags(args["tags"], plan.workload)
    if plan.object_capacity_tib is not None:
        tags[TAG_OBJECT_TIB] = number(plan.object_capacity_tib)
    bucket = coreweave.ObjectStorageBucket(f"{name}-objects", name=bucket_name(name), zone=plan.zone, tags=tags,
                                           opts=data_opts)
    coreweave.ObjectStorageBucketVersioning(f"{name}-versioning", bucket=bucket.name,
                                            versioning_configuration={"status": "Enabled"}, opts=opts)
    # No colder class to move objects to (Feature.OBJECT_STORAGE_CLASSES): the rule frees abandoned uploads.
    coreweave.ObjectStorageBucketLifecycleConfiguration(
        f"{name}-lifecycle", bucket=bucket.name,
        rules=[{"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {"prefix": ""},
                "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS}}],
        opts=opts)
    return StorageOutputs(object_store_name=bucket.name, object_store_id=bucket.id,
                          object_container_name=None,  # Feature.OBJECT_CONTAINER
                          hot_file_system_id=None)
