"""Candidate options — (cloud, region, instance type, nodes) with their footprint — and their order.

The order (the tie-break rule, docs/placement.md) for an objective compares, in turn:
1. whether the objective's figure is known (unknown figures never rank above known ones);
2. the objective's figure rounded to the cent (USD) or to the gram (kgCO2e to 0.001);
3. fewer nodes;
4. the other figure (cost objective: carbon; carbon and balanced: cost), unknown last;
5. cloud, region and instance type, alphabetically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from gpufleet.catalog import Catalog, Region
from gpufleet.catalog.model import InstanceType
from gpufleet.clouds import adapter, cloud_names, reservation_cloud
from gpufleet.clouds.adapter import Feature
from gpufleet.config import CONFIG_KEY, Fleet, Workload
from gpufleet.errors import Problem, UserError, unknown_name
from gpufleet.words import first_few
from gpufleet.footprint import (CAPACITY_TYPES, HOURS_PER_MONTH, Footprint, Price, capacity_footprint, embodied,
                                node_price, node_watts)
from gpufleet.placement.model import OBJECTIVES, Option, PlacementError


def cents(usd: float) -> int:
    return round(usd * 100)


def grams(kg: float) -> int:
    return round(kg * 1000)


def order_key(o: Option, objective: str) -> tuple:
    """The option's place in the tie-break rule for `objective` (smaller is better)."""
    usd, kg = o.monthly_usd, o.monthly_kgco2e
    c = cents(usd) if usd is not None else 0
    g = grams(kg) if kg is not None else 0
    if objective == "cost":
        return (usd is None, c, o.nodes, kg is None, g, o.cloud, o.region, o.instance_type)
    if objective == "carbon":
        return (kg is None, g, o.nodes, usd is None, c, o.cloud, o.region, o.instance_type)
    return (usd is None or kg is None, g, o.nodes, c, o.cloud, o.region, o.instance_type)


def needs_known(objective: str) -> tuple[str, ...]:
    """The figures an objective compares: options where one is unknown cannot be ranked by it."""
    return {"cost": ("monthly_usd",), "carbon": ("monthly_kgco2e",)}.get(objective, ("monthly_usd", "monthly_kgco2e"))


def known(o: Option, figures: tuple[str, ...]) -> bool:
    return all(getattr(o, f) is not None for f in figures)


def price_kind(w: Workload) -> str:
    """The price a workload's capacity pays: its capacity type, or its reservation's kind where that is a
    price kind of its own (a Capacity Block is reserved capacity with its own price)."""
    if w.reservation is not None and w.reservation.kind in CAPACITY_TYPES:
        return w.reservation.kind
    return w.capacity


@dataclass
class KnownOffers:
    """Offers and footprints already worked out, kept by the caller for one catalog (one `place()` call):
    a fleet's workloads often ask for the same, and their footprints are the same."""

    # (gpu, clouds) -> (instance type, region) of every offer of the GPU in a catalog region of the clouds,
    # by cloud, region and type
    where: dict[tuple[str, tuple[str, ...]], list[tuple[InstanceType, str]]] = field(default_factory=dict)
    # (cloud, region, instance type, nodes, hours, utilization, capacity type): every argument of
    # `capacity_footprint` besides the catalog -> its footprint
    footprints: dict[tuple, Footprint] = field(default_factory=dict)
    # `node_price`'s, `node_watts`' and `embodied`'s arguments besides the catalog -> their results, which
    # footprints share
    prices: dict[tuple[str, str, str, str], Price] = field(default_factory=dict)
    watts: dict[tuple[str, str, float], tuple[float | None, str]] = field(default_factory=dict)
    embodied: dict[tuple[str, int, float], tuple[float | None, str]] = field(default_factory=dict)

    def footprint(self, catalog: Catalog, cloud: str, region: str, instance_type: str, nodes: int, hours: float,
                  utilization: float, capacity_type: str) -> Footprint:
        key = (cloud, region, instance_type, nodes, hours, utilization, capacity_type)
        fp = self.footprints.get(key)
        if fp is None:
            price_key, watts_key = (cloud, region, instance_type, capacity_type), (cloud, instance_type, utilization)
            embodied_key = (instance_type, nodes, hours)
            if price_key not in self.prices:
                self.prices[price_key] = node_price(catalog, *price_key)
            if watts_key not in self.watts:
                self.watts[watts_key] = node_watts(catalog, *watts_key)
            if embodied_key not in self.embodied:
                self.embodied[embodied_key] = embodied(catalog, *embodied_key)
            fp = self.footprints[key] = capacity_footprint(
                catalog, cloud, region, instance_type, nodes, hours=hours, utilization=utilization,
                capacity_type=capacity_type, price=self.prices[price_key], watts=self.watts[watts_key],
                embodied_kg=self.embodied[embodied_key])
        return fp


