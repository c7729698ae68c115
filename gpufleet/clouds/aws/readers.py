"""Readers of pulumi-aws 7 resource types: capacity, instance types, scaling, reservations, fabric,
storage and what is billable (see gpufleet.readers.base)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from gpufleet.catalog import InstanceType, load_catalog
from gpufleet.clouds.aws.facts import EKS_DEFAULT_DISK_GIB, EKS_WINDOWS_DEFAULT_DISK_GIB, GPU_TYPE_PATTERN
from gpufleet.files import plain_number
from gpufleet.footprint import HOURS_PER_MONTH
from gpufleet.readers.base import (
    HOURLY,
    MONTHLY,
    NOT_CONFIGURED,
    ONE,
    STORAGE,
    USAGE,
    BillLine,
    Capacity,
    Graph,
    Priced,
    ResourceReader,
    Scaling,
    Storage,
    billable_readers,
    by_id,
    by_name,
    count,
    declared_object_storage,
    duty,
    free_readers,
    number,
    own_or_provider,
    whole,
)
from gpufleet.readers.views import ResourceView, get_known, is_unknown, known, value_at

CLOUD = "aws"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
INSTANCE = "aws:ec2/instance:Instance"
SPOT_INSTANCE = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ASG = "aws:autoscaling/group:Group"
BATCH = "aws:batch/computeEnvironment:ComputeEnvironment"
EC2_FLEET = "aws:ec2/fleet:Fleet"
SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
SAGEMAKER_ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SAGEMAKER_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SAGEMAKER_NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
SAGEMAKER_TRAINING = "aws:sagemaker/trainingJob:TrainingJob"
EMR_CLUSTER = "aws:emr/cluster:Cluster"
EMR_INSTANCE_GROUP = "aws:emr/instanceGroup:InstanceGroup"
EMR_INSTANCE_FLEET = "aws:emr/instanceFleet:InstanceFleet"
ECS_CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
CAPACITY_RESERVATION = "aws:ec2/capacityReservation:CapacityReservation"
GAMELIFT_FLEET = "aws:gamelift/fleet:Fleet"
GAMELIFT_GAME_SERVER_GROUP = "aws:gamelift/gameServerGroup:GameServerGroup"
EBS_VOLUME = "aws:ebs/volume:Volume"
GIB_PER_TIB = 1024.0
_EFA_TYPES = ("efa", "efa-only")


def launch_template(view: ResourceView, graph: Graph) -> ResourceView | None:
    """The launch template a resource uses (directly or through a mixed instances policy): the one its
    input depends on (a new template's id is unknown at preview), else the one its id or name names.
    An unknown reference matches nothing: never a guess."""
    for key in ("launchTemplate", "mixedInstancesPolicy"):
        for urn in view.dependencies.get(key, ()):
            other = graph.get(urn)
            if other is not None and other.type == LAUNCH_TEMPLATE:
                return other
    ref = _launch_template_ref(view.inputs)
    if ref is None:
        return None
    for id_ in (get_known(ref, "id"), get_known(ref, "launchTemplateId")):
        if (other := by_id(graph, LAUNCH_TEMPLATE, id_)) is not None:
            return other
    for name in (get_known(ref, "name"), get_known(ref, "launchTemplateName")):
        if (other := by_name(graph, LAUNCH_TEMPLATE, "name", name)) is not None:
            return other
    return None


def _launch_template_ref(inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The `launchTemplate` block of a node group, instance or auto scaling group, if any."""
    ref = get_known(inputs, "launchTemplate")
    if not isinstance(ref, dict):
        ref = get_known(inputs, "mixedInstancesPolicy", "launchTemplate", "launchTemplateSpecification")
    return ref if isinstance(ref, dict) else None


def _launch_template_type(view: ResourceView, graph: Graph) -> str | None:
    lt = launch_template(view, graph)
    return get_known(lt.inputs, "instanceType") if lt is not None else None


def _launch_configuration_type(view: ResourceView, graph: Graph) -> str | None:
    """The instance type of the (legacy) launch configuration an auto scaling group names: the one its
    `launchConfiguration` depends on (a new configuration's generated name is unknown at preview), else
    the one of that name."""
    for urn in view.dependencies.get("launchConfiguration", ()):
        other = graph.get(urn)
        if other is not None and other.type == LAUNCH_CONFIGURATION:
            return get_known(other.inputs, "instanceType")
    lc = by_name(graph, LAUNCH_CONFIGURATION, "name", get_known(view.inputs, "launchConfiguration"))
    return get_known(lc.inputs, "instanceType") if lc is not None else None


class _Launched(ResourceReader):
    """Capacity that may run from a launch template: its reservation, Capacity Block, EFA interfaces and
    EBS volumes can be set there."""

    cloud = CLOUD
    is_capacity = True

    def block_devices(self, view: ResourceView, graph: Graph) -> list[BlockDevice]:
        """The volumes each node gets: its launch template's `blockDeviceMappings` (a volume type it does not
        set is the AMI's: unknown); a template that maps no EBS volume leaves the root volume to the AMI, its
        size and type unknown. No template found: none (an auto scaling group's launch configuration is not read)."""
        lt = launch_template(view, graph)
        if lt is None:
            return []
        mappings = get_known(lt.inputs, "blockDeviceMappings")
        return [BlockDevice(f"launchTemplate.blockDeviceMappings[{i}]", ebs)
                for i, m in enumerate(mappings if isinstance(mappings, list) else [])
                if isinstance(m, dict) and isinstance(ebs := get_known(m, "ebs"), dict)] or \
            [BlockDevice("launchTemplate.blockDeviceMappings", {}, unknown=_AMI_ROOT.format(what="the launch template maps no EBS volume"))]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """The EBS volumes its nodes get, one part per declared device, priced as `aws.ebs.Volume`s are
        (`_ebs_lines`): one volume per node, so as many volumes as the nodes counted."""
        if view.part_of is not None:
            return []
        devices = self.block_devices(view, graph)
        if not devices:
            return []
        nodes = self.capacity(view, graph).nodes
        if nodes == 0:
            return []  # no node, no volume: nothing billed (a group scaled to zero)
        region = get_known(view.inputs, "region")
        return [ResourceView(urn=f"{view.urn}.{d.path}", type=EBS_VOLUME,
                             inputs={**({"region": region} if region is not None else {}),
                                     **{key: d.ebs[wire] for key, wire in _EBS_FIELDS.items() if wire in d.ebs},
                                     _PART_VOLUMES: nodes, _PART_DEFAULT_TYPE: d.default_type, _PART_UNKNOWN: d.unknown},
                             provider_inputs=view.provider_inputs, part_of=view.urn)
                for d in devices]

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        lt = launch_template(view, graph)
        if lt is None:
            return []
        return [value_at(lt.inputs, "capacityReservationSpecification", "capacityReservationTarget")]

    def capacity_block(self, view: ResourceView, graph: Graph) -> bool:
        if value_at(view.inputs, "capacityType") == "CAPACITY_BLOCK":
            return True
        lt = launch_template(view, graph)
        return value_at(lt.inputs if lt else view.inputs, "instanceMarketOptions", "marketType") == "capacity-block"

    def fabric_configured(self, view: ResourceView | None, graph: Graph, interconnect: str) -> str:
        if interconnect != "EFA":
            return NOT_CONFIGURED
        lt = launch_template(view, graph) if view is not None else None
        if lt is None:
            has_template = view is not None and isinstance(
                get_known(view.inputs, "launchTemplate")
                or get_known(view.inputs, "mixedInstancesPolicy", "launchTemplate", "launchTemplateSpecification"), dict)
            return ("EFA interfaces unknown (launch template not found)" if has_template
                    else "no launch template with EFA interfaces")
        interfaces = get_known(lt.inputs, "networkInterfaces")
        n = sum(1 for i in (interfaces if isinstance(interfaces, list) else []) if isinstance(i, dict) and get_known(i, "interfaceType") in _EFA_TYPES)
        return f"{n} EFA interfaces/node" if n else "no EFA interfaces in the launch template"


class Instance(_Launched):
    """An EC2 instance or spot instance request: one machine."""

    # Terraform AWS provider `aws_instance` / `aws_spot_instance_request`: `ForceNew` fields.
    replace_inputs = ("ami", "availabilityZone", "placementGroup", "subnetId")

    def __init__(self, type_: str) -> None:
        self.type = type_

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        spot = get_known(view.inputs, "instanceMarketOptions", "marketType") == "spot" or self.type == SPOT_INSTANCE
        itype = get_known(view.inputs, "instanceType") or _launch_template_type(view, graph)
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, 1, "spot" if spot else "on-demand",
                        hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))

    def block_devices(self, view: ResourceView, graph: Graph) -> list[BlockDevice]:
        """Its own `rootBlockDevice` (type unset: the AMI's, unknown) and `ebsBlockDevices` (type unset:
        gp2, pulumi-aws `InstanceEbsBlockDeviceArgs.volume_type` "Defaults to `gp2`"), else its template's;
        without a `rootBlockDevice` or a template, the root volume is the AMI's: its size and type unknown."""
        root = get_known(view.inputs, "rootBlockDevice")
        extra = get_known(view.inputs, "ebsBlockDevices")
        own = [BlockDevice(f"ebsBlockDevices[{i}]", d, "gp2")
               for i, d in enumerate(extra if isinstance(extra, list) else []) if isinstance(d, dict)]
        if isinstance(root, dict):
            return [BlockDevice("rootBlockDevice", root), *own]
        if launch_template(view, graph) is not None:
            return own or super().block_devices(view, graph)
        return [BlockDevice("rootBlockDevice", {}, unknown=_AMI_ROOT.format(what="the instance declares no rootBlockDevice")),
                *own]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        own = [value_at(view.inputs, "capacityReservationSpecification", "capacityReservationTarget")]
        # Only on-demand instances take their template's reservation (as before the reader registry).
        return own + (super().reservation_targets(view, graph) if self.type == INSTANCE else [])

    def capacity_block(self, view: ResourceView, graph: Graph) -> bool:
        if self.type == INSTANCE:
            return super().capacity_block(view, graph)
        return value_at(view.inputs, "capacityType") == "CAPACITY_BLOCK" or \
            value_at(view.inputs, "instanceMarketOptions", "marketType") == "capacity-block"


