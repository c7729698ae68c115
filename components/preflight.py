"""Preflight: turn component arguments into plans, or report every problem before anything is declared.

Each `plan_*` function checks one component's arguments against the catalog (SKU offered in the
region, fabric available for the SKU), the file-system product rules (throughput tiers, capacity
steps) and the cloud adapter's own refusals, and returns `(plan, problems)`. Every problem carries its
path, the bad value and what is allowed. Components call `require(...)`, which raises one
`InvalidArguments` listing them all — the SDK's `pulumi.InputPropertiesError` (per-property details
for every language) and a `UserError` (gpufleet's CLI: the problem list, exit 2); `plan_cluster`
checks a whole cluster at once.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from typing import Any, get_args

import pulumi
from pydantic import ValidationError

from gpufleet.catalog import Catalog, InstanceType, load_catalog
from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.file_systems import GIB_PER_TIB, FileSystemProduct
from gpufleet.clouds.plans import ClusterPlan, NetworkPlan, NodeGroupPlan, ReservationPlan, StoragePlan
from gpufleet.catalog.sites import with_sites
from gpufleet.clouds import adapter
from gpufleet.config import CapacityType, SiteFacts, structural_problems
from gpufleet.errors import Problem, UserError, did_you_mean, unknown_name

from gpufleet.components import args as A
from gpufleet.components.declarer import cloud_adapter, cloud_problem
from gpufleet.components.tags import REQUIRED_TAG_KEYS, tag_value

CAPACITY_TYPES: tuple[str, ...] = get_args(CapacityType)

DEFAULT_CAPACITY_TYPE = "on-demand"
DEFAULT_ROOT_VOLUME_GIB = 200
MIN_ROOT_VOLUME_GIB = 20
DEFAULT_THROUGHPUT_MB_S_PER_GPU = 250.0  # gpufleet design assumption, see StorageSpecArgs
DEFAULT_COLD_AFTER_DAYS = 30
DEFAULT_ARCHIVE_AFTER_DAYS = 180
DEFAULT_CIDR = "10.0.0.0/16"
CIDR_PREFIX_RANGE = (8, 18)  # room for the subnets the clouds carve out
MAX_HOURS_PER_MONTH = 730.0


class InvalidArguments(UserError, pulumi.InputPropertiesError):
    """A component's arguments are wrong. As `pulumi.InputPropertiesError` it carries one error per
    property (`errors`: wire property paths such as `nodeGroups[0].gpuCount`, relative to the
    component); as `UserError` its problems keep gpufleet's paths (`prod.node_groups[train].gpu_count`)."""

    def __init__(self, problems: list[Problem], heading: str, name: str, args: Mapping[str, Any]) -> None:
        UserError.__init__(self, problems, heading)
        self.message = heading  # what the SDK's provider server answers, beside the errors per property
        self.errors = [{"property_path": property_path(p.path, name, args), "reason": p.detail()} for p in problems]


_SEGMENT = re.compile(r"([^.\[]+)((?:\[[^\]]*\])*)")


def property_path(path: str, name: str, args: Mapping[str, Any]) -> str:
    """A problem's path as the component's input property path: without the component's name, keys
    in camelCase (the schema's names), list items by index (preflight names them by workload)."""
    rest = path.removeprefix(f"{name}.") if path != name else ""
    out, value, after_tags = [], args, False
    for key, brackets in _SEGMENT.findall(rest):
        wire = key if after_tags else re.sub(r"_([a-z0-9])", lambda m: m[1].upper(), key)
        after_tags = key == "tags"
        value = value.get(key) if isinstance(value, Mapping) else None
        for label in re.findall(r"\[([^\]]*)\]", brackets):
            items = value if isinstance(value, list) else []
            index = next((i for i, item in enumerate(items) if isinstance(item, Mapping) and item.get("workload") == label),
                         int(label) if label.isdigit() else None)
            value = items[index] if index is not None and index < len(items) else None
            wire += f"[{label if index is None else index}]"
        out.append(wire)
    return ".".join(out)


def require(result: tuple[Any, list[Problem]], heading: str, name: str, args: Mapping[str, Any]) -> Any:
    """The plan, or one `InvalidArguments` listing every problem of the component `name`'s `args`."""
    plan, problems = result
    if problems:
        raise InvalidArguments(problems, heading, name, args)
    return plan


