"""The pack's own process (`python -m pulumi.policy`, started by the engine for one preview)."""

from __future__ import annotations

import gc
import hashlib
import os
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
# the functions below were checked against: policy.py calls `json_format.MessageToDict`,
# `deserialize_properties`, `unknown_checking_proxy` and `_configure_runtime_settings`; deserialize.py is where
# the dicts MessageToDict returns go (and builds new containers from them, never modifying them); proxy.py
# wraps what deserialize.py built (new containers again, reading through them modifies nothing).
UPSTREAM_FILES = {
    "policy.py": "f16bf20d4462d17f10f826be635abbc1ac0c67f9cf89abc280180c97fa5d7a1d",
    "deserialize.py": "d6c752ad182116d242b667e5d6691bfe29726259c382656604aa2faa346bf2c4",
    "proxy.py": "7c369f060299e8739013f9aa70bc9becd3257a7b40f9c9dc12167c48fa4b3d4d",
}


def parse_each_message_once() -> bool:
    """pulumi-policy's servicer converts a request's properties to a dict (`json_format.MessageToDict`)
    once per policy: 8 times per resource in `Analyze`, and every resource 14 times in `AnalyzeStack`
    (with its provider's each time), about half of what the pack's process spends on a preview. In the
    pack's process, each distinct properties message is converted once; equal messages get the same dict.

    What the policies see does not change. In pulumi-policy 1.21.0 the kept dicts go only into
    `deserialize_properties`, which builds new dicts and lists from them (never modifying them; whether
    policies then share those is `share_read_only_properties`'s business). `Configure` is the one other caller: it stores the dicts as the
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


def share_read_only_properties() -> bool:
    """pulumi-policy's servicer gives each policy objects of its own: it deserializes a resource's properties
    (`deserialize_properties`, new dicts and lists) and wraps them in unknown-checking proxies
    (`unknown_checking_proxy`, new again) once per policy, and its provider's too: 8 times per resource in
    `Analyze` and 14 times in `AnalyzeStack`, the largest part of `AnalyzeStack` once each message is parsed
    once. In the pack's process, the properties of each distinct message (a dict kept by
    `parse_each_message_once`) are deserialized and wrapped once, and every policy, in every call, gets the
    same objects, as on the in-process path (gpufleet/policy/inprocess.py): gpufleet's policies never modify
    what they read (docs/policies.md; tests/policies/test_pack_process.py proves the kept objects unchanged
    after a whole preview of the corpus). So a resource judged by `Analyze` while the program runs is not
    rebuilt by `AnalyzeStack`, and `_stack.stack_plan` finds the same objects again. Everything else is
    pulumi-policy's own: the `PolicyResource`s and their links, options, providers, configuration copies;
    `Remediate` (whose remediations may return new properties) deserializes as before. Applied only over
    `parse_each_message_once` and the exact files checked (`UPSTREAM_FILES`); True when applied."""
    from pulumi_policy import deserialize, policy, proxy

    upstream = (deserialize.deserialize_properties, proxy.unknown_checking_proxy)
    if not isinstance(policy.json_format, _ParsedOnce) or \
            (policy.deserialize_properties, policy.unknown_checking_proxy) != upstream or \
            not _is_upstream(Path(policy.__file__).parent):
        return False
    shared = _ReadOnlyProperties(policy.json_format, *upstream)
    policy.deserialize_properties = shared.deserialize_properties
    policy.unknown_checking_proxy = shared.unknown_checking_proxy
    _shared_only_among_own_policies(policy._PolicyAnalyzerServicer, shared)
    return True


def _shared_only_among_own_policies(servicer: type, shared: _ReadOnlyProperties) -> None:
    """pulumi-policy lets a policy change what it is given (its proxies take `args.props[key] = value`), and
    each policy judges objects of its own. A pack that runs a policy besides gpufleet's (a copy of `policies/`
    with an organisation's own added to its `PolicyPack`) may have one that does: with shared objects, every
    policy after it would judge the changed values (an untagged GPU instance "tagged", its type replaced). So the
    servicer shares only while every policy it runs is one of gpufleet's (`POLICIES`, which never modify what
    they read); otherwise each policy gets objects of its own, as from the stock servicer."""
    from gpufleet_policies import POLICIES

    construct = servicer.__init__

    def construct_sharing_only_own(self: Any, name: str, version: str, policies: list, *args: Any, **kwargs: Any) -> None:
        construct(self, name, version, policies, *args, **kwargs)
        own = {id(p) for p in POLICIES}
        shared.enabled = all(id(p) in own for p in policies)

    servicer.__init__ = construct_sharing_only_own


class _ReadOnlyProperties:
    """`deserialize_properties` and `unknown_checking_proxy` as pulumi-policy's `policy` module sees them:
    a dict `parsed` keeps is deserialized once, and what that gave is wrapped once."""

    def __init__(self, parsed: _ParsedOnce, deserialize: Any, wrap: Any) -> None:
        self._parsed, self._deserialize, self._wrap = parsed, deserialize, wrap
        self.enabled = True  # False while the servicer runs a policy that is not gpufleet's
        self._deserialized: dict[int, Any] = {}  # by the id of a kept dict (never freed: ids stay its own)
        self._proxies: dict[int, tuple[Any, Any]] = {}  # by the id of what was deserialized: (it, its proxy)

    def deserialize_properties(self, props: Any, proxy_secrets: bool = False) -> Any:
        if not self.enabled or proxy_secrets or not self._parsed.kept(props):  # `Remediate`'s, and what no message gave
            return self._deserialize(props, proxy_secrets)
        out = self._deserialized.get(id(props))
        if out is None:
            out = self._deserialize(props)
            self._proxies[id(out)] = (out, self._wrap(out))
            self._deserialized[id(props)] = out
        return out

    def unknown_checking_proxy(self, props: Any) -> Any:
        kept = self._proxies.get(id(props))
        if kept is not None and kept[0] is props:
            return kept[1]
        return self._wrap(props)


# The variables `_configure_runtime_settings` reads (with PULUMI_CONFIG's entries).
RUNTIME_VARIABLES = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")


def configure_runtime_once() -> bool:
    """pulumi-policy's servicer sets the Pulumi runtime's configuration and settings from the pack's
    environment at the start of every `Remediate`, `Analyze` and `AnalyzeStack` (`_configure_runtime_settings`:
    PULUMI_CONFIG parsed, `inspect.signature` of `Settings`, a new `Settings`; ~0.1 ms, 4,000 times at 1,000
    node groups). The environment is the same for the whole process, and what a call sets outlives it (gRPC
    runs each call in a new context, and the runtime's context properties keep the last value set as their
    default; its config is one shared dict): so the settings are set on the first call and again only when
    what a call would read differs from what the last one set (checked on every call: the variables, the
    project, stack, organization, dry-run flag and config as the runtime now reports them). Applied only to
    the exact files checked (`UPSTREAM_FILES`); True when applied."""
    from pulumi_policy import policy

    servicer = policy._PolicyAnalyzerServicer
    configure = servicer._configure_runtime_settings
    if getattr(configure, "__wrapped__", None) is not None or not _is_upstream(Path(policy.__file__).parent):
        return False
    from pulumi.runtime import config, settings

    def state() -> tuple[Any, ...]:
        return (tuple(os.environ.get(k) for k in RUNTIME_VARIABLES), settings.SETTINGS.project,
                settings.SETTINGS.stack, settings.SETTINGS.organization, settings.SETTINGS.dry_run, dict(config.CONFIG.get()))

    configured: list[tuple[Any, ...]] = []  # the state the last configuration left

    def configure_once(self: Any) -> None:
        if configured and state() == configured[-1]:
            return
        configure(self)
        configured[:] = [state()]

    configure_once.__wrapped__ = configure  # type: ignore[attr-defined]
    servicer._configure_runtime_settings = configure_once
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
        self._ids: dict[int, dict[str, Any]] = {}  # the same dicts by id (kept until the process ends)
        self._fresh_for = fresh_for  # the caller that keeps what it gets (`Configure`): never a shared dict

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - json_format's name
        if type(message) is not struct_pb2.Struct or args or kwargs or \
                sys._getframe(1).f_code is self._fresh_for:
            return json_format.MessageToDict(message, *args, **kwargs)
        key = message.SerializeToString()
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parsed[key] = json_format.MessageToDict(message)
            self._ids[id(parsed)] = parsed
        return parsed

    def kept(self, value: Any) -> bool:
        """Whether `value` is one of the dicts this gave out (and keeps)."""
        return self._ids.get(id(value)) is value

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)
