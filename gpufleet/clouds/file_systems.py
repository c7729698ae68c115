"""How the product rules of a hot-tier parallel file system are stated: throughput tiers and capacity steps.

Each cloud adapter states its product (`CloudAdapter.file_system`, in its `facts` module) with its
source; preflight and the cloud's declare module use it alike. These are rules of the cloud products
(what their APIs accept), not prices or capacities of regions, which belong in the catalog.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GIB_PER_TIB = 1024


@dataclass(frozen=True)
class CapacitySteps:
    """Valid sizes in GiB: the `first_gib` values, then every multiple of `step_gib` above them."""

    first_gib: tuple[int, ...]
    step_gib: int

    def is_valid(self, gib: int) -> bool:
        return gib in self.first_gib or (gib > 0 and gib % self.step_gib == 0)

    def round_up(self, gib: float) -> int:
        """The smallest valid size of at least `gib`."""
        for size in self.first_gib:
            if size >= gib:
                return size
        return max(self.step_gib, math.ceil(gib / self.step_gib) * self.step_gib)

    def neighbours(self, gib: float) -> tuple[int, ...]:
        """The valid sizes just below (if any) and just above `gib`, for error messages."""
        above = self.round_up(gib)
        below = [s for s in self.first_gib if s < gib]
        if gib > self.step_gib:
            below.append(math.floor(gib / self.step_gib) * self.step_gib)
        below = [s for s in below if s < above]
        return (max(below), above) if below else (above,)


@dataclass(frozen=True)
class FileSystemProduct:
    cloud: str
    name: str
    resource_type: str
    # throughput tier in MB/s per TiB -> capacity steps for that tier
    tiers: dict[int, CapacitySteps]
    source: str

    @property
    def throughput_tiers(self) -> tuple[int, ...]:
        return tuple(sorted(self.tiers))
