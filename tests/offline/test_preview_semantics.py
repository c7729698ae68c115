"""The offline preview behaves as `pulumi preview` does on programs written by others (issue #16):
it never hangs, ids and cloud-computed outputs of resources being created are unknown, lookups that
depend on them are not made, and answers always fit the SDK's declared types."""

from pathlib import Path

import pytest

from gpufleet.offline import ProgramError, load_stack, run_program

PROGRAMS = Path(__file__).resolve().parent / "programs"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
REF = "4dabf18193072939515e22adb298388d"
RESOURCE_REFERENCE = "5cf8f73096256a8f31e491e813e4eb8e"


def _project(folder: Path, name: str, program: str) -> Path:
    """A project in `folder` whose dev stack has no configuration, running `program`."""
    (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
    (folder / "__main__.py").write_text(program)
    return folder


def test_resources_passed_to_multi_language_components_as_references_do_not_hang() -> None:
    run = run_program(load_stack(PROGRAMS / "component_refs", "dev"), stall_seconds=30)
    prefix = "urn:pulumi:dev::component-refs::"
    assert [(r.type, r.name, r.custom) for r in run.resources] == [
        ("pulumi:pulumi:Stack", "component-refs-dev", False),
        ("pulumi:providers:aws", "default_7_51_1", True),
        ("aws:iam/role:Role", "fn-role", True),
        ("aws:lambda/function:Function", "handler", True),
        ("aws-apigateway:index:RestAPI", "api", False),
        ("eks:index:Cluster", "gpu", False),
        ("eks:index:ManagedNodeGroup", "gpu-nodes", False),
    ]
    resources = {r.name: r for r in run.resources}
    # References travel as the engine receives them: the function has no id yet.
    assert resources["api"].inputs["routes"][0]["eventHandler"] == {
        REF: RESOURCE_REFERENCE, "id": UNKNOWN, "urn": prefix + "aws:lambda/function:Function::handler"}
    assert resources["gpu-nodes"].inputs["cluster"] == {REF: RESOURCE_REFERENCE, "urn": prefix + "eks:index:Cluster::gpu"}
    # Outputs of components the engine would construct remotely are unknown at preview.
    assert run.outputs == {"kubeconfig": UNKNOWN, "url": UNKNOWN}


def test_ids_outputs_and_lookups_of_resources_being_created_are_unknown() -> None:
    run = run_program(load_stack(PROGRAMS / "preview_semantics", "dev"))
    assert run.outputs == {
        "subscription": UNKNOWN,  # `group.id.apply(...)` did not run
        "identity": UNKNOWN,  # echoing a list of ids where the SDK declares a map would make the SDK raise
        "kubeconfig": UNKNOWN,  # the credentials lookup depends on the cluster: not made at preview
        "ami": "ami-f1678c4bd5fac1308",
    }
    assert run.lookups == {
        "aws:ec2/getAmi:getAmi": "plausible offline answer",
        "azure-native:containerservice:listManagedClusterUserCredentials": "unknown at preview",
    }
    cluster = next(r for r in run.resources if r.name == "aks")
    assert (cluster.id, cluster.inputs["identity"]) == (None, {"type": "UserAssigned", "userAssignedIdentities": [UNKNOWN]})


def test_a_program_waiting_on_an_export_that_never_resolves_is_stopped_and_says_so() -> None:
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(PROGRAMS / "stuck", "export"), stall_seconds=0.5)
    assert (caught.value.kind, caught.value.message) == (
        None, "the program made no progress for 0.5 s; it was waiting for the stack's outputs (an export whose value never resolves)")


def test_a_program_stuck_in_its_own_code_is_reported_at_its_line() -> None:
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(PROGRAMS / "stuck", "code"), stall_seconds=0.5)
    assert caught.value.message == (
        "the program made no progress for 0.5 s; it was waiting for the program's own code at __main__.py:9; "
        "the stack's outputs (an export whose value never resolves)")


