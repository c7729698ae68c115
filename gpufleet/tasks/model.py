"""The task file (TASK.yaml): one short-lived GPU job, typed and validated like the stack files.

`parse_task(raw)` checks structure (pydantic, `extra="forbid"`) and names against the catalog in one
pass and raises `UserError` listing every problem with its path (`task.candidates[0].regions[1]`), the
bad value, what is allowed and "did you mean". `read_task(path)` reads the file first through `gpufleet.files`
(bounded, YAML 1.2 as the Pulumi files are read) and reports an unreadable, oversized or malformed
file the same way (exit 2).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gpufleet.catalog import Catalog, Cloud, load_catalog
from gpufleet.catalog.model import partition_problem
from gpufleet.config import Candidate, Name, Objective, Owner, structural_problems
from gpufleet.errors import Problem, UserError, path_order, unknown_name
from gpufleet.files import load_yaml

ROOT = "task"
HEADING = "invalid task file"
MAX_HOURS = 730.0  # a month: the estimates' unit; longer work is a fleet, not a task
ONE_PLACE = "give `candidates` (clouds and regions) or `stack` (a fleet stack), not both"
OWNER = "give the `owner` (team, cost-center), or tags `team` and `cost-center`"


class _Model(BaseModel):
    # strict: a typed file is taken as written (`gpu_count: true` is not 1 GPU, `"8"` is not a number)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class TaskData(_Model):
    """Where the task's dataset lives: with its cloud, region and `max_distance_km`, placement keeps the
    GPUs near it. A plain string in the task file is the `uri` alone."""

    cloud: Cloud | None = None
    region: str | None = None
    uri: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="dataset location, passed to the container as GPUFLEET_DATA_URI")
    max_distance_km: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="GPUs at most this far from the data; absent: no limit")

    @model_validator(mode="after")
    def _located(self) -> "TaskData":
        if (self.cloud is None) != (self.region is None):
            raise ValueError("give both `cloud` and `region` of the data, or neither")
        if self.max_distance_km is not None and self.cloud is None:
            raise ValueError("`max_distance_km` needs the data's `cloud` and `region`")
        return self


class Task(_Model):
    name: Name
    environment: Name = Field(default="dev", description="the environment tag and policy configuration")
    owner: Owner | None = Field(default=None, description="team and cost-center; or give them in `tags`")
    tags: dict[str, str] = Field(default_factory=dict, description="extra tags on every taggable resource")
    gpu: str | None = Field(default=None, description="GPU model or family; absent: any GPU in the catalog")
    gpu_count: Annotated[int, Field(gt=0)]
    memory_gib: Annotated[float, Field(gt=0)] = Field(description="host memory for the whole task, GiB")
    gpus_per_worker: Annotated[int, Field(gt=0)] | None = Field(
        default=None, description="GPUs per pod; absent: the most that divides gpu_count and packs into the nodes")
    instance_type: str | None = Field(default=None, description="pin an instance type; else placement picks")
    min_gpus_per_node: Annotated[int, Field(gt=0)] | None = Field(
        default=None, description="only nodes with this many GPUs; absent: the GPU's largest node, up to gpu_count")
    high_bandwidth_fabric: bool = False
    capacity: Literal["on-demand", "spot"] = "on-demand"
    image: Annotated[str, Field(min_length=1)]
    command: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] = Field(
        description="the container's command; a string is split as a shell would split it (no shell runs)")
    data: TaskData | None = None
    max_hours: Annotated[float, Field(gt=0, le=MAX_HOURS)]
    objective: Objective = "balanced"
    max_cost_premium_percent: Annotated[float, Field(ge=0)] = 10.0
    candidates: Annotated[list[Candidate], Field(min_length=1)] | None = Field(
        default=None, description="absent (and no `stack`): every catalog region of the clouds gpufleet builds on")
    stack: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="a fleet stack whose clusters' regions the task may use")
    enable_gpu_software: bool = Field(default=True, description="GPU device plugin or operator, fabric plugin, Kueue")

    @field_validator("command", mode="before")
    @classmethod
    def _split_command(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return shlex.split(value)
        except ValueError as e:  # an unclosed quote
            raise ValueError(f"cannot split the command: {e}") from None

    @field_validator("data", mode="before")
    @classmethod
    def _uri_alone(cls, value: Any) -> Any:
        return {"uri": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_place_to_look(self) -> "Task":
        if self.candidates is not None and self.stack is not None:
            raise ValueError(ONE_PLACE)
        if self.owner is None and not (self.tags.get("team") and self.tags.get("cost-center")):
            raise ValueError(OWNER)
        return self

    @property
    def owner_or_tags(self) -> Owner:
        return self.owner or Owner(team=self.tags["team"], cost_center=self.tags["cost-center"])

    @property
    def owner_tags(self) -> dict[str, str]:
        owner = self.owner_or_tags
        return {**self.tags, "team": owner.team, "cost-center": owner.cost_center, "environment": self.environment}


def _path(loc: tuple[Any, ...]) -> str:
    out = ROOT
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _whole_file_problems(raw: dict) -> list[Problem]:
    """The model's own cross-field rules, checked on the raw file too: pydantic skips them when a field is
    wrong, and every problem is reported at once."""
    problems = []
    if raw.get("candidates") is not None and raw.get("stack") is not None:
        problems.append(Problem(ROOT, ONE_PLACE))
    tags = raw.get("tags") if isinstance(raw.get("tags"), dict) else {}
    if raw.get("owner") is None and not (tags.get("team") and tags.get("cost-center")):
        problems.append(Problem(ROOT, OWNER))
    return problems


def _catalog_problems(raw: dict, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    candidates = raw.get("candidates")
    for i, cand in enumerate(candidates if isinstance(candidates, list) else []):
        if not isinstance(cand, dict) or cand.get("cloud") not in ("aws", "azure", "gcp"):
            continue
        regions = cand.get("regions")
        for j, name in enumerate(regions if isinstance(regions, list) else []):
            if isinstance(name, str) and (p := catalog.check_region(_path(("candidates", i, "regions", j)),
                                                                    cand["cloud"], name)):
                problems.append(p)
    gpu = raw.get("gpu")
    if isinstance(gpu, str) and (p := catalog.check_gpu(_path(("gpu",)), gpu)):
        problems.append(p)
    pinned = raw.get("instance_type")
    if isinstance(pinned, str):
        it = catalog.instance_type(pinned)
        if it is None:
            problems.append(unknown_name(_path(("instance_type",)), "GPU instance type", pinned, catalog.instance_types))
        elif it.gpu_partition:
            problems.append(partition_problem(_path(("instance_type",)), it))
        elif isinstance(gpu, str) and it not in catalog.instance_types_for_gpu(gpu):
            problems.append(Problem(_path(("instance_type",)), f"{pinned} has {it.gpu_model} GPUs, not {gpu}", pinned))
    data = raw.get("data")
    if isinstance(data, dict) and data.get("cloud") in ("aws", "azure", "gcp") and isinstance(data.get("region"), str):
        if p := catalog.check_region(_path(("data", "region")), data["cloud"], data["region"]):
            problems.append(p)
    return problems


def parse_task(raw: Any, catalog: Catalog | None = None) -> Task:
    """Validate a task file's content; raise `UserError` with every problem found."""
    catalog = catalog or load_catalog()
    if raw is None:  # an empty file, or one of comments only
        raise UserError([Problem(ROOT, "the file is empty: a task file is a mapping of task settings (name, "
                                 "gpu_count, memory_gib, max_hours, image, command, …)")], heading=HEADING)
    if not isinstance(raw, dict):
        raise UserError([Problem(ROOT, "must be a mapping of task settings", type(raw).__name__)], heading=HEADING)
    problems = _whole_file_problems(raw) + _catalog_problems(raw, catalog)
    task = None
    try:
        task = Task.model_validate(raw)
    except ValidationError as e:
        problems = structural_problems(e, Task, _path) + problems
    if problems:
        unique = {p.render(): p for p in problems}  # a rule both the model and the raw check found, once
        raise UserError(sorted(unique.values(), key=path_order), heading=HEADING)
    assert task is not None
    return task


def read_task(path: Path, catalog: Catalog | None = None) -> Task:
    """Read and validate a task file; every problem with the file or its content raises `UserError`."""
    try:
        return parse_task(load_yaml(Path(path), heading=f"cannot read task file {path}"), catalog)
    except UserError as e:
        if e.heading == HEADING:
            raise UserError(e.problems, heading=f"{HEADING} {path}") from None
        raise
