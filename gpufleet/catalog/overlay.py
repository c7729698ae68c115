"""Catalog data as read: the shipped CSVs, with an overlay's rows over them, and its version.

An overlay is a folder of CSV files named like the shipped ones (`offers.csv`, `regions.csv`, …).
Each row overrides the shipped row with the same key (only the columns the overlay file has), or is
added when no shipped row has that key: negotiated prices, newer grid data, a region the catalog
lacks. Point at one with `--catalog DIR` or `GPUFLEET_CATALOG=DIR`; the version (a fingerprint of
every row read) is shown with every result, and recorded in a placement lock.

A mistake in an overlay is the user's (exit 2, every problem listed); a mistake in the shipped data
is a bug (`CatalogDataError`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.files import read_text

OVERLAY_ENV = "GPUFLEET_CATALOG"
# The key columns of each data file: an overlay row with the same key replaces the shipped row.
KEYS: dict[str, tuple[str, ...]] = {
    "regions.csv": ("cloud", "region"),
    "region_locations.csv": ("cloud", "region"),
    "instance_types.csv": ("instance_type",),
    "efa_interfaces.csv": ("instance_type",),
    "offers.csv": ("cloud", "instance_type", "region"),
    "host_power.csv": ("cloud",),
    "machine_families.csv": ("cloud", "family"),
    # the bill's tables (gpufleet.catalog.prices, gpufleet.catalog.impact): a negotiated price is an
    # instance_prices.csv row of kind "negotiated"; what a Capacity Block cost, one of kind "capacity-block"
    "instance_prices.csv": ("cloud", "instance_type", "region", "kind"),
    "service_prices.csv": ("cloud", "service", "sku", "region"),
    "host_types.csv": ("instance_type",),
    "embodied.csv": ("instance_type",),
    "platform_power.csv": ("instance_type",),
    "storage_power.csv": ("medium",),
    "storage_services.csv": ("cloud", "service", "sku"),
}
WHERE = "\0where"  # a row's origin ("offers.csv:12", "overlay /x/offers.csv:2"), for error messages
MAX_OVERLAY_BYTES = 16 * 1024 * 1024  # per file: an overlay is a handful of rows, not a data dump


HEADING = "invalid catalog overlay"


class CatalogOverlayError(UserError):
    """The overlay folder or one of its files cannot be used."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, heading=HEADING)


