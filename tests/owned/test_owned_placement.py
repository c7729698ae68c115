"""Placement over owned sites: a site is a region within its GPUs (by model), priced from its own figures."""

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.placement import PlacementError, place
from gpufleet.placement.lock import PlacementLock, parse_lock, place_with_lock
from tests.owned.sites import SITE, fleet

# dc-north: 28 gCO2e/kWh, PUE 1.2, 1.85 USD per GPU-hour; H100 power from the catalog's curve at 700 W rated.


def workload(name, gpus, **extra):
    return {"name": name, "gpu": "H100", "gpu_count": gpus, "utilization_percent": 85, **extra}


def test_the_site_is_priced_from_its_figures_to_the_cent():
    placed = place(parse_fleet(fleet()), load_catalog())
    chosen = placed.decisions["train"].chosen
    assert (chosen.cloud, chosen.region, chosen.instance_type, chosen.nodes, chosen.gpus) == (
        "owned", "dc-north", "dc-north/8xH100", 4, 32)
    assert round(chosen.monthly_usd, 2) == 43_216.00  # 32 GPUs × 1.85 USD × 730 h
    gpu_watts = load_catalog().gpu_power.watts(0.85, 700.0)
    assert chosen.monthly_kwh == pytest.approx(32 * gpu_watts * 730 / 1000 * 1.2)
    assert chosen.monthly_kgco2e == pytest.approx(chosen.monthly_kwh * 28 / 1000)
    how = chosen.footprint.derivation["monthly_kwh"]
    assert "CPU and memory not counted (no host power coefficients for owned: a lower bound)" in how
    assert placed.decisions["train"].reason == "carbon: lowest-carbon region for 32 H100 - grid 28 g/kWh PUE 1.2"


def test_workloads_share_the_sites_gpus_and_the_rest_go_elsewhere():
    raw = fleet(workloads=[workload("big", 24), workload("small", 16)])
    placed = place(parse_fleet(raw), load_catalog())
    where = {name: (d.chosen.cloud, d.chosen.region, d.chosen.gpus) for name, d in placed.decisions.items()}
    # 32 GPUs at the site: 24 + 16 do not both fit; the larger saving of carbon stays.
    assert where == {"big": ("owned", "dc-north", 24), "small": ("azure", "westus", 16)}
    site = next(c for c in placed.constraints if c.name == "site dc-north H100")
    assert (site.path, site.used, site.limit, site.binding) == ("gpufleet:fleet.sites[0].gpus[0].count", 24, 32, True)
    assert placed.decisions["small"].binding[0] == (
        "site dc-north H100: 24 of 32 GPUs used by the others; owned dc-north dc-north/8xH100 needs 16")


def test_the_gpu_model_must_match_and_storage_stays_off_the_site():
    raw = fleet(workloads=[{"name": "a100", "gpu": "A100", "gpu_count": 8, "utilization_percent": 50},
                           workload("data", 8, storage={"object_tib": 10})],
                candidates=[{"cloud": "owned", "regions": ["dc-north"]}])
    with pytest.raises(PlacementError) as e:
        place(parse_fleet(raw), load_catalog())
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:fleet.workloads[0].gpu: workload 'a100': no candidate region offers 8 A100 (no catalog region of "
        "these clouds offers it) (got 'A100')",
        "gpufleet:fleet.workloads[1]: workload 'data': no candidate region offers 8 H100 with storage tiers: 1 catalog "
        "offer(s), 1 in candidate regions, 0 with storage tiers; feasible if you relax storage tiers (owned dc-north)",
    ]


def test_a_site_too_small_for_the_fleet_says_how_many_gpus_it_would_need():
    raw = fleet(workloads=[workload("a", 24), workload("b", 16)], candidates=[{"cloud": "owned", "regions": ["dc-north"]}])
    with pytest.raises(PlacementError) as e:
        place(parse_fleet(raw), load_catalog())
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:fleet.sites[0].gpus[0].count: site dc-north H100: 32 GPUs < 40 GPUs needed by any feasible "
        "placement; raise it to at least 40 GPUs",
    ]


def test_a_locked_workload_on_the_site_leaves_the_rest_of_its_gpus():
    raw = fleet(workloads=[workload("locked", 24), workload("new", 16)])
    parsed = parse_fleet(raw)
    catalog = parsed.catalog(load_catalog())
    lock = parse_lock({"workloads": {"locked": {"cloud": "owned", "region": "dc-north",
                                                "instance_type": "dc-north/8xH100", "cluster": "prod-locked",
                                                "catalog": catalog.version}}})
    placed = place_with_lock(parsed, load_catalog(), lock, ("owned", "azure"), "prod")
    assert {n: d.chosen.where for n, d in placed.placement.decisions.items()} == {
        "locked": "owned dc-north", "new": "azure westus"}
    assert placed.catalog_version == catalog.version
    assert place_with_lock(parsed, load_catalog(), PlacementLock(), ("owned", "azure"), "prod").placement.decisions[
        "locked"].chosen.where == "owned dc-north"


def test_a_site_that_is_not_a_candidate_adds_no_constraint():
    raw = fleet(candidates=[{"cloud": "azure", "regions": ["westus"]}], sites=[SITE])
    placed = place(parse_fleet(raw), load_catalog())
    assert placed.decisions["train"].chosen.where == "azure westus" and placed.constraints == ()
