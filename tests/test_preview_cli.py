"""`gpufleet preview`: a program someone else wrote, the JSON plan, and broken stack files (exit 2)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gpufleet.cli import main

HERE = Path(__file__).parent
OTHERS = HERE / "programs" / "someone-elses-aws"
URN = "urn:pulumi:dev::inference-team::"


def test_someone_elses_program_is_previewed_priced_and_unpriced_listed(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["preview", "dev", "--program", str(OTHERS), "--no-policies", "--json", str(out)]) == 0
    plan = json.loads(out.read_text())
    g = plan["gpufleet"]
    assert g["totals"] == {"gpus": 32, "gpus_unknown_size": 0, "monthly_usd": 160716.8, "monthly_kwh": g["totals"]["monthly_kwh"],
                           "monthly_kgco2e": g["totals"]["monthly_kgco2e"],
                           "monthly_embodied_kgco2e": 4 * 118.75}  # 5,700 kgCO2e × 730 h / 35,040 h each
    node_w = 8400  # a p5.48xlarge at 100 %: GPU, CPU and memory terms plus the HGX platform term (8.4 kW measured)
    kwh = 4 * node_w * 730 / 1000 * 1.12
    assert g["totals"]["monthly_kwh"] == pytest.approx(kwh, abs=0.002)  # 4 rows, each rounded to 0.001
    assert g["totals"]["monthly_kgco2e"] == pytest.approx(kwh * 119.76 / 1000, abs=0.002)
    # each instance's root volume is the AMI's (no rootBlockDevice): billed, size and type unknown
    assert g["unpriced"] == [f"{URN}aws:s3/bucket:Bucket::checkpoints",
                             *(f"{URN}aws:ec2/instance:Instance::gpu-{i}.rootBlockDevice" for i in range(4))]
    assert g["violations"] == [] and g["policy_environment"] is None
    e = g["estimates"][f"{URN}aws:ec2/instance:Instance::gpu-0"]
    assert (e["region"], e["instance_type"], e["nodes"], e["gpus"], e["monthly_usd"]) == (
        "us-west-2", "p5.48xlarge", 1, 8, 40179.2)

    # the `pulumi preview --json` shape
    assert list(plan) == ["config", "steps", "diagnostics", "changeSummary", "gpufleet"]
    assert plan["config"] == {"aws:region": "us-west-2", "inference-team:replicas": "4"}
    step = next(s for s in plan["steps"] if s["urn"] == f"{URN}aws:ec2/instance:Instance::gpu-3")
    assert step["op"] == "create"
    assert step["provider"].startswith(f"{URN}pulumi:providers:aws::default_7_51_1::")
    state = step["newState"]
    assert (state["type"], state["custom"], state["parent"]) == (
        "aws:ec2/instance:Instance", True, f"urn:pulumi:dev::inference-team::pulumi:pulumi:Stack::inference-team-dev")
    assert state["inputs"]["instanceType"] == "p5.48xlarge"
    assert state["inputs"]["metadataOptions"] == {"httpTokens": "required"}
    assert plan["changeSummary"] == {"create": 6}  # stack + bucket + 4 instances; default provider not shown

    screen = capsys.readouterr().out
    assert "160,716.80 USD/month" in screen and "checkpoints" in screen and "32 GPUs" in screen


FLEET = """\
config:
  gpufleet:fleet:
    environment: dev
    owner: {team: ml, cost-center: cc-1}
    candidates: [{cloud: aws, regions: [us-west-2]}]
    workloads:
      - {name: train, gpu: H100, gpu_count: 8, utilization_percent: 50}
