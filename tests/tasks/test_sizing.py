"""Whole nodes, spare GPUs, pods that pack, and memory checked per node."""

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.tasks.sizing import default_gpus_per_worker, size_task

CATALOG = load_catalog()
P5 = CATALOG.instance_types["p5.48xlarge"]  # 8 × H100, 2048 GiB
P5_SMALL = CATALOG.instance_types["p5.4xlarge"]  # 1 × H100, 256 GiB


def test_30_gpus_on_8_gpu_nodes_take_4_nodes_with_2_spare_in_15_pods_of_2():
    size, problems = size_task(30, 256, P5)
    assert problems == []
    assert size.to_json() == {
        "instance_type": "p5.48xlarge", "nodes": 4, "gpus_per_node": 8, "provisioned_gpus": 32, "requested_gpus": 30,
        "spare_gpus": 2, "node_memory_gib": 2048.0, "workers": 15, "gpus_per_worker": 2, "workers_per_node_max": 4,
        "memory_mib_per_worker": 17477, "memory_gib_per_node_max": 68.27}


@pytest.mark.parametrize("gpus, nodes, per_node, expected", [
    (16, 2, 8, 8), (30, 4, 8, 2), (4, 1, 8, 4), (7, 1, 8, 7), (12, 2, 8, 6), (30, 30, 1, 1), (13, 2, 8, 1),
])
def test_default_gpus_per_worker_is_the_largest_divisor_that_packs(gpus, nodes, per_node, expected):
    assert default_gpus_per_worker(gpus, nodes, per_node) == expected


def test_pods_that_do_not_pack_are_refused_naming_the_sizes_that_do():
    size, problems = size_task(30, 256, P5, gpus_per_worker=6)
    assert size is None
    assert [p.render() for p in problems] == [
        "task.gpus_per_worker: 5 pods of 6 GPUs do not fit on 4 × p5.48xlarge (8 GPUs each) (got 6); allowed: 2, 1"]


def test_gpus_per_worker_must_divide_the_gpus():
    assert [p.render() for p in size_task(30, 256, P5, gpus_per_worker=4)[1]] == [
        "task.gpus_per_worker: must divide gpu_count (30) (got 4)"]


def test_memory_is_checked_per_node():
    size, problems = size_task(2, 600, P5_SMALL)  # two 1-GPU nodes, 300 GiB each on 256 GiB nodes
    assert size is None
    assert [p.render() for p in problems] == [
        "task.memory_gib: 1 pod(s) of 307200 MiB need 300.0 GiB on one p5.4xlarge, which has 256 GiB (got 600)"]
    assert size_task(2, 512, P5_SMALL)[1] == []  # exactly 256 GiB per node fits
