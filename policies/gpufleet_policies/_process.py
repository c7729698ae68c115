"""The pack's own process (`python -m pulumi.policy`, started by the engine for one preview)."""

import gc
import hashlib
import sys
import types
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2


def collector_for_one_preview() -> None:
    """pulumi-policy rebuilds every resource for every policy (tens of thousands of short-lived objects per
    `AnalyzeStack` at 1,000 node groups), so Python's cyclic collector would run hundreds of times, each time
    walking everything imported. In the pack's process it skips what exists now (frozen: the imports) and
    runs ~70× less often, as during gpufleet's own runs (gpufleet/offline/runner.py); cyclic garbage still
    goes. Never called in-process (gpufleet's fast path): the collector is that process's business."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


# sha256 of the pulumi-policy 1.21.0 files (pyproject.toml and policies/requirements.txt pin that version)
# `parse_each_message_once` was checked against: policy.py calls `json_format.MessageToDict`, deserialize.py
# is where the dicts it returns go (and builds new containers from them, never modifying them).
UPSTREAM_FILES = {
    "policy.py": "f16bf20d4462d17f10f826be635abbc1ac0c67f9cf89abc280180c97fa5d7a1d",
    "deserialize.py": "d6c752ad182116d242b667e5d6691bfe29726259c382656604aa2faa346bf2c4",
}


def parse_each_message_once() -> bool:
    """pulumi-policy's servicer converts a request's properties to a dict (`json_format.MessageToDict`)
    once per policy: 8 times per resource in `Analyze`, and every resource 14 times in `AnalyzeStack`
    (with its provider's each time), about half of what the pack's process spends on a preview. In the
    pack's process, each distinct properties message is converted once; equal messages get the same dict.

    What the policies see does not change. In pulumi-policy 1.21.0 the kept dicts go only into
    `deserialize_properties`, which builds new dicts and lists from them (never modifying them), so each
    policy still gets objects of its own. `Configure` is the one other caller: it stores the dicts as the
    policies' configuration, which each policy gets as a shallow copy, so it always gets a fresh conversion
    (a policy changing a list in its configuration must not change another policy's, nor a resource's).
    A message's bytes (`SerializeToString()`, written in the order its fields are held) are the key: equal
    bytes, equal fields in the same order, so an equal dict with its keys in the same order. Applied only
    to the exact files it was checked against (their sha256; a different pulumi-policy leaves the stock
    conversion in place, and tests/policies/test_pack_process.py fails until it is checked again); True
    when applied. The pack's process lives for one preview, so the dicts are kept until it ends. Never called in-process (the fast
    path already deserialises each request once)."""
    from pulumi_policy import policy

    if policy.json_format is not json_format or not _is_upstream(Path(policy.__file__).parent):
        return False
    policy.json_format = _ParsedOnce(fresh_for=policy._PolicyAnalyzerServicer.Configure.__code__)
    return True


def _is_upstream(package: Path) -> bool:
    for name, digest in UPSTREAM_FILES.items():
        source = package / name
        if not source.is_file() or hashlib.sha256(source.read_bytes()).hexdigest() != digest:
            return False
    return True


class _ParsedOnce(types.SimpleNamespace):
    """`json_format` as pulumi-policy's `policy` module sees it, converting each distinct `Struct` once."""

    def __init__(self, fresh_for: types.CodeType | None = None) -> None:
        super().__init__()
        self._parsed: dict[bytes, dict[str, Any]] = {}
        self._fresh_for = fresh_for  # the caller that keeps what it gets (`Configure`): never a shared dict

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - json_format's name
        if type(message) is not struct_pb2.Struct or args or kwargs or \
                sys._getframe(1).f_code is self._fresh_for:
            return json_format.MessageToDict(message, *args, **kwargs)
        key = message.SerializeToString()
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parsed[key] = json_format.MessageToDict(message)
        return parsed

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)
