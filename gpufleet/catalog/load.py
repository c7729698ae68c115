"""Load and validate the catalog's data files. Malformed data is a bug in the catalog: it raises."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

from gpufleet.catalog.model import (CLOUDS, Catalog, HostPower, InstanceType, MachineFamily, Offer, PowerCurve,
                                    Region)

DATA_DIR = Path(__file__).parent / "data"


class CatalogDataError(ValueError):
    """A data file breaks the catalog's schema (a bug in the data, not the user's input)."""


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of `path` (e.g. regions.csv, carried verbatim from the reference data) and of its
    per-cloud supplements beside it (regions.oci.csv), which share its columns."""
    out = []
    for part in (path, *sorted(path.parent.glob(f"{path.stem}.*{path.suffix}"))):
        with part.open(newline="", encoding="utf-8") as f:
            out.extend(csv.DictReader(f))
    return out


def _number(row: dict[str, str], column: str, where: str) -> float | None:
    """A number, or None for an empty cell (unknown). Never 0 for a blank."""
    text = row[column].strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise CatalogDataError(f"{where}: column {column!r} is not a number: {text!r}") from None
    if value < 0:
        raise CatalogDataError(f"{where}: column {column!r} is negative: {text!r}")
    return value


def _signed(row: dict[str, str], column: str, where: str) -> float | None:
    """A coordinate (may be negative), or None when unknown."""
    text = row[column].strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise CatalogDataError(f"{where}: column {column!r} is not a number: {text!r}") from None


def _cloud(row: dict[str, str], where: str) -> str:
    if row["cloud"] not in CLOUDS:
        raise CatalogDataError(f"{where}: unknown cloud {row['cloud']!r}")
    return row["cloud"]


def _load_regions(data_dir: Path) -> dict[tuple[str, str], Region]:
    locations = {(r["cloud"], r["region"]): r for r in _rows(data_dir / "region_locations.csv")}
    regions: dict[tuple[str, str], Region] = {}
    for i, row in enumerate(_rows(data_dir / "regions.csv"), start=2):
        where = f"regions.csv:{i}"
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


def _load_instance_types(data_dir: Path) -> dict[str, InstanceType]:
    efa = {r["instance_type"]: r for r in _rows(data_dir / "efa_interfaces.csv")}
    types: dict[str, InstanceType] = {}
    for i, row in enumerate(_rows(data_dir / "instance_types.csv"), start=2):
        where = f"instance_types.csv:{i}"
        name = row["instance_type"]
        if name in types:
            raise CatalogDataError(f"{where}: duplicate instance type {name!r}")
        gpu_count = _number(row, "gpu_count", where)
        vcpus = _number(row, "vcpus", where)
        memory = _number(row, "memory_gib", where)
        if not gpu_count or vcpus is None or memory is None:
            raise CatalogDataError(f"{where}: gpu_count, vcpus and memory_gib are required")
        e = efa.get(name)
        types[name] = InstanceType(
            cloud=_cloud(row, where),
            name=name,
            gpu_model=row["gpu_model"],
            gpu_count=int(gpu_count),
            gpu_memory_gib=_number(row, "gpu_memory_gib", where),
            vcpus=int(vcpus),
            memory_gib=memory,
            network_gbps=_number(row, "network_gbps", where),
            interconnect=row["interconnect"].strip() or None,
            gpu_tdp_watts=_number(row, "gpu_tdp_watts", where),
            max_efa_interfaces=int(e["max_efa_interfaces"]) if e else None,
            spec_source=row["spec_source"],
            tdp_source=row["tdp_source"],
            efa_source=e["source"] if e else "",
            notes=row["notes"],
        )
    unknown = set(efa) - set(types)
    if unknown:
        raise CatalogDataError(f"efa_interfaces.csv: unknown instance types {sorted(unknown)}")
    return types


def _load_offers(data_dir: Path) -> list[Offer]:
    offers: list[Offer] = []
    seen: set[tuple[str, str, str]] = set()
    for i, row in enumerate(_rows(data_dir / "offers.csv"), start=2):
        where = f"offers.csv:{i}"
        key = (_cloud(row, where), row["instance_type"], row["region"])
        if key in seen:
            raise CatalogDataError(f"{where}: duplicate offer {key}")
        seen.add(key)
        offers.append(
            Offer(
                cloud=key[0],
                instance_type=key[1],
                region=key[2],
                usd_per_hour=_number(row, "on_demand_usd_per_hour", where),
                price_source=row["source"],
                # The reference records the snapshot's dating evidence per source (SOURCES.md §1).
                price_date=_PRICE_DATES.get(key[0], "undated"),
                list_complete=row["list_complete"],
                notes=row["notes"],
            )
        )
    return offers


# From data/SOURCES.md §1 and §7: AWS (S4) and Azure (S6) snapshots are undated; GCP (S7) 2026-07-30.
_PRICE_DATES = {
    "aws": "undated snapshot (S4; p5en values identical to dstack PR #4110 of 2026-08-06)",
    "azure": "undated snapshot (S6; US regions only)",
    "gcp": "2026-07-30 (S7)",
}


def _load_power(data_dir: Path) -> PowerCurve:
    raw = json.loads((data_dir / "gpu_power_h200.json").read_text())
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


def _load_host_power(data_dir: Path) -> dict[str, HostPower]:
    out = {}
    for i, row in enumerate(_rows(data_dir / "host_power.csv"), start=2):
        where = f"host_power.csv:{i}"
        values = [
            _number(row, c, where)
            for c in ("cpu_min_w_per_vcpu", "cpu_max_w_per_vcpu", "memory_kwh_per_gb_hour")
        ]
        if None in values:
            raise CatalogDataError(f"{where}: every coefficient is required")
        out[_cloud(row, where)] = HostPower(row["cloud"], *values, source=row["source"])  # type: ignore[arg-type]
    return out


def _count(row: dict[str, str], column: str, where: str) -> int | None:
    value = _number(row, column, where)
    if value is not None and value != int(value):
        raise CatalogDataError(f"{where}: column {column!r} is not a whole number: {row[column]!r}")
    return None if value is None else int(value)


_YES_NO = {"yes": True, "no": False, "": None}


def _load_machine_families(data_dir: Path, types: dict[str, InstanceType]) -> dict[tuple[str, str], MachineFamily]:
    path = data_dir / "machine_families.csv"
    if not path.exists():  # a data set without per-family network facts (e.g. a test fixture catalog)
        return {}
    families: dict[tuple[str, str], MachineFamily] = {}
    for i, row in enumerate(_rows(path), start=2):
        where = f"machine_families.csv:{i}"
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


def load_catalog_from(data_dir: Path) -> Catalog:
    types = _load_instance_types(data_dir)
    return Catalog(
        regions=_load_regions(data_dir),
        instance_types=types,
        offers=_load_offers(data_dir),
        gpu_power=_load_power(data_dir),
        host_power=_load_host_power(data_dir),
        machine_families=_load_machine_families(data_dir, types),
    )


@functools.cache
def load_catalog() -> Catalog:
    """The project's catalog, loaded once per process."""
    return load_catalog_from(DATA_DIR)