def offered_options(
    catalog: Catalog, gpu: str, gpu_count: int, clouds: tuple[str, ...], hours: float, utilization: float,
    workload: str, capacity_type: str = "on-demand", known: KnownOffers | None = None,
) -> list[Option]:
    """Every offer, in a catalog region of `clouds`, of an instance type with `gpu`, sized for `gpu_count`,
    priced at `capacity_type`'s price where the catalog has it (else on-demand, which the option says).

    `known` (kept by the caller for one catalog) holds the offers and footprints already worked out.
    Options are by cloud, region and instance type.
    """
    known = KnownOffers() if known is None else known
    where = known.where.get((gpu, clouds))
    if where is None:
        where = known.where[(gpu, clouds)] = sorted(
            ((it, offer.region) for it in catalog.instance_types_for_gpu(gpu, clouds)
             for offer in catalog.offered(it.name, it.cloud)
             # no facts (grid, PUE, location) for a region outside the catalog
             if catalog.region(it.cloud, offer.region) is not None),
            key=lambda w: (w[0].cloud, w[1], w[0].name))
    options = []
    for it, region in where:
        nodes = math.ceil(gpu_count / it.gpu_count)
        fp = known.footprint(catalog, it.cloud, region, it.name, nodes, hours, utilization, capacity_type)
        options.append(Option(workload, it.cloud, region, it.name, nodes, nodes * it.gpu_count, fp))
    return options


# --- a workload's filters -------------------------------------------------------------------------


# Filters that are not something the workload asks for (the fleet's candidates; what gpufleet can declare): left out of
# the phrase that says what it asks, and of reasons
NOT_ASKED = frozenset({"candidates", "declared"})


@dataclass(frozen=True)
class Filter:
    """One requirement of a workload that removes options."""

    name: str  # "candidates", "instance_type", "declared", "spot", "scale_to_zero", "fabric", "reservation", "storage",
    # "residency", "data_locality"
    path: str  # the setting that imposes it
    phrase: str  # completes "64 H100 ...": "within residency EU"
    label: str  # names the requirement in binding constraints and fixes: "residency EU"
    allows: Callable[[Option], bool]
    note: str = ""  # e.g. regions whose distance is unknown
    why: Callable[[Option], str] = lambda o: ""  # why an option it removes is removed, when that is not plain


