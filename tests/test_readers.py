"""The reader registry: one reader per resource type, shared by the estimator, the policy pack and
the report."""

import pytest

from gpufleet import clouds
from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.readers.base import Billable, ResourceReader
from gpufleet.readers.views import UNKNOWN, value_at


def test_every_registered_type_has_exactly_one_reader_of_its_cloud():
    for adapter in clouds.adapters():
        for reader in adapter.readers:
            assert clouds.reader_for(reader.type) is reader
            assert reader.cloud == adapter.name


def test_a_second_reader_for_a_type_is_refused():
    class Twin(CloudAdapter):
        name = "twin"
        readers = (Billable("aws:eks/nodeGroup:NodeGroup", "twin", "twice"),)

    with pytest.raises(ValueError, match=r"cloud 'twin': resource types with a reader already: "
                                         r"aws:eks/nodeGroup:NodeGroup"):
        clouds.register(Twin())
    assert clouds.adapter("twin") is None


def test_a_cloud_name_is_registered_once():
    class Aws2(CloudAdapter):
        name = "aws"

    with pytest.raises(ValueError, match="cloud 'aws' is already registered"):
        clouds.register(Aws2())


def test_registered_adds_a_cloud_for_a_block_only():
    class Lab(CloudAdapter):
        name = "lab"
        readers = (Billable("lab:index:Rack", "lab", "rack rent; no price in the catalog"),)
        gpu_type_pattern = r"^rack-"

    lab = Lab()
    with clouds.registered(lab):
        assert clouds.adapter("lab") is lab
        assert clouds.reader_for("lab:index:Rack").billable == "rack rent; no price in the catalog"
        assert clouds.is_gpu_type_name("rack-8x")
    assert clouds.adapter("lab") is None and clouds.reader_for("lab:index:Rack") is None
    assert not clouds.is_gpu_type_name("rack-8x")


def test_defaults_are_neutral():
    r = ResourceReader()
    assert (r.is_capacity, r.billable, r.instance_types({}), r.scaling({}), r.reservation_targets(None, {}),
            r.capacity_block(None, {}), r.fabric_configured(None, {}, "EFA")) == (False, None, [], None, [], False, "—")


def test_value_at_keeps_unknowns_and_reads_lists():
    assert value_at({"a": UNKNOWN}, "a", "b") == UNKNOWN
    assert value_at({"a": [{"b": 1}]}, "a", 0, "b") == 1
    assert value_at({"a": [1]}, "a", 3) is None
    assert value_at({"a": "x"}, "a", "b") is None
