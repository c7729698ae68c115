"""The test suite runs on a small fixture catalog (tests/fixtures/catalog/), not on the shipped data.

A data refresh (a new price, a new grid figure) must break no test but the catalog's own: every test
computes its expectations from the catalog it runs on, or uses the fixture's figures. The variable
is set for the whole process, so the CLI run in a subprocess and the policy pack's plugin read the
fixture too. Only the catalog's own tests (`CATALOG_TESTS`) read the shipped data — from the folder
`GPUFLEET_TEST_SHIPPED_CATALOG` names, when set (tests/test_catalog_split.py perturbs a copy that way).
An autouse guard fails any other test that loads the shipped data. docs/catalog-tests.md explains it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog_fixture import CATALOG_TESTS, FIXTURE_CATALOG, shipped_data_dir

from gpufleet.catalog import charts as catalog_charts
from gpufleet.catalog import load as catalog_load

os.environ[catalog_load.DATA_ENV] = str(FIXTURE_CATALOG)
# The offline preview's default providers read where they run from the environment when the stack does not
# say, as the provider plugins do (AWS_REGION, GOOGLE_PROJECT…): the tests run as in CI, without them.
for _variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT",
                  "CLOUDSDK_CORE_PROJECT", "GOOGLE_REGION", "GCLOUD_REGION", "CLOUDSDK_COMPUTE_REGION", "GOOGLE_ZONE",
                  "GCLOUD_ZONE", "CLOUDSDK_COMPUTE_ZONE"):
    os.environ.pop(_variable, None)


@pytest.fixture(autouse=True)
def _catalog_under_test(request, monkeypatch):
    """The catalog's own tests run on the shipped data; every other test must not load it."""
    if Path(str(request.node.fspath)).name in CATALOG_TESTS:
        monkeypatch.setenv(catalog_load.DATA_ENV, str(shipped_data_dir()))
        yield
        return
    loaded: list[Path] = []
    cached, charts = catalog_load._cached, catalog_charts._cached

    def watched(data_dir: Path, overlay_dir: Path | None):
        loaded.append(data_dir)
        return cached(data_dir, overlay_dir)

    def watched_charts(data_dir: Path):
        loaded.append(data_dir)
        return charts(data_dir)

    monkeypatch.setattr(catalog_load, "_cached", watched)
    monkeypatch.setattr(catalog_charts, "_cached", watched_charts)
    yield
    assert catalog_load.DATA_DIR not in loaded, (
        "a test outside the catalog's own loaded the shipped catalog data: it must run on the fixture catalog "
        f"({FIXTURE_CATALOG}), so a data refresh does not break it")
