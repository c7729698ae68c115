"""What a change does to running GPU nodes and to storage: the report flags every change that rolls or
replaces GPU nodes, or replaces or deletes storage, with the GPUs affected.

- **deleted**: a GPU resource or a storage resource of the base is not in the head;
- **replaced**: an input the provider cannot update in place changed (`ResourceReader.replace_inputs`),
  a number it can only raise went down (`ResourceReader.replace_if_decreased`),
  or the Pulumi preview says it replaces the resource (`pulumi preview --json` steps);
- **rolled**: the nodes are recreated in place: an update that recreates them (`ResourceReader.roll_inputs`),
  a new version of the template they launch from (`ResourceReader.unversioned_inputs`), or a new
  instance type the provider updates in place.

An instance type change is named as such, replaced or rolled as its input says.

GPUs affected: the base's GPUs of the resource (what runs now); for storage, the base's GPUs in its
cloud and region (the nodes that can mount it). Unknown is shown as unknown, never 0. Everything is asked
of the resource types' readers: no cloud is named here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gpufleet.clouds import reader_for
from gpufleet.estimate.plan import index_views
from gpufleet.readers.base import Graph, ResourceReader
from gpufleet.readers.views import ResourceView, value_at, views_from_states
from gpufleet.report.plans import Plan

Effect = Literal["deleted", "replaced", "rolled"]
EFFECTS: tuple[Effect, ...] = ("deleted", "replaced", "rolled")  # most severe first
# Pulumi preview steps that replace a resource (`pulumi preview --json`).
_REPLACE_OPS = frozenset({"replace", "create-replacement", "delete-replaced"})


@dataclass(frozen=True)
class Disruption:
    name: str
    type: str
    effect: Effect
    why: str
    gpus: int | None  # GPUs on the nodes affected (base); for storage, the base's GPUs in its region
    storage: bool = False


def _key(urn: str) -> str:
    return urn.split("::", 1)[1] if "::" in urn else urn


class _Side:
    """One plan's views, graph and estimates, by URN without the stack part."""

    def __init__(self, plan: Plan) -> None:
        views = views_from_states(plan.states, config=plan.config)
        self.graph: Graph = index_views(views)
        self.views = {_key(v.urn): v for v in views}
        self.estimates = {_key(u): e for u, e in plan.estimate["estimates"].items()}
        self.replaced = {_key(s.urn) for s in plan.steps if s.op in _REPLACE_OPS}

    def gpus(self, key: str) -> int | None:
        """The GPUs of GPU capacity (`is_gpu`): None when its instance type's GPUs are unknown."""
        gpus = self.estimates[key].get("gpus")
        return None if gpus is None else int(gpus)

    def is_gpu(self, key: str) -> bool:
        """GPU capacity: GPUs counted, or an instance type not known to have none."""
        e = self.estimates.get(key)
        return e is not None and e.get("cloud") is not None and e.get("gpus") != 0

    def gpus_in(self, cloud: str, region: str) -> int | None:
        found = [e.get("gpus") for e in self.estimates.values()
                 if e.get("cloud") == cloud and (e.get("region") or "unknown") == region and e.get("gpus") != 0]
        return None if None in found else sum(int(g) for g in found)


def _changed_paths(paths: tuple[str, ...], base: ResourceView, head: ResourceView) -> list[str]:
    return [p for p in paths if value_at(base.inputs, *p.split(".")) != value_at(head.inputs, *p.split("."))]


def _decreased(paths: tuple[str, ...], base: ResourceView, head: ResourceView) -> list[tuple[str, float, float]]:
    """(path, base value, head value) for each number that went down; an unknown value is not compared."""
    out = []
    for p in paths:
        before, after = value_at(base.inputs, *p.split(".")), value_at(head.inputs, *p.split("."))
        if isinstance(before, (int, float)) and isinstance(after, (int, float)) and after < before:
            out.append((p, before, after))
    return out


def _template_changes(reader: ResourceReader, base: ResourceView, head: ResourceView) -> tuple[list[str], list[str]]:
    """(inputs that replace the template, inputs that make a new version of it)."""
    replaced = _changed_paths(reader.replace_inputs, base, head)
    inputs = set(base.inputs) | set(head.inputs)
    unversioned = reader.unversioned_inputs or ()
    versioned = sorted(k for k in inputs if not k.startswith("__") and k not in unversioned
                       and k not in reader.replace_inputs and base.inputs.get(k) != head.inputs.get(k))
    return replaced, versioned


