"""The lifecycle against a stand-in for the Automation API that records calls: the stack is destroyed on
success, failure, timeout and interrupt; reap finds exactly the expired stacks."""

from __future__ import annotations

import argparse
import threading
from datetime import datetime, timedelta, timezone

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.clouds import component_clouds
from gpufleet.commands.tasks import list_or_reap
from gpufleet.tasks.lifecycle import TaskInterrupted, join, reap, run_task, task_stacks
from gpufleet.tasks.model import parse_task
from gpufleet.tasks.plan import plan_task

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)
TASK = {"name": "finetune", "environment": "dev", "owner": {"team": "ml", "cost-center": "cc-1"}, "gpu": "H100",
        "gpu_count": 30, "memory_gib": 256, "instance_type": "p5.48xlarge", "image": "img", "command": ["train"],
        "max_hours": 12, "candidates": [{"cloud": "aws", "regions": ["us-east-1"]}]}
STACK = "finetune-20261130-010000"
CREATED = [("create", STACK), ("set_config", STACK, "gpufleet:task", "finetune"),
           ("set_config", STACK, "gpufleet:expiresAt", "2026-11-30T14:00:00Z"), ("up", STACK)]
FREED = [("destroy", STACK), ("remove", STACK)]


class StandInStack:
    """Records calls; `up` does what the test asks: return outputs, raise, or block until cancelled."""

    def __init__(self, workspace: StandInWorkspace, name: str) -> None:
        self.workspace, self.name = workspace, name
        self.cancelled = threading.Event()

    def set_config(self, key, value):
        self.workspace.calls.append(("set_config", self.name, key, value))
        if self.workspace.fail_config:
            raise RuntimeError("backend refused the configuration")
        self.workspace.config.setdefault(self.name, {})[key] = value

    def up(self, on_output):
        self.workspace.calls.append(("up", self.name))
        on_output("kubernetes:batch/v1:Job finetune-job creating (1s) Waiting for Job to complete")
        behaviour = self.workspace.up
        if behaviour == "block":
            assert self.cancelled.wait(30), "the lifecycle never cancelled the update"
            raise RuntimeError("update canceled")
        if isinstance(behaviour, BaseException):
            raise behaviour
        return {"task": {"name": "finetune"}}

    def cancel(self):
        self.workspace.calls.append(("cancel", self.name))
        self.cancelled.set()

    def destroy(self, on_output):
        self.workspace.calls.append(("destroy", self.name))
        if isinstance(self.workspace.fail_destroy, BaseException):
            raise self.workspace.fail_destroy
        if self.workspace.fail_destroy:
            raise RuntimeError("AccessDenied")


class StandInWorkspace:
    def __init__(self, up="ok", config=None, fail_config=False, fail_destroy=False):
        self.up, self.fail_config, self.fail_destroy = up, fail_config, fail_destroy
        self.config: dict[str, dict[str, str]] = dict(config or {})
        self.calls: list[tuple] = []
        self.programs: list = []

    def create_stack(self, name, program):
        self.calls.append(("create", name))
        self.programs.append(program)
        return StandInStack(self, name)

    def select_stack(self, name):
        self.calls.append(("select", name))
        return StandInStack(self, name)

    def list_stacks(self):
        return list(self.config)

    def stack_config(self, name):
        return dict(self.config[name])

    def remove_stack(self, name):
        self.calls.append(("remove", name))
        self.config.pop(name, None)


@pytest.fixture(scope="module")
def plan():
    return plan_task(parse_task(TASK), load_catalog(), component_clouds(), NOW)


def run(plan, workspace, wait=join):
    lines: list[str] = []
    outcome = run_task(plan, workspace, emit=lines.append, wait=wait, now=lambda: NOW)
    return outcome, lines


def test_success_destroys_the_stack_and_returns_its_outputs(plan):
    workspace = StandInWorkspace()
    outcome, lines = run(plan, workspace)
    assert workspace.calls == CREATED + FREED
    assert (outcome.status, outcome.destroyed, outcome.outputs, outcome.message) == (
        "succeeded", True, {"task": {"name": "finetune"}}, "")
    assert lines == ["kubernetes:batch/v1:Job finetune-job creating (1s) Waiting for Job to complete",
                     f"destroying stack {STACK}"]


def test_failure_destroys_the_stack(plan):
    workspace = StandInWorkspace(up=RuntimeError("Job finetune failed: BackoffLimitExceeded"))
    outcome, _ = run(plan, workspace)
    assert workspace.calls == CREATED + FREED
    assert (outcome.status, outcome.destroyed, outcome.message) == (
        "failed", True, "the task failed: Job finetune failed: BackoffLimitExceeded")


def test_timeout_cancels_the_update_then_destroys_the_stack(plan):
    waits: list[float] = []

    def deadline_passes_at_once(thread, seconds):
        waits.append(seconds)
        return False if len(waits) == 1 else join(thread, 30)

    workspace = StandInWorkspace(up="block")
    outcome, _ = run(plan, workspace, wait=deadline_passes_at_once)
    assert workspace.calls == CREATED + [("cancel", STACK)] + FREED
    assert waits == [13 * 3600.0, 600.0]  # until the expiry (12 h + 1 h margin), then the cancel's grace
    assert (outcome.status, outcome.destroyed, outcome.message) == (
        "timed out", True, "the task did not finish before its expiry 2026-11-30T14:00:00Z")


