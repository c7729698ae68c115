"""Prices beyond the GPU offers' on-demand list price: other price kinds, CPU hosts and services.

`offers.csv` keeps each GPU offer's on-demand list price (the reference data, verbatim). The other
tables here hold every other price gpufleet knows, each row with its source and date:

- `instance_prices.csv`: a price of one kind (`on-demand` for CPU hosts, `spot`, `capacity-block`,
  `reserved`, `negotiated`) for an instance type in a region;
- `service_prices.csv`: a price per unit of a managed service (control planes, storage, endpoints…)
  in a region, or in every region (`*`) when the source states one price for all;
- `host_types.csv`: CPU instance types (system nodes) with the specs their energy needs.

A negotiated price is added through a catalog overlay (a row of kind `negotiated`): the estimate then
uses it and says so. Nothing here is ever 0 for unknown: a price that is not in a table is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from gpufleet.catalog.overlay import WHERE
from gpufleet.files import text_number

Rows = Callable[[str], list[dict[str, str]]]
ANY_REGION = "*"
PRICE_KINDS = ("on-demand", "spot", "capacity-block", "reserved", "negotiated")
# The least an instance may cost an hour. 0 (or -0) would price capacity away, and so would a tiny value
# such as 1e-300; a tenth of a cent is below every instance price the catalog knows (the cheapest, a Spot CPU
# host, is $0.02486/h; the cheapest GPU offer $0.526/h) and above any typo that means "free".
MIN_INSTANCE_USD_PER_HOUR = 0.001


class TableError(ValueError):
    """A price table breaks its schema (a bug in the data, not the user's input)."""


@dataclass(frozen=True)
class InstancePrice:
    cloud: str
    instance_type: str
    region: str
    kind: str  # one of PRICE_KINDS
    usd_per_hour: float
    source: str
    price_date: str
    notes: str = ""

    def cite(self) -> str:
        return f"{self.source}, {self.price_date}" + (f"; {self.notes}" if self.notes else "")


@dataclass(frozen=True)
class ServicePrice:
    cloud: str
    service: str
    sku: str
    region: str  # a region, or ANY_REGION
    unit: str
    usd_per_unit: float
    source: str
    price_date: str
    notes: str = ""

    def cite(self) -> str:
        return f"{self.source}, {self.price_date}" + (f"; {self.notes}" if self.notes else "")


@dataclass(frozen=True)
class HostType:
    """A CPU instance type (system nodes): no GPU, priced from `instance_prices.csv`."""

    cloud: str
    name: str
    vcpus: int
    memory_gib: float
    spec_source: str


@dataclass
class Prices:
    instance: dict[tuple[str, str, str, str], InstancePrice] = field(default_factory=dict)
    service: dict[tuple[str, str, str, str], ServicePrice] = field(default_factory=dict)
    hosts: dict[str, HostType] = field(default_factory=dict)

    def instance_price(self, cloud: str, instance_type: str, region: str, kind: str) -> InstancePrice | None:
        return self.instance.get((cloud, instance_type, region, kind))

    def service_price(self, cloud: str, service: str, sku: str, region: str) -> ServicePrice | None:
        """The region's own price, else the one the source states for every region."""
        return self.service.get((cloud, service, sku, region)) or self.service.get((cloud, service, sku, ANY_REGION))


def table_number(row: dict[str, str], column: str, where: str) -> float:
    """A finite number from a catalog table's cell (`gpufleet.files.text_number`); the caller checks its range."""
    text = row.get(column, "").strip()
    try:
        return text_number(text)
    except ValueError as e:
        raise TableError(f"{where}: column {column!r} {e}: {text!r}") from None


def table_count(row: dict[str, str], column: str, where: str) -> int:
    """A whole, non-negative number from a catalog table's cell (GPUs, vCPUs, interfaces): 8.5 GPUs is a
    mistake, not 8."""
    value = _positive(row, column, where)
    if not value.is_integer():
        raise TableError(f"{where}: column {column!r} is not a whole number: {row[column].strip()!r}")
    return int(value)


def instance_usd_per_hour(row: dict[str, str], column: str, where: str) -> float:
    """An instance's hourly price: at least MIN_INSTANCE_USD_PER_HOUR."""
    value = _positive(row, column, where)
    if value < MIN_INSTANCE_USD_PER_HOUR:
        raise TableError(f"{where}: column {column!r} must be at least {MIN_INSTANCE_USD_PER_HOUR} USD/h (an "
                         f"instance is never free; leave an offer's price empty when it is unknown): "
                         f"{row[column].strip()!r}")
    return value


def _positive(row: dict[str, str], column: str, where: str) -> float:
    value = table_number(row, column, where)
    if value < 0:
        raise TableError(f"{where}: column {column!r} is negative: {row[column].strip()!r}")
    return value


def row_origin(row: dict[str, str], name: str, i: int) -> str:
    """Where a row came from: its origin as read (an overlay's file and line), else its place in `name`."""
    return row.get(WHERE) or f"{name}:{i}"


def _required(row: dict[str, str], columns: tuple[str, ...], where: str) -> None:
    empty = [c for c in columns if not row.get(c, "").strip()]
    if empty:
        raise TableError(f"{where}: {', '.join(empty)} required (every price has a source and a date)")


def load_prices(rows: Rows, clouds: tuple[str, ...]) -> Prices:
    prices = Prices()
    for i, row in enumerate(rows("instance_prices.csv"), start=2):
        where = row_origin(row, "instance_prices.csv", i)
        _required(row, ("cloud", "instance_type", "region", "kind", "source", "price_date"), where)
        if row["cloud"] not in clouds or row["kind"] not in PRICE_KINDS:
            raise TableError(f"{where}: unknown cloud {row['cloud']!r} or price kind {row['kind']!r} "
                                 f"(kinds: {', '.join(PRICE_KINDS)})")
        key = (row["cloud"], row["instance_type"], row["region"], row["kind"])
        if key in prices.instance:
            raise TableError(f"{where}: duplicate price {key}")
        prices.instance[key] = InstancePrice(*key, instance_usd_per_hour(row, "usd_per_hour", where), row["source"],
                                             row["price_date"], row.get("notes", ""))
    for i, row in enumerate(rows("service_prices.csv"), start=2):
        where = row_origin(row, "service_prices.csv", i)
        _required(row, ("cloud", "service", "sku", "region", "unit", "source", "price_date"), where)
        if row["cloud"] not in clouds:
            raise TableError(f"{where}: unknown cloud {row['cloud']!r}")
        key = (row["cloud"], row["service"], row["sku"], row["region"])
        if key in prices.service:
            raise TableError(f"{where}: duplicate price {key}")
        prices.service[key] = ServicePrice(*key, row["unit"], _positive(row, "usd_per_unit", where),
                                           row["source"], row["price_date"], row.get("notes", ""))
    for i, row in enumerate(rows("host_types.csv"), start=2):
        where = row_origin(row, "host_types.csv", i)
        _required(row, ("cloud", "instance_type", "spec_source"), where)
        name = row["instance_type"]
        if name in prices.hosts:
            raise TableError(f"{where}: duplicate host type {name!r}")
        prices.hosts[name] = HostType(row["cloud"], name, table_count(row, "vcpus", where),
                                      _positive(row, "memory_gib", where), row["spec_source"])
    return prices
