"""record: a Python callable under the engine of run_program, with the exact graph it declares."""

import os
import sys
import warnings
from pathlib import Path

import pulumi
import pytest

from gpufleet.errors import Problem, UserError
from gpufleet.offline import ProgramError, StackSettings, record

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
PREFIX = "urn:pulumi:dev::rec::"
STACK = PREFIX + "pulumi:pulumi:Stack::rec-dev"
GROUP = PREFIX + "test:index:Group::group"
THING = PREFIX + "test:index:Group$test:index:Thing::thing"
DEFAULT = PREFIX + "pulumi:providers:test::default"


def declare_a_group() -> None:
    size = pulumi.Config().require_int("size")
    group = pulumi.ComponentResource("test:index:Group", "group")
    pulumi.CustomResource("test:index:Thing", "thing", {"size": size, "password": pulumi.Output.secret("hunter2")},
                          pulumi.ResourceOptions(parent=group, protect=True))
    pulumi.log.warn("thing is small")
    client = pulumi.runtime.invoke("azure-native:authorization:getClientConfig", {}).value
    pulumi.export("size", size)
    pulumi.export("tenant", client["tenantId"])


def test_the_callables_exact_resources_outputs_and_diagnostics() -> None:
    cwd, path, limit = os.getcwd(), list(sys.path), sys.getrecursionlimit()
    run = record(declare_a_group, config={"rec:size": "3"}, project="rec", stack="dev")
    assert [(r.urn, r.type, r.custom, r.parent, r.provider, r.inputs, r.protect, r.id) for r in run.resources] == [
        (STACK, "pulumi:pulumi:Stack", False, None, None, {}, False, None),
        (GROUP, "test:index:Group", False, STACK, None, {}, False, None),
        # The engine's default provider, just before its first user; inputs as sent on the wire.
        (DEFAULT, "pulumi:providers:test", True, None, None, {}, False, "default-id"),
        (THING, "test:index:Thing", True, GROUP, DEFAULT + "::default-id",
         {"size": 3.0, "password": {**SECRET, "value": "hunter2"}}, True, "thing-id"),
    ]
    assert (run.outputs, run.diagnostics, run.invokes) == (
        {"size": 3.0, "tenant": "00000000-0000-0000-0000-000000000001"},
        [{"severity": "warning", "message": "thing is small"}],
        ["azure-native:authorization:getClientConfig"],
    )
    assert run.settings == StackSettings(project="rec", project_dir=Path(cwd), stack="dev", config={"rec:size": "3"},
                                         secret_keys=frozenset(), main=Path("<declare_a_group>"))
    assert (os.getcwd(), sys.path, sys.getrecursionlimit()) == (cwd, path, limit)


def test_an_exception_the_callable_raises_becomes_a_program_error_at_its_line(monkeypatch) -> None:
    monkeypatch.chdir(Path(__file__).parent)  # the current directory stands for the project

    def program() -> None:
        pulumi.CustomResource("test:index:Thing", "before-failure", {})
        raise ValueError("boom")

    with pytest.raises(ProgramError) as caught:
        record(program)
    error = caught.value
    assert (error.message, error.kind, error.path, error.line) == (
        "boom", "ValueError", Path("test_record.py"), program.__code__.co_firstlineno + 2)
    assert type(error.__cause__) is ValueError


def test_a_user_error_the_callable_raises_passes_through_whole() -> None:
    problem = Problem(path="rec:gpus", message="must be at least 1", value=0)

    def program() -> None:
        raise UserError([problem], heading="invalid stack configuration")

    with pytest.raises(UserError) as caught:
        record(program)
    assert caught.value.problems == [problem]


def test_the_callable_runs_under_the_callers_warning_filters() -> None:
    def program() -> None:
        warnings.warn("tags will be required", FutureWarning)

    with pytest.raises(ProgramError) as caught:  # this test run makes warnings errors
        record(program)
    assert (caught.value.kind, caught.value.message) == ("FutureWarning", "tags will be required")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert record(program).diagnostics == [{"severity": "warning", "message": "FutureWarning: tags will be required"}]
