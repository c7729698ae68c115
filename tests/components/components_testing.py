"""Shared test helpers: owner tags, whether a resource type takes tags (read from the provider SDK),
and the resources a recorded program declared."""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

from gpufleet.offline import ProgramRun, RecordedResource
from gpufleet.pulumi_private import init_parameters
from gpufleet.offline.runner import PROVIDER_TYPE_PREFIX, STACK_TYPE

TAGS = {"team": "ml-platform", "cost-center": "cc-4012", "environment": "test"}
REQUIRED_TAGS = ("team", "cost-center", "environment")
_SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native"}


@functools.cache
def taggable(type_token: str) -> bool:
    """True when the SDK's resource class for `type_token` ("aws:s3/bucket:Bucket") has a `tags` input."""
    package, module, name = type_token.split(":")
    if package not in _SDK_PACKAGES:
        return False
    sdk = importlib.import_module(f"{_SDK_PACKAGES[package]}.{module.split('/')[0]}")
    return "tags" in init_parameters(getattr(sdk, name))


def missing_owner_tags(resources) -> list[str]:
    """Names of taggable custom resources without team, cost-center and environment tags."""
    return [r.name for r in resources
            if not r.type.startswith(("pulumi:", "gpufleet:")) and taggable(r.type)
            and any(not (r.inputs.get("tags") or {}).get(key) for key in REQUIRED_TAGS)]


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
