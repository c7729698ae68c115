"""preview_json: the document `pulumi preview --json` prints, with secrets blinded."""

import json
from pathlib import Path

import pytest

from gpufleet.offline import ProgramRun, load_stack, preview_json, run_program

PROGRAMS = Path(__file__).resolve().parent / "programs"
AWS = "urn:pulumi:dev::aws-fleet::"
STACK = AWS + "pulumi:pulumi:Stack::aws-fleet-dev"
WEST_REF = AWS + "pulumi:providers:aws::us-west-2::04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # no id at preview
NODE = AWS + "gpufleet:test:GpuNode::trainer"
SG = AWS + "gpufleet:test:GpuNode$aws:ec2/securityGroup:SecurityGroup::trainer-sg"
VM = AWS + "gpufleet:test:GpuNode$aws:ec2/instance:Instance::trainer-vm"


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    return run_program(load_stack(PROGRAMS / "aws_fleet", "dev"))


@pytest.fixture(scope="module")
def preview(run: ProgramRun) -> dict:
    return preview_json(run)


def test_one_create_step_per_resource_except_default_providers(preview: dict) -> None:
    # Like the CLI (shouldReportStep), default providers are neither shown nor counted.
    assert [(step["op"], step["urn"]) for step in preview["steps"]] == [
        ("create", STACK),
        ("create", AWS + "pulumi:providers:aws::us-west-2"),
        ("create", NODE),
        ("create", SG),
        ("create", VM),
        ("create", AWS + "aws:s3/bucket:Bucket::checkpoints"),
        ("create", AWS + "aws:iam/role:Role::node-role"),
    ]
    assert preview["changeSummary"] == {"create": 7}


def test_steps_in_the_clis_shape(preview: dict) -> None:
    steps = {step["urn"]: step for step in preview["steps"]}
    assert steps[STACK] == {
        "op": "create",
        "urn": STACK,
        "newState": {"urn": STACK, "custom": False, "type": "pulumi:pulumi:Stack"},
        "detailedDiff": None,
    }
    assert steps[VM] == {
        "op": "create",
        "urn": VM,
        "provider": WEST_REF,
        "newState": {
            "urn": VM,
            "custom": True,
            "type": "aws:ec2/instance:Instance",
            "inputs": {
                "ami": "ami-0123456789abcdef0",
                "instanceType": "p5.48xlarge",
                "rootBlockDevice": {"volumeSize": 2048},
                "userData": "[secret]",
                "vpcSecurityGroupIds": ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"],
            },
            "parent": NODE,
            "protect": True,
            "dependencies": [SG],
            "provider": WEST_REF,
            "propertyDependencies": {
                "ami": [],
                "instanceType": [],
                "rootBlockDevice": [],
                "userData": [],
                "vpcSecurityGroupIds": [SG],
            },
        },
        "detailedDiff": None,
    }


def test_unknowns_stay_the_sentinel(preview: dict) -> None:
    role = next(step for step in preview["steps"] if step["urn"] == AWS + "aws:iam/role:Role::node-role")
    assert role["newState"]["inputs"]["tags"] == {"bucket": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}


def test_config_diagnostics_and_secrets(run: ProgramRun, preview: dict) -> None:
    assert preview["config"] == {
        "aws-fleet:dbPassword": "[secret]",
        "aws-fleet:instanceType": "p5.48xlarge",
        "aws-fleet:tags": '{"cost-center":"4711","team":"ml"}',
        "aws:region": "eu-north-1",
    }
    assert preview["diagnostics"] == [
        {"severity": "warning", "message": "p5.48xlarge capacity is scarce in us-west-2"},
        {"severity": "warning", "message": "FutureWarning: tags will be required"},
    ]
    ciphertext = (PROGRAMS / "aws_fleet" / "Pulumi.dev.yaml").read_text().split("secure: ")[1].strip()
    assert ciphertext.startswith("v1:")
    text = json.dumps(preview)
    assert ciphertext not in text and "CIPHERTEXT" not in text
    assert "CIPHERTEXT" not in repr(run)
    assert "4dabf18193072939515e22adb298388d" not in text  # no secret left unblinded


def test_the_document_is_json(preview: dict) -> None:
    assert json.loads(json.dumps(preview)) == preview
