"""Cost, energy and carbon of capacity, checked against hand calculations from the catalog rows."""

import dataclasses

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.catalog.prices import InstancePrice, Prices
from gpufleet.footprint import capacity_footprint, node_watts, platform_watts, service_charge, storage_charge

GIB = 1.073741824


def test_p5_us_west_2_by_hand():
    f = capacity_footprint(load_catalog(), "aws", "us-west-2", "p5.48xlarge", nodes=8)
    # 8 nodes × 55.04 USD/h × 730 h
    assert f.monthly_usd == pytest.approx(321_433.60, abs=0.005)
    # GPUs at 100 % + CPU at max + memory + platform: the platform term makes a p5 node at 100 % equal
    # the 8.4 kW measured on an 8×H100 HGX node (platform_power.csv)
    node_w = 8 * 691.2 + 192 * 3.5 + 2048 * GIB * 0.392
    node_w += 8400 - node_w
    kwh = 8 * node_w * 730 / 1000 * 1.12  # × PUE us-west-2
    assert f.monthly_kwh == pytest.approx(kwh)
    assert f.monthly_kgco2e == pytest.approx(kwh * 119.76 / 1000)
    assert f.gpus == 64
    assert f.derivation["gpus"] == "8 × 8 H100"


def test_utilization_and_hours_scale_gpu_and_cpu():
    f = capacity_footprint(load_catalog(), "azure", "eastus", "Standard_ND96amsr_A100_v4", nodes=2,
                           hours=200, utilization=0.5)
    gpu_w = 484.2 * 400 / 700
    cpu_w = 96 * (0.74 + 0.5 * (3.54 - 0.74))
    mem_w = 1900 * GIB * 0.392
    kwh = 2 * (8 * gpu_w + cpu_w + mem_w) * 200 / 1000 * 1.14
    assert f.monthly_usd == pytest.approx(2 * 32.77 * 200)
    assert f.monthly_kwh == pytest.approx(kwh)
    assert f.monthly_kgco2e == pytest.approx(kwh * 396.25 / 1000)


def test_unknown_price_power_and_grid_stay_unknown():
    cat = load_catalog()
    no_price = capacity_footprint(cat, "aws", "us-east-2", "p5e.48xlarge", nodes=1)
    assert no_price.monthly_usd is None and no_price.monthly_kwh is not None
    assert no_price.derivation["monthly_usd"].startswith("unknown: no on-demand price for p5e.48xlarge in us-east-2")

    no_tdp = capacity_footprint(cat, "azure", "eastus", "Standard_NC40ads_H100_v5", nodes=1)
    assert (no_tdp.monthly_usd, no_tdp.monthly_kwh, no_tdp.monthly_kgco2e) == (pytest.approx(6.98 * 730), None, None)

    no_grid = capacity_footprint(cat, "azure", "westus3", "Standard_NC24ads_A100_v4", nodes=1)
    assert no_grid.monthly_kwh is None  # A100 80GB on NC has no rated power in the catalog
    no_grid2 = capacity_footprint(cat, "azure", "westus3", "Standard_NC4as_T4_v3", nodes=1)
    assert no_grid2.monthly_kwh is not None and no_grid2.monthly_kgco2e is None
    assert no_grid2.derivation["monthly_kgco2e"] == "unknown: no grid carbon intensity for azure westus3 in the catalog"

    not_offered = capacity_footprint(cat, "aws", "eu-west-3", "p5.48xlarge", nodes=1)
    assert not_offered.monthly_usd is None
    assert not_offered.derivation["monthly_usd"] == "unknown: p5.48xlarge has no offer in aws eu-west-3 in the catalog"


def test_p5_full_load_lies_in_the_measured_8xh100_band_before_pue():
    # 7.75 kW: 76 % of the 10.2 kW rating measured for compute-intensive training (Newkirk et al. 2025);
    # 10.2 kW: the manufacturer's rating of 8×H100 HGX systems (Latif et al. 2025)
    watts, how = node_watts(load_catalog(), "aws", "p5.48xlarge", 1.0)
    assert 7750 <= watts <= 10200
    assert watts == pytest.approx(8400)
    assert "1,336.4 W platform" in how and how.endswith("= 8400.0 W")


