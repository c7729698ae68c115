"""A refresh of the shipped catalog data breaks the catalog's own tests and no other (docs/catalog-tests.md).

Two shipped figures are changed in a copy of the shipped data: the on-demand price of aws p5.48xlarge in
eu-north-1 and that region's grid intensity — the figures the prod placement test prints to the cent.
The catalog's own tests, pointed at the copy as "the shipped data", fail exactly where the data left the
reference; a test that prints those figures still passes, though the copy is named as the catalog
data of its process, because the suite runs on the fixture catalog. The autouse guard in
tests/conftest.py fails any other test that loads the shipped data at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_fixture import FIXTURE_CATALOG, SHIPPED_ENV

from gpufleet.catalog.load import DATA_DIR, DATA_ENV, load_catalog_from

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "data" / "reference"
CHANGES = {  # file: (the shipped row's start, the same row with one figure changed)
    "offers.csv": ("aws,p5.48xlarge,eu-north-1,58.8928,", "aws,p5.48xlarge,eu-north-1,61.0,"),
    "regions.csv": ("aws,eu-north-1,Europe (Stockholm),24.71,", "aws,eu-north-1,Europe (Stockholm),30.0,"),
}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    """A copy of the shipped data with the two figures changed, as a data refresh would."""
    data = tmp_path_factory.mktemp("refresh") / "data"
    shutil.copytree(DATA_DIR, data)
    for name, (shipped, changed) in CHANGES.items():
        text = (data / name).read_text(encoding="utf-8")
        assert text.count("\n" + shipped) == 1, f"{name}: the row to change is no longer shipped as {shipped!r}"
        (data / name).write_text(text.replace("\n" + shipped, "\n" + changed), encoding="utf-8")
    return data


def _pytest(*args: str, env: dict[str, str]) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    return done.returncode, sorted(re.findall(r"^FAILED (\S+)", done.stdout, re.M))


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/ reference data not beside this checkout")
def test_the_catalogs_own_tests_fail_where_the_refreshed_data_left_the_reference(refreshed):
    code, failed = _pytest("tests/test_catalog.py", env={SHIPPED_ENV: str(refreshed)})
    assert (code, failed) == (1, [  # the figures as the catalog's own tests pin them, and the reference
        "tests/test_catalog.py::test_an_overlay_overrides_and_adds_rows_and_changes_the_version",
        "tests/test_catalog.py::test_data_files_keep_the_reference_but_its_documented_corrections[offers.csv-sku_regions.csv]",
        "tests/test_catalog.py::test_data_files_keep_the_reference_but_its_documented_corrections[regions.csv-regions.csv]",
        "tests/test_catalog.py::test_region_facts_carry_source_and_year",
    ])


def test_a_test_printing_those_figures_runs_on_the_fixture_and_still_passes(refreshed):
    assert _pytest("tests/placement/test_place_command.py::test_place_shows_every_decision_and_why",
                   env={DATA_ENV: str(refreshed), SHIPPED_ENV: str(refreshed)}) == (0, [])


def test_the_fixture_readme_states_the_fixtures_real_counts():
    """The README says what the fixture holds; a row added or removed must update it."""
    catalog = load_catalog_from(FIXTURE_CATALOG)
    readme = " ".join((FIXTURE_CATALOG / "README.md").read_text(encoding="utf-8").split())
    stated = {kind: int(n) for n, kind in re.findall(r"\b(\d+) (regions|instance types|offers)\b", readme)}
    assert stated == {"regions": len(catalog.regions), "instance types": len(catalog.instance_types),
                      "offers": len(catalog.offers)} == {"regions": 83, "instance types": 106, "offers": 241}
