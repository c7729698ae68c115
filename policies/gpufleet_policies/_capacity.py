"""GPU capacity as policies need it beyond the estimate: scaling bounds, reservations, GPU types.

The estimator prices the desired node count; quotas need the most a group can scale to, and the
idle-capacity rules need the least it keeps running. Both come from the resource type's reader
(`gpufleet.clouds`), the one the estimator and the report use.
"""

from __future__ import annotations

from gpufleet.catalog import Catalog
from gpufleet.clouds import is_gpu_type_name, reader_of
from gpufleet.estimate import ResourceView
from gpufleet.estimate.plan import ResourceEstimate
from gpufleet.readers.base import Graph, Scaling

from gpufleet_policies._values import is_unknown


def is_gpu_type(name: object, catalog: Catalog) -> bool:
    """A GPU instance type: in the catalog, or of a cloud's GPU family (types the catalog does not know)."""
    if not isinstance(name, str) or is_unknown(name):
        return False
    return catalog.instance_type(name) is not None or is_gpu_type_name(name)


def instance_type_fields(type_: str, inputs: dict) -> list[tuple[str, object]]:
    """Every (input path, instance type) a resource declares (for a type no reader reads, its GPU types)."""
    reader = reader_of(ResourceView("", type_, inputs))
    return reader.instance_types(inputs) if reader else []


def scaling(view: ResourceView, graph: Graph | None = None) -> Scaling | None:
    """Scaling bounds of a capacity resource, None for resources that are not capacity."""
    reader = reader_of(view)
    return reader.scaling_in(view, graph or {}) if reader else None


def is_capacity(view: ResourceView) -> bool:
    reader = reader_of(view)
    return reader is not None and reader.is_capacity


def gpus_per_node(estimate: ResourceEstimate | None, catalog: Catalog) -> int | None:
    if estimate is None or estimate.instance_type is None:
        return None
    it = catalog.instance_type(estimate.instance_type)
    return it.gpu_count if it else None


def reservation(view: ResourceView, estimate: ResourceEstimate | None, graph: Graph) -> str | None:
    """How a capacity resource runs in reserved capacity, or None when it does not."""
    if estimate is not None and estimate.capacity_type == "reserved":
        return "reserved capacity (Capacity Block or capacity reservation group)"
    reader = reader_of(view)
    targets = reader.reservation_targets(view, graph) if reader else []
    if any(t for t in targets if t is not None and t != {}):
        return "a capacity reservation"
    return None


def capacity_block(view: ResourceView, graph: Graph) -> bool:
    """True for capacity in a block reserved for a fixed window that ends by itself (AWS Capacity Blocks)."""
    reader = reader_of(view)
    return reader is not None and reader.capacity_block(view, graph)
