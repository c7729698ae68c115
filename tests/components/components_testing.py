"""Shared test helpers: owner tags, where a resource type takes them (read from the provider SDK:
AWS and Azure `tags`, GCP `labels`, OCI `freeform_tags`), and the resources a recorded program declared."""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

from gpufleet.offline import ProgramRun, RecordedResource
from gpufleet.pulumi_private import init_parameters
from gpufleet.offline.runner import PROVIDER_TYPE_PREFIX, STACK_TYPE

TAGS = {"team": "ml-platform", "cost-center": "cc-4012", "environment": "test"}
REQUIRED_TAGS = ("team", "cost-center", "environment")
_SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp", "oci": "pulumi_oci",
                 "coreweave": "pulumi_coreweave"}
# The SDK parameter that holds owner tags, and its wire name; GCP `tags` are network tags, not owners.
_OWNER_PARAMS = {"aws": (("tags", "tags"),), "azure-native": (("tags", "tags"),),
                 "gcp": (("labels", "labels"), ("resource_labels", "resourceLabels")),
                 "oci": (("freeform_tags", "freeformTags"),), "coreweave": (("tags", "tags"),)}
# A GKE node pool has no labels of its own: its nodes' GCE labels are its owner labels.
_NESTED = {"gcp:container/nodePool:NodePool": ("nodeConfig", "resourceLabels")}


@functools.cache
def owner_tags_path(type_token: str) -> tuple[str, ...] | None:
    """Where resources of `type_token` carry owner tags (wire names), None when they take none."""
    if type_token in _NESTED:
        return _NESTED[type_token]
    package, module, name = type_token.split(":")
    if package not in _SDK_PACKAGES:
        return None
    # SDK submodules are lower case ("oci:ContainerEngine/cluster:Cluster" is pulumi_oci.containerengine);
    # "index" types are at the SDK's top level ("coreweave:index/cksCluster:CksCluster")
    submodule = module.split("/")[0].lower()
    sdk = importlib.import_module(_SDK_PACKAGES[package] + ("" if submodule == "index" else f".{submodule}"))
    params = init_parameters(getattr(sdk, name))
    return next(((wire,) for param, wire in _OWNER_PARAMS[package] if param in params), None)


def taggable(type_token: str) -> bool:
    """True when the SDK's resource class for `type_token` ("aws:s3/bucket:Bucket") takes owner tags."""
    return owner_tags_path(type_token) is not None


def owner_tags(resource) -> dict:
    value = resource.inputs
    for key in owner_tags_path(resource.type) or ():
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def missing_owner_tags(resources) -> list[str]:
    """Names of taggable custom resources without team, cost-center and environment tags (labels)."""
    return [r.name for r in resources
            if not r.type.startswith(("pulumi:", "gpufleet:")) and taggable(r.type)
            and any(not owner_tags(r).get(key) for key in REQUIRED_TAGS)]


@dataclass
class Declared:
    """What a program declared under `gpufleet.offline.record`, as the component tests read it.

    `resources` are the program's own, in construction order: the root stack and the engine's
    default providers (unparented, unlike any provider a program constructs) are left out, so a
    program that declares nothing has no resources. `run` keeps everything the engine recorded.
    Inputs are the wire values: secrets stay wrapped, numbers are floats (`16.0 == 16`).
    """

    run: ProgramRun

    @property
    def resources(self) -> list[RecordedResource]:
        return [r for r in self.run.resources
                if r.type != STACK_TYPE and not (r.type.startswith(PROVIDER_TYPE_PREFIX) and r.parent is None)]

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> RecordedResource:
        found = self.of_type(type_)
        assert len(found) == 1, f"{len(found)} resources of type {type_}"
        return found[0]

    def named(self, name: str) -> RecordedResource:
        return next(r for r in self.resources if r.name == name)

    def children(self, parent: RecordedResource) -> list[tuple[str, str]]:
        """(type, name) of the direct children of `parent`, sorted."""
        return sorted((r.type, r.name) for r in self.resources if r.parent == parent.urn)
