"""The task stack's Pulumi program: the placed cluster (with the GPU software stack) and the task's Job.

`task_program(plan)` returns the inline program the Automation API runs (and the dry run records).
The cluster comes from the components, exactly as a fleet's would (`declare_fleet`); the Job runs
`workers` pods of `gpus_per_worker` GPUs (an Indexed Job: each pod knows its index), requests and is
limited to `nvidia.com/gpu` and memory, tolerates the GPU taint, runs only on the task's nodes, and
waits in the task's Kueue queue when the software stack is on. pulumi-kubernetes waits for a Job to
complete; its create timeout and the Job's `activeDeadlineSeconds` are `max_hours`.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import pulumi
import pulumi_kubernetes as kubernetes

from gpufleet.catalog import load_catalog
from gpufleet.placement.lock import LockedPlacement
from gpufleet.tasks.plan import TaskPlan, timestamp

NAMESPACE = "default"  # where the software stack's LocalQueues live
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
WORKLOAD_LABEL = "gpufleet.io/workload"
TASK_LABEL = "gpufleet.io/task"
EXPIRES_ANNOTATION = "gpufleet.io/expires-at"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def job_requests(plan: TaskPlan) -> dict[str, str]:
    """What each pod requests (and is limited to): its GPUs and its share of the task's memory."""
    return {"nvidia.com/gpu": str(plan.size.gpus_per_worker), "memory": f"{plan.size.memory_mib_per_worker}Mi"}


def job_spec(plan: TaskPlan) -> dict[str, Any]:
    task, size = plan.task, plan.size
    env = [{"name": "GPUFLEET_TASK", "value": task.name}]
    if task.data is not None and task.data.uri:
        env.append({"name": "GPUFLEET_DATA_URI", "value": task.data.uri})
    labels = {TASK_LABEL: task.name}
    spec: dict[str, Any] = {
        "completionMode": "Indexed",
        "completions": size.workers,
        "parallelism": size.workers,
        "backoffLimit": 0,  # a failed pod fails the task: its stack is freed, not retried at GPU prices
        "activeDeadlineSeconds": math.ceil(task.max_hours * 3600),
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "restartPolicy": "Never",
                "nodeSelector": {WORKLOAD_LABEL: task.name},
                "tolerations": [GPU_TOLERATION],
                "containers": [{
                    "name": "task", "image": task.image, "command": list(task.command), "env": env,
                    "resources": {"requests": job_requests(plan), "limits": job_requests(plan)},
                }],
            },
        },
    }  # fmt: skip
    if task.enable_gpu_software:
        spec["suspend"] = True  # Kueue admits it when the queue has the GPUs
    return spec


def job_metadata(plan: TaskPlan) -> dict[str, Any]:
    labels = {TASK_LABEL: plan.task.name}
    if plan.task.enable_gpu_software:
        labels[QUEUE_LABEL] = plan.task.name
    return {"name": plan.task.name, "namespace": NAMESPACE, "labels": labels,
            "annotations": {EXPIRES_ANNOTATION: timestamp(plan.expires_at)}}


def task_program(plan: TaskPlan) -> Callable[[], None]:
    """The inline program of the task's stack."""

    def program() -> None:
        from gpufleet.components.fleet import declare_fleet  # the components load the cloud SDKs

        catalog = load_catalog()
        # A task's stack is its own: its cluster is named by the task's prefix, never locked or renamed.
        names = {name: f"{plan.cluster_prefix}-{d.chosen.region}" for name, d in plan.placement.decisions.items()}
        clusters = declare_fleet(plan.fleet, LockedPlacement(plan.placement, frozenset(), names, catalog.version),
                                 catalog)
        (name, cluster), = clusters.items()
        kube = kubernetes.Provider(f"{name}-task-kubernetes", kubeconfig=cluster.kubeconfig)
        job = kubernetes.batch.v1.Job(
            f"{plan.task.name}-job", metadata=job_metadata(plan), spec=job_spec(plan),
            opts=pulumi.ResourceOptions(provider=kube, depends_on=[cluster],
                                        custom_timeouts=pulumi.CustomTimeouts(create=f"{math.ceil(plan.task.max_hours * 60)}m")))
        pulumi.export("task", {"name": plan.task.name, "cluster": name, "job": job.metadata.apply(lambda m: m.name if m else None),
                               "expires_at": timestamp(plan.expires_at), "nodes": plan.size.to_json()})
        pulumi.export("placement", plan.placement.to_output())

    return program
