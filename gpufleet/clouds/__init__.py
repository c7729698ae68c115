"""The clouds gpufleet knows, registered in one place, and the resource readers they bring.

Each cloud is a folder here with a `CloudAdapter` subclass in its `__init__.py`; `BUILTIN` below is
the one line that registers it. A cloud outside the package (a plug-in, a test's fake cloud) calls
`register(adapter)` (or uses `registered(adapter)` for the time of a block). Generic code asks this
registry, never a cloud by name. See docs/clouds.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.aws import Aws
from gpufleet.clouds.azure import Azure
from gpufleet.clouds.coreweave import CoreWeave
from gpufleet.clouds.gcp import Gcp
from gpufleet.clouds.oci import Oci
from gpufleet.clouds.owned import Owned
from gpufleet.readers import kubernetes
from gpufleet.catalog import load_catalog
from gpufleet.readers.base import ResourceReader
from gpufleet.readers.declared import DeclaredGpus, catalog_region
from gpufleet.readers.views import ResourceView

BUILTIN: tuple[CloudAdapter, ...] = (Aws(), Azure(), Gcp(), Oci(), CoreWeave(), Owned())

_ADAPTERS: dict[str, CloudAdapter] = {}
_READERS: dict[str, ResourceReader] = {}


def register(adapter: CloudAdapter) -> None:
    """Add a cloud. Its name and each of its resource types must be new: one reader per type."""
    if adapter.name in _ADAPTERS:
        raise ValueError(f"cloud {adapter.name!r} is already registered")
    types = [r.type for r in adapter.readers]
    clash = sorted({t for t in types if t in _READERS or types.count(t) > 1})
    if clash:
        raise ValueError(f"cloud {adapter.name!r}: resource types with a reader already: {', '.join(clash)}")
    taken = sorted({p for a in _ADAPTERS.values() for p in a.packages} & set(adapter.packages))
    if taken:
        raise ValueError(f"cloud {adapter.name!r}: packages of another cloud: {', '.join(taken)}")
    _ADAPTERS[adapter.name] = adapter
    _READERS.update({r.type: r for r in adapter.readers})


def unregister(name: str) -> None:
    adapter = _ADAPTERS.pop(name)
    for r in adapter.readers:
        del _READERS[r.type]


@contextlib.contextmanager
def registered(adapter: CloudAdapter) -> Iterator[CloudAdapter]:
    """`adapter` registered for the time of the block (tests, one-off tools)."""
    register(adapter)
    try:
        yield adapter
    finally:
        unregister(adapter.name)


def adapters() -> tuple[CloudAdapter, ...]:
    return tuple(_ADAPTERS.values())


def adapter(name: object) -> CloudAdapter | None:
    return _ADAPTERS.get(name) if isinstance(name, str) else None


def cloud_names() -> tuple[str, ...]:
    return tuple(_ADAPTERS)
def offline_answer(token: str) -> Callable[[str, dict, dict], dict] | None:
    """The offline preview's answer to an invoke of some cloud's provider, None when no cloud has one."""
    return next((a.offline_answers[token] for a in _ADAPTERS.values() if token in a.offline_answers), None)


def component_clouds() -> tuple[str, ...]:
    """The clouds the components build on (their adapter has a declare module)."""
    return tuple(name for name, a in _ADAPTERS.items() if a.declare_module is not None)


def site_cloud() -> CloudAdapter | None:
    """The cloud whose regions are the stack's owned sites (`CloudAdapter.hosts_sites`)."""
    return next((a for a in _ADAPTERS.values() if a.hosts_sites), None)


def reservation_cloud(kind: str) -> CloudAdapter | None:
    """The cloud whose reservations are of `kind` ("capacity-block": aws)."""
    return next((a for a in _ADAPTERS.values() if kind in a.reservation_kinds), None)


def reservation_kinds() -> tuple[str, ...]:
    return tuple(kind for a in _ADAPTERS.values() for kind in a.reservation_kinds)


