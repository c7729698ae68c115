"""run_program: the exact graph a program declares, as the engine would receive it."""

import asyncio
import contextlib
import gc
import os
import sys
from pathlib import Path

import pytest

from gpufleet.errors import Problem, UserError
from gpufleet.offline import ProgramError, ProgramRun, load_stack, run_program

PROGRAMS = Path(__file__).resolve().parent / "programs"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

AWS = "urn:pulumi:dev::aws-fleet::"
STACK = AWS + "pulumi:pulumi:Stack::aws-fleet-dev"
WEST = AWS + "pulumi:providers:aws::us-west-2"
NODE = AWS + "gpufleet:test:GpuNode::trainer"
SG = AWS + "gpufleet:test:GpuNode$aws:ec2/securityGroup:SecurityGroup::trainer-sg"
VM = AWS + "gpufleet:test:GpuNode$aws:ec2/instance:Instance::trainer-vm"
DEFAULT_AWS = AWS + "pulumi:providers:aws::default_7_51_1"
BUCKET = AWS + "aws:s3/bucket:Bucket::checkpoints"
ROLE = AWS + "aws:iam/role:Role::node-role"


@pytest.fixture(scope="module")
def aws_run() -> ProgramRun:
    return run_program(load_stack(PROGRAMS / "aws_fleet", "dev"))


def test_aws_resources_in_program_order_with_parents(aws_run: ProgramRun) -> None:
    assert [(r.urn, r.type, r.name, r.custom, r.parent) for r in aws_run.resources] == [
        (STACK, "pulumi:pulumi:Stack", "aws-fleet-dev", False, None),
        (WEST, "pulumi:providers:aws", "us-west-2", True, STACK),
        (NODE, "gpufleet:test:GpuNode", "trainer", False, STACK),
        (SG, "aws:ec2/securityGroup:SecurityGroup", "trainer-sg", True, NODE),
        (VM, "aws:ec2/instance:Instance", "trainer-vm", True, NODE),
        # The engine's default provider: unparented, recorded just before its first user.
        (DEFAULT_AWS, "pulumi:providers:aws", "default_7_51_1", True, None),
        (BUCKET, "aws:s3/bucket:Bucket", "checkpoints", True, STACK),
        (ROLE, "aws:iam/role:Role", "node-role", True, STACK),
    ]


def test_aws_provider_references(aws_run: ProgramRun) -> None:
    assert {r.urn: r.provider for r in aws_run.resources} == {
        STACK: None,
        WEST: None,
        NODE: None,
        # The component's `providers` flow to its children; a provider being created has no id yet.
        SG: WEST + "::" + UNKNOWN,
        VM: WEST + "::" + UNKNOWN,
        DEFAULT_AWS: None,
        BUCKET: DEFAULT_AWS + "::" + UNKNOWN,
        ROLE: DEFAULT_AWS + "::" + UNKNOWN,
    }


def test_aws_provider_inputs_explicit_and_default(aws_run: ProgramRun) -> None:
    resources = aws_run.by_urn()
    assert resources[WEST].inputs == {
        "region": "us-west-2",
        "skipCredentialsValidation": "false",  # the SDK sends provider inputs as strings
        "skipRegionValidation": "true",
        "version": "7.51.1",
    }
    assert resources[DEFAULT_AWS].inputs == {"region": "eu-north-1", "version": "7.51.1"}


def test_aws_instance_inputs_use_wire_names_and_keep_secrets(aws_run: ProgramRun) -> None:
    assert aws_run.by_urn()[VM].inputs == {
        "ami": "ami-0123456789abcdef0",
        "instanceType": "p5.48xlarge",
        "rootBlockDevice": {"volumeSize": 2048.0},
        "userData": {**SECRET, "value": "DB_PASSWORD=[secret]"},
        "vpcSecurityGroupIds": [UNKNOWN],  # the group is being created: no id at preview
    }


def test_aws_invokes_answered_from_the_providers_region_and_unknowns_kept(aws_run: ProgramRun) -> None:
    assert aws_run.by_urn()[ROLE].inputs == {
        "assumeRolePolicy": (
            '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
            '      "Action": "sts:AssumeRole",\n      "Principal": {\n        "Service": "ec2.amazonaws.com"\n'
            "      }\n    }\n  ]\n}"
        ),
        "tags": {"bucket": UNKNOWN},  # an output the fake cloud does not compute
    }
    assert aws_run.outputs["zones"] == ["us-west-2a", "us-west-2b", "us-west-2c"]


