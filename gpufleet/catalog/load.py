"""Load and validate the catalog's data files. Malformed data is a bug in the catalog: it raises."""

from __future__ import annotations

import functools
import json
import os
import re
from fractions import Fraction
from pathlib import Path

from gpufleet.catalog.impact import load_impact
from gpufleet.catalog.model import (CLOUDS, Catalog, HostPower, InstanceType, MachineFamily, Offer, PowerCurve,
                                    Region)
from gpufleet.catalog.overlay import (
    OVERLAY_ENV,
    WHERE,
    CatalogData,
    CatalogOverlayError,
    apply_overlay,
    overlay_from_environment,
)
from gpufleet.catalog.prices import TableError, instance_usd_per_hour, load_prices, table_number
from gpufleet.errors import Problem

DATA_DIR = Path(__file__).parent / "data"
# Replaces the shipped data folder as a whole (tests use a small fixture catalog this way, so a data
# refresh breaks no test but the catalog's own). Users add to the shipped data with an overlay instead.
DATA_ENV = "GPUFLEET_CATALOG_DATA"


class CatalogDataError(ValueError):
    """A data file breaks the catalog's schema (a bug in the data, not the user's input)."""


def _number(row: dict[str, str], column: str, where: str) -> float | None:
    """A number, or None for an empty cell (unknown). Never 0 for a blank."""
    value = _signed(row, column, where)
    if value is not None and value < 0:
        raise CatalogDataError(f"{where}: column {column!r} is negative: {row[column].strip()!r}")
    return value


def _signed(row: dict[str, str], column: str, where: str) -> float | None:
    """A finite number within ±2^53 (a coordinate may be negative), or None when unknown."""
    if not row[column].strip():
        return None
    try:
        return table_number(row, column, where)
    except TableError as e:
        raise CatalogDataError(str(e)) from None


def _offer_price(row: dict[str, str], where: str) -> float | None:
    """An offer's on-demand price, or None when unknown (an empty cell)."""
    if not row["on_demand_usd_per_hour"].strip():
        return None
    try:
        return instance_usd_per_hour(row, "on_demand_usd_per_hour", where)
    except TableError as e:
        raise CatalogDataError(str(e)) from None


def _cloud(row: dict[str, str], where: str) -> str:
    if row["cloud"] not in CLOUDS:
        raise CatalogDataError(f"{where}: unknown cloud {row['cloud']!r}")
    return row["cloud"]


def _load_regions(data: CatalogData) -> dict[tuple[str, str], Region]:
    locations = {(r["cloud"], r["region"]): r for r in data.rows("region_locations.csv")}
    regions: dict[tuple[str, str], Region] = {}
    for row in data.rows("regions.csv"):
        where = row[WHERE]
        key = (_cloud(row, where), row["region"])
        if key in regions:
            raise CatalogDataError(f"{where}: duplicate region {key}")
        loc = locations.get(key)
        if loc is None:
            raise CatalogDataError(f"{where}: {key} has no row in region_locations.csv")
        regions[key] = Region(
            cloud=key[0],
            name=key[1],
            location=row["location"],
            country=loc["country"],
            latitude=_signed(loc, "latitude", where),
            longitude=_signed(loc, "longitude", where),
            grid_gco2e_per_kwh=_number(row, "grid_gco2e_per_kwh", where),
            grid_source=row["grid_source"],
            grid_year=row["grid_year"],
            cfe_percent=_number(row, "cfe_percent", where),
            pue=_number(row, "pue", where),
            pue_source=row["pue_source"],
            pue_year=row["pue_year"],
            notes=row["notes"],
        )
    return regions


def _gpu_count(row: dict[str, str], where: str) -> int | Fraction:
    """GPUs per instance: a whole number, or the share of one GPU a partitioned VM gets, written as the
    cloud writes it ("1/6"). Kept exact, so a sixth of a GPU is neither 0 nor 1."""
    text = row["gpu_count"].strip()
    if not text:
        raise CatalogDataError(f"{where}: gpu_count, vcpus and memory_gib are required")
    if "/" in text:
        if not re.fullmatch(r"[0-9]+/[0-9]*[1-9][0-9]*", text):
            raise CatalogDataError(f"{where}: column 'gpu_count' is not a whole number or a fraction like 1/6: {text!r}")
        count = Fraction(text)
    else:
        value = _number(row, "gpu_count", where)
        if value != int(value):  # a share written as a decimal (0.1667) would not be exact
            raise CatalogDataError(f"{where}: column 'gpu_count' is not a whole number or a fraction like 1/6: {text!r}")
        count = Fraction(int(value))
    if count <= 0 or (count.denominator != 1 and count >= 1):
        raise CatalogDataError(f"{where}: gpu_count must be a whole number of GPUs or a partition of one GPU "
                               f"(a fraction below 1): {text!r}")
    return int(count) if count.denominator == 1 else count


