"""`gpufleet run TASK.yaml --dry-run`: the task's stack through the offline preview, with policies.

The task's own program (`task_program`) runs under the offline engine exactly as the Automation API
would run it; its resources are estimated and judged by the policy pack like any preview. The GPU node
group carries `max_hours` as its hours (tag `gpufleet-hours-per-month`), so the estimate of the stack
is the cost, energy and carbon of ONE run; `gpufleet.task.run` shows it from the catalog directly:
nodes × the node's hourly price × `max_hours`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpufleet.estimate import estimate_plan
from gpufleet.offline import record
from gpufleet.preview import PreviewResult, views_from_run
from gpufleet.tasks.plan import CONFIG_EXPIRES_AT, CONFIG_TASK, PROJECT, TAG_EXPIRES_AT, TaskPlan, timestamp
from gpufleet.tasks.program import NAMESPACE, QUEUE_LABEL, job_requests, task_program


@dataclass
class DryRun:
    plan: TaskPlan
    preview: PreviewResult

    def task_json(self) -> dict[str, Any]:
        plan, task, size = self.plan, self.plan.task, self.plan.size
        requests = job_requests(plan)
        return {
            "name": task.name,
            "stack": plan.stack_name,
            "request": {"gpu": task.gpu, "gpu_count": task.gpu_count, "memory_gib": task.memory_gib,
                        "max_hours": task.max_hours},
            "placement": {"objective": plan.placement.objective, **plan.decision.to_output()},
            "nodes": size.to_json(),
            "job": {
                "name": task.name, "namespace": NAMESPACE, "completions": size.workers, "parallelism": size.workers,
                "requests": requests, "limits": requests,
                "total_requests": {"nvidia.com/gpu": size.workers * size.gpus_per_worker,
                                   "memory": f"{size.workers * size.memory_mib_per_worker}Mi"},
                "queue": task.name if task.enable_gpu_software else None,
                "queue_label": QUEUE_LABEL if task.enable_gpu_software else None,
                "active_deadline_seconds": round(task.max_hours * 3600),
            },
            "expiry": {"expires_at": timestamp(plan.expires_at),
                       "stack_config": {CONFIG_TASK: task.name, CONFIG_EXPIRES_AT: timestamp(plan.expires_at)},
                       "resource_tag": TAG_EXPIRES_AT},
            "run": plan.run_json(),
        }  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        doc = self.preview.to_json()
        doc["gpufleet"]["task"] = self.task_json()
        return doc


def dry_run(plan: TaskPlan, *, policy_pack: Path | None, policy_config_file: Path | None = None,
            in_process_policies: bool = False) -> DryRun:
    """Record the task's stack offline, estimate it and run the policy pack of the task's environment."""
    config = plan.stack_config
    run = record(task_program(plan), config=config, project=PROJECT, stack=plan.stack_name)
    result = PreviewResult(run=run, estimate=estimate_plan(views_from_run(run)))
    if policy_pack is not None:
        from gpufleet.policy.analyzer import analyze_over_grpc
        from gpufleet.policy.config import default_policy_config_path, load_policy_config
        from gpufleet.policy.inprocess import analyze_in_process

        path = policy_config_file or default_policy_config_path(policy_pack, plan.task.environment)
        result.policy_environment = path.stem
        analyze = analyze_in_process if in_process_policies else analyze_over_grpc
        result.violations = analyze(policy_pack, run, load_policy_config(path), project=PROJECT,
                                    stack=plan.stack_name, stack_config=config,
                                    config_source=str(path))
    return DryRun(plan, result)
