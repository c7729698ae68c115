"""Run a Pulumi Python program in-process under a recording mock engine, as `pulumi preview` would.

This does what the Python language host does (see docs/PULUMI-OFFLINE.md §1): set the stack's
configuration, install a mock resource monitor, and run the program's entry file inside a root
`Stack`. The monitor records every registration with its full request (parent, provider,
dependencies, options) and stands in for the engine's default providers. Each run gets its own
thread, event loop and context, so many programs can run one after another in one process.

`run_program` runs a project's entry file as `pulumi preview` would; `record` runs a Python
callable (a test's program) under the same engine, with known made-up ids as unit-test mocks give.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import json
import logging
import os
import runpy
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2
from pulumi import ResourceTransformationArgs
from pulumi.config import ConfigMissingError, ConfigTypeError
from pulumi.runtime import register_stack_transformation, run_in_stack, set_all_config
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import alias_pb2, callback_pb2, provider_pb2, resource_pb2

from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.words import first_few
from gpufleet import pulumi_private as _sdk
from gpufleet.offline import shapes
from gpufleet.offline.fakecloud import (INVOKED_BY, LOOKUP_UNKNOWN, STACK_REFERENCE_GIVEN, STACK_REFERENCE_UNKNOWN, OfflineUnsupported,
                                        answer_invoke, resource_state, stack_reference_state)
from gpufleet.offline.project import SECRET_PLACEHOLDER, StackSettings

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
GET_RESOURCE_TOKEN = "pulumi:pulumi:getResource"  # how the SDK rehydrates a resource reference

# A program that makes no progress (no registration, lookup or log) for this long is stuck: it is
# stopped and reported with what it was waiting for. Long enough for the slowest provider SDK
# imports (azure-native modules, several seconds without bytecode).
DEFAULT_STALL_SECONDS = 60.0
_CLEANUP_SECONDS = 2.0

# The SDK awaits dependencies recursively: a linear chain of 1000 resources overflows Python's
# default limit of 1000 frames (measured; it passes at 10 000). The program runs on its own thread
# with a larger C stack, so that limit cannot overflow the C stack. (Such chains are also slow:
# the SDK's cost grows with the square of the chain's length, ~1 min for 1000.)
_RECURSION_LIMIT = 10_000
_THREAD_STACK_BYTES = 256 * 1024 * 1024

# Python's own default warning filters (`python -W` unset), as the language host runs programs:
# a test run's "warnings are errors" must not turn provider SDKs' import-time deprecations into
# program failures.
_PYTHON_DEFAULT_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    aliases: list
    id: str | None
    # A multi-language component (pulumi-eks, awsx…): the engine would have its provider construct
    # its children; offline they are not constructed.
    remote: bool = False
    # A component's providers by package (`providers=` / a parent's), which its children would use.
    providers: dict[str, str] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)  # property paths an update leaves as deployed


@dataclass
class ProgramRun:
    settings: StackSettings
    resources: list[RecordedResource]
    outputs: dict
    # `pulumi.log` messages and Python warnings: {"severity": "info"|"warning"|"error", "message": str}
    diagnostics: list[dict] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)  # the token of every invoke the program made, sorted
    # How each lookup was answered offline, by token (fakecloud.LOOKUP_*): none of it is real data.
    lookups: dict[str, str] = field(default_factory=dict)

    def by_urn(self) -> dict[str, RecordedResource]:
        return {resource.urn: resource for resource in self.resources}


class EngineRefusal(Exception):
    """A registration the Pulumi engine itself refuses, in the engine's words (pkg/resource/deploy), with the
    resource's type and name (to say where the program declared it)."""

    def __init__(self, message: str, type_: str, name: str) -> None:
        super().__init__(message)
        self.type, self.name = type_, name


class ProgramError(Exception):
    """The program failed: its own exception, or something the offline preview cannot answer.

    `message` is the program's own exception message; `kind` its exception class (None when the
    offline preview itself refused); `path` (relative to the project) and `line` point at the
    innermost frame of the user's code, when it was on the stack, never into the SDK.
    `diagnostics` are what the program logged before failing; the errors among them are part of
    the message, as the CLI prints them: a program that logs its problems and raises
    `pulumi.RunError` relies on that. `setting`: the stack setting whose absence failed a lookup
    (`gcp:project`): the stack's configuration is wrong, not the program (exit 2, not 3).
    """

    def __init__(
        self, message: str, kind: str | None, path: Path | None = None, line: int | None = None, diagnostics: list[dict] | None = None,
        setting: str | None = None,
    ) -> None:
        self.message = message
        self.setting = setting
        self.kind = kind
        self.path = path
        self.line = line
        self.diagnostics = list(diagnostics or [])
        where = f"{path}:{line}: " if path is not None else ""
        logged = [f"\n{d['message']}" for d in self.diagnostics if d["severity"] == "error"]
        super().__init__(f"{where}{kind + ': ' if kind else ''}{message}{''.join(logged)}")


def _default_provider_name(version: str) -> str:
    """The engine names default providers after the package version: default_7_51_1."""
    return f"default_{version.replace('.', '_')}" if version else "default"


# Where a provider runs, when the stack does not say: the provider plugin reads the environment
# (AWS_REGION, GOOGLE_PROJECT, …) for the engine's default provider, as the SDK's explicit `Provider`
# does. The SDK's config module names the variables: `pulumi_aws.config.region` is the stack's
# `aws:region` or else AWS_REGION/AWS_DEFAULT_REGION.
_ENVIRONMENT_SETTINGS = ("region", "project", "zone")


def environment_settings(package: str) -> dict[str, str]:
    """The provider settings of `package` its SDK reads from the environment when the stack does not
    set them (`{"region": "us-east-1"}` with AWS_REGION set)."""
    try:
        module = importlib.import_module(f"pulumi_{package.replace('-', '_')}.config")
    except ImportError:
        return {}
    values = {name: getattr(module, name, None) for name in _ENVIRONMENT_SETTINGS}
    return {name: value for name, value in values.items() if isinstance(value, str) and value}