def test_aws_dependencies_and_options(aws_run: ProgramRun) -> None:
    resources = aws_run.by_urn()
    vm, bucket = resources[VM], resources[BUCKET]
    assert (vm.dependencies, vm.property_dependencies["vpcSecurityGroupIds"]) == ([SG], [SG])
    assert vm.property_dependencies["instanceType"] == []
    # depends_on=[component] expands to the component's children.
    assert bucket.dependencies == [VM, SG]
    assert resources[ROLE].property_dependencies == {"assumeRolePolicy": [], "tags": [BUCKET]}
    assert [r.urn for r in aws_run.resources if r.protect] == [VM]
    assert [r.urn for r in aws_run.resources if r.retain_on_delete] == [BUCKET]
    assert [r.urn for r in aws_run.resources if r.delete_before_replace] == []
    # The SDK sends the Bucket's v6 alias spec twice.
    assert bucket.aliases == [{"spec": {"type": "aws:s3/bucketV2:BucketV2", "parentUrn": ""}}] * 2
    assert (vm.id, resources[NODE].id, resources[STACK].id) == (None, None, None)  # created: no ids yet


def test_aws_stack_outputs(aws_run: ProgramRun) -> None:
    assert aws_run.outputs == {
        "zones": ["us-west-2a", "us-west-2b", "us-west-2c"],
        "roleArn": UNKNOWN,  # computed by the cloud when the role is created
        "instanceArn": UNKNOWN,
        "bucketName": "gpufleet-checkpoints",
        "dbPassword": {**SECRET, "value": "[secret]"},
    }


def test_aws_logs_and_warnings_become_diagnostics(aws_run: ProgramRun) -> None:
    assert aws_run.diagnostics == [
        {"severity": "warning", "message": "p5.48xlarge capacity is scarce in us-west-2"},
        {"severity": "warning", "message": "FutureWarning: tags will be required"},
    ]


def test_azure_cluster_with_client_config_invoke() -> None:
    run = run_program(load_stack(PROGRAMS / "azure_aks", "dev"))
    prefix = "urn:pulumi:dev::azure-aks::"
    group, cluster = prefix + "azure-native:resources:ResourceGroup::gpu", prefix + "azure-native:containerservice:ManagedCluster::aks"
    default = prefix + "pulumi:providers:azure-native::default_3_29_0"
    assert [(r.urn, r.provider) for r in run.resources] == [
        (prefix + "pulumi:pulumi:Stack::azure-aks-dev", None),
        (default, None),
        (group, default + "::" + UNKNOWN),
        (cluster, default + "::" + UNKNOWN),
    ]
    resources = run.by_urn()
    assert resources[default].inputs == {"location": "westeurope", "version": "3.29.0"}
    assert resources[cluster].inputs == {
        "agentPoolProfiles": [{"count": 1.0, "mode": "System", "name": "system", "vmSize": "Standard_D4s_v5"}],
        "dnsPrefix": "gpu",
        "identity": {"type": "SystemAssigned"},
        "resourceGroupName": "rg-gpu",  # the group's `name` output, taken from its resourceGroupName
        "tags": {"tenant": "00000000-0000-0000-0000-000000000001"},
    }
    assert resources[cluster].property_dependencies["resourceGroupName"] == [group]
    assert run.outputs == {"subscriptionId": "00000000-0000-0000-0000-000000000000", "clusterName": "aks"}


@pytest.mark.parametrize("stack", ["sync", "output"])
def test_a_lookup_without_a_written_answer_gets_placeholders_marked_as_looked_up_offline(stack: str) -> None:
    run = run_program(load_stack(PROGRAMS / "unanswerable", stack))
    assert (run.outputs, run.lookups) == (
        {"endpoint": "endpoint-looked-up-offline"},
        {"aws:eks/getCluster:getCluster": "placeholders shaped by the SDK's result type"},
    )


def test_the_programs_own_exception_with_its_file_and_line() -> None:
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(PROGRAMS / "boom", "dev"))
    error = caught.value
    assert (error.message, error.kind, error.path, error.line) == ("boom", "ValueError", Path("checks.py"), 2)
    assert str(error) == "checks.py:2: ValueError: boom"
    assert type(error.__cause__) is ValueError


def test_errors_the_program_logged_before_failing_are_part_of_the_error() -> None:
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(PROGRAMS / "boom", "logged"))
    error = caught.value
    assert str(error) == "__main__.py:15: RunError: invalid stack configuration\nboom:gpus: must be at least 1 (got 0)"
    assert error.diagnostics == [
        {"severity": "info", "message": "checking capacity"},
        {"severity": "error", "message": "boom:gpus: must be at least 1 (got 0)"},
    ]


def test_a_user_error_raised_by_the_program_passes_through_whole() -> None:
    with pytest.raises(UserError) as caught:
        run_program(load_stack(PROGRAMS / "boom", "usererror"))
    assert (caught.value.heading, caught.value.problems) == (
        "invalid stack configuration",
        [Problem(path="boom:gpus", message="must be at least 1", value=0)],
    )


