"""The task file: typed and validated like the stack files — every problem at once, exact."""

from pathlib import Path

import pytest
import yaml

from gpufleet.cli import main
from gpufleet.errors import UserError
from gpufleet.tasks.model import parse_task, read_task

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "train-30xh100.yaml"
VALID = {"name": "finetune", "environment": "dev", "owner": {"team": "ml", "cost-center": "cc-1"}, "gpu": "H100",
         "gpu_count": 30, "memory_gib": 256, "image": "nvcr.io/nvidia/pytorch:24.08-py3", "command": ["python", "t.py"],
         "max_hours": 12, "candidates": [{"cloud": "aws", "regions": ["us-east-1"]}]}


def problems(raw):
    with pytest.raises(UserError) as e:
        parse_task(raw)
    return [p.render() for p in e.value.problems]


def test_the_example_task_file_is_valid():
    task = read_task(EXAMPLE)
    assert (task.name, task.gpu, task.gpu_count, task.memory_gib, task.max_hours, task.instance_type) == (
        "finetune-llm", "H100", 30, 256, 12, "p5.48xlarge")
    assert task.owner_tags == {"project": "foundation-models", "team": "ml-platform", "cost-center": "cc-4012",
                               "environment": "dev"}
    assert task.enable_gpu_software is True


def test_every_problem_reported_at_once_with_paths_values_allowed_and_did_you_mean():
    raw = {**VALID, "name": "Fine_tune", "gpu": "H10", "gpu_count": 0, "max_hours": 800, "comand": ["x"],
           "objective": "cheap", "candidates": [{"cloud": "aws", "regions": ["us-east-9"]}]}
    del raw["command"]
    assert problems(raw) == [
        "task.candidates[0].regions[0]: unknown aws region (got 'us-east-9'); did you mean 'us-east-2'?; allowed: "
        "ap-east-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ap-southeast-3, "
        "ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-south-2, … (21 in all)",
        "task.comand: unknown key (got 'comand'); did you mean 'command'?; allowed: candidates, capacity, command, "
        "data, enable_gpu_software, environment, gpu, gpu_count, gpus_per_worker, high_bandwidth_fabric, image, "
        "instance_type, … (21 in all)",
        "task.command: required key is missing",
        "task.gpu: unknown GPU model (got 'H10'); did you mean 'H100'?; allowed: A10, A100, A100-40GB, A100-80GB, "
        "A10G, B200, B200 (GB200 superchip), B300, H100, H100 (NC v5 variant), H200, L4, … (17 in all)",
        "task.gpu_count: Input should be greater than 0 (got 0)",
        "task.max_hours: Input should be less than or equal to 730 (got 800)",
        "task.name: must be 1 to 24 characters: lower-case letters, digits and '-', starting with a letter (got "
        "'Fine_tune'); did you mean 'fine-tune'?",
        "task.objective: Input should be 'carbon', 'cost' or 'balanced' (got 'cheap'); allowed: carbon, cost, balanced",
    ]


def test_candidates_or_stack_not_both():
    assert problems({**VALID, "stack": "prod"}) == [
        "task: give `candidates` (clouds and regions) or `stack` (a fleet stack), not both"]


def test_instance_type_must_carry_the_gpu_and_data_region_must_exist():
    raw = {**VALID, "instance_type": "g5.xlarge", "data": {"cloud": "aws", "region": "us-eats-1"}}
    assert problems(raw) == [
        "task.data.region: unknown aws region (got 'us-eats-1'); did you mean 'us-east-1'?; allowed: ap-east-1, "
        "ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ap-southeast-3, ca-central-1, "
        "eu-central-1, eu-north-1, eu-south-1, eu-south-2, … (21 in all)",
        "task.instance_type: g5.xlarge has A10G GPUs, not H100 (got 'g5.xlarge')",
    ]


def test_a_file_that_is_not_a_mapping():
    assert problems(["a"]) == ["task: must be a mapping of task settings (got 'list')"]