def _package_config(settings: StackSettings, package: str) -> dict[str, Any]:
    """A package's stack configuration as its default provider's inputs: `aws:region` -> `region`,
    and what the provider would read from the environment where the stack sets none of it."""
    inputs: dict[str, Any] = {}
    for key, text in settings.config.items():
        namespace, _, name = key.partition(":")
        if namespace != package:
            continue
        value: Any = text
        if text[:1] in "[{":
            try:
                value = json.loads(text)
            except ValueError:
                pass
        inputs[name] = _sdk.wrap_secret(value) if key in settings.secret_keys else value
    for name, value in environment_settings(package).items():
        inputs.setdefault(name, value)
    return inputs


class _Watch:
    """Progress of a run, for the watchdog: when the engine last heard from the program, and what
    the program has constructed (type, name, user's file:line) in order."""

    def __init__(self) -> None:
        self.last_activity = time.monotonic()
        self.constructed: list[tuple[str, str, str | None]] = []
        self.registered: set[tuple[str, str]] = set()  # (type, name) the monitor has seen
        self.stack_outputs_registered = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stalled: str | None = None  # why the watchdog stopped the run

    def touch(self) -> None:
        self.last_activity = time.monotonic()


class _Recorder:
    """What the mock engine has seen: resources, provider configurations, stack outputs, logs."""

    def __init__(
        self, settings: StackSettings, watch: _Watch, known_ids: bool, on_resource: Callable[[int], None] | None = None,
        on_record: Callable[[RecordedResource], None] | None = None,
    ) -> None:
        self.settings = settings
        self.known_ids = known_ids
        self.on_resource = on_resource  # told the number of resources so far, for progress displays
        # Given each resource as it is recorded, complete, under `lock` (in recording order; a resource's
        # provider before it): the policy pack judges resources as the engine would, while the program runs.
        self.on_record = on_record
        self.lock = threading.Lock()
        self.resources: dict[str, RecordedResource] = {}  # by URN, in arrival order
        self.provider_inputs: dict[str, dict] = {}  # provider reference "urn::id" -> inputs
        self.default_providers: dict[str, str] = {}  # package -> provider reference
        self.outputs: dict = {}
        self.diagnostics: list[dict] = []
        # invokes answered with a failure, each with where the program called the lookup (output form)
        self.refusals: list[tuple[OfflineUnsupported, str | None]] = []
        self.invoke_sites: dict[str, set[str]] = {}  # invoke token -> where output-form calls of it were made
        self.invokes: list[str] = []
        self.lookups: dict[str, str] = {}  # invoke token -> how it was answered offline (LOOKUP_*)
        self.classes: dict[str, type] = {}  # type token -> the program's Python class for it
        self.created: set[str] = set()  # URNs of resources the preview would create (not reads)
        self.watch = watch

    def urn(self, type_: str, name: str) -> str:
        return f"urn:pulumi:{self.settings.stack}::{self.settings.project}::{type_}::{name}"

    def default_provider(self, package: str, version: str) -> str:
        """The reference of the engine's default provider for `package`, recorded on first use."""
        with self.lock:
            if package in self.default_providers:
                return self.default_providers[package]
            name = _default_provider_name(version)
            urn = self.urn(f"{PROVIDER_TYPE_PREFIX}{package}", name)
            inputs = _package_config(self.settings, package)
            if version:
                inputs["version"] = version
            # The engine creates default providers unparented.
            self.resources[urn] = RecordedResource(
                urn=urn, type=f"{PROVIDER_TYPE_PREFIX}{package}", name=name, custom=True, parent=None,
                provider=None, inputs=inputs, dependencies=[], property_dependencies={}, protect=False,
                retain_on_delete=False, delete_before_replace=False, aliases=[], id=None,
            )  # fmt: skip
            resource_id = f"{name}-id" if self.known_ids else None
            self.resources[urn].id = resource_id
            if not self.known_ids:
                self.created.add(urn)
            if self.on_record is not None:
                self.on_record(self.resources[urn])
            reference = f"{urn}::{resource_id or _sdk.UNKNOWN}"  # a provider being created has no id at preview
            self.provider_inputs[reference] = inputs
            self.default_providers[package] = reference
            return reference

    def note_lookup(self, token: str, how: str) -> None:
        """Remember how `token` was answered; an answer that was not real data once is not real data."""
        with self.lock:
            if self.lookups.get(token) in (None, LOOKUP_UNKNOWN):
                self.lookups[token] = how

    def provider_config(self, reference: str, package: str) -> dict:
        """The configuration of the provider an operation uses: explicit, or the package default."""
        with self.lock:
            if reference:
                return self.provider_inputs.get(reference, {})
        return _package_config(self.settings, package)