class NodeGroup(_Launched):
    type = NODE_GROUP
    # Terraform AWS provider `aws_eks_node_group` (bridged by pulumi-aws 7): these fields are `ForceNew`.
    # Updating the launch template version, the AMI release or the Kubernetes version is an EKS managed
    # node group update, which replaces the nodes one by one (EKS User Guide, "Managed node update behavior").
    replace_inputs = ("amiType", "capacityType", "clusterName", "diskSize", "instanceTypes", "nodeGroupName",
                      "nodeGroupNamePrefix", "nodeRoleArn", "remoteAccess", "subnetIds", "launchTemplate.id",
                      "launchTemplate.name")
    roll_inputs = ("launchTemplate.version", "releaseVersion", "version")

    def template(self, view: ResourceView, graph: Graph) -> ResourceView | None:
        return launch_template(view, graph)

    def block_devices(self, view: ResourceView, graph: Graph) -> list[BlockDevice]:
        """Without a launch template, EKS creates one whose root volume is `diskSize` GiB (its default when
        unset: facts.EKS_DEFAULT_DISK_GIB, Windows EKS_WINDOWS_DEFAULT_DISK_GIB); its volume type is not
        documented by AWS, so unknown."""
        if "launchTemplate" in view.inputs:
            return super().block_devices(view, graph)
        size = view.inputs.get("diskSize")
        if size is None:
            ami = get_known(view.inputs, "amiType")
            windows = isinstance(ami, str) and ami.startswith("WINDOWS_")
            size = None if is_unknown(ami) else EKS_WINDOWS_DEFAULT_DISK_GIB if windows else EKS_DEFAULT_DISK_GIB
        return [BlockDevice("diskSize", {} if size is None else {"volumeSize": size},
                            unknown="the launch template EKS creates for a node group without one: AWS does not "
                                    "document its volume type")]

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        types = get_known(view.inputs, "instanceTypes") or []
        itype = types[0] if types and known(types[0]) else _launch_template_type(view, graph)
        if len(types) > 1:
            notes["instance_type"] = f"first of {len(types)} instance types priced"
        nodes = count(get_known(view.inputs, "scalingConfig", "desiredSize"))
        notes["nodes"] = "desired size of the node group"
        kind = {"SPOT": "spot", "CAPACITY_BLOCK": "reserved"}.get(get_known(view.inputs, "capacityType") or "",
                                                                 "on-demand")
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, nodes, kind, hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        types = value_at(inputs, "instanceTypes")
        out = _present(("instanceTypes", types)) if is_unknown(types) else []  # unknown as a whole
        return out + _present(*((f"instanceTypes[{i}]", t) for i, t in enumerate(types if isinstance(types, list)
                                                                                  else [])))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(whole(value_at(inputs, "scalingConfig", "minSize")),
                       whole(value_at(inputs, "scalingConfig", "maxSize")),
                       "scalingConfig.minSize", "scalingConfig.maxSize")


class AutoScalingGroup(_Launched):
    """An EC2 auto scaling group. pulumi-aws 7.51.1 `autoscaling.Group.instance_refresh`: with it, a change of
    `launchConfiguration`, `launchTemplate` or `mixedInstancesPolicy` starts an instance refresh (the running
    instances are replaced), but a new version of a launch template the group names as "$Latest" does not.
    Without one, no change touches running instances: those launched from now on (scale-out, replacement of
    an unhealthy or reclaimed one) take it. The group itself is updated in place."""

    type = ASG
    roll_inputs = ("launchConfiguration", "launchTemplate", "mixedInstancesPolicy")
    _MIXED = ("running instances keep their configuration, instances launched from now on (scaling, "
              "replacements) take the new one")

    def template(self, view: ResourceView, graph: Graph) -> ResourceView | None:
        """The launch template whose new versions the group launches without a change of its own inputs: one
        named as "$Latest", or as "$Default" (the default, when no version is named) when each new version
        becomes the template's default (`updateDefaultVersion`)."""
        lt = launch_template(view, graph)
        spec = get_known(view.inputs, "launchTemplate") or \
            get_known(view.inputs, "mixedInstancesPolicy", "launchTemplate", "launchTemplateSpecification")
        version = spec.get("version", "$Default") if isinstance(spec, dict) else None
        if lt is None or not (version == "$Latest" or (version == "$Default"
                                                       and get_known(lt.inputs, "updateDefaultVersion") is True)):
            return None
        return lt

    def roll_paths(self, view: ResourceView) -> tuple[str, ...]:
        """With `instanceRefresh.triggers`, those properties start a refresh too. They are Terraform's names
        ("tag", "desired_capacity"): the input of each, as pulumi-aws names it ("tags", "desiredCapacity")."""
        triggers = get_known(view.inputs, "instanceRefresh", "triggers")
        names = [t for t in (triggers if isinstance(triggers, list) else []) if isinstance(t, str) and t]
        wire = ["tags" if t == "tag" else re.sub(r"_([a-z])", lambda m: m.group(1).upper(), t) for t in names]
        return self.roll_inputs + tuple(w for w in dict.fromkeys(wire) if w not in self.roll_inputs)

    def roll_effect(self, view: ResourceView) -> tuple[str, str]:
        if isinstance(get_known(view.inputs, "instanceRefresh"), dict):
            return "rolled", "its instanceRefresh replaces the running instances"
        return "mixed", f"no instanceRefresh: {self._MIXED}"

    def template_effect(self, view: ResourceView, replaced: bool) -> tuple[str, str]:
        return "mixed", f"; the group follows it without an instance refresh: {self._MIXED}"

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(self.tags(view.inputs))
        nodes = count(get_known(view.inputs, "desiredCapacity"))
        if nodes is None and is_unknown(view.inputs.get("desiredCapacity")):
            notes["nodes"] = "desired capacity not known at preview"  # set, to a value not known yet: not its minimum
        elif nodes is None:
            nodes = count(get_known(view.inputs, "minSize"))
            notes["nodes"] = "minimum size (no desired capacity set)"
        region = own_or_provider(view, "region")
        mixed = view.inputs.get("mixedInstancesPolicy")
        if mixed is None:
            itype = _launch_template_type(view, graph) or _launch_configuration_type(view, graph) \
                or _selected_type(_requirements(view, graph), region, notes)
            return Capacity(CLOUD, region, itype, nodes, "on-demand", hours, util, notes)
        # A mixed instances policy: its overrides' types (the first is priced, as the highest priority),
        # else its launch template's; spot when nothing runs on demand.
        overrides = get_known(mixed, "launchTemplate", "overrides")
        types = [o.get("instanceType") for o in (overrides if isinstance(overrides, list) else [])
                 if isinstance(o, dict) and o.get("instanceType") is not None]
        if types:
            itype = types[0] if known(types[0]) else None
            if len(types) > 1:
                notes["instance_type"] = f"first of {len(types)} override instance types priced"
        else:
            itype = _launch_template_type(view, graph) or _selected_type(_requirements(view, graph), region, notes)
        dist = get_known(mixed, "instancesDistribution") or {}
        base, above = dist.get("onDemandBaseCapacity"), dist.get("onDemandPercentageAboveBaseCapacity")
        spot = (base is None or count(base) == 0) and above is not None and count(above) == 0
        return Capacity(CLOUD, region, itype, nodes, "spot" if spot else "on-demand", hours, util, notes)

    @staticmethod
    def tags(inputs: dict[str, Any]) -> dict[str, Any]:
        """An auto scaling group's tags are a list of {key, value, propagateAtLaunch}."""
        return {t.get("key"): t.get("value") for t in (get_known(inputs, "tags") or []) if isinstance(t, dict)}

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        overrides = value_at(inputs, "mixedInstancesPolicy", "launchTemplate", "overrides")
        return _present(*((f"mixedInstancesPolicy.launchTemplate.overrides[{i}].instanceType",
                           value_at(o, "instanceType"))
                          for i, o in enumerate(overrides if isinstance(overrides, list) else [])))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(whole(value_at(inputs, "minSize")), whole(value_at(inputs, "maxSize")), "minSize", "maxSize")


# --- attribute-based instance type selection ------------------------------------------------------

def _requirements(view: ResourceView, graph: Graph) -> dict[str, Any] | None:
    """The `instanceRequirements` an auto scaling group's overrides or its launch template select by."""
    overrides = get_known(view.inputs, "mixedInstancesPolicy", "launchTemplate", "overrides")
    for o in overrides if isinstance(overrides, list) else []:
        req = get_known(o, "instanceRequirements") if isinstance(o, dict) else None
        if isinstance(req, dict):
            return req
    lt = launch_template(view, graph)
    req = get_known(lt.inputs, "instanceRequirements") if lt is not None else None
    return req if isinstance(req, dict) else None


def _within(value: float, bounds: Any, scale: float = 1.0) -> bool:
    """`value` within a {min, max} block (either may be absent)."""
    if not isinstance(bounds, dict):
        return True
    low, high = number(get_known(bounds, "min")), number(get_known(bounds, "max"))
    return (low is None or value * scale >= low) and (high is None or value * scale <= high)


