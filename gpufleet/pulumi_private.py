"""Every use of the Pulumi Python SDK's private API and wire-format constants, in one place.

Pinned to pulumi==3.272.0 (pyproject.toml). The offline preview imitates the engine and the language
host, which the SDK's public API does not cover: these are internals of `pulumi.runtime` and
`pulumi._types`, the generated SDKs' `_internal_init`, and the `MockMonitor` methods the offline
monitor overrides. Each one is checked when this module is imported (`_check_hooks`), so an SDK
upgrade that moves one fails at once, naming it, instead of a preview silently going wrong;
tests/test_pulumi_private.py checks how each behaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.metadata
import inspect
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import pulumi.runtime
from google.protobuf import struct_pb2
from pulumi import Alias, Output, _types
from pulumi import resource as _resource
from pulumi.runtime import resource as _runtime_resource
from pulumi.runtime import rpc, set_mocks, settings, sync_await
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import alias_pb2, resource_pb2

PINNED_SDK_VERSION = "3.272.0"

# The wire format's signatures (sdk/go/common/resource/properties.go): {SIG_KEY: <kind>, …}.
SIG_KEY = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig
RESOURCE_REFERENCE_SIG = rpc._special_resource_sig
OUTPUT_VALUE_SIG = rpc._special_output_value_sig
# What the engine sends for a value it does not know yet (preview).
UNKNOWN = rpc.UNKNOWN

# The monitor methods the offline monitor replaces; their request and response messages are public
# protobuf, but that MockMonitor dispatches each RPC to a method of this name is not.
MOCK_MONITOR_METHODS = (
    "RegisterResource", "ReadResource", "Invoke", "RegisterResourceOutputs", "GetDeploymentInfo", "RegisterStackTransform",
)
# What a real engine advertises and the mock monitor does not: the engine gates output-form invokes
# on their dependencies (the SDK then skips its client-side check).
INVOKE_DEPENDS_ON = resource_pb2.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON

# What the generated SDKs' output-form lookups (`get_ami_output(...)`) call.
OUTPUT_INVOKES = ("invoke_output", "invoke_output_single")

T = TypeVar("T")


def installed_sdk_version() -> str:
    return importlib.metadata.version("pulumi")


class SdkHookMissing(ImportError):
    """The installed Pulumi SDK lacks a private hook the offline preview relies on."""


# The Settings properties that hold a run's tasks (pending outputs, pending RPCs). Each is a `ContextProperty`
# (pulumi/_utils.py) whose first value in a context also becomes its default for every later context: a run's
# values outlive it there, and its tasks are released only when a later run sets new ones.
_RUN_STATE = ("outputs", "rpc_manager")
_DEFAULT = "_ContextProperty__default"


def _check_hooks() -> None:
    missing = [
        name
        for name, present in (
            ("pulumi.runtime.settings.ROOT", hasattr(settings, "ROOT")),
            ("pulumi.runtime.settings.SETTINGS", hasattr(settings, "SETTINGS")),
            ("pulumi.runtime.settings.Settings.outputs", hasattr(settings.Settings, "outputs")),
            *((f"pulumi.runtime.settings.Settings.{p} default", hasattr(vars(settings.Settings).get(p), _DEFAULT))
              for p in _RUN_STATE),
            ("pulumi.runtime.sync_await._sync_await", hasattr(sync_await, "_sync_await")),
            ("pulumi.runtime.resource.prepare_aliases", hasattr(_runtime_resource, "prepare_aliases")),
            ("pulumi.runtime.resource.create_alias_spec", hasattr(_runtime_resource, "create_alias_spec")),
            ("pulumi.resource.collapse_alias_to_urn", hasattr(_resource, "collapse_alias_to_urn")),
            ("pulumi._types.output_type_types", hasattr(_types, "output_type_types")),
            ("pulumi._types.resource_types", hasattr(_types, "resource_types")),
            ("pulumi._types.unwrap_optional_type", hasattr(_types, "unwrap_optional_type")),
            ("pulumi._types.is_output_type", hasattr(_types, "is_output_type")),
            ("ResourceInvokeResponse.unknown", "unknown" in resource_pb2.ResourceInvokeResponse.DESCRIPTOR.fields_by_name),
            ("ResourceInvokeRequest.dependsOn", "dependsOn" in resource_pb2.ResourceInvokeRequest.DESCRIPTOR.fields_by_name),
            *((f"MockMonitor.{m}", callable(getattr(MockMonitor, m, None))) for m in MOCK_MONITOR_METHODS),
            ("_CallbackServicer._servicers", isinstance(getattr(_CallbackServicer, "_servicers", None), list)),
            *((f"_CallbackServicer.{a}", a in _CallbackServicer.__annotations__) for a in ("_callbacks", "_loop")),
            *((f"pulumi.runtime.{f}", callable(getattr(pulumi.runtime, f, None))) for f in OUTPUT_INVOKES),
        )
        if not present
    ]
    if missing:
        raise SdkHookMissing(
            f"pulumi {installed_sdk_version()} lacks what gpufleet's offline preview uses ({', '.join(missing)}); "
            f"gpufleet is tested with pulumi=={PINNED_SDK_VERSION}"
        )


_check_hooks()


# --- running a program under a mock engine --------------------------------------------------------


def install_mocks(
    mocks: Mocks, monitor: MockMonitor, logger: logging.Logger, project: str, stack: str, root_directory: str
) -> None:
    """`set_mocks` for a whole program run in the current context, without its root stack.

    `set_mocks` registers a `Stack` itself when there is none, and `run_in_stack` then refuses to
    create the program's own ("Only one root Pulumi Stack may be active at once"). A placeholder
    root hides the first, then the slot is cleared for the second.
    """
    settings.ROOT.set(object())  # type: ignore[arg-type]
    set_mocks(mocks, project=project, stack=stack, preview=True, monitor=monitor, logger=logger, organization="organization")
    settings.ROOT.set(None)
    # MockSettings leaves these unset. `outputs` and `lock` otherwise fall back to process-wide
    # defaults shared by every run: a failed run's pending tasks would leak into the next.
    settings.SETTINGS.outputs = set()
    settings.SETTINGS.lock = threading.Lock()
    settings.SETTINGS.root_directory = root_directory


def release_run_state() -> None:
    """Empty this context's and the process-wide default's pending outputs and RPCs (`_RUN_STATE`), so that a run's
    tasks become garbage when the run ends, not inside whatever runs when a later run replaces them."""
    for name in _RUN_STATE:
        prop = vars(settings.Settings)[name]
        for state in (getattr(settings.SETTINGS, name), getattr(prop, _DEFAULT)):
            if state is not None:
                state.clear()


# Pending outputs `drain_outputs` waits for at once (see there).
_DRAIN_BATCH = 1_000


async def drain_outputs() -> None:
    """Let every output the program has created so far settle (`SETTINGS.outputs`, where `Output` tracks
    its task until it resolves), `_DRAIN_BATCH` at a time.

    The SDK's own end-of-program wait (`wait_for_rpcs`) waits for its tracked outputs a first one at a
    time, re-arming a wait on all the others each time: quadratic in their number (~71,000 at 1,000
    node groups). Waiting for all of them first, a batch at a time, leaves it nothing to wait for. Outputs
    that fail stay tracked, so the SDK's wait still raises their errors, as before."""
    import asyncio

    while True:
        with settings.SETTINGS.lock:
            pending = [task for task in settings.SETTINGS.outputs if not task.done()]
        if not pending:
            return
        # A wait adds a callback to each task it waits for and keeps them all in a set: at once, for every
        # pending output, ~45 MiB at 3,000 node groups at the run's peak of memory. In batches, a few KiB.
        for start in range(0, len(pending), _DRAIN_BATCH):
            batch = [task for task in pending[start:start + _DRAIN_BATCH] if not task.done()]
            if batch:
                await asyncio.wait(batch)



