"""Guards of the private Pulumi SDK hooks gpufleet relies on (gpufleet/pulumi_private.py): each
fails, naming the hook, when an SDK upgrade moves or changes it."""

import asyncio
import importlib.util
import warnings
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2

from gpufleet import pulumi_private as sdk

with warnings.catch_warnings():  # the provider SDKs' import-time deprecation notices
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws
    import pulumi_azure_native.containerservice

    AMI_RESULT, INSTANCE, BUCKET = pulumi_aws.ec2.GetAmiResult, pulumi_aws.ec2.Instance, pulumi_aws.s3.Bucket


def test_the_sdk_is_the_pinned_version() -> None:
    assert sdk.installed_sdk_version() == sdk.PINNED_SDK_VERSION


def test_wire_format_signatures_and_the_unknown_sentinel() -> None:
    assert (sdk.SIG_KEY, sdk.SECRET_SIG, sdk.RESOURCE_REFERENCE_SIG, sdk.OUTPUT_VALUE_SIG, sdk.UNKNOWN) == (
        "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270", "5cf8f73096256a8f31e491e813e4eb8e",
        "d0e6a833031e9bbcd3f4e8bde6ca49a4", "04da6b54-80e4-46f7-96ec-b56ff0331ba9")


def test_the_root_stack_slot_is_a_context_variable() -> None:
    token = settings.ROOT.set(None)
    assert settings.ROOT.get() is None
    settings.ROOT.reset(token)


def test_mock_monitor_dispatches_to_the_methods_the_offline_monitor_replaces() -> None:
    assert all(callable(getattr(MockMonitor, name)) for name in sdk.MOCK_MONITOR_METHODS)
    info = MockMonitor(None).GetDeploymentInfo(None)  # type: ignore[arg-type]
    # The mock does not gate invokes; the offline monitor adds what the engine advertises.
    assert sdk.INVOKE_DEPENDS_ON not in info.supportedFeatures
    assert resource_pb2.ResourceInvokeResponse(unknown=True).unknown


def test_the_generated_sdks_call_the_output_form_invoke_the_hook_wraps() -> None:
    # `get_ami_output` looks `pulumi.runtime.invoke_output` up when called: `invoke_sites` can wrap it.
    source = Path(importlib.util.find_spec("pulumi_aws.ec2.get_ami").origin).read_text(encoding="utf-8")
    assert "pulumi.runtime.invoke_output('aws:ec2/getAmi:getAmi'" in source
    with sdk.invoke_sites(lambda: "here.py:1"):
        wrapped = pulumi.runtime.invoke_output
        with sdk.invoke_sites(lambda: "there.py:2"):  # wrapped once, however many runs
            assert pulumi.runtime.invoke_output is wrapped and wrapped.gpufleet_located


def test_run_to_completion_awaits_on_the_current_loop() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        async def forty_two() -> int:
            return 42
        assert sdk.run_to_completion(forty_two()) == 42
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def test_outputs_are_tracked_where_drain_outputs_waits_for_them() -> None:
    """`Output` registers its task in `SETTINGS.outputs` under `SETTINGS.lock` and drops it when it
    resolves; one that fails stays, so the SDK's own wait still raises its error after the drain."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    saved = settings.SETTINGS.outputs
    settings.SETTINGS.outputs = set()
    try:
        def fail(_):
            raise ValueError("no")

        fine = pulumi.Output.from_input(1).apply(lambda x: x + 1)
        failing = pulumi.Output.from_input(1).apply(fail)
        assert {fine._data, failing._data} <= settings.SETTINGS.outputs
        sdk.run_to_completion(sdk.drain_outputs())
        assert fine._data.done() and fine._data not in settings.SETTINGS.outputs
        assert failing._data.done() and failing._data in settings.SETTINGS.outputs
        assert all(task.done() for task in settings.SETTINGS.outputs)
        assert isinstance(failing._data.exception(), ValueError)
    finally:
        settings.SETTINGS.outputs = saved
        asyncio.set_event_loop(None)
        loop.close()



def test_drain_outputs_waits_for_at_most_a_batch_at_a_time(monkeypatch) -> None:
    """A wait keeps a callback on every task it waits for: the drain waits in batches, so the run's peak of
    memory does not grow by one per pending output (~45 MiB at 3,000 node groups); every output settles."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    saved = settings.SETTINGS.outputs
    settings.SETTINGS.outputs = set()
    waited: list[int] = []
    wait = asyncio.wait

    async def counted(tasks, *args, **kwargs):
        waited.append(len(tasks))
        return await wait(tasks, *args, **kwargs)

    monkeypatch.setattr(asyncio, "wait", counted)
    try:
        # each still waiting when the drain starts (for a moment, as for a registration's answer)
        outputs = [pulumi.Output.from_input(i).apply(lambda x: asyncio.sleep(0.01, x + 1)) for i in range(2_500)]
        pending = len(settings.SETTINGS.outputs)
        sdk.run_to_completion(sdk.drain_outputs())
        assert pending >= 2_500 and sum(waited) <= pending and max(waited) == sdk._DRAIN_BATCH == 1_000
        assert all(o._data.done() for o in outputs) and settings.SETTINGS.outputs == set()
    finally:
        settings.SETTINGS.outputs = saved
        asyncio.set_event_loop(None)
        loop.close()