# Packages whose resources carry no cloud owner tags, and why: never "unknown" to the tags policy.
UNTAGGED_PACKAGES = {
    "pulumi": "stacks and providers",
    "kubernetes": "objects inside a cluster, billed through its nodes, which carry the tags",
    "random": "values, not cloud resources",
    "tls": "keys and certificates made locally, not cloud resources",
    "command": "commands run locally or over SSH, not cloud resources",
}


def adapter_for_type(type_token: str) -> CloudAdapter | None:
    """The cloud whose provider a resource type belongs to ("aws:s3/bucket:Bucket": aws)."""
    package = type_token.split(":", 1)[0]
    return next((a for a in _ADAPTERS.values() if package in a.packages), None)


def owner_tags_adapter(type_token: str) -> CloudAdapter | None:
    """The cloud whose owner tags a resource type must carry: its provider's cloud, or the cloud that bills a
    Kubernetes custom resource as capacity and names where it takes the tags (CoreWeave's NodePool: the
    nodes it creates carry no tags of their own, so the pool's labels are the only attribution)."""
    return adapter_for_type(type_token) or next(
        (a for a in _ADAPTERS.values() if type_token in a.owner_tags_paths), None)


def owner_tags_path(type_token: str) -> tuple[str, ...] | None:
    """Where resources of a type carry their owner tags (wire path), None when they take none or no
    registered cloud knows the type (`adapter_for_type` tells the two apart)."""
    cloud = adapter_for_type(type_token)
    return cloud.owner_tags_path(type_token) if cloud else None


def reader_for(type_: str) -> ResourceReader | None:
    """The reader of a resource type, None for types no cloud reads (free or not assessed)."""
    return _READERS.get(type_)


def reader_of(view: ResourceView) -> ResourceReader | None:
    """The reader of a resource: its type's; for a cloud's type no reader reads, the GPU capacity it declares
    in an instance-type field (`gpufleet.readers.declared`); else None (free or not assessed)."""
    reader = _READERS.get(view.type)
    cloud = adapter_for_type(view.type) if reader is None and view.custom and not view.remote else None
    if cloud is None:
        return reader
    catalog = load_catalog()
    return DeclaredGpus.of(view, cloud.name, lambda name: _gpu_type(cloud, name),
                           lambda place: catalog_region(cloud.name, place, catalog.region))


def _gpu_type(cloud: CloudAdapter, name: str) -> str | None:
    """`name` as the catalog spells the cloud's GPU instance type it is (Azure sizes in any case; SageMaker's
    "ml." prefix dropped), else `name` itself when it is of the cloud's GPU families; None when not a GPU type."""
    catalog = load_catalog()
    for n in dict.fromkeys((name, name.removeprefix("ml."))):
        it = catalog.instance_type(n) or next(
            (t for t in catalog.instance_types.values() if t.name.lower() == n.lower()), None)
        if it is not None and it.cloud == cloud.name:
            return it.name if it.gpu_count else None
        if cloud.is_gpu_type_name(n):
            return n
    return None


def is_gpu_type_name(name: str) -> bool:
    """True when `name` is of a GPU family of some cloud (for instance types the catalog lacks)."""
    return any(a.is_gpu_type_name(name) for a in _ADAPTERS.values())


def with_inline_capacity(views: list[ResourceView]) -> list[ResourceView]:
    """`views` with the capacity they declare inline after each (once: present parts are kept)."""
    present = {v.urn for v in views}
    graph = {v.urn: v for v in views}
    out = []
    for v in views:
        out.append(v)
        reader = _READERS.get(v.type)
        if reader is not None:
            out.extend(part for part in reader.inline_capacity_in(v, graph) if part.urn not in present)
    return out


for _builtin in BUILTIN:
    register(_builtin)
# Kubernetes objects run on every cloud's clusters: their readers belong to no adapter.
_READERS.update({r.type: r for r in kubernetes.READERS if r.type not in _READERS})
