"""Whole nodes for a task's GPUs, its workers (pods), and the memory check per node.

Nodes are whole: 30 GPUs on 8-GPU nodes take 4 nodes, and 2 GPUs are spare. The Job runs `workers`
pods of `gpus_per_worker` GPUs each, so exactly `gpu_count` GPUs are requested. Unless the task sets
`gpus_per_worker`, it is the largest divisor of `gpu_count` whose pods still pack into the nodes
(30 on 4 × 8 GPUs: 15 pods of 2, at most 4 on a node). The task's memory is spread evenly over its
pods, rounded up to whole MiB; the pods one node may hold must fit in that node's memory as the
catalog lists it (Kubernetes keeps some of it for the system, which the catalog does not say).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpufleet.catalog import InstanceType
from gpufleet.errors import Problem

MIB_PER_GIB = 1024


@dataclass(frozen=True)
class TaskSize:
    instance_type: str
    nodes: int
    gpus_per_node: int
    node_memory_gib: float
    gpu_count: int  # what the task asked for
    gpus_per_worker: int
    workers: int
    memory_mib_per_worker: int

    @property
    def provisioned_gpus(self) -> int:
        return self.nodes * self.gpus_per_node

    @property
    def spare_gpus(self) -> int:
        return self.provisioned_gpus - self.gpu_count

    @property
    def workers_per_node(self) -> int:
        """The most pods of the task the scheduler can put on one node."""
        return min(self.gpus_per_node // self.gpus_per_worker, self.workers)

    @property
    def memory_gib_per_node(self) -> float:
        """Memory the busiest node gives the task."""
        return self.workers_per_node * self.memory_mib_per_worker / MIB_PER_GIB

    def to_json(self) -> dict:
        return {
            "instance_type": self.instance_type, "nodes": self.nodes, "gpus_per_node": self.gpus_per_node,
            "provisioned_gpus": self.provisioned_gpus, "requested_gpus": self.gpu_count,
            "spare_gpus": self.spare_gpus, "node_memory_gib": self.node_memory_gib,
            "workers": self.workers, "gpus_per_worker": self.gpus_per_worker,
            "workers_per_node_max": self.workers_per_node, "memory_mib_per_worker": self.memory_mib_per_worker,
            "memory_gib_per_node_max": round(self.memory_gib_per_node, 3),
        }  # fmt: skip


def _packs(gpu_count: int, per_worker: int, nodes: int, gpus_per_node: int) -> bool:
    return per_worker <= gpus_per_node and nodes * (gpus_per_node // per_worker) >= gpu_count // per_worker


def default_gpus_per_worker(gpu_count: int, nodes: int, gpus_per_node: int) -> int:
    """The largest divisor of `gpu_count` whose pods pack into `nodes` nodes (1 always does)."""
    return next(d for d in range(min(gpu_count, gpus_per_node), 0, -1)
                if gpu_count % d == 0 and _packs(gpu_count, d, nodes, gpus_per_node))


def size_task(gpu_count: int, memory_gib: float, instance: InstanceType,
              gpus_per_worker: int | None = None, path: str = "task") -> tuple[TaskSize | None, list[Problem]]:
    """The task's nodes and workers on `instance`, or the problems that keep it from fitting."""
    nodes = math.ceil(gpu_count / instance.gpu_count)
    problems: list[Problem] = []
    per_worker = gpus_per_worker or default_gpus_per_worker(gpu_count, nodes, instance.gpu_count)
    if gpu_count % per_worker:
        problems.append(Problem(f"{path}.gpus_per_worker", f"must divide gpu_count ({gpu_count})", per_worker))
    elif not _packs(gpu_count, per_worker, nodes, instance.gpu_count):
        fits = [str(d) for d in range(instance.gpu_count, 0, -1)
                if gpu_count % d == 0 and _packs(gpu_count, d, nodes, instance.gpu_count)]
        problems.append(Problem(
            f"{path}.gpus_per_worker",
            f"{gpu_count // per_worker} pods of {per_worker} GPUs do not fit on {nodes} × {instance.name} "
            f"({instance.gpu_count} GPUs each)", per_worker, tuple(fits)))
    if problems:
        return None, problems
    workers = gpu_count // per_worker
    size = TaskSize(instance.name, nodes, instance.gpu_count, instance.memory_gib, gpu_count, per_worker, workers,
                    math.ceil(memory_gib * MIB_PER_GIB / workers))
    if size.memory_gib_per_node > instance.memory_gib:
        return None, [Problem(
            f"{path}.memory_gib",
            f"{size.workers_per_node} pod(s) of {size.memory_mib_per_worker} MiB need "
            f"{size.memory_gib_per_node:,.1f} GiB on one {instance.name}, which has {instance.memory_gib:g} GiB",
            memory_gib)]
    return size, []
