"""Where a resource type carries its owner tags: AWS and Azure `tags`, GCP `labels`.

Decided per type token from the installed SDK (pulumi-aws, pulumi-azure-native, pulumi-gcp), cached.
The SDK modules are slow to import (0.1–0.5 s each), so the class's source file is read first and its
`_internal_init` signature searched for the parameter; the import is the fallback.

GCP has no `tags` in this sense: its `tags` are network tags (a list of strings on instances). Owner
metadata is `labels`, on a GKE cluster `resource_labels`, and on a GKE node pool the GCE labels of
its nodes (`node_config.resource_labels`): a node pool has no labels of its own.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from pathlib import Path

from gpufleet.pulumi_private import init_parameters, init_parameters_in_source

SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}
# The input that holds owner metadata, by package: (parameter, its wire name), first found wins.
_OWNER_FIELDS = {
    "aws": (("tags", "tags"),),
    "azure-native": (("tags", "tags"),),
    "gcp": (("labels", "labels"), ("resource_labels", "resourceLabels")),
}
# Types whose owner metadata sits in a nested input rather than a parameter of their own.
_NESTED = {"gcp:container/nodePool:NodePool": ("nodeConfig", "resourceLabels")}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@functools.cache
def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _params_from_source(package: str, module: str, file_stem: str) -> set[str] | None:
    root = _package_dir(package)
    if root is None:
        return None
    path = root / module / f"{file_stem}.py" if module != "index" else root / f"{file_stem}.py"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    params = init_parameters_in_source(text)
    return None if params is None else set(params)


def _params_from_import(package: str, module: str, class_name: str) -> set[str]:
    try:
        mod = importlib.import_module(package if module == "index" else f"{package}.{module}")
        cls = getattr(mod, class_name)
    except (ImportError, AttributeError):  # no such resource type in the installed SDK
        return set()
    return set(init_parameters(cls))  # a generated class without `_internal_init` fails loudly


@functools.cache
def owner_tags_path(type_token: str) -> tuple[str, ...] | None:
    """The wire path of the input that holds a resource's owner tags or labels, None when the type
    takes none (providers, stacks, components, untaggable types)."""
    if type_token in _NESTED:
        return _NESTED[type_token]
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] not in SDK_PACKAGES:
        return None
    package = SDK_PACKAGES[parts[0]]
    module, _, file_token = parts[1].partition("/")
    class_name = parts[2]
    params = _params_from_source(package, module, _snake(file_token or class_name))
    if params is None and file_token:
        params = _params_from_source(package, module, _snake(class_name))
    if params is None:
        params = _params_from_import(package, module, class_name)
    return next(((wire,) for param, wire in _OWNER_FIELDS[parts[0]] if param in params), None)


def is_taggable(type_token: str) -> bool:
    """True when resources of `type_token` take owner tags (AWS/Azure `tags`, GCP labels)."""
    return owner_tags_path(type_token) is not None