# --- shared checks ----------------------------------------------------------------------------------


def with_site(args: Mapping[str, Any], path: str, catalog: Catalog) -> tuple[Catalog, list[Problem]]:
    """The catalog with the arguments' owned site (`site`) as a region of its cloud, where the cloud's
    regions are sites (`CloudAdapter.hosts_sites`); problems with the site otherwise."""
    cloud = adapter(args.get("cloud"))
    if cloud is None or not cloud.hosts_sites:
        return catalog, []
    raw = args.get("site")
    if raw is None:
        return catalog, [Problem(f"{path}.site", f"required on {cloud.name}: the owned site the cluster is")]
    try:
        site = SiteFacts.model_validate(raw)
    except ValidationError as e:
        return catalog, structural_problems(e, SiteFacts, lambda loc: f"{path}.site" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc))
    problems = []
    if args.get("region") != site.name:
        problems.append(Problem(f"{path}.region", "must be the site's name", args.get("region"), (site.name,)))
    return with_sites(catalog, cloud.name, [site.catalog_row()]), problems


def _missing(args: Mapping[str, Any], cls: type, path: str) -> list[Problem]:
    return [Problem(f"{path}.{key}", "required argument is missing") for key in sorted(cls.__required_keys__)
            if args.get(key) is None]


def _common_problems(args: Mapping[str, Any], args_type: type, path: str, catalog: Catalog
                     ) -> tuple[CloudAdapter | None, list[Problem]]:
    """What every component's preflight checks first: required arguments, owner tags, cloud and region.
    The cloud's adapter is None when the cloud or region is unusable (nothing more can be checked)."""
    problems = _missing(args, args_type, path) + tag_problems(f"{path}.tags", args.get("tags"))
    cloud_rules, found = _cloud_and_region(args, path, catalog)
    if cloud_rules is not None and isinstance(args.get("tags"), Mapping):
        problems += cloud_rules.tag_problems(f"{path}.tags", args["tags"])
    return cloud_rules, problems + found


def _cloud_and_region(args: Mapping[str, Any], path: str, catalog: Catalog) -> tuple[CloudAdapter | None, list[Problem]]:
    cloud = args.get("cloud")
    if problem := cloud_problem(f"{path}.cloud", cloud):
        return None, [problem]
    problems = []
    if problem := catalog.check_region(f"{path}.region", cloud, args.get("region")):
        problems.append(problem)
    return cloud_adapter(cloud), problems


def _inputs(cloud_rules: CloudAdapter, component: str, plan: Any, args: Mapping[str, Any], path: str,
            cloud: str) -> list[Problem]:
    return [Problem(f"{path}.{key}", f"required on {cloud}") for key in cloud_rules.required_inputs(component, plan)
            if args.get(key) is None]


def tag_problems(path: str, tags: object) -> list[Problem]:
    if not isinstance(tags, Mapping):
        return [Problem(path, "must be a mapping of tag names to values", type(tags).__name__)]
    problems = [Problem(f"{path}.{key}", "required tag is missing or empty") for key in REQUIRED_TAG_KEYS
                if not tags.get(key)]
    for key, value in tags.items():
        if not isinstance(value, str) or tag_value(value) != value:
            problems.append(Problem(f"{path}.{key}", "tag value must be text AWS and Azure accept: letters, "
                                    "digits, spaces and _ . : / = + - @, at most 256 characters", value))
    return problems


def _positive_int(args: Mapping[str, Any], key: str, path: str, default: int | None, minimum: int = 1
                  ) -> tuple[int | None, list[Problem]]:
    value = args.get(key, default)
    if value is None:
        return None, []
    if isinstance(value, float) and value.is_integer():
        # Other languages' numbers reach the component provider as protobuf doubles: 8 arrives as 8.0.
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        return None, [Problem(f"{path}.{key}", f"must be a whole number of at least {minimum}", value)]
    return value, []