class _NoMocks(Mocks):
    """`set_mocks` wants a `Mocks`; the recording monitor answers everything itself."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        raise AssertionError("the recording monitor registers resources itself")

    def call(self, args: MockCallArgs) -> dict:
        raise AssertionError("the recording monitor answers invokes itself")


class _RecordingMonitor(MockMonitor):
    """The engine's resource monitor, offline, as the engine behaves during `pulumi preview` of a new
    stack: resources being created have no id yet and their provider-computed outputs are unknown
    (what a program reads back is its own inputs); output-form invokes that depend on resources being
    created are unknown (the engine's `invokeDependsOn` gate).

    It decodes requests without the SDK's deserializer: that would rehydrate resource references
    into `Resource` objects, which schedules a `getResource` call on this executor thread's event
    loop, where nothing ever runs it (the program then waits forever).
    """

    def __init__(self, recorder: _Recorder) -> None:
        super().__init__(_NoMocks())
        self.recorder = recorder
        # Transforms, as the engine keeps them: the stack's in registration order, and each
        # registered resource's own (`transforms=`) with its parent, for its descendants.
        self.stack_transforms: list[callback_pb2.Callback] = []
        self.own_transforms: dict[str, list[callback_pb2.Callback]] = {}
        self.invoke_transforms: list[callback_pb2.Callback] = []  # `register_invoke_transform`, in order
        self.parents: dict[str, str] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine nests the parent's whole type chain, except the root stack's
        # (the SDK's mock keeps only the last link and includes the stack).
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return self.recorder.urn(type_, name)

    def GetDeploymentInfo(self, request):  # noqa: N802 - gRPC method name
        info = super().GetDeploymentInfo(request)
        info.supportedFeatures.append(_sdk.INVOKE_DEPENDS_ON)
        return info

    def _state(self, type_: str, name: str, inputs: dict, provider: str | None, custom: bool, read_id: str = "") -> dict:
        """The outputs the engine would return: for custom resources their inputs plus what the
        offline cloud knows, each value the SDK's declared type would reject made unknown."""
        if not custom:  # a component's outputs come from its own code (or, remote, are unknown)
            return {}
        if type_ == STACK_REFERENCE_TYPE:
            given = self.recorder.settings.stack_references
            stack = inputs.get("name")
            self.recorder.note_lookup(f"{STACK_REFERENCE_TYPE} {stack}",
                                      STACK_REFERENCE_GIVEN if stack in given else STACK_REFERENCE_UNKNOWN)
            return stack_reference_state(stack, given)
        package = type_.split(":", 1)[0]
        config = {} if type_.startswith(PROVIDER_TYPE_PREFIX) else self.recorder.provider_config(provider or "", package)
        state = resource_state(type_, name, inputs, config, read_id=read_id)
        cls = self.recorder.classes.get(type_)
        return shapes.fitted(state, _sdk.output_property_types(cls)) if cls is not None else state

    def RegisterStackTransform(self, request):  # noqa: N802 - gRPC method name
        """`register_resource_transform`: applies to every resource registered from now on."""
        self.recorder.watch.touch()
        with self.recorder.lock:
            self.stack_transforms.append(request)
        return empty_pb2.Empty()

    def RegisterStackInvokeTransform(self, request):  # noqa: N802 - gRPC method name
        """`register_invoke_transform`: applies to every invoke made from now on."""
        self.recorder.watch.touch()
        with self.recorder.lock:
            self.invoke_transforms.append(request)
        return empty_pb2.Empty()

    def _invoke_transformed(self, request: resource_pb2.ResourceInvokeRequest) -> resource_pb2.ResourceInvokeRequest:
        """The invoke as the engine runs it after the stack's invoke transforms (pulumi/pulumi
        `pkg/resource/deploy/source_eval.go`, `Invoke`): each, in registration order, gets the token and
        the args and options (provider, version, plugin download URL and checksums) the previous one
        returned; the provider that answers is the one the last options name."""
        with self.recorder.lock:
            chain = list(self.invoke_transforms)
        if not chain:
            return request
        args = request.args
        options = resource_pb2.TransformInvokeOptions(
            provider=request.provider, version=request.version, plugin_download_url=request.pluginDownloadURL,
            plugin_checksums=dict(request.pluginChecksums))
        for callback in chain:
            found = _sdk.transform_callback(callback.token)
            if found is None:
                raise OfflineUnsupported(f"{request.tok}: an invoke transform that is not this program's "
                                         f"(callback {callback.token})")
            function, loop = found
            asks = resource_pb2.TransformInvokeRequest(token=request.tok, args=args, options=options)
            # On the program's event loop, as the SDK's callback server runs it; this executor thread waits.
            answer = asyncio.run_coroutine_threadsafe(function(asks.SerializeToString()), loop).result()
            if answer.HasField("args"):
                args = answer.args
            if answer.HasField("options"):
                options = answer.options
        out = resource_pb2.ResourceInvokeRequest()
        out.CopyFrom(request)
        out.args.CopyFrom(args)
        out.provider, out.version, out.pluginDownloadURL = options.provider, options.version, options.plugin_download_url
        out.pluginChecksums.clear()
        out.pluginChecksums.update(options.plugin_checksums)
        return out

    def _transformed(self, request: resource_pb2.RegisterResourceRequest, urn: str) -> resource_pb2.RegisterResourceRequest:
        """The registration as the engine sees it after running its transforms (pulumi/pulumi
        `pkg/resource/deploy/source_eval.go`, `RegisterResource`): first the resource's own, then each
        ancestor's own, nearest first, then the stack's registered so far; each gets the
        properties and options the previous one returned. Its own transforms are kept for its
        children."""
        own = list(request.transforms)
        with self.recorder.lock:
            self.own_transforms[urn] = own
            self.parents[urn] = request.parent
            chain = list(own)
            ancestor = request.parent
            while ancestor:
                chain += self.own_transforms.get(ancestor, [])
                ancestor = self.parents.get(ancestor, "")
            chain += self.stack_transforms
        if not chain:
            return request
        properties, options = request.object, _transform_options(request)
        for callback in chain:
            found = _sdk.transform_callback(callback.token)
            if found is None:
                raise OfflineUnsupported(f"{request.type} {request.name!r}: a transform that is not this program's (callback {callback.token})")
            function, loop = found
            asks = resource_pb2.TransformRequest(
                type=request.type, name=request.name, custom=request.custom, parent=request.parent, properties=properties, options=options
            )
            # The transform runs on the program's event loop, as the SDK's callback server runs it
            # for the engine; this executor thread waits for it.
            answer = asyncio.run_coroutine_threadsafe(function(asks.SerializeToString()), loop).result()
            if answer.HasField("properties"):
                properties = answer.properties
            if answer.HasField("options"):
                options = answer.options
        return _with_options(request, properties, options, reparse_dependencies=bool(own))

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        self.recorder.watch.touch()
        self.recorder.watch.registered.add((request.type, request.name))
        urn = self.make_urn(request.parent, request.type, request.name)
        request = self._transformed(request, urn)
        provider = request.provider or None
        if request.custom and provider is None and not request.type.startswith(PROVIDER_TYPE_PREFIX):
            provider = self.recorder.default_provider(request.type.split(":", 1)[0], request.version)
        inputs = _sdk.plain(request.object)
        if request.type.startswith(PROVIDER_TYPE_PREFIX) and request.version:
            inputs["version"] = request.version  # as the engine adds to provider inputs
        # A resource being created has no id at preview (the SDK takes "" as unknown); an import has
        # its own; unit-test mocks make one up.
        resource_id = ""
        if request.custom:
            resource_id = request.importId or (f"{request.name}-id" if self.recorder.known_ids else "")
        state: dict = {}
        if request.type != STACK_TYPE:
            state = self._state(request.type, request.name, inputs, provider, request.custom, read_id=resource_id)
        # The engine returns the outputs the registration names in `additional_secret_outputs` as secrets
        # (pulumi/pulumi tests/integration/secret_outputs): a plain input echoed back stays hidden downstream.
        for key in request.additionalSecretOutputs:
            if key in state and not _sdk.is_secret(state[key]):
                state[key] = _sdk.wrap_secret(state[key])
        record = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent or None,
            provider=provider,
            inputs=inputs,
            # The SDK collects dependencies in sets: sorted, they read the same in every process.
            dependencies=sorted(request.dependencies),
            property_dependencies={key: sorted(request.propertyDependencies[key].urns) for key in sorted(request.propertyDependencies)},
            protect=request.protect,
            retain_on_delete=request.retainOnDelete,
            delete_before_replace=request.deleteBeforeReplace,
            aliases=_alias_specs(request.aliases) + list(request.aliasURNs),
            ignore_changes=list(request.ignoreChanges),
            id=resource_id or None,
            remote=request.remote,
            providers=dict(sorted(request.providers.items())),
        )
        with self.recorder.lock:
            if urn in self.resources:  # registered or read before: the engine stops the program (pkg/diag/errors.go)
                raise EngineRefusal(f"Duplicate resource URN '{urn}'; try giving it a unique name", request.type, request.name)
            self.recorder.resources[urn] = record
            if not resource_id:
                self.recorder.created.add(urn)
            if request.type.startswith(PROVIDER_TYPE_PREFIX):
                self.recorder.provider_inputs[f"{urn}::{resource_id or _sdk.UNKNOWN}"] = inputs
            # What a `getResource` (a rehydrated reference, on the program's own loop) reads back.
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
            count = len(self.recorder.resources)
            if self.recorder.on_record is not None:
                self.recorder.on_record(record)
        if self.recorder.on_resource is not None:
            self.recorder.on_resource(count)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=_sdk.struct(state))

    def ReadResource(self, request):  # noqa: N802 - gRPC method name
        """`Resource.get(...)` and `StackReference`: an existing resource, so its id is known."""
        self.recorder.watch.touch()
        self.recorder.watch.registered.add((request.type, request.name))
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = _sdk.plain(request.properties)
        state = self._state(request.type, request.name, inputs, request.provider or None, True, read_id=request.id)
        with self.recorder.lock:
            if urn in self.resources:
                raise EngineRefusal(f"Duplicate resource URN '{urn}'; try giving it a unique name", request.type, request.name)
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, request.id, state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_sdk.struct(state))

    def Invoke(self, request):  # noqa: N802 - gRPC method name
        self.recorder.watch.touch()
        with self.recorder.lock:
            self.recorder.invokes.append(request.tok)
            pending = [urn for urn in request.dependsOn if urn in self.recorder.created]
        if request.tok == GET_RESOURCE_TOKEN:
            return super().Invoke(request)
        if pending:  # the engine declines invokes whose dependencies are pending creation
            self.recorder.note_lookup(request.tok, LOOKUP_UNKNOWN)
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        request = self._invoke_transformed(request)
        package = request.tok.split(":", 1)[0]
        args = _sdk.plain(request.args)
        site = _sdk.INVOKE_SITE.get()
        if site is not None:
            with self.recorder.lock:
                self.recorder.invoke_sites.setdefault(request.tok, set()).add(site)
        try:
            answer, how = answer_invoke(request.tok, args, self.recorder.provider_config(request.provider, package))
        except OfflineUnsupported as refusal:
            # Refuse as a provider would, with a failure: the SDK then raises in the program at the
            # call (a program may catch it), instead of failing the run from an executor thread.
            if site is None and request.tok in INVOKED_BY:
                site = next((where for type_, _name, where in reversed(self.recorder.watch.constructed)
                             if type_ in INVOKED_BY[request.tok]), None)
            with self.recorder.lock:  # its message and setting, not its frames (they hold the run's tasks)
                self.recorder.refusals.append((_without_frames(refusal), site))
            return resource_pb2.ResourceInvokeResponse(failures=[provider_pb2.CheckFailure(property="", reason=str(refusal))])
        if how is not None:  # a lookup, not what the provider computes itself
            self.recorder.note_lookup(request.tok, how)
        if answer is None:
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        return resource_pb2.ResourceInvokeResponse(**{"return": _sdk.struct(answer)})

    def RegisterResourceOutputs(self, request):  # noqa: N802 - gRPC method name
        self.recorder.watch.touch()
        if request.urn == self.recorder.urn(STACK_TYPE, f"{self.recorder.settings.project}-{self.recorder.settings.stack}"):
            self.recorder.outputs = _sdk.plain(request.outputs)
            self.recorder.watch.stack_outputs_registered = True
        return super().RegisterResourceOutputs(request)