def matching_types(requirements: dict[str, Any] | None) -> list[InstanceType]:
    """The catalog's AWS instance types that attribute-based selection (`instanceRequirements`) may pick,
    as far as the catalog can tell: accelerator count, type and name, vCPUs, memory, allowed and
    excluded types. An accelerator count of zero selects no GPU type."""
    if not isinstance(requirements, dict):
        return []
    names = [n.lower() for n in get_known(requirements, "acceleratorNames") or [] if isinstance(n, str)]
    kinds = [k.lower() for k in get_known(requirements, "acceleratorTypes") or [] if isinstance(k, str)]
    allowed = [a for a in get_known(requirements, "allowedInstanceTypes") or [] if isinstance(a, str)]
    excluded = [e for e in get_known(requirements, "excludedInstanceTypes") or [] if isinstance(e, str)]
    out = []
    for it in load_catalog().instance_types.values():
        if it.cloud != CLOUD or not it.gpu_count or (kinds and "gpu" not in kinds):
            continue
        if names and not any(n.replace("-", "") in it.gpu_model.lower().replace("-", "") for n in names):
            continue
        if not (_within(it.gpu_count, get_known(requirements, "acceleratorCount"))
                and _within(it.vcpus, get_known(requirements, "vcpuCount"))
                and _within(it.memory_gib, get_known(requirements, "memoryMib"), 1024.0)):
            continue
        if (allowed and not any(_glob(a, it.name) for a in allowed)) or any(_glob(e, it.name) for e in excluded):
            continue
        out.append(it)
    count = get_known(requirements, "acceleratorCount")
    return [] if isinstance(count, dict) and number(get_known(count, "max")) == 0 else out


def _glob(pattern: str, name: str) -> bool:
    """EC2's instance type patterns: `*` for any characters (`p5*`, `g6e.*`)."""
    import fnmatch

    return fnmatch.fnmatchcase(name, pattern)


def _selected_type(requirements: dict[str, Any] | None, region: Any, notes: dict[str, str]) -> str | None:
    """The type attribute-based selection is estimated with: of the catalog types it may pick, the
    cheapest on demand in the region (else anywhere), so cost is a lower bound and GPUs are those of a
    type it really may launch. None when no catalog GPU type matches."""
    types = matching_types(requirements)
    if not types:
        return None
    catalog = load_catalog()

    def price(it: InstanceType) -> tuple[bool, float]:
        """Offered in the region first, then the cheapest there (else anywhere)."""
        here = catalog.offer(CLOUD, it.name, region) if isinstance(region, str) else None
        if here is not None and here.usd_per_hour is not None:
            return False, here.usd_per_hour
        rates = [o.usd_per_hour for o in catalog.offered(it.name, CLOUD) if o.usd_per_hour is not None]
        return True, min(rates) if rates else math.inf

    chosen = min(types, key=lambda it: (price(it), it.gpu_count, it.name))
    notes["instance_type"] = (f"attribute-based selection: {len(types)} catalog GPU type(s) match "
                              f"({', '.join(sorted(t.name for t in types)[:6])}); the cheapest, {chosen.name}, is "
                              "estimated (a lower bound)")
    return chosen.name


# --- GPU capacity in other AWS services ------------------------------------------------------------

def _vcpus(itype: Any) -> int | None:
    it = load_catalog().instance_type(itype) if isinstance(itype, str) else None
    return it.vcpus if it is not None and it.vcpus else None


def _gpu_type_first(types: list[Any]) -> Any:
    """Of several instance types, the first the catalog knows as a GPU type, else the first."""
    catalog = load_catalog()
    known_types = [t for t in types if isinstance(t, str)]
    return next((t for t in known_types if (it := catalog.instance_type(t)) is not None and it.gpu_count),
                known_types[0] if known_types else None)


class BatchComputeEnvironment(ResourceReader):
    """An AWS Batch managed compute environment: EC2 capacity between `minVcpus` and `maxVcpus`, in
    whole instances of its types. Priced at its desired (else minimum) vCPUs; policies see its maximum."""

    type = BATCH
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        res = get_known(view.inputs, "computeResources") or {}
        itype = _gpu_type_first(get_known(res, "instanceTypes") or [])
        vcpus = _vcpus(itype)
        running = count(get_known(res, "desiredVcpus"))
        what = "desired"
        if running is None:
            running, what = count(get_known(res, "minVcpus")) or 0, "minimum"
        nodes = None if vcpus is None else math.ceil(running / vcpus)
        notes["nodes"] = f"{what} vCPUs of the compute environment ({running}) in whole instances"
        kind = "spot" if get_known(res, "type") == "SPOT" else "on-demand"
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, nodes, kind, hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        types = value_at(inputs, "computeResources", "instanceTypes")
        return _present(*((f"computeResources.instanceTypes[{i}]", t)
                          for i, t in enumerate(types if isinstance(types, list) else [])))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        vcpus = _vcpus(_gpu_type_first(get_known(inputs, "computeResources", "instanceTypes") or []))
        low, high = (whole(value_at(inputs, "computeResources", key)) for key in ("minVcpus", "maxVcpus"))
        return Scaling(None if vcpus is None or low is None else math.ceil(low / vcpus),
                       None if vcpus is None or high is None else math.ceil(high / vcpus),
                       "computeResources.minVcpus", "computeResources.maxVcpus")


class Ec2Fleet(ResourceReader):
    """An EC2 Fleet: `targetCapacitySpecification.totalTargetCapacity` instances (or vCPUs) of its
    overrides' or launch template's types."""

    type = EC2_FLEET
    cloud = CLOUD
    is_capacity = True

    def _types(self, view: ResourceView, graph: Graph) -> tuple[Any, dict[str, str]]:
        notes: dict[str, str] = {}
        types, requirements = [], None
        for config in get_known(view.inputs, "launchTemplateConfigs") or []:
            for o in (get_known(config, "overrides") or []) if isinstance(config, dict) else []:
                if isinstance(o, dict) and o.get("instanceType") is not None:
                    types.append(o.get("instanceType"))
                elif isinstance(o, dict) and isinstance(get_known(o, "instanceRequirements"), dict):
                    requirements = get_known(o, "instanceRequirements")
        if types:
            if len(types) > 1:
                notes["instance_type"] = f"first GPU type of {len(types)} override instance types priced"
            return _gpu_type_first(types), notes
        lt = self._launch_template(view, graph)
        itype = get_known(lt.inputs, "instanceType") if lt is not None else None
        if itype is None:
            requirements = requirements or (get_known(lt.inputs, "instanceRequirements") if lt else None)
            itype = _selected_type(requirements, own_or_provider(view, "region"), notes)
        return itype, notes

    def _launch_template(self, view: ResourceView, graph: Graph) -> ResourceView | None:
        for urn in view.dependencies.get("launchTemplateConfigs", ()):
            other = graph.get(urn)
            if other is not None and other.type == LAUNCH_TEMPLATE:
                return other
        return None

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        itype, type_notes = self._types(view, graph)
        notes.update(type_notes)
        spec = get_known(view.inputs, "targetCapacitySpecification") or {}
        nodes = self._nodes(spec, itype)
        notes["nodes"] = "total target capacity of the fleet"
        spot = get_known(spec, "defaultTargetCapacityType") == "spot" and not count(get_known(spec, "onDemandTargetCapacity"))
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, nodes, "spot" if spot else "on-demand",
                        hours, util, notes)

    @staticmethod
    def _nodes(spec: Any, itype: Any) -> int | None:
        total = count(get_known(spec, "totalTargetCapacity"))
        unit = get_known(spec, "targetCapacityUnitType") or "units"
        if total is None or unit == "units":
            return total
        vcpus = _vcpus(itype)
        return math.ceil(total / vcpus) if unit == "vcpu" and vcpus else None

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        out = []
        for i, config in enumerate(get_known(inputs, "launchTemplateConfigs") or []):
            for j, o in enumerate((get_known(config, "overrides") or []) if isinstance(config, dict) else []):
                out += _present((f"launchTemplateConfigs[{i}].overrides[{j}].instanceType", value_at(o, "instanceType")))
        return out

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = whole(value_at(inputs, "targetCapacitySpecification", "totalTargetCapacity"))
        path = "targetCapacitySpecification.totalTargetCapacity"
        return Scaling(n, n, path, path)


class SpotFleetRequest(Ec2Fleet):
    """A Spot Fleet request: `targetCapacity` units of its launch specifications', overrides' or launch
    template's types (spot, unless part is `onDemandTargetCapacity`). Without it the same GPUs as an EC2
    Fleet would get past every GPU policy."""

    type = SPOT_FLEET

    def _types(self, view: ResourceView, graph: Graph) -> tuple[Any, dict[str, str]]:
        types = [s.get("instanceType") for s in _list(get_known(view.inputs, "launchSpecifications"))
                 if isinstance(s, dict) and s.get("instanceType") is not None]
        if not types:
            return super()._types(view, graph)
        notes = {"instance_type": f"first GPU type of {len(types)} launch specifications priced"} if len(types) > 1 else {}
        return _gpu_type_first(types), notes

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        itype, type_notes = self._types(view, graph)
        notes.update(type_notes)
        nodes = self._nodes({"totalTargetCapacity": get_known(view.inputs, "targetCapacity"),
                             "targetCapacityUnitType": get_known(view.inputs, "targetCapacityUnitType")}, itype)
        weight = _largest_weight(view.inputs)
        if weight is None:
            nodes = None
            notes["nodes"] = "unknown: a pool's weightedCapacity is not a positive number"
        elif weight != 1 and nodes is not None:
            nodes = math.ceil(nodes / weight)
            notes["nodes"] = f"target capacity in weighted units: at least {nodes} instances (largest weight {weight:g})"
        else:
            notes["nodes"] = "target capacity of the spot fleet request"
        spot = not count(get_known(view.inputs, "onDemandTargetCapacity"))
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, nodes, "spot" if spot else "on-demand",
                        hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        specs = _list(get_known(inputs, "launchSpecifications"))
        return _present(*((f"launchSpecifications[{i}].instanceType", value_at(s, "instanceType"))
                          for i, s in enumerate(specs))) + super().instance_types(inputs)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n, weight = whole(value_at(inputs, "targetCapacity")), _largest_weight(inputs)
        if n is not None and weight != 1:
            n = None if weight is None else math.ceil(n / weight)
        return Scaling(n, n, "targetCapacity", "targetCapacity")