def _load_instance_types(data: CatalogData) -> dict[str, InstanceType]:
    efa = {r["instance_type"]: r for r in data.rows("efa_interfaces.csv")}
    types: dict[str, InstanceType] = {}
    for row in data.rows("instance_types.csv"):
        where = row[WHERE]
        name = row["instance_type"]
        if name in types:
            raise CatalogDataError(f"{where}: duplicate instance type {name!r}")
        gpu_count = _gpu_count(row, where)
        vcpus = _count(row, "vcpus", where)
        memory = _number(row, "memory_gib", where)
        if vcpus is None or memory is None:
            raise CatalogDataError(f"{where}: gpu_count, vcpus and memory_gib are required")
        e = efa.get(name)
        types[name] = InstanceType(
            cloud=_cloud(row, where),
            name=name,
            gpu_model=row["gpu_model"],
            gpu_count=gpu_count,
            gpu_memory_gib=_number(row, "gpu_memory_gib", where),
            vcpus=vcpus,
            memory_gib=memory,
            network_gbps=_number(row, "network_gbps", where),
            interconnect=row["interconnect"].strip() or None,
            gpu_tdp_watts=_number(row, "gpu_tdp_watts", where),
            max_efa_interfaces=_count(e, "max_efa_interfaces", e[WHERE]) if e else None,
            spec_source=row["spec_source"],
            tdp_source=row["tdp_source"],
            tdp_date=row["tdp_date"],
            efa_source=e["source"] if e else "",
            notes=row["notes"],
        )
    unknown = set(efa) - set(types)
    if unknown:
        raise CatalogDataError(f"efa_interfaces.csv: unknown instance types {sorted(unknown)}")
    return types


def _load_offers(data: CatalogData) -> list[Offer]:
    offers: list[Offer] = []
    seen: set[tuple[str, str, str]] = set()
    for row in data.rows("offers.csv"):
        where = row[WHERE]
        key = (_cloud(row, where), row["instance_type"], row["region"])
        if key in seen:
            raise CatalogDataError(f"{where}: duplicate offer {key}")
        seen.add(key)
        offers.append(
            Offer(
                cloud=key[0],
                instance_type=key[1],
                region=key[2],
                usd_per_hour=_offer_price(row, where),
                price_source=row["source"],
                price_date=row["price_date"],
                list_complete=row["list_complete"],
                notes=row["notes"],
            )
        )
    return offers


def _load_power(data: CatalogData) -> PowerCurve:
    raw = json.loads(data.text("gpu_power_h200.json"))
    phases = [p for p in raw["phases"] if p["phase"] != "idle_after"]
    points = tuple(sorted((float(p["duty"]), float(p["power_mean_w"])) for p in phases))
    if points[0][0] != 0.0 or points[-1][0] != 1.0:
        raise CatalogDataError("gpu_power_h200.json: the curve must span duty 0..1")
    return PowerCurve(
        gpu=raw["gpu"],
        limit_watts=float(raw["enforced_limit_w"]),
        points=points,
        source="measured on one NVIDIA H200 SXM (700 W limit) with NVML, 2026-11-26 "
        "(shared/data/reference/h200-power-2026-11-26.json)",
    )


def _load_host_power(data: CatalogData) -> dict[str, HostPower]:
    out = {}
    for row in data.rows("host_power.csv"):
        where = row[WHERE]
        values = [
            _number(row, c, where)
            for c in ("cpu_min_w_per_vcpu", "cpu_max_w_per_vcpu", "memory_kwh_per_gb_hour")
        ]
        if None in values:
            raise CatalogDataError(f"{where}: every coefficient is required")
        out[_cloud(row, where)] = HostPower(row["cloud"], *values, source=row["source"])  # type: ignore[arg-type]
    return out


