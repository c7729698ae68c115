"""Values shaped by the provider SDK's own declared types: does a value fit, and what stands in for
a value nobody can know offline.

The engine hands a program outputs the provider computed. Offline, outputs echo the inputs and
lookups are answered from what the program asked; where such an answer does not fit the type the
SDK declares for it (azure-native's `userAssignedIdentities` is a list of ids as input, a map as
output; `getAmi(most_recent="true")` echoes a string where the result is a bool) the SDK would
raise in the program. Such values become unknown, as the engine's preview would leave them.
"""

from __future__ import annotations

import collections.abc
import enum
import re
import sys
import types
import typing
from typing import Any

from gpufleet import pulumi_private as sdk

# Placeholders stop here: output types can refer to themselves.
_MAX_DEPTH = 4
PLACEHOLDER_SUFFIX = "looked-up-offline"


def _members(typ: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(typ) in (typing.Union, types.UnionType):
        return typing.get_args(typ)
    return None


def fits(value: Any, typ: Any, depth: int = 0) -> bool:
    """Whether the SDK would accept wire value `value` (secrets unwrapped or not) for type `typ`."""
    if value is None or value == sdk.UNKNOWN or sdk.is_resource_reference(value) or depth > _MAX_DEPTH * 4:
        return True
    if sdk.is_secret(value):
        return fits(value.get("value"), typ, depth)
    members = _members(typ)
    if members is not None:
        return any(fits(value, member, depth) for member in members if member is not type(None))
    origin = typing.get_origin(typ) or typ
    if typ is Any or not isinstance(origin, type):
        return True
    if issubclass(origin, bool):
        return isinstance(value, bool)
    if issubclass(origin, (int, float)) and not issubclass(origin, enum.Enum):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if issubclass(origin, str):
        return isinstance(value, str)
    if sdk.is_output_type(origin):
        if not isinstance(value, dict):
            return False
        declared = sdk.output_property_types(origin)
        return all(fits(item, declared[key], depth + 1) for key, item in value.items() if key in declared)
    if issubclass(origin, collections.abc.Mapping):
        args = typing.get_args(typ)
        return isinstance(value, dict) and (not args or all(fits(v, args[1], depth + 1) for v in value.values()))
    if issubclass(origin, collections.abc.Sequence):
        args = typing.get_args(typ)
        return isinstance(value, list) and (not args or all(fits(v, args[0], depth + 1) for v in value))
    return True


def fitted(values: dict[str, Any], declared: dict[str, Any], misfit: Any = sdk.UNKNOWN) -> dict[str, Any]:
    """`values` (wire names) with each value its declared type would reject replaced by `misfit`
    (unknown for resource outputs, None for lookup results); None values are dropped."""
    out = {key: value if key not in declared or fits(value, declared[key]) else misfit for key, value in values.items()}
    return {key: value for key, value in out.items() if value is not None}


def placeholder(typ: Any, name: str, depth: int = 0) -> Any:
    """A stand-in for a looked-up value of type `typ`: strings say they were looked up offline, a
    list holds one item, an object has every property; numbers and booleans are left out (None: a
    number made up here could end up in an estimate; the SDK takes no unknowns in a result)."""
    members = _members(typ)
    if members is not None:
        typ = next((m for m in members if m is not type(None)), Any)
    origin = typing.get_origin(typ) or typ
    if depth > _MAX_DEPTH or typ is Any or not isinstance(origin, type):
        return None
    if issubclass(origin, enum.Enum) or issubclass(origin, (bool, int, float)):
        return None
    if issubclass(origin, str):
        return f"{name}-{PLACEHOLDER_SUFFIX}"
    if sdk.is_output_type(origin):
        properties = {key: placeholder(item, _snake(key), depth + 1) for key, item in sdk.output_property_types(origin).items()}
        return {key: value for key, value in properties.items() if value is not None}
    if issubclass(origin, collections.abc.Mapping):
        return {}
    if issubclass(origin, collections.abc.Sequence):
        args = typing.get_args(typ)
        item = placeholder(args[0] if args else Any, name, depth + 1)
        return [] if item is None else [item]
    return None


def _python_module(package: str, module: str) -> str:
    """The generated SDK module of a token's module part: ("aws", "ec2/getAmi") -> "pulumi_aws.ec2"."""
    root = "pulumi_" + package.replace("-", "_")
    first = module.split("/", 1)[0]
    return root if first in ("index", "") else f"{root}.{first}"


def invoke_result_type(token: str) -> type | None:
    """The `@output_type` class the SDK builds an invoke's result into ("aws:ec2/getAmi:getAmi" ->
    `pulumi_aws.ec2.GetAmiResult`), or None when no loaded SDK module declares it.

    Only modules the program has already loaded are read: lookups are answered on the engine's
    threads, and the SDKs load their modules lazily, which is not safe from two threads at once
    (the program, calling the function, has loaded its module)."""
    parts = token.split(":")
    if len(parts) != 3:
        return None
    package, module, function = parts
    python_module = sys.modules.get(_python_module(package, module))
    if type(python_module) is not types.ModuleType:  # absent, or lazily loaded and not yet run
        return None
    result = getattr(python_module, function[:1].upper() + function[1:] + "Result", None)
    return result if sdk.is_output_type(result) else None


def shaped_answer(result_type: type, args: dict[str, Any]) -> dict[str, Any]:
    """A lookup answer with every property of `result_type`: the program's own arguments where they
    fit, placeholders elsewhere."""
    declared = sdk.output_property_types(result_type)
    answer = {}
    for key, typ in declared.items():
        given = args.get(key)
        answer[key] = given if given is not None and fits(given, typ) else placeholder(typ, _snake(key))
    return {key: value for key, value in answer.items() if value is not None}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