def test_platform_term_of_other_hgx_nodes_is_the_one_calibrated_on_p5():
    cat = load_catalog()
    platform, _ = platform_watts(cat, "azure", "Standard_ND96isr_H100_v5")
    p5_model = 8 * 691.2 + 192 * 3.5 + 2048 * GIB * 0.392
    assert platform == pytest.approx(8400 - p5_model)
    watts, _ = node_watts(cat, "azure", "Standard_ND96isr_H100_v5", 0.5)
    assert watts == pytest.approx(8 * 484.2 + 96 * (0.74 + 0.5 * (3.54 - 0.74)) + 1900 * GIB * 0.392 + platform)


def test_gpu_nodes_without_platform_term_say_they_are_a_lower_bound():
    watts, how = node_watts(load_catalog(), "aws", "g6e.2xlarge", 1.0)
    assert watts == pytest.approx(691.2 * 350 / 700 + 8 * 3.5 + 64 * GIB * 0.392)
    assert how.endswith("(no platform term in the catalog for this type (NICs, switches, fans and power-supply "
                        "losses of GPU nodes are not counted: a lower bound))")


def test_cpu_system_node_priced_and_drawing_power_by_hand():
    f = capacity_footprint(load_catalog(), "aws", "eu-north-1", "m7i.xlarge", nodes=2)
    assert f.gpus == 0 and f.price_kind == "on-demand"
    assert f.monthly_usd == pytest.approx(2 * 0.2142 * 730)
    node_w = 4 * (0.74 + 0.5 * (3.5 - 0.74)) + 16 * GIB * 0.392  # CCF's 50 % CPU utilisation
    kwh = 2 * node_w * 730 / 1000 * 1.10  # PUE eu-north-1
    assert f.monthly_kwh == pytest.approx(kwh)
    assert f.monthly_kgco2e == pytest.approx(kwh * 24.71 / 1000)
    assert f.monthly_embodied_kgco2e == pytest.approx(2 * 1900 * 4 / 192 * 730 / 35040)


def test_spot_group_costs_less_than_the_same_on_demand_group_at_the_catalog_spot_price():
    cat = load_catalog()
    spot = capacity_footprint(cat, "aws", "eu-north-1", "g6e.2xlarge", 8, hours=300, utilization=0.7,
                              capacity_type="spot")
    on_demand = capacity_footprint(cat, "aws", "eu-north-1", "g6e.2xlarge", 8, hours=300, utilization=0.7)
    assert spot.price_kind == "spot" and on_demand.price_kind == "on-demand"
    assert spot.monthly_usd == pytest.approx(8 * 0.9035 * 300)  # the region's highest zone Spot price
    assert on_demand.monthly_usd == pytest.approx(8 * 2.37822 * 300)
    assert spot.monthly_usd < on_demand.monthly_usd
    assert spot.monthly_kwh == on_demand.monthly_kwh  # the same machines draw the same power
    assert spot.derivation["monthly_usd"].startswith("8 × 0.9035 USD/h × 300 h (Spot price, ")


def test_spot_without_a_catalog_spot_price_is_the_on_demand_upper_bound():
    f = capacity_footprint(load_catalog(), "aws", "us-west-2", "p5.48xlarge", 1, capacity_type="spot")
    assert f.price_kind == "on-demand" and f.monthly_usd == pytest.approx(55.04 * 730)
    assert f.derivation["monthly_usd"].startswith(
        "1 × 55.04 USD/h × 730 h (no Spot price for p5.48xlarge in aws us-west-2 in the catalog: on-demand list price")
    assert f.derivation["monthly_usd"].endswith("shown as the upper bound)")


def test_capacity_block_group_priced_at_the_capacity_block_price():
    cat = load_catalog()
    f = capacity_footprint(cat, "aws", "us-east-1", "p5.48xlarge", 16, capacity_type="capacity-block")
    assert f.price_kind == "capacity-block"
    assert f.monthly_usd == pytest.approx(16 * 39.33 * 730)
    assert "reservation fee only" in f.derivation["monthly_usd"]
    elsewhere = capacity_footprint(cat, "aws", "eu-north-1", "p5.48xlarge", 16, capacity_type="capacity-block")
    assert elsewhere.price_kind == "on-demand" and elsewhere.monthly_usd == pytest.approx(16 * 58.8928 * 730)
    assert "no Capacity Block price for p5.48xlarge in aws eu-north-1 in the catalog" in elsewhere.derivation["monthly_usd"]


