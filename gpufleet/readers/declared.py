"""GPU capacity in a resource type no reader reads.

A cloud service gpufleet has no reader for can still run GPUs: an Azure Batch pool, a Vertex AI
deployment resource pool, a Dataproc cluster's workers, a SageMaker Studio space, an Azure ML online
deployment. Left "not assessed", such capacity passed every budget, quota and grid policy in prod (an
outside review's corpus, #14). A resource of a cloud's type that names a GPU instance type in an
instance-type field (`instanceType`, `vmSize`, `machineType`, at any depth, in wire or Python spelling)
is therefore read as GPU capacity of that type whose node count is not known: its GPUs and cost are
unknown, never 0, so the budget cannot be verified (a violation, never a pass), and the grid and PUE
policies judge its region.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from gpufleet.readers.base import Capacity, Graph, ResourceReader, Scaling, duty
from gpufleet.readers.views import ResourceView, get_known, known

# Field names that hold an instance type, compared without case or underscores ("vm_size" is how a
# Python program's dict reaches the plan when the SDK cannot tell which input type it is).
INSTANCE_TYPE_FIELDS = frozenset({"instancetype", "instancetypes", "vmsize", "machinetype"})
# Where a resource says where it runs, its own inputs first, then its provider's.
PLACE_FIELDS = ("region", "location", "zone", "availabilityZone")
PROVIDER_PLACE_FIELDS = ("region", "location")
NOT_READ = "gpufleet does not read {type}: how many of them it runs is not known"
_MAX_DEPTH = 32  # inputs deeper than any provider's schema are not searched
_ZONE_SUFFIX = (re.compile(r"-[a-z]$"), re.compile(r"[a-z]$"))  # GCP "us-east4-a", AWS "us-west-2a"


def _fields(value: Any, path: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """(path, value) of every instance-type field in `value`, lists of types flattened."""
    if depth > _MAX_DEPTH:
        return []
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, v in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and key.replace("_", "").lower() in INSTANCE_TYPE_FIELDS:
                out += [(f"{where}[{i}]", x) for i, x in enumerate(v)] if isinstance(v, list) else [(where, v)]
            else:
                out += _fields(v, where, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _fields(v, f"{path}[{i}]", depth + 1)
    return out


class DeclaredGpus(ResourceReader):
    """GPU capacity a resource of `type` declares (see the module). `gpu_type` maps a declared name to the
    GPU instance type it is in the catalog's spelling, None when it is not one; `region` maps a declared
    place to the catalog's region name."""

    is_capacity = True

    def __init__(self, type_: str, cloud: str, fields: list[tuple[str, str]],
                 region: Callable[[str], str]) -> None:
        self.type, self.cloud, self._fields, self._region = type_, cloud, fields, region

    @classmethod
    def of(cls, view: ResourceView, cloud: str, gpu_type: Callable[[str], str | None],
           region: Callable[[str], str]) -> DeclaredGpus | None:
        fields = [(path, t) for path, v in _fields(view.inputs)
                  if isinstance(v, str) and known(v) and (t := gpu_type(v)) is not None]
        return cls(view.type, cloud, fields, region) if fields else None

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags") or get_known(view.inputs, "labels"))
        path, itype = self._fields[0]
        notes["instance_type"] = f"{itype} at {path}" + (
            f" (also {', '.join(f'{t} at {p}' for p, t in self._fields[1:])})" if self._fields[1:] else "")
        notes["nodes"] = "unknown: " + NOT_READ.format(type=self.type)
        return Capacity(self.cloud, self._place(view), itype, None, "on-demand", hours, util, notes)

    def _place(self, view: ResourceView) -> str | None:
        place = next((p for k in PLACE_FIELDS if isinstance(p := get_known(view.inputs, k), str) and p), None) \
            or next((p for k in PROVIDER_PLACE_FIELDS
                     if isinstance(p := get_known(view.provider_inputs, k), str) and p), None)
        return None if place is None else self._region(place)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return list(self._fields)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        how = NOT_READ.format(type=self.type)
        return Scaling(None, None, how, how)


def catalog_region(cloud: str, place: str, regions: Callable[[str, str], object]) -> str:
    """`place` as the catalog names the region: as written, without spaces in lower case (Azure's "East
    US"), or the region of a zone ("asia-south1-b", "us-west-2a"); as written when none is a region."""
    candidates = [place, place.replace(" ", "").lower(), *(p.sub("", place) for p in _ZONE_SUFFIX)]
    return next((c for c in candidates if regions(cloud, c) is not None), place)
