"""A safe `pulumi up`: once `gpufleet place prod --lock` has run, no catalog change reaches a resource
input (a refresh never rolls GPU nodes), the preview recommends a better region instead of moving, and
raising one workload's GPUs changes only that workload's node group.

End to end on the shipped catalog and gpufleet's own program and prod stack, copied to a temporary
project so the lock is written by the command itself.
"""

import csv
import io
import json
import re
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from gpufleet.catalog.load import DATA_DIR
from gpufleet.catalog.overlay import KEYS, OVERLAY_ENV
from gpufleet.cli import main
from gpufleet.offline import load_stack, run_program

ROOT = Path(__file__).resolve().parents[1]
# Every figure of the catalog (not names, sources or hardware shapes such as GPUs per node).
FIGURES = {
    "offers.csv": ("on_demand_usd_per_hour",),
    "regions.csv": ("grid_gco2e_per_kwh", "cfe_percent", "pue"),
    "instance_types.csv": ("gpu_tdp_watts",),
    "host_power.csv": ("cpu_min_w_per_vcpu", "cpu_max_w_per_vcpu", "memory_kwh_per_gb_hour"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project whose prod stack was locked by `gpufleet place prod --lock`."""
    tmp = tmp_path_factory.mktemp("project")
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp / name)
    shutil.copytree(ROOT / "stacks", tmp / "stacks")
    stack_file = tmp / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(stack_file.read_text())
    del doc["config"]["gpufleet:placement"]
    stack_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    with redirect_stdout(io.StringIO()):
        assert main(["place", "prod", "--program", str(tmp), "--lock"]) == 0
    assert set(json.loads(load_stack(tmp, "prod").config["gpufleet:placement"])["workloads"]) == {
        "pretrain", "finetune", "chat-serving", "batch-embed"}
    return tmp


def _overlay(tmp_path: Path, change) -> Path:
    """Every figure column of every row, through `change(file, row, column, value)`."""
    overlay = tmp_path / "overlay"
    overlay.mkdir(exist_ok=True)
    for name, columns in FIGURES.items():
        with (DATA_DIR / name).open(newline="") as f:
            rows = list(csv.DictReader(f))
        keys = KEYS[name]
        with (overlay / name).open("w", newline="") as f:
            writer = csv.DictWriter(f, [*keys, *columns])
            writer.writeheader()
            for row in rows:
                writer.writerow({**{k: row[k] for k in keys},
                                 **{c: change(name, row, c, row[c]) for c in columns}})
    return overlay


def _inputs(project: Path) -> tuple[dict[str, dict], dict]:
    run = run_program(load_stack(project, "prod"))
    return {r.urn: r.inputs for r in run.resources}, run.outputs


@pytest.fixture(scope="module")
def locked_run(project) -> tuple[dict[str, dict], dict]:
    """Resource inputs and outputs of the locked prod stack on the shipped catalog."""
    with pytest.MonkeyPatch.context() as m:
        m.delenv(OVERLAY_ENV, raising=False)
        return _inputs(project)


def test_no_catalog_figure_reaches_a_resource_input_of_a_locked_stack(project, locked_run, tmp_path, monkeypatch):
    before, outputs_before = locked_run

    def scaled(_name, _row, _column, value):
        return "" if not value else f"{float(value) * 1.37 + 0.01:.6g}"

    monkeypatch.setenv(OVERLAY_ENV, str(_overlay(tmp_path, scaled)))
    after, outputs_after = _inputs(project)
    assert after == before
    # The figures did change: they are in the outputs, where a change touches no resource.
    assert outputs_after["placement"]["total_monthly_usd"] != outputs_before["placement"]["total_monthly_usd"]
    assert outputs_after["placement"]["catalog"]["version"] != outputs_before["placement"]["catalog"]["version"]


def test_preview_recommends_a_region_that_became_better_and_moves_nothing(project, locked_run, tmp_path, monkeypatch):
    before, _ = locked_run

    def cleaner_oregon(name, row, column, value):  # us-west-2's grid became nearly carbon-free
        if (name, column, row.get("cloud"), row.get("region")) == ("regions.csv", "grid_gco2e_per_kwh", "aws",
                                                                  "us-west-2"):
            return "1"
        return value

    overlay = _overlay(tmp_path, cleaner_oregon)
    monkeypatch.setenv(OVERLAY_ENV, "")  # restored after the test: --catalog sets it for the whole process
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["preview", "prod", "--program", str(project), "--catalog", str(overlay), "--no-policies",
                     "--json", str(tmp_path / "plan.json")])
    text = re.sub(r"\s+", " ", out.getvalue())
    assert code == 0
    assert re.search(r"Recommendation: re-placing would cut carbon by \d+\.\d % \([-+][\d,.]+ USD/month, -[\d,]+ "
                     r"kgCO2e/month\): finetune aws eu-north-1 p5\.48xlarge -> aws us-west-2 p5\.48xlarge; "
                     r"batch-embed aws eu-north-1 g6e\.2xlarge -> aws us-west-2 g6e\.2xlarge\. Not applied", text)
    assert f"overlay {overlay} (" in text
    # The pull-request report states it too, from the plan file.
    report = io.StringIO()
    with redirect_stdout(report):
        assert main(["report", str(tmp_path / "plan.json"), "--output", "-"]) == 0
    assert re.search(r"- locked placement: re-placing would cut carbon by \d+\.\d % .*: finetune aws eu-north-1 "
                     r"p5\.48xlarge -&gt; aws us-west-2 p5\.48xlarge; ", report.getvalue())  # inert markdown
    monkeypatch.delenv(OVERLAY_ENV)
    after, _ = _inputs(project)
    assert after == before


def test_raising_one_workloads_gpus_changes_only_its_node_group(project, locked_run, tmp_path, monkeypatch):
    monkeypatch.delenv(OVERLAY_ENV, raising=False)
    before, _ = locked_run
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    stack_file = copy / "stacks" / "Pulumi.prod.yaml"
    text = stack_file.read_text()
    assert text.count("gpu_count: 8\n") == 1  # batch-embed's
    stack_file.write_text(text.replace("gpu_count: 8\n", "gpu_count: 16\n"))
    after, _ = _inputs(copy)
    assert set(after) == set(before)
    changed = sorted(urn.rsplit("::", 1)[-1] for urn in after if after[urn] != before[urn])
    assert changed == ["prod-pretrain-batch-embed-node-group"]
    group = next(after[u] for u in after if u.endswith("::prod-pretrain-batch-embed-node-group"))
    assert group["scalingConfig"] == {"desiredSize": 16, "minSize": 0, "maxSize": 16}


def test_raising_a_training_workloads_gpus_keeps_its_locked_hot_tier(project, locked_run, tmp_path, monkeypatch):
    """finetune (training, hot tier sized from its GPUs at lock time): 64 -> 72 GPUs changes its node
    group only; the Lustre file system keeps the locked size, and the preview says it is now too small."""
    monkeypatch.delenv(OVERLAY_ENV, raising=False)
    before, _ = locked_run
    lock = json.loads(load_stack(project, "prod").config["gpufleet:placement"])["workloads"]
    assert (lock["finetune"]["hot_tib"], lock["finetune"]["hot_throughput_mb_s_per_tib"]) == (16.40625, 1000)
    assert "hot_tib" not in lock["batch-embed"]  # no hot tier: nothing to lock
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    stack_file = copy / "stacks" / "Pulumi.prod.yaml"
    text = stack_file.read_text()
    assert text.count("gpu_count: 64\n") == 1  # finetune's
    stack_file.write_text(text.replace("gpu_count: 64\n", "gpu_count: 72\n"))
    after, outputs = _inputs(copy)
    assert set(after) == set(before)
    changed = sorted(urn.rsplit("::", 1)[-1] for urn in after if after[urn] != before[urn])
    assert changed == ["prod-pretrain-finetune-node-group"]
    lustre = next(after[u] for u in after if u.endswith("::prod-pretrain-finetune-storage-lustre"))
    assert (lustre["storageCapacity"], lustre["perUnitStorageThroughput"]) == (16800, 1000)
    note = ("finetune's hot tier is locked at 16.4062 TiB (16,406 MB/s); its 72 GPUs need 18,000 MB/s at 250 MB/s "
            "per GPU. Kept as locked: resize it with `gpufleet place prod --lock` (or set storage.hot_tib)")
    assert outputs["placement"]["advisories"] == [note]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["preview", "prod", "--program", str(copy), "--no-policies"]) == 0
    assert f"Advisory: {note}" in re.sub(r"\s+", " ", out.getvalue())


def test_a_locked_stack_within_its_hot_tier_has_no_advisory(locked_run):
    _, outputs = locked_run
    assert outputs["placement"]["advisories"] == []
