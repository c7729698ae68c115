"""Cost, energy and carbon of capacity, checked against hand calculations from the catalog rows."""

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.footprint import capacity_footprint

GIB = 1.073741824


def test_p5_us_west_2_by_hand():
    f = capacity_footprint(load_catalog(), "aws", "us-west-2", "p5.48xlarge", nodes=8)
    # 8 nodes × 55.04 USD/h × 730 h
    assert f.monthly_usd == pytest.approx(321_433.60, abs=0.005)
    node_w = 8 * 691.2 + 192 * 3.5 + 2048 * GIB * 0.392  # GPUs at 100 % + CPU at max + memory
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