def _number(args: Mapping[str, Any], key: str, path: str, low: float, high: float | None,
            low_inclusive: bool = True) -> tuple[float | None, list[Problem]]:
    value = args.get(key)
    if value is None:
        return None, []
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and \
        (value >= low if low_inclusive else value > low) and (high is None or value <= high)
    if not ok:
        bound = f"{'at least' if low_inclusive else 'more than'} {low:g}" + (f" and at most {high:g}" if high else "")
        return None, [Problem(f"{path}.{key}", f"must be a number {bound}", value)]
    return float(value), []


def _choice(path: str, kind: str, value: object, allowed: tuple[str, ...]) -> Problem | None:
    if value in allowed:
        return None
    return Problem(path, f"unknown {kind}", value, allowed, did_you_mean(value, allowed))


# --- node groups ------------------------------------------------------------------------------------


def _pick_instance_type(catalog: Catalog, cloud: str, region: str, gpu: str, gpu_count: int,
                        fabric_only: bool) -> InstanceType | None:
    """The offered type with the most GPUs per node that the request fills at least once (big jobs get
    big nodes, small jobs small ones); when every type is bigger than the request, the smallest."""
    offered = [it for it in catalog.instance_types_for_gpu(gpu, (cloud,))
               if catalog.offer(cloud, it.name, region) and (it.high_bandwidth or not fabric_only)]
    if not offered:
        return None
    return min(offered, key=lambda it: (it.gpu_count > gpu_count,
                                        -it.gpu_count if it.gpu_count <= gpu_count else it.gpu_count, it.name))


def _offering_regions(catalog: Catalog, cloud: str, types: list[InstanceType]) -> tuple[str, ...]:
    return tuple(sorted({o.region for it in types for o in catalog.offered(it.name, cloud)}))


