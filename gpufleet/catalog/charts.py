"""Pinned Helm charts of the GPU software stack (device plugins, operators, Kueue), with their sources.

Chart versions are version-like defaults: they live in `data/gpu_software_charts.csv` with where each
was read, never as literals in code. An empty `repository` means `chart` is a full OCI reference.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from gpufleet.catalog.load import CatalogDataError, data_dir

CHARTS_FILE = "gpu_software_charts.csv"


@dataclass(frozen=True)
class HelmChart:
    key: str
    release: str  # the Helm release name
    chart: str
    repository: str | None
    version: str
    namespace: str
    source: str
    checked: str  # when the version was read from its source


def load_charts() -> dict[str, HelmChart]:
    """The charts of the catalog data in use (`gpufleet.catalog.load.data_dir`: the shipped data, or the
    folder `GPUFLEET_CATALOG_DATA` names, as the tests' fixture catalog)."""
    return _cached(data_dir())


@functools.cache
def _cached(folder: Path) -> dict[str, HelmChart]:
    charts: dict[str, HelmChart] = {}
    with (folder / CHARTS_FILE).open(newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            where = f"{CHARTS_FILE}:{i}"
            if not row["version"].strip() or not row["source"].strip():
                raise CatalogDataError(f"{where}: every chart needs a pinned version and its source")
            if row["key"] in charts:
                raise CatalogDataError(f"{where}: duplicate chart {row['key']!r}")
            charts[row["key"]] = HelmChart(row["key"], row["release"], row["chart"], row["repository"] or None,
                                           row["version"], row["namespace"], row["source"], row["checked"])
    return charts