@dataclass
class WorkloadOptions:
    """A workload's options: every offer of its GPU (`universe`) and those its filters allow."""

    workload: Workload
    index: int
    universe: list[Option]
    filters: list[Filter]
    allowed: list[Option] = field(init=False)
    failed: list[tuple[str, ...]] = field(init=False)  # names of the filters each option of `universe` fails

    def __post_init__(self) -> None:
        self.failed = [tuple(f.name for f in self.filters if not f.allows(o)) for o in self.universe]
        self.allowed = [o for o, failed in zip(self.universe, self.failed) if not failed]

    @property
    def path(self) -> str:
        return f"{CONFIG_KEY}.workloads[{self.index}]"

    def without(self, name: str) -> list[Option]:
        """Options that only the filter `name` removes."""
        return [o for o, failed in zip(self.universe, self.failed) if failed == (name,)]

    def no_option_problem(self) -> Problem:
        """Why no option is left, which filter removed the last ones, and what would allow some."""
        w = self.workload
        active = [f for f in self.filters if f.name not in NOT_ASKED]
        text = f"workload {w.name!r}: no candidate region offers {w.gpu_count} {w.gpu}" + "".join(f" {f.phrase}" for f in active)
        if not self.universe:
            return Problem(f"{self.path}.gpu", text + " (no catalog region of these clouds offers it)", w.gpu)
        left = list(self.universe)
        steps = [f"{len(left)} catalog offer(s)"]
        for f in self.filters:
            left = [o for o in left if f.allows(o)]
            steps.append(f"{len(left)} {f.phrase}")
            if not left:
                break
        text += f": {', '.join(steps)}"
        fixes = []
        for f in self.filters:
            freed = self.without(f.name) if f.name != "declared" else []  # not the user's to relax: its note says why
            if freed:
                regions = list(dict.fromkeys(o.where for o in freed))
                change = "add a candidate region" if f.name == "candidates" else f"relax {f.label}"
                fixes.append(f"{change} ({first_few(regions, 6)})")
        if fixes:
            text += "; feasible if you " + " or ".join(fixes)
        else:
            text += "; no single change allows an option"
        notes = [f.note for f in self.filters if f.note]
        if notes:
            text += "; " + "; ".join(notes)
        return Problem(self.path, text)


def _per_type(universe: list[Option], catalog: Catalog, question: Callable) -> dict[tuple[str, str], Any]:
    """`question(cloud adapter, instance type)` asked once per (cloud, instance type) among `universe`: the
    filters below look the answer up for each option."""
    return {(o.cloud, o.instance_type): question(adapter(o.cloud), catalog.instance_types[o.instance_type])
            for o in {(o.cloud, o.instance_type): o for o in universe}.values()}


def _unattachable_fabric_note(attached: dict[tuple[str, str], bool], catalog: Catalog) -> str:
    """The instance types (by `attached`: whether the fabric is attached) that have a fabric gpufleet's components
    do not attach, and why."""
    by_cloud: dict[str, list[str]] = {}
    for (cloud, name), yes in attached.items():
        if catalog.instance_types[name].high_bandwidth and not yes:
            by_cloud.setdefault(cloud, []).append(name)
    return "; ".join(
        f"{', '.join(types)} ({cloud}): a fabric gpufleet does not attach, "
        + adapter(cloud).unsupported.get(Feature.FABRIC_UNKNOWN_INTERFACE_COUNT, "its components refuse it")
        for cloud, types in by_cloud.items())