def test_programs_run_back_to_back_each_with_its_own_modules_and_directory() -> None:
    cwd, path, limit, collector = os.getcwd(), list(sys.path), sys.getrecursionlimit(), gc.get_threshold()
    with pytest.raises(ProgramError):
        run_program(load_stack(PROGRAMS / "boom", "dev"))  # a failure leaves nothing behind
    seen = []
    for name in ("twin_a", "twin_b", "twin_a"):
        run = run_program(load_stack(PROGRAMS / name, "dev"))
        thing = run.resources[-1]
        seen.append((thing.name, thing.inputs, len(run.resources)))
    # Both twins `import naming`; each must get its own, run in its own directory.
    assert seen == [("a-thing", {"cwd": "twin_a"}, 3), ("b-thing", {"cwd": "twin_b"}, 3), ("a-thing", {"cwd": "twin_a"}, 3)]
    assert (os.getcwd(), sys.path, sys.getrecursionlimit()) == (cwd, path, limit)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (collector, 0)
    assert "naming" not in sys.modules and "checks" not in sys.modules


def test_runs_from_inside_a_running_event_loop() -> None:
    async def inside() -> ProgramRun:
        return run_program(load_stack(PROGRAMS / "twin_a", "dev"))

    assert [r.name for r in asyncio.run(inside()).resources] == ["twin-a-dev", "default", "a-thing"]


def test_the_runs_speed_ups_change_nothing_recorded(aws_run: ProgramRun, monkeypatch) -> None:
    """Without the early wait for outputs and the run's collector settings, the SDK's own end-of-program
    wait and Python's default collector record exactly the same run."""
    from gpufleet import pulumi_private
    from gpufleet.offline import runner

    async def the_sdks_own_wait() -> None:
        return None

    monkeypatch.setattr(pulumi_private, "drain_outputs", the_sdks_own_wait)
    monkeypatch.setattr(runner, "_collector_for_a_run", contextlib.nullcontext)
    plain = run_program(load_stack(PROGRAMS / "aws_fleet", "dev"))
    assert (plain.resources, plain.outputs, plain.diagnostics, plain.invokes, plain.lookups) == (
        aws_run.resources, aws_run.outputs, aws_run.diagnostics, aws_run.invokes, aws_run.lookups)


FAILED_LOOKUP = ("offline preview cannot answer invoke 'aws:index/getAvailabilityZones:getAvailabilityZones': the AWS "
                 "provider has no region (set `aws:region` in the stack configuration); run `pulumi preview` with cloud "
                 "credentials, or pass the value in through stack configuration")


def test_an_output_form_lookup_failing_inside_the_sdk_names_the_line_that_called_it() -> None:
    # The invoke fails on the event loop, where no frame of the program is: the line is where the
    # program called `get_availability_zones_output`, in its helper module.
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(PROGRAMS / "failing_lookup", "dev"))
    error = caught.value
    assert (error.message, error.kind, error.path, error.line) == (FAILED_LOOKUP, None, Path("network.py"), 8)
    assert str(error) == f"network.py:8: {FAILED_LOOKUP}"


def test_a_program_the_watchdog_abandoned_does_not_mislocate_the_next_programs_lookups() -> None:
    with pytest.raises(ProgramError):  # its thread never returns
        run_program(load_stack(PROGRAMS / "stuck", "code"), stall_seconds=0.5)
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(PROGRAMS / "failing_lookup", "dev"))
    assert (caught.value.path, caught.value.line) == (Path("network.py"), 8)


def test_user_position_is_the_innermost_frame_of_the_users_code(tmp_path, monkeypatch) -> None:
    """Asked at every resource's construction: the user's innermost frame from `_user_position`'s own up,
    or from a given frame; with `sys.tracebacklimit` set, only within the frames a traceback shows, as with
    the stack summary it was first written with (the same answers: this test passes on both)."""
    from gpufleet.offline.runner import _user_position

    user = tmp_path / "prog.py"
    user.write_text("def declare(ask):\n    return ask()\n\n\ndef outer(ask):\n    return declare(ask)\n")
    namespace: dict = {}
    exec(compile(user.read_text(), str(user), "exec"), namespace)

    def asked_here() -> str | None:
        return _user_position(tmp_path)

    assert namespace["outer"](asked_here) == "prog.py:2"  # declare(), innermost; not outer() at line 6
    assert namespace["outer"](lambda: _user_position(tmp_path, sys._getframe().f_back.f_back)) == "prog.py:6"
    assert _user_position(tmp_path) is None  # no frame of prog.py on this stack
    monkeypatch.setattr(sys, "tracebacklimit", 2, raising=False)  # _user_position's frame and asked_here's
    assert namespace["outer"](asked_here) is None
    monkeypatch.setattr(sys, "tracebacklimit", 3, raising=False)
    assert namespace["outer"](asked_here) == "prog.py:2"
