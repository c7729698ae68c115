"""What a reviewer needs to know of one plan: totals, where the GPUs are, their fabric, the storage
tiers, what could not be priced and the policy results.

Everything is derived from the plan's estimate and its resources' inputs, so it reads plans from
gpufleet and from the Pulumi CLI alike. Inputs missing at preview (unknown values) make the
corresponding figure "unknown"; they never fail the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.estimate.plan import index_views
from gpufleet.estimate.resources import launch_template
from gpufleet.estimate.views import ResourceView, get_known, views_from_states
from gpufleet.report.fmt import DECIMALS, to_decimal
from gpufleet.report.plans import Plan

FIGURES = ("monthly_usd", "monthly_kwh", "monthly_kgco2e")

# Policy levels, most severe first (CrossGuard's enforcement levels).
LEVEL_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Totals:
    """A plan's monthly totals. None: nothing contributing to the figure could be estimated."""

    gpus: int
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None

    @property
    def monthly_tco2e(self) -> float | None:
        return None if self.monthly_kgco2e is None else self.monthly_kgco2e / 1000

    def decimal(self, figure: str) -> Decimal | None:
        """A total as the plan states it, rounded as the report prints it."""
        return to_decimal(getattr(self, figure), DECIMALS[figure])


@dataclass(frozen=True)
class RegionRow:
    cloud: str
    region: str
    gpus: int
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None
    unpriced: int

    @property
    def monthly_tco2e(self) -> float | None:
        return None if self.monthly_kgco2e is None else self.monthly_kgco2e / 1000


@dataclass(frozen=True)
class FabricRow:
    """GPU capacity of one instance type in one region, and its interconnect."""

    cloud: str
    region: str
    instance_type: str
    interconnect: str  # from the catalog: "EFA", "InfiniBand", "GPUDirect-TCPX", "none", "unknown"
    configured: str  # what the plan's resources configure for it, in words
    nodes: int | None
    gpus: int
    resources: int


@dataclass(frozen=True)
class StorageRow:
    """Storage of one tier (service) in one region."""

    tier: str
    cloud: str
    region: str
    resources: int
    capacity_tib: float | None  # provisioned capacity; None when elastic or not known at preview
    elastic: bool
    details: tuple[str, ...]


@dataclass(frozen=True)
class Unpriced:
    urn: str
    type: str
    reason: str

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Summary:
    totals: Totals
    regions: list[RegionRow]
    fabric: list[FabricRow]
    storage: list[StorageRow]
    unpriced: list[Unpriced]
    unknown_energy: list[Unpriced]
    violations: list[dict[str, Any]] | None  # mandatory first; None: the plan has no policy results

    def violation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for v in self.violations or []:
            counts[str(v.get("level"))] = counts.get(str(v.get("level")), 0) + 1
        return counts


# --- totals and regions -------------------------------------------------------------------------

def _sum(values: list[float | None]) -> float | None:
    """The sum of the known values; None when there are values and none is known."""
    got = [v for v in values if v is not None]
    if not got and values:
        return None
    return math.fsum(got)


def totals_of(plan: Plan) -> Totals:
    estimate = plan.estimate
    raw = estimate["totals"]
    per = list(estimate["estimates"].values())
    figures: dict[str, float | None] = {}
    for figure in FIGURES:
        value = _number(raw.get(figure))
        # The estimator sums known values only; when nothing was known the sum is not a real 0.
        # Energy and carbon are modelled for compute capacity only (resources with a cloud).
        relevant = [e for e in per if figure == "monthly_usd" or e.get("cloud") is not None]
        if value == 0 and relevant and all(e.get(figure) is None for e in relevant):
            value = None
        figures[figure] = value
    return Totals(int(raw.get("gpus") or 0), figures["monthly_usd"], figures["monthly_kwh"], figures["monthly_kgco2e"])


def _regions(plan: Plan) -> list[RegionRow]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in plan.estimate["estimates"].values():
        if e.get("cloud") is None:
            continue  # billable services the catalog does not price: listed as unpriced
        groups.setdefault((e["cloud"], e.get("region") or "unknown"), []).append(e)
    rows = []
    for (cloud, region), es in sorted(groups.items()):
        rows.append(RegionRow(
            cloud, region, sum(int(e.get("gpus") or 0) for e in es),
            *(_sum([_number(e.get(f)) for e in es]) for f in FIGURES),
            unpriced=sum(1 for e in es if e.get("monthly_usd") is None),
        ))
    return rows