"""


@pytest.mark.parametrize("stack_text, expected", [
    ("config: [unclosed\n", ["invalid YAML"]),
    ("config:\n  aws:region: us-west-2\n",
     ["gpufleet:fleet: missing from the configuration of stack 'dev'"]),
    (FLEET.replace("environment: dev", "environment: dev\n    colour: blue"),
     ["gpufleet:fleet.colour: unknown key (got 'colour')"]),
    (FLEET.replace("gpu_count: 8", "gpu_count: eight"),
     ["gpufleet:fleet.workloads[0].gpu_count: is not a plain decimal number (ASCII digits, an optional sign, decimal "
      "point and exponent: 8, 55.04, 1.5e3) (got 'eight')"]),
    (FLEET.replace("gpu_count: 8", "gpu_count: -8"),
     ["gpufleet:fleet.workloads[0].gpu_count: Input should be greater than 0 (got -8)"]),
    (FLEET.replace("regions: [us-west-2]", "regions: [us-west-9]"),
     ["gpufleet:fleet.candidates[0].regions[0]: unknown aws region (got 'us-west-9'); did you mean 'us-west-2'?"]),
    (FLEET.replace("gpu: H100", "gpu: H1O0"),
     ["gpufleet:fleet.workloads[0].gpu: unknown GPU model (got 'H1O0'); did you mean 'H100'?"]),
    (FLEET.replace("name: train", "name: Train_1"),
     ["  - gpufleet:fleet.workloads[0].name: must be 1 to 24 characters: lower-case letters, digits and '-', starting "
      "with a letter (got 'Train_1'); did you mean 'train-1'?\n"]),
    (FLEET.replace("regions: [us-west-2]", "regions: [eastus]"),
     ["  - gpufleet:fleet.candidates[0].regions[0]: is a region of azure, not of aws (got 'eastus'); allowed: "]),
    (FLEET + "    quotas:\n      - {cloud: aws, region: us-west-2, gpus: 8}\n      - {cloud: aws, region: us-west-2, "
     "gpus: 16}\n",
     ["  - gpufleet:fleet.quotas[1]: a second quota for aws us-west-2 (also quotas[0]): give one quota per region\n"]),
    (FLEET + "    quotas:\n      - {cloud: aws, region: us-west-2, gpus: 8, gpus: 16}\n",
     ["Pulumi.dev.yaml:9:41: config.gpufleet:fleet.quotas[0].gpus: duplicate key (also on line 9) (got 'gpus')"]),
])
def test_broken_stack_files_exit_2_with_the_path(tmp_path, capsys, stack_text, expected):
    _project(tmp_path, stack_text)
    assert main(["preview", "dev", "--program", str(tmp_path)]) == 2  # an escaped exception fails the test
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err


def _project(path, stack_text):
    (path / "Pulumi.yaml").write_text("name: gpufleet\nruntime: python\nstackConfigDir: stacks\n")
    (path / "__main__.py").write_text("raise SystemExit('the program must not run when config is invalid')\n")
    (path / "stacks").mkdir()
    (path / "stacks" / "Pulumi.dev.yaml").write_text(stack_text)


def test_the_installed_command_prints_no_traceback(tmp_path):
    _project(tmp_path, FLEET.replace("gpu_count: 8", "gpu_count: -8"))
    proc = subprocess.run([sys.executable, "-m", "gpufleet.cli", "preview", "dev", "--program", str(tmp_path)],
                          capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("invalid stack configuration (stack 'dev'): 1 problem(s)\n"
                           "  - gpufleet:fleet.workloads[0].gpu_count: Input should be greater than 0 (got -8)\n")


def test_unknown_stack_and_unknown_command_suggest(tmp_path, capsys):
    assert main(["preview", "dve", "--program", str(OTHERS)]) == 2
    err = capsys.readouterr().err
    assert "no configuration for stack 'dve'" in err and "did you mean 'dev'?" in err
    assert main(["previwe", "dev"]) == 2
    assert "unknown command (got 'previwe'); did you mean 'preview'?" in capsys.readouterr().err


def test_program_error_exits_3_naming_the_cause(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("raise ValueError('no GPUs configured')\n")
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies"]) == 3
    assert "no GPUs configured" in capsys.readouterr().err


@pytest.mark.parametrize("body", [
    "import os\nos._exit(1)\n",
    "import sys\nsys.exit(1)\n",
    # inside an apply, a SystemExit leaves the event loop mid-step (was an internal error after the stall timeout)
    "import sys\npulumi.Output.from_input(1).apply(lambda _: sys.exit(1))\n",
    "import os\npulumi.Output.from_input(1).apply(lambda _: os._exit(1))\n",
])
def test_a_program_that_exits_1_is_a_failed_program_not_a_policy_violation(tmp_path, body):
    """Exit 1 means a mandatory policy violation and nothing else: a program ending itself with status 1
    (even with `os._exit`, which skips every handler) is exit 3, and gpufleet says so."""
    (tmp_path / "Pulumi.yaml").write_text("name: exits\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n" + body)
    proc = subprocess.run([sys.executable, "-m", "gpufleet.cli", "preview", "dev", "--program", str(tmp_path),
                           "--no-policies"], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        3, "", "error: the Pulumi program failed: SystemExit: the program exited with status 1\n")


def test_a_fleet_that_cannot_be_placed_is_a_configuration_error(tmp_path, capsys):
    repo = HERE.parent
    for name in ("Pulumi.yaml", "__main__.py"):
        (tmp_path / name).write_text((repo / name).read_text())
    (tmp_path / "stacks").mkdir()
    text = (repo / "stacks" / "Pulumi.dev.yaml").read_text()
    text = text[:text.index("  gpufleet:placement:")]  # unlocked: the program places the fleet
    assert "      monthly_usd: 500\n" in text
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(text.replace("      monthly_usd: 500\n", "      monthly_usd: 10\n"))
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies"]) == 2
    err = capsys.readouterr().err
    assert "monthly_usd" in err and "10.00 USD" in err, err
    assert err.count("problem(s)") == 1  # printed once


def test_inputs_of_a_shape_the_provider_rejects_fail_the_program_naming_the_resource(tmp_path, capsys):
    # the SDKs do not check input shapes at run time; a real preview's provider Check rejects this map
    (tmp_path / "Pulumi.yaml").write_text("name: shape\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "aws.eks.NodeGroup('gpu', cluster_name='c', node_role_arn='arn:aws:iam::123456789012:role/n',\n"
        "                  subnet_ids=['subnet-1'], instance_types={'first': 'p5.48xlarge'},\n"
        "                  scaling_config={'desired_size': 1, 'min_size': 0, 'max_size': 1})\n")
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies"]) == 3
    assert capsys.readouterr().err == ("error: the Pulumi program failed: aws:eks/nodeGroup:NodeGroup 'gpu': inputs of "
                                       "a shape the provider does not accept (KeyError: 0)\n")


def test_gpu_capacity_in_a_region_unknown_at_preview_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    # a CKS node pool as CoreWeave's docs declare it: the region is in no input, and no CKS cluster beside it
    (tmp_path / "Pulumi.yaml").write_text("name: cw-pool\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_kubernetes as k8s\n"
        "k8s.apiextensions.CustomResource('h100', api_version='compute.coreweave.com/v1alpha1', kind='NodePool',\n"
        "    metadata={'name': 'h100'}, spec={'computeClass': 'default', 'instanceType': 'gd-8xh100ib-i128',\n"
        "                                   'targetNodes': 4, 'autoscaling': False})\n")
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies"]) == 0
    screen = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(screen) if "gd-8xh100ib-i128" in line)
    assert screen[at].split() == ["coreweave", "gd-8xh100ib-i128", "on-demand", "4", "32", "unknown", "unknown"]
    # the where column, wrapped at 80 columns (was "None")
    assert [screen[at + 1].strip(), screen[at + 2].strip()] == ["(region", "unknown)"]


def test_a_partition_of_a_gpu_is_previewed_as_its_share(tmp_path, capsys, monkeypatch):
    """AWS gr6f.4xlarge gets half an L4: the preview counts 0.50 GPUs, never 0 or 1."""
    monkeypatch.setenv("COLUMNS", "100")
    (tmp_path / "Pulumi.yaml").write_text("name: vdi\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "for i in range(3):\n"
        "    aws.ec2.Instance(f'ws-{i}', instance_type='gr6f.4xlarge', ami='ami-0123456789abcdef0')\n")
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies", "--json", str(tmp_path / "plan.json")]) == 0
    screen = capsys.readouterr().out.splitlines()
    row = next(line for line in screen if "gr6f.4xlarge" in line)
    assert row.split()[:6] == ["aws", "us-west-2", "gr6f.4xlarge", "on-demand", "3", "1.50"]
    assert next(line for line in screen if line.startswith("Total:")).startswith("Total: 1.50 GPUs · unknown USD/month")
    plan = json.loads((tmp_path / "plan.json").read_text())["gpufleet"]
    assert plan["totals"]["gpus"] == 1.5
    assert {e["gpus"] for e in plan["estimates"].values() if e["instance_type"] == "gr6f.4xlarge"} == {0.5}
