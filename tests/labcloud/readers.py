"""Readers of the lab provider's resource types."""

from __future__ import annotations

from typing import Any

from gpufleet.readers.base import Capacity, Graph, ResourceReader, Scaling, Storage, billable_readers, count, \
    duty, number, own_or_provider, whole
from gpufleet.readers.views import ResourceView, get_known, value_at

CLOUD = "lab"
GPU_POOL = "lab:compute:GpuPool"
TAGGED = (GPU_POOL, "lab:kubernetes:Cluster", "lab:storage:Bucket", "lab:storage:Lustre", "lab:network:Network")


class GpuPool(ResourceReader):
    type = GPU_POOL
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        kind = "spot" if get_known(view.inputs, "spot") else "on-demand"
        return Capacity(CLOUD, own_or_provider(view, "region"), get_known(view.inputs, "machineType"),
                        count(get_known(view.inputs, "nodeCount")), kind, hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        machine = value_at(inputs, "machineType")
        return [] if machine is None else [("machineType", machine)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(whole(value_at(inputs, "minNodeCount")), whole(value_at(inputs, "nodeCount")),
                       "minNodeCount", "nodeCount")


def _lustre(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    return True, number(get_known(v.inputs, "capacityTib")), []


def _bucket(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    return False, None, []


READERS: list[ResourceReader] = [
    GpuPool(),
    Storage("lab:storage:Lustre", CLOUD, "Lab Lustre", "lab Lustre capacity; no price in the catalog", _lustre),
    Storage("lab:storage:Bucket", CLOUD, "Lab objects", "lab object storage; no price in the catalog", _bucket),
    *billable_readers(CLOUD, {"lab:kubernetes:Cluster": "lab cluster management; no price in the catalog"}),
]