def _largest_weight(inputs: dict[str, Any]) -> float | None:
    """The largest `weightedCapacity` of a spot fleet's pools (1 when none is weighted): the fleet meets its
    target with at least target / largest weight instances. None when a weight is not a positive number
    (launch specifications give it as a string, template overrides as a number)."""
    specs = _list(get_known(inputs, "launchSpecifications"))
    for config in _list(get_known(inputs, "launchTemplateConfigs")):
        specs += (get_known(config, "overrides") or []) if isinstance(config, dict) else []
    weights = [_weight(s.get("weightedCapacity")) for s in specs
               if isinstance(s, dict) and s.get("weightedCapacity") is not None]
    if any(w is None for w in weights):
        return None
    return max(weights, default=1)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _weight(value: Any) -> float | None:
    if isinstance(value, str):
        value = plain_number(value)
    n = number(value)
    return n if n is not None and math.isfinite(n) and n > 0 else None



_ML_PREFIX = "ml."
_SAGEMAKER_PRICE = ("SageMaker bills {ml} at its own rate, which the catalog does not have; GPUs, energy and "
                    "carbon are those of the same hardware, {ec2}")


def sagemaker_hardware(ml_type: Any) -> str | None:
    """"ml.p4d.24xlarge" -> "p4d.24xlarge": SageMaker's ml.* instances run on the EC2 type of the same name."""
    return ml_type[len(_ML_PREFIX):] if isinstance(ml_type, str) and ml_type.startswith(_ML_PREFIX) else None


def _sagemaker_capacity(view: ResourceView, ml_type: Any, nodes: int | None, what: str, spot: bool = False) -> Capacity:
    hours, util, notes = duty(get_known(view.inputs, "tags"))
    hardware = sagemaker_hardware(ml_type)
    notes["instance_type"] = (f"{ml_type} (SageMaker) runs on {hardware}" if hardware else
                              f"{ml_type} (SageMaker)" if known(ml_type) else "SageMaker instance type not known")
    notes["nodes"] = what
    return Capacity(CLOUD, own_or_provider(view, "region"), hardware or (ml_type if known(ml_type) else None), nodes,
                    "spot" if spot else "on-demand", hours, util, notes,
                    price_unknown=_SAGEMAKER_PRICE.format(ml=ml_type, ec2=hardware))


_VARIANT_FIELDS = ("productionVariants", "shadowProductionVariants")
_PART_VARIANT = "variant"  # a part's inputs: the endpoint's, plus the variant it runs under this key


class SageMakerEndpoint(ResourceReader):
    """A SageMaker real-time endpoint: the instances of its endpoint configuration's production (and shadow)
    variants. The endpoint's own capacity is its first GPU variant; every other variant that may have
    GPUs is a part of it (`inline_capacity_in`), so quota, budget and grid policies see them all."""

    type = SAGEMAKER_ENDPOINT
    cloud = CLOUD
    is_capacity = True

    @staticmethod
    def configuration(view: ResourceView, graph: Graph) -> ResourceView | None:
        for urn in view.dependencies.get("endpointConfigName", ()):
            other = graph.get(urn)
            if other is not None and other.type == SAGEMAKER_ENDPOINT_CONFIG:
                return other
        name = get_known(view.inputs, "endpointConfigName")
        return next((o for o in graph.values() if o.type == SAGEMAKER_ENDPOINT_CONFIG and name is not None
                     and get_known(o.inputs, "name") == name), None)

    @staticmethod
    def variants(config: ResourceView | None) -> list[tuple[str, dict[str, Any]]]:
        """(input path, variant) of every production, then shadow, variant."""
        out = []
        for key in _VARIANT_FIELDS:
            found = get_known(config.inputs, key) if config is not None else None
            out += [(f"{key}[{i}]", v) for i, v in enumerate(found if isinstance(found, list) else [])
                    if isinstance(v, dict)]
        return out

    def _chosen(self, view: ResourceView, graph: Graph) -> tuple[dict[str, Any] | None, str]:
        """The variant this view runs (a part's own; for the endpoint, its first GPU variant) and why."""
        if view.part_of is not None:
            return view.inputs.get(_PART_VARIANT), "initial instance count of the variant"
        variants = self.variants(self.configuration(view, graph))
        gpu_first = _gpu_type_first([sagemaker_hardware(get_known(v, "instanceType")) for _, v in variants])
        chosen = next((v for _, v in variants if sagemaker_hardware(get_known(v, "instanceType")) == gpu_first),
                      variants[0][1] if variants else None)
        what = "initial instance count of the production variant" + (
            f" (of {len(variants)} variants, the first with GPUs; any other GPU variant is counted on its own)"
            if len(variants) > 1 else "")
        return chosen, what

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        chosen, what = self._chosen(view, graph)
        chosen = chosen or {}
        return _sagemaker_capacity(view, get_known(chosen, "instanceType"),
                                   count(get_known(chosen, "initialInstanceCount")), what)

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        if view.part_of is not None:
            return []
        chosen, _ = self._chosen(view, graph)
        catalog = load_catalog()
        out = []
        for path, variant in self.variants(self.configuration(view, graph)):
            hardware = sagemaker_hardware(ml := get_known(variant, "instanceType"))
            cpu_only = known(ml) and not (hardware and ((it := catalog.instance_type(hardware)) is not None
                                                        and it.gpu_count or re.match(GPU_TYPE_PATTERN, hardware)))
            if variant is chosen or cpu_only:
                continue
            out.append(ResourceView(urn=f"{view.urn}.{path}", type=SAGEMAKER_ENDPOINT,
                                    inputs={**view.inputs, _PART_VARIANT: variant},
                                    provider_inputs=view.provider_inputs, part_of=view.urn))
        return out

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return []  # the types are the endpoint configuration's (see SageMakerEndpointConfiguration)

    def scaling_in(self, view: ResourceView, graph: Graph) -> Scaling | None:
        """The initial instance count of its variant (Application Auto Scaling targets, which may raise it,
        are not read)."""
        chosen, _ = self._chosen(view, graph)
        n = whole(get_known(chosen, "initialInstanceCount")) if chosen is not None else None
        variant = view.urn[len(view.part_of) + 1:] if view.part_of is not None else "productionVariants[]"
        path = f"endpoint configuration {variant}.initialInstanceCount"
        return Scaling(n, n, path, path)


class SageMakerEndpointConfiguration(ResourceReader):
    """Declares the ml.* instance types an endpoint runs; runs nothing itself."""

    type = SAGEMAKER_ENDPOINT_CONFIG
    cloud = CLOUD

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        found = []
        for key in _VARIANT_FIELDS:
            variants = value_at(inputs, key)
            found += [(f"{key}[{i}].instanceType", value_at(v, "instanceType"))
                      for i, v in enumerate(variants if isinstance(variants, list) else [])]
        return _present(*found)


class SageMakerNotebook(ResourceReader):
    type = SAGEMAKER_NOTEBOOK
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        return _sagemaker_capacity(view, get_known(view.inputs, "instanceType"), 1, "one notebook instance")

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE


