"""`gpufleet run` without --dry-run and `gpufleet tasks`: exit codes on every path (with the lifecycle's
stand-in workspace in place of the Automation API), the Automation API calls the real path makes, and a
task that borrows the regions of a fleet stack."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from test_lifecycle import StandInWorkspace

from gpufleet.cli import main
from gpufleet.tasks import automation

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tasks" / "train-30xh100.yaml"


@pytest.fixture
def workspace(monkeypatch):
    """`gpufleet run` and `gpufleet tasks` against a stand-in; returns a holder to set its behaviour."""
    holder = types.SimpleNamespace(workspace=StandInWorkspace())
    monkeypatch.setattr(automation, "require_cli", lambda: None)
    monkeypatch.setattr(automation, "AutomationWorkspace", lambda: holder.workspace)
    return holder


@pytest.mark.parametrize("up, code, status", [
    ("ok", 0, "succeeded"),
    (RuntimeError("Job finetune-llm failed"), 3, "failed: the task failed: Job finetune-llm failed"),
])
def test_run_exits_by_how_the_task_ended_and_always_destroys(workspace, capsys, up, code, status):
    workspace.workspace = StandInWorkspace(up=up)
    assert main(["run", str(EXAMPLE)]) == code
    calls = [c[0] for c in workspace.workspace.calls]
    assert calls[-2:] == ["destroy", "remove"]
    captured = capsys.readouterr()
    assert f"task finetune-llm: {status}; stack destroyed" in captured.out + captured.err
    assert "allocating stack finetune-llm-" in captured.out and "4 × p5.48xlarge (32 GPUs, 2 spare)" in captured.out


def test_a_mandatory_violation_allocates_nothing_and_exits_1(workspace, tmp_path, capsys):
    import yaml

    raw = {**yaml.safe_load(EXAMPLE.read_text()), "environment": "prod", "gpu_count": 600}
    path = tmp_path / "TASK.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert main(["run", str(path), "--fast-policies"]) == 1
    assert workspace.workspace.calls == []
    err = " ".join(capsys.readouterr().err.split())
    assert "nothing allocated: Policies (prod):" in err and "gpufleet-stack-gpu-quota" in err


def test_ctrl_c_during_a_run_destroys_then_exits_130(workspace, monkeypatch, capsys):
    from gpufleet.tasks import lifecycle

    join = lifecycle.join

    def ctrl_c(thread, seconds):
        if seconds > lifecycle.CANCEL_GRACE_SECONDS:  # the wait for the task, not the cancel's grace
            raise KeyboardInterrupt
        return join(thread, 30)

    monkeypatch.setattr(lifecycle, "join", ctrl_c)
    workspace.workspace = StandInWorkspace(up="block")
    assert main(["run", str(EXAMPLE)]) == 130
    assert [c[0] for c in workspace.workspace.calls][-3:] == ["cancel", "destroy", "remove"]
    assert "interrupted (Ctrl-C); stack destroyed" in capsys.readouterr().err


def test_tasks_json_to_stdout_and_reap(workspace, capsys):
    workspace.workspace = StandInWorkspace(config={
        "old": {"gpufleet:task": "a", "gpufleet:expiresAt": "2020-01-01T00:00:00Z"},
        "new": {"gpufleet:task": "b", "gpufleet:expiresAt": "2099-01-01T00:00:00Z"}})
    assert main(["tasks", "--json", "-", "--reap"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == [
        {"stack": "new", "task": "b", "expires_at": "2099-01-01T00:00:00Z", "state": "running"},
        {"stack": "old", "task": "a", "expires_at": "2020-01-01T00:00:00Z", "state": "expired"},
    ]
    assert out.err.splitlines() == ["destroying stack old", "reaped 1 expired task stack(s): old"]
    assert workspace.workspace.calls == [("select", "old"), ("destroy", "old"), ("remove", "old")]


class _Recorder:
    def __init__(self):
        self.calls = []


def test_the_real_path_calls_the_automation_api(monkeypatch):
    seen = _Recorder()

    class FakeStack:
        name = "finetune-20261130-010000"

        def set_config(self, key, value):
            seen.calls.append(("set_config", key, value.value, value.secret))

        def set_tag(self, key, value):
            seen.calls.append(("set_tag", key, value))

        def up(self, on_output, color):
            seen.calls.append(("up", on_output is not None, color))
            return types.SimpleNamespace(outputs={"task": types.SimpleNamespace(value={"name": "finetune"})})

        def cancel(self):
            seen.calls.append(("cancel",))

        def destroy(self, on_output, color):
            seen.calls.append(("destroy", color))

    class FakeWorkspace:
        def __init__(self, project_settings):
            seen.calls.append(("workspace", project_settings.name, project_settings.runtime))

        def list_stacks(self):
            return [types.SimpleNamespace(name="a"), types.SimpleNamespace(name="b")]

        def get_all_config(self, name):
            return {"gpufleet:task": types.SimpleNamespace(value="t")}

        def remove_stack(self, name):
            seen.calls.append(("remove", name))

    def create_stack(name, project_name, program):
        seen.calls.append(("create_stack", name, project_name, callable(program)))
        return FakeStack()

    def select_stack(name, project_name, program):
        seen.calls.append(("select_stack", name, project_name))
        return FakeStack()

    monkeypatch.setattr(automation.auto, "LocalWorkspace", FakeWorkspace)
    monkeypatch.setattr(automation.auto, "create_stack", create_stack)
    monkeypatch.setattr(automation.auto, "select_stack", select_stack)
    ws = automation.AutomationWorkspace()
    stack = ws.create_stack("finetune-20261130-010000", lambda: None)
    stack.set_config("gpufleet:expiresAt", "2026-11-30T14:00:00Z")
    assert stack.up(on_output=print) == {"task": {"name": "finetune"}}
    stack.cancel()
    stack.destroy(on_output=print)
    ws.select_stack("old")
    assert ws.list_stacks() == ["a", "b"] and ws.stack_config("a") == {"gpufleet:task": "t"}
    ws.remove_stack("old")
    assert seen.calls == [
        ("workspace", "gpufleet-tasks", "python"),
        ("create_stack", "finetune-20261130-010000", "gpufleet-tasks", True),
        ("set_config", "gpufleet:expiresAt", "2026-11-30T14:00:00Z", False),
        ("set_tag", "gpufleet:expiresAt", "2026-11-30T14:00:00Z"),
        ("up", True, "never"), ("cancel",), ("destroy", "never"),
        ("select_stack", "old", "gpufleet-tasks"),
        ("remove", "old"),
    ]


def test_a_task_may_use_the_regions_of_a_fleet_stack(tmp_path, capsys):
    import yaml

    raw = {**yaml.safe_load(EXAMPLE.read_text()), "stack": "prod"}
    for key in ("candidates", "data"):
        raw.pop(key)
    path = tmp_path / "TASK.yaml"
    path.write_text(yaml.safe_dump(raw))
    out_file = tmp_path / "out.json"
    assert main(["run", str(path), "--dry-run", "--no-policies", "--program", str(ROOT / "tests" / "placement" /
                                                                                      "project"),
                 "--json", str(out_file)]) == 0
    task = json.loads(out_file.read_text())["gpufleet"]["task"]
    # prod's clusters are in aws eu-north-1 and us-west-2 (gpufleet place prod); by cost the task takes
    # the cheaper of the two for 4 × p5.48xlarge, and names the other as its fallback.
    assert (task["placement"]["cloud"], task["placement"]["region"]) == ("aws", "us-west-2")
    assert [(o["cloud"], o["region"]) for o in task["placement"]["fallbacks"]] == [("aws", "eu-north-1")]
