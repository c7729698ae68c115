"""The typed configuration of a fleet: the stack's `gpufleet:fleet` value, parsed once.

`parse_fleet(raw)` checks structure (pydantic, `extra="forbid"`) and names against the catalog
(regions, GPU models, instance types) in one pass and raises `UserError` listing every problem, each
with its path (`gpufleet:fleet.workloads[1].gpu`), the bad value, what is allowed and "did you mean".
"""

from __future__ import annotations

import math
import re
import types
from datetime import date
from typing import Annotated, Any, Callable, Literal, Union, get_args, get_origin

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator,
                      model_validator)
from pydantic_core import PydanticCustomError

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.catalog.model import partition_problem
from gpufleet.catalog.sites import canonical_gpu, site_instance_type, with_sites
from gpufleet.clouds import adapter, cloud_names, reservation_kinds, site_cloud
from gpufleet.config_key import CONFIG_KEY  # noqa: F401 (also `from gpufleet.config import CONFIG_KEY`)
from gpufleet.errors import (Problem, UserError, Verbatim, did_you_mean, path_order, shown_value,
                             unknown_name)
from gpufleet.files import text_number


# Each string rule of a `pattern=`, in words, by its pattern: pydantic's problem shows the regular expression
# ("String should match pattern '^[a-z]…'"), which no user should have to read. `structural_problems` says the
# words instead, with "did you mean" where the rule's fix of the value keeps it.
_PATTERN_RULES: dict[str, tuple[str, Callable[[str], str] | None]] = {}


def matching(pattern: str, rule: str, fix: Callable[[str], str] | None = None) -> Any:
    """A `Field` of a string that must match `pattern`, which `rule` says in words: the field's description
    and its problem ("must be <rule>"). `fix` turns a value that misses the rule into its likely intent, offered
    as "did you mean" when the result matches."""
    if _PATTERN_RULES.setdefault(pattern, (rule, fix)) != (rule, fix):  # the rule is looked up by its pattern
        raise ValueError(f"pattern {pattern!r} already has another rule: {_PATTERN_RULES[pattern][0]!r}")
    return Field(pattern=pattern, description=rule)


def _as_name(value: str) -> str:
    """"Train_1" -> "train-1": lower case, with '_', '.' and spaces as '-'."""
    return re.sub(r"[_. ]", "-", value.strip().lower())


def name_field(max_chars: int) -> Any:
    """A name that becomes part of resource names (and labels): DNS-label characters, starting with a letter."""
    return matching(rf"^[a-z][a-z0-9-]{{0,{max_chars - 1}}}$",
                    f"1 to {max_chars} characters: lower-case letters, digits and '-', starting with a letter",
                    _as_name)


Name = Annotated[str, name_field(24)]
Objective = Literal["carbon", "cost", "balanced"]
CapacityType = Literal["on-demand", "spot", "reserved"]
WorkloadKind = Literal["training", "inference"]


def _one_of(allowed: Callable[[], tuple[str, ...]]) -> BeforeValidator:
    """A closed choice whose members come from the registered clouds, reported like a `Literal`."""
    def check(value: Any) -> Any:
        names = allowed()
        if value not in names:
            quoted = [repr(n) for n in names]
            expected = " or ".join(filter(None, (", ".join(quoted[:-1]), quoted[-1] if quoted else "")))
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return value
    return BeforeValidator(check)


# A registered cloud (gpufleet.clouds), and a reservation kind of one.
Cloud = Annotated[str, _one_of(cloud_names)]
ReservationKind = Annotated[str, _one_of(reservation_kinds)]

# Country groups a residency rule may name (ISO 3166-1 alpha-2 members).
EU = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
      "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE")
COUNTRY_GROUPS: dict[str, tuple[str, ...]] = {"EU": EU, "EEA": EU + ("IS", "LI", "NO")}