class _NotCsv(ValueError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


def _csv_rows(text: str, label: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of CSV `text`, each row with its origin (`label`:line) under `WHERE`: as
    `csv.DictReader` reads them (blank lines skipped, a missing cell None, extra cells in a list under
    None), without its cost per row (every preview reads ~1,000 rows)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        header = next(reader, [])
        width = len(header)
        for cells in reader:
            if not cells:
                continue
            row = dict(zip(header, cells))
            if len(cells) < width:
                row.update(dict.fromkeys(header[len(cells):]))
            elif len(cells) > width:
                row[None] = cells[width:]  # type: ignore[index]
            row[WHERE] = f"{label}:{reader.line_num}"
            rows.append(row)
    except csv.Error as e:  # the line the reader stopped at: it counts every line it was handed
        raise _NotCsv(f"{label}:{reader.line_num}", f"not a CSV file: {e}") from None
    return header, rows


def _read_csv(path: Path, label: str) -> tuple[list[str], list[dict[str, str]]]:
    """A shipped data file: the package's own, so a mistake in it is a bug (it raises)."""
    return _csv_rows(path.read_text(encoding="utf-8"), label)


def _read_overlay_csv(path: Path, label: str) -> tuple[list[str], list[dict[str, str]]]:
    """An overlay file, read as every file a user gives gpufleet is (`gpufleet.files`: bounded, UTF-8 or
    the first bad byte's line and column); raises `UserError`."""
    text = read_text(path, heading=HEADING, max_bytes=MAX_OVERLAY_BYTES, what="catalog overlay file")
    try:
        return _csv_rows(text, label)
    except _NotCsv as e:
        raise UserError([Problem(e.where, e.reason)], heading=HEADING) from None


@dataclass
class CatalogData:
    """The rows the catalog is built from, and where they came from."""

    data_dir: Path
    overlay_dir: Path | None = None
    replaced: int = 0  # shipped rows an overlay row overrode
    added: int = 0  # overlay rows with a key no shipped row has
    _cache: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict[str, str]]:
        """The file's rows and those of its per-cloud supplements beside it (`regions.oci.csv`, same
        columns), overlay applied, each with its origin under `WHERE`."""
        if name not in self._cache:
            path = self.data_dir / name
            parts = (path, *sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")))
            self._cache[name] = [row for part in parts for row in _read_csv(part, part.name)[1]]
        return self._cache[name]

    def has(self, name: str) -> bool:
        return (self.data_dir / name).is_file()

    def text(self, name: str) -> str:
        return (self.data_dir / name).read_text(encoding="utf-8")

    @property
    def version(self) -> str:
        """12 hex digits of SHA-256 over every row and data file read: equal data, equal version."""
        digest = hashlib.sha256()
        for name in sorted(n for n in KEYS if self.has(n)):
            rows = [{k: v for k, v in row.items() if k != WHERE} for row in self.rows(name)]
            digest.update(json.dumps([name, rows], sort_keys=True).encode())
        for path in sorted(self.data_dir.glob("*.json")):
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()[:12]

    @property
    def description(self) -> str:
        """"shipped data" or "shipped data + overlay /x (2 rows replaced, 1 added)"."""
        base = "shipped data" if self.data_dir == _shipped_dir() else f"data {self.data_dir}"
        if self.overlay_dir is None:
            return base
        return f"{base} + overlay {self.overlay_dir} ({self.replaced} rows replaced, {self.added} added)"


def _shipped_dir() -> Path:
    return Path(__file__).parent / "data"


def apply_overlay(data: CatalogData, overlay_dir: Path, setting: str) -> None:
    """Merge every CSV of `overlay_dir` into `data`; raise `CatalogOverlayError` listing every problem.

    `setting` names where the folder was given (`--catalog`, `GPUFLEET_CATALOG`) for the messages.
    """
    problems: list[Problem] = []
    if not overlay_dir.is_dir():
        raise CatalogOverlayError([Problem(setting, "not a directory", str(overlay_dir))])
    files = sorted(p for p in overlay_dir.iterdir() if not p.name.startswith("."))
    if not files:
        problems.append(Problem(setting, "the overlay folder has no CSV file", str(overlay_dir), tuple(KEYS)))
    for path in files:
        where = f"{setting} {path}"
        if path.name not in KEYS:
            problems.append(Problem(where, "not a catalog data file", path.name, tuple(KEYS),
                                    did_you_mean(path.name, KEYS)))
            continue
        if not data.has(path.name):
            problems.append(Problem(where, f"the data the overlay applies to ({data.data_dir}) has no such file",
                                    path.name))
            continue
        if not path.is_file():  # a FIFO or a device would block or never end
            problems.append(Problem(where, "not a regular file", path.name))
            continue
        shipped = data.rows(path.name)
        columns = [c for c in shipped[0] if c != WHERE] if shipped else []
        try:
            header, rows = _read_overlay_csv(path, f"overlay {path}")
        except UserError as e:
            problems.extend(e.problems)
            continue
        unknown = [c for c in header if c not in columns]
        for column in unknown:
            problems.append(Problem(f"{where} (header)", "unknown column", column, tuple(columns),
                                    did_you_mean(column, columns)))
        missing = [k for k in KEYS[path.name] if k not in header]
        if missing:
            problems.append(Problem(f"{where} (header)", "key columns are missing", ", ".join(missing),
                                    KEYS[path.name]))
        if unknown or missing:
            continue
        index = {tuple(r[k] for k in KEYS[path.name]): i for i, r in enumerate(shipped)}
        seen: dict[tuple[str, ...], str] = {}  # this file's keys: which of two rows would count is unclear
        for row in rows:
            if None in row or any(v is None for v in row.values()):
                problems.append(Problem(row[WHERE], "the row does not have one cell per column"))
                continue
            key = tuple(row[k] for k in KEYS[path.name])
            if key in seen:
                problems.append(Problem(row[WHERE], f"duplicate row (same {', '.join(KEYS[path.name])} as "
                                        f"{seen[key]})", ", ".join(key)))
                continue
            seen[key] = f"line {row[WHERE].rsplit(':', 1)[-1]}"
            if key in index:
                shipped[index[key]] = {**shipped[index[key]], **row}
                data.replaced += 1
            else:
                index[key] = len(shipped)
                shipped.append({**{c: "" for c in columns}, **row})
                data.added += 1
    if problems:
        raise CatalogOverlayError(problems)
    data.overlay_dir = overlay_dir


def overlay_from_environment() -> Path | None:
    value = os.environ.get(OVERLAY_ENV, "").strip()
    return Path(value).resolve() if value else None
