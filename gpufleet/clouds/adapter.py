"""What a cloud adapter is: one object per cloud that owns everything cloud-specific.

The adapter itself is the low half every layer may use: its resource readers, its product facts as
data, its preflight rules (pure functions of plans) and how placement reads its reservations. The
cloud's Pulumi half (declaring resources and providers) lives in its `declare` module, which only the
components import (`CloudAdapter.declarer()`). See docs/clouds.md for adding a cloud.
"""

from __future__ import annotations

import enum
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TYPE_CHECKING

from gpufleet.clouds.file_systems import FileSystemProduct
from gpufleet.clouds.offline import Answer, ProviderConfig
from gpufleet.clouds.tagging import sdk_owner_tags_path
from gpufleet.errors import Problem
from gpufleet.readers.base import ResourceReader

if TYPE_CHECKING:  # plans are the components' (preflight takes them): not imported by a preview
    from gpufleet.catalog.model import InstanceType
    from gpufleet.clouds.plans import NodeGroupPlan, StoragePlan


class Feature(enum.Enum):
    """What a cloud adapter may not provide, under a stable key (`Feature.SPOT_MAX_PRICE.value`).
    Closed: a new feature is a new member here, documented in docs/components.md."""

    COMPONENTS = "components"
    FABRIC_UNKNOWN_INTERFACE_COUNT = "fabric-unknown-interface-count"
    SPOT_MAX_PRICE = "spot-max-price"
    DEVICE_PLUGINS = "device-plugins"
    FABRIC_IN_PODS = "fabric-in-pods"
    INTERNET_EGRESS = "internet-egress"
    ARM64_GPU_HOSTS = "arm64-gpu-hosts"
    ZONE_EXISTENCE_CHECK = "zone-existence-check"
    ZONELESS_REGIONS = "zoneless-regions"
    HOT_TIER_OBJECT_LINK = "hot-tier-object-link"
    PRIVATE_DNS_ZONE = "private-dns-zone"
    PLACEMENT_GROUP_WITH_RESERVATION = "placement-group-with-reservation"
    HOST_DISK_ENCRYPTION = "host-disk-encryption"
    FABRIC_SECURITY_GROUP = "fabric-security-group"
    FILE_SYSTEM_SECURITY_GROUP = "file-system-security-group"
    PROXIMITY_PLACEMENT_GROUPS = "proximity-placement-groups"
    OBJECT_CONTAINER = "object-container"
    FABRIC_NETWORKS = "fabric-networks"
    SCALE_TO_ZERO = "scale-to-zero"
    SPOT_CAPACITY = "spot-capacity"
    OBJECT_STORAGE_CLASSES = "object-storage-classes"
    NETWORK = "network"
    CONTROL_PLANE = "control-plane"
    STORAGE_TIERS = "storage-tiers"
    FABRIC = "fabric"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    Feature.COMPONENTS: "Components",
    Feature.FABRIC_UNKNOWN_INTERFACE_COUNT: "Fabric on instance types whose interface count is unknown",
    Feature.SPOT_MAX_PRICE: "Spot max price",
    Feature.DEVICE_PLUGINS: "GPU and fabric device plugins",
    Feature.FABRIC_IN_PODS: "The fabric inside Kubernetes pods",
    Feature.INTERNET_EGRESS: "Internet egress (NAT gateway)",
    Feature.ARM64_GPU_HOSTS: "Arm64 (Grace) GPU hosts",
    Feature.ZONE_EXISTENCE_CHECK: "Checking that a zone exists",
    Feature.ZONELESS_REGIONS: "Regions without availability zones",
    Feature.HOT_TIER_OBJECT_LINK: "Linking the hot tier to the object store",
    Feature.PRIVATE_DNS_ZONE: "Private DNS zone for the storage private endpoint",
    Feature.PLACEMENT_GROUP_WITH_RESERVATION: "Placement group with a capacity reservation",
    Feature.HOST_DISK_ENCRYPTION: "Host encryption of node disks",
    Feature.FABRIC_SECURITY_GROUP: "Fabric security group (output `fabric_security_group_id`)",
    Feature.FILE_SYSTEM_SECURITY_GROUP: "File system security group (output `file_system_security_group_id`)",
    Feature.PROXIMITY_PLACEMENT_GROUPS: "Network-level placement groups (output `proximity_placement_group_ids`)",
    Feature.OBJECT_CONTAINER: "Object container (output `object_container_name`)",
    Feature.FABRIC_NETWORKS: "Networks per GPU NIC (output `fabric_network_configs`)",
    Feature.SCALE_TO_ZERO: "Scaling a node group to zero (`scale_to_zero`)",
    Feature.SPOT_CAPACITY: "Spot capacity (`capacity_type: spot`)",
    Feature.OBJECT_STORAGE_CLASSES: "Moving objects to colder storage classes",
    Feature.NETWORK: "Network and subnets (outputs `network_id`, `node_subnet_ids`, `control_plane_subnet_ids`)",
    Feature.CONTROL_PLANE: "Kubernetes control plane (outputs `cluster_id`, `kubeconfig`)",
    Feature.STORAGE_TIERS: "Storage tiers (hot file system and object store)",
    Feature.FABRIC: "GPU fabric setup (placement groups, fabric security groups and networks)",
}