def _alias_specs(aliases: Any) -> list[dict]:
    """A registration's alias specs as the plan records them; protobuf's JSON module is imported only for a
    resource that has some (it is ~1 % of a small preview's start-up)."""
    if not aliases:
        return []
    from google.protobuf.json_format import MessageToDict

    return [MessageToDict(alias) for alias in aliases]


def _transform_options(request: resource_pb2.RegisterResourceRequest) -> resource_pb2.TransformResourceOptions:
    """The options a transform sees, as the engine builds them from the registration."""
    options = resource_pb2.TransformResourceOptions(
        depends_on=request.dependencies,
        ignore_changes=request.ignoreChanges,
        replace_on_changes=request.replaceOnChanges,
        version=request.version,
        aliases=[*(alias_pb2.Alias(urn=urn) for urn in request.aliasURNs), *request.aliases],
        provider=request.provider,
        providers=request.providers,
        plugin_download_url=request.pluginDownloadURL,
        deleted_with=request.deletedWith,
        additional_secret_outputs=request.additionalSecretOutputs,
        plugin_checksums=request.pluginChecksums,
    )
    if request.HasField("protect"):
        options.protect = request.protect
    if request.HasField("retainOnDelete"):
        options.retain_on_delete = request.retainOnDelete
    if request.HasField("customTimeouts"):
        options.custom_timeouts.CopyFrom(request.customTimeouts)
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        options.delete_before_replace = request.deleteBeforeReplace
    return options