# Where the program called the output-form lookup an invoke request comes from (set by `invoke_sites`).
INVOKE_SITE: ContextVar[str | None] = ContextVar("gpufleet_invoke_site", default=None)
# How to find that place, in the context of a program run; none outside one.
_LOCATE: ContextVar[Callable[[], str | None] | None] = ContextVar("gpufleet_locate_invokes", default=None)


def _located(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        locate = _LOCATE.get()
        token = INVOKE_SITE.set(locate() if locate is not None else None)
        try:
            return original(*args, **kwargs)
        finally:
            INVOKE_SITE.reset(token)
    call.gpufleet_located = True  # type: ignore[attr-defined]
    return call


@contextmanager
def invoke_sites(locate: Callable[[], str | None]) -> Iterator[None]:
    """While active (in this context), each output-form invoke reaches the monitor with `INVOKE_SITE` =
    `locate()` at its call.

    An output-form lookup returns at once and runs its invoke in a task; if the invoke fails, the error
    surfaces with no frame of the program. The task inherits the caller's context variables (asyncio
    copies them) and so does the executor thread that calls the monitor (the SDK's `wrap_with_context`):
    a variable set around the call carries the program's position to the monitor. The SDK functions are
    wrapped once, for good: the wrapper does nothing outside a run, and a run the watchdog abandons
    (its thread never returns) leaves nothing behind that could mislead the next one.
    """
    for name in OUTPUT_INVOKES:
        current = getattr(pulumi.runtime, name)
        if not getattr(current, "gpufleet_located", False):
            setattr(pulumi.runtime, name, _located(current))
    token = _LOCATE.set(locate)
    try:
        yield
    finally:
        _LOCATE.reset(token)


def run_to_completion(awaitable: Awaitable[T]) -> T:
    """Await `awaitable` from synchronous code on the current thread's event loop (the SDK's helper)."""
    return sync_await._sync_await(awaitable)


# --- aliases without Output chains ------------------------------------------------------------------

_SDK_PREPARE_ALIASES = _runtime_resource.prepare_aliases
_SDK_COLLAPSE_ALIAS_TO_URN = _resource.collapse_alias_to_urn


async def _prepare_aliases(resource: Any, options: Any, supports_alias_specs: bool) -> list[alias_pb2.Alias]:
    """The SDK's `prepare_aliases` for a monitor that takes alias specs, with one difference: an alias
    that is already a plain `Alias` or URN string is used as it is, where the SDK first wraps each one
    in an `Output` and awaits it (which gives back the same object)."""
    if not supports_alias_specs or options is None or options.aliases is None:
        return await _SDK_PREPARE_ALIASES(resource, options, supports_alias_specs)
    aliases: list[alias_pb2.Alias] = []
    for alias in options.aliases:
        resolved = alias if isinstance(alias, (str, Alias)) else await Output.from_input(alias).future()
        if resolved is None:
            continue
        if isinstance(resolved, str):
            aliases.append(alias_pb2.Alias(urn=resolved))
        else:
            aliases.append(alias_pb2.Alias(spec=await _runtime_resource.create_alias_spec(resolved)))
    return aliases


class _AliasUrn:
    """What `collapse_alias_to_urn` returns (an alias's full URN, an `Input[str]`), computed only when
    awaited. `Resource.__init__` collapses every alias into a chain of Outputs up front, for children's
    inherited aliases; only an engine without alias specs reads them, never the recording monitor."""

    __slots__ = ("_args",)

    def __init__(self, *args: Any) -> None:
        self._args = args

    def __await__(self):
        return _SDK_COLLAPSE_ALIAS_TO_URN(*self._args).future().__await__()


@contextlib.contextmanager
def aliases_without_output_chains() -> Iterator[None]:
    """During a run, resolve aliases without a chain of Outputs per alias.

    azure-native resources declare one alias per API version (~110 for an AKS agent pool); the SDK
    passes each through its Output machinery twice (collapsing it to a URN, then resolving it for the
    request), which makes such a resource ~10× slower to register than one without aliases
    (pulumi/pulumi#10010). The requests the monitor receives carry the same aliases in the same order.
    """
    _runtime_resource.prepare_aliases = _prepare_aliases
    _resource.collapse_alias_to_urn = _AliasUrn
    try:
        yield
    finally:
        _runtime_resource.prepare_aliases = _SDK_PREPARE_ALIASES
        _resource.collapse_alias_to_urn = _SDK_COLLAPSE_ALIAS_TO_URN


# --- transforms -----------------------------------------------------------------------------------


def transform_callback(token: str) -> tuple[Callable[[bytes], Awaitable[Any]], asyncio.AbstractEventLoop] | None:
    """The program's function behind a transform callback token (`register_resource_transform`, the
    `transforms` option), and the event loop it runs on; None when no callback server of this
    process has it.

    The engine calls it through the SDK's callback server (`Callbacks.Invoke` at the callback's
    target): the same coroutine, which takes a serialized `TransformRequest` and returns a
    `TransformResponse`. Called directly, an exception in the program's transform keeps its
    traceback, so the error names the program's file and line.
    """
    for servicer in _CallbackServicer._servicers:
        function = servicer._callbacks.get(token)
        if function is not None:
            return function, servicer._loop
    return None


# --- the wire format -------------------------------------------------------------------------------


def plain(value: struct_pb2.Value | struct_pb2.Struct) -> Any:
    """A protobuf `Struct`/`Value` as plain data, exactly as sent: unknowns stay the sentinel
    string, secrets and resource references stay signature maps, numbers are floats. Unlike the
    SDK's deserializer it never rehydrates a resource reference (which would schedule a
    `getResource` on the calling thread's event loop)."""
    if isinstance(value, struct_pb2.Struct):
        return {key: plain(value.fields[key]) for key in sorted(value.fields)}
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return plain(value.struct_value)
    if kind == "list_value":
        return [plain(item) for item in value.list_value.values]
    if kind == "null_value" or kind is None:
        return None
    return getattr(value, kind)


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    """Plain wire data (as `plain` returns it) back into a protobuf `Struct`."""
    message = struct_pb2.Struct()
    message.update(value)
    return message


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def is_resource_reference(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == RESOURCE_REFERENCE_SIG


def wrap_secret(value: Any) -> dict:
    return {SIG_KEY: SECRET_SIG, "value": value}


def unwrap_secrets(value: Any) -> Any:
    """`value` with every secret wrapper replaced by what it holds."""
    if is_secret(value):
        return unwrap_secrets(value["value"])
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def contains_unknowns(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return False


# --- the generated SDKs' type metadata ------------------------------------------------------------


@functools.cache
def output_property_types(cls: type) -> dict[str, Any]:
    """Wire name -> declared type of the outputs of a resource class or an `@output_type` class
    (an invoke's result type). Cached: resolving the type hints costs ~1 ms a class; callers must
    not change the mapping."""
    if _types.is_output_type(cls):
        return dict(_types.output_type_types(cls))
    return dict(_types.resource_types(cls))


def is_output_type(cls: Any) -> bool:
    return isinstance(cls, type) and _types.is_output_type(cls)


def unwrap_optional(typ: Any) -> Any:
    return _types.unwrap_optional_type(typ)


def init_parameters(cls: type) -> frozenset[str]:
    """The Python input names a generated resource class takes (its `_internal_init` parameters)."""
    init = getattr(cls, "_internal_init", None)
    if init is None:
        raise SdkHookMissing(f"{cls.__module__}.{cls.__qualname__} has no _internal_init: not a generated Pulumi resource class")
    return frozenset(inspect.signature(init).parameters) - {"__self__", "resource_name", "opts", "__props__"}


# How the generated SDKs spell a resource class's inputs in its source; reading the source spares
# importing the module (0.1-0.5 s each).
_INTERNAL_INIT = re.compile(r"def _internal_init\(__self__,(?P<params>.*?)\):", re.S)


def init_parameters_in_source(text: str) -> frozenset[str] | None:
    """The input names of the resource class defined in generated SDK source `text`; None when it
    defines none (a module of functions or types)."""
    match = _INTERNAL_INIT.search(text)
    if match is None:
        return None
    return frozenset(re.findall(r"^\s*(\w+)\s*:", match["params"], re.M)) - {"resource_name", "opts", "__props__"}
