"""A task's plan: where it runs (the fleet MILP and its explanations), on how many whole nodes, until when.

Everything here is decided before any stack exists, in plain Python: the task becomes a one-workload
fleet (`task_fleet`), placement chooses its cloud, region and instance type, sizing checks the nodes
and memory, and the expiry is fixed (now + `max_hours` + `EXPIRY_MARGIN_HOURS`). The same plan drives
the real run and the dry run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gpufleet.catalog import Catalog
from gpufleet.clouds import adapter as adapter_named
from gpufleet.config import Candidate, DataLocality, Fleet, Workload
from gpufleet.errors import Problem, UserError
from gpufleet.footprint import HOURS_PER_MONTH, Footprint, capacity_footprint
from gpufleet.placement import Placement, PlacementError, place
from gpufleet.placement.options import ranking_key
from gpufleet.tasks.model import ROOT, Task
from gpufleet.tasks.sizing import TaskSize, size_task

# Time to create the cluster before the task starts and to destroy it after: gpufleet's allowance,
# not a cloud figure. A stack older than its expiry is reaped by `gpufleet tasks --reap`.
EXPIRY_MARGIN_HOURS = 1.0
TAG_TASK = "gpufleet-task"
TAG_EXPIRES_AT = "gpufleet-expires-at"
CONFIG_TASK = "gpufleet:task"
CONFIG_EXPIRES_AT = "gpufleet:expiresAt"
PROJECT = "gpufleet-tasks"
# A task keeps its GPUs busy: one run's energy and carbon at full load (an upper bound).
TASK_UTILIZATION = 1.0


def expiry(now: datetime, max_hours: float) -> datetime:
    return (now + timedelta(hours=max_hours + EXPIRY_MARGIN_HOURS)).astimezone(timezone.utc).replace(microsecond=0)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z: `2026-11-30T13:00:00Z` (tag- and config-safe)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_timestamp(moment: datetime) -> str:
    """The expiry as a resource tag: ISO 8601's basic format in lower case, `20261130t130000z`, which every
    cloud's tags take, GCP labels included (lower-case letters, digits, '_' and '-' only)."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dt%H%M%Sz")


@dataclass(frozen=True)
class TaskPlan:
    task: Task
    fleet: Fleet  # the task as a one-workload fleet: what placement and the components take
    placement: Placement
    size: TaskSize
    started_at: datetime
    expires_at: datetime
    run: Footprint  # one run: the nodes for `max_hours`
    cloud_config: Mapping[str, str] = field(default_factory=dict)  # what the placed cloud's provider needs

    @property
    def stack_config(self) -> dict[str, str]:
        """The task stack's configuration: the task, its expiry (what the reaper reads) and the cloud's settings."""
        return {CONFIG_TASK: self.task.name, CONFIG_EXPIRES_AT: timestamp(self.expires_at), **self.cloud_config}

    @property
    def stack_name(self) -> str:
        return f"{self.task.name}-{self.started_at.astimezone(timezone.utc):%Y%m%d-%H%M%S}"

    @property
    def cluster_prefix(self) -> str:
        """Cloud names stay unique per run: two runs of one task never share a cluster name."""
        return f"{self.task.name}-{self.started_at.astimezone(timezone.utc):%m%d%H%M}"

    @property
    def decision(self):
        return self.placement.decisions[self.task.name]

    def run_json(self) -> dict:
        r = self.run
        return {"hours": self.task.max_hours, "nodes": r.nodes, "instance_type": r.instance_type,
                "usd_per_node_hour": r.usd_per_hour,
                "usd": None if r.monthly_usd is None else round(r.monthly_usd, 2),
                "kwh": None if r.monthly_kwh is None else round(r.monthly_kwh, 3),
                "kgco2e": None if r.monthly_kgco2e is None else round(r.monthly_kgco2e, 3),
                "utilization": TASK_UTILIZATION, "derivation": dict(r.derivation)}


def task_fleet(task: Task, candidates: list[Candidate], gpu: str, expires_at: datetime,
               instance_type: str | None = None) -> Fleet:
    """The task as a fleet of one workload (on `instance_type`, else the task's own pin), tagged with its
    name and expiry on every taggable resource."""
    data = task.data
    locality = (DataLocality(cloud=data.cloud, region=data.region, max_distance_km=data.max_distance_km)
                if data is not None and data.cloud is not None and data.region is not None else None)
    workload = Workload(
        name=task.name, kind="training", gpu=gpu, gpu_count=task.gpu_count,
        instance_type=instance_type or task.instance_type,
        high_bandwidth_fabric=task.high_bandwidth_fabric, capacity=task.capacity, utilization_percent=100.0,
        hours_per_month=min(task.max_hours, HOURS_PER_MONTH), data_locality=locality,
    )  # fmt: skip
    return Fleet(
        environment=task.environment, owner=task.owner_or_tags,
        tags={**task.tags, TAG_TASK: task.name, TAG_EXPIRES_AT: tag_timestamp(expires_at)},
        objective=task.objective, max_cost_premium_percent=task.max_cost_premium_percent, candidates=candidates,
        workloads=[workload], enable_gpu_software=task.enable_gpu_software,
    )  # fmt: skip