def test_interrupt_cancels_destroys_then_raises(plan):
    waits: list[float] = []

    def ctrl_c(thread, seconds):
        waits.append(seconds)
        if len(waits) == 1:
            raise KeyboardInterrupt
        return join(thread, 30)

    workspace = StandInWorkspace(up="block")
    with pytest.raises(TaskInterrupted) as e:
        run(plan, workspace, wait=ctrl_c)
    assert workspace.calls == CREATED + [("cancel", STACK)] + FREED
    assert (e.value.outcome.status, e.value.outcome.destroyed) == ("interrupted", True)


def test_a_stack_that_cannot_even_be_configured_is_still_removed(plan):
    workspace = StandInWorkspace(fail_config=True)
    outcome, _ = run(plan, workspace)
    assert workspace.calls == [("create", STACK), ("set_config", STACK, "gpufleet:task", "finetune")] + FREED
    assert (outcome.status, outcome.message) == ("failed", "the task could not start: backend refused the configuration")


def test_a_failed_destroy_is_reported_with_the_expiry_and_the_reaper(plan):
    workspace = StandInWorkspace(fail_destroy=True)
    outcome, _ = run(plan, workspace)
    assert workspace.calls == CREATED + [("destroy", STACK)]
    assert (outcome.status, outcome.destroyed) == ("succeeded", False)
    assert outcome.message == (f"could not destroy stack {STACK}: AccessDenied. It expires at 2026-11-30T14:00:00Z; "
                               "`gpufleet tasks --reap` destroys it then")


def test_a_second_ctrl_c_during_the_destroy_says_what_is_left_behind(plan):
    def ctrl_c(thread, seconds):
        if seconds > 600:
            raise KeyboardInterrupt
        return join(thread, 30)

    workspace = StandInWorkspace(up="block", fail_destroy=KeyboardInterrupt())
    with pytest.raises(TaskInterrupted) as e:
        run(plan, workspace, wait=ctrl_c)
    assert workspace.calls == CREATED + [("cancel", STACK), ("destroy", STACK)]
    assert (e.value.outcome.destroyed, e.value.outcome.message) == (
        False, f"interrupted (Ctrl-C); the destroy of stack {STACK} was interrupted. It expires at "
               "2026-11-30T14:00:00Z; `gpufleet tasks --reap` destroys it then")


def test_the_stack_program_is_the_task_program(plan):
    workspace = StandInWorkspace()
    run(plan, workspace)
    assert workspace.programs[0].__qualname__ == "task_program.<locals>.program"


STACKS = {
    "a-expired": {"gpufleet:task": "a", "gpufleet:expiresAt": "2026-11-30T00:59:59Z"},
    "b-exactly-now": {"gpufleet:task": "b", "gpufleet:expiresAt": "2026-11-30T01:00:00Z"},
    "c-running": {"gpufleet:task": "c", "gpufleet:expiresAt": "2026-11-30T01:00:01Z"},
    "d-no-expiry": {"gpufleet:task": "d"},
    "e-unreadable": {"gpufleet:task": "e", "gpufleet:expiresAt": "tomorrow"},
    "f-naive-time": {"gpufleet:task": "f", "gpufleet:expiresAt": "2026-11-29T00:00:00"},
    "prod": {"gpufleet:fleet": "{}"},  # not a task stack
}


def test_reap_destroys_exactly_the_expired_task_stacks():
    workspace = StandInWorkspace(config=STACKS)
    reaped, failed = reap(workspace, NOW, emit=lambda _: None)
    assert (reaped, failed) == (["a-expired", "b-exactly-now"], [])
    assert workspace.calls == [("select", "a-expired"), ("destroy", "a-expired"), ("remove", "a-expired"),
                               ("select", "b-exactly-now"), ("destroy", "b-exactly-now"), ("remove", "b-exactly-now")]


def test_tasks_lists_every_task_stack_with_its_state(capsys):
    workspace = StandInWorkspace(config=STACKS)
    assert [(s.name, s.state(NOW)) for s in task_stacks(workspace)] == [
        ("a-expired", "expired"), ("b-exactly-now", "expired"), ("c-running", "running"),
        ("d-no-expiry", "no expiry"), ("e-unreadable", "no expiry"), ("f-naive-time", "no expiry")]
    assert list_or_reap(workspace, NOW, argparse.Namespace(reap=False, json_file=None)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "6 task stack(s)",
        "  a-expired  task a  expires 2026-11-30T00:59:59Z  expired",
        "  b-exactly-now  task b  expires 2026-11-30T01:00:00Z  expired",
        "  c-running  task c  expires 2026-11-30T01:00:01Z  running",
        "  d-no-expiry  task d  expires -  no expiry",
        "  e-unreadable  task e  expires -  no expiry",
        "  f-naive-time  task f  expires -  no expiry",
    ]
    assert workspace.calls == []


def test_reap_failure_exits_3_naming_the_stack(capsys):
    workspace = StandInWorkspace(config={"a-expired": STACKS["a-expired"]}, fail_destroy=True)
    assert list_or_reap(workspace, NOW, argparse.Namespace(reap=True, json_file=None)) == 3
    err = capsys.readouterr().err
    assert "error: could not destroy stack a-expired: AccessDenied. It expires at 2026-11-30T00:59:59Z" in err


def test_expiry_is_max_hours_plus_the_margin(plan):
    assert plan.expires_at - plan.started_at == timedelta(hours=13)
