"""Fleets for placement tests: a base fleet, workloads and helpers."""

import copy

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.placement import PlacementError, place

GIB = 1.073741824
# platform_power.csv: a p5.48xlarge node at 100 % draws the 8.4 kW measured on an 8×H100 HGX node; the
# platform term is that minus the model's GPUs at 691.2 W, 192 vCPUs at 3.5 W and 2 TiB at 0.392 W/GB.
P5_PLATFORM_W = 8400 - (8 * 691.2 + 192 * 3.5 + 2048 * GIB * 0.392)
BASE = {
    "environment": "test",
    "owner": {"team": "ml", "cost-center": "cc-1"},
    "candidates": [{"cloud": "aws", "regions": ["us-west-2", "eu-north-1"]}],
    "workloads": [],
}


def workload(name, gpu="H100", gpus=64, util=100, **extra):
    return {"name": name, "gpu": gpu, "gpu_count": gpus, "utilization_percent": util, **extra}


def fleet(workloads, **settings):
    raw = copy.deepcopy(BASE)
    raw.update(settings)
    raw["workloads"] = workloads
    return parse_fleet(raw)


def placed(workloads, **settings):
    return place(fleet(workloads, **settings), load_catalog())


def where(decision):
    o = decision.chosen
    return (o.cloud, o.region, o.instance_type, o.nodes)


def placement_problems(workloads, **settings):
    with pytest.raises(PlacementError) as e:
        placed(workloads, **settings)
    assert e.value.heading == "no feasible placement"
    return [p.render() for p in e.value.problems]
