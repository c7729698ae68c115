"""Readers of CoreWeave resource types: CKS node pools (the `NodePool` custom resource that CoreWeave's
Kubernetes API takes; pulumi-coreweave has no node pool type) as capacity, AI Object Storage as
storage, the CKS cluster as billable.

A node pool runs `spec.targetNodes` nodes of `spec.instanceType` (autoscaling: between `minNodes` and
`maxNodes`). It names no zone: its region is its `gpufleet.io/region` label (gpufleet's components set it,
so a fleet with several CoreWeave clusters is priced), else the zone of the plan's CKS cluster when the plan
has exactly one (region = zone without its letter, "US-EAST-04A" → "US-EAST-04"), else unknown.
"""

from __future__ import annotations

import re
from typing import Any

from gpufleet.readers.base import (Capacity, Graph, ResourceReader, Scaling, Storage, billable_readers, count, duty,
                                   free_readers)
from gpufleet.readers.views import ResourceView, get_known, value_at

CLOUD = "coreweave"
GPU_TYPE_PATTERN = r"^(gd-|b200-|b300-|gb200-|gb300-)"
NODE_POOL = "kubernetes:compute.coreweave.com/v1alpha1:NodePool"
CLUSTER = "coreweave:index/cksCluster:CksCluster"
REGION_LABEL = "gpufleet.io/region"
_ZONE = re.compile(r"^([A-Z0-9]+(?:-[A-Z]+-\d+)?)[A-Z]$")


def region_of_zone(zone: Any) -> str | None:
    """'US-EAST-04A' → 'US-EAST-04', 'RNO2A' → 'RNO2'; None when not a zone name."""
    if not isinstance(zone, str):
        return None
    match = _ZONE.match(zone)
    return match.group(1) if match else None


def _only_cluster_zone(graph: Graph) -> str | None:
    zones = {get_known(v.inputs, "zone") for v in {id(v): v for v in graph.values()}.values() if v.type == CLUSTER}
    return region_of_zone(zones.pop()) if len(zones) == 1 else None


class NodePool(ResourceReader):
    type, cloud, is_capacity = NODE_POOL, CLOUD, True

    def _nodes(self, inputs: dict[str, Any]) -> int | None:
        return count(value_at(inputs, "spec", "targetNodes"))

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, utilization, notes = duty(get_known(view.inputs, "metadata", "labels"))
        region = get_known(view.inputs, "metadata", "labels", REGION_LABEL)
        return Capacity(CLOUD, region if isinstance(region, str) else _only_cluster_zone(graph),
                        get_known(view.inputs, "spec", "instanceType"),
                        self._nodes(view.inputs), "on-demand", hours, utilization, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("spec.instanceType", value_at(inputs, "spec", "instanceType"))]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        if value_at(inputs, "spec", "autoscaling") is True:
            return Scaling(count(value_at(inputs, "spec", "minNodes")), count(value_at(inputs, "spec", "maxNodes")),
                           "spec.minNodes", "spec.maxNodes")
        n = self._nodes(inputs)
        return Scaling(n, n, "spec.targetNodes", "spec.targetNodes")

    def fabric_configured(self, view, graph, interconnect: str) -> str:
        # InfiniBand instance types ("…ib-…") come with the fabric attached: nothing to configure.
        return "InfiniBand (with the instance type)" if interconnect == "InfiniBand" else "—"


def _bucket(view: ResourceView) -> tuple[bool, float | None, list[str]]:
    return False, None, []


READERS: list[ResourceReader] = [
    NodePool(),
    Storage("coreweave:index/objectStorageBucket:ObjectStorageBucket", CLOUD, "object storage",
            "AI Object Storage: per GB-month stored (usage, not in the catalog)", _bucket),
    # Policies and settings documents cost nothing by themselves.
    *free_readers(CLOUD, ["coreweave:index/objectStorageBucketPolicy:ObjectStorageBucketPolicy",
                          "coreweave:index/objectStorageBucketVersioning:ObjectStorageBucketVersioning",
                          "coreweave:index/objectStorageBucketLifecycleConfiguration:ObjectStorageBucketLifecycleConfiguration"]),
    *billable_readers(CLOUD, {
        CLUSTER: "CKS cluster: the control plane's price is not in the catalog",
    }),
]