def _with_options(
    request: resource_pb2.RegisterResourceRequest,
    properties: Any,
    options: resource_pb2.TransformResourceOptions,
    reparse_dependencies: bool,
) -> resource_pb2.RegisterResourceRequest:
    """`request` with the properties and options its transforms returned. As the engine does, the
    dependencies are read again from the options only when the resource had transforms of its own
    (a stack transform's `depends_on` is not taken)."""
    result = resource_pb2.RegisterResourceRequest()
    result.CopyFrom(request)
    result.object.CopyFrom(properties)
    result.protect = options.protect
    result.retainOnDelete = options.retain_on_delete
    result.deleteBeforeReplace = options.delete_before_replace
    result.provider = options.provider
    result.version = options.version
    result.pluginDownloadURL = options.plugin_download_url
    result.deletedWith = options.deleted_with
    for field_name, values in (
        ("ignoreChanges", options.ignore_changes),
        ("replaceOnChanges", options.replace_on_changes),
        ("additionalSecretOutputs", options.additional_secret_outputs),
    ):
        result.ClearField(field_name)
        getattr(result, field_name).extend(values)
    result.ClearField("providers")
    result.providers.update(options.providers)
    result.ClearField("aliasURNs")
    result.ClearField("aliases")
    result.aliasURNs.extend(alias.urn for alias in options.aliases if alias.WhichOneof("alias") == "urn")
    result.aliases.extend(alias for alias in options.aliases if alias.WhichOneof("alias") != "urn")
    if reparse_dependencies:
        kept = set(result.object.fields)
        for key in [key for key in result.propertyDependencies if key not in kept]:
            del result.propertyDependencies[key]
        result.ClearField("dependencies")
        result.dependencies.extend(sorted({*options.depends_on, *(u for d in result.propertyDependencies.values() for u in d.urns)}))
    return result


class _DiagnosticsHandler(logging.Handler):
    def __init__(self, diagnostics: list[dict], watch: _Watch) -> None:
        super().__init__(level=logging.INFO)
        self.diagnostics = diagnostics
        self.watch = watch

    def emit(self, record: logging.LogRecord) -> None:
        self.watch.touch()
        severity = {logging.WARNING: "warning", logging.ERROR: "error"}.get(record.levelno, "info")
        self.diagnostics.append({"severity": severity, "message": record.getMessage()})


@functools.lru_cache(maxsize=4096)  # asked for every frame of every resource's construction: the same files
def _is_user_file(filename: str, root: Path) -> bool:
    path = Path(filename)
    return path.is_relative_to(root) and not {"site-packages", "dist-packages"} & set(path.parts)


# gpufleet's own code: this engine, the clouds, the components (`components/` is a link in the package).
_PACKAGE = Path(__file__).parents[1]
_GPUFLEET_CODE = tuple({_PACKAGE, _PACKAGE.resolve(), (_PACKAGE / "components").resolve()})


@functools.lru_cache(maxsize=4096)
def _is_program_file(filename: str, root: Path) -> bool:
    """A file of the user's program: in the project, and not gpufleet's own code, which a project holds
    when it is gpufleet's own program (the repository): an error never points into gpufleet."""
    path = Path(filename)
    return _is_user_file(filename, root) and not any(path.is_relative_to(own) for own in _GPUFLEET_CODE)


def _user_position(root: Path, frame: Any = None) -> str | None:
    """"path:line" (relative to the project) of the innermost frame of the user's code on the
    current thread's stack (from this function's own frame, or from `frame`), None when there is none."""
    if getattr(sys, "tracebacklimit", None) is not None:  # the frames a traceback would show, as it limits them
        stack = traceback.StackSummary.extract(traceback.walk_stack(frame or sys._getframe()), lookup_lines=False)
        return next((f"{Path(s.filename).relative_to(root)}:{s.lineno}" for s in stack
                     if _is_program_file(s.filename, root)), None)
    # Walked frame by frame up to the first of the user's: called for every resource the program declares,
    # it must not summarise the whole stack (~0.15 ms each, 0.3 s at 1,000 node groups).
    current = sys._getframe() if frame is None else frame
    while current is not None:  # innermost first
        if _is_program_file(current.f_code.co_filename, root):
            return f"{Path(current.f_code.co_filename).relative_to(root)}:{current.f_lineno}"
        current = current.f_back
    return None


