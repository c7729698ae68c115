"""docs/components.md names every argument, output and unsupported feature, so it cannot fall behind."""

import inspect
from pathlib import Path

import pytest

from gpufleet.components import COMPONENTS, args
from gpufleet.clouds import adapter, component_clouds

DOC = (Path(__file__).resolve().parents[2] / "docs" / "components.md").read_text()
ARGS = [args.GpuNodeGroupArgs, args.HighBandwidthNetworkArgs, args.StorageTiersArgs, args.GpuClusterArgs,
        args.ReservationArgs, args.GpuSoftwareStackArgs, args.GpuQueueArgs]


@pytest.mark.parametrize("cls", ARGS, ids=lambda c: c.__name__)
def test_every_argument_is_documented(cls):
    assert [key for key in cls.__annotations__ if f"`{key}`" not in DOC] == []


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_every_output_is_documented(component):
    outputs = list(inspect.get_annotations(component))
    assert outputs and [key for key in outputs if f"`{key}`" not in DOC] == []


@pytest.mark.parametrize("cloud", component_clouds())
def test_every_unsupported_feature_is_documented(cloud):
    """Under the cloud's heading, by title and stable key: "**Spot max price** (`spot-max-price`)"."""
    section = " ".join(DOC.split(f"\n{adapter(cloud).title}:\n\n", 1)[1].split("\n\n", 1)[0].split())
    assert [f.value for f in adapter(cloud).unsupported if f"**{f.title}** (`{f.value}`)" not in section] == []
