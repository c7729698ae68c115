"""Fleets for placement tests: a base fleet, workloads and helpers."""

import copy

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.placement import PlacementError, place

GIB = 1.073741824
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
