"""The catalog: cloud facts (regions, GPU instance types, offers and prices, power) with their sources.

Data lives in `data/` as CSV/JSON carried from `shared/data/reference` (see `data/SOURCES.md`);
this module validates it on load and answers queries. An empty cell is *unknown* and stays `None`:
nothing here ever turns an unknown price, intensity or power into 0.
"""

from gpufleet.catalog.model import (
    CLOUDS,
    Catalog,
    Cloud,
    InstanceType,
    MachineFamily,
    Offer,
    PowerCurve,
    Region,
    HostPower,
)
from gpufleet.catalog.load import load_catalog

__all__ = [
    "CLOUDS",
    "Catalog",
    "Cloud",
    "HostPower",
    "InstanceType",
    "MachineFamily",
    "Offer",
    "PowerCurve",
    "Region",
    "load_catalog",
]
