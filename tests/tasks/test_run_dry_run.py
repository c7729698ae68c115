"""`gpufleet run TASK.yaml --dry-run --json out.json`: the example task end to end, offline."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from gpufleet.catalog import load_catalog
from gpufleet.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tasks" / "train-30xh100.yaml"
JOB_TYPE = "kubernetes:batch/v1:Job"


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out.json"
    assert main(["run", str(EXAMPLE), "--dry-run", "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_whole_nodes_and_spare_gpus(plan_json):
    task = plan_json["gpufleet"]["task"]
    assert task["nodes"] == {
        "instance_type": "p5.48xlarge", "nodes": 4, "gpus_per_node": 8, "provisioned_gpus": 32, "requested_gpus": 30,
        "spare_gpus": 2, "node_memory_gib": 2048.0, "workers": 15, "gpus_per_worker": 2, "workers_per_node_max": 4,
        "memory_mib_per_worker": 17477, "memory_gib_per_node_max": 68.27}
    assert (task["placement"]["cloud"], task["placement"]["region"], task["placement"]["nodes"]) == (
        "aws", "us-east-2", 4)
    assert task["placement"]["reason"].startswith("cost: cheapest region for 30 H100 as p5.48xlarge")


def test_cost_of_one_run_is_nodes_times_the_catalog_price_times_max_hours(plan_json):
    price = load_catalog().offer("aws", "p5.48xlarge", "us-east-2").usd_per_hour
    run = plan_json["gpufleet"]["task"]["run"]
    assert (run["nodes"], run["usd_per_node_hour"], run["hours"]) == (4, price, 12)
    assert run["usd"] == round(4 * price * 12, 2) == 2641.92
    # The stack's own estimate of the GPU node group (tagged with max_hours) is the same one run; the
    # cluster's CPU system nodes are priced beside it.
    gpu_groups = [e for e in plan_json["gpufleet"]["estimates"].values() if e["gpus"]]
    assert [(e["monthly_usd"], e["monthly_kgco2e"]) for e in gpu_groups] == [(run["usd"], run["kgco2e"])]


def test_the_job_requests_gpus_and_memory_per_pod(plan_json):
    job = plan_json["gpufleet"]["task"]["job"]
    assert job["requests"] == job["limits"] == {"nvidia.com/gpu": "2", "memory": "17477Mi"}
    assert job["total_requests"] == {"nvidia.com/gpu": 30, "memory": "262155Mi"}
    (step,) = [s for s in plan_json["steps"] if s["newState"]["type"] == JOB_TYPE]
    inputs = step["newState"]["inputs"]
    assert inputs["metadata"] == {
        "name": "finetune-llm", "namespace": "default",
        "labels": {"gpufleet.io/task": "finetune-llm", "kueue.x-k8s.io/queue-name": "finetune-llm"},
        "annotations": {"gpufleet.io/expires-at": plan_json["gpufleet"]["task"]["expiry"]["expires_at"]}}
    spec = inputs["spec"]
    assert {k: spec[k] for k in ("completionMode", "completions", "parallelism", "backoffLimit",
                                 "activeDeadlineSeconds", "suspend")} == {
        "completionMode": "Indexed", "completions": 15, "parallelism": 15, "backoffLimit": 0,
        "activeDeadlineSeconds": 43200, "suspend": True}
    pod = spec["template"]["spec"]
    assert (pod["nodeSelector"], pod["tolerations"], pod["restartPolicy"]) == (
        {"gpufleet.io/workload": "finetune-llm"},
        [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}], "Never")
    (container,) = pod["containers"]
    assert container["resources"] == {"requests": {"nvidia.com/gpu": "2", "memory": "17477Mi"},
                                      "limits": {"nvidia.com/gpu": "2", "memory": "17477Mi"}}
    assert container["env"] == [{"name": "GPUFLEET_TASK", "value": "finetune-llm"},
                                {"name": "GPUFLEET_DATA_URI", "value": "s3://example-datasets/llm-corpus/"}]


def test_the_task_stack_carries_its_expiry(plan_json):
    task = plan_json["gpufleet"]["task"]
    expires = datetime.fromisoformat(task["expiry"]["expires_at"].replace("Z", "+00:00"))
    started = datetime.strptime(task["stack"].removeprefix("finetune-llm-") + "+0000", "%Y%m%d-%H%M%S%z")
    assert expires - started == timedelta(hours=13)  # max_hours + the 1 h margin
    assert task["expiry"]["stack_config"] == {"gpufleet:task": "finetune-llm",
                                              "gpufleet:expiresAt": task["expiry"]["expires_at"]}
    tagged = [s["newState"] for s in plan_json["steps"] if "tags" in s["newState"].get("inputs", {})
              and isinstance(s["newState"]["inputs"]["tags"], dict)]
    tag = expires.strftime("%Y%m%dt%H%M%Sz")  # ISO 8601 basic, lower case: a value GCP labels take too
    assert tagged and all(s["inputs"]["tags"].get("gpufleet-expires-at") == tag
                          and s["inputs"]["tags"].get("gpufleet-task") == "finetune-llm" for s in tagged)
    assert "gpufleet-task-stack-expiry-required" not in {v["policy"] for v in plan_json["gpufleet"]["violations"]}


def test_policies_are_applied_with_the_task_environment(plan_json):
    assert plan_json["gpufleet"]["policy_environment"] == "dev"
    assert sorted(v["policy"] for v in plan_json["gpufleet"]["violations"]) == [
        "gpufleet-gpu-instance-types-allowed", "gpufleet-node-group-max-gpus",
        "gpufleet-nonprod-gpu-spot-or-scale-to-zero", "gpufleet-stack-gpu-quota"]
    assert {v["level"] for v in plan_json["gpufleet"]["violations"]} == {"advisory"}


def test_the_gpu_software_stack_is_on_for_task_clusters(plan_json):
    releases = sorted(s["newState"]["inputs"]["chart"] for s in plan_json["steps"]
                      if s["newState"]["type"] == "kubernetes:helm.sh/v3:Release")
    assert releases == ["nvidia-device-plugin", "oci://registry.k8s.io/kueue/charts/kueue"]


def test_terminal_summary_states_nodes_spare_gpus_requests_and_one_run(capsys, tmp_path):
    assert main(["run", str(EXAMPLE), "--dry-run", "--no-policies"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Nodes: 4 × p5.48xlarge (8 GPUs, 2048 GiB each) = 32 GPUs for 30 asked: 2 spare" in out
    assert "Job: 15 pods × requests {nvidia.com/gpu: 2, memory: 17477Mi} (total 30 GPUs, 262155Mi)" in out
    assert "One run (12 h): 4 × 55.04 USD/h × 12 h = 2,641.92 USD" in out
    assert "Policies: not run (--no-policies)" in out


def test_the_one_run_line_shows_the_catalog_price_so_it_multiplies_out_to_the_cent(capsys, tmp_path):
    # eu-north-1 lists p5.48xlarge at 58.8928 USD/h: 4 × 58.8928 × 12 = 2,826.85 (58.89 would give 2,826.72).
    path = _task(tmp_path, candidates=[{"cloud": "aws", "regions": ["eu-north-1"]}], data=None)
    assert main(["run", str(path), "--dry-run", "--no-policies"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "One run (12 h): 4 × 58.8928 USD/h × 12 h = 2,826.85 USD" in out


def _task(tmp_path, **changes):
    raw = {**yaml.safe_load(EXAMPLE.read_text()), **changes}
    path = tmp_path / "TASK.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_a_mandatory_violation_exits_1(tmp_path):
    # prod: every policy mandatory; an untagged-looking environment is not the point, the GPU quota is
    path = _task(tmp_path, environment="prod", gpu_count=600, instance_type="p5.48xlarge", memory_gib=256,
                 command=["train"])
    assert main(["run", str(path), "--dry-run", "--fast-policies"]) == 1


def test_on_azure_the_task_reads_the_exec_kubeconfig(tmp_path, capsys):
    path = _task(tmp_path, instance_type="Standard_ND96isr_H100_v5", data=None,
                 candidates=[{"cloud": "azure", "regions": ["eastus"]}])
    assert main(["run", str(path), "--dry-run", "--no-policies"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Nodes: 4 × Standard_ND96isr_H100_v5 (8 GPUs, 1900 GiB each) = 32 GPUs for 30 asked: 2 spare" in out


def test_without_a_gpu_model_every_family_is_considered(tmp_path, capsys):
    path = _task(tmp_path, gpu=None, instance_type=None, gpu_count=2, memory_gib=16)
    assert main(["run", str(path), "--dry-run", "--no-policies"]) == 0
    assert "Nodes:" in capsys.readouterr().out


def test_memory_that_no_node_holds_is_refused_naming_the_types_that_do(tmp_path, capsys):
    path = _task(tmp_path, instance_type="p5.4xlarge", gpu_count=2, memory_gib=600)
    assert main(["run", str(path), "--dry-run"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "the task does not fit on 2 × p5.4xlarge" in err
    assert "task.memory_gib: 1 pod(s) of 307200 MiB need 300.0 GiB on one p5.4xlarge, which has 256 GiB" in err


def test_placement_problems_name_the_task_file(tmp_path, capsys):
    path = _task(tmp_path, candidates=[{"cloud": "aws", "regions": ["eu-south-2"]}])
    assert main(["run", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "task: workload 'finetune-llm': no candidate region offers 30 H100" in err and "gpufleet:fleet" not in err


@pytest.mark.skipif(shutil.which("pulumi") is not None, reason="the Pulumi CLI is installed here")
@pytest.mark.parametrize("argv", [["run", str(EXAMPLE)], ["tasks"], ["tasks", "--reap"]])
def test_a_real_run_without_the_pulumi_cli_is_a_usage_error(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "the Pulumi CLI is not on PATH" in err and "Traceback" not in err


def test_json_needs_dry_run(capsys):
    assert main(["run", str(EXAMPLE), "--json", "x.json"]) == 2
    assert "--json: only with --dry-run" in capsys.readouterr().err


def test_without_candidates_every_region_of_the_component_clouds_is_considered(tmp_path):
    raw = yaml.safe_load(EXAMPLE.read_text())
    for key in ("candidates", "data", "instance_type", "environment", "owner"):
        raw.pop(key)
    raw["tags"] = {"team": "ml", "cost-center": "cc-1"}
    path = tmp_path / "TASK.yaml"
    path.write_text(yaml.safe_dump(raw))
    out = tmp_path / "out.json"
    assert main(["run", str(path), "--dry-run", "--json", str(out)]) == 0
    task = json.loads(out.read_text())["gpufleet"]["task"]
    catalog = load_catalog()
    offer = catalog.offer(task["placement"]["cloud"], task["placement"]["instance_type"], task["placement"]["region"])
    assert task["run"]["usd"] == round(task["nodes"]["nodes"] * offer.usd_per_hour * 12, 2)
    assert task["nodes"]["provisioned_gpus"] - task["nodes"]["spare_gpus"] == 30
    assert json.loads(out.read_text())["gpufleet"]["policy_environment"] == "dev"


def _minimal(tmp_path, **extra):
    raw = {"name": "check", "gpu": "H100", "gpu_count": 30, "memory_gib": 256, "max_hours": 12, "image": "img",
           "command": "python train.py", "owner": {"team": "ml", "cost-center": "cc-1"},
           "candidates": [{"cloud": "aws", "regions": ["us-east-1", "us-west-2"]}], **extra}
    path = tmp_path / "TASK.yaml"
    path.write_text(yaml.safe_dump(raw))
    out = tmp_path / "out.json"
    assert main(["run", str(path), "--dry-run", "--no-policies", "--json", str(out)]) == 0
    return json.loads(out.read_text())["gpufleet"]["task"]


def test_by_default_a_multi_gpu_task_runs_on_the_largest_nodes_of_its_gpu(tmp_path):
    task = _minimal(tmp_path)
    assert (task["nodes"]["instance_type"], task["nodes"]["nodes"], task["nodes"]["spare_gpus"]) == (
        "p5.48xlarge", 4, 2)
    price = load_catalog().offer("aws", "p5.48xlarge", task["placement"]["region"]).usd_per_hour
    assert task["run"]["usd"] == round(4 * price * 12, 2)
    assert "instance type p5.48xlarge" in " ".join(task["placement"]["binding"])  # says what the pin excluded


def test_min_gpus_per_node_1_lets_placement_choose_any_node_size(tmp_path):
    task = _minimal(tmp_path, min_gpus_per_node=1)
    assert (task["nodes"]["instance_type"], task["nodes"]["nodes"], task["nodes"]["spare_gpus"]) == (
        "p5.4xlarge", 30, 0)


def test_the_largest_node_is_the_largest_in_the_task_s_own_clouds(tmp_path):
    # AWS's only L4 node the catalog offers has 1 GPU (g6.xlarge; g6.48xlarge is known, to count GPUs, but
    # has no offer to place); GCP's g2-standard-96 has 8 but is not a candidate here.
    task = _minimal(tmp_path, gpu="L4", gpu_count=4, memory_gib=40,
                    candidates=[{"cloud": "aws", "regions": ["us-east-1"]}])
    assert (task["nodes"]["instance_type"], task["nodes"]["nodes"], task["nodes"]["spare_gpus"]) == (
        "g6.xlarge", 4, 0)


GCP_PROJECT_ENVIRONMENT = ("GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")


def _gcp_task(tmp_path) -> Path:
    task = tmp_path / "gcp.yaml"
    task.write_text(yaml.safe_dump({
        "name": "gcp-h100", "gpu": "H100", "gpu_count": 8, "memory_gib": 256, "max_hours": 4,
        "image": "nvcr.io/nvidia/pytorch:24.08-py3", "command": ["python", "train.py"],
        "candidates": [{"cloud": "gcp", "regions": ["us-central1"]}], "owner": {"team": "ml", "cost-center": "cc-1"}}))
    return task


@pytest.fixture
def gcp_project(monkeypatch):
    """The project as the GCP provider would find it: from the environment (its second variable here)."""
    for name in GCP_PROJECT_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "ml-tasks-123")
    return "ml-tasks-123"


# pulumi-gcp warns about its own deprecated aliases when its compute module loads
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_task_placed_on_gcp_carries_its_expiry_as_a_valid_label(tmp_path, gcp_project):
    """GCP labels take lower-case letters, digits, '_' and '-' only: the expiry tag must be one of those."""
    out = tmp_path / "out.json"
    assert main(["run", str(_gcp_task(tmp_path)), "--dry-run", "--json", str(out)]) == 0
    plan = json.loads(out.read_text())
    inputs = [s["newState"].get("inputs", {}) for s in plan["steps"]]
    labels = [i["resourceLabels"] for i in inputs if isinstance(i.get("resourceLabels"), dict)] + [
        i["nodeConfig"]["resourceLabels"] for i in inputs
        if isinstance(i.get("nodeConfig"), dict) and isinstance(i["nodeConfig"].get("resourceLabels"), dict)]
    expires = datetime.fromisoformat(plan["gpufleet"]["task"]["expiry"]["expires_at"].replace("Z", "+00:00"))
    assert len(labels) == 4 and all(l["gpufleet-expires-at"] == expires.strftime("%Y%m%dt%H%M%Sz") for l in labels)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_task_placed_on_gcp_deploys_into_the_project_its_provider_would_use(tmp_path, gcp_project):
    """The task's stack records `gcp:project` from the provider's environment: the provider, the workload
    pool and the node service accounts' project roles are in it (never in a project None)."""
    out = tmp_path / "out.json"
    assert main(["run", str(_gcp_task(tmp_path)), "--dry-run", "--json", str(out)]) == 0
    inputs = {s["urn"].rsplit("::", 1)[1]: s["newState"].get("inputs", {}) for s in json.loads(out.read_text())["steps"]}
    ((cluster_name, cluster),) = [(n, i) for n, i in inputs.items() if "workloadIdentityConfig" in i]
    cluster_name = cluster_name.removesuffix("-gke")
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "ml-tasks-123.svc.id.goog"}
    assert {name: i["project"] for name, i in inputs.items() if "project" in i} == {
        "gcp-us-central1": "ml-tasks-123",  # the provider
        **{f"{cluster_name}-{pool}-role": "ml-tasks-123" for pool in ("system-nodes", "gcp-h100-nodes")}}


def test_a_task_placed_on_gcp_without_a_project_names_the_setting(tmp_path, monkeypatch, capsys):
    for name in GCP_PROJECT_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    assert main(["run", str(_gcp_task(tmp_path)), "--dry-run"]) == 2
    assert capsys.readouterr().err.splitlines()[-2:] == [
        "the task's stack cannot be configured: 1 problem(s)",
        "  - task (placed in gcp us-central1): placed on GCP, the stack needs the project to deploy into (its "
        "`gcp:project`): set GOOGLE_PROJECT or GOOGLE_CLOUD_PROJECT or GCLOUD_PROJECT or CLOUDSDK_CORE_PROJECT, as "
        "for the GCP provider"]