def test_negotiated_price_replaces_the_list_price_and_says_so():
    cat = load_catalog()
    negotiated = dataclasses.replace(cat, prices=Prices(
        instance={**cat.prices.instance, ("aws", "p5.48xlarge", "us-west-2", "negotiated"): InstancePrice(
            "aws", "p5.48xlarge", "us-west-2", "negotiated", 40.0, "contract 2026-11", "2026-11-01")},
        service=cat.prices.service, hosts=cat.prices.hosts))
    f = capacity_footprint(negotiated, "aws", "us-west-2", "p5.48xlarge", 2)
    assert f.price_kind == "negotiated" and f.monthly_usd == pytest.approx(2 * 40.0 * 730)
    assert f.derivation["monthly_usd"] == "2 × 40 USD/h × 730 h (negotiated price, contract 2026-11, 2026-11-01)"
    spot = capacity_footprint(negotiated, "aws", "us-west-2", "p5.48xlarge", 2, capacity_type="spot")
    assert spot.price_kind == "on-demand"  # a negotiated rate is no Spot price


def test_embodied_emissions_of_a_p5_node_by_hand_beside_operational():
    f = capacity_footprint(load_catalog(), "aws", "eu-north-1", "p5.48xlarge", 1)
    assert f.monthly_embodied_kgco2e == pytest.approx(5700 * 730 / 35040)
    assert f.monthly_kgco2e == pytest.approx(8.4 * 730 * 1.10 * 24.71 / 1000)
    no_data = capacity_footprint(load_catalog(), "azure", "eastus", "Standard_ND96isr_H100_v5", 1)
    assert no_data.monthly_embodied_kgco2e is None
    assert no_data.derivation["monthly_embodied_kgco2e"] == \
        "unknown: no embodied emissions for Standard_ND96isr_H100_v5 in the catalog"


def test_embodied_emissions_of_azure_and_gcp_types_from_ccf_coefficients_by_hand():
    # embodied.csv: CCF cloud-carbon-coefficients, kgCO2e per host; an instance bears its share of the host's vCPUs
    a2 = capacity_footprint(load_catalog(), "gcp", "us-central1", "a2-highgpu-1g", 2)
    assert a2.monthly_embodied_kgco2e == pytest.approx(2 * 5465.5 * 12 / 96 * 730 / 35040)
    nc = capacity_footprint(load_catalog(), "azure", "eastus", "Standard_NC24s_v3", 1)
    assert nc.monthly_embodied_kgco2e == pytest.approx(2349.62 * 730 / 35040)


def test_storage_energy_by_hand_and_unknown_price_stays_unknown():
    c = storage_charge(load_catalog(), "aws", "eu-north-1", "fsx-lustre", "PERSISTENT_2-1000", 32.8125)
    assert c.monthly_usd is None
    kwh = 32.8125 * 1.099511627776 * 1 * 1.2 * 730 / 1000 * 1.10
    assert c.monthly_kwh == pytest.approx(kwh)
    assert c.monthly_kgco2e == pytest.approx(kwh * 24.71 / 1000)
    s3 = storage_charge(load_catalog(), "aws", "eu-north-1", "s3", "STANDARD", 800)
    assert s3.monthly_kwh == pytest.approx(800 * 1.099511627776 * 3 * 0.65 * 730 / 1000 * 1.10)
    unknown = storage_charge(load_catalog(), "azure", "eastus", "blob", "Hot", 40)
    assert (unknown.monthly_usd, unknown.monthly_kwh) == (None, None)


def test_service_charge_by_hand_energy_unknown():
    c = service_charge(load_catalog(), "aws", "eu-north-1", "eks-control-plane", "standard", 1, "cluster",
                       "unknown: the cloud does not publish the control plane's hosts")
    assert c.monthly_usd == pytest.approx(0.10 * 730) and c.price_kind == "list"
    assert (c.monthly_kwh, c.monthly_kgco2e) == (None, None)
    free = service_charge(load_catalog(), "azure", "eastus", "aks-control-plane", "Free", 1, "cluster", "")
    assert free.monthly_usd == 0.0  # sourced: Free tier cluster management is free
