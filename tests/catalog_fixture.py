"""Which catalog data the tests run on (see tests/conftest.py and docs/catalog-tests.md)."""

from __future__ import annotations

import os
from pathlib import Path

from gpufleet.catalog.load import DATA_DIR

# A small catalog for the tests: rows copied from the shipped data, marked as a fixture (its README.md).
FIXTURE_CATALOG = Path(__file__).resolve().parent / "fixtures" / "catalog"
# The catalog's own tests (loading, verbatim-vs-reference, SOURCES.md): the only ones on the shipped data.
CATALOG_TESTS = frozenset({"test_catalog.py"})
# Names a stand-in for the shipped data folder, honoured by the catalog's own tests only.
SHIPPED_ENV = "GPUFLEET_TEST_SHIPPED_CATALOG"


def shipped_data_dir() -> Path:
    """The data the catalog's own tests check: the shipped folder, or the stand-in SHIPPED_ENV names."""
    value = os.environ.get(SHIPPED_ENV, "").strip()
    return Path(value).resolve() if value else DATA_DIR
