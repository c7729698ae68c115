"""The stack as stack policies see it: estimator views of every resource, the plan estimate, and
the stack's own `gpufleet:fleet` budgets.

Cost and carbon come from `gpufleet.estimate` — the estimator `gpufleet preview` uses — applied to
the properties the engine sends, with each resource's provider properties for its region. So the
pack judges any Pulumi program by its inputs, and its totals equal the preview's.
"""

from __future__ import annotations

import functools
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from pulumi_policy.proxy import _DictProxy, _ListProxy

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.errors import UserError
from gpufleet.estimate import PlanEstimate, ResourceView, estimate_plan
from gpufleet.estimate.plan import ResourceEstimate, index_views
from gpufleet.clouds import with_inline_capacity
from gpufleet.readers.base import ONE_INSTANCE, Scaling

from gpufleet_policies._capacity import gpus_per_node, instance_type_fields, is_capacity, is_gpu_type, scaling
from gpufleet_policies._values import get, is_unknown, plain

CONFIG_KEY = "gpufleet:fleet"  # gpufleet.config.CONFIG_KEY, without importing its models up front


@dataclass(frozen=True)
class StackContext:
    """Who is being previewed: what the engine puts in the pack's environment."""

    project: str | None
    stack: str | None
    config: dict[str, Any]
    fleet: Any  # gpufleet.config.Fleet | None
    fleet_problem: str | None  # why a present gpufleet:fleet could not be used


def stack_context() -> StackContext:
    """From PULUMI_PROJECT, PULUMI_STACK and PULUMI_CONFIG, as the engine starts a policy pack."""
    raw = os.environ.get("PULUMI_CONFIG") or "{}"
    return _context(os.environ.get("PULUMI_PROJECT"), os.environ.get("PULUMI_STACK"), raw)


@functools.lru_cache(maxsize=8)
def _context(project: str | None, stack: str | None, raw_config: str) -> StackContext:
    try:
        config = json.loads(raw_config)
    except ValueError:
        config = {}
    if not isinstance(config, dict):
        config = {}
    fleet, problem = None, None
    value = config.get(CONFIG_KEY)
    if value is not None:
        from gpufleet.config import parse_fleet  # pydantic models: only imported for stacks that have a fleet

        try:
            fleet = parse_fleet(json.loads(value) if isinstance(value, str) else value)
        except (ValueError, UserError) as e:
            problem = e.render() if isinstance(e, UserError) else f"{CONFIG_KEY} is not valid JSON"
    return StackContext(project, stack, config, fleet, problem)


@dataclass(frozen=True)
class Limit:
    """A threshold and where it came from, for messages."""

    value: float
    source: str


def budget(config: dict[str, Any], key: str, fleet_budget: str) -> Limit | None:
    """A stack budget: the stack's own gpufleet:fleet budget when set, else the policy config's."""
    ctx = stack_context()
    if ctx.fleet is not None:
        own = getattr(ctx.fleet.budgets, fleet_budget)
        if own is not None:
            return Limit(float(own), f"{CONFIG_KEY}.budgets.{fleet_budget} of stack {ctx.stack or '?'}")
    value = config.get(key)
    if value is None:
        return None
    unused = "; the stack's gpufleet:fleet is not valid, so its budgets were not used" if ctx.fleet_problem else ""
    return Limit(float(value), f"policy config {key}{unused}")


@dataclass(frozen=True)
class StackPlan:
    """The stack indexed once for every stack policy: plain inputs and recovered ids by URN, estimator
    views and their graph, the plan estimate, and configuration resources by what they attach to."""

    resources: Sequence[Any]
    inputs: dict[str, dict[str, Any]]  # plain inputs by URN (shared: read, never modify)
    ids: dict[str, str]
    views: list[ResourceView]
    graph: dict[str, ResourceView]
    estimate: PlanEstimate
    catalog: Catalog
    _derived: dict = field(default_factory=dict, repr=False, compare=False)  # indexes and GPU groups, built on first use

    def attached(self, target: Any, types: frozenset[str], ref_key: str, target_names: set[str]) -> list[Any]:
        """Resources of `types` that configure `target` through `ref_key` (an S3 bucket's encryption or
        lifecycle configuration, an Azure account's management policy): by property dependency, or by
        the target's id or name when the reference is a plain string; in stack order."""
        by_dependency, by_reference = self._attachment_index(types, ref_key)
        found = set(by_dependency.get(target.urn, ()))
        for name in target_names:
            found.update(by_reference.get(name, ()))
        return [self.resources[i] for i in sorted(found)]

    def _attachment_index(self, types: frozenset[str], ref_key: str) -> tuple[dict, dict]:
        key = (types, ref_key)
        if key not in self._derived:
            by_dependency: dict[str, list[int]] = defaultdict(list)
            by_reference: dict[str, list[int]] = defaultdict(list)
            for i, r in enumerate(self.resources):
                if r.resource_type not in types:
                    continue
                for d in (r.property_dependencies or {}).get(ref_key) or []:
                    by_dependency[d.urn].append(i)
                ref = get(self.inputs[r.urn], ref_key)
                if isinstance(ref, str):
                    by_reference[ref].append(i)
            self._derived[key] = (by_dependency, by_reference)
        return self._derived[key]

    def names_of(self, resource: Any, *keys: str) -> set[str]:
        """Known strings that identify `resource`: its id (recovered) and the given name inputs."""
        props = self.inputs[resource.urn]
        names = {props.get(k) for k in keys} | {self.ids.get(resource.urn)}
        return {n for n in names if isinstance(n, str) and not is_unknown(n)}


