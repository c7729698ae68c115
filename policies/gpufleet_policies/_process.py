"""The pack's own process (`python -m pulumi.policy`, started by the engine for one preview)."""

import gc
import hashlib
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


# sha256 of pulumi_policy/policy.py 1.21.0 (pyproject.toml and policies/requirements.txt pin that version),
# the file `parse_each_message_once` was checked against.
UPSTREAM_POLICY_PY = "f16bf20d4462d17f10f826be635abbc1ac0c67f9cf89abc280180c97fa5d7a1d"


def parse_each_message_once() -> bool:
    """pulumi-policy's servicer converts a request's properties to a dict (`json_format.MessageToDict`)
    once per policy: 8 times per resource in `Analyze`, and every resource 14 times in `AnalyzeStack`
    (with its provider's each time), about half of what the pack's process spends on a preview. In the
    pack's process, each distinct properties message is converted once; equal messages get the same dict.

    What the policies see does not change. In pulumi-policy 1.21.0 these dicts go into
    `deserialize_properties`, which builds new dicts and lists from them (never modifying them), so each
    policy still gets objects of its own; and into `Configure`'s stored configuration, which policies get
    as copies and gpufleet's policies only read. A message's bytes (`SerializeToString()`, written in the
    order its fields are held) are the key: equal bytes, equal fields in the same order, so an equal dict
    with its keys in the same order. Applied only to the exact `policy.py` it was checked against (its
    sha256; a different pulumi-policy leaves the stock conversion in place, and
    tests/policies/test_pack_process.py fails until it is checked again); True when applied. The pack's
    process lives for one preview, so the dicts are kept until it ends. Never called in-process (the fast
    path already deserialises each request once)."""
    from pulumi_policy import policy

    source = Path(policy.__file__)
    if policy.json_format is not json_format or not source.is_file() or \
            hashlib.sha256(source.read_bytes()).hexdigest() != UPSTREAM_POLICY_PY:
        return False
    policy.json_format = _ParsedOnce()
    return True


class _ParsedOnce(types.SimpleNamespace):
    """`json_format` as pulumi-policy's `policy` module sees it, converting each distinct `Struct` once."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[bytes, dict[str, Any]] = {}

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - json_format's name
        if type(message) is not struct_pb2.Struct or args or kwargs:
            return json_format.MessageToDict(message, *args, **kwargs)
        key = message.SerializeToString()
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parsed[key] = json_format.MessageToDict(message)
        return parsed

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)
