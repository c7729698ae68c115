"""The CLI over owned sites: `gpufleet regions --cloud owned --stack S` ranks the stack's sites within their
GPUs; the hybrid stack previews with exit 0 and prices its site to the cent in the JSON and the PR report."""

import json
from pathlib import Path

from gpufleet.cli import main

ROOT = Path(__file__).resolve().parents[2]
QUOTA = ("urn:pulumi:hybrid::gpufleet::gpufleet:index:GpuCluster$gpufleet:index:GpuNodeGroup$"
         "kubernetes:core/v1:ResourceQuota::prod-research-train-research-train-gpu-quota")


def test_regions_lists_the_stacks_sites_within_their_gpus(tmp_path, capsys):
    out = tmp_path / "regions.json"
    assert main(["regions", "--gpu", "H100", "--gpus", "16", "--cloud", "owned", "--stack", "hybrid",
                 "--program", str(ROOT), "--objective", "carbon", "--utilization", "85", "--json", str(out)]) == 0
    assert json.loads(out.read_text()) == [{
        "rank": 1, "cloud": "owned", "region": "dc-north", "location": "Luleå, SE (example owned site)",
        "instance_type": "dc-north/8xH100", "nodes": 2, "gpus": 16, "node_usd_per_hour": 14.8,
        "monthly_usd": 21608.0, "monthly_kwh": 9082.368, "monthly_kgco2e": 254.306, "grid_gco2e_per_kwh": 28.0,
        "pue": 1.2, "grid_year": "2025", "pue_year": "2025"}]
    assert main(["regions", "--gpu", "H100", "--gpus", "40", "--cloud", "owned", "--stack", "hybrid",
                 "--program", str(ROOT)]) == 2
    assert main(["regions", "--gpu", "H100", "--gpus", "16", "--cloud", "owned"]) == 2
    err = capsys.readouterr().err
    assert "--gpus: more GPUs than the stack's sites have: dc-north 32 (got 40)" in err
    assert "--cloud: the regions of owned are a stack's sites: name the stack with --stack (got 'owned')" in err


def test_the_hybrid_stack_previews_with_exit_0_and_prices_the_site_to_the_cent(tmp_path):
    plan = tmp_path / "plan.json"
    assert main(["preview", "hybrid", "--program", str(ROOT), "--quiet", "--json", str(plan)]) == 0
    doc = json.loads(plan.read_text())["gpufleet"]
    quota = doc["estimates"][QUOTA]
    assert (quota["cloud"], quota["region"], quota["instance_type"], quota["gpus"], quota["monthly_usd"]) == (
        "owned", "dc-north", "dc-north/8xH100", 32, 43216.0)  # 32 GPUs × 1.85 USD/GPU-hour × 730 h
    assert [v["level"] for v in doc["violations"] if v["level"] == "mandatory"] == []
    assert [line for line in _markdown(plan).splitlines() if line.startswith("| owned")] == [
        "| owned | dc-north | 32 | 43,216.00 | 18,164.7 | 0.509 |"]


def _markdown(plan: Path) -> str:
    out = plan.with_suffix(".md")
    assert main(["report", str(plan), "--output", str(out)]) == 0
    return out.read_text()