def _traceback_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The frames of `exc` and of the exceptions it was raised from or during, outermost first."""
    frames: list[traceback.FrameSummary] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames[:0] = traceback.extract_tb(current.__traceback__)
        current = current.__cause__ or current.__context__
    return frames


def _declared_at(message: str, recorder: _Recorder) -> str | None:
    """Where the program declared a resource the message names (SDK errors raised on the event loop
    carry no frame of the user's code, but name the resource): its last match."""
    for _type, name, where in reversed(recorder.watch.constructed):
        if where and (f"'{name}'" in message or f'"{name}"' in message or f"resource={name}" in message):
            return where
    return None


def _collect_quietly() -> None:
    """Collect a failed run's garbage. Its unfinished tasks and coroutines (a program that exited inside an `apply`)
    complain as they go ("Task was destroyed but it is pending!", "Exception ignored in …"); the run's failure is
    reported already, so they are not printed."""
    hook, asyncio_log = sys.unraisablehook, logging.getLogger("asyncio")
    sys.unraisablehook, disabled, asyncio_log.disabled = (lambda _unraisable: None), asyncio_log.disabled, True
    try:
        gc.collect()
    finally:
        sys.unraisablehook, asyncio_log.disabled = hook, disabled


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it was raised from or during (`__cause__`, `__context__`), each once."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        e = pending.pop()
        if e is not None and all(e is not f for f in found):
            found.append(e)
            pending += [e.__cause__, e.__context__]
    return found


def _without_frames(exc: BaseException) -> BaseException:
    """`exc` and the exceptions it was raised from without their tracebacks (kept for their messages: frames would
    hold the run's tasks and coroutines for as long as `exc` lives)."""
    for e in _chain(exc):
        e.__traceback__ = None
    return exc


def _declared(type_: str, name: str, recorder: _Recorder) -> str | None:
    """Where the program last declared a resource of this type and name."""
    return next((where for t, n, where in reversed(recorder.watch.constructed) if (t, n) == (type_, name) and where), None)


def _invoked_at(message: str, recorder: _Recorder) -> str | None:
    """Where the program called the output-form lookup whose failure the message reports (the SDK's
    "invoke of <token> failed: ..."), when it called that lookup at one place only."""
    sites = {site for token, at in recorder.invoke_sites.items() if f"invoke of {token} failed" in message for site in at}
    return sites.pop() if len(sites) == 1 else None


def _program_error(exc: BaseException, settings: StackSettings, recorder: _Recorder) -> BaseException:
    if isinstance(exc, UserError):  # the program's own report of the user's mistakes, kept whole
        return exc
    logged = list(recorder.diagnostics)
    if recorder.watch.stalled is not None:
        return ProgramError(recorder.watch.stalled, None, diagnostics=logged)
    if isinstance(exc, SystemExit):
        return ProgramError(f"the program exited with status {exc.code}", "SystemExit", diagnostics=logged)
    refused, refused_at = next(((r, site) for r, site in recorder.refusals if str(r) in str(exc)), (None, None))
    frames = [frame for frame in _traceback_frames(exc) if _is_program_file(frame.filename, settings.project_dir)]
    path = line = None
    if frames:
        path = Path(frames[-1].filename).relative_to(settings.project_dir)
        line = frames[-1].lineno
    else:
        where = refused_at or _invoked_at(str(exc), recorder) or (
            _declared(exc.type, exc.name, recorder) if isinstance(exc, EngineRefusal) else _declared_at(str(exc), recorder))
        if where is not None:
            file, _, number = where.rpartition(":")
            path, line = Path(file), int(number)
    if refused is not None:  # the SDK's "invoke of … failed: <refusal> ()" around our message
        setting = getattr(refused, "setting", None)
        hint = f" ({_how_to_set(setting, settings)})" if setting else ""
        return ProgramError(str(refused) + hint, None, path, line, logged, setting)
    if isinstance(exc, (OfflineUnsupported, EngineRefusal)):
        return ProgramError(str(exc), None, path, line, logged)
    if isinstance(exc, (ConfigMissingError, ConfigTypeError)):  # the stack's configuration, not the program (exit 2)
        stack_file = _stack_file_shown(settings)
        hint = f"set it under `config:` in {stack_file}"
        if isinstance(exc, ConfigTypeError) and exc.key in settings.secret_keys:
            # It is set: a secret whose ciphertext the offline preview cannot decrypt, so the program reads
            # a placeholder that no type fits (the CLI, with the stack's secrets provider, reads the value).
            hint = (f"it is a secret (`secure:` in {stack_file}), which gpufleet cannot decrypt: the program reads "
                    f"the placeholder {SECRET_PLACEHOLDER!r}; preview it with the Pulumi CLI")
        return ProgramError(f"{exc} (offline: {hint})", type(exc).__name__, path, line, logged, exc.key)
    return ProgramError(str(exc) + _missing_sdk_hint(exc), type(exc).__name__, path, line, logged)


def _stack_file_shown(settings: StackSettings) -> str:
    """The stack's file as the user finds it: relative to the project ("stacks/Pulumi.dev.yaml")."""
    if settings.stack_file is None:
        return f"Pulumi.{settings.stack}.yaml"
    if settings.stack_file.is_relative_to(settings.project_dir):
        return str(settings.stack_file.relative_to(settings.project_dir))
    return str(settings.stack_file)


def _how_to_set(setting: str, settings: StackSettings) -> str:
    """Where a provider setting the stack lacks goes (`gcp:project`): the stack's file, or the Pulumi CLI's command."""
    return (f"in {_stack_file_shown(settings)} under `config:`, or with "
            f"`pulumi config set {setting} <value> --stack {settings.stack}`")


def _missing_sdk_hint(exc: BaseException) -> str:
    """How to install a Pulumi package the program imports and gpufleet's environment lacks: the
    program runs with the packages of the Python gpufleet runs on, not the project's virtualenv."""
    name = exc.name if isinstance(exc, ModuleNotFoundError) else None
    if not name or not name.startswith("pulumi_"):
        return ""
    package = name.partition(".")[0].replace("_", "-")
    return (f" (the program runs with the Python packages of gpufleet's own environment; install the SDK there: "
            f"{sys.executable} -m pip install {package})")


def _ordered(recorder: _Recorder, constructed_urns: list[str]) -> list[RecordedResource]:
    """Stack first, then resources in the order the program constructed them, each default
    provider just before its first user. Arrival order at the monitor varies between runs."""
    remaining = dict(recorder.resources)
    ordered: list[RecordedResource] = []
    stack_urn = recorder.urn(STACK_TYPE, f"{recorder.settings.project}-{recorder.settings.stack}")
    providers_by_reference = {
        f"{r.urn}::{r.id or _sdk.UNKNOWN}": r for r in remaining.values() if r.type.startswith(PROVIDER_TYPE_PREFIX)
    }
    for urn in [stack_urn, *constructed_urns, *list(remaining)]:
        record = remaining.pop(urn, None)
        if record is None:
            continue
        default = providers_by_reference.get(record.provider or "")
        if default is not None and default.urn in remaining and default.parent is None:
            ordered.append(remaining.pop(default.urn))
        ordered.append(record)
    return ordered


def _execute(
    settings: StackSettings, body: Callable[[], None], watch: _Watch, known_ids: bool, on_resource: Callable[[int], None] | None,
    on_record: Callable[[RecordedResource], None] | None = None,
) -> ProgramRun:
    """One program run (`body` declares the resources), on the calling thread, which must be fresh
    (empty context, no event loop)."""
    recorder = _Recorder(settings, watch, known_ids, on_resource, on_record)
    logger = logging.Logger(f"gpufleet.offline.{settings.project}.{settings.stack}", level=logging.INFO)
    logger.addHandler(_DiagnosticsHandler(recorder.diagnostics, recorder.watch))

    worker_loops: list[asyncio.AbstractEventLoop] = []

    def give_worker_a_loop() -> None:
        # The mock monitor deserializes on executor threads and needs an event loop there; we
        # create it so we can close it (an unclosed loop warns when garbage collected).
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        worker_loops.append(loop)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gpufleet-offline-rpc", initializer=give_worker_a_loop)
    loop.set_default_executor(executor)
    constructed: list = []

    def remember_construction(args: ResourceTransformationArgs) -> None:
        recorder.watch.touch()
        constructed.append(args.resource)
        recorder.classes.setdefault(args.type_, type(args.resource))
        recorder.watch.constructed.append((args.type_, args.name, _user_position(settings.project_dir)))

    def program() -> Awaitable[None]:
        # Stack transformations run synchronously in each resource's constructor: program order.
        register_stack_transformation(remember_construction)
        body()
        return _sdk.drain_outputs()  # before the SDK's own wait, which is quadratic in pending outputs

    try:
        set_all_config(dict(settings.config), sorted(settings.secret_keys))
        monitor = _RecordingMonitor(recorder)
        _sdk.install_mocks(monitor.mocks, monitor, logger, settings.project, settings.stack, str(settings.project_dir))
        recorder.watch.loop = loop
        try:
            with _sdk.invoke_sites(lambda: _user_position(settings.project_dir)):
                loop.run_until_complete(run_in_stack(program))
                constructed_urns = loop.run_until_complete(asyncio.gather(*(r.urn.future() for r in constructed)))
        except BaseException as exc:  # noqa: BLE001 - everything the program raises is reported
            error = _program_error(exc, settings, recorder)
            if error is exc:
                raise
            raise error from exc
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            # Cancelled tasks end within a turn or two of the loop, but one waiting on a task that a
            # `sys.exit()` inside an `apply` took out of the loop mid-step would wait for ever: bounded.
            done, _ = loop.run_until_complete(asyncio.wait(pending, timeout=_CLEANUP_SECONDS))
            for task in done:
                if not task.cancelled():
                    task.exception()  # retrieved: the program's error is reported, not logged again
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        for worker_loop in worker_loops:
            worker_loop.close()

    return ProgramRun(
        settings=settings,
        resources=_ordered(recorder, [urn for urn in constructed_urns if urn]),
        outputs=recorder.outputs,
        diagnostics=recorder.diagnostics,
        invokes=sorted(recorder.invokes),
        lookups=dict(sorted(recorder.lookups.items())),
    )


@contextmanager
def _program_files(settings: StackSettings) -> Iterator[None]:
    """Working directory and import path for a program file, restored afterwards; the program's own
    modules are forgotten so the next program imports its own."""
    # The language host runs in the project directory, or in `main:` when that is a directory.
    workdir = settings.main.parent if settings.main.name == "__main__.py" else settings.project_dir
    program_dir = str(settings.main.parent)
    saved_cwd = os.getcwd()
    modules_before = set(sys.modules)
    os.chdir(workdir)
    sys.path.insert(0, program_dir)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        if program_dir in sys.path:
            sys.path.remove(program_dir)
        # Only packages the program brought in: a submodule of a package the caller already had
        # stays, or that package would hold a stale attribute for it.
        top_levels_before = {name.partition(".")[0] for name in modules_before}
        for name in set(sys.modules) - modules_before:
            filename = getattr(sys.modules[name], "__file__", None)
            if name.partition(".")[0] not in top_levels_before and filename and _is_user_file(filename, settings.project_dir):
                del sys.modules[name]


@contextmanager
def _exit_ends_the_program_only() -> Iterator[None]:
    """Under the CLI a program runs in the language host's own process, so `os._exit(n)` ends that process and
    `pulumi preview` reports the program as failed. Here the program shares gpufleet's process, where
    `os._exit(1)` would end gpufleet with no word and the exit status that means a mandatory policy
    violation. During the run it ends the program instead, as `sys.exit(n)` does (exit 3, "the program
    exited with status n"). A child process the program forks keeps the real `os._exit`."""
    real, pid = os._exit, os.getpid()

    def program_exit(status: int) -> None:
        if os.getpid() != pid:
            real(status)
        raise SystemExit(status)

    os._exit = program_exit
    try:
        yield
    finally:
        os._exit = real


# Python's cyclic collector runs every 700 net allocations and then walks every tracked object of its
# generation; the SDK allocates several thousand objects per resource (Outputs, tasks, futures,
# protobuf messages), so on default settings the collector is more than half of a run (invisible to
# cProfile). During a run it skips what existed before (frozen: imports, the caller's data) and runs
# ~70× less often; cyclic garbage still goes, in larger batches. The middle generation is collected every 10th
# time, as by default: the SDK's cycles that outlive one young collection (a closure per `contains_unknowns`
# call) would otherwise wait 50 (~8 MiB more at the peak of 3,000 node groups, at the same CPU time).
_RUN_GC_THRESHOLDS = (50_000, 10, 100)


@contextmanager
def _collector_for_a_run() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*_RUN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


# Runs change the process's recursion limit and warning filters (and for program files, its
# working directory and import path): one at a time.
_ONE_RUN_AT_A_TIME = threading.Lock()


def _stall_report(watch: _Watch, thread: threading.Thread, settings: StackSettings, seconds: float) -> str:
    """What a stuck program was waiting for, in words, with the user's file:line where known."""
    waiting = [
        f"{type_} {name!r}" + (f" (declared at {where})" if where else "")
        for type_, name, where in watch.constructed
        if (type_, name) not in watch.registered
    ]
    frame = sys._current_frames().get(thread.ident or -1)
    at = _user_position(settings.project_dir, frame) if frame is not None else None
    parts = []
    if waiting:
        parts.append("the registration of " + first_few(waiting))
    if at:
        parts.append(f"the program's own code at {at}")
    if not watch.stack_outputs_registered:
        parts.append("the stack's outputs (an export whose value never resolves)")
    return f"the program made no progress for {seconds:g} s; it was waiting for " + "; ".join(parts)


def _executing_at(thread: threading.Thread) -> tuple | None:
    """Where `thread` is, as the code and line of its innermost frames (None when it has none)."""
    frame = sys._current_frames().get(thread.ident or -1)
    spot = []
    while frame is not None and len(spot) < 4:
        spot.append((id(frame.f_code), frame.f_lineno))
        frame = frame.f_back
    return tuple(spot) or None


def _run_on_own_thread(
    settings: StackSettings,
    body: Callable[[], None],
    warning_filters: tuple[tuple[str, type[Warning], str], ...] | None,
    stall_seconds: float,
    known_ids: bool,
    on_resource: Callable[[int], None] | None = None,
    on_record: Callable[[RecordedResource], None] | None = None,
) -> ProgramRun:
    """`_execute` on a fresh thread with a large stack, under `warning_filters` (None: the
    caller's); warnings the program shows become diagnostics. A watchdog stops a run that makes no
    progress for `stall_seconds` and reports what it was waiting for. The caller holds
    `_ONE_RUN_AT_A_TIME`."""
    outcome: dict[str, Any] = {}
    watch = _Watch()

    def target() -> None:
        try:
            outcome["run"] = _execute(settings, body, watch, known_ids, on_resource, on_record)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            outcome["error"] = exc
            # A failed run leaves its tasks (~1,200 for gpufleet's own program) in cycles. Collected later, on a
            # thread with the default recursion limit, they overflowed it inside whatever ran then — in CPython
            # 3.11's `ast.parse` a SystemError ("AST constructor recursion depth mismatch", python/cpython#106905).
            # Released and collected here, on this thread's large stack and raised limit: the SDK's settings let go
            # of them, and the error of its frames (the problem's file and line are taken already).
            _sdk.release_run_state()
            _without_frames(exc)
            _collect_quietly()

    saved_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved_limit, _RECURSION_LIMIT))
    try:
        with warnings.catch_warnings(record=True) as shown:
            if warning_filters is not None:
                warnings.resetwarnings()
                for action, category, module in reversed(warning_filters):
                    warnings.filterwarnings(action, category=category, module=module)
            saved_stack_size = threading.stack_size(_THREAD_STACK_BYTES)
            try:
                # A daemon: a program stuck outside the event loop (sleeping, reading stdin) cannot
                # be stopped, and must not keep the process alive once it has been reported.
                thread = threading.Thread(target=target, name=f"gpufleet-offline-{settings.stack}", daemon=True)
                thread.start()
            finally:
                threading.stack_size(saved_stack_size)
            where = None
            while thread.is_alive():
                thread.join(min(1.0, stall_seconds / 4))
                # A program thread that is executing (a long import, a computation) is making
                # progress: only one that sits at the same spot, waiting, can be stuck.
                now = _executing_at(thread)
                if now != where:
                    where = now
                    watch.touch()
                idle = time.monotonic() - watch.last_activity
                if thread.is_alive() and idle >= stall_seconds and watch.stalled is None:
                    watch.stalled = _stall_report(watch, thread, settings, stall_seconds)
                    if watch.loop is not None:
                        watch.loop.call_soon_threadsafe(watch.loop.stop)
                    thread.join(stall_seconds)
                    if thread.is_alive():  # stuck outside the event loop: abandoned
                        raise ProgramError(watch.stalled, None)
    finally:
        sys.setrecursionlimit(saved_limit)
    if "error" in outcome:
        raise outcome["error"]
    run: ProgramRun = outcome["run"]
    run.diagnostics.extend({"severity": "warning", "message": f"{w.category.__name__}: {w.message}"} for w in shown)
    return run


