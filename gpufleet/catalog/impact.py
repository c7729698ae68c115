"""Coefficients for what the power and carbon model needs beyond GPUs and CPUs, each with its source.

- `platform_power.csv`: the node's platform draw (NICs, NVSwitch, fans, power-supply losses) for
  8-GPU HGX nodes, as a measured node power the model is calibrated to (see gpufleet/footprint.py);
- `embodied.csv`: manufacturing emissions of an instance type's host and the host's vCPUs, amortised
  over the host's lifetime (Cloud Carbon Footprint's method and data);
- `storage_power.csv` and `storage_services.csv`: watt-hours per terabyte-hour by medium, and each
  storage service's medium and replication factor (Cloud Carbon Footprint's coefficients), for one of
  its SKUs (an Azure storage account's redundancy sets its replicas) or for every SKU (`*`).

A type or service without a row has no such figure: it is unknown, and the estimate says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gpufleet.catalog.prices import Rows, TableError, row_origin, table_count, table_number

EVERY_SKU = "*"


@dataclass(frozen=True)
class PlatformPower:
    instance_type: str
    calibrated_on: str  # the instance type whose measured node power fixes the platform term
    measured_node_watts: float
    source: str
    notes: str = ""


@dataclass(frozen=True)
class Embodied:
    cloud: str
    instance_type: str
    platform_kgco2e: float  # the whole host's manufacturing emissions
    platform_vcpus: int  # the host's vCPUs: an instance bears its share of them
    lifetime_hours: float
    source: str
    notes: str = ""


@dataclass(frozen=True)
class StorageService:
    cloud: str
    service: str
    sku: str  # the bill line's SKU, or "*": every SKU of the service
    medium: str  # "ssd" or "hdd"
    replication_factor: float
    source: str


@dataclass(frozen=True)
class StoragePower:
    medium: str
    wh_per_tb_hour: float
    source: str


@dataclass
class Impact:
    platform: dict[str, PlatformPower] = field(default_factory=dict)
    embodied: dict[str, Embodied] = field(default_factory=dict)
    storage_services: dict[tuple[str, str, str], StorageService] = field(default_factory=dict)
    storage_power: dict[str, StoragePower] = field(default_factory=dict)

    def storage_service(self, cloud: str, service: str, sku: str) -> StorageService | None:
        """The SKU's own medium and replicas, else the ones stated for every SKU of the service."""
        return self.storage_services.get((cloud, service, sku)) or \
            self.storage_services.get((cloud, service, EVERY_SKU))


def _number(row: dict[str, str], column: str, where: str, positive: bool = True) -> float:
    value = table_number(row, column, where)
    if value <= 0 if positive else value < 0:
        raise TableError(f"{where}: column {column!r} out of range: {row[column].strip()!r}")
    return value


def _whole(row: dict[str, str], column: str, where: str) -> int:
    value = table_count(row, column, where)
    if value <= 0:
        raise TableError(f"{where}: column {column!r} out of range: {row[column].strip()!r}")
    return value


def _sourced(row: dict[str, str], where: str) -> str:
    if not row.get("source", "").strip():
        raise TableError(f"{where}: source required")
    return row["source"]


def load_impact(rows: Rows) -> Impact:
    impact = Impact()
    for i, row in enumerate(rows("platform_power.csv"), start=2):
        where = row_origin(row, "platform_power.csv", i)
        impact.platform[row["instance_type"]] = PlatformPower(
            row["instance_type"], row["calibrated_on"], _number(row, "measured_node_watts", where),
            _sourced(row, where), row.get("notes", ""))
    for i, row in enumerate(rows("embodied.csv"), start=2):
        where = row_origin(row, "embodied.csv", i)
        impact.embodied[row["instance_type"]] = Embodied(
            row["cloud"], row["instance_type"], _number(row, "platform_kgco2e", where),
            _whole(row, "platform_vcpus", where), _number(row, "lifetime_hours", where),
            _sourced(row, where), row.get("notes", ""))
    for i, row in enumerate(rows("storage_power.csv"), start=2):
        where = row_origin(row, "storage_power.csv", i)
        impact.storage_power[row["medium"]] = StoragePower(row["medium"], _number(row, "wh_per_tb_hour", where),
                                                          _sourced(row, where))
    for i, row in enumerate(rows("storage_services.csv"), start=2):
        where = row_origin(row, "storage_services.csv", i)
        if row["medium"] not in impact.storage_power:
            raise TableError(f"{where}: medium {row['medium']!r} has no row in storage_power.csv")
        sku = row["sku"].strip()
        if not sku:
            raise TableError(f"{where}: column 'sku' required (a SKU, or {EVERY_SKU!r} for every SKU)")
        impact.storage_services[(row["cloud"], row["service"], sku)] = StorageService(
            row["cloud"], row["service"], sku, row["medium"], _number(row, "replication_factor", where),
            _sourced(row, where))
    for name, p in impact.platform.items():
        if p.calibrated_on not in impact.platform or impact.platform[p.calibrated_on].calibrated_on != p.calibrated_on:
            raise TableError(f"platform_power.csv: {name} is calibrated on {p.calibrated_on!r}, "
                                 "which must have its own row calibrated on itself")
    return impact
