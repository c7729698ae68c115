"""Findings of a new user's review of the offline preview (issue #16 review): minimal programs under
programs/, each previewed as the README says, with the exact behaviour a real `pulumi preview` user
expects."""

import json
import shutil
import sys
from pathlib import Path

import pytest

from gpufleet.cli import main
from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


def test_a_function_beside_gpus_makes_the_energy_total_partial_not_complete(summary) -> None:
    lines = summary("function_beside_gpu")
    plan = preview(PROGRAMS / "function_beside_gpu", "dev", policy_pack=None).to_json()["gpufleet"]
    gpu_urn = "urn:pulumi:dev::function-beside-gpu::aws:ec2/instance:Instance::gpu"
    gpu = plan["estimates"][gpu_urn]
    fn = "urn:pulumi:dev::function-beside-gpu::aws:lambda/function:Function::fn"
    # the function's energy is unknown: the total is the GPU box's, marked partial (it printed complete)
    assert plan["totals"]["monthly_kwh"] == gpu["monthly_kwh"]
    assert plan["partial_totals"] == ["monthly_usd", "monthly_kwh", "monthly_kgco2e"]
    # and the GPU box's root volume (the AMI's: its size and type unknown)
    assert plan["unknown_energy"] == [f"{gpu_urn}.rootBlockDevice", fn]
    assert " kWh/month (partial) · " in _line(lines, "Total:")
    assert _line(lines, "Energy and carbon unknown") == "Energy and carbon unknown for 2 resource(s): gpu.rootBlockDevice, fn"


def test_a_plan_whose_energy_is_all_unknown_totals_unknown_kwh_not_zero(summary) -> None:
    lines = summary("function_only")
    assert _line(lines, "Total:") == (
        "Total: 0 GPUs · unknown USD/month · unknown kWh/month · unknown kgCO2e/month operational + 0.0 kgCO2e/month "
        "embodied (INCOMPLETE: known items only; 1 unpriced below)")
    plan = preview(PROGRAMS / "function_only", "dev", policy_pack=None).to_json()["gpufleet"]
    assert plan["totals"] == {"gpus": 0, "gpus_unknown_size": 0, "monthly_usd": None, "monthly_kwh": None, "monthly_kgco2e": None,
                              "monthly_embodied_kgco2e": 0.0}
    assert plan["partial_totals"] == []


def test_what_a_program_prints_goes_to_stderr_and_json_on_stdout_stays_json(capsys) -> None:
    assert main(["preview", "dev", "--program", str(PROGRAMS / "prints"), "--json", "-", "--no-policies"]) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)  # it began with the program's "dry run: True"
    assert [s["newState"]["type"] for s in plan["steps"]] == ["pulumi:pulumi:Stack", "aws:s3/bucket:Bucket"]
    # a preview, as the CLI runs it: the apply on the bucket's unknown id does not run
    assert err.splitlines().count("dry run: True") == 1
    assert "never at preview" not in err


def test_a_provider_sdk_missing_from_gpufleets_environment_says_how_to_install_it(capsys) -> None:
    assert main(["preview", "dev", "--program", str(PROGRAMS / "missing_sdk"), "--no-policies"]) == 3
    assert capsys.readouterr().err == (
        "error: the Pulumi program failed: __main__.py:4: ModuleNotFoundError: No module named 'pulumi_random' (the "
        "program runs with the Python packages of gpufleet's own environment; install the SDK there: "
        f"{sys.executable} -m pip install pulumi-random)\n")


