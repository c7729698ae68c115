"""Readers of Kubernetes objects (pulumi-kubernetes 4): what they ask of a cluster's GPUs.

Kubernetes objects run on nodes another resource pays for, so they are not capacity: a workload's
`nvidia.com/gpu` requests are GPU *demand* (shown next to the capacity, never priced). A
`LoadBalancer` service or a persistent volume claim makes the cloud create something billed. These
readers belong to no cloud adapter: the same objects run on every cloud's clusters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gpufleet.files import plain_number
from gpufleet.readers.base import ResourceReader, count, free_readers
from gpufleet.readers.views import ResourceView, get_known, is_unknown, value_at

CLOUD = "kubernetes"
GPU_RESOURCE = "nvidia.com/gpu"


@dataclass(frozen=True)
class GpuDemand:
    """GPUs a workload requests: per pod, and how many pods (None: unknown, e.g. one per node)."""

    gpus_per_pod: int | None
    pods: int | None
    note: str

    @property
    def gpus(self) -> int | None:
        return None if self.gpus_per_pod is None or self.pods is None else self.gpus_per_pod * self.pods


def _pod_gpus(spec: Any) -> int | None:
    """`nvidia.com/gpu` a pod spec's containers ask for (limits, else requests); None when unknown."""
    total = 0
    containers = get_known(spec, "containers") if isinstance(spec, dict) else None
    if not isinstance(containers, list):
        return None if is_unknown(containers) else 0
    for c in containers:
        resources = get_known(c, "resources") if isinstance(c, dict) else None
        value = None
        for kind in ("limits", "requests"):
            amounts = get_known(resources, kind) if isinstance(resources, dict) else None
            if isinstance(amounts, dict) and GPU_RESOURCE in amounts:
                value = amounts[GPU_RESOURCE]
                break
        if value is None:
            continue
        n = count(plain_number(value)) if isinstance(value, str) else count(value)
        if n is None:
            return None
        total += n
    return total


class Workload(ResourceReader):
    """A workload object: its pod template's GPU requests times its pods (`replicas` path, absent
    means `default`; None: the count is not the object's to say, as for a DaemonSet)."""

    cloud = CLOUD

    def __init__(self, type_: str, template: tuple[str, ...], replicas: tuple[str, ...] | None, default: int | None,
                 what: str) -> None:
        self.type, self.template, self.replicas, self.default, self.what = type_, template, replicas, default, what

    def gpu_demand(self, view: ResourceView) -> GpuDemand | None:
        per_pod = _pod_gpus(value_at(view.inputs, *self.template))
        if per_pod == 0:
            return None
        if self.replicas is None:
            return GpuDemand(per_pod, self.default, self.what)
        raw = value_at(view.inputs, *self.replicas)
        return GpuDemand(per_pod, self.default if raw is None else count(raw), self.what)


class Service(ResourceReader):
    type = "kubernetes:core/v1:Service"
    cloud = CLOUD

    def billable_reason(self, view: ResourceView) -> str | None:
        kind = value_at(view.inputs, "spec", "type")
        if kind == "LoadBalancer":
            return "a LoadBalancer service makes the cloud create a load balancer (hours and data); no price in the catalog"
        if is_unknown(kind):
            return "service type not known at preview (a LoadBalancer service creates a billed cloud load balancer)"
        return None


class _Billable(ResourceReader):
    cloud = CLOUD

    def __init__(self, type_: str, reason: str) -> None:
        self.type, self.billable = type_, reason


# Objects that only configure the cluster: free by themselves.
FREE: tuple[str, ...] = (
    "kubernetes:core/v1:Namespace", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ServiceAccount", "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kubernetes:core/v1:LimitRange",
    "kubernetes:core/v1:ResourceQuota", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:scheduling.k8s.io/v1:PriorityClass", "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    # Kueue's queues and flavors only admit jobs to capacity other resources pay for.
    "kubernetes:kueue.x-k8s.io/v1beta1:ResourceFlavor", "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue",
    "kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue",
)

READERS: list[ResourceReader] = [
    Workload("kubernetes:core/v1:Pod", ("spec",), None, 1, "a pod"),
    Workload("kubernetes:apps/v1:Deployment", ("spec", "template", "spec"), ("spec", "replicas"), 1, "replicas"),
    Workload("kubernetes:apps/v1:StatefulSet", ("spec", "template", "spec"), ("spec", "replicas"), 1, "replicas"),
    Workload("kubernetes:apps/v1:ReplicaSet", ("spec", "template", "spec"), ("spec", "replicas"), 1, "replicas"),
    Workload("kubernetes:batch/v1:Job", ("spec", "template", "spec"), ("spec", "parallelism"), 1, "parallel pods"),
    Workload("kubernetes:batch/v1:CronJob", ("spec", "jobTemplate", "spec", "template", "spec"),
             ("spec", "jobTemplate", "spec", "parallelism"), 1, "parallel pods while a run lasts"),
    Workload("kubernetes:apps/v1:DaemonSet", ("spec", "template", "spec"), None, None, "one pod per matching node"),
    Service(),
    _Billable("kubernetes:core/v1:PersistentVolumeClaim",
              "a claim makes the cloud provision a disk or file share; no price in the catalog"),
    *free_readers(CLOUD, FREE),
]
