"""Readers of pulumi-gcp resource types: Compute Engine instances and GKE node pools as capacity, and
what is billable."""

from __future__ import annotations

from typing import Any

from gpufleet.readers.base import (
    ONE,
    Capacity,
    Graph,
    ResourceReader,
    Scaling,
    billable_readers,
    count,
    duty,
    whole,
)
from gpufleet.readers.views import ResourceView, get_known, value_at

CLOUD = "gcp"


def _region(view: ResourceView) -> str | None:
    """A zone ("us-east4-a") names its region ("us-east4"); a location may be either."""
    place = get_known(view.inputs, "zone") or get_known(view.inputs, "location") \
        or get_known(view.provider_inputs, "region")
    if not isinstance(place, str):
        return None
    parts = place.split("-")
    return "-".join(parts[:-1]) if len(parts) == 3 and len(parts[-1]) == 1 else place


class Instance(ResourceReader):
    type = "gcp:compute/instance:Instance"
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "labels"))
        spot = get_known(view.inputs, "scheduling", "provisioningModel") == "SPOT"
        return Capacity(CLOUD, _region(view), get_known(view.inputs, "machineType"), 1,
                        "spot" if spot else "on-demand", hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        machine = value_at(inputs, "machineType")
        return [] if machine is None else [("machineType", machine)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE


class NodePool(ResourceReader):
    type = "gcp:container/nodePool:NodePool"
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "nodeConfig", "labels"))
        nodes = count(get_known(view.inputs, "nodeCount"))
        if nodes is None:
            nodes = count(get_known(view.inputs, "initialNodeCount"))
        spot = bool(get_known(view.inputs, "nodeConfig", "spot"))
        return Capacity(CLOUD, _region(view), get_known(view.inputs, "nodeConfig", "machineType"), nodes,
                        "spot" if spot else "on-demand", hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        machine = value_at(inputs, "nodeConfig", "machineType")
        return [] if machine is None else [("nodeConfig.machineType", machine)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        auto = value_at(inputs, "autoscaling")
        if isinstance(auto, dict):
            lo = value_at(auto, "minNodeCount")
            hi = value_at(auto, "maxNodeCount")
            return Scaling(whole(lo if lo is not None else value_at(auto, "totalMinNodeCount")),
                           whole(hi if hi is not None else value_at(auto, "totalMaxNodeCount")),
                           "autoscaling.minNodeCount", "autoscaling.maxNodeCount")
        n = whole(value_at(inputs, "nodeCount"))
        return Scaling(n, n, "nodeCount", "nodeCount")


# Resources that are billed but have no price in the catalog (which prices GPU capacity).
BILLABLE: dict[str, str] = {
    "gcp:container/cluster:Cluster": "GKE cluster management fee; no price in the catalog",
    "gcp:storage/bucket:Bucket": "Cloud Storage; no price in the catalog",
}

READERS: list[ResourceReader] = [Instance(), NodePool(), *billable_readers(CLOUD, BILLABLE)]