def test_a_stack_reference_the_program_does_not_read_is_a_usage_error_naming_the_ones_it_reads(capsys, tmp_path) -> None:
    outputs = tmp_path / "network.json"
    outputs.write_text('{"vpcId": "vpc-1"}')
    lookups = PROGRAMS / "lookups"  # reads StackReference("acme/network/prod")
    # another organization's name: its outputs were silently left unused, the program's stayed unknown
    assert main(["preview", "dev", "--program", str(lookups), "--no-policies",
                 "--stack-reference", f"acme-corp/network/prod={outputs}"]) == 2
    assert capsys.readouterr().err == (
        "usage error: 1 problem(s)\n"
        "  - --stack-reference acme-corp/network/prod: the program reads no StackReference of this name; did you "
        "mean 'acme/network/prod'?; allowed: acme/network/prod\n")
    assert main(["preview", "dev", "--program", str(PROGRAMS / "function_only"), "--no-policies",
                 "--stack-reference", f"acme/network/prod={outputs}"]) == 2
    assert capsys.readouterr().err == (
        "usage error: 1 problem(s)\n  - --stack-reference acme/network/prod: the program reads no StackReference\n")


def test_the_stack_references_a_program_reads_are_listed_with_where_their_outputs_came_from() -> None:
    lookups = PROGRAMS / "lookups"
    given = preview(lookups, "dev", policy_pack=None, stack_references={"acme/network/prod": {"vpcId": "vpc-1"}})
    assert given.run.lookups["pulumi:pulumi:StackReference acme/network/prod"] == "outputs from --stack-reference"
    assert given.run.outputs["vpcId"] == "vpc-1"
    unknown = preview(lookups, "dev", policy_pack=None)
    assert unknown.run.lookups["pulumi:pulumi:StackReference acme/network/prod"] == (
        "outputs unknown at preview: pass --stack-reference NAME=FILE")


def _after(lines: list[str], title: str) -> list[str]:
    """The rows of the table titled `title` (below its header and rule), up to the next line that is no row."""
    start = lines.index(title) + 3
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith(("kubernetes:", "1 ")))
    return [" ".join(line.split()) for line in lines[start:end]]


def test_a_manifest_file_is_decoded_as_the_provider_does_and_helm_and_kustomize_are_not_expanded(summary) -> None:
    lines = summary("k8s_manifests")
    plan = preview(PROGRAMS / "k8s_manifests", "dev", policy_pack=None)
    urn = "urn:pulumi:dev::k8s-manifests::kubernetes:yaml:ConfigFile$kubernetes:{}::{}"
    job = next(r for r in plan.run.resources if r.urn == urn.format("batch/v1:Job", "nccl-test"))
    assert job.inputs["spec"]["parallelism"] == 4  # it was an unknown lookup: the file's objects were missing
    assert [r.type for r in plan.run.resources if r.parent == urn.split("$")[0] + "::nccl"] == [
        "kubernetes:batch/v1:Job", "kubernetes:core/v1:Namespace"]
    assert "kubernetes:yaml:decode" not in plan.run.lookups  # the provider's own parsing: real data
    assert _line(lines, "Kubernetes GPU requests") == (
        "Kubernetes GPU requests (demand on the clusters' nodes, not capacity): 32 GPUs in 1 workload(s)")
    assert _after(lines, "Resources by type") == [
        "kubernetes:batch/v1:Job 1", "kubernetes:core/v1:Namespace 1",
        "kubernetes:helm.sh/v3:Chart (component, children not expanded) 1",
        "kubernetes:kustomize:Directory (component, children not expanded) 1"]
    assessed = plan.to_json()["gpufleet"]["assessment"]
    assert assessed["not_assessed_types"] == {
        "kubernetes:helm.sh/v3:Chart": {"count": 1, "why": "rendered by helm, which the offline preview does not run: "
                                        "its children are not constructed and their cost is unknown"},
        "kubernetes:kustomize:Directory": {"count": 1, "why": "rendered by kustomize, which the offline preview does "
                                           "not run: its children are not constructed and their cost is unknown"}}
    assert sorted(assessed["not_expanded"]) == ["urn:pulumi:dev::k8s-manifests::kubernetes:helm.sh/v3:Chart::vllm",
                                                "urn:pulumi:dev::k8s-manifests::kubernetes:kustomize:Directory::kueue"]
    assert _line(lines, "Not expanded offline") .startswith("Not expanded offline: 2 component(s), whose children's cost")


