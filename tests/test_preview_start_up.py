"""What `gpufleet preview --no-policies` imports: its fixed cost decides small previews (docs/benchmarks.md,
"Offline preview"), so modules only some runs need are imported by those runs only."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
OTHERS = HERE / "programs" / "someone-elses-aws"  # a stack with no fleet: nothing placed

# A fresh interpreter runs the command, then lists what it imported.
RUN_AND_LIST = """
import json, sys
from gpufleet.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(sys.modules)]))
"""

# Imported only by the runs that use them.
ON_SOME_PATHS = [
    "gpufleet.policy",  # the pack's driver (gRPC or in-process): not with --no-policies
    "gpufleet.placement",  # only a stack that places
    "gpufleet.config",  # the fleet's pydantic models: only a stack with a gpufleet:fleet
    "pydantic",
    "gpufleet.report.markdown",  # `gpufleet report` and `diff`: preview uses gpufleet.report's fmt only
    "gpufleet.report.summary",
    "gpufleet.report.compare",
    "gpufleet.report.plans",
    "gpufleet.report.model",
    "gpufleet.report.terminal",
    "gpufleet.report.reservations",  # only a fleet's workloads hold reservations
    "rich.live",  # the progress display: only when stderr is a terminal
    "difflib",  # "did you mean": only for a mistake
    "gpufleet.clouds.plans",  # what the components declare: preflight takes plans, a preview makes none
    "rich.spinner",
]


def _imported(tmp_path: Path, *options: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, "preview", "dev", "--program", str(OTHERS), "--json",
         str(tmp_path / "plan.json"), *options],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout
    code, modules = json.loads(out.splitlines()[-1])
    assert code == 0
    return set(modules)


def _loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_a_preview_without_policies_or_placement_imports_neither(tmp_path):
    modules = _imported(tmp_path, "--no-policies")
    assert [name for name in ON_SOME_PATHS if _loaded(modules, name)] == []
    # what it does need is there: the estimator, the recording engine, the terminal tables
    assert {"gpufleet.estimate.plan", "gpufleet.offline.runner", "gpufleet.report.fmt", "rich.table"} <= modules


def test_with_the_policy_pack_its_driver_is_imported(tmp_path):
    modules = _imported(tmp_path, "--fast-policies")
    assert {"gpufleet.policy.analyzer", "gpufleet.policy.inprocess"} <= modules


def test_a_preview_without_placement_never_computes_the_catalogs_fingerprint(tmp_path, monkeypatch):
    """Hashing every catalog row is ~12 ms of every preview; only placement, its lock and the tasks read the
    version, so a preview that places nothing never computes it, and one that reads it computes it once."""
    import functools

    from gpufleet.catalog import load
    from gpufleet.catalog.overlay import CatalogData
    from gpufleet.cli import main

    computed = []
    fingerprint = CatalogData.version.fget

    def counted(data: CatalogData) -> str:
        computed.append(data.data_dir)
        return fingerprint(data)

    monkeypatch.setattr(CatalogData, "version", property(counted))
    fresh = functools.cache(lambda data_dir, overlay_dir: load.load_catalog_from(data_dir, overlay_dir))
    monkeypatch.setattr(load, "_cached", fresh)  # the catalog loaded anew, in this test
    code = main(["preview", "dev", "--program", str(OTHERS), "--json", str(tmp_path / "plan.json"), "--no-policies"])
    assert (code, computed) == (0, [])
    catalog = load.load_catalog()
    assert catalog.version == catalog.version == fingerprint(CatalogData(load.data_dir()))
    assert computed == [load.data_dir()]