def run_program(
    settings: StackSettings,
    *,
    on_resource: Callable[[int], None] | None = None,
    on_record: Callable[[RecordedResource], None] | None = None,
    stall_seconds: float = DEFAULT_STALL_SECONDS,
) -> ProgramRun:
    """Run the stack's program offline and record what it declares (`on_resource` is told the
    number of resources so far after each one, for progress displays; `on_record` is given each
    resource as it is recorded, in recording order, each resource's provider before it; it must
    return at once: it is called under the recorder's lock).

    Raises `ProgramError` when the program fails or makes no progress for `stall_seconds`, and
    passes a `UserError` the program raises (its own validation of the stack's configuration)
    through unchanged.
    """

    def body() -> None:
        runpy.run_path(str(settings.main), run_name="__main__")

    # What the program prints goes to stderr: the CLI shows it as diagnostics, never in its own
    # output, and stdout may be carrying the plan (`--json -`).
    with _ONE_RUN_AT_A_TIME, _program_files(settings), _collector_for_a_run(), _sdk.aliases_without_output_chains(), \
            _exit_ends_the_program_only(), redirect_stdout(sys.stderr):
        run = _run_on_own_thread(settings, body, _PYTHON_DEFAULT_FILTERS, stall_seconds, known_ids=False, on_resource=on_resource,
                                 on_record=on_record)
    _check_stack_references_read(run)
    return run