def _is_number(annotation: Any) -> bool:
    """An int or float field (also inside Optional, a union or Annotated); bool is not a number."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_number(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_number(a) for a in get_args(annotation))
    return annotation in (int, float)


def plain_number_text(model: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """Text where a number goes must be a plain decimal number (`gpufleet.files.text_number`): pydantic
    itself reads "5_5" as 55 (a YAML 1.2 string, since YAML's numbers have no underscores)."""
    field = model.model_fields.get(info.field_name or "")
    if isinstance(value, str) and field is not None and _is_number(field.annotation):
        try:
            text_number(value)
        except ValueError as e:
            raise PydanticCustomError("plain_number", str(e)) from None
    return value


class _Model(BaseModel):
    # No NaN or infinity: a budget of `.inf` is not "no limit" (omit it for that), and placement's
    # arithmetic must stay finite.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_as_written(cls, value: Any, info: ValidationInfo) -> Any:
        return plain_number_text(cls, value, info)


class Owner(_Model):
    """Who pays and answers for the fleet: becomes the `team` and `cost-center` tags."""

    team: Annotated[str, Field(min_length=1)]
    cost_center: Annotated[str, Field(min_length=1, alias="cost-center")]


class Candidate(_Model):
    """A cloud and the regions of it the fleet may use."""

    cloud: Cloud
    regions: Annotated[list[str], Field(min_length=1)]
    kubernetes_version: str | None = Field(
        default=None, description="the Kubernetes version of the clusters in these regions, as the cloud takes it "
                                  "(EKS \"1.33\", AKS \"1.33.2\", GKE \"1.33.5-gke.1162000\", OKE \"v1.34.2\"); "
                                  "none: the cloud's default for new clusters, as without this key")


class RegionQuota(_Model):
    """GPUs the fleet can get in a region (quota or known capacity)."""

    cloud: Cloud
    region: str
    gpus: Annotated[int, Field(ge=0)]


class Budgets(_Model):
    """Monthly limits for the whole stack; omitted means no limit set here."""

    monthly_usd: Annotated[float, Field(gt=0)] | None = None
    monthly_tco2e: Annotated[float, Field(gt=0)] | None = None
    gpu_quota: Annotated[int, Field(gt=0)] | None = None


def _iso_date(value: object) -> object:
    """Dates are written as ISO dates ("2026-12-14"); a number is not taken for a Unix time."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Reservation(_Model):
    """An existing capacity reservation the workload's nodes run in.

    AWS: an On-Demand Capacity Reservation or a Capacity Block id (`cr-…`); Azure: the resource id
    of a capacity reservation group. `zone` is the availability zone the capacity is in.
    `start_date` and `end_date` (ISO dates, UTC) are the days the capacity is yours, as bought: a
    Capacity Block always has both; an open-ended reservation has no `end_date`. The preview and the
    report show them, and the policy pack warns before the capacity ends (see docs/policies.md).
    """

    kind: ReservationKind
    id: Annotated[str, Field(min_length=1)]
    zone: Annotated[str, Field(min_length=1)]
    start_date: IsoDate | None = Field(default=None, description="first day of the capacity (UTC)")
    end_date: IsoDate | None = Field(default=None, description="last day of the capacity (UTC); none: open-ended")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> "Reservation":
        if self.start_date is not None and self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"end_date ({self.end_date}) is before start_date ({self.start_date})")
        return self


class Storage(_Model):
    """Storage tiers for a workload. Sizes in TiB; the hot tier is also sized from GPU throughput."""

    hot_tib: Annotated[float, Field(ge=0)] = 0.0
    object_tib: Annotated[float, Field(ge=0)] = 0.0
    cold_after_days: Annotated[int, Field(ge=1)] = 30
    archive_after_days: Annotated[int, Field(ge=1)] = 180

    @model_validator(mode="after")
    def _archive_after_cold(self) -> "Storage":
        if self.archive_after_days <= self.cold_after_days:
            raise ValueError(
                f"archive_after_days ({self.archive_after_days}) must be greater than "
                f"cold_after_days ({self.cold_after_days})"
            )
        return self


class DataLocality(_Model):
    """Where a workload's data lives, and how far from it the GPUs may be."""

    cloud: Cloud
    region: str
    max_distance_km: Annotated[float, Field(gt=0)] | None = None


# --- owned sites ------------------------------------------------------------------------------------


def _sourced(value: object) -> object:
    """A site figure is `{value, source}`: a bare number is refused, since no figure goes without its source."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("figure_without_source",
                                  f"a figure needs its source: write {{value: {value:g}, source: ..., year: ...}}")
    return value


class Figure(_Model):
    """One of a site's own figures, with where it comes from (a meter, a utility bill, a contract)."""

    value: Annotated[float, Field(ge=0)]
    source: Annotated[str, Field(min_length=1), matching(r"\S", "text, not only spaces")]
    year: Annotated[int, Field(ge=1990, le=2100)] = Field(description="year the figure is for")


SourcedFigure = Annotated[Figure, BeforeValidator(_sourced)]


class SiteGpus(_Model):
    """GPUs of one model a site makes available to the fleet."""

    gpu: str = Field(description="GPU model or family, as the catalog names it (H100, A100-80GB)")
    count: Annotated[int, Field(gt=0)] = Field(description="GPUs available to the fleet")
    gpus_per_node: Annotated[int, Field(gt=0, le=64)]
    interconnect: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="the nodes' GPU fabric (InfiniBand, RoCE) or none; unset: unknown (no fabric)")
    node_labels: dict[str, str] = Field(
        default_factory=dict, description="labels of these GPUs' nodes (their Kueue ResourceFlavor selects them)")

    @model_validator(mode="after")
    def _whole_nodes(self) -> "SiteGpus":
        if self.count % self.gpus_per_node:
            raise ValueError(f"count ({self.count}) must be a whole number of nodes of "
                             f"gpus_per_node ({self.gpus_per_node})")
        return self