def test_a_manifest_that_is_not_yaml_fails_the_program_at_its_line(tmp_path, capsys) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: bad-manifest\nruntime: python\n")
    (tmp_path / "bad.yaml").write_text("kind: [Job\n")
    (tmp_path / "__main__.py").write_text('import pulumi_kubernetes as k8s\n\nk8s.yaml.ConfigFile("bad", file="bad.yaml")\n')
    assert main(["preview", "dev", "--program", str(tmp_path), "--no-policies"]) == 3
    assert capsys.readouterr().err == (
        "error: the Pulumi program failed: __main__.py:3: kubernetes:yaml:decode: the manifest is not valid YAML: "
        "line 2, column 1: expected ',' or ']', but got '<stream end>'\n")


def test_configuration_objects_of_billed_services_are_known_free_not_unassessed() -> None:
    assessment = preview(PROGRAMS / "config_objects", "dev", policy_pack=None).to_json()["gpufleet"]["assessment"]
    # the stack, the aws and gcp default providers, the certificate and the 7 objects, which were "not assessed"
    # (so a plan with them could never be complete)
    assert (assessment["free"], assessment["not_assessed"], assessment["not_assessed_types"]) == (11, 0, {})
    assert assessment["complete"] is True


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_the_default_provider_takes_the_region_from_the_environment_as_the_aws_provider_does(monkeypatch, variable) -> None:
    program = PROGRAMS / "region_from_environment"
    box = "urn:pulumi:dev::region-from-environment::aws:ec2/instance:Instance::box"
    cluster = "urn:pulumi:dev::region-from-environment::eks:index:Cluster::gpu"
    unset = preview(program, "dev", policy_pack=None).to_json()["gpufleet"]["estimates"]
    assert (unset[box]["region"], unset[cluster]["region"]) == (None, None)
    monkeypatch.setenv(variable, "us-east-1")
    result = preview(program, "dev", policy_pack=None)
    default = next(r for r in result.run.resources if r.type == "pulumi:providers:aws")
    assert default.inputs["region"] == "us-east-1"
    estimates = result.to_json()["gpufleet"]["estimates"]
    # the instance on the registered default provider, the component's nodes on the one its children would use
    assert (estimates[box]["region"], estimates[cluster]["region"]) == ("us-east-1", "us-east-1")
    assert (estimates[box]["gpus"], estimates[cluster]["gpus"]) == (8, 16)


def test_a_setting_the_program_requires_and_the_stack_lacks_is_a_configuration_error(capsys) -> None:
    assert main(["preview", "dev", "--program", str(PROGRAMS / "required_config"), "--no-policies"]) == 2
    assert capsys.readouterr().err == (
        "error: the stack configuration lacks required-config:instanceType: __main__.py:8: ConfigMissingError: Missing "
        "required configuration variable 'required-config:instanceType'\n\tplease set a value using the command "
        "`pulumi config set required-config:instanceType <value>` (offline: set it under `config:` in Pulumi.dev.yaml)\n")


def test_a_setting_the_program_cannot_read_as_its_type_is_a_configuration_error(capsys, tmp_path) -> None:
    shutil.copytree(PROGRAMS / "required_config", tmp_path / "p")
    (tmp_path / "p" / "Pulumi.dev.yaml").write_text("config:\n  required-config:nodes: two\n")
    assert main(["preview", "dev", "--program", str(tmp_path / "p"), "--no-policies"]) == 2
    assert capsys.readouterr().err == (
        "error: the stack configuration has an invalid value for required-config:nodes: __main__.py:7: ConfigTypeError: "
        "Configuration 'required-config:nodes' value 'two' is not a valid 'int' (offline: set it under `config:` in "
        "Pulumi.dev.yaml)\n")


def test_resources_of_the_same_name_are_told_apart_by_their_type(summary) -> None:
    lines = summary("same_names")
    assert _line(lines, "Energy and carbon unknown") == (
        "Energy and carbon unknown for 2 resource(s): nat (Eip), nat (NatGateway)")  # it read "nat, nat"
