"""Placement offers only instance types the cloud's components declare: it asks the cloud adapter the question
preflight asks (`CloudAdapter.type_refusal`), so a placed fleet never fails preflight on its type."""

import dataclasses

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.clouds import adapter
from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.plans import NodeGroupPlan
from gpufleet.catalog.load import data_dir, load_catalog_from
from gpufleet.placement import PlacementError, place
from tests.placement.fleets import fleet, where, workload

GCP = [{"cloud": "gcp", "regions": ["europe-west2", "us-west4"]}]
REFUSAL = "no GKE accelerator type is known for its machine family, so its node pool cannot be declared"


def _plan(cloud: str, instance) -> NodeGroupPlan:
    return NodeGroupPlan(cloud, "region", "w", instance, instance.gpu_count, 1, 1, "on-demand", None, "zone", False,
                         None, 100, None, None)


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure", "oci", "coreweave"])
def test_placement_leaves_out_exactly_the_types_preflight_refuses(cloud):
    refused = []
    for it in (it for it in load_catalog().instance_types.values() if it.cloud == cloud):
        problems = [p for p in adapter(cloud).node_group_problems(_plan(cloud, it), "g") if p.path == "g.instance_type"]
        assert (adapter(cloud).type_refusal(it) is None) == (not problems), it.name
        refused += [it.name] if problems else []
    assert refused == (["g4-standard-48", "a3-edgegpu-8g"] if cloud == "gcp" else [])  # the fixture catalog's


def _with_edge_offer(tmp_path):
    """The fixture catalog with an a3-edgegpu-8g offer in europe-west2 (the fixture has none), cheaper than any."""
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n"
                                        "gcp,a3-edgegpu-8g,europe-west2,1.0\n")
    return load_catalog_from(data_dir(), overlay)


def test_a_workload_is_placed_on_a_type_the_components_declare(tmp_path):
    p = place(fleet([workload("serve", gpus=8, util=50)], objective="cost", candidates=GCP), _with_edge_offer(tmp_path))
    d = p.decisions["serve"]
    assert where(d) == ("gcp", "europe-west2", "a3-highgpu-8g", 1)
    assert d.binding == ("candidate regions: excludes better gcp us-west1 a3-highgpu-8g",
                         f"types gpufleet declares: excludes better gcp europe-west2 a3-edgegpu-8g ({REFUSAL})")


def test_a_type_the_components_cannot_declare_is_named_with_why(tmp_path):
    with pytest.raises(PlacementError) as e:
        place(fleet([workload("serve", gpus=8, instance_type="a3-edgegpu-8g")], objective="cost", candidates=GCP),
              _with_edge_offer(tmp_path))
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:fleet.workloads[0]: workload 'serve': no candidate region offers 8 H100 as a3-edgegpu-8g: "
        "41 catalog offer(s), 2 in candidate regions, 1 as a3-edgegpu-8g, 0 on a type gpufleet declares; feasible if "
        f"you relax instance type a3-edgegpu-8g (gcp europe-west2); a3-edgegpu-8g (gcp): {REFUSAL}"]


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure", "oci", "coreweave"])
def test_spot_and_scale_to_zero_are_left_out_exactly_where_preflight_refuses_them(cloud):
    it = next(it for it in load_catalog().instance_types.values() if it.cloud == cloud)
    spot = dataclasses.replace(_plan(cloud, it), capacity_type="spot")
    to_zero = dataclasses.replace(_plan(cloud, it), min_nodes=0)
    unsupported = adapter(cloud).unsupported
    assert ("g.capacity_type" in [p.path for p in adapter(cloud).node_group_problems(spot, "g")]) == (
        Feature.SPOT_CAPACITY in unsupported)
    assert ("g.scale_to_zero" in [p.path for p in adapter(cloud).node_group_problems(to_zero, "g")]) == (
        Feature.SCALE_TO_ZERO in unsupported)


def test_spot_capacity_is_placed_where_the_components_take_it():
    """CoreWeave node pools take no Spot capacity: a Spot workload goes elsewhere, and the binding line says why."""
    candidates = [{"cloud": "aws", "regions": ["us-east-1"]}, {"cloud": "coreweave", "regions": ["US-EAST-04"]}]
    on_demand = place(fleet([workload("w", gpus=8)], objective="cost", candidates=candidates), load_catalog(),
                      clouds=("aws", "coreweave"))
    spot = place(fleet([workload("w", gpus=8, capacity="spot")], objective="cost", candidates=candidates),
                 load_catalog(), clouds=("aws", "coreweave"))
    assert where(on_demand.decisions["w"])[0] == "coreweave"
    assert where(spot.decisions["w"])[0] == "aws"
    [line] = [b for b in spot.decisions["w"].binding if b.startswith("Spot capacity")]
    assert line == (f"Spot capacity: excludes better coreweave US-EAST-04 {on_demand.decisions['w'].chosen.instance_type}"
                    f" ({adapter('coreweave').unsupported[Feature.SPOT_CAPACITY]})")
