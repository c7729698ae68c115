"""Owned sites as catalog rows: a region, one instance type per GPU entry and its offer, from the site's
own figures (the stack's `sites:`), so placement, the estimator and the policies price a site like a region.

A site is a mapping as the stack config model dumps it (gpufleet.config.Site): `name`, `country`,
`grid_gco2e_per_kwh`, `pue` and `usd_per_gpu_hour` (each `{value, source, year}`), `gpus` (`gpu`,
`count`, `gpus_per_node`). Nothing here is invented:

- the region's grid intensity and PUE are the site's, with the site's sources;
- a node's price is `gpus_per_node × usd_per_gpu_hour` (the site's amortised rate);
- a GPU's rated power is the catalog's for that GPU model (the power curve scales it), known only when
  every catalog instance type of the model that rates it agrees; the host's CPUs, memory and platform
  are not described by a site, so they are unknown (the estimate says what it leaves out).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from gpufleet.catalog.model import Catalog, InstanceType, Offer, Region


def site_instance_type(site: str, gpu_model: str, gpus_per_node: int) -> str:
    """The catalog name of a site's nodes of one GPU model: "dc-berlin/8xH100"."""
    return f"{site}/{gpus_per_node}x{gpu_model}"


def canonical_gpu(catalog: Catalog, gpu: str) -> str | None:
    """The catalog's spelling of a GPU model or family ("h100" -> "H100"); None when unknown."""
    return next((m for m in catalog.gpu_models() if m.lower() == gpu.lower()), None)


def rated_power(catalog: Catalog, gpu_model: str) -> tuple[float | None, str, str]:
    """(rated W, source, date) of a GPU model from the catalog's instance types: the exact model's rows,
    else its family's; unknown when none rates it or they disagree."""
    wanted = gpu_model.lower()
    rows = [it for it in catalog.instance_types.values() if it.gpu_model.lower() == wanted] or \
        [it for it in catalog.instance_types.values() if it.gpu_family.lower() == wanted]
    rated = {it.gpu_tdp_watts: it for it in rows if it.gpu_tdp_watts is not None}
    if len(rated) != 1:
        found = ", ".join(f"{w:g} W" for w in sorted(rated)) or "none"
        return None, f"unknown: catalog instance types with {gpu_model} rate it {found}", ""
    watts, it = next(iter(rated.items()))
    return watts, it.tdp_source, it.tdp_date


def _gpu_memory(catalog: Catalog, gpu_model: str) -> float | None:
    sizes = {it.gpu_memory_gib for it in catalog.instance_types.values()
             if it.gpu_model.lower() == gpu_model.lower() and it.gpu_memory_gib is not None}
    return sizes.pop() if len(sizes) == 1 else None


def _cite(figure: Mapping[str, Any]) -> str:
    return f"site figure: {figure['source']}"


def with_sites(catalog: Catalog, cloud: str, sites: Sequence[Mapping[str, Any]]) -> Catalog:
    """`catalog` with each site as a region of `cloud`, its GPUs as instance types and their offers there.

    The version changes with the sites' figures, so a placement lock records what the decision used.
    """
    if not sites:
        return catalog
    rows = tuple(json.dumps(site, sort_keys=True, default=str) for site in sites)
    if catalog.site_rows:
        if set(rows) <= set(catalog.site_rows):
            return catalog  # added already (a caller passing on the catalog it placed with)
        raise ValueError("a catalog with owned sites cannot take other sites: start from the shipped catalog")
    regions = dict(catalog.regions)
    types = dict(catalog.instance_types)
    offers = list(catalog.offers)
    for site in sites:
        name = site["name"]
        grid, pue, price = site["grid_gco2e_per_kwh"], site["pue"], site["usd_per_gpu_hour"]
        regions[(cloud, name)] = Region(
            cloud=cloud, name=name, location=site.get("location") or name, country=site["country"],
            latitude=site.get("latitude"), longitude=site.get("longitude"),
            grid_gco2e_per_kwh=grid["value"], grid_source=_cite(grid), grid_year=str(grid["year"]),
            cfe_percent=None, pue=pue["value"], pue_source=_cite(pue), pue_year=str(pue["year"]),
            notes="owned site (stack config `sites:`)")
        for entry in site["gpus"]:
            model = canonical_gpu(catalog, entry["gpu"]) or entry["gpu"]
            per_node = entry["gpus_per_node"]
            watts, tdp_source, tdp_date = rated_power(catalog, model)
            type_name = site_instance_type(name, model, per_node)
            types[type_name] = InstanceType(
                cloud=cloud, name=type_name, gpu_model=model, gpu_count=per_node,
                gpu_memory_gib=_gpu_memory(catalog, model), vcpus=None, memory_gib=None, network_gbps=None,
                interconnect=entry.get("interconnect"), gpu_tdp_watts=watts, max_efa_interfaces=None,
                spec_source=f"owned site {name} (stack config)", tdp_source=tdp_source, tdp_date=tdp_date,
                notes="owned site: host CPUs and memory not described")
            offers.append(Offer(
                cloud=cloud, instance_type=type_name, region=name, usd_per_hour=per_node * price["value"],
                price_source=f"{per_node} GPUs × {price['value']:g} USD/GPU-hour amortised ({_cite(price)})",
                price_date=str(price["year"]), list_complete="site"))
    return dataclasses.replace(
        catalog, regions=regions, instance_types=types, offers=offers,
        fingerprint=functools.partial(_sites_version, catalog, rows), site_rows=rows,
        data_description=f"{catalog.data_description} + {len(sites)} owned site(s) from the stack")


def _sites_version(catalog: Catalog, rows: tuple[str, ...]) -> str:
    """The version of `catalog` with the sites of `rows` added: it changes with their figures."""
    return hashlib.sha256("\0".join((catalog.version, *rows)).encode()).hexdigest()[:12]
