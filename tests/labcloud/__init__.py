"""A minimal fake cloud, "lab" (a GPU data centre with its own Pulumi provider package "lab"), added to
gpufleet as this one folder and nothing else: the adapter here, its readers, its declare module and
its catalog rows. `conftest.py` registers it (`gpufleet.clouds.registered`); `test_labcloud.py`
places, declares, prices and polices a fleet on it. The template for a new cloud (docs/clouds.md).
"""

from __future__ import annotations

from typing import Any

from gpufleet.clouds.adapter import CloudAdapter, Feature
from gpufleet.clouds.file_systems import GIB_PER_TIB, CapacitySteps, FileSystemProduct
from gpufleet.errors import Problem

from .readers import READERS, TAGGED

ZONES = ("rack1", "rack2")


class Lab(CloudAdapter):
    name = "lab"
    title = "Lab"
    packages = ("lab",)
    readers = tuple(READERS)
    gpu_type_pattern = r"^lab\.gpu"
    declare_module = f"{__name__}.declare"
    owner_tags_paths = {type_: ("tags",) for type_ in TAGGED}  # no SDK to read: stated here
    file_system = FileSystemProduct(
        cloud="lab", name="Lab Lustre", resource_type="lab:storage:Lustre",
        tiers={500: CapacitySteps(first_gib=(), step_gib=4 * GIB_PER_TIB)},
        source="made up for the fake cloud of the tests")
    offline_answers = {"lab:index/getRacks:getRacks": lambda token, args, provider: {"region": provider["region"],
                                                                                     "racks": list(ZONES)}}
    unsupported = {
        Feature.FABRIC_SECURITY_GROUP: "the lab's fabric is a separate physical network, no security group applies",
        Feature.FILE_SYSTEM_SECURITY_GROUP: "the lab's Lustre is reached on the storage network, not through a group",
        Feature.PROXIMITY_PLACEMENT_GROUPS: "every node of a rack is close to the others: racks are the zones",
        Feature.OBJECT_CONTAINER: "the lab's buckets hold objects directly, with no container inside them",
    }

    def default_zone(self, region: str) -> str:
        return ZONES[0]

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return None if zone in ZONES else Problem(path, "not a rack of the lab", zone, ZONES)

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        return ()
