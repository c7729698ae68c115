"""Shared test helpers: owner tags, and whether a resource type takes tags (read from the provider SDK)."""

from __future__ import annotations

import functools
import importlib
import inspect

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
    return "tags" in inspect.signature(getattr(sdk, name)._internal_init).parameters


def missing_owner_tags(resources) -> list[str]:
    """Names of taggable custom resources without team, cost-center and environment tags."""
    return [r.name for r in resources
            if not r.type.startswith(("pulumi:", "gpufleet:")) and taggable(r.type)
            and any(not (r.inputs.get("tags") or {}).get(key) for key in REQUIRED_TAGS)]
