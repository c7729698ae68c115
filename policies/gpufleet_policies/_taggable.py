"""Which resource types take tags: those whose provider SDK class has a `tags` input.

Decided per type token from the installed SDK (pulumi-aws, pulumi-azure-native), cached. The SDK
modules are slow to import (0.1–0.5 s each), so the class's source file is read first and its
`_internal_init` signature searched for a `tags` parameter; the import is the fallback.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import re
from pathlib import Path

SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}
_SIGNATURE = re.compile(r"def _internal_init\(__self__,(?P<params>.*?)\):", re.S)
_TAGS_PARAM = re.compile(r"^\s*tags\s*:", re.M)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@functools.cache
def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _from_source(package: str, module: str, file_stem: str) -> bool | None:
    root = _package_dir(package)
    if root is None:
        return None
    path = root / module / f"{file_stem}.py" if module != "index" else root / f"{file_stem}.py"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    match = _SIGNATURE.search(text)
    return bool(_TAGS_PARAM.search(match["params"])) if match else None


def _from_import(package: str, module: str, class_name: str) -> bool:
    try:
        mod = importlib.import_module(package if module == "index" else f"{package}.{module}")
        cls = getattr(mod, class_name)
        return "tags" in inspect.signature(cls._internal_init).parameters
    except (ImportError, AttributeError, TypeError, ValueError):
        return False


@functools.cache
def is_taggable(type_token: str) -> bool:
    """True when resources of `type_token` take a `tags` input (providers, stacks, components: no)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] not in SDK_PACKAGES:
        return False
    package = SDK_PACKAGES[parts[0]]
    module, _, file_token = parts[1].partition("/")
    class_name = parts[2]
    found = _from_source(package, module, _snake(file_token or class_name))
    if found is None and file_token:
        found = _from_source(package, module, _snake(class_name))
    return found if found is not None else _from_import(package, module, class_name)