def test_output_types_of_resources_and_lookup_results() -> None:
    identity = sdk.output_property_types(pulumi_azure_native.containerservice.ManagedCluster)["identity"]
    assert sdk.is_output_type(identity)
    assert str(sdk.output_property_types(identity)["userAssignedIdentities"]).startswith("typing.Mapping[str, ")
    assert sdk.output_property_types(AMI_RESULT)["mostRecent"] is bool
    assert sdk.unwrap_optional(sdk.output_property_types(INSTANCE)["instanceType"]) is str


def test_init_parameters_from_the_class_and_from_its_source() -> None:
    params = sdk.init_parameters(BUCKET)
    assert {"tags", "bucket", "force_destroy"} <= params and "opts" not in params
    source = importlib.util.find_spec("pulumi_aws.s3.bucket").origin
    with open(source, encoding="utf-8") as f:
        assert sdk.init_parameters_in_source(f.read()) == params
    with pytest.raises(sdk.SdkHookMissing, match="has no _internal_init"):
        sdk.init_parameters(pulumi.CustomResource)


def test_plain_keeps_resource_references_without_rehydrating_them() -> None:
    reference = {sdk.SIG_KEY: sdk.RESOURCE_REFERENCE_SIG, "urn": "urn:pulumi:s::p::eks:index:Cluster::c"}
    assert sdk.plain(sdk.struct({"cluster": reference, "n": 2})) == {"cluster": reference, "n": 2.0}


def test_the_alias_functions_the_fast_path_stands_in_for_are_unchanged() -> None:
    """`aliases_without_output_chains` mirrors `prepare_aliases` and defers `collapse_alias_to_urn` (as
    `pulumi.resource` imports it); when either changes upstream, re-read it, then update these hashes.
    tests/offline/test_aliases.py checks the recorded aliases against the SDK's own path."""
    import hashlib
    import inspect

    from pulumi import resource
    from pulumi.runtime import resource as runtime_resource

    functions = (runtime_resource.prepare_aliases, runtime_resource.collapse_alias_to_urn,
                 runtime_resource.create_alias_spec)
    assert {f.__name__: hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:16] for f in functions} == {
        "prepare_aliases": "2818df11fbbe1ac4", "collapse_alias_to_urn": "9e6f1a29605d68d4",
        "create_alias_spec": "d5440641fea66070"}
    assert resource.collapse_alias_to_urn is runtime_resource.collapse_alias_to_urn
    with sdk.aliases_without_output_chains():
        assert resource.collapse_alias_to_urn is not runtime_resource.collapse_alias_to_urn
    assert resource.collapse_alias_to_urn is runtime_resource.collapse_alias_to_urn


def test_transform_callback_finds_the_programs_transform_by_its_token() -> None:
    from pulumi.runtime._callbacks import _CallbackServicer

    def add_owner(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        return pulumi.ResourceTransformResult({**args.props, "owner": "ml-platform"}, args.opts)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def call_it() -> resource_pb2.TransformResponse:
        servicer = _CallbackServicer(None)  # type: ignore[arg-type]
        try:
            token = servicer.register_transform(add_owner).token
            function, its_loop = sdk.transform_callback(token)
            assert its_loop is loop and sdk.transform_callback("no-such-token") is None
            request = resource_pb2.TransformRequest(type="test:index:Thing", name="t", custom=True, properties=sdk.struct({"size": 1}))
            return await function(request.SerializeToString())
        finally:
            _CallbackServicer._servicers.remove(servicer)

    try:
        answer = loop.run_until_complete(call_it())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert sdk.plain(answer.properties) == {"size": 1.0, "owner": "ml-platform"}