def _resource_ids(resources: Sequence[Any], inputs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Resource ids, recovered from the properties that reference them.

    The Analyzer protocol carries no resource ids, but a node group's `launchTemplate.id` input that
    depends on exactly one resource is that resource's id; the estimator finds a launch template's
    instance type by id, exactly as the preview does with the ids it recorded.
    """
    ids: dict[str, str] = {}
    for r in resources:
        props = inputs[r.urn]
        for key, deps in (r.property_dependencies or {}).items():
            if len(deps) != 1:
                continue
            value = props.get(key)
            ref = value.get("id") if isinstance(value, dict) else value if key.endswith("Id") else None
            if isinstance(ref, str) and not is_unknown(ref):
                ids.setdefault(deps[0].urn, ref)
    return ids


# The plan of the last stack asked for, by its content. The in-process path gives every stack policy the
# same resource list; pulumi-policy's servicer (the pack process) builds a new list of new `PolicyResource`s
# for each policy from the same request, around the same properties objects in the pack's process
# (`_process.share_read_only_properties`) or equal ones: equal content, so the stack is indexed and
# estimated once per `AnalyzeStack` on both paths. The content string is written only when the resources
# do not hold the very objects of the last plan's.
_last: tuple[Sequence[Any], StackContext, list[str | None], StackPlan] | None = None


def stack_plan(resources: Sequence[Any]) -> StackPlan:
    """Views and estimates of every resource `AnalyzeStack` sent (pulumi_policy `PolicyResource`s),
    and of the GPU pools an AKS cluster declares inline (views `part_of` the cluster)."""
    global _last
    context = stack_context()
    if _last is not None and _last[0] is resources and _last[1] is context:
        return _last[3]
    content: list[str | None] = [None]  # written when first compared
    if _last is not None and _last[1] is context and (
            _same_objects(_last[0], resources) or _content_of(_last[0], _last[2]) == _content_of(resources, content)):
        plan = replace(_last[3], resources=resources)  # the same stack: its views, estimate and indexes
        content = _last[2]
    else:
        plan = _build(resources)
    _last = (resources, context, content, plan)
    return plan


def _same_objects(before: Sequence[Any], now: Sequence[Any]) -> bool:
    """Whether `now` is `before` rebuilt around the same properties objects (policies only read them, so
    their content is the same): each resource's URN, type, properties, provider properties and property
    dependencies."""
    return len(before) == len(now) and all(
        a.props is b.props and a.urn == b.urn and a.resource_type == b.resource_type
        and (a.provider.props if a.provider is not None else None) is (b.provider.props if b.provider is not None else None)
        and _dependencies(a) == _dependencies(b) for a, b in zip(before, now))


def _dependencies(r: Any) -> dict[str, list[str]]:
    return {k: [d.urn for d in deps] for k, deps in (r.property_dependencies or {}).items()}


def _content_of(resources: Sequence[Any], written: list[str | None]) -> str:
    if written[0] is None:
        written[0] = _content(resources)
    return written[0]


def _content(resources: Sequence[Any]) -> str:
    """What a plan is built from, as one string: each resource's URN, type, properties, provider properties
    and property dependencies. JSON, written by the C encoder straight from the runtime's proxies (faster
    than converting them to plain data first); true, 1 and 1.0 differ in it, as they may for a policy."""
    rows = [(r.urn, r.resource_type, r.props, r.provider.props if r.provider is not None else None,
             _dependencies(r)) for r in resources]
    try:
        return json.dumps(rows, default=_unproxied, check_circular=False)
    except (TypeError, ValueError):  # assets, archives, secrets: the slower way, which takes everything
        return repr([(urn, kind, plain(props), plain(provider), deps) for urn, kind, props, provider, deps in rows])


def _unproxied(value: Any) -> Any:
    if isinstance(value, (_DictProxy, _ListProxy)):
        return value["__target"]
    raise TypeError(type(value).__name__)


def _build(resources: Sequence[Any]) -> StackPlan:
    inputs = {r.urn: plain(r.props) for r in resources}
    ids = _resource_ids(resources, inputs)
    views = with_inline_capacity([
        ResourceView(urn=r.urn, type=r.resource_type, inputs=inputs[r.urn],
                     provider_inputs=plain(r.provider.props) if r.provider is not None else {}, id=ids.get(r.urn),
                     dependencies={k: tuple(d.urn for d in deps) for k, deps in (r.property_dependencies or {}).items()})
        for r in resources
    ])
    catalog = stack_catalog()
    return StackPlan(resources, inputs, ids, views, index_views(views), estimate_plan(views, catalog), catalog)


def stack_catalog() -> Catalog:
    """The catalog, with the stack's owned sites (its gpufleet:fleet `sites:`) as regions priced from the
    site's own figures, exactly as the preview and the program see them."""
    fleet = stack_context().fleet
    return load_catalog() if fleet is None else fleet.catalog(load_catalog())