def workload_filters(fleet: Fleet, w: Workload, index: int, catalog: Catalog, universe: list[Option]) -> list[Filter]:
    path = f"{CONFIG_KEY}.workloads[{index}]"
    candidates = set(fleet.candidate_regions())
    filters = [Filter("candidates", f"{CONFIG_KEY}.candidates", "in candidate regions", "candidate regions",
                      lambda o: (o.cloud, o.region) in candidates)]
    if w.instance_type:
        filters.append(Filter("instance_type", f"{path}.instance_type", f"as {w.instance_type}",
                              f"instance type {w.instance_type}", lambda o: o.instance_type == w.instance_type))
    refusals = _per_type(universe, catalog, lambda cloud, it: cloud.type_refusal(it))
    if any(refusals.values()):
        filters.append(Filter("declared", f"{path}.gpu", "on a type gpufleet declares", "types gpufleet declares",
                              lambda o: refusals[(o.cloud, o.instance_type)] is None,
                              "; ".join(f"{name} ({cloud}): {why}" for (cloud, name), why in refusals.items() if why),
                              lambda o: refusals[(o.cloud, o.instance_type)] or ""))
    for asked, feature, name, setting, phrase, label in (
            (w.capacity == "spot", Feature.SPOT_CAPACITY, "spot", "capacity", "on Spot capacity", "Spot capacity"),
            (w.scale_to_zero, Feature.SCALE_TO_ZERO, "scale_to_zero", "scale_to_zero", "scaling to zero",
             "scale to zero")):
        # what the cloud's components refuse (preflight quotes the same reason): only where a cloud refuses it
        refusing = {o.cloud: adapter(o.cloud).unsupported[feature] for o in universe
                    if asked and feature in adapter(o.cloud).unsupported}
        if refusing:
            filters.append(Filter(name, f"{path}.{setting}", phrase, label,
                                  lambda o, f=feature: f not in adapter(o.cloud).unsupported,
                                  "; ".join(f"{cloud}: {why}" for cloud, why in refusing.items()),
                                  lambda o, f=feature: adapter(o.cloud).unsupported.get(f, "")))
    if w.high_bandwidth_fabric:
        attached = _per_type(universe, catalog, lambda cloud, it: cloud.attaches_fabric(it))
        filters.append(Filter("fabric", f"{path}.high_bandwidth_fabric", "with a high-bandwidth fabric",
                              "high-bandwidth fabric", lambda o: attached[(o.cloud, o.instance_type)],
                              _unattachable_fabric_note(attached, catalog),
                              lambda o: "it has a fabric gpufleet does not attach"
                              if catalog.instance_types[o.instance_type].high_bandwidth else ""))
    if w.reservation is not None:
        filters.append(_reservation_filter(w, path))
    if w.storage is not None:
        filters.append(Filter("storage", f"{path}.storage", "with storage tiers", "storage tiers",
                              lambda o: Feature.STORAGE_TIERS not in adapter(o.cloud).unsupported))
    if w.data_residency:
        where = ", ".join(w.data_residency)
        countries = w.residency_countries
        filters.append(Filter("residency", f"{path}.data_residency", f"within residency {where}",
                              f"residency {where}",
                              lambda o: catalog.regions[(o.cloud, o.region)].country in countries))
    loc = w.data_locality
    if loc is not None and loc.max_distance_km is not None:
        data_region = catalog.regions[(loc.cloud, loc.region)]
        limit = loc.max_distance_km
        unknown = sorted({o.where for o in universe if (o.cloud, o.region) in candidates
                          and catalog.regions[(o.cloud, o.region)].distance_km(data_region) is None})
        note = f"distance to {loc.cloud} {loc.region} unknown (no coordinates) for {', '.join(unknown)}: " \
               "not allowed" if unknown else ""

        def near(o: Option, data_region: Region = data_region) -> bool:
            d = catalog.regions[(o.cloud, o.region)].distance_km(data_region)
            return d is not None and d <= limit

        filters.append(Filter("data_locality", f"{path}.data_locality.max_distance_km",
                              f"within {limit:g} km of {loc.cloud} {loc.region}",
                              f"max {limit:g} km from {loc.cloud} {loc.region}", near, note))
    return filters


def _reservation_filter(w: Workload, path: str) -> Filter:
    """Options where the reservation's capacity can be: the cloud whose kind it is, in the region its
    adapter reads from it (`CloudAdapter.reservation_scope`)."""
    r = w.reservation
    assert r is not None
    owner = reservation_cloud(r.kind)
    if owner is None:  # config validation refuses unknown kinds; an adapter unregistered since allows nothing
        return Filter("reservation", f"{path}.reservation.kind", f"a cloud with reservation kind {r.kind!r}",
                      f"reservation kind {r.kind}", lambda o: False)
    scope = owner.reservation_scope(r.kind, r.zone)

    def inside(o: Option) -> bool:
        return scope.possible and o.cloud == owner.name and scope.region in (None, o.region)

    return Filter("reservation", f"{path}.{scope.field}", scope.allowed, scope.label, inside)


