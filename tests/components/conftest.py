"""A recording mock engine for component tests (docs/PULUMI-OFFLINE.md §1).

`record(program)` runs `program` inside a root stack under a `MockMonitor` that keeps every
`RegisterResourceRequest` (type, name, parent, provider, protect, retainOnDelete, aliases, inputs with
their wire names) and returns them in registration order. The offline engine in `gpufleet.offline`
runs whole programs from files; components are tested in-process with this smaller twin.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi.runtime import rpc, run_in_stack, set_all_config, set_mocks, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

# The provider SDKs warn about their own deprecated resources when a submodule is imported; the test
# run's "warnings are errors" is for warnings our code causes, so the submodules are imported first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    for _module in ("pulumi_aws.ec2", "pulumi_aws.eks", "pulumi_aws.fsx", "pulumi_aws.iam", "pulumi_aws.s3",
                    "pulumi_aws.vpc", "pulumi_azure_native.authorization", "pulumi_azure_native.compute",
                    "pulumi_azure_native.containerservice", "pulumi_azure_native.network",
                    "pulumi_azure_native.resources", "pulumi_azure_native.storage",
                    "pulumi_azure_native.storagecache"):
        getattr(importlib.import_module(_module), "Provider", None)  # lazily loaded: an attribute runs the import

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
INVOKES = {
    "azure-native:authorization:getClientConfig": {"subscriptionId": SUBSCRIPTION, "tenantId": "tenant",
                                                   "clientId": "client", "objectId": "object"},
}


@dataclass
class Registered:
    type: str
    name: str
    parent: str
    provider: str
    inputs: dict
    protect: bool
    retain_on_delete: bool
    aliases: list
    dependencies: list[str]
    urn: str = ""


@dataclass
class Run:
    resources: list[Registered] = field(default_factory=list)

    def of_type(self, type_: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Registered:
        found = self.of_type(type_)
        assert len(found) == 1, f"{len(found)} resources of type {type_}"
        return found[0]

    def named(self, name: str) -> Registered:
        return next(r for r in self.resources if r.name == name)

    def children(self, parent: Registered) -> list[tuple[str, str]]:
        """(type, name) of the direct children of `parent`, sorted: registrations arrive concurrently."""
        return sorted((r.type, r.name) for r in self.resources if r.parent == parent.urn)


class _Mocks(Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return None, {}
        state = {**args.inputs, "arn": f"arn:test:{args.name}"}
        if args.typ.startswith("azure-native:"):  # Azure resources output the name they were given
            own = args.typ.rsplit(":", 1)[-1]
            given = [args.inputs.get(k) for k in (own[:1].lower() + own[1:] + "Name", "resourceName")]
            state["name"] = next((n for n in given if isinstance(n, str)), args.name)
        return f"{args.name}-id", state

    def call(self, args: MockCallArgs) -> dict:
        if args.token not in INVOKES:
            raise AssertionError(f"unexpected invoke {args.token}")
        return INVOKES[args.token]


class _Recorder(MockMonitor):
    def __init__(self) -> None:
        super().__init__(_Mocks())
        self.lock = threading.Lock()
        self.run = Run()

    def RegisterResource(self, request: Any):  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            with self.lock:
                self.run.resources.append(Registered(
                    type=request.type, name=request.name, parent=request.parent, provider=request.provider,
                    inputs=inputs, protect=request.protect, retain_on_delete=request.retainOnDelete,
                    aliases=list(request.aliases) + list(request.aliasURNs), dependencies=sorted(request.dependencies),
                    urn=response.urn))
        return response


def _run(program: Callable[[], None], config: dict[str, str], project: str, stack: str) -> Run:
    monitor = _Recorder()
    worker_loops: list[asyncio.AbstractEventLoop] = []

    def give_worker_a_loop() -> None:
        # The mock monitor deserializes on executor threads and needs an event loop there; created
        # here so it can be closed afterwards.
        worker = asyncio.new_event_loop()
        asyncio.set_event_loop(worker)
        worker_loops.append(worker)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, initializer=give_worker_a_loop))
    try:
        set_all_config(config)
        settings.ROOT.set(object())  # type: ignore[arg-type]  # keep set_mocks from creating a stack
        set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor)
        settings.ROOT.set(None)
        loop.run_until_complete(run_in_stack(program))
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        for worker in worker_loops:
            worker.close()
    return monitor.run


def record(program: Callable[[], None], *, config: dict[str, str] | None = None, project: str = "test",
           stack: str = "test") -> Run:
    """Run `program` (which declares resources) under the recording engine, on a fresh thread."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["run"] = _run(program, config or {}, project, stack)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["run"]


@pytest.fixture(scope="session")
def recorder() -> Callable[..., Run]:
    return record