def _candidates(task: Task, program_dir: Path, catalog: Catalog, clouds: tuple[str, ...]) -> list[Candidate]:
    if task.candidates is not None:
        return list(task.candidates)
    if task.stack is None:
        # Every catalog region of the clouds (an owned site's cloud has none: its regions are a stack's sites).
        return [Candidate(cloud=cloud, regions=catalog.region_names(cloud)) for cloud in clouds
                if catalog.region_names(cloud)]
    from gpufleet.stacks import load_fleet  # reads the fleet stack only when the task names one

    _, fleet = load_fleet(program_dir, task.stack or "")
    placed = place(fleet, catalog, clouds=clouds)
    regions: dict[str, list[str]] = {}
    for decision in placed.decisions.values():
        regions.setdefault(decision.chosen.cloud, [])
        if decision.chosen.region not in regions[decision.chosen.cloud]:
            regions[decision.chosen.cloud].append(decision.chosen.region)
    return [Candidate(cloud=cloud, regions=names) for cloud, names in regions.items()]


def _gpus(task: Task, catalog: Catalog, clouds: tuple[str, ...]) -> list[str]:
    """The task's GPU, or every GPU family the clouds offer when it names none."""
    if task.gpu is not None:
        return [task.gpu]
    return sorted({it.gpu_family for it in catalog.instance_types.values()
                   if it.cloud in clouds and catalog.offered(it.name, it.cloud)})


def node_sizes(task: Task, gpu: str, catalog: Catalog, clouds: tuple[str, ...]) -> list[str | None]:
    """The instance types the task may run on: its pin; else the types of `gpu` with at least
    `min_gpus_per_node` GPUs per node — by default as many as the GPU's largest node has, up to
    `gpu_count`, so a multi-GPU task runs on as few nodes as it can (GPUs of one node talk over NVLink,
    not the network). None: leave the choice to placement (it explains why nothing fits)."""
    if task.instance_type is not None:
        return [None]
    # Only sizes the catalog offers somewhere can be placed; the others are known just to count GPUs.
    types = [t for t in catalog.instance_types_for_gpu(gpu, clouds) if catalog.offered(t.name, t.cloud)]
    if not types:
        return [None]
    least = task.min_gpus_per_node or min(task.gpu_count, max(t.gpu_count for t in types))
    return [t.name for t in types if t.gpu_count >= least] or [None]


def _place(task: Task, candidates: list[Candidate], catalog: Catalog, clouds: tuple[str, ...],
           expires_at: datetime) -> tuple[Fleet, Placement]:
    """The placement of the task: the best, by the objective, over its GPU families and node sizes."""
    placed: list[tuple[Fleet, Placement]] = []
    errors: list[PlacementError] = []
    # GPU families and node sizes of the clouds the task may use: another cloud's larger node is no default
    may_use = tuple(c for c in clouds if any(cand.cloud == c for cand in candidates)) or clouds
    for gpu in _gpus(task, catalog, may_use):
        for instance_type in node_sizes(task, gpu, catalog, may_use):
            fleet = task_fleet(task, candidates, gpu, expires_at, instance_type)
            try:
                placed.append((fleet, place(fleet, catalog, clouds=clouds)))
            except PlacementError as e:
                errors.append(e)
    if not placed:
        if len(errors) == 1:
            raise PlacementError([_task_path(p) for p in errors[0].problems], heading=errors[0].heading)
        raise PlacementError([Problem(f"{ROOT}.gpu", f"no GPU model or node size can host {task.gpu_count} GPUs "
                                                     "in the candidate regions; name a `gpu` and an "
                                                     "`instance_type` to see why", None)],
                             heading="no feasible placement")
    options = [p.decisions[task.name].chosen for _, p in placed]
    best = min(options, key=ranking_key(options, task.objective, task.max_cost_premium_percent))
    return placed[options.index(best)]


def _task_path(problem: Problem) -> Problem:
    """Placement names the fleet's paths; the user wrote a task file."""
    path = problem.path.replace("gpufleet:fleet.workloads[0]", ROOT).replace("gpufleet:fleet", ROOT)
    return Problem(path, problem.message, problem.value, problem.allowed, problem.suggestion)


def plan_task(task: Task, catalog: Catalog, clouds: tuple[str, ...], now: datetime,
              program_dir: Path = Path("."), environ: Mapping[str, str] = os.environ) -> TaskPlan:
    """Place and size the task; raise `UserError` (or `PlacementError`) naming what to change."""
    expires_at = expiry(now, task.max_hours)
    candidates = _candidates(task, program_dir, catalog, clouds)
    try:
        fleet, placement = _place(task, candidates, catalog, clouds, expires_at)
    except PlacementError as e:
        raise PlacementError([_task_path(p) for p in e.problems], heading=e.heading) from None
    chosen = placement.decisions[task.name].chosen
    cloud_config, problems = adapter_named(chosen.cloud).stack_config(f"{ROOT} (placed in {chosen.cloud} "
                                                                        f"{chosen.region})", environ)
    if problems:
        raise UserError(problems, heading="the task's stack cannot be configured")
    instance = catalog.instance_types[chosen.instance_type]
    size, problems = size_task(task.gpu_count, task.memory_gib, instance, task.gpus_per_worker, ROOT)
    if problems:
        fits = [it.name for it in catalog.instance_types_for_gpu(instance.gpu_family, clouds)
                if size_task(task.gpu_count, task.memory_gib, it, task.gpus_per_worker, ROOT)[0] is not None]
        if fits and any(p.path.endswith("memory_gib") for p in problems):
            problems.append(Problem(f"{ROOT}.instance_type", "pin an instance type whose nodes hold the memory",
                                    task.instance_type, tuple(fits)))
        raise UserError(problems, heading=f"the task does not fit on {chosen.nodes} × {instance.name}")
    assert size is not None
    run = capacity_footprint(catalog, chosen.cloud, chosen.region, chosen.instance_type, chosen.nodes,
                             hours=task.max_hours, utilization=TASK_UTILIZATION)
    return TaskPlan(task, fleet, placement, size, now, expires_at, run, cloud_config)