def workload_options(fleet: Fleet, index: int, catalog: Catalog, clouds: tuple[str, ...],
                     known: KnownOffers | None = None) -> WorkloadOptions:
    """A workload's options over every catalog region of the candidate clouds within `clouds`
    (`known`: see `offered_options`)."""
    w = fleet.workloads[index]
    clouds = tuple(c for c in clouds if c in {cand.cloud for cand in fleet.candidates})
    universe = offered_options(catalog, w.gpu, w.gpu_count, clouds, w.hours_per_month, w.utilization, w.name,
                               price_kind(w), known)
    return WorkloadOptions(w, index, universe, workload_filters(fleet, w, index, catalog, universe))


# --- ranking one request (`gpufleet regions`) ----------------------------------------------------


def check_request(catalog: Catalog, gpu: str, gpus: int, clouds: tuple[str, ...], objective: str,
                  utilization: float, hours: float) -> None:
    problems = []
    if p := catalog.check_gpu("--gpu", gpu):
        problems.append(p)
    if gpus < 1:
        problems.append(Problem("--gpus", "must be at least 1", gpus))
    for cloud in clouds:
        if cloud not in cloud_names():
            problems.append(unknown_name("--cloud", "cloud", cloud, cloud_names()))
    if objective not in OBJECTIVES:
        problems.append(unknown_name("--objective", "objective", objective, OBJECTIVES))
    if not 0.0 <= utilization <= 1.0:
        problems.append(Problem("--utilization", "must be within 0..100 %", utilization * 100))
    if not 0.0 < hours <= HOURS_PER_MONTH:
        problems.append(Problem("--hours", f"must be within 0..{HOURS_PER_MONTH:g} hours a month", hours))
    if problems:
        raise UserError(problems, heading="invalid request")


def rank_regions(
    catalog: Catalog, gpu: str, gpus: int, clouds: tuple[str, ...], objective: str,
    utilization: float = 1.0, hours: float = HOURS_PER_MONTH, max_cost_premium_percent: float = 10.0,
) -> list[Option]:
    """The best option of every catalog region of `clouds` that offers `gpus` × `gpu`, best first.

    Options whose objective figure is unknown come after every known one. Balanced ranks the
    regions within `max_cost_premium_percent` of the cheapest by carbon, then the rest by carbon.
    """
    check_request(catalog, gpu, gpus, clouds, objective, utilization, hours)
    options = offered_options(catalog, gpu, gpus, clouds, hours, utilization, f"{gpus}x{gpu}")
    if not options:
        offering = sorted({it.cloud for it in catalog.instance_types_for_gpu(gpu)})
        raise PlacementError(
            [Problem("--cloud", f"no catalog region of {', '.join(clouds)} offers {gpu}", ",".join(clouds),
                     tuple(offering))],
            heading="nothing to rank",
        )
    key = ranking_key(options, objective, max_cost_premium_percent)
    best: dict[tuple[str, str], Option] = {}
    for o in sorted(options, key=key):
        best.setdefault((o.cloud, o.region), o)
    return list(best.values())


def ranking_key(options: list[Option], objective: str, max_cost_premium_percent: float) -> Callable[[Option], tuple]:
    """The tie-break rule; for balanced, options over the cost cap come after those within it."""
    if objective != "balanced":
        return lambda o: order_key(o, objective)
    priced = [cents(o.monthly_usd) for o in options if known(o, needs_known("balanced"))]
    cap = min(priced) * (1 + max_cost_premium_percent / 100) if priced else 0.0

    def key(o: Option) -> tuple:
        k = order_key(o, "balanced")
        return (k[0], not k[0] and cents(o.monthly_usd) > cap, *k[1:])  # type: ignore[arg-type]

    return key