def _count(row: dict[str, str], column: str, where: str) -> int | None:
    """A whole, non-negative number (GPUs, vCPUs, interfaces, networks), or None when unknown: 8.5 GPUs is a
    mistake, not 8."""
    value = _number(row, column, where)
    if value is not None and not value.is_integer():
        raise CatalogDataError(f"{where}: column {column!r} is not a whole number: {row[column].strip()!r}")
    return None if value is None else int(value)


_YES_NO = {"yes": True, "no": False, "": None}


def _load_machine_families(data: CatalogData, types: dict[str, InstanceType]) -> dict[tuple[str, str], MachineFamily]:
    if not data.has("machine_families.csv"):  # a data set without per-family network facts (e.g. a test fixture)
        return {}
    families: dict[tuple[str, str], MachineFamily] = {}
    for row in data.rows("machine_families.csv"):
        where = row[WHERE]
        key = (_cloud(row, where), row["family"])
        if key in families:
            raise CatalogDataError(f"{where}: duplicate machine family {key}")
        if row["compact_placement"] not in _YES_NO:
            raise CatalogDataError(f"{where}: compact_placement must be yes, no or empty: {row['compact_placement']!r}")
        families[key] = MachineFamily(
            cloud=key[0], name=key[1], fabric=row["fabric"],
            fabric_networks=_count(row, "fabric_networks", where),
            fabric_network_mtu=_count(row, "fabric_network_mtu", where),
            fabric_network_profile=row["fabric_network_profile"].strip() or None,
            extra_host_networks=_count(row, "extra_host_networks", where),
            compact_placement=_YES_NO[row["compact_placement"]],
            fabric_source=row["fabric_source"], placement_source=row["placement_source"],
            retrieved=row["retrieved"], notes=row["notes"],
        )  # fmt: skip
    # A family's fabric must be the one the catalog gives its fabric machine types.
    for it in types.values():
        family = next((f for f in families.values() if f.cloud == it.cloud and f.matches(it.name)), None)
        if family is not None and it.high_bandwidth and it.interconnect != family.fabric:
            raise CatalogDataError(f"machine_families.csv: {family.name} says {family.fabric!r}, "
                                   f"instance_types.csv gives {it.name} {it.interconnect!r}")
    return families


def _build(data: CatalogData) -> Catalog:
    types = _load_instance_types(data)

    def rows(name: str) -> list[dict[str, str]]:
        # A data set without a bill table (e.g. a small test fixture catalog) has none of its rows.
        return data.rows(name) if data.has(name) else []

    try:
        prices, impact = load_prices(rows, CLOUDS), load_impact(rows)
    except TableError as e:
        raise CatalogDataError(str(e)) from None
    return Catalog(
        regions=_load_regions(data),
        instance_types=types,
        offers=_load_offers(data),
        gpu_power=_load_power(data),
        host_power=_load_host_power(data),
        machine_families=_load_machine_families(data, types),
        fingerprint=lambda: data.version,
        data_description=data.description,
        prices=prices,
        impact=impact,
    )


def load_catalog_from(data_dir: Path, overlay_dir: Path | None = None, setting: str = "--catalog") -> Catalog:
    """The catalog of `data_dir`, with `overlay_dir`'s rows over it (`setting` names it in errors)."""
    data = CatalogData(data_dir)
    if overlay_dir is None:
        return _build(data)
    apply_overlay(data, overlay_dir, setting)
    try:
        return _build(data)
    except CatalogDataError as e:  # an overlay row breaks the schema: the user's mistake
        raise CatalogOverlayError([Problem(f"{setting} {overlay_dir}", str(e))]) from None


@functools.cache
def _cached(data_dir: Path, overlay_dir: Path | None) -> Catalog:
    return load_catalog_from(data_dir, overlay_dir, OVERLAY_ENV)


def data_dir() -> Path:
    """The data folder in use: the shipped one, or the folder `GPUFLEET_CATALOG_DATA` names."""
    base = os.environ.get(DATA_ENV, "").strip()
    return Path(base).resolve() if base else DATA_DIR


def load_catalog() -> Catalog:
    """The catalog in use, loaded once per process and data source: the data of `data_dir()`, with the
    overlay `GPUFLEET_CATALOG` names, if any."""
    return _cached(data_dir(), overlay_from_environment())
