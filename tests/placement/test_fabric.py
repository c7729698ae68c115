"""A workload that asks for the high-bandwidth fabric is placed only where gpufleet's components attach it: the
placement asks the cloud adapter the same question preflight does (`CloudAdapter.attaches_fabric`)."""

import dataclasses

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.clouds import adapter
from gpufleet.clouds.plans import NodeGroupPlan
from tests.placement.fleets import placed, where, workload


def _plan(cloud: str, instance) -> NodeGroupPlan:
    return NodeGroupPlan(cloud, "region", "w", instance, instance.gpu_count, 1, 1, "on-demand", None, "zone", True,
                         None, 100, None, None)


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure", "oci", "coreweave"])
def test_placement_offers_the_fabric_exactly_where_preflight_accepts_it(cloud):
    catalog = load_catalog()
    types = [it for it in catalog.instance_types.values() if it.cloud == cloud and it.high_bandwidth]
    assert types
    for it in types:
        refused = [p for p in adapter(cloud).node_group_problems(_plan(cloud, it), "g") if p.path == "g.enable_fabric"]
        assert adapter(cloud).attaches_fabric(it) == (not refused), it.name


def test_gcp_attaches_the_fabric_only_where_the_catalog_wires_its_networks():
    """A machine family the catalog has no row for: its fabric networks are unknown, preflight refuses them."""
    a3 = load_catalog().instance_types["a3-highgpu-8g"]
    unknown = dataclasses.replace(a3, name="a9-unknowngpu-8g")
    refused = [p.path for p in adapter("gcp").node_group_problems(_plan("gcp", unknown), "g")]
    assert [adapter("gcp").attaches_fabric(t) for t in (a3, unknown)] == [True, False]
    assert "g.enable_fabric" in refused


def test_aws_attaches_efa_only_with_a_known_interface_count():
    catalog = load_catalog()
    aws = adapter("aws")
    assert [aws.attaches_fabric(catalog.instance_types[t]) for t in ("p5.48xlarge", "p5.4xlarge")] == [True, False]
    assert catalog.instance_types["p5.4xlarge"].high_bandwidth  # it has EFA; gpufleet cannot size it


def test_a_fabric_workload_goes_where_the_fabric_is_attached():
    """Without the fabric, 64 × p5.4xlarge in us-west-2 is the least carbon; with it, 8 × p5.48xlarge."""
    candidates = [{"cloud": "aws", "regions": ["us-west-2"]}]
    plain = placed([workload("train")], objective="carbon", candidates=candidates)
    fabric = placed([workload("train", high_bandwidth_fabric=True)], objective="carbon", candidates=candidates)
    assert where(plain.decisions["train"]) == ("aws", "us-west-2", "p5.4xlarge", 64)
    assert where(fabric.decisions["train"]) == ("aws", "us-west-2", "p5.48xlarge", 8)
    assert fabric.decisions["train"].binding == ("candidate regions: excludes better aws eu-north-1 p5.48xlarge",
                                                 "high-bandwidth fabric: excludes better aws us-west-2 p5.4xlarge "
                                                 "(it has a fabric gpufleet does not attach)")


def test_a_type_without_a_fabric_is_excluded_without_a_reason():
    """Only a type that has a fabric gpufleet does not attach gets the reason; g6e.2xlarge simply has none."""
    p = placed([workload("w", gpu="L40S", gpus=8, high_bandwidth_fabric=True)], objective="cost",
               candidates=[{"cloud": "aws", "regions": ["us-east-1"]}])
    assert where(p.decisions["w"]) == ("aws", "us-east-1", "g6e.48xlarge", 1)
    assert p.decisions["w"].binding == ("candidate regions: excludes better aws us-east-2 g6e.48xlarge",
                                        "high-bandwidth fabric: excludes better aws us-east-1 g6e.2xlarge")
