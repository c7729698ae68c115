"""The lifecycle's interfaces on the real Pulumi Automation API (`pulumi.automation`).

It drives the Pulumi CLI: the `pulumi` binary must be on PATH, logged in to a backend (`pulumi login`,
or PULUMI_BACKEND_URL), with a secrets provider for that backend (PULUMI_CONFIG_PASSPHRASE for a
self-managed backend) and the cloud's credentials in the environment. See docs/tasks.md.
"""

from __future__ import annotations

import shutil
from typing import Any, Callable

import pulumi.automation as auto

from gpufleet.errors import Problem, UserError
from gpufleet.tasks.lifecycle import Emit
from gpufleet.tasks.plan import CONFIG_EXPIRES_AT, CONFIG_TASK, PROJECT


def require_cli() -> None:
    """A real run needs the Pulumi CLI; say so as a usage error (exit 2) instead of a traceback."""
    if shutil.which("pulumi") is None:
        raise UserError([Problem("pulumi", "the Pulumi CLI is not on PATH: a real run drives it through the "
                                           "Automation API (see docs/tasks.md); `--dry-run` needs no CLI")],
                        heading="cannot run the task")


class AutomationStack:
    def __init__(self, stack: auto.Stack) -> None:
        self._stack = stack
        self.name = stack.name

    def set_config(self, key: str, value: str) -> None:
        self._stack.set_config(key, auto.ConfigValue(value=value))
        if key in (CONFIG_TASK, CONFIG_EXPIRES_AT):
            try:  # also a stack tag where the backend keeps tags (Pulumi Cloud); config is what reap reads
                self._stack.set_tag(key, value)
            except auto.CommandError:
                pass

    def up(self, on_output: Emit) -> dict[str, Any]:
        # No colour codes in the output: gpufleet shows control characters in it escaped (they may come
        # from the program's values), which would make colours unreadable.
        result = self._stack.up(on_output=on_output, color="never")
        return {key: output.value for key, output in result.outputs.items()}

    def cancel(self) -> None:
        self._stack.cancel()

    def destroy(self, on_output: Emit) -> None:
        self._stack.destroy(on_output=on_output, color="never")


class AutomationWorkspace:
    """Every task stack lives in one Pulumi project, `gpufleet-tasks`, with an inline program."""

    def __init__(self) -> None:
        self._workspace = auto.LocalWorkspace(project_settings=auto.ProjectSettings(name=PROJECT, runtime="python"))

    def create_stack(self, name: str, program: Callable[[], None]) -> AutomationStack:
        return AutomationStack(auto.create_stack(name, project_name=PROJECT, program=program))

    def select_stack(self, name: str) -> AutomationStack:
        # Destroying needs no program: the state says what exists.
        return AutomationStack(auto.select_stack(name, project_name=PROJECT, program=lambda: None))

    def list_stacks(self) -> list[str]:
        return [summary.name for summary in self._workspace.list_stacks()]

    def stack_config(self, name: str) -> dict[str, str]:
        return {key: value.value for key, value in self._workspace.get_all_config(name).items()}

    def remove_stack(self, name: str) -> None:
        self._workspace.remove_stack(name)