@pytest.mark.parametrize(("second", "urn"), [
    ("aws.s3.Bucket('logs')", "aws:s3/bucket:Bucket::logs"),  # the same name and type twice
    ("aws.s3.Bucket.get('logs', 'logs-bucket')", "aws:s3/bucket:Bucket::logs"),  # read under a registered URN
    ("pulumi.StackReference('org/net/prod')", "pulumi:pulumi:StackReference::org/net/prod"),  # two references
    ("aws.s3.Bucket.get('logs', 'other-bucket')", "aws:s3/bucket:Bucket::logs"),  # read twice (first: a read too)
])
def test_a_urn_registered_twice_stops_the_program_as_the_engine_does(tmp_path: Path, second: str, urn: str) -> None:
    """The mock monitor replaced the first registration silently: a run no engine accepts read as one resource."""
    first = ("pulumi.StackReference('org/net/prod')" if "StackReference" in second else
             "aws.s3.Bucket.get('logs', 'logs-bucket')" if "other-bucket" in second else "aws.s3.Bucket('logs')")
    _project(tmp_path, "twice", f"import pulumi\nimport pulumi_aws as aws\n{first}\n{second}\n"
                                "aws.s3.BucketV2('logs')\n")  # another type, the same name: fine
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(tmp_path, "dev"))
    assert (caught.value.kind, caught.value.message, caught.value.path, caught.value.line) == (
        None, f"Duplicate resource URN 'urn:pulumi:dev::twice::{urn}'; try giving it a unique name", Path("__main__.py"), 4)


def test_children_of_two_components_of_one_type_with_one_name_are_a_duplicate(tmp_path: Path) -> None:
    """A child's URN carries its parents' types, not their names: the engine refuses the second child."""
    _project(tmp_path, "twice",
             "import pulumi\nimport pulumi_aws as aws\nfor team in ('a', 'b'):\n"
             "    c = pulumi.ComponentResource('my:index:Team', team)\n"
             "    aws.s3.Bucket('logs', opts=pulumi.ResourceOptions(parent=c))\n")
    with pytest.raises(ProgramError) as caught:
        run_program(load_stack(tmp_path, "dev"))
    assert (caught.value.message, caught.value.line) == (
        "Duplicate resource URN 'urn:pulumi:dev::twice::my:index:Team$aws:s3/bucket:Bucket::logs'; try giving it a "
        "unique name", 5)


def test_the_same_name_under_other_parents_or_types_is_not_a_duplicate(tmp_path: Path) -> None:
    _project(tmp_path, "twice",
             "import pulumi\nimport pulumi_aws as aws\nc = pulumi.ComponentResource('my:index:Team', 'a')\n"
             "aws.s3.Bucket('logs', opts=pulumi.ResourceOptions(parent=c))\naws.s3.Bucket('logs')\n"
             "aws.s3.BucketV2('logs')\n")
    run = run_program(load_stack(tmp_path, "dev"))
    assert [r.urn.split("::", 2)[2] for r in run.resources if r.name == "logs"] == [
        "my:index:Team$aws:s3/bucket:Bucket::logs", "aws:s3/bucket:Bucket::logs", "aws:s3/bucketV2:BucketV2::logs"]


def test_a_failed_run_leaves_no_tasks_behind(tmp_path: Path) -> None:
    """Its tasks stayed referenced (the SDK's settings, the error's frames) until a later run released them, then were
    collected wherever the collector next ran: inside `ast.parse`, CPython 3.11 raised SystemError."""
    import asyncio
    import gc

    _project(tmp_path, "fails",
             "import pulumi_aws as aws\nfor i in range(50):\n    aws.s3.Bucket(f'b{i}').arn.apply(lambda a: a)\n"
             "raise ValueError('the program fails')\n")
    gc.collect()
    before = sum(isinstance(o, asyncio.Task) for o in gc.get_objects())
    with pytest.raises(ProgramError):
        run_program(load_stack(tmp_path, "dev"))
    assert sum(isinstance(o, asyncio.Task) for o in gc.get_objects()) == before