@dataclass(frozen=True)
class GpuGroup:
    """A capacity resource with GPUs: its view, estimate, GPUs per node and scaling bounds."""

    view: ResourceView
    estimate: ResourceEstimate
    gpus_per_node: int | None
    scaling: Scaling | None

    @property
    def urn(self) -> str:
        """The resource to report against: the one that declares the group (an AKS cluster for its
        inline pools)."""
        return self.view.part_of or self.view.urn

    @property
    def name(self) -> str:
        return self.view.name

    @property
    def max_gpus(self) -> int | None:
        if self.gpus_per_node is None or self.scaling is None or self.scaling.max_nodes is None:
            return None
        return self.gpus_per_node * self.scaling.max_nodes

    def nodes(self, count: int) -> str:
        """"2 nodes of p5.48xlarge (8 GPUs each)"; a single instance is "1 instance of …"."""
        unit = "instance" if self.scaling is not None and self.scaling.max_path == ONE_INSTANCE else "node"
        each = f" ({self.gpus_per_node} GPU{'s' if self.gpus_per_node != 1 else ''} each)" if self.gpus_per_node else ""
        return f"{count} {unit}{'s' if count != 1 else ''} of {self.estimate.instance_type}{each}"


def gpu_groups(plan: StackPlan, findings: Any, *, unknown_type_is: str = "note") -> list[GpuGroup]:
    """The stack's GPU capacity. A capacity resource whose instance type is not known at preview may
    hold GPUs: it is noted as unverifiable (`unknown_type_is="note"`) or returned (`"group"`)."""
    key = ("gpu_groups", unknown_type_is)
    if key not in plan._derived:  # found once per plan, for every policy that asks
        plan._derived[key] = _gpu_groups(plan, unknown_type_is)
    groups, notes = plan._derived[key]
    for note in notes:
        findings.cannot_verify(note)
    return list(groups)


def _gpu_groups(plan: StackPlan, unknown_type_is: str) -> tuple[list[GpuGroup], list[str]]:
    out, notes = [], []
    for view in plan.views:
        if not is_capacity(view):
            continue
        estimate = plan.estimate.resources.get(view.urn)
        if estimate is None:
            continue  # capacity declared elsewhere (an ECS capacity provider backed by an auto scaling group)
        itype = estimate.instance_type
        if itype is None:
            declared = instance_type_fields(view.type, view.inputs)
            undetermined = any(is_unknown(v) for _, v in declared) or (
                not declared and get(view.inputs, "launchTemplate") is not None)
            if not undetermined:
                continue  # no instance type set: the cloud's default, a CPU type
            if unknown_type_is == "group":
                out.append(GpuGroup(view, estimate, None, scaling(view, plan.graph)))
            else:
                notes.append(f"{view.name}: instance type not known at preview")
            continue
        if not is_gpu_type(itype, plan.catalog):
            continue
        out.append(GpuGroup(view, estimate, gpus_per_node(estimate, plan.catalog), scaling(view, plan.graph)))
    return out, notes


def gpus_shown(estimate: ResourceEstimate) -> str:
    """A capacity's GPUs for a message: "32", "0–32" where it can scale above the nodes it is counted at
    (a pool that scales to zero), "?" when not known."""
    if estimate.gpus is None:
        return "?"
    scales = estimate.max_gpus is not None and estimate.max_gpus != estimate.gpus
    return f"{estimate.gpus}–{estimate.max_gpus}" if scales else f"{estimate.gpus}"


def unknown_part(group: GpuGroup) -> str:
    """What keeps a group's maximum GPU count unknown, for "cannot verify" notes."""
    if group.gpus_per_node is None:
        return f"GPUs per node ({group.estimate.instance_type} is not in the catalog)"
    return f"maximum node count ({group.scaling.max_path})" if group.scaling else "maximum node count"


def tags_of(view: ResourceView) -> dict[str, Any]:
    """A resource's own tags (maps, or the autoscaling group's list of {key, value})."""
    tags = get(view.inputs, "tags")
    if isinstance(tags, list):
        return {get(t, "key"): get(t, "value") for t in tags if isinstance(t, dict)}
    return tags if isinstance(tags, dict) else {}