class SiteCluster(_Model):
    """How to reach the site's existing Kubernetes cluster: a context of the caller's kubeconfig, and/or
    the stack config key of a *secret* holding a kubeconfig (`pulumi config set --secret KEY < file`)."""

    context: Annotated[str, Field(min_length=1)] | None = None
    kubeconfig_secret: Annotated[str, matching(
        r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$", "a stack config key written namespace:key (letters, digits, '_', '.' "
        "and '-' either side of one ':'), whose value is a secret")] | None = None

    @model_validator(mode="after")
    def _one_way_in(self) -> "SiteCluster":
        if self.context is None and self.kubeconfig_secret is None:
            raise ValueError("name a `context` of your kubeconfig or a `kubeconfig_secret` stack config key")
        return self


GpuSoftware = Literal["none", "device-plugin", "gpu-operator"]


class SiteFacts(_Model):
    """What an owned site is: its place, its own figures (each with source and year) and its GPUs."""

    name: Name
    country: Annotated[str, matching(r"^[A-Z]{2}$", "an ISO 3166-1 alpha-2 country code: two upper-case letters "
                                     "(SE, DE)", lambda v: v.strip().upper())]  # for data residency
    location: str | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    grid_gco2e_per_kwh: SourcedFigure
    pue: SourcedFigure
    usd_per_gpu_hour: SourcedFigure = Field(description="amortised cost of a GPU-hour (hardware, power, staff)")
    gpus: Annotated[list[SiteGpus], Field(min_length=1)]
    gpu_software: GpuSoftware = Field(
        default="none", description="install the NVIDIA device plugin (nodes have the driver) or the GPU operator")

    @model_validator(mode="after")
    def _figures(self) -> "SiteFacts":
        if self.pue.value < 1.0:
            raise ValueError(f"pue.value ({self.pue.value:g}) must be at least 1.0 (facility energy / IT energy)")
        if self.usd_per_gpu_hour.value <= 0:
            raise ValueError("usd_per_gpu_hour.value must be more than 0 (an unknown price is not free)")
        seen: dict[tuple[str, int], int] = {}
        for j, entry in enumerate(self.gpus):
            if (first := seen.setdefault((entry.gpu.lower(), entry.gpus_per_node), j)) != j:
                raise ValueError(f"gpus[{j}] lists {entry.gpu} with {entry.gpus_per_node} per node again (also "
                                 f"gpus[{first}]): give each model and node size once, with all its GPUs")
        return self

    def catalog_row(self) -> dict[str, Any]:
        """The site as gpufleet.catalog.sites reads it (counts are placement's limits, not catalog facts)."""
        return self.model_dump(include=set(SiteFacts.model_fields) - {"gpu_software"},
                               exclude={"gpus": {"__all__": {"count"}}})


class Site(SiteFacts):
    """Capacity the fleet's owner runs: an existing Kubernetes cluster whose GPUs placement may use,
    priced and judged by the site's own figures (see docs/placement.md, "Owned sites")."""

    cluster: SiteCluster


class Workload(_Model):
    name: Name
    kind: WorkloadKind = "training"
    gpu: str = Field(description="GPU model or family, e.g. H100, A100-80GB")
    gpu_count: Annotated[int, Field(gt=0)]
    instance_type: str | None = Field(default=None, description="pin an instance type; else placement picks")
    high_bandwidth_fabric: bool = False
    capacity: CapacityType = "on-demand"
    reservation: Reservation | None = None
    needed_until: IsoDate | None = Field(default=None, description="last day the workload needs its capacity "
                                                                "(UTC); none: for as long as it is declared")
    scale_to_zero: bool = Field(default=False, description="minimum nodes 0, so idle capacity is freed")
    utilization_percent: Annotated[float, Field(ge=0, le=100)]
    hours_per_month: Annotated[float, Field(gt=0, le=730)] = 730.0
    storage: Storage | None = None
    data_residency: list[str] = Field(default_factory=list, description="ISO country codes or EU/EEA")
    data_locality: DataLocality | None = None

    @model_validator(mode="after")
    def _reservation_matches_capacity(self) -> "Workload":
        if self.capacity == "reserved" and self.reservation is None:
            raise ValueError("capacity 'reserved' needs a `reservation` (kind, id, zone)")
        if self.capacity != "reserved" and self.reservation is not None:
            raise ValueError(f"a `reservation` is only used with capacity 'reserved', not {self.capacity!r}")
        return self

    @property
    def utilization(self) -> float:
        return self.utilization_percent / 100.0

    @property
    def always_on(self) -> bool:
        return not self.scale_to_zero and math.isclose(self.hours_per_month, 730.0)

    @property
    def residency_countries(self) -> frozenset[str]:
        out: set[str] = set()
        for item in self.data_residency:
            out.update(COUNTRY_GROUPS.get(item, (item,)))
        return frozenset(out)


class Fleet(_Model):
    environment: Name
    owner: Owner
    tags: dict[str, str] = Field(default_factory=dict, description="extra tags on every taggable resource")
    objective: Objective = "balanced"
    max_cost_premium_percent: Annotated[float, Field(ge=0)] = Field(
        default=10.0, description="balanced: least carbon within this premium over the cheapest placement"
    )
    replacement_threshold_percent: Annotated[float, Field(ge=0)] = Field(
        default=5.0, description="recommend re-placing locked workloads when it improves the objective by this much"
    )
    candidates: Annotated[list[Candidate], Field(min_length=1)]
    quotas: list[RegionQuota] = Field(default_factory=list)
    budgets: Budgets = Field(default_factory=Budgets)
    workloads: Annotated[list[Workload], Field(min_length=1)]
    enable_gpu_software: bool = Field(default=False, description="GPU device plugins and Kueue in every cluster")
    sites: list[Site] = Field(default_factory=list, description="owned capacity, placed as regions of its cloud")

    @property
    def owner_tags(self) -> dict[str, str]:
        """Tags required on every taggable resource, plus the stack's extra tags."""
        return {**self.tags, "team": self.owner.team, "cost-center": self.owner.cost_center,
                "environment": self.environment}

    def candidate_regions(self) -> list[tuple[str, str]]:
        return [(c.cloud, r) for c in self.candidates for r in c.regions]

    def kubernetes_version(self, cloud: str, region: str) -> str | None:
        """The Kubernetes version the candidates set for clusters in `cloud` `region` (None: not set)."""
        return next((c.kubernetes_version for c in self.candidates
                     if c.cloud == cloud and region in c.regions and c.kubernetes_version is not None), None)

    def site_gpu_types(self, catalog: Catalog) -> list[tuple[str, int, int, Site, SiteGpus]]:
        """Each GPU entry of each site: (its site instance type, site index, entry index, site, entry)."""
        return [(site_instance_type(site.name, canonical_gpu(catalog, entry.gpu) or entry.gpu, entry.gpus_per_node),
                 i, j, site, entry)
                for i, site in enumerate(self.sites) for j, entry in enumerate(site.gpus)]

    def site(self, name: str) -> Site | None:
        return next((s for s in self.sites if s.name == name), None)

    def catalog(self, catalog: Catalog) -> Catalog:
        """`catalog` with the fleet's sites as regions of the site cloud (gpufleet.catalog.sites)."""
        host = site_cloud()
        if not self.sites or host is None:
            return catalog
        return with_sites(catalog, host.name, [s.catalog_row() for s in self.sites])


# --- parsing and error reporting -------------------------------------------------------------------


def _path(loc: tuple[Any, ...]) -> str:
    out = CONFIG_KEY
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _model_at(loc: tuple[Any, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class that holds the field at `loc` (for "did you mean" on unknown keys)."""
    model: Any = root
    keyed = False  # the previous part was a field mapping names to models: this part is one of those names
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            field = next((f for f in model.model_fields.values() if f.alias == part), None)
        if field is None:
            if keyed:
                keyed = False
                continue
            return None
        keyed = get_origin(field.annotation) is dict
        model = _inner_model(field.annotation)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found = _inner_model(meta)
        if found:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _inner_model(origin) if origin not in (None, list, dict) else None


def _pattern_problem(path: str, pattern: str, value: str) -> Problem:
    """A string that misses its `matching` rule: the rule in words, and the fixed value when it is valid."""
    rule, fix = _PATTERN_RULES[pattern]
    fixed = fix(value) if fix is not None else None
    suggestion = fixed if fixed is not None and fixed != value and re.search(pattern, fixed) else None
    return Problem(path, f"must be {rule}", value, suggestion=suggestion)


def structural_problems(error: ValidationError, root: type[BaseModel] | None = None,
                        path: Callable[[tuple[Any, ...]], str] = _path) -> list[Problem]:
    """pydantic's errors for the model `root` (default `Fleet`) as problems, with paths made by `path`."""
    root = root or Fleet
    problems = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        value = e.get("input")
        if e["type"] == "extra_forbidden":
            model = _model_at(loc, root)
            keys = sorted(f.alias or n for n, f in model.model_fields.items()) if model else []
            problems.append(Problem(path(loc), "unknown key", str(loc[-1]), tuple(keys),
                                    did_you_mean(str(loc[-1]), keys)))
            continue
        if e["type"] == "missing":
            problems.append(Problem(path(loc), "required key is missing"))
            continue
        if e["type"] == "string_pattern_mismatch" and e["ctx"]["pattern"] in _PATTERN_RULES:
            problems.append(_pattern_problem(path(loc), e["ctx"]["pattern"], value))
            continue
        allowed: tuple[str, ...] = ()
        if e["type"] == "literal_error":
            allowed = tuple(x.strip(" '") for x in e["ctx"]["expected"].replace(" or ", ", ").split(","))
        # pydantic names its model classes ("... or instance of Workload"): not the user's words.
        message = re.sub(r" or instance of \w+$", "", e["msg"].removeprefix("Value error, "))
        # A list or mapping is shown where its type is the mistake (`int_type`, `model_type`…), not beside
        # a rule about its content.
        of_type = e["type"].endswith("_type") or e["type"] == "literal_error"
        shown = shown_value(value) if of_type or not isinstance(value, (dict, list)) else None
        if value is None and of_type:
            shown = Verbatim("null")  # an empty YAML value (`objective:`) or `~`
        problems.append(Problem(path(loc), message, shown, allowed,
                                did_you_mean(value, allowed) if allowed else None))
    return problems


def _get(raw: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(raw, list) or key >= len(raw):
                return None
        elif not isinstance(raw, dict):
            return None
        raw = raw[key] if isinstance(key, int) else raw.get(key)
    return raw


def _items(raw: Any, key: str) -> list[Any]:
    """The list at `raw[key]`; anything else is a type error that validation reports, so nothing here."""
    value = _get(raw, key)
    return value if isinstance(value, list) else []


def _catalog_problems(raw: Any, catalog: Catalog) -> list[Problem]:
    """Names checked against the catalog, on the raw data so they are reported with type errors."""
    problems: list[Problem] = []

    host = site_cloud()
    site_names = [n for site in _items(raw, "sites") if isinstance(n := _get(site, "name"), str)]

    def region(loc: tuple[Any, ...], cloud: Any, name: Any) -> None:
        if host is not None and cloud == host.name and isinstance(name, str):
            if name not in site_names:
                others = catalog.clouds_of_region(name)
                what = f"is a region of {' and '.join(others)}, not a site" if others else "unknown site"
                problems.append(Problem(_path(loc), f"{what} (the regions of {cloud} are the stack's `sites:`)",
                                        name, tuple(sorted(set(site_names))) or ("(no sites)",),
                                        None if others else did_you_mean(name, site_names)))
        elif adapter(cloud) is not None and isinstance(name, str):
            if p := catalog.check_region(_path(loc), cloud, name):
                problems.append(p)

    seen_sites: dict[str, int] = {}
    for i, site in enumerate(_items(raw, "sites")):
        name = _get(site, "name")
        if isinstance(name, str):
            if name in seen_sites:
                problems.append(Problem(_path(("sites", i, "name")),
                                        f"duplicate site name (also sites[{seen_sites[name]}])", name))
            seen_sites.setdefault(name, i)
        for j, entry in enumerate(_items(site, "gpus") if isinstance(site, dict) else []):
            gpu = _get(entry, "gpu")
            if isinstance(gpu, str) and (p := catalog.check_gpu(_path(("sites", i, "gpus", j, "gpu")), gpu)):
                problems.append(p)

    versions: dict[tuple[Any, str], tuple[int, str]] = {}
    for i, cand in enumerate(_items(raw, "candidates")):
        regions = _get(cand, "regions")
        for j, name in enumerate(regions if isinstance(regions, list) else []):  # a string is a type error
            region(("candidates", i, "regions", j), _get(cand, "cloud"), name)
        version, rules = _get(cand, "kubernetes_version"), adapter(_get(cand, "cloud"))
        if not isinstance(version, str) or rules is None:
            continue  # absent, or a type or cloud error that validation reports
        if p := rules.kubernetes_version_problem(_path(("candidates", i, "kubernetes_version")), version):
            problems.append(p)
        for name in regions if isinstance(regions, list) else []:
            first = versions.setdefault((_get(cand, "cloud"), str(name)), (i, version))
            if first[1] != version:
                problems.append(Problem(_path(("candidates", i, "kubernetes_version")),
                                        f"{_get(cand, 'cloud')} {name} has another Kubernetes version in "
                                        f"candidates[{first[0]}] ({first[1]!r}): one cluster, one version", version))
    quotas: dict[tuple[str, str], int] = {}
    for i, quota in enumerate(_items(raw, "quotas")):
        cloud, name = _get(quota, "cloud"), _get(quota, "region")
        region(("quotas", i, "region"), cloud, name)
        if isinstance(cloud, str) and isinstance(name, str):
            # Placement would apply both, so the smaller would silently win.
            if (first := quotas.setdefault((cloud, name), i)) != i:
                problems.append(Problem(_path(("quotas", i)), f"a second quota for {cloud} {name} (also "
                                        f"quotas[{first}]): give one quota per region"))
    countries = {r.country for r in catalog.regions.values()} | set(COUNTRY_GROUPS)
    names: dict[str, int] = {}
    for i, wl in enumerate(_items(raw, "workloads")):
        if not isinstance(wl, dict):
            continue
        gpu = wl.get("gpu")
        if isinstance(gpu, str) and (p := catalog.check_gpu(_path(("workloads", i, "gpu")), gpu)):
            problems.append(p)
        pinned = wl.get("instance_type")
        if isinstance(pinned, str):
            it = catalog.instance_type(pinned)
            if it is None:
                problems.append(unknown_name(_path(("workloads", i, "instance_type")), "GPU instance type",
                                             pinned, catalog.instance_types))
            elif it.gpu_partition:
                problems.append(partition_problem(_path(("workloads", i, "instance_type")), it))
            elif isinstance(gpu, str) and it not in catalog.instance_types_for_gpu(gpu):
                problems.append(Problem(_path(("workloads", i, "instance_type")),
                                        f"{pinned} has {it.gpu_model} GPUs, not {gpu}", pinned))
        residency = wl.get("data_residency")
        for j, code in enumerate(residency if isinstance(residency, list) else []):
            if isinstance(code, str) and code not in countries:
                problems.append(unknown_name(_path(("workloads", i, "data_residency", j)),
                                             "country code or group", code, countries))
        loc = wl.get("data_locality")
        if isinstance(loc, dict):
            region(("workloads", i, "data_locality", "region"), loc.get("cloud"), loc.get("region"))
        name = wl.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(Problem(_path(("workloads", i, "name")),
                                        f"duplicate workload name (also workloads[{names[name]}])", name))
            names.setdefault(name, i)
    return problems


def _site_catalog(raw: Any, catalog: Catalog) -> Catalog:
    """`catalog` with the raw config's sites that validate on their own (the others are reported)."""
    host = site_cloud()
    rows = []
    for site in _items(raw, "sites"):
        try:
            rows.append(Site.model_validate(site).catalog_row())
        except ValidationError:
            continue
    return with_sites(catalog, host.name, rows) if host is not None and rows else catalog


def parse_fleet(raw: Any, catalog: Catalog | None = None) -> Fleet:
    """Validate a `gpufleet:fleet` value; raise `UserError` with every problem found."""
    catalog = catalog or load_catalog()
    if not isinstance(raw, dict):
        raise UserError([Problem(CONFIG_KEY, "must be a mapping of fleet settings",
                                 type(raw).__name__)], heading="invalid stack configuration")
    # Pinned instance types may be a site's ("dc-berlin/8xH100"): checked against the sites that are valid.
    problems = _catalog_problems(raw, _site_catalog(raw, catalog))
    fleet = None
    try:
        fleet = Fleet.model_validate(raw)
    except ValidationError as e:
        problems = structural_problems(e) + problems
    if problems:
        problems.sort(key=path_order)
        raise UserError(problems, heading="invalid stack configuration")
    assert fleet is not None
    return fleet
