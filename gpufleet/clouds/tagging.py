"""Where a resource type carries its owner tags, read from its cloud's provider SDK.

A cloud adapter names its provider's Python SDK and the parameters that hold owner metadata (AWS and
Azure `tags`, GCP `labels` / `resource_labels`); this module finds, per type token, which of them the
resource class takes. Cached. The SDK modules are slow to import (0.1–0.5 s each), so the class's
source file is read first and its `_internal_init` signature searched; the import is the fallback.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from pathlib import Path

from gpufleet.pulumi_private import init_parameters, init_parameters_in_source


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@functools.cache
def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _module_dir(package: str, module: str) -> str:
    """The SDK folder of a token's module: as spelled ("s3"), else lower-cased (pulumi-oci's "Core" is core/)."""
    root = _package_dir(package)
    if root is None or module == "index" or (root / module).is_dir():
        return module
    return module.lower()


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
def sdk_owner_tags_path(sdk: str, owner_fields: tuple[tuple[str, str], ...], type_token: str) -> tuple[str, ...] | None:
    """The wire path of the first of `owner_fields` ((parameter, wire name)) the SDK class of
    `type_token` takes, None when it takes none (or the SDK has no such class)."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return None
    module, _, file_token = parts[1].partition("/")
    class_name = parts[2]
    module = _module_dir(sdk, module)
    params = _params_from_source(sdk, module, _snake(file_token or class_name))
    if params is None and file_token:
        params = _params_from_source(sdk, module, _snake(class_name))
    if params is None:
        params = _params_from_import(sdk, module, class_name)
    return next(((wire,) for param, wire in owner_fields if param in params), None)