class SageMakerTrainingJob(ResourceReader):
    """A SageMaker training job: `resourceConfig.instanceCount` × `instanceType` while it runs."""

    type = SAGEMAKER_TRAINING
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        spot = get_known(view.inputs, "enableManagedSpotTraining") is True
        return _sagemaker_capacity(view, get_known(view.inputs, "resourceConfig", "instanceType"),
                                   count(get_known(view.inputs, "resourceConfig", "instanceCount")),
                                   "instance count of the training job", spot)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("resourceConfig.instanceType", value_at(inputs, "resourceConfig", "instanceType")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = whole(value_at(inputs, "resourceConfig", "instanceCount"))
        return Scaling(n, n, "resourceConfig.instanceCount", "resourceConfig.instanceCount")


def _emr_count(group: Any) -> int | None:
    """An EMR instance group's instance count; the provider's default is 1."""
    n = get_known(group, "instanceCount") if isinstance(group, dict) else None
    return 1 if n is None else count(n)


def _emr_fleet(fleet: dict[str, Any]) -> tuple[Any, int | None, str, str]:
    """An EMR instance fleet as (instance type, instances, capacity type, how counted): its first GPU type
    of `instanceTypeConfigs`, as many instances of it as its on-demand plus Spot target units need at that
    type's `weightedCapacity` (the provider's default 1); Spot when no unit is on demand."""
    configs = [c for c in (get_known(fleet, "instanceTypeConfigs") or []) if isinstance(c, dict)]
    itype = _gpu_type_first([c.get("instanceType") for c in configs])
    chosen = next((c for c in configs if c.get("instanceType") == itype), {})
    weight = count(get_known(chosen, "weightedCapacity")) if "weightedCapacity" in chosen else 1
    on_demand, spot = (get_known(fleet, key) or 0 for key in ("targetOnDemandCapacity", "targetSpotCapacity"))
    units = count(on_demand) + count(spot) if count(on_demand) is not None and count(spot) is not None else None
    nodes = math.ceil(units / weight) if units is not None and weight else None
    what = "target on-demand + Spot capacity of the instance fleet" + (
        f" (of {len(configs)} instance types, the first with GPUs)" if len(configs) > 1 else "")
    return itype, nodes, "spot" if count(on_demand) == 0 and count(spot) else "on-demand", what


class EmrCluster(ResourceReader):
    """An EMR cluster: its core instance group or instance fleet (where the work runs) is the capacity
    estimated."""

    type = EMR_CLUSTER
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        fleet = get_known(view.inputs, "coreInstanceFleet")
        if isinstance(fleet, dict) and value_at(view.inputs, "coreInstanceGroup") is None:
            itype, nodes, kind, notes["nodes"] = _emr_fleet(fleet)
            return Capacity(CLOUD, own_or_provider(view, "region"), itype, nodes, kind, hours, util, notes)
        core = get_known(view.inputs, "coreInstanceGroup") or {}
        notes["nodes"] = "core instance group"
        return Capacity(CLOUD, own_or_provider(view, "region"), get_known(core, "instanceType"), _emr_count(core),
                        "on-demand", hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        fleets = [(f"{group}.instanceTypeConfigs[{i}].instanceType", value_at(c, "instanceType"))
                  for group in ("masterInstanceFleet", "coreInstanceFleet")
                  for i, c in enumerate(value_at(inputs, group, "instanceTypeConfigs") or [])]
        return _present(*((f"{group}.instanceType", value_at(inputs, group, "instanceType"))
                          for group in ("masterInstanceGroup", "coreInstanceGroup")), *fleets)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        fleet = get_known(inputs, "coreInstanceFleet")
        if isinstance(fleet, dict) and value_at(inputs, "coreInstanceGroup") is None:
            n = _emr_fleet(fleet)[1]
            path = "coreInstanceFleet.targetOnDemandCapacity + targetSpotCapacity"
            return Scaling(n, n, path, path)
        n = _emr_count(value_at(inputs, "coreInstanceGroup"))
        return Scaling(n, n, "coreInstanceGroup.instanceCount", "coreInstanceGroup.instanceCount")


class EmrInstanceGroup(ResourceReader):
    type = EMR_INSTANCE_GROUP
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(None)
        notes["nodes"] = "instance count of the EMR instance group"
        return Capacity(CLOUD, own_or_provider(view, "region"), get_known(view.inputs, "instanceType"),
                        _emr_count(view.inputs), "on-demand", hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = _emr_count(inputs)
        return Scaling(n, n, "instanceCount", "instanceCount")


class EmrInstanceFleet(ResourceReader):
    """A task instance fleet added to an EMR cluster (`emr.InstanceFleet`)."""

    type = EMR_INSTANCE_FLEET
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(None)
        itype, nodes, kind, notes["nodes"] = _emr_fleet(view.inputs)
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, nodes, kind, hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(*((f"instanceTypeConfigs[{i}].instanceType", value_at(c, "instanceType"))
                          for i, c in enumerate(value_at(inputs, "instanceTypeConfigs") or [])))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = _emr_fleet(inputs)[1]
        return Scaling(n, n, "targetOnDemandCapacity + targetSpotCapacity", "targetOnDemandCapacity + targetSpotCapacity")


# GameLift bills managed fleet instances at its own rates, and FleetIQ adds its own charge to the EC2 instances
# of a game server group (aws.amazon.com/gamelift/pricing, read 2026-11-30): the catalog has neither.
_GAMELIFT_PRICE = ("GameLift bills a managed fleet's {itype} instances at its own rates, which the catalog does not "
                   "have; GPUs, energy and carbon are those of the hardware")
_FLEETIQ_PRICE = ("GameLift FleetIQ adds its own charge to the EC2 price of {itype}, which the catalog does not have; "
                  "GPUs, energy and carbon are those of the hardware")
_NOT_DECLARED = "not declared by aws.gamelift.Fleet"


class GameLiftFleet(ResourceReader):
    """A GameLift managed EC2 fleet: instances of `ec2InstanceType`. pulumi-aws 7's `aws.gamelift.Fleet`
    declares no instance count (a fleet's desired, minimum and maximum instances are set through GameLift's
    capacity API and scaling policies, outside the resource), so its GPUs per instance are known and its
    instance count is unknown — never 0."""

    type = GAMELIFT_FLEET
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        notes["nodes"] = ("unknown: aws.gamelift.Fleet declares no instance count (GameLift sets and scales it "
                          "outside the resource)")
        itype = get_known(view.inputs, "ec2InstanceType")
        spot = get_known(view.inputs, "fleetType") == "SPOT"
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, None, "spot" if spot else "on-demand",
                        hours, util, notes, price_unknown=_GAMELIFT_PRICE.format(itype=itype))

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("ec2InstanceType", value_at(inputs, "ec2InstanceType")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(None, None, _NOT_DECLARED, _NOT_DECLARED)


class GameLiftGameServerGroup(ResourceReader):
    """A GameLift FleetIQ game server group: an EC2 Auto Scaling group GameLift creates outside the plan, of
    `instanceDefinitions` types between `minSize` and `maxSize` (no desired count is declared: its minimum
    is estimated, as an auto scaling group's without one). Spot only with balancingStrategy SPOT_ONLY."""

    type = GAMELIFT_GAME_SERVER_GROUP
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        types = [get_known(d, "instanceType") for d in _list(get_known(view.inputs, "instanceDefinitions"))
                 if isinstance(d, dict)]
        itype = _gpu_type_first(types)
        if len(types) > 1:
            notes["instance_type"] = f"first GPU type of {len(types)} instance definitions"
        notes["nodes"] = "minimum size (a game server group declares no desired count)"
        spot = get_known(view.inputs, "balancingStrategy") == "SPOT_ONLY"
        return Capacity(CLOUD, own_or_provider(view, "region"), itype, count(get_known(view.inputs, "minSize")),
                        "spot" if spot else "on-demand", hours, util, notes,
                        price_unknown=_FLEETIQ_PRICE.format(itype=itype))

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(*((f"instanceDefinitions[{i}].instanceType", value_at(d, "instanceType"))
                          for i, d in enumerate(_list(value_at(inputs, "instanceDefinitions")))))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(whole(value_at(inputs, "minSize")), whole(value_at(inputs, "maxSize")), "minSize", "maxSize")


class EcsManagedInstances(ResourceReader):
    """An ECS capacity provider. One backed by an auto scaling group adds nothing (the group is the
    capacity); ECS Managed Instances launch what `instanceRequirements` select, as many as tasks need:
    the count is unknown at preview, the type is estimated as attribute-based selection is."""

    type = ECS_CAPACITY_PROVIDER
    cloud = CLOUD
    is_capacity = True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity | None:
        template = get_known(view.inputs, "managedInstancesProvider", "instanceLaunchTemplate")
        if not isinstance(template, dict):
            return None
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        region = own_or_provider(view, "region")
        itype = _selected_type(get_known(template, "instanceRequirements"), region, notes)
        notes["nodes"] = "ECS Managed Instances scale with the tasks placed: the count is not known at preview"
        kind = {"SPOT": "spot", "RESERVED": "reserved"}.get(get_known(template, "capacityOptionType") or "", "on-demand")
        return Capacity(CLOUD, region, itype, None, kind, hours, util, notes)

    def scaling(self, inputs: dict[str, Any]) -> Scaling | None:
        if value_at(inputs, "managedInstancesProvider") is None:
            return None
        path = "managedInstancesProvider (scales with tasks)"
        return Scaling(0, None, path, path)


# --- On-Demand Capacity Reservations --------------------------------------------------------------
# AWS EC2 User Guide, "Capacity Reservation pricing and billing" (read 2026-11-30): "Capacity Reservations
# are charged at the equivalent On-Demand rate whether you run instances in reserved capacity or not. [...]
# When you run an instance that matches the attributes of a reservation, you just pay for the instance and
# nothing for the reservation." So a reservation costs its unused instances at the On-Demand rate, every
# hour it exists; the instances running in it are priced where they are declared.

def reservations_targeted(view: ResourceView, graph: Graph) -> list[ResourceView]:
    """The plan's On-Demand Capacity Reservations a resource (or its launch template) targets explicitly:
    by id, or by depending on one whose id is not known at preview."""
    sources = [view] + ([lt] if (lt := launch_template(view, graph)) is not None else [])
    found = []
    for source in sources:
        target = get_known(source.inputs, "capacityReservationSpecification", "capacityReservationTarget")
        if not isinstance(target, dict):
            continue
        if (by_target_id := by_id(graph, CAPACITY_RESERVATION, get_known(target, "capacityReservationId"))):
            found.append(by_target_id)
            continue
        for urn in source.dependencies.get("capacityReservationSpecification", ()):
            other = graph.get(urn)
            if other is not None and other.type == CAPACITY_RESERVATION:
                found.append(other)
    return found


# The last graph indexed (the estimator and each policy pass ask about every reservation of one graph):
# which capacity runs in which reservation, found in one pass over the plan, so the cost stays linear.
_targets_of: tuple[Graph, dict[str, list[tuple[ResourceView, ResourceReader]]]] | None = None


def _running_in(reservation: ResourceView, graph: Graph) -> list[tuple[ResourceView, ResourceReader]]:
    global _targets_of
    if _targets_of is None or _targets_of[0] is not graph:
        index: dict[str, list[tuple[ResourceView, ResourceReader]]] = {}
        seen: set[str] = set()
        for view in graph.values():
            reader = _LAUNCHED.get(view.type)
            if reader is None or view.urn in seen:
                continue
            seen.add(view.urn)
            for r in reservations_targeted(view, graph):
                index.setdefault(r.urn, []).append((view, reader))
        _targets_of = (graph, index)
    return _targets_of[1].get(reservation.urn, [])


def _in_reservation(view: ResourceView, reader: ResourceReader, graph: Graph, itype: Any
                    ) -> tuple[int, int, int]:
    """Nodes of capacity targeting a reservation that run in it: (all month, at its minimum, at its
    maximum). Only on-demand capacity of the reservation's type runs in it; all its nodes count all month
    when always on, else only those it cannot scale below (a tag's hours are a claim; the reservation's
    unused hours are billed whatever it says). Unknown counts are 0: the reservation is then counted
    whole (an upper bound)."""
    cap = reader.capacity(view, graph)
    if cap is None or cap.nodes is None or cap.capacity_type == "spot" or cap.instance_type != itype:
        return 0, 0, 0
    bounds = reader.scaling_in(view, graph)
    low = (bounds.min_nodes or 0) if bounds is not None else 0
    high = (bounds.max_nodes or 0) if bounds is not None else 0
    return (cap.nodes if cap.hours >= HOURS_PER_MONTH else min(cap.nodes, low)), low, high


class CapacityReservation(ResourceReader):
    """An On-Demand Capacity Reservation: `instanceCount` instances of `instanceType`, billed at the
    On-Demand rate every hour whether used or not. Its capacity is the part no capacity of the plan that
    targets it runs in (reserved but unused), so nothing is counted twice; instances that only match an
    `open` reservation are not attributed to it (both are counted: an upper bound)."""

    type = CAPACITY_RESERVATION
    cloud = CLOUD
    is_capacity = True

    @staticmethod
    def _use(view: ResourceView, graph: Graph) -> tuple[int | None, list[tuple[str, int, int, int]]]:
        """instanceCount, and (name, all month, minimum, maximum) of each capacity running in it."""
        itype = get_known(view.inputs, "instanceType")
        used = [(other.name, *_in_reservation(other, reader, graph, itype)) for other, reader in _running_in(view, graph)]
        return count(get_known(view.inputs, "instanceCount")), [u for u in used if any(u[1:])]

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        _, util, notes = duty(get_known(view.inputs, "tags"))
        reserved, used = self._use(view, graph)
        in_it = sum(u[1] for u in used)
        unused = None if reserved is None else max(reserved - in_it, 0)
        if reserved is None:
            notes["nodes"] = "instanceCount not known at preview"
        elif in_it:
            notes["nodes"] = (f"{unused} of {reserved} reserved instances unused: {min(in_it, reserved)} run in it all "
                              f"month ({', '.join(f'{u[0]} {u[1]}' for u in used if u[1])}), priced where they are "
                              "declared")
        else:
            notes["nodes"] = (f"{reserved} reserved instances, unused: no capacity of the plan runs in it all month "
                              "(instances that only match an open reservation are priced where they are declared "
                              "too: an upper bound)")
        notes["hours_per_month"] = (f"{HOURS_PER_MONTH:g} h: a capacity reservation is billed every hour it exists, "
                                    "used or not (tags cannot lower it)")
        if get_known(view.inputs, "endDateType") == "limited":
            end = get_known(view.inputs, "endDate")
            notes["hours_per_month"] += (f"; it ends {end if isinstance(end, str) else 'at a date not known at preview'}: "
                                         "a full month's rate while it exists (not prorated)")
        notes["price"] = "the On-Demand rate of its instance type, which AWS bills unused reserved capacity at"
        return Capacity(CLOUD, own_or_provider(view, "region"), get_known(view.inputs, "instanceType"), unused,
                        "reserved", HOURS_PER_MONTH, util, notes, price_as="on-demand")

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))

    def scaling_in(self, view: ResourceView, graph: Graph) -> Scaling:
        """A reservation does not scale, its unused part does, against what runs in it: the minimum is what
        stays unused (and paid) while that capacity is at its minimum; the maximum, what is still unused
        when it is at its maximum — so a quota adding every maximum counts max(reserved, their maximum)."""
        reserved, used = self._use(view, graph)
        if reserved is None:
            return Scaling(None, None, "instanceCount", "instanceCount")
        return Scaling(max(reserved - sum(u[2] for u in used), 0), max(reserved - sum(u[3] for u in used), 0),
                       "instanceCount", "instanceCount")


class Template(ResourceReader):
    """A launch template or launch configuration: declares an instance type, runs nothing itself."""

    cloud = CLOUD

    def __init__(self, type_: str, replace_inputs: tuple[str, ...] = (),
                 unversioned_inputs: tuple[str, ...] | None = None) -> None:
        self.type, self.replace_inputs, self.unversioned_inputs = type_, replace_inputs, unversioned_inputs

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))