def test_values_are_taken_as_written_not_coerced():
    # YAML 1.2 reads `true` as a boolean and `"8"` / `yes` as strings: none of them is a count or a switch.
    raw = {**VALID, "gpu_count": True, "memory_gib": "256", "max_hours": True, "high_bandwidth_fabric": "yes",
           "gpus_per_worker": "2"}
    assert problems(raw) == [
        "task.gpu_count: Input should be a valid integer (got True)",
        "task.gpus_per_worker: Input should be a valid integer (got '2')",
        "task.high_bandwidth_fabric: Input should be a valid boolean (got 'yes')",
        "task.max_hours: Input should be a valid number (got True)",
        "task.memory_gib: Input should be a valid number (got '256')",
    ]
    assert parse_task({**VALID, "memory_gib": 256, "max_hours": 12}).memory_gib == 256.0  # an integer is a number


def test_an_empty_file_says_so():
    assert problems(None) == ["task: the file is empty: a task file is a mapping of task settings (name, gpu_count, "
                              "memory_gib, max_hours, image, command, …)"]


@pytest.mark.parametrize("text, expected", [
    ("name: [unclosed\n", "invalid YAML"),
    ("# nothing but a comment\n", "task: the file is empty"),
    ("- just\n- a list\n", "must be a mapping of task settings (got 'list')"),
])
def test_bad_files_exit_2_without_a_traceback(tmp_path, capsys, text, expected):
    path = tmp_path / "TASK.yaml"
    path.write_text(text)
    assert main(["run", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_a_missing_file_exits_2_naming_it(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml"), "--dry-run"]) == 2
    assert f"TASK.yaml: no such file (got '{tmp_path / 'nope.yaml'}')" in capsys.readouterr().err


def test_an_unreadable_file_exits_2_naming_it(tmp_path, capsys):
    path = tmp_path / "TASK.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    assert main(["run", str(path), "--dry-run"]) == 2
    assert f"cannot read task file {path}" in capsys.readouterr().err


def test_yaml_is_read_as_yaml_1_2(tmp_path):
    # `on` and `yes` are strings in YAML 1.2 (as the Pulumi CLI reads its files), not booleans.
    raw = {**VALID, "tags": {"on": "yes"}}
    path = tmp_path / "TASK.yaml"
    path.write_text(yaml.safe_dump(raw).replace("'on': 'yes'", "on: yes"))
    assert read_task(path).tags == {"on": "yes"}


def test_a_minimal_task_file_takes_its_defaults():
    raw = {"name": "finetune", "gpu": "H100", "gpu_count": 30, "memory_gib": 256, "image": "img",
           "command": "torchrun --nproc-per-node=2 'train.py' --name \"my run\"", "data": "s3://bucket/corpus/",
           "max_hours": 12, "tags": {"team": "ml", "cost-center": "cc-1"},
           "candidates": [{"cloud": "aws", "regions": ["us-east-1"]}]}
    task = parse_task(raw)
    assert (task.environment, task.objective, task.capacity, task.enable_gpu_software) == ("dev", "balanced",
                                                                                           "on-demand", True)
    assert task.command == ["torchrun", "--nproc-per-node=2", "train.py", "--name", "my run"]
    assert (task.data.uri, task.data.cloud, task.data.region) == ("s3://bucket/corpus/", None, None)
    assert task.owner_tags == {"team": "ml", "cost-center": "cc-1", "environment": "dev"}


def test_owner_data_and_command_problems():
    raw = {**VALID, "command": "python 'unclosed", "data": {"cloud": "aws", "max_distance_km": 100}}
    del raw["owner"]
    assert problems(raw) == [
        "task: give the `owner` (team, cost-center), or tags `team` and `cost-center`",
        "task.command: cannot split the command: No closing quotation (got \"python 'unclosed\")",
        "task.data: give both `cloud` and `region` of the data, or neither",
    ]