def plan_node_group(spec: Mapping[str, Any], cloud: str, region: str, path: str,
                    catalog: Catalog | None = None) -> tuple[NodeGroupPlan | None, list[Problem]]:
    """Check one node group spec (`NodeGroupSpecArgs`) for `cloud` and `region`."""
    catalog = catalog or load_catalog()
    problems = _missing(spec, A.NodeGroupSpecArgs, path)
    if problem := cloud_problem(f"{path}.cloud", cloud):
        return None, problems + [problem]
    cloud_rules = cloud_adapter(cloud)
    region_ok = catalog.region(cloud, region) is not None

    gpu_count, found = _positive_int(spec, "gpu_count", path, None)
    problems += found
    capacity = spec.get("capacity_type", DEFAULT_CAPACITY_TYPE)
    if problem := _choice(f"{path}.capacity_type", "capacity type", capacity, CAPACITY_TYPES):
        problems.append(problem)

    reservation = None
    raw = spec.get("reservation")
    if raw is not None:
        if capacity != "reserved":
            problems.append(Problem(f"{path}.reservation", f"a reservation is only used with capacity_type "
                                    f"'reserved', not {capacity!r}"))
        kind_problem = _choice(f"{path}.reservation.kind", f"{cloud} reservation kind", raw.get("kind"),
                               cloud_rules.reservation_kinds)
        zone_problem = cloud_rules.zone_problem(f"{path}.reservation.zone", region, raw.get("zone")) if region_ok else None
        problems += [p for p in (kind_problem, zone_problem) if p]
        if not raw.get("id"):
            problems.append(Problem(f"{path}.reservation.id", "required argument is missing"))
        if not (kind_problem or zone_problem) and raw.get("id"):
            reservation = ReservationPlan(raw["kind"], raw["id"], raw["zone"])
    elif capacity == "reserved":
        problems.append(Problem(f"{path}.reservation", "capacity_type 'reserved' needs a reservation (kind, id, zone)"))

    zone = spec.get("zone")
    if zone is not None and region_ok:
        if problem := cloud_rules.zone_problem(f"{path}.zone", region, zone):
            problems.append(problem)
        elif reservation is not None and zone != reservation.zone:
            problems.append(Problem(f"{path}.zone", f"reservation {reservation.id} is in zone "
                                    f"{reservation.zone!r}: the node group and its placement group must be there",
                                    zone, (reservation.zone,)))
    if reservation is not None:
        zone = reservation.zone
    elif zone is None and region_ok:
        zone = cloud_rules.default_zone(region)

    # The instance type: pinned, or picked from the catalog's offers for the GPU.
    instance: InstanceType | None = None
    gpu, pinned, want_fabric = spec.get("gpu"), spec.get("instance_type"), spec.get("enable_fabric")
    if gpu is not None and (problem := catalog.check_gpu(f"{path}.gpu", gpu)):
        problems.append(problem)
        gpu = None
    if pinned is not None:
        if problem := catalog.check_instance_type(f"{path}.instance_type", cloud, pinned):
            problems.append(problem)
        else:
            instance = catalog.instance_types[pinned]
            if gpu is not None and instance not in catalog.instance_types_for_gpu(gpu, (cloud,)):
                problems.append(Problem(f"{path}.instance_type", f"{pinned} has {instance.gpu_model} GPUs, not {gpu}",
                                        pinned))
            elif region_ok and catalog.offer(cloud, pinned, region) is None:
                problems.append(Problem(f"{path}.region", f"{pinned} is not offered in this region", region,
                                        _offering_regions(catalog, cloud, [instance])))
    elif gpu is None:
        if spec.get("gpu") is None:
            problems.append(Problem(f"{path}.gpu", "required when instance_type is not given"))
    elif region_ok and gpu_count:
        instance = _pick_instance_type(catalog, cloud, region, gpu, gpu_count, want_fabric is True)
        if instance is None:
            types = [it for it in catalog.instance_types_for_gpu(gpu, (cloud,)) if it.high_bandwidth or not want_fabric]
            fabric = " with a high-bandwidth fabric" if want_fabric else ""
            problems.append(Problem(f"{path}.region", f"no {cloud} instance type with {gpu} GPUs{fabric} is offered "
                                    "in this region", region, _offering_regions(catalog, cloud, types)))

    enable_fabric = False
    if instance is not None:
        enable_fabric = bool(want_fabric)
        if enable_fabric and not instance.high_bandwidth:
            alternatives = tuple(sorted(it.name for it in catalog.instance_types_for_gpu(instance.gpu_family, (cloud,))
                                        if it.high_bandwidth and (not region_ok or catalog.offer(cloud, it.name, region))))
            problems.append(Problem(f"{path}.enable_fabric", f"{instance.name} has no high-bandwidth fabric "
                                    f"(interconnect: {instance.interconnect or 'unknown'})", True, alternatives))

    spot_price, found = _number(spec, "spot_max_price_usd_per_hour", path, -1, None)
    problems += found
    if spot_price is not None:
        if capacity != "spot":
            problems.append(Problem(f"{path}.spot_max_price_usd_per_hour", "only used with capacity_type 'spot'",
                                    spot_price))
        elif spot_price != -1 and spot_price <= 0:
            problems.append(Problem(f"{path}.spot_max_price_usd_per_hour",
                                    "must be -1 (cap at the on-demand price) or a price above 0", spot_price))
    root, found = _positive_int(spec, "root_volume_gib", path, DEFAULT_ROOT_VOLUME_GIB, MIN_ROOT_VOLUME_GIB)
    problems += found
    utilization, found = _number(spec, "utilization_percent", path, 0, 100)
    problems += found
    hours, found = _number(spec, "hours_per_month", path, 0, MAX_HOURS_PER_MONTH, low_inclusive=False)
    problems += found

    if instance is None or gpu_count is None or not region_ok:
        return None, problems
    nodes = math.ceil(gpu_count / instance.gpu_count)
    plan = NodeGroupPlan(
        cloud=cloud, region=region, workload=spec["workload"], instance=instance, gpu_count=gpu_count,
        nodes=nodes, min_nodes=0 if spec.get("scale_to_zero") else nodes, capacity_type=capacity,
        reservation=reservation, zone=zone, enable_fabric=enable_fabric, spot_max_price_usd_per_hour=spot_price,
        root_volume_gib=root, utilization_percent=utilization, hours_per_month=hours,
    )  # fmt: skip
    problems += cloud_rules.node_group_problems(plan, path)
    return (None if problems else plan), problems