@dataclass(frozen=True)
class ReservationScope:
    """Where a reservation's capacity can be, for placement: a region of the cloud (None: any), or
    nowhere (`possible` False) when its zone names no region; with the words the placement shows."""

    region: str | None
    allowed: str  # "in aws us-west-2 (reservation zone us-west-2b)"
    label: str  # "reservation in aws us-west-2"
    possible: bool = True
    field: str = "reservation"  # the part of the reservation that decides: "reservation.zone"


class CloudAdapter:
    """A cloud, as gpufleet knows it. Subclasses set the class attributes and override what applies;
    the registry holds one instance per cloud (`gpufleet.clouds.register`)."""

    name: str = ""
    """The cloud's name in the catalog, fleet configs and estimates ("aws")."""
    title: str = ""
    """How documents and messages name it ("AWS")."""
    packages: tuple[str, ...] = ()
    """The type-token packages of the cloud's providers ("aws" of "aws:s3/bucket:Bucket")."""
    readers: tuple[ResourceReader, ...] = ()
    """One reader per resource type of the cloud's provider that gpufleet reads."""
    gpu_type_pattern: str | None = None
    """Instance type names of the cloud's GPU families (a regex matched at the start), for types the
    catalog does not list."""
    declare_module: str | None = None
    """The module that declares the cloud's resources (see `Declarer` in components/declarer.py);
    None: the components do not build on this cloud (`Feature.COMPONENTS` says why)."""
    unsupported: Mapping[Feature, str] = {}
    """What the cloud's components do not provide, and why (preflight quotes it when it refuses)."""
    reservation_kinds: tuple[str, ...] = ()
    file_system: FileSystemProduct | None = None
    """The hot tier's parallel file system product."""
    scope_inputs: tuple[str, ...] = ()
    """References every part of a cluster takes on this cloud (Azure: `resource_group_name`)."""
    node_image_has_gpu_driver: bool = False
    """True when the cloud's GPU node image carries the NVIDIA driver: the GPU software stack then adds the
    NVIDIA device plugin only, else the NVIDIA GPU operator (which installs the driver)."""
    runs_gpu_device_plugin: bool = False
    """True when the cloud runs the NVIDIA device plugin on its GPU nodes itself (GKE): the GPU software
    stack then adds neither the device plugin nor the GPU operator."""
    sdk_modules: Mapping[str, str] = {}
    """The Python SDK of each of `packages`, read for which resource types take owner tags."""
    owner_fields: tuple[tuple[str, str], ...] = (("tags", "tags"),)
    """(SDK parameter, wire name) of the inputs that hold owner tags; the first a type takes wins."""
    owner_tags_paths: Mapping[str, tuple[str, ...]] = {}
    """Where owner tags sit for types the SDK cannot tell (nested inputs; clouds without an SDK): wire paths."""
    owner_tag_rules: str = ""
    """What the cloud accepts as owner tag values, for messages ("label values are lower-case …")."""
    provider_default_tags: tuple[str, tuple[str, ...], str] | None = None
    """(provider input, path inside it, stack config key) of the tags the cloud's provider adds to
    every resource: ("defaultTags", ("tags",), "aws:defaultTags")."""
    kubernetes_version_format: tuple[str, str] | None = None
    """(regex, what it allows) of the Kubernetes version the cloud's cluster takes (`GpuCluster`'s
    `kubernetes_version`, a fleet candidate's); None: the components set none on this cloud."""
    hosts_sites: bool = False
    """True for the cloud of owned capacity: its regions are the stack's `sites:` (each an existing
    Kubernetes cluster), not catalog rows; its components declare no network or control plane, and the
    program's provider for a site is the site cluster's Kubernetes provider."""
    offline_answers: Mapping[str, Answer] = {}
    """Answers of the offline preview to the cloud's lookups, by invoke token: (token, args, provider
    config) -> result in wire names (gpufleet/offline/fakecloud.py asks the registry)."""

    def preview_state(self, type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str) -> dict:
        """Outputs a preview knows of a resource beyond its inputs (an Azure `name`; the ARN of an AWS
        resource read by id, `read_id`)."""
        return {}

    def is_gpu_type_name(self, name: str) -> bool:
        return self.gpu_type_pattern is not None and re.match(self.gpu_type_pattern, name) is not None

    def owner_tags_path(self, type_token: str) -> tuple[str, ...] | None:
        """The wire path of the input holding a resource's owner tags, None when the type takes none."""
        if type_token in self.owner_tags_paths:
            return self.owner_tags_paths[type_token]
        sdk = self.sdk_modules.get(type_token.split(":", 1)[0])
        return None if sdk is None else sdk_owner_tags_path(sdk, self.owner_fields, type_token)

    def declarer(self) -> ModuleType:
        """The cloud's Pulumi half, imported on first use (only components declare)."""
        if self.declare_module is None:
            raise LookupError(f"cloud {self.name!r} declares no components")
        return importlib.import_module(self.declare_module)

    # --- preflight rules (pure: plans in, problems out) ---------------------------------------------

    def default_zone(self, region: str) -> str:
        raise NotImplementedError

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        raise NotImplementedError

    def tag_problems(self, path: str, tags: Mapping[str, object]) -> list[Problem]:
        """Owner tags this cloud cannot carry as they are (beyond the rules every cloud shares)."""
        return []

    def kubernetes_version_problem(self, path: str, value: object) -> Problem | None:
        """A Kubernetes version the cloud's cluster does not take as written (`kubernetes_version_format`)."""
        if self.kubernetes_version_format is None:
            return Problem(path, f"{self.title or self.name}: gpufleet declares no cluster there, so it sets no "
                                 "Kubernetes version", value)
        pattern, allowed = self.kubernetes_version_format
        if isinstance(value, str) and re.fullmatch(pattern, value):
            return None
        return Problem(path, f"not a Kubernetes version {self.title or self.name} takes", value, (allowed,))

    def argument_problems(self, path: str, args: Mapping[str, Any]) -> list[Problem]:
        """What the cloud refuses in a `GpuCluster`'s or `GpuNodeGroup`'s own arguments (OCI: a Kubernetes
        version that is not exact)."""
        return []

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]:
        return []

    def type_refusal(self, instance: InstanceType) -> str | None:
        """Why the cloud's components cannot declare a node group of `instance` at all (None: they can):
        `node_group_problems` refuses it with this reason, so placement leaves the type out."""
        return None

    def attaches_fabric(self, instance: InstanceType) -> bool:
        """Whether the cloud's components attach `instance`'s high-bandwidth fabric: `node_group_problems`
        refuses `enable_fabric` on the others, so placement offers a workload that asks for the fabric only
        these (`high_bandwidth_fabric`)."""
        return instance.high_bandwidth

    def storage_problems(self, plan: StoragePlan, path: str) -> list[Problem]:
        return []

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        """The references `component` needs on this cloud for `plan` (beyond the generic ones)."""
        return ()

    # --- stacks gpufleet writes itself (a task's) -------------------------------------------------------

    def stack_config(self, path: str, environ: Mapping[str, str]) -> tuple[dict[str, str], list[Problem]]:
        """The provider settings a stack gpufleet creates (a task's) must carry on this cloud, taken from
        the environment its provider reads anyway, and a problem (at `path`) for each one missing."""
        return {}, []

    # --- placement ------------------------------------------------------------------------------------

    def reservation_scope(self, kind: str, zone: str) -> ReservationScope:
        """Where capacity of a reservation of `kind` (one of `reservation_kinds`) in `zone` can be."""
        return ReservationScope(None, f"on {self.name}", f"reservation on {self.name}")
