"""Product rules of the hot-tier parallel file systems: throughput tiers and capacity steps.

These are rules of the cloud products (what their APIs accept), kept in one table with their
sources, and used by preflight and by the cloud modules alike. They are not prices or capacities of
regions, which belong in the catalog.
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


_FSX_PERSISTENT_2_SSD = CapacitySteps(first_gib=(1200, 2400), step_gib=2400)

FILE_SYSTEMS: dict[str, FileSystemProduct] = {
    "aws": FileSystemProduct(
        cloud="aws",
        name="Amazon FSx for Lustre, PERSISTENT_2 deployment, SSD storage",
        resource_type="aws:fsx/lustreFileSystem:LustreFileSystem",
        tiers={tier: _FSX_PERSISTENT_2_SSD for tier in (125, 250, 500, 1000)},
        source="AWS FSx API CreateFileSystem StorageCapacity (PERSISTENT_2 SSD: 1.2 TiB, 2.4 TiB, then "
        "increments of 2.4 TiB) and PerUnitStorageThroughput (PERSISTENT_2 SSD: 125, 250, 500, 1000 "
        "MB/s/TiB), as documented on pulumi-aws 7.51.1 fsx.LustreFileSystem",
    ),
    "azure": FileSystemProduct(
        cloud="azure",
        name="Azure Managed Lustre (AMLFS-Durable-Premium SKUs)",
        resource_type="azure-native:storagecache:AmlFilesystem",
        tiers={
            40: CapacitySteps(first_gib=(), step_gib=48 * GIB_PER_TIB),
            125: CapacitySteps(first_gib=(), step_gib=16 * GIB_PER_TIB),
            250: CapacitySteps(first_gib=(), step_gib=8 * GIB_PER_TIB),
            500: CapacitySteps(first_gib=(), step_gib=4 * GIB_PER_TIB),
        },
        source="Microsoft Learn, Azure Managed Lustre 'Create a file system' (SKUs AMLFS-Durable-Premium-"
        "40/125/250/500 MB/s per TiB; minimum and increment 48/16/8/4 TiB)",
    ),
}


def azure_lustre_sku(throughput_mb_s_per_tib: int) -> str:
    return f"AMLFS-Durable-Premium-{throughput_mb_s_per_tib}"