def _check_stack_references_read(run: ProgramRun) -> None:
    """Every `--stack-reference` names a stack the program read: one it never read was given in vain
    (a misspelt name, or another organization: offline, `pulumi.get_organization()` is "organization",
    as with a local backend), and its outputs silently stayed unknown."""
    prefix = f"{STACK_REFERENCE_TYPE} "
    read = sorted(token.removeprefix(prefix) for token in run.lookups if token.startswith(prefix))
    unread = [name for name in run.settings.stack_references if name not in read]
    if unread:
        raise UserError([Problem(path=f"--stack-reference {name}",
                                 message="the program reads no StackReference of this name" if read else
                                 "the program reads no StackReference", allowed=tuple(read),
                                 suggestion=did_you_mean(name, read)) for name in unread],
                        heading="usage error")


def record(
    program: Callable[[], None],
    *,
    config: dict[str, str] | None = None,
    project: str = "test",
    stack: str = "test",
    stall_seconds: float = DEFAULT_STALL_SECONDS,
    secret_keys: frozenset[str] = frozenset(),
) -> ProgramRun:
    """Run `program`, a callable that declares resources, under the engine of `run_program`, with
    the one difference of Pulumi's unit-test mocks: every resource gets a made-up, known id
    (`<name>-id`, and ARNs from it), so tests can see which resource feeds which input; lookups
    are never held back for resources being created.

    `config` is the stack configuration as the CLI hands it over (`{"<project>:<key>": "<string>"}`);
    `secret_keys` are the keys of its values that are secrets.
    The callable is the caller's own code in the caller's process: it keeps the caller's working
    directory, import path and warning filters (a test run's "warnings are errors" applies to it),
    and the current directory stands for the project when a `ProgramError` names a file.
    Raises like `run_program`.
    """
    settings = StackSettings(
        project=project,
        project_dir=Path.cwd(),
        stack=stack,
        config=dict(config or {}),
        secret_keys=frozenset(secret_keys),
        main=Path(f"<{getattr(program, '__qualname__', type(program).__qualname__)}>"),  # not a file: the callable
    )
    with _ONE_RUN_AT_A_TIME, _collector_for_a_run(), _sdk.aliases_without_output_chains():
        return _run_on_own_thread(settings, program, None, stall_seconds, known_ids=True)