def plan_gpu_node_group(args: Mapping[str, Any], path: str, catalog: Catalog | None = None
                        ) -> tuple[NodeGroupPlan | None, list[Problem]]:
    """Preflight of `GpuNodeGroup`: the spec, the tags and the cloud's required inputs."""
    catalog, site_problems = with_site(args, path, catalog or load_catalog())
    cloud_rules, problems = _common_problems(args, A.GpuNodeGroupArgs, path, catalog)
    problems += site_problems
    if cloud_rules is None:
        return None, problems
    plan, spec_problems = plan_node_group(args, args["cloud"], args.get("region"), path, catalog)
    problems += [p for p in spec_problems if p not in problems] + cloud_rules.argument_problems(path, args)
    if plan is not None:
        problems += _inputs(cloud_rules, "GpuNodeGroup", plan, args, path, args["cloud"])
    return (None if problems else plan), problems


# --- storage ----------------------------------------------------------------------------------------


def _tib(gib: float) -> str:
    """GiB as TiB, exactly: 103200 GiB -> "100.78125"."""
    return f"{gib / GIB_PER_TIB:.6f}".rstrip("0").rstrip(".")


def _steps_allowed(product: FileSystemProduct, tiers: list[int], gib: float) -> tuple[str, ...]:
    """The valid sizes around `gib` per throughput tier, tiers with the same steps together."""
    by_sizes: dict[tuple[int, ...], list[int]] = {}
    for tier in tiers:
        by_sizes.setdefault(product.tiers[tier].neighbours(gib), []).append(tier)
    return tuple(", ".join(map(str, group)) + " MB/s/TiB: " + " or ".join(_tib(size) for size in sizes) + " TiB"
                 for sizes, group in by_sizes.items())


def _hot_tier(spec: Mapping[str, Any], product: FileSystemProduct, required: float, path: str
              ) -> tuple[int, int, list[Problem]]:
    """(capacity GiB, throughput tier MB/s/TiB, problems) of the hot tier."""
    tiers = product.throughput_tiers
    tier = spec.get("throughput_mb_s_per_tib")
    if tier is not None and tier not in product.tiers:
        return 0, 0, [Problem(f"{path}.throughput_mb_s_per_tib", f"not a throughput tier of {product.name} "
                              "(MB/s per TiB)", tier, tuple(map(str, tiers)))]
    capacity_tib, problems = _number(spec, "hot_capacity_tib", path, 0, None)
    if problems:
        return 0, 0, problems
    if not capacity_tib:
        if required <= 0:
            return 0, 0, [Problem(f"{path}.hot_capacity_tib", "the hot tier needs a size, or GPUs and a throughput "
                                  "per GPU to size it from", capacity_tib)]
        tier = tier or max(tiers)  # the highest tier needs the least capacity for a throughput
        return product.tiers[tier].round_up(required / tier * GIB_PER_TIB), tier, []

    gib = capacity_tib * GIB_PER_TIB
    candidates = [t for t in ([tier] if tier else tiers) if product.tiers[t].is_valid(round(gib))
                  and math.isclose(gib, round(gib), abs_tol=1e-6)]
    if not candidates:
        return 0, 0, [Problem(f"{path}.hot_capacity_tib", f"not a capacity step of {product.name}", capacity_tib,
                              _steps_allowed(product, [tier] if tier else list(tiers), gib))]
    meeting = [t for t in candidates if capacity_tib * t >= required - 1e-9]
    if not meeting:
        best = max(candidates)
        smallest = product.tiers[best].round_up(required / best * GIB_PER_TIB)
        return 0, 0, [Problem(f"{path}.hot_capacity_tib", f"{capacity_tib:g} TiB at {best} MB/s/TiB gives "
                              f"{capacity_tib * best:,.0f} MB/s; the GPUs need {required:,.0f} MB/s", capacity_tib,
                              (f"at least {_tib(smallest)} TiB at {best} MB/s/TiB",))]
    return round(gib), min(meeting), []  # the lowest tier that does: capacity-bound, so cheapest per TiB