def _region(view: ResourceView) -> str | None:
    region = own_or_provider(view, "region")
    return region if isinstance(region, str) else None


class VpcEndpoint(ResourceReader):
    """Gateway endpoints (S3, DynamoDB) are free; interface endpoints are billed per endpoint per
    availability zone (one network interface per subnet) each hour, and per GB processed."""

    type = "aws:ec2/vpcEndpoint:VpcEndpoint"
    cloud = CLOUD

    def billable_reason(self, view: ResourceView) -> str | None:
        kind = view.inputs.get("vpcEndpointType", "Gateway")  # the provider's default type is Gateway
        if kind == "Gateway":
            return None  # S3/DynamoDB gateway endpoints carry no charge
        if is_unknown(kind):
            return "VPC endpoint of a type not known at preview (interface endpoints are billed hourly)"
        return f"{str(kind).lower()} VPC endpoint hours and data; no sourced price in the catalog"

    def bill(self, view: ResourceView, graph: Graph) -> list[BillLine]:
        if view.inputs.get("vpcEndpointType") != "Interface":
            return []
        subnets = view.inputs.get("subnetIds")
        zones = float(len(subnets)) if isinstance(subnets, list) else None
        region = _region(view)
        return [BillLine(HOURLY, "vpc-interface-endpoint", "endpoint-AZ", region, zones,
                         "endpoint × AZ (one network interface per subnet in subnetIds)"),
                BillLine(USAGE, "vpc-interface-endpoint-data", "first-1-pb", region, None, "data processed")]


def _eks_control_plane(view: ResourceView, region: str | None) -> list[BillLine]:
    # The standard-support rate; a cluster whose Kubernetes version has left standard support pays the
    # extended-support rate (a row of its own), which depends on the date, not on the plan.
    return [BillLine(HOURLY, "eks-control-plane", "standard", region, 1.0,
                     "cluster (standard support; a version in extended support pays the extended rate)")]


def _nat_gateway(view: ResourceView, region: str | None) -> list[BillLine]:
    return [BillLine(HOURLY, "nat-gateway", "gateway", region, 1.0, "NAT gateway"),
            BillLine(USAGE, "nat-gateway-data", "GB", region, None, "data processed")]


def _public_ipv4(view: ResourceView, region: str | None) -> list[BillLine]:
    return [BillLine(HOURLY, "public-ipv4", "address", region, 1.0, "public IPv4 address")]


def _load_balancer(view: ResourceView, region: str | None) -> list[BillLine]:
    kind = view.inputs.get("loadBalancerType", "application")  # the provider's default
    if not isinstance(kind, str) or not known(kind):
        return [BillLine(HOURLY, "load-balancer", "type not known at preview", region, None, "load balancer")]
    return [BillLine(HOURLY, "load-balancer", kind, region, 1.0, f"{kind} load balancer"),
            BillLine(USAGE, "load-balancer-capacity-units", kind, region, None, "capacity units (LCU/NLCU)")]


