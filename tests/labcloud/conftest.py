"""The registration hook and the catalog rows of the fake "lab" cloud, for the tests in this folder.

`gpufleet.clouds.registered(...)` adds the adapter for the time of a test module; the lab's catalog rows (made up
for the test: a fake cloud has no published prices) are added to the loaded catalog and removed
after, so everything that calls `load_catalog()` — preflight, the estimator, the policy pack — sees
them exactly as it sees shipped rows.
"""

from __future__ import annotations

import dataclasses

import pytest

from gpufleet import clouds
from gpufleet.catalog import HostPower, InstanceType, Offer, Region, load_catalog

from . import Lab

FAKE = "made up for the fake cloud of the tests"


def _region(name: str, grid: float) -> Region:
    return Region(cloud="lab", name=name, location=name, country="SE", latitude=59.3, longitude=18.1,
                  grid_gco2e_per_kwh=grid, grid_source=FAKE, grid_year="2026", cfe_percent=None, pue=1.2,
                  pue_source=FAKE, pue_year="2026")


REGIONS = [_region("lab-north", 30.0), _region("lab-south", 300.0)]
INSTANCE_TYPES = [InstanceType(cloud="lab", name="lab.gpu8.h100", gpu_model="H100", gpu_count=8, gpu_memory_gib=80,
                               vcpus=192, memory_gib=2048, network_gbps=3200, interconnect="none",
                               gpu_tdp_watts=700, max_efa_interfaces=None, spec_source=FAKE, tdp_source=FAKE)]
OFFERS = [Offer(cloud="lab", instance_type="lab.gpu8.h100", region="lab-north", usd_per_hour=20.0, price_source=FAKE,
                price_date="2026-11-30", list_complete="yes"),
          Offer(cloud="lab", instance_type="lab.gpu8.h100", region="lab-south", usd_per_hour=16.5, price_source=FAKE,
                price_date="2026-11-30", list_complete="yes")]
HOST_POWER = HostPower(cloud="lab", cpu_min_w_per_vcpu=0.7, cpu_max_w_per_vcpu=3.5, memory_kwh_per_gb_hour=0.000392,
                       source=FAKE)


@pytest.fixture(scope="module", autouse=True)
def lab():
    catalog = load_catalog()
    saved = dataclasses.replace(catalog, regions=dict(catalog.regions), instance_types=dict(catalog.instance_types),
                                offers=list(catalog.offers), host_power=dict(catalog.host_power))
    catalog.regions.update({r.key: r for r in REGIONS})
    catalog.instance_types.update({it.name: it for it in INSTANCE_TYPES})
    catalog.offers.extend(OFFERS)
    catalog.host_power["lab"] = HOST_POWER
    catalog.__post_init__()
    try:
        with clouds.registered(Lab()) as adapter:
            yield adapter
    finally:
        catalog.regions, catalog.instance_types = saved.regions, saved.instance_types
        catalog.offers, catalog.host_power = saved.offers, saved.host_power
        catalog.__post_init__()