def plan_storage_spec(spec: Mapping[str, Any], cloud: str, region: str, zone: str, gpu_count: int, path: str
                      ) -> tuple[StoragePlan | None, list[Problem]]:
    """Check one storage spec (`StorageSpecArgs`) feeding `gpu_count` GPUs in `zone`."""
    problems = _missing(spec, A.StorageSpecArgs, path)
    if problem := cloud_problem(f"{path}.cloud", cloud):
        return None, problems + [problem]
    cloud_rules = cloud_adapter(cloud)
    per_gpu, found = _number(spec, "throughput_mb_s_per_gpu", path, 0, None)
    problems += found
    per_gpu = DEFAULT_THROUGHPUT_MB_S_PER_GPU if per_gpu is None else per_gpu
    required = gpu_count * per_gpu

    product, capacity_gib, tier = None, 0, 0
    if spec.get("enable_hot_tier", True):
        product = cloud_rules.file_system
        if product is None:
            problems.append(Problem(f"{path}.enable_hot_tier", f"{cloud} has no hot-tier file system product", True,
                                    ("false",)))
        else:
            capacity_gib, tier, found = _hot_tier(spec, product, required, path)
            problems += found

    cool, found = _positive_int(spec, "cool_after_days", path, None)
    problems += found
    cold, found = _positive_int(spec, "cold_after_days", path, DEFAULT_COLD_AFTER_DAYS)
    problems += found
    archive, found = _positive_int(spec, "archive_after_days", path, DEFAULT_ARCHIVE_AFTER_DAYS)
    problems += found
    if cool and cold and cool >= cold:
        problems.append(Problem(f"{path}.cool_after_days", f"must be less than cold_after_days ({cold})", cool))
    if cold and archive and cold >= archive:
        problems.append(Problem(f"{path}.archive_after_days", f"must be greater than cold_after_days ({cold})",
                                archive))
    object_tib, found = _number(spec, "object_capacity_tib", path, 0, None)
    problems += found
    if problems:
        return None, problems
    plan = StoragePlan(
        cloud=cloud, region=region, zone=zone, workload=spec["workload"], gpu_count=gpu_count, product=product,
        hot_capacity_gib=capacity_gib, throughput_mb_s_per_tib=tier, required_mb_s=required,
        object_capacity_tib=object_tib, cool_after_days=cool, cold_after_days=cold, archive_after_days=archive,
    )  # fmt: skip
    problems = cloud_rules.storage_problems(plan, path)
    return (None if problems else plan), problems


def plan_storage_tiers(args: Mapping[str, Any], path: str, catalog: Catalog | None = None
                       ) -> tuple[StoragePlan | None, list[Problem]]:
    """Preflight of `StorageTiers`."""
    catalog = catalog or load_catalog()
    cloud_rules, problems = _common_problems(args, A.StorageTiersArgs, path, catalog)
    if cloud_rules is None:
        return None, problems
    cloud, region = args["cloud"], args.get("region")
    if args.get("zone") is not None and catalog.region(cloud, region) is not None:
        if problem := cloud_rules.zone_problem(f"{path}.zone", region, args["zone"]):
            problems.append(problem)
    gpu_count, found = _positive_int(args, "gpu_count", path, None, minimum=0)
    problems += found
    plan, spec_problems = plan_storage_spec(args, cloud, region, args.get("zone"), gpu_count or 0, path)
    problems += [p for p in spec_problems if p not in problems]
    if plan is not None:
        problems += _inputs(cloud_rules, "StorageTiers", plan, args, path, cloud)
    return (None if problems else plan), problems


# --- network ----------------------------------------------------------------------------------------


