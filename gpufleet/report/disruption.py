"""What a change does to running GPU nodes and to storage: the report flags every change that rolls or
replaces GPU nodes, or replaces or deletes storage, with the GPUs affected.

- **deleted**: a GPU resource or a storage resource of the base is not in the head;
- **replaced**: an input the provider cannot update in place changed (`ResourceReader.replace_inputs`),
  a number it can only raise went down (`ResourceReader.replace_if_decreased`),
  or the Pulumi preview says it replaces the resource (`pulumi preview --json` steps);
- **rolled**: the nodes are recreated in place: an update that recreates them (`ResourceReader.roll_inputs`),
  a new version of the template they launch from (`ResourceReader.unversioned_inputs`), or a new
  instance type the provider updates in place;
- **mixed**: the running nodes stay as they are, but nodes launched from now on (scaling, replacements)
  take the change, so the group runs two configurations (`ResourceReader.roll_effect`,
  `template_effect`: an auto scaling group without an instance refresh, or following "$Latest").

An instance type change is named as such, replaced or rolled as its input says. Capacity declared inside
another resource (an AKS cluster's `agentPoolProfiles`, a GKE cluster's `nodePools`) is judged by the
declaring resource's reader (`part_replace_inputs`, `part_roll_inputs`); when the declaring resource is
replaced, so is every part of it.

GPUs affected: the base's GPUs of the resource (what runs now); for storage, the base's GPUs in its
cloud and region (the nodes that can mount it). Unknown is shown as unknown, never 0. Everything is asked
of the resource types' readers: no cloud is named here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gpufleet.clouds import reader_for, with_inline_capacity
from gpufleet.estimate.plan import index_views
from gpufleet.readers.base import Graph, ResourceReader
from gpufleet.readers.views import ResourceView, value_at, views_from_states
from gpufleet.report import fmt
from gpufleet.report.plans import Plan

Effect = Literal["deleted", "replaced", "rolled", "mixed"]
EFFECTS: tuple[Effect, ...] = ("deleted", "replaced", "rolled", "mixed")  # most severe first
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
        views = with_inline_capacity(views_from_states(plan.states, config=plan.config))
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


def _within(path: str, paths: list[str]) -> bool:
    """`path` is one of `paths` or inside one ("nodeConfig.machineType" within "nodeConfig")."""
    return any(path == p or path.startswith(f"{p}.") for p in paths)


def _title(view: ResourceView) -> str:
    """"ManagedCluster aks": the type's last part and the resource's name."""
    return f"{view.type.rsplit(':', 1)[-1]} {view.name}"


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
            template = _title(b)  # "LaunchTemplate train-lt"
            effect, note = reader_for(head.views[user].type).template_effect(head.views[user], bool(replaced))
            change = f"replaced ({', '.join(replaced)})" if replaced else f"changed: new version ({', '.join(versioned)})"
            flag(user, effect, f"{template} {change}{note}")

    # Resources that declare capacity inline: replaced (their own inputs, or the Pulumi preview), they
    # replace every part; a part whose change replaces its declaring resource replaces its siblings too.
    parts: dict[str, list[str]] = {}
    for key, b in base.views.items():
        if b.part_of is not None and base.is_gpu(key):
            parts.setdefault(_key(b.part_of), []).append(key)
    replaced_parents: dict[str, str] = {}
    triggers: set[str] = set()  # parts whose own change replaces their declaring resource
    for parent_key, keys in parts.items():
        b, h = base.views.get(parent_key), head.views.get(parent_key)
        reader = reader_for(b.type) if b is not None else None
        if b is None or h is None or reader is None:
            continue  # its parts are not in the head plan: deleted, below
        if changed := _changed_paths(reader.replace_inputs, b, h):
            replaced_parents[parent_key] = f"{_title(b)} replaced ({', '.join(changed)} changed)"
        elif parent_key in head.replaced:
            replaced_parents[parent_key] = f"{_title(b)} replaced (the Pulumi preview replaces it)"

    for key, b in base.views.items():
        reader = reader_for(b.type)
        if reader is None:
            continue
        h = head.views.get(key)
        # A part that is storage is a disk its capacity's nodes get (a root or OS disk): it goes with its nodes,
        # whose row says what happens to them; it holds no data of its own to flag.
        gpu, storage = base.is_gpu(key), reader.storage(b) is not None and b.part_of is None
        if not (gpu or storage):
            continue
        if h is None:
            flag(key, "deleted", "not in the head plan")
            continue
        parent = base.views.get(_key(b.part_of)) if b.part_of is not None else None
        rules = reader_for(parent.type) if parent is not None else None
        if parent is not None and rules is not None:
            if (why := replaced_parents.get(_key(parent.urn))) is not None:
                flag(key, "replaced", why)
            replace_paths, roll_paths, how = rules.part_replace_inputs, rules.part_roll_inputs, rules.part_replace_reason
        else:
            replace_paths, roll_paths, how = reader.replace_inputs, reader.roll_paths(h), "the provider replaces it"
        replaced = _changed_paths(replace_paths, b, h)
        if replaced and rules is not None and rules.part_replaces_parent and parent is not None:
            replaced_parents.setdefault(_key(parent.urn), f"{_title(parent)} replaced ({h.name} changed)")
            triggers.add(key)
        if gpu:
            before, after = base.estimates[key].get("instance_type"), (head.estimates.get(key) or {}).get("instance_type")
            if before != after:
                where = {path.split("[")[0] for path, _ in reader.instance_types(b.inputs)}
                covered = any(_within(w, replaced) for w in where)
                flag(key, "replaced" if covered else "rolled", f"instance type {before or 'unknown'} → "
                     f"{after or 'unknown'}" + (f"; {how}" if covered and parent is not None else ""))
                replaced = [p for p in replaced if not any(_within(w, [p]) for w in where)]
        if replaced:
            flag(key, "replaced", f"{', '.join(replaced)} changed: {how}")
        shrunk = _decreased(reader.replace_if_decreased, b, h)
        for path, old, new in shrunk:
            flag(key, "replaced", f"{path} decreased ({old:,} → {new:,}): the provider cannot shrink it, "
                                  "it replaces it")
        if not (replaced or shrunk) and key in head.replaced:
            flag(key, "replaced", "the Pulumi preview replaces it")
        if gpu and (rolled := _changed_paths(roll_paths, b, h)):
            effect, why = reader.roll_effect(h) if parent is None else ("rolled", "an update that recreates the nodes")
            flag(key, effect, f"{', '.join(rolled)} changed: {why}")

    # A part that replaces its declaring resource takes its sibling parts with it.
    for parent_key, keys in parts.items():
        why = replaced_parents.get(parent_key)
        if why is not None:
            for key in keys:
                if key in head.views and key not in triggers and all(w != why for _, w in found.get(key, [])):
                    flag(key, "replaced", why)

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
        parts.append(f"GPU capacity {counts}: {fmt.count('unknown' if total is None else total, 'GPU')} on those nodes")
    if stored := [d for d in found if d.storage]:
        counts = ", ".join(f"{n} {e}" for e in EFFECTS if (n := sum(1 for d in stored if d.effect == e)))
        parts.append(f"storage {counts}")
    return "; ".join(parts)