# --- fabric -------------------------------------------------------------------------------------

_EFA_TYPES = ("efa", "efa-only")


def _launch_template_ref(inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The `launchTemplate` block of a node group, instance or auto scaling group, if any."""
    lt = get_known(inputs, "launchTemplate") or get_known(inputs, "mixedInstancesPolicy", "launchTemplate",
                                                          "launchTemplateSpecification")
    return lt if isinstance(lt, dict) else None


def _efa_interfaces(view: ResourceView) -> int:
    interfaces = get_known(view.inputs, "networkInterfaces") or []
    return sum(1 for i in interfaces if isinstance(i, dict) and get_known(i, "interfaceType") in _EFA_TYPES)


def _configured(interconnect: str, cloud: str, lt: ResourceView | None, has_template: bool) -> str:
    if interconnect == "EFA":
        if lt is None:
            return ("EFA interfaces unknown (launch template not found)" if has_template
                    else "no launch template with EFA interfaces")
        n = _efa_interfaces(lt)
        return f"{n} EFA interfaces/node" if n else "no EFA interfaces in the launch template"
    if interconnect == "InfiniBand" and cloud == "azure":
        return "InfiniBand on the host"
    return "—"


def _fabric(plan: Plan, views: dict[str, ResourceView], catalog: Catalog) -> list[FabricRow]:
    graph = index_views(views.values())
    groups: dict[tuple[str, str, str, str, str], list[dict[str, Any]]] = {}
    for urn, e in plan.estimate["estimates"].items():
        if not e.get("instance_type") or e.get("cloud") is None:
            continue
        it = catalog.instance_type(e["instance_type"])
        if it is None:
            continue  # not a GPU instance type the catalog knows (system nodes, CPU instances): no GPU fabric
        interconnect = it.interconnect or "unknown"
        view = views.get(urn)
        lt = launch_template(view, graph) if view else None
        has_template = view is not None and _launch_template_ref(view.inputs) is not None
        key = (e["cloud"], e.get("region") or "unknown", e["instance_type"], interconnect,
               _configured(interconnect, e["cloud"], lt, has_template))
        groups.setdefault(key, []).append(e)
    rows = []
    for (cloud, region, itype, interconnect, configured), es in sorted(groups.items()):
        nodes = [e.get("nodes") for e in es]
        rows.append(FabricRow(cloud, region, itype, interconnect, configured,
                              None if None in nodes else sum(nodes), sum(int(e.get("gpus") or 0) for e in es), len(es)))
    return rows


# --- storage ------------------------------------------------------------------------------------

GIB_PER_TIB = 1024.0


def _fsx(v: ResourceView) -> tuple[float | None, list[str]]:
    gib = _number(get_known(v.inputs, "storageCapacity"))
    details = [str(get_known(v.inputs, "deploymentType") or "deployment type unknown")]
    if (mbps := _number(get_known(v.inputs, "perUnitStorageThroughput"))) is not None:
        details.append(f"{mbps:g} MB/s/TiB")
    return (None if gib is None else gib / GIB_PER_TIB), details


def _amlfs(v: ResourceView) -> tuple[float | None, list[str]]:
    sku = get_known(v.inputs, "sku", "name") or "SKU unknown"
    return _number(get_known(v.inputs, "storageCapacityTiB")), [str(sku)]


def _gib_sized(key: str, kind: str) -> Callable[[ResourceView], tuple[float | None, list[str]]]:
    def read(v: ResourceView) -> tuple[float | None, list[str]]:
        gib = _number(get_known(v.inputs, key))
        kind_value = get_known(v.inputs, *kind.split("."))
        return (None if gib is None else gib / GIB_PER_TIB), [str(kind_value)] if kind_value else []
    return read


def _elastic(*detail_paths: str) -> Callable[[ResourceView], tuple[float | None, list[str]]]:
    def read(v: ResourceView) -> tuple[float | None, list[str]]:
        return None, [str(d) for p in detail_paths if (d := get_known(v.inputs, *p.split(".")))]
    return read


def _lifecycle_classes(v: ResourceView) -> list[str]:
    classes = []
    for rule in get_known(v.inputs, "rules") or []:
        for t in (get_known(rule, "transitions") or []) + (get_known(rule, "noncurrentVersionTransitions") or []):
            if c := get_known(t, "storageClass"):
                classes.append(f"lifecycle → {c}")
    return classes


# type -> (tier, provisioned capacity?, reader)
STORAGE_TYPES: dict[str, tuple[str, bool, Callable[[ResourceView], tuple[float | None, list[str]]]]] = {
    "aws:fsx/lustreFileSystem:LustreFileSystem": ("FSx for Lustre", True, _fsx),
    "azure-native:storagecache:AmlFilesystem": ("Azure Managed Lustre", True, _amlfs),
    "aws:s3/bucket:Bucket": ("S3", False, _elastic()),
    "aws:s3/bucketV2:BucketV2": ("S3", False, _elastic()),
    "aws:efs/fileSystem:FileSystem": ("EFS", False, _elastic("throughputMode")),
    "aws:ebs/volume:Volume": ("EBS", True, _gib_sized("size", "type")),
    "azure-native:storage:StorageAccount": ("Azure Storage", False, _elastic("sku.name", "accessTier")),
    "azure-native:compute:Disk": ("Azure Managed Disk", True, _gib_sized("diskSizeGB", "sku.name")),
}
LIFECYCLE_TYPES = {
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "S3",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "S3",
}


def _region_of(v: ResourceView) -> str:
    place = get_known(v.inputs, "region") or get_known(v.provider_inputs, "region") \
        or get_known(v.inputs, "location") or get_known(v.provider_inputs, "location")
    return place.replace(" ", "").lower() if isinstance(place, str) else "unknown"


def _storage(views: dict[str, ResourceView]) -> list[StorageRow]:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    lifecycle: dict[tuple[str, str, str], list[str]] = {}
    for v in views.values():
        cloud = "azure" if v.type.startswith("azure") else v.type.split(":", 1)[0]
        if v.type in LIFECYCLE_TYPES:
            lifecycle.setdefault((LIFECYCLE_TYPES[v.type], cloud, _region_of(v)), []).extend(_lifecycle_classes(v))
            continue
        if v.type not in STORAGE_TYPES:
            continue
        tier, provisioned, read = STORAGE_TYPES[v.type]
        tib, details = read(v)
        g = groups.setdefault((tier, cloud, _region_of(v)), {"n": 0, "tib": [], "provisioned": provisioned, "details": []})
        g["n"] += 1
        g["tib"].append(tib)
        g["details"].extend(details)
    rows = []
    for key, g in sorted(groups.items()):
        details = g["details"] + lifecycle.get(key, [])
        capacity = None if not g["provisioned"] or None in g["tib"] else math.fsum(g["tib"])
        rows.append(StorageRow(*key, g["n"], capacity, not g["provisioned"], tuple(dict.fromkeys(details))))
    return rows


# --- unpriced, policies, all together -----------------------------------------------------------

def _unpriced(plan: Plan, urns: list[str], figure: str) -> list[Unpriced]:
    out = []
    for urn in urns:
        e = plan.estimate["estimates"].get(urn) or {}
        reason = str((e.get("derivation") or {}).get(figure) or "no reason recorded")
        out.append(Unpriced(urn, str(e.get("type") or ""), reason.removeprefix("unknown: ")))
    return out


def sorted_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mandatory first, then remediate, advisory and anything else; stable within a level."""
    return sorted(violations, key=lambda v: (LEVEL_ORDER.get(str(v.get("level")), len(LEVEL_ORDER)),
                                             str(v.get("policy")), str(v.get("urn") or "")))


def summarize(plan: Plan, catalog: Catalog | None = None) -> Summary:
    catalog = catalog or load_catalog()
    views = {v.urn: v for v in views_from_states(plan.states, config=plan.config)}
    return Summary(
        totals=totals_of(plan),
        regions=_regions(plan),
        fabric=_fabric(plan, views, catalog),
        storage=_storage(views),
        unpriced=_unpriced(plan, plan.estimate["unpriced"], "monthly_usd"),
        unknown_energy=_unpriced(plan, plan.estimate["unknown_energy"], "monthly_kwh"),
        violations=None if plan.violations is None else sorted_violations(plan.violations),
    )
