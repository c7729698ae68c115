"""Allocate, run, free: a task's stack goes up, its Job is awaited, and the stack is destroyed in `finally`.

The lifecycle talks to Pulumi through two small interfaces, `TaskWorkspace` and `TaskStack` (the
Automation API behind them is in `automation.py`; tests pass a stand-in that records calls):

1. create the task's stack and record its expiry in the stack's configuration (`gpufleet:expiresAt`,
   also tagged on every cloud resource), before anything is created;
2. `up` on a worker thread, streaming the engine's output (pulumi-kubernetes reports the Job's state
   until it completes or fails);
3. wait until the stack's expiry at most; on timeout or Ctrl-C, cancel the update and let it stop;
4. `finally`: destroy the stack and remove it — on success, failure, timeout and interrupt alike. If
   even that fails, the stack still carries its expiry and `gpufleet tasks --reap` destroys it later.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

from gpufleet.tasks.plan import CONFIG_EXPIRES_AT, CONFIG_TASK, TaskPlan, timestamp
from gpufleet.tasks.program import task_program

# After a cancel, how long the update may take to stop before the stack is destroyed anyway.
CANCEL_GRACE_SECONDS = 600.0

Emit = Callable[[str], Any]
Wait = Callable[[threading.Thread, float], bool]


class TaskStack(Protocol):
    """What the lifecycle needs of one Pulumi stack."""

    name: str

    def set_config(self, key: str, value: str) -> None: ...

    def up(self, on_output: Emit) -> dict[str, Any]: ...  # the stack's outputs

    def cancel(self) -> None: ...

    def destroy(self, on_output: Emit) -> None: ...


class TaskWorkspace(Protocol):
    """What the lifecycle needs of the project that holds every task stack."""

    def create_stack(self, name: str, program: Callable[[], None]) -> TaskStack: ...

    def select_stack(self, name: str) -> TaskStack: ...

    def list_stacks(self) -> list[str]: ...

    def stack_config(self, name: str) -> dict[str, str]: ...

    def remove_stack(self, name: str) -> None: ...


@dataclass
class TaskOutcome:
    stack: str
    status: str  # "succeeded", "failed", "timed out", "interrupted"
    message: str = ""
    destroyed: bool = False
    outputs: dict[str, Any] = field(default_factory=dict)


class TaskInterrupted(KeyboardInterrupt):
    """Ctrl-C during a task: its stack was destroyed (see `outcome.destroyed`) before this was raised."""

    def __init__(self, outcome: TaskOutcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def join(thread: threading.Thread, seconds: float) -> bool:
    """Wait for `thread` up to `seconds`; True when it has finished. Ctrl-C interrupts the wait."""
    thread.join(max(seconds, 0.0))
    return not thread.is_alive()


class _Up(threading.Thread):
    def __init__(self, stack: TaskStack, emit: Emit) -> None:
        super().__init__(name=f"gpufleet-task-{stack.name}", daemon=True)
        self.stack, self.emit = stack, emit
        self.outputs: dict[str, Any] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.outputs = self.stack.up(on_output=self.emit)
        except BaseException as e:  # noqa: BLE001 - reported by the lifecycle, which destroys the stack
            self.error = e


def _cancel(stack: TaskStack, worker: _Up, wait: Wait, emit: Emit) -> None:
    try:
        stack.cancel()
    except Exception as e:  # noqa: BLE001 - nothing to cancel, or the CLI stopped on the same Ctrl-C
        emit(f"cancel: {e}")
    if not wait(worker, CANCEL_GRACE_SECONDS):
        emit(f"the update of {stack.name} did not stop within {CANCEL_GRACE_SECONDS:g} s; destroying anyway")


def _free(workspace: TaskWorkspace, stack: TaskStack, expires_at: datetime, emit: Emit) -> tuple[bool, str]:
    emit(f"destroying stack {stack.name}")
    reap_later = f"It expires at {timestamp(expires_at)}; `gpufleet tasks --reap` destroys it then"
    try:
        stack.destroy(on_output=emit)
        workspace.remove_stack(stack.name)
    except KeyboardInterrupt:  # a second Ctrl-C: say what is left behind, then stop
        return False, f"the destroy of stack {stack.name} was interrupted. {reap_later}"
    except Exception as e:  # noqa: BLE001 - the user must hear that GPUs may still run
        return False, f"could not destroy stack {stack.name}: {e}. {reap_later}"
    return True, ""


def run_task(plan: TaskPlan, workspace: TaskWorkspace, *, emit: Emit = print, wait: Wait | None = None,
             now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> TaskOutcome:
    """Up, wait (`join` unless given), destroy. Returns how it ended; Ctrl-C raises `TaskInterrupted`
    after the destroy."""
    wait = wait or join
    stack = workspace.create_stack(plan.stack_name, task_program(plan))
    outcome = TaskOutcome(stack.name, "failed")
    worker: _Up | None = None
    try:
        for key, value in plan.stack_config.items():
            stack.set_config(key, value)
        worker = _Up(stack, emit)
        worker.start()
        if not wait(worker, (plan.expires_at - now()).total_seconds()):
            outcome.status = "timed out"
            outcome.message = f"the task did not finish before its expiry {timestamp(plan.expires_at)}"
            _cancel(stack, worker, wait, emit)
        elif worker.error is not None:
            outcome.message = f"the task failed: {worker.error}"
        else:
            outcome.status, outcome.outputs = "succeeded", worker.outputs
    except KeyboardInterrupt:
        outcome.status, outcome.message = "interrupted", "interrupted (Ctrl-C)"
        if worker is not None and worker.is_alive():
            _cancel(stack, worker, wait, emit)
    except Exception as e:  # noqa: BLE001 - e.g. the backend refused the configuration: still free
        outcome.message = f"the task could not start: {e}"
    finally:
        outcome.destroyed, problem = _free(workspace, stack, plan.expires_at, emit)
        if problem:
            outcome.message = f"{outcome.message}; {problem}" if outcome.message else problem
    if outcome.status == "interrupted":
        raise TaskInterrupted(outcome)
    return outcome


# --- listing and reaping -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskStackInfo:
    name: str
    task: str
    expires_at: datetime | None  # None: no (readable) expiry

    def state(self, now: datetime) -> str:
        if self.expires_at is None:
            return "no expiry"
        return "expired" if self.expires_at <= now else "running"


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # a time without a zone is no expiry


def task_stacks(workspace: TaskWorkspace) -> list[TaskStackInfo]:
    """Every task stack of the project (a stack with `gpufleet:task` in its configuration), by name."""
    out = []
    for name in sorted(workspace.list_stacks()):
        config = workspace.stack_config(name)
        if CONFIG_TASK in config:
            out.append(TaskStackInfo(name, config[CONFIG_TASK], _parse_time(config.get(CONFIG_EXPIRES_AT))))
    return out


def reap(workspace: TaskWorkspace, now: datetime, emit: Emit = print) -> tuple[list[str], list[str]]:
    """Destroy and remove every task stack whose expiry has passed: (reaped, failed with why)."""
    reaped, failed = [], []
    for info in task_stacks(workspace):
        if info.state(now) != "expired":
            continue
        assert info.expires_at is not None
        destroyed, problem = _free(workspace, workspace.select_stack(info.name), info.expires_at, emit)
        (reaped if destroyed else failed).append(info.name if destroyed else problem)
    return reaped, failed
