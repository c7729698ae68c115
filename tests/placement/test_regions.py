"""`gpufleet regions` and `rank_regions`: the issue's checks, figures by hand, the tie-break rule."""

import json

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.cli import main
from gpufleet.errors import UserError
from gpufleet.placement import rank_regions
from tests.placement.fleets import GIB, P5_PLATFORM_W


def regions_json(capsys, *args):
    assert main(["regions", "--gpu", "H100", "--gpus", "64", *args, "--json"]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def p5_48xlarge_kwh(pue):
    """One month of 8 × p5.48xlarge always on at 100 %: H200 curve 691.2 W at duty 1, CCF host power,
    the HGX platform term."""
    node_w = 8 * 691.2 * 700 / 700 + 192 * 3.5 + 2048 * GIB * 0.392 + P5_PLATFORM_W
    return 8 * node_w * 730 / 1000 * pue


def test_carbon_ranks_eu_north_1_first_and_orders_by_carbon(capsys):
    rows = regions_json(capsys, "--cloud", "aws,azure", "--objective", "carbon")
    first = rows[0]
    assert (first["rank"], first["cloud"], first["region"], first["instance_type"], first["nodes"]) == (
        1, "aws", "eu-north-1", "p5.48xlarge", 8)
    kwh = p5_48xlarge_kwh(1.1)  # eu-north-1 PUE 1.1, grid 24.71 g/kWh
    assert first["monthly_kwh"] == round(kwh, 3)
    assert first["monthly_kgco2e"] == round(kwh * 24.71 / 1000, 3)
    assert first["monthly_usd"] == round(8 * 58.8928 * 730, 2)
    assert (first["grid_gco2e_per_kwh"], first["pue"], first["grid_year"], first["pue_year"]) == (
        24.71, 1.1, "2023", "2024")
    ranked = [r for r in rows if r["rank"] is not None]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    carbon = [r["monthly_kgco2e"] for r in ranked]
    assert carbon == sorted(carbon)
    # one row per region; unknown carbon never ranked: after the known ones, with null figures
    assert len({(r["cloud"], r["region"]) for r in rows}) == len(rows) == 17
    unknown = rows[len(ranked):]
    assert [(r["cloud"], r["region"], r["monthly_kgco2e"], r["rank"]) for r in unknown] == [
        ("azure", "westus3", None, None), ("azure", "southcentralus", None, None)]


def test_cost_cheapest_is_8_p5_48xlarge_and_ties_follow_the_rule(capsys):
    rows = regions_json(capsys, "--cloud", "aws,azure", "--objective", "cost")
    first = rows[0]
    assert (first["cloud"], first["region"], first["instance_type"], first["nodes"]) == (
        "aws", "us-west-2", "p5.48xlarge", 8)
    assert first["node_usd_per_hour"] == 55.04
    assert first["monthly_usd"] == 321_433.60
    # us-east-1, us-east-2 and us-west-2 all cost 55.04 $/h (and 64 × p5.4xlarge the same 440.32 $/h):
    # fewer nodes first, then less carbon (us-west-2 119.76 g/kWh; us-east-2 PUE 1.13 < us-east-1 1.15)
    assert [(r["region"], r["instance_type"], r["monthly_usd"]) for r in rows[:3]] == [
        ("us-west-2", "p5.48xlarge", 321_433.60), ("us-east-2", "p5.48xlarge", 321_433.60),
        ("us-east-1", "p5.48xlarge", 321_433.60)]
    assert rows[0]["monthly_kgco2e"] == round(p5_48xlarge_kwh(1.12) * 119.76 / 1000, 3)


def test_identical_regions_fall_back_to_alphabetical_order():
    options = rank_regions(load_catalog(), "H100", 64, ("azure",), "carbon")
    eastus = [(o.region, o.instance_type) for o in options if o.region.startswith("eastus")]
    # same price, grid intensity and PUE: decided by the region's name
    assert eastus == [("eastus", "Standard_ND96isr_H100_v5"), ("eastus2", "Standard_ND96isr_H100_v5")]
    first, second = (o for o in options if o.region.startswith("eastus"))
    assert (first.monthly_usd, first.monthly_kgco2e) == (second.monthly_usd, second.monthly_kgco2e)


def test_balanced_ranks_within_the_premium_by_carbon_first():
    options = rank_regions(load_catalog(), "H100", 64, ("aws",), "balanced", max_cost_premium_percent=10)
    # cheapest 321,433.60; cap 353,576.96: eu-north-1 (343,933.95) is in, ca-central-1 (369,648.64) is not
    assert [(o.region, o.instance_type) for o in options[:4]] == [
        ("eu-north-1", "p5.48xlarge"), ("us-west-2", "p5.4xlarge"), ("us-east-2", "p5.4xlarge"),
        ("us-east-1", "p5.4xlarge")]
    assert options[4].region == "ca-central-1"


def test_utilization_and_hours_flags(capsys):
    rows = regions_json(capsys, "--cloud", "aws", "--objective", "carbon", "--utilization", "50", "--hours", "100")
    node_w = 8 * 484.2 + 192 * (0.74 + 0.5 * (3.5 - 0.74)) + 2048 * GIB * 0.392 + P5_PLATFORM_W
    assert rows[0]["region"] == "eu-north-1"
    assert rows[0]["monthly_kwh"] == round(8 * node_w * 100 / 1000 * 1.1, 3)
    assert rows[0]["monthly_usd"] == round(8 * 58.8928 * 100, 2)


def test_table_output(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["regions", "--gpu", "H100", "--gpus", "64", "--cloud", "aws,azure", "--objective", "cost"]) == 0
    out = capsys.readouterr().out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    assert "Regions for 64 × H100 by cost" in out
    first = next(line for line in out.splitlines() if line.split()[:1] == ["1"])
    assert first.split()[:4] == ["1", "aws", "us-west-2", "p5.48xlarge"]
    assert "321,433.60" in out and "unknown" in out
    assert "always on at 100 % utilisation (an upper bound)" in out


@pytest.mark.parametrize("args, expected", [
    (["--gpu", "H10"], "--gpu: unknown GPU model (got 'H10'); did you mean 'H100'?"),
    (["--gpu", "H100", "--cloud", "aws,azur"], "--cloud: unknown cloud (got 'azur'); did you mean 'azure'?"),
    (["--gpu", "H100", "--objective", "carbn"],
     "--objective: unknown objective (got 'carbn'); did you mean 'carbon'?; allowed: balanced, carbon, cost"),
])
def test_unknown_names_exit_2_with_a_suggestion(capsys, args, expected):
    assert main(["regions", "--gpus", "64", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert expected in captured.err


def test_every_bad_flag_reported_at_once():
    with pytest.raises(UserError) as e:
        rank_regions(load_catalog(), "H10", 0, ("aws", "gpc"), "cheap", utilization=1.5, hours=800)
    assert [p.path for p in e.value.problems] == ["--gpu", "--gpus", "--cloud", "--objective", "--utilization",
                                                 "--hours"]


def test_gpu_not_offered_on_the_clouds_asked(capsys):
    assert main(["regions", "--gpu", "B300", "--gpus", "8", "--cloud", "azure"]) == 2
    assert "--cloud: no catalog region of azure offers B300 (got 'azure'); allowed: aws" in capsys.readouterr().err


def test_an_empty_cloud_list_and_a_negative_premium_are_refused(capsys):
    from gpufleet.cli import main

    assert main(["regions", "--gpu", "H100", "--gpus", "8", "--cloud", "", "--max-cost-premium", "-5"]) == 2
    assert capsys.readouterr().err == (
        "invalid request: 2 problem(s)\n"
        "  - --cloud: names no cloud (got ''); allowed: aws, azure, gcp, oci, coreweave\n"
        "  - --max-cost-premium: must be 0 % or more (got -5.0)\n")


def test_gcp_regions_like_the_others(capsys):
    """`--cloud gcp`: ranked by cost (us-west1 ties us-central1 at 88.49 and wins on carbon); where A3 Mega is
    the cheaper H100 type (us-east5), it is the one offered, at the catalog's price."""
    rows = regions_json(capsys, "--cloud", "gcp", "--objective", "cost")
    assert {r["cloud"] for r in rows} == {"gcp"}
    assert (rows[0]["region"], rows[0]["instance_type"], rows[0]["nodes"], rows[0]["monthly_usd"]) == (
        "us-west1", "a3-highgpu-8g", 8, round(8 * 88.49 * 730, 2))
    east5 = next(r for r in rows if r["region"] == "us-east5")
    assert (east5["instance_type"], east5["nodes"], east5["monthly_usd"]) == (
        "a3-megagpu-8g", 8, round(8 * 94.06664 * 730, 2))
