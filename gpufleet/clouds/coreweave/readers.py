"""Readers of CoreWeave resource types: CKS node pools (the `NodePool` custom resource that CoreWeave's
Kubernetes API takes; pulumi-coreweave has no node pool type) as capacity, AI Object Storage as
storage, the CKS cluster as billable.

A node pool runs `spec.targetNodes` nodes of `spec.instanceType` (autoscaling: between `minNodes` and
`maxNodes`). Its spec names no zone (CoreWeave's Node Pool reference: it runs in the zone of the CKS cluster
it is applied to), and CoreWeave's provider configuration names none either (pulumi-coreweave 1.0.3:
endpoint, token, S3 endpoint, timeout). So its region is, in order: a region label on the pool itself
(`gpufleet.io/region`, which gpufleet's components set, so a fleet with several CoreWeave clusters is
priced; or Kubernetes' well-known `topology.kubernetes.io/region`, or the region of its
`topology.kubernetes.io/zone`); else the zone of the plan's CKS cluster when the plan's clusters are all in
one zone (region = zone without its letter, "US-EAST-04A" → "US-EAST-04"); else unknown, and the estimate
says why (no CKS cluster in the plan, several zones, or a zone not known at preview) and how to fix it.
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
TOPOLOGY_REGION, TOPOLOGY_ZONE = "topology.kubernetes.io/region", "topology.kubernetes.io/zone"
_ZONE = re.compile(r"^([A-Z0-9]+(?:-[A-Z]+-\d+)?)[A-Z]$")


def region_of_zone(zone: Any) -> str | None:
    """'US-EAST-04A' → 'US-EAST-04', 'RNO2A' → 'RNO2'; None when not a zone name."""
    if not isinstance(zone, str):
        return None
    match = _ZONE.match(zone)
    return match.group(1) if match else None


def pool_region(view: ResourceView, graph: Graph) -> tuple[str | None, str | None]:
    """(region, None), or (None, why it is unknown and how to state it)."""
    labels = get_known(view.inputs, "metadata", "labels")
    labels = labels if isinstance(labels, dict) else {}
    for key in (REGION_LABEL, TOPOLOGY_REGION):
        if isinstance(labels.get(key), str) and labels[key]:
            return labels[key], None
    if (region := region_of_zone(labels.get(TOPOLOGY_ZONE))) is not None:
        return region, None
    clusters = [v for v in {id(v): v for v in graph.values()}.values() if v.type == CLUSTER]
    zones = {get_known(v.inputs, "zone") for v in clusters}
    if len(zones) == 1 and (region := region_of_zone(next(iter(zones)))) is not None:
        return region, None
    fix = f"label the pool `{REGION_LABEL}: <region>` (e.g. US-EAST-04) to price it"
    if not clusters:
        why = ("a NodePool names no zone (it runs in its CKS cluster's), and the plan declares no CKS cluster "
               "nor does CoreWeave's provider configuration name a zone")
    elif None in zones:
        why = "the zone of the plan's CKS cluster is not known at preview"
    else:
        why = (f"the plan's CKS clusters are in {', '.join(sorted(str(z) for z in zones))} and a NodePool does not "
               "say which it joins")
    return None, f"{why}; {fix}"


class NodePool(ResourceReader):
    type, cloud, is_capacity = NODE_POOL, CLOUD, True

    def _nodes(self, inputs: dict[str, Any]) -> int | None:
        return count(value_at(inputs, "spec", "targetNodes"))

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, utilization, notes = duty(get_known(view.inputs, "metadata", "labels"))
        region, why = pool_region(view, graph)
        if why is not None:
            notes["region"] = why
        return Capacity(CLOUD, region, get_known(view.inputs, "spec", "instanceType"),
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