def plan_network(args: Mapping[str, Any], path: str, catalog: Catalog | None = None
                 ) -> tuple[NetworkPlan | None, list[Problem]]:
    """Preflight of `HighBandwidthNetwork`."""
    catalog, site_problems = with_site(args, path, catalog or load_catalog())
    cloud_rules, problems = _common_problems(args, A.HighBandwidthNetworkArgs, path, catalog)
    problems += site_problems
    if cloud_rules is None:
        return None, problems
    cloud, region = args["cloud"], args.get("region")
    zones = list(dict.fromkeys(args.get("zones") or []))
    if not zones:
        problems.append(Problem(f"{path}.zones", "at least one placement zone is needed", args.get("zones")))
    elif catalog.region(cloud, region) is not None:
        problems += [p for i, z in enumerate(zones) if (p := cloud_rules.zone_problem(f"{path}.zones[{i}]", region, z))]
    types = []
    for i, name in enumerate(args.get("instance_types") or []):
        if problem := catalog.check_instance_type(f"{path}.instance_types[{i}]", cloud, name):
            problems.append(problem)
        else:
            types.append(catalog.instance_types[name])
    text = args.get("cidr", DEFAULT_CIDR)
    cidr = None
    try:
        cidr = ipaddress.IPv4Network(text)
    except (ValueError, TypeError):
        problems.append(Problem(f"{path}.cidr", "not an IPv4 network address (host bits must be zero)", text))
    if cidr is not None and not CIDR_PREFIX_RANGE[0] <= cidr.prefixlen <= CIDR_PREFIX_RANGE[1]:
        problems.append(Problem(f"{path}.cidr", f"prefix must be /{CIDR_PREFIX_RANGE[0]} to /{CIDR_PREFIX_RANGE[1]} "
                                "to leave room for the node and file-system subnets", text))
    if problems:
        return None, problems
    plan = NetworkPlan(cloud=cloud, region=region, zones=tuple(zones), cidr=cidr, instance_types=tuple(types),
                       enable_fabric=args.get("enable_fabric", True),
                       enable_file_system_subnet=args.get("enable_file_system_subnet", False))
    problems = _inputs(cloud_rules, "HighBandwidthNetwork", plan, args, path, cloud)
    return (None if problems else plan), problems


# --- cluster ----------------------------------------------------------------------------------------


def plan_cluster(args: Mapping[str, Any], path: str, catalog: Catalog | None = None
                 ) -> tuple[ClusterPlan | None, list[Problem]]:
    """Preflight of a whole `GpuCluster`: network, every node group and every storage tier at once."""
    catalog, site_problems = with_site(args, path, catalog or load_catalog())
    cloud_rules, problems = _common_problems(args, A.GpuClusterArgs, path, catalog)
    problems += site_problems
    if cloud_rules is None:
        return None, problems
    cloud, region = args["cloud"], args.get("region")
    problems += cloud_rules.argument_problems(path, args)

    node_groups: dict[str, NodeGroupPlan] = {}
    specs = args.get("node_groups") or []
    if not specs:
        problems.append(Problem(f"{path}.node_groups", "at least one node group is needed"))
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        workload = spec.get("workload")
        at = f"{path}.node_groups[{workload or i}]"
        if workload in seen:
            problems.append(Problem(f"{at}.workload", "duplicate workload name in this cluster", workload))
            continue
        seen.add(workload)
        plan, found = plan_node_group(spec, cloud, region, at, catalog)
        problems += found
        if plan is not None:
            node_groups[workload] = plan

    storage: list[StoragePlan] = []
    for i, spec in enumerate(args.get("storage") or []):
        workload = spec.get("workload")
        at = f"{path}.storage[{workload or i}]"
        if workload not in seen:
            problems.append(unknown_name(f"{at}.workload", "workload of this cluster's node groups", workload, seen))
            continue
        group = node_groups.get(workload)
        if group is None:
            continue  # its node group has problems already reported
        plan, found = plan_storage_spec(spec, cloud, region, group.zone, group.gpus, at)
        problems += found
        if plan is not None:
            storage.append(plan)

    network = None
    if node_groups:
        zones = list(dict.fromkeys(p.zone for p in node_groups.values()))
        types = list(dict.fromkeys(p.instance.name for p in node_groups.values()))
        network_args = {
            "cloud": cloud, "region": region, "zones": zones, "instance_types": types, "tags": args["tags"],
            "enable_fabric": any(p.enable_fabric for p in node_groups.values()),
            "enable_file_system_subnet": any(s.product for s in storage),
            "cidr": args.get("cidr", DEFAULT_CIDR),
            **{key: args.get(key) for key in cloud_rules.scope_inputs},  # an Azure resource group, an OCI compartment
            "site": args.get("site"),
        }  # fmt: skip
        network, found = plan_network(network_args, path, catalog)
        problems += [p for p in found if p not in problems]
    problems += [p for p in _inputs(cloud_rules, "GpuCluster", None, args, path, cloud) if p not in problems]
    if problems or network is None:
        return None, problems
    return ClusterPlan(cloud, region, network, tuple(node_groups.values()), tuple(storage)), []
