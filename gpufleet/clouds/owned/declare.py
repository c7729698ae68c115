"""Owned sites, declared: what code can declare on a Kubernetes cluster whose hardware it does not create.

Per workload placed on a site: a Namespace, a ResourceQuota holding the namespace to the workload's GPUs
(`requests.nvidia.com/gpu`), and Kueue queues sized to them — a ResourceFlavor selecting the site's
nodes of that GPU, a ClusterQueue with the GPUs as its nominal quota (only that namespace may use it)
and the LocalQueue jobs name. No network, control plane or storage: the site has them (outputs None,
facts.UNSUPPORTED). The Kubernetes provider of a site is built from the stack's `sites[].cluster`:
a context of the caller's kubeconfig and/or a kubeconfig kept as a secret stack config value.

Every child is created with `parent=parent`: the site's provider reaches it through the parent.
Implements the `Declarer` interface of components/declarer.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
from pulumi.runtime.config import is_config_secret

from gpufleet.clouds.owned.facts import (ANNOTATION_GPUS_PER_NODE, ANNOTATION_INSTANCE_TYPE, ANNOTATION_SITE,
                                         GPU_QUOTA)
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan
from gpufleet.config import Site
from gpufleet.errors import Problem, UserError

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.gpu_software import GPU_TOLERATION, KUEUE_API_VERSION, WORKLOAD_LABEL
from gpufleet.components.tags import TAG_HOURS, TAG_UTILIZATION, label_value, number, short_name

GPU_RESOURCE = "nvidia.com/gpu"


def provider(region: str) -> pulumi.ProviderResource:
    """A site's provider needs how to reach its cluster: see `site_provider`."""
    raise LookupError(f"owned site {region!r}: its provider is built from the stack's sites (site_provider)")


def site_provider(site: Site, path: str) -> pulumi.ProviderResource:
    """The Kubernetes provider of a site's existing cluster, named `owned-<site>`. A kubeconfig comes only
    from a secret stack config value, so it stays secret in state and output."""
    kubeconfig = None
    key = site.cluster.kubeconfig_secret
    if key is not None:
        namespace, name = key.split(":", 1)
        kubeconfig = pulumi.Config(namespace).get_secret(name)
        if kubeconfig is None:
            raise UserError([Problem(f"{path}.kubeconfig_secret", "not set in the stack's config (set it with "
                                     f"`pulumi config set --secret {key} < kubeconfig`)", key)],
                            heading="invalid stack configuration")
        if not is_config_secret(key):
            raise UserError([Problem(f"{path}.kubeconfig_secret", "is a plain config value: a kubeconfig holds "
                                     f"credentials; set it with `pulumi config set --secret {key} < kubeconfig`",
                                     key)], heading="invalid stack configuration")
    return kubernetes.Provider(f"owned-{site.name}", context=site.cluster.context, kubeconfig=kubeconfig)


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    """What a cluster's parts share beyond the provider: nothing on a site."""
    return {}


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    return {}


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    return {}


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> NetworkOutputs:
    """Nothing: the site's network exists (Feature.NETWORK, Feature.FABRIC)."""
    return NetworkOutputs(network_id=None, node_subnet_ids={zone: None for zone in plan.zones},
                          control_plane_subnet_ids=[], file_system_subnet_ids={}, fabric_security_group_id=None,
                          file_system_security_group_id=None, proximity_placement_group_ids={})


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> ControlPlaneOutputs:
    """Nothing: the site's cluster exists (Feature.CONTROL_PLANE); it is known by the site's name."""
    return ControlPlaneOutputs(cluster_name=args["region"], cluster_id=None, cluster_security_group_id=None,
                               kubeconfig=None)


def _labels(tags: Mapping[str, str], workload: str) -> dict[str, str]:
    """The owner tags as Kubernetes labels, and the workload."""
    return {**{key: label_value(value) for key, value in tags.items()}, WORKLOAD_LABEL: label_value(workload)}


def _site_gpus(site: Mapping[str, Any], plan: NodeGroupPlan) -> Mapping[str, Any]:
    """The site's GPU entry the node group's instance type was made from (gpufleet.catalog.sites)."""
    return next(entry for entry in site["gpus"] if entry["gpu"].lower() == plan.instance.gpu_model.lower()
                and entry["gpus_per_node"] == plan.instance.gpu_count)


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> NodeGroupOutputs:
    """The workload's share of the site: Namespace, GPU ResourceQuota, Kueue ResourceFlavor, ClusterQueue
    and LocalQueue. The quota carries what the estimator prices (annotations: site, instance type, GPUs
    per node; labels: utilisation and hours)."""
    site = args["site"]
    labels = _labels(args["tags"], plan.workload)
    opts = pulumi.ResourceOptions(parent=parent)
    # Cluster-scoped names (namespace, flavor, cluster queue) carry the environment: stacks share a site.
    queue = short_name(f"{args['tags']['environment']}-{plan.workload}", 63)
    namespace = kubernetes.core.v1.Namespace(f"{name}-namespace", metadata={"name": queue, "labels": labels},
                                             opts=opts)
    duty = {}
    if plan.utilization_percent is not None:
        duty[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        duty[TAG_HOURS] = number(plan.hours_per_month)
    kubernetes.core.v1.ResourceQuota(
        f"{name}-gpu-quota",
        metadata={"name": "gpus", "namespace": namespace.metadata.name, "labels": {**labels, **duty},
                  "annotations": {ANNOTATION_SITE: site["name"], ANNOTATION_INSTANCE_TYPE: plan.instance.name,
                                  ANNOTATION_GPUS_PER_NODE: str(plan.instance.gpu_count)}},
        spec={"hard": {GPU_QUOTA: str(plan.gpus)}},
        opts=opts)
    flavor = kubernetes.apiextensions.CustomResource(
        f"{name}-flavor", api_version=KUEUE_API_VERSION, kind="ResourceFlavor",
        metadata={"name": queue, "labels": labels},
        spec={"nodeLabels": dict(_site_gpus(site, plan).get("node_labels") or {}), "tolerations": [GPU_TOLERATION]},
        opts=opts)
    kubernetes.apiextensions.CustomResource(
        f"{name}-cluster-queue", api_version=KUEUE_API_VERSION, kind="ClusterQueue",
        metadata={"name": queue, "labels": labels},
        spec={
            # Only the workload's namespace may submit here.
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": queue}},
            "resourceGroups": [{
                "coveredResources": [GPU_RESOURCE],
                "flavors": [{"name": queue, "resources": [{"name": GPU_RESOURCE, "nominalQuota": plan.gpus}]}],
            }],
        },
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[flavor]))
    kubernetes.apiextensions.CustomResource(
        f"{name}-local-queue", api_version=KUEUE_API_VERSION, kind="LocalQueue",
        metadata={"name": label_value(plan.workload), "namespace": namespace.metadata.name, "labels": labels},
        spec={"clusterQueue": queue}, opts=opts)
    return NodeGroupOutputs(node_group_name=namespace.metadata.name, placement_group_name=None,
                            fabric_interfaces_per_node=0)


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> StorageOutputs:
    """Nothing: preflight refuses storage tiers on a site (Feature.STORAGE_TIERS)."""
    return StorageOutputs(object_store_name=None, object_store_id=None, object_container_name=None,
                          hot_file_system_id=None)