def _fsx(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    gib = number(get_known(v.inputs, "storageCapacity"))
    details = [str(get_known(v.inputs, "deploymentType") or "deployment type unknown")]
    if (mbps := number(get_known(v.inputs, "perUnitStorageThroughput"))) is not None:
        details.append(f"{mbps:g} MB/s/TiB")
    return True, (None if gib is None else gib / GIB_PER_TIB), details


def _s3(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    return False, None, []


def _fsx_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """FSx for Lustre is billed per GB-month of storage capacity, by deployment type, storage type and
    throughput per TiB (the provider's defaults: SCRATCH_1, SSD)."""
    deployment = v.inputs.get("deploymentType", "SCRATCH_1")
    medium = v.inputs.get("storageType", "SSD")
    throughput = v.inputs.get("perUnitStorageThroughput")
    mb_s = number(throughput)
    gib = number(get_known(v.inputs, "storageCapacity"))
    if not all(isinstance(x, str) and known(x) for x in (deployment, medium)) or \
            (throughput is not None and mb_s is None):
        return [BillLine(STORAGE, "fsx-lustre", "deployment type, storage type or throughput not known at preview",
                         region, None, "storage capacity")]
    sku = deployment if deployment.startswith("SCRATCH") or mb_s is None else f"{deployment}-{mb_s:g}"
    service = "fsx-lustre-hdd" if medium == "HDD" else "fsx-lustre"
    return [BillLine(STORAGE, service, sku, region, None if gib is None else gib / GIB_PER_TIB,
                     f"storageCapacity {gib:g} GiB" if gib is not None else "storage capacity")]


def _s3_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """An S3 bucket is billed on the bytes stored and the requests made: priced at S3 Standard on the
    capacity a gpufleet component declares (lifecycle rules then move objects to cheaper classes, so an
    upper bound), otherwise usage-based."""
    requests = BillLine(USAGE, "s3-requests", "STANDARD", region, None, "requests and data retrieval")
    return [declared_object_storage("s3", "STANDARD", region, get_known(v.inputs, "tags"), tag_word="tag",
                                    at="S3 Standard", lifecycle="lifecycle rules move objects to colder, cheaper classes"),
            requests]


def _efs(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    mode = get_known(v.inputs, "throughputMode")
    return False, None, [str(mode)] if mode else []


# An EBS volume a launch template or instance declares for each node: its settings under the names of
# `aws.ebs.Volume`'s inputs (from the block device's), the number of such volumes (one per node counted) and
# the volume type when the block device sets none (None: the AMI's, unknown).
_EBS_FIELDS = {"size": "volumeSize", "type": "volumeType", "iops": "iops", "throughput": "throughput"}
_PART_VOLUMES, _PART_DEFAULT_TYPE, _PART_UNKNOWN = "volumes", "defaultType", "unknownType"
# A root volume nothing declares: the AMI's block device mapping decides its size and type.
_AMI_ROOT = "{what}: the root volume's size and type are the AMI's"


@dataclass(frozen=True)
class BlockDevice:
    """A volume each node gets: the input path declaring it, its EBS settings (the block device's names), the
    volume type when it sets none (None: unknown), and why that type is unknown."""

    path: str
    ebs: dict[str, Any]
    default_type: str | None = None
    unknown: str = "unset in the block device: the AMI's"
# gp3's baseline, included in its storage price: Infracost's golden bills a gp3 volume of 4,000 IOPS and
# 130 MiB/s for 1,000 IOPS and 5 MiB/s (internal/providers/terraform/aws/ebs_volume.go @077d588a: above 3000
# and 125).
_GP3_IOPS, _GP3_MIBPS = 3000.0, 125.0


def _ebs_volumes(v: ResourceView) -> int | None:
    """How many volumes the view stands for: one for an `aws.ebs.Volume`, a node count for a part."""
    return count(v.inputs.get(_PART_VOLUMES)) if v.part_of is not None else 1


def _ebs_type(v: ResourceView) -> Any:
    """The volume type: its own, else the default (`aws.ebs.Volume` "Default: `gp2`"; a part's, which may
    be unknown: the AMI's)."""
    if "type" in v.inputs:
        return get_known(v.inputs, "type")
    return v.inputs.get(_PART_DEFAULT_TYPE) if v.part_of is not None else "gp2"


def _ebs(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    gib, volumes = number(get_known(v.inputs, "size")), _ebs_volumes(v)
    kind = _ebs_type(v)
    return True, (None if gib is None or volumes is None else volumes * gib / GIB_PER_TIB), \
        [str(kind)] if isinstance(kind, str) and known(kind) else []


def _ebs_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """An EBS volume is billed per GiB-month provisioned, by volume type, per IOPS-month provisioned (io1,
    io2; gp3 above its included 3,000) and per MiB/s-month above gp3's included 125 (Infracost `ebs_volume.go`
    @077d588a); magnetic (`standard`) volumes per I/O request (usage). A part stands for one volume per node."""
    kind, gib, n = _ebs_type(v), number(get_known(v.inputs, "size")), _ebs_volumes(v)
    if not (isinstance(kind, str) and known(kind)):
        unset = v.part_of is not None and "type" not in v.inputs
        size = "" if gib is None or n is None else f", {n} × {gib:g} GiB"
        return [BillLine(MONTHLY, "ebs", "of unknown type", region, None,
                         f"volume type ({v.inputs.get(_PART_UNKNOWN)}{size})" if unset else "volume type")]
    tib = None if gib is None or n is None else n * gib / GIB_PER_TIB
    size = "volume size" if gib is None else f"volume size {gib:g} GiB" if v.part_of is None else f"{n} × {gib:g} GiB"
    lines = [BillLine(STORAGE, "ebs", kind, region, tib, size if tib is not None or v.part_of is None
                      else "volumeSize × the nodes counted")]
    iops, mibps = number(get_known(v.inputs, "iops")), number(get_known(v.inputs, "throughput"))

    def per_volume(extra: float | None, service: str, what: str) -> BillLine:
        return BillLine(MONTHLY, service, kind, region, None if extra is None or n is None else n * extra, what)

    if kind in ("io1", "io2"):
        lines.append(per_volume(iops, "ebs-iops", "provisioned IOPS"))
    elif kind == "gp3":
        if iops is not None and iops > _GP3_IOPS:
            lines.append(per_volume(iops - _GP3_IOPS, "ebs-iops", f"IOPS above gp3's included {_GP3_IOPS:g}"))
        if mibps is not None and mibps > _GP3_MIBPS:
            lines.append(per_volume(mibps - _GP3_MIBPS, "ebs-throughput", f"MiB/s above gp3's included {_GP3_MIBPS:g}"))
    elif kind == "standard":
        lines.append(BillLine(USAGE, "ebs-io-requests", kind, region, None, "I/O requests"))
    return lines


class BucketLifecycle(ResourceReader):
    """An S3 lifecycle configuration: the colder classes its bucket's objects move to."""

    cloud = CLOUD

    def __init__(self, type_: str) -> None:
        self.type = type_

    def lifecycle(self, view: ResourceView) -> tuple[str, list[str]]:
        classes = []
        for rule in get_known(view.inputs, "rules") or []:
            for t in (get_known(rule, "transitions") or []) + (get_known(rule, "noncurrentVersionTransitions") or []):
                if c := get_known(t, "storageClass"):
                    classes.append(f"lifecycle → {c}")
        return "S3", classes


def _present(*pairs: tuple[str, Any]) -> list[tuple[str, Any]]:
    return [(path, value) for path, value in pairs if value is not None]


_S3 = "S3 storage and requests"

# Resources that are billed but have no price in the catalog (which prices GPU capacity).
BILLABLE: dict[str, str] = {
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": "Capacity Block is paid up front; no price in the catalog",
    "aws:rds/instance:Instance": "RDS instance hours and storage; no price in the catalog",
    "aws:rds/cluster:Cluster": "RDS/Aurora cluster storage and I/O; no price in the catalog",
    "aws:rds/clusterInstance:ClusterInstance": "Aurora instance hours; no price in the catalog",
    "aws:elasticache/cluster:Cluster": "ElastiCache node hours; no price in the catalog",
    "aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache node hours; no price in the catalog",
    "aws:dynamodb/table:Table": "DynamoDB capacity and storage; no price in the catalog",
    "aws:opensearch/domain:Domain": "OpenSearch instance hours and storage; no price in the catalog",
    "aws:fsx/ontapFileSystem:OntapFileSystem": "FSx for ONTAP storage/throughput; no price in the catalog",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "FSx for OpenZFS storage/throughput; no price in the catalog",
    "aws:fsx/windowsFileSystem:WindowsFileSystem": "FSx for Windows storage/throughput; no price in the catalog",
    "aws:ebs/snapshot:Snapshot": "EBS snapshot storage; no price in the catalog",
    "aws:ecr/repository:Repository": "ECR image storage; no price in the catalog",
    "aws:kms/key:Key": "KMS key-months and requests; no price in the catalog",
    "aws:cloudwatch/logGroup:LogGroup": "CloudWatch Logs ingestion and storage; no price in the catalog",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "CloudWatch alarms are billed per alarm-month; no price in the catalog",
    "aws:redshift/cluster:Cluster": "Redshift node hours and storage; no price in the catalog",
    "aws:redshiftserverless/workgroup:Workgroup": "Redshift Serverless RPU hours; no price in the catalog",
    "aws:ecs/service:Service": "its tasks' Fargate vCPU and memory hours (or the EC2 instances they run on); no price in the catalog",
    "aws:networkfirewall/firewall:Firewall": "Network Firewall endpoint hours and data; no price in the catalog",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "Transit Gateway attachment hours and data; no price in the catalog",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": "Transit Gateway attachment hours and data; no price in the catalog",
    "aws:kinesis/stream:Stream": "Kinesis shard (or on-demand stream) hours and data; no price in the catalog",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "Firehose ingestion; no price in the catalog",
    "aws:msk/cluster:Cluster": "MSK broker hours and storage; no price in the catalog",
    "aws:docdb/clusterInstance:ClusterInstance": "DocumentDB instance hours; no price in the catalog",
    "aws:route53/zone:Zone": "hosted zone per month and queries; no price in the catalog",
    "aws:secretsmanager/secret:Secret": "secret-months and API calls; no price in the catalog",
    "aws:lambda/function:Function": "requests and GB-seconds, billed by use; no price in the catalog",
    "aws:apigateway/restApi:RestApi": "API requests, billed by use; no price in the catalog",
    "aws:apigatewayv2/api:Api": "API requests, billed by use; no price in the catalog",
    "aws:sqs/queue:Queue": "requests, billed by use; no price in the catalog",
    "aws:sns/topic:Topic": "publishes and deliveries, billed by use; no price in the catalog",
    "aws:cloudfront/distribution:Distribution": "requests and data out, billed by use; no price in the catalog",
    "aws:ec2/vpnConnection:VpnConnection": "VPN connection hours and data; no price in the catalog",
}

# Types that cost nothing by themselves (what runs in or through them is assessed on its own).
FREE: tuple[str, ...] = (
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/placementGroup:PlacementGroup", "aws:ec2/keyPair:KeyPair", "aws:ec2/networkInterface:NetworkInterface",
    "aws:ec2transitgateway/transitGateway:TransitGateway",
    "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policy:Policy", "aws:iam/instanceProfile:InstanceProfile", "aws:iam/user:User", "aws:iam/group:Group",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketAcl:BucketAcl",
    "aws:eks/addon:Addon", "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:kms/alias:Alias", "aws:lambda/permission:Permission", "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener", "aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:route53/record:Record",
    "aws:acm/certificate:Certificate", "aws:ssm/parameter:Parameter", "aws:ecs/cluster:Cluster",
    "aws:ecs/taskDefinition:TaskDefinition", "aws:efs/mountTarget:MountTarget",
    "aws:ec2transitgateway/routeTable:RouteTable",
    # A link between a file-system directory and an S3 prefix (FSx API reference, CreateDataRepositoryAssociation).
    # The FSx for Lustre pricing page (aws.amazon.com/fsx/lustre/pricing) bills storage GB-months, backups and
    # data transfer, with no setup charges, and no association; the S3 requests its imports and exports make are
    # billed on the bucket (its `s3-requests` usage line).
    "aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation",
    # "This resource implements a part of the validation workflow. It does not represent a real-world entity in
    # AWS" (Pulumi registry, aws.acm.CertificateValidation).
    "aws:acm/certificateValidation:CertificateValidation",
    # AWS Batch has no charge of its own: it bills the EC2/Fargate capacity of its compute environments, which
    # are read as capacity (handbook.vantage.sh/aws/services/batch-pricing, "Batch is free!").
    "aws:batch/jobQueue:JobQueue", "aws:batch/jobDefinition:JobDefinition",
    # Configuration objects whose instances are billed: a DB subnet group (the DB instances in it), a SageMaker
    # model (the endpoint instances that host it; its artifacts are in S3).
    "aws:rds/subnetGroup:SubnetGroup", "aws:sagemaker/model:Model",
    # An attachment of an EBS volume to an instance, and of an Elastic IP to an instance or interface: what
    # they attach is billed on its own (the `aws.ebs.Volume`'s GB-months, the `Eip`'s address-hours).
    "aws:ec2/volumeAttachment:VolumeAttachment", "aws:ec2/eipAssociation:EipAssociation",
)

READERS: list[ResourceReader] = [
    CapacityReservation(),
    Instance(INSTANCE),
    Instance(SPOT_INSTANCE),
    NodeGroup(),
    AutoScalingGroup(),
    BatchComputeEnvironment(),
    Ec2Fleet(),
    SpotFleetRequest(),
    SageMakerEndpoint(),
    SageMakerEndpointConfiguration(),
    SageMakerNotebook(),
    SageMakerTrainingJob(),
    EmrCluster(),
    EmrInstanceGroup(),
    EmrInstanceFleet(),
    EcsManagedInstances(),
    GameLiftFleet(),
    GameLiftGameServerGroup(),
    # Terraform AWS provider `aws_launch_template`: `name`/`namePrefix` are `ForceNew`; an update changing
    # anything but these unversioned fields creates a new template version.
    Template(LAUNCH_TEMPLATE, replace_inputs=("name", "namePrefix"),
             unversioned_inputs=("defaultVersion", "description", "tags", "updateDefaultVersion")),
    Template(LAUNCH_CONFIGURATION),
    VpcEndpoint(),
    Priced("aws:eks/cluster:Cluster", CLOUD, "EKS control plane, billed per cluster-hour", _eks_control_plane,
           _region),
    Priced("aws:ec2/natGateway:NatGateway", CLOUD, "NAT gateway hours and data", _nat_gateway, _region),
    Priced("aws:ec2/eip:Eip", CLOUD, "public IPv4 address hours", _public_ipv4, _region),
    Priced("aws:lb/loadBalancer:LoadBalancer", CLOUD, "load balancer hours and capacity units", _load_balancer,
           _region),
    Priced("aws:alb/loadBalancer:LoadBalancer", CLOUD, "load balancer hours and capacity units", _load_balancer,
           _region),
    # Storage: the Terraform AWS provider's `ForceNew` fields of each resource.
    Storage("aws:fsx/lustreFileSystem:LustreFileSystem", CLOUD, "FSx for Lustre",
            "FSx for Lustre storage/throughput", _fsx, _fsx_lines,
            replace_inputs=("deploymentType", "driveCacheType", "exportPath", "importPath", "kmsKeyId",
                            "securityGroupIds", "storageType", "subnetIds"),
            # `aws_fsx_lustre_file_system` CustomizeDiff: ForceNew when storage_capacity decreases (FSx
            # cannot shrink a file system); the hot tier is sized from the GPUs it feeds, so fewer GPUs
            # can shrink it.
            replace_if_decreased=("storageCapacity",)),
    Storage("aws:s3/bucket:Bucket", CLOUD, "S3", _S3, _s3, _s3_lines, replace_inputs=("bucket", "bucketPrefix")),
    Storage("aws:s3/bucketV2:BucketV2", CLOUD, "S3", _S3, _s3, _s3_lines, replace_inputs=("bucket", "bucketPrefix")),
    Storage("aws:efs/fileSystem:FileSystem", CLOUD, "EFS", "EFS storage; no price in the catalog", _efs,
            replace_inputs=("availabilityZoneName", "creationToken", "encrypted", "kmsKeyId", "performanceMode")),
    Storage(EBS_VOLUME, CLOUD, "EBS", "EBS volume storage and provisioned IOPS/throughput", _ebs, _ebs_lines,
            replace_inputs=("availabilityZone", "encrypted", "kmsKeyId", "snapshotId")),
    BucketLifecycle("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
    BucketLifecycle("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"),
    *billable_readers(CLOUD, BILLABLE),
    *free_readers(CLOUD, FREE),
]


# --- multi-language components (pulumi-eks 4, pulumi-awsx 3) ------------------------------------------
# The offline preview does not construct their children (their provider plugins would). Their
# capacity is read from their own inputs, with the component's documented defaults; everything else
# they create is left unassessed, and said so.

NOT_EXPANDED_NOTE = "its other children (control plane, networking, IAM…) are not expanded offline: their cost is unknown"


def _eks_defaults(view: ResourceView, key: str, default: Any, notes: dict[str, str], what: str) -> Any:
    """A pulumi-eks input, or the component's documented default when it is not set."""
    if key in view.inputs:
        return get_known(view.inputs, key)
    notes[what] = f"pulumi-eks default {key}={default!r}"
    return default


class _EksComponent(ResourceReader):
    cloud = CLOUD
    is_capacity = True
    provider_package = "aws"  # the component's children run on the aws provider


class EksCluster(_EksComponent):
    """`eks.Cluster`: its default node group (instanceType × desiredCapacity), unless skipped."""

    type = "eks:index:Cluster"

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity | None:
        if any(get_known(view.inputs, key) is True for key in ("skipDefaultNodeGroup", "fargate")) or \
                get_known(view.inputs, "autoMode", "enabled") is True:
            return None
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        itype = _eks_defaults(view, "instanceType", "t3.medium", notes, "instance_type")
        nodes = count(_eks_defaults(view, "desiredCapacity", 2, notes, "nodes"))
        notes["not_expanded"] = "default node group read from the component's inputs; " + NOT_EXPANDED_NOTE
        spot = known(view.inputs.get("spotPrice")) and view.inputs.get("spotPrice") is not None
        return Capacity(CLOUD, get_known(view.provider_inputs, "region"), itype, nodes, "spot" if spot else "on-demand",
                        hours, util, notes)

    def billable_reason(self, view: ResourceView) -> str | None:
        return "EKS control plane is billed per cluster-hour; no price in the catalog; " + NOT_EXPANDED_NOTE

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(whole(value_at(inputs, "minSize")) if "minSize" in inputs else 1,
                       whole(value_at(inputs, "maxSize")) if "maxSize" in inputs else 2, "minSize", "maxSize")


class EksNodeGroup(_EksComponent):
    """`eks.NodeGroup` / `eks.NodeGroupV2`: a self-managed group (instanceType × desiredCapacity)."""

    def __init__(self, type_: str) -> None:
        self.type = type_

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "labels"))
        itype = _eks_defaults(view, "instanceType", "t3.medium", notes, "instance_type")
        nodes = count(_eks_defaults(view, "desiredCapacity", 2, notes, "nodes"))
        notes["not_expanded"] = "read from the component's inputs; " + NOT_EXPANDED_NOTE
        spot = view.inputs.get("spotPrice") is not None
        return Capacity(CLOUD, get_known(view.provider_inputs, "region"), itype, nodes, "spot" if spot else "on-demand",
                        hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return _present(("instanceType", value_at(inputs, "instanceType")))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return Scaling(whole(value_at(inputs, "minSize")) if "minSize" in inputs else 1,
                       whole(value_at(inputs, "maxSize")) if "maxSize" in inputs else 2, "minSize", "maxSize")


class EksManagedNodeGroup(_EksComponent):
    """`eks.ManagedNodeGroup`: an EKS managed node group, read as `aws.eks.NodeGroup` is."""

    type = "eks:index:ManagedNodeGroup"
    _node_group = NodeGroup()

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        notes: dict[str, str] = {}
        inputs = dict(view.inputs)
        if "instanceTypes" not in inputs:
            inputs["instanceTypes"] = ["t3.medium"]
            notes["instance_type"] = "pulumi-eks default instanceTypes=['t3.medium']"
        if "scalingConfig" not in inputs:
            inputs["scalingConfig"] = {"desiredSize": 2, "minSize": 1, "maxSize": 2}
            notes["nodes"] = "pulumi-eks default scalingConfig.desiredSize=2"
        cap = self._node_group.capacity(ResourceView(view.urn, NODE_GROUP, inputs, view.provider_inputs), graph)
        notes = {**cap.notes, **notes, "not_expanded": "read from the component's inputs; " + NOT_EXPANDED_NOTE}
        return Capacity(cap.cloud, cap.region, cap.instance_type, cap.nodes, cap.capacity_type, cap.hours,
                        cap.utilization, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return self._node_group.instance_types(inputs)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return self._node_group.scaling(inputs)


class AwsxVpc(ResourceReader):
    """`awsx.ec2.Vpc`: its NAT gateways, by strategy (default: one per availability zone when it has
    private and public subnets, the default subnets; 3 zones unless told)."""

    type = "awsx:ec2:Vpc"
    cloud = CLOUD
    provider_package = "aws"

    def billable_reason(self, view: ResourceView) -> str | None:
        strategy = value_at(view.inputs, "natGateways", "strategy")
        zones = get_known(view.inputs, "availabilityZoneNames")
        n_zones = len(zones) if isinstance(zones, list) else count(get_known(view.inputs, "numberOfAvailabilityZones")) or 3
        if is_unknown(strategy):
            gateways = "NAT gateways (strategy not known at preview)"
        elif strategy == "None":
            return "its children (subnets, gateways, VPC endpoints) are not expanded offline: their cost is unknown"
        elif strategy == "Single":
            gateways = "1 NAT gateway (strategy Single)"
        else:
            gateways = f"{n_zones} NAT gateways ({strategy or 'OnePerAz, the default'})"
        return f"{gateways}: hours and data; no price in the catalog; its other children are not expanded offline"


# Capacity that may run in an On-Demand Capacity Reservation, by type (CapacityReservation).
_LAUNCHED: dict[str, ResourceReader] = {r.type: r for r in READERS if isinstance(r, _Launched) and r.type != SPOT_INSTANCE}

READERS += [EksCluster(), EksNodeGroup("eks:index:NodeGroup"), EksNodeGroup("eks:index:NodeGroupV2"),
            EksManagedNodeGroup(), AwsxVpc()]
