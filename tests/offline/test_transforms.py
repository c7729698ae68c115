"""Transforms run as the engine runs them: `register_resource_transform` (and its deprecated name
`register_stack_transform`), the `transforms` option of a resource and of its ancestors, and the
SDK-side legacy `transformations`, with exactly the properties and options they return recorded."""

import warnings
from pathlib import Path

import pulumi
import pytest

from gpufleet.estimate import estimate_plan
from gpufleet.offline import ProgramError, record
from gpufleet.preview import views_from_run

with warnings.catch_warnings():  # the provider SDK's import-time deprecation notices
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws

    INSTANCE = pulumi_aws.ec2.Instance

PREFIX = "urn:pulumi:test::test::"
STACK = PREFIX + "pulumi:pulumi:Stack::test-test"
DEFAULT = PREFIX + "pulumi:providers:test::default::default-id"


def inputs_of(run, name: str) -> dict:
    return next(r.inputs for r in run.resources if r.name == name)


def labelled(label: str, seen: list | None = None):
    """A transform appending `label` to the `trail` input (and to `seen` with the resource's name)."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        if seen is not None:
            seen.append((label, args.name))
        return pulumi.ResourceTransformResult({**args.props, "trail": [*args.props.get("trail", []), label]}, args.opts)

    return transform


def test_a_stack_transform_applies_to_every_later_resource_and_not_to_earlier_ones() -> None:
    def program() -> None:
        pulumi.CustomResource("test:index:Thing", "before", {"tags": {"team": "ml"}})
        pulumi.runtime.register_resource_transform(
            lambda args: pulumi.ResourceTransformResult({**args.props, "tags": {**args.props["tags"], "owner": "ml-platform"}}, args.opts)
        )
        pulumi.CustomResource("test:index:Thing", "after", {"tags": {"team": "ml"}})

    run = record(program)
    assert (inputs_of(run, "before"), inputs_of(run, "after")) == (
        {"tags": {"team": "ml"}}, {"tags": {"team": "ml", "owner": "ml-platform"}})


def test_order_own_then_ancestors_nearest_first_then_stack_in_registration_order() -> None:
    seen: list = []

    def program() -> None:
        pulumi.runtime.register_resource_transform(labelled("stack-1", seen))
        pulumi.runtime.register_stack_transform(labelled("stack-2", seen))  # the deprecated name: the same
        outer = pulumi.ComponentResource("test:index:Outer", "outer", None, pulumi.ResourceOptions(transforms=[labelled("outer", seen)]))
        inner = pulumi.ComponentResource("test:index:Inner", "inner", None,
                                         pulumi.ResourceOptions(parent=outer, transforms=[labelled("inner", seen)]))
        pulumi.CustomResource("test:index:Thing", "leaf", {}, pulumi.ResourceOptions(parent=inner, transforms=[labelled("own-1"), labelled("own-2")]))

    run = record(program)
    assert inputs_of(run, "leaf") == {"trail": ["own-1", "own-2", "inner", "outer", "stack-1", "stack-2"]}
    # A component's inputs are transformed too (by its own transforms, its ancestors' and the stack's).
    assert inputs_of(run, "inner") == {"trail": ["inner", "outer", "stack-1", "stack-2"]}
    assert [s for s in seen if s[1] == "outer"] == [("outer", "outer"), ("stack-1", "outer"), ("stack-2", "outer")]


def test_returned_options_are_recorded_and_none_keeps_the_registration() -> None:
    def program() -> None:
        provider = pulumi.ProviderResource("test", "explicit")

        def protect_and_move(args: pulumi.ResourceTransformArgs):
            if args.type_ != "test:index:Thing":
                return None
            return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions.merge(
                args.opts, pulumi.ResourceOptions(protect=True, retain_on_delete=True, provider=provider)))

        pulumi.runtime.register_resource_transform(protect_and_move)
        pulumi.CustomResource("test:index:Thing", "moved", {"size": 1})
        pulumi.CustomResource("test:index:Other", "untouched", {"size": 2})

    run = record(program)
    moved, untouched = (next(r for r in run.resources if r.name == n) for n in ("moved", "untouched"))
    assert (moved.inputs, moved.protect, moved.retain_on_delete, moved.provider) == (
        {"size": 1.0}, True, True, PREFIX + "pulumi:providers:test::explicit::explicit-id")
    assert (untouched.inputs, untouched.protect, untouched.retain_on_delete, untouched.provider) == (
        {"size": 2.0}, False, False, DEFAULT)


def test_an_async_transform_is_awaited() -> None:
    async def add_owner(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        return pulumi.ResourceTransformResult({**args.props, "owner": "ml-platform"}, args.opts)

    def program() -> None:
        pulumi.runtime.register_resource_transform(add_owner)
        pulumi.CustomResource("test:index:Thing", "thing", {})

    assert inputs_of(record(program), "thing") == {"owner": "ml-platform"}


def test_legacy_transformations_on_a_component_and_the_stack_are_seen() -> None:
    def add(label: str):
        def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
            return pulumi.ResourceTransformationResult({**args.props, label: True}, args.opts)
        return transformation

    def program() -> None:
        pulumi.runtime.register_stack_transformation(add("stack"))
        group = pulumi.ComponentResource("test:index:Group", "group", None, pulumi.ResourceOptions(transformations=[add("group")]))
        pulumi.CustomResource("test:index:Thing", "thing", {}, pulumi.ResourceOptions(parent=group))

    assert inputs_of(record(program), "thing") == {"group": True, "stack": True}


def test_a_failing_transform_is_the_programs_error_at_its_line(monkeypatch) -> None:
    monkeypatch.chdir(Path(__file__).parent)

    def refuse(args: pulumi.ResourceTransformArgs):
        raise ValueError(f"no owner for {args.name}")

    def program() -> None:
        pulumi.runtime.register_resource_transform(refuse)
        pulumi.CustomResource("test:index:Thing", "thing", {})

    with pytest.raises(ProgramError) as caught:
        record(program)
    assert (caught.value.message, caught.value.kind, caught.value.path, caught.value.line) == (
        "no owner for thing", "ValueError", Path("test_transforms.py"), refuse.__code__.co_firstlineno + 1)


def _estimate_of_one_instance(transform=None):
    def program() -> None:
        if transform is not None:
            pulumi.runtime.register_resource_transform(transform)
        INSTANCE("trainer", instance_type="g6e.2xlarge", ami="ami-0123456789abcdef0")

    run = record(program, config={"aws:region": "us-west-2"})
    urn = PREFIX + "aws:ec2/instance:Instance::trainer"
    return inputs_of(run, "trainer")["instanceType"], estimate_plan(views_from_run(run)).resources[urn]


def test_a_transform_that_changes_the_instance_type_is_what_gets_estimated() -> None:
    def bigger(args: pulumi.ResourceTransformArgs):
        if args.type_ == "aws:ec2/instance:Instance":
            return pulumi.ResourceTransformResult({**args.props, "instanceType": "p5.48xlarge"}, args.opts)
        return None

    declared_type, declared = _estimate_of_one_instance()
    transformed_type, transformed = _estimate_of_one_instance(bigger)
    assert (declared_type, declared.instance_type, declared.gpus) == ("g6e.2xlarge", "g6e.2xlarge", 1)
    assert (transformed_type, transformed.instance_type, transformed.gpus) == ("p5.48xlarge", "p5.48xlarge", 8)
    assert transformed.monthly_usd is not None and transformed.monthly_usd > 10 * declared.monthly_usd


# --- invoke transforms (`register_invoke_transform`) -------------------------------------------------------


def test_invoke_transforms_rewrite_later_invokes_args_in_registration_order() -> None:
    seen: list = []

    def named(label: str, instance_type: str):
        def transform(args: pulumi.InvokeTransformArgs) -> pulumi.InvokeTransformResult:
            seen.append((label, args.token, dict(args.args)))
            return pulumi.InvokeTransformResult({**args.args, "instanceType": instance_type}, args.opts)
        return transform

    def program() -> None:
        before = pulumi_aws.ec2.get_instance_type(instance_type="t3.micro")
        pulumi.runtime.register_invoke_transform(named("first", "g6.xlarge"))
        pulumi.runtime.register_invoke_transform(named("second", "p5.48xlarge"))
        after = pulumi_aws.ec2.get_instance_type(instance_type="t3.micro")
        pulumi.CustomResource("test:index:Thing", "looked-up", {"before": before.instance_type,
                                                                 "after": after.instance_type})

    run = record(program, config={"aws:region": "us-west-2"})
    assert inputs_of(run, "looked-up") == {"before": "t3.micro", "after": "p5.48xlarge"}
    token = "aws:ec2/getInstanceType:getInstanceType"
    assert seen == [("first", token, {"instanceType": "t3.micro"}), ("second", token, {"instanceType": "g6.xlarge"})]


def test_an_invoke_transform_choosing_a_provider_is_answered_by_that_provider() -> None:
    def program() -> None:
        eu = pulumi_aws.Provider("eu", region="eu-north-1")
        home = pulumi_aws.get_region()
        pulumi.runtime.register_invoke_transform(
            lambda args: pulumi.InvokeTransformResult(args.args, pulumi.InvokeOptions(provider=eu)))
        moved = pulumi_aws.get_region()
        pulumi.CustomResource("test:index:Thing", "regions", {"home": home.region, "moved": moved.region})

    run = record(program, config={"aws:region": "us-west-2"})
    assert inputs_of(run, "regions") == {"home": "us-west-2", "moved": "eu-north-1"}