def disruptions(base_plan: Plan, head_plan: Plan) -> list[Disruption]:
    base, head = _Side(base_plan), _Side(head_plan)
    found: dict[str, list[tuple[Effect, str]]] = {}

    def flag(key: str, effect: Effect, why: str) -> None:
        found.setdefault(key, []).append((effect, why))

    # Templates first: the capacity launching from a changed template is flagged with it.
    for key, b in base.views.items():
        h = head.views.get(key)
        reader = reader_for(b.type)
        if h is None or reader is None or reader.unversioned_inputs is None:
            continue
        replaced, versioned = _template_changes(reader, b, h)
        if not (replaced or versioned):
            continue
        users = [k for k, v in head.views.items() if k in base.views and (r := reader_for(v.type)) is not None
                 and (t := r.template(v, head.graph)) is not None and _key(t.urn) == key]
        for user in users:
            if not base.is_gpu(user):
                continue
            template = f"{b.type.rsplit(':', 1)[-1]} {b.urn.rsplit('::', 1)[-1]}"  # "LaunchTemplate train-lt"
            if replaced:
                flag(user, "replaced", f"{template} replaced ({', '.join(replaced)})")
            else:
                flag(user, "rolled", f"{template} changed: new version ({', '.join(versioned)})")

    for key, b in base.views.items():
        reader = reader_for(b.type)
        if reader is None:
            continue
        h = head.views.get(key)
        gpu, storage = base.is_gpu(key), reader.storage(b) is not None
        if not (gpu or storage):
            continue
        if h is None:
            flag(key, "deleted", "not in the head plan")
            continue
        replaced = _changed_paths(reader.replace_inputs, b, h)
        if gpu:
            before, after = base.estimates[key].get("instance_type"), (head.estimates.get(key) or {}).get("instance_type")
            if before != after:
                where = {path.split("[")[0] for path, _ in reader.instance_types(b.inputs)}
                flag(key, "replaced" if where & set(replaced) else "rolled",
                     f"instance type {before or 'unknown'} → {after or 'unknown'}")
                replaced = [p for p in replaced if p not in where]
        if replaced:
            flag(key, "replaced", f"{', '.join(replaced)} changed: the provider replaces it")
        shrunk = _decreased(reader.replace_if_decreased, b, h)
        for path, old, new in shrunk:
            flag(key, "replaced", f"{path} decreased ({old:,} → {new:,}): the provider cannot shrink it, "
                                  "it replaces it")
        if not (replaced or shrunk) and key in head.replaced:
            flag(key, "replaced", "the Pulumi preview replaces it")
        if gpu and (rolled := _changed_paths(reader.roll_inputs, b, h)):
            flag(key, "rolled", f"{', '.join(rolled)} changed: an update that recreates the nodes")

    out = []
    for key, effects in found.items():
        view = base.views[key]
        reader = reader_for(view.type)
        storage = not base.is_gpu(key)
        gpus = base.gpus_in(reader.cloud, reader.storage_region(view)) if storage else base.gpus(key)
        # One row per resource: its most severe effect, every reason in order.
        effect = next(e for e in EFFECTS if any(x == e for x, _ in effects))
        out.append(Disruption(view.urn.rsplit("::", 1)[-1], view.type, effect,
                              "; ".join(dict.fromkeys(why for _, why in effects)), gpus, storage))
    return sorted(out, key=lambda d: (EFFECTS.index(d.effect), d.storage, -(d.gpus or 0), d.name))


def gpus_text(d: Disruption) -> str:
    """The GPUs cell: a storage row counts the GPUs of its region (they overlap the nodes' rows)."""
    n = "unknown" if d.gpus is None else f"{d.gpus:,}"
    return f"{n} in its region" if d.storage else n


def summary(found: list[Disruption]) -> str:
    """"2 replaced, 1 rolled; 24 GPUs on those nodes; 1 storage resource replaced or deleted"."""
    nodes = [d for d in found if not d.storage]
    parts = []
    if nodes:
        counts = ", ".join(f"{n} {e}" for e in EFFECTS if (n := sum(1 for d in nodes if d.effect == e)))
        total = None if any(d.gpus is None for d in nodes) else sum(d.gpus or 0 for d in nodes)
        parts.append(f"GPU capacity {counts}: {'unknown' if total is None else f'{total:,}'} GPUs on those nodes")
    if stored := [d for d in found if d.storage]:
        counts = ", ".join(f"{n} {e}" for e in EFFECTS if (n := sum(1 for d in stored if d.effect == e)))
        parts.append(f"storage {counts}")
    return "; ".join(parts)
