"""GPU capacity as policies need it beyond the estimate: scaling bounds, reservations, GPU types.

The estimator prices the desired node count; quotas need the most a group can scale to, and the
idle-capacity rules need the least it keeps running. Both are read from the same wire inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpufleet.catalog import Catalog
from gpufleet.estimate import ResourceView
from gpufleet.estimate.plan import ResourceEstimate
from gpufleet.estimate.resources import CAPACITY_TYPES, launch_template

from gpufleet_policies._values import get, is_unknown, number, truthy

# Instance types the catalog does not know are still GPU types when their family says so: AWS P and
# G families, Azure N-series, GCP accelerator-optimised (A*) and G2/G4 machine types.
ONE_INSTANCE = "(one instance)"  # the scaling "path" of resources that are a single machine
GPU_TYPE_PATTERNS = (r"^(p|g)\d", r"^Standard_N", r"^(a\d|g\d)-")


def is_gpu_type(name: object, catalog: Catalog) -> bool:
    if not isinstance(name, str) or is_unknown(name):
        return False
    return catalog.instance_type(name) is not None or any(re.match(p, name) for p in GPU_TYPE_PATTERNS)


def instance_type_fields(type_: str, inputs: dict) -> list[tuple[str, object]]:
    """Every (input path, instance type) a resource declares."""
    out: list[tuple[str, object]] = []

    def add(path: str, value: object) -> None:
        if value is not None:
            out.append((path, value))

    if type_ in ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
                 "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/launchConfiguration:LaunchConfiguration"):
        add("instanceType", get(inputs, "instanceType"))
    elif type_ == "aws:eks/nodeGroup:NodeGroup":
        types = get(inputs, "instanceTypes")
        if is_unknown(types):
            add("instanceTypes", types)
        for i, t in enumerate(types if isinstance(types, list) else []):
            add(f"instanceTypes[{i}]", t)
    elif type_ == "aws:autoscaling/group:Group":
        overrides = get(inputs, "mixedInstancesPolicy", "launchTemplate", "overrides")
        for i, o in enumerate(overrides if isinstance(overrides, list) else []):
            add(f"mixedInstancesPolicy.launchTemplate.overrides[{i}].instanceType", get(o, "instanceType"))
    elif type_ == "azure-native:compute:VirtualMachine":
        add("hardwareProfile.vmSize", get(inputs, "hardwareProfile", "vmSize"))
    elif type_ == "azure-native:compute:VirtualMachineScaleSet":
        add("sku.name", get(inputs, "sku", "name"))
    elif type_ == "azure-native:containerservice:AgentPool":
        add("vmSize", get(inputs, "vmSize"))
    elif type_ == "azure-native:containerservice:ManagedCluster":
        profiles = get(inputs, "agentPoolProfiles")
        for i, p in enumerate(profiles if isinstance(profiles, list) else []):
            add(f"agentPoolProfiles[{i}].vmSize", get(p, "vmSize"))
    elif type_ == "gcp:compute/instance:Instance":
        add("machineType", get(inputs, "machineType"))
    elif type_ == "gcp:container/nodePool:NodePool":
        add("nodeConfig.machineType", get(inputs, "nodeConfig", "machineType"))
    return out


@dataclass(frozen=True)
class Scaling:
    """Node counts a capacity resource can run: None when unknown."""

    min_nodes: int | None
    max_nodes: int | None
    min_path: str
    max_path: str


def _int(value: object) -> int | None:
    n = number(value)
    return None if n is None else int(n)


def scaling(view: ResourceView) -> Scaling | None:
    """Scaling bounds of a capacity resource, None for resources that are not capacity."""
    i = view.inputs
    t = view.type
    if t in ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
             "azure-native:compute:VirtualMachine", "gcp:compute/instance:Instance"):
        return Scaling(1, 1, ONE_INSTANCE, ONE_INSTANCE)
    if t == "aws:eks/nodeGroup:NodeGroup":
        return Scaling(_int(get(i, "scalingConfig", "minSize")), _int(get(i, "scalingConfig", "maxSize")),
                       "scalingConfig.minSize", "scalingConfig.maxSize")
    if t == "aws:autoscaling/group:Group":
        return Scaling(_int(get(i, "minSize")), _int(get(i, "maxSize")), "minSize", "maxSize")
    if t == "azure-native:compute:VirtualMachineScaleSet":
        n = _int(get(i, "sku", "capacity"))
        return Scaling(n, n, "sku.capacity", "sku.capacity")
    if t == "azure-native:containerservice:AgentPool":
        if truthy(get(i, "enableAutoScaling")):
            return Scaling(_int(get(i, "minCount")), _int(get(i, "maxCount")), "minCount", "maxCount")
        n = _int(get(i, "count"))
        return Scaling(n, n, "count", "count")
    if t == "gcp:container/nodePool:NodePool":
        auto = get(i, "autoscaling")
        if isinstance(auto, dict):
            lo = get(auto, "minNodeCount")
            hi = get(auto, "maxNodeCount")
            return Scaling(_int(lo if lo is not None else get(auto, "totalMinNodeCount")),
                           _int(hi if hi is not None else get(auto, "totalMaxNodeCount")),
                           "autoscaling.minNodeCount", "autoscaling.maxNodeCount")
        n = _int(get(i, "nodeCount"))
        return Scaling(n, n, "nodeCount", "nodeCount")
    return None


def is_capacity(view: ResourceView) -> bool:
    return view.type in CAPACITY_TYPES


def gpus_per_node(estimate: ResourceEstimate | None, catalog: Catalog) -> int | None:
    if estimate is None or estimate.instance_type is None:
        return None
    it = catalog.instance_type(estimate.instance_type)
    return it.gpu_count if it else None


def reservation(view: ResourceView, estimate: ResourceEstimate | None,
                graph: dict[str, ResourceView]) -> str | None:
    """How a capacity resource runs in reserved capacity, or None when it does not."""
    if estimate is not None and estimate.capacity_type == "reserved":
        return "reserved capacity (Capacity Block or capacity reservation group)"
    targets = []
    if view.type in ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"):
        targets.append(get(view.inputs, "capacityReservationSpecification", "capacityReservationTarget"))
    if view.type in ("aws:eks/nodeGroup:NodeGroup", "aws:autoscaling/group:Group",
                     "aws:ec2/instance:Instance"):
        lt = launch_template(view, graph)
        if lt is not None:
            targets.append(get(lt.inputs, "capacityReservationSpecification", "capacityReservationTarget"))
    if view.type == "azure-native:compute:VirtualMachine":
        targets.append(get(view.inputs, "capacityReservation", "capacityReservationGroup", "id"))
    if view.type == "azure-native:compute:VirtualMachineScaleSet":
        targets.append(get(view.inputs, "virtualMachineProfile", "capacityReservation",
                           "capacityReservationGroup", "id"))
    if any(t for t in targets if t is not None and t != {}):
        return "a capacity reservation"
    return None


def capacity_block(view: ResourceView, graph: dict[str, ResourceView]) -> bool:
    """True for AWS capacity in a Capacity Block: reserved for a fixed window that ends by itself."""
    if get(view.inputs, "capacityType") == "CAPACITY_BLOCK":
        return True
    lt = launch_template(view, graph) if view.type in ("aws:eks/nodeGroup:NodeGroup", "aws:autoscaling/group:Group",
                                                        "aws:ec2/instance:Instance") else None
    market = get(lt.inputs if lt else view.inputs, "instanceMarketOptions", "marketType")
    return market == "capacity-block"
