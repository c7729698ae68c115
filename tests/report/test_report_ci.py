"""`python -m gpufleet.report.ci`: the commands the GitHub workflows run, run here as processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from github_fake import FakeGitHub

from gpufleet.report.markdown import MARKER

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
PROGRAMS = HERE / "programs"


def ci(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "PULUMI_", "AWS_", "AZURE_", "GCP_", "GOOGLE_", "PR_"))}
    return subprocess.run([sys.executable, "-m", "gpufleet.report.ci", *map(str, args)], capture_output=True,
                          text=True, env={**base, **(env or {})}, cwd=cwd, timeout=600)


def test_stacks_are_the_projects_stack_files():
    done = ci("stacks", "--program", PROGRAMS / "gpu-team")
    assert (done.returncode, done.stdout, done.stderr) == (0, '["dev", "prod"]\n', "")
    assert ci("stacks", "--program", PROGRAMS / "gpu-team", "--stacks", "prod").stdout == '["prod"]\n'


def test_stacks_of_a_folder_without_a_project_exit_2(tmp_path):
    done = ci("stacks", "--program", tmp_path)
    assert (done.returncode, done.stderr) == (2, f"invalid project: 1 problem(s)\n  - {tmp_path}: no Pulumi.yaml: not a Pulumi project\n")


# --- comment ------------------------------------------------------------------------------------

def _comment_env(github: FakeGitHub, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": "research/fleet", "GITHUB_TOKEN": "t0ken",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), **extra}


def test_comment_is_created_once_then_updated_in_place(tmp_path):
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text(f"{MARKER}\nfirst report\n")
    second.write_text(f"{MARKER}\nsecond report\n")
    with FakeGitHub() as github:
        github.comments[7] = [{"id": 1, "body": "LGTM"}, *({"id": 2 + i, "body": f"chatter {i}"} for i in range(120))]
        done = ci("comment", "--body", first, env=_comment_env(github, tmp_path, PR_NUMBER="7"))
        assert (done.returncode, done.stdout) == (0, "created comment 1001 on pull request #7\n")
        done = ci("comment", "--body", second, env=_comment_env(github, tmp_path, PR_NUMBER="7"))
        assert (done.returncode, done.stdout) == (0, "updated comment 1001 on pull request #7\n")
    ours = [c for c in github.comments[7] if MARKER in c["body"]]
    assert ours == [{"id": 1001, "body": f"{MARKER}\nsecond report\n",
                     "user": {"login": "github-actions[bot]", "type": "Bot"}}]
    assert len(github.comments[7]) == 122
    assert [(m, p.split("?")[0]) for m, p, _ in github.requests] == [
        ("GET", "/repos/research/fleet/issues/7/comments"), ("GET", "/repos/research/fleet/issues/7/comments"),
        ("POST", "/repos/research/fleet/issues/7/comments"),
        ("GET", "/repos/research/fleet/issues/7/comments"), ("GET", "/repos/research/fleet/issues/7/comments"),
        ("PATCH", "/repos/research/fleet/issues/comments/1001"),
    ]
    assert {auth for _, _, auth in github.requests} == {"Bearer t0ken"}
    assert (tmp_path / "summary.md").read_text() == f"{MARKER}\nfirst report\n{MARKER}\nsecond report\n"


def test_comment_is_never_one_someone_else_wrote_with_the_marker(tmp_path):
    """A pull request's author can post a comment that starts with the marker (found by review14c): gpufleet
    wrote its report over it (under that author's name), or, refused, lost the report."""
    (tmp_path / "r.md").write_text(f"{MARKER}\nreport\n")
    forged = {"id": 5, "body": f"{MARKER}\n**All policies pass**, approve", "user": {"login": "mallory", "type": "User"}}
    quoted = {"id": 6, "body": f"as the bot said:\n{MARKER}", "user": {"login": "some-bot[bot]", "type": "Bot"}}
    with FakeGitHub() as github:
        github.comments[7] = [dict(forged), dict(quoted)]
        first = ci("comment", "--body", tmp_path / "r.md", env=_comment_env(github, tmp_path, PR_NUMBER="7"))
        second = ci("comment", "--body", tmp_path / "r.md", env=_comment_env(github, tmp_path, PR_NUMBER="7"))
    assert (first.stdout, second.stdout) == ("created comment 1001 on pull request #7\n",
                                             "updated comment 1001 on pull request #7\n")
    assert github.comments[7][:2] == [forged, quoted]
    assert [(m, p.split("?")[0]) for m, p, _ in github.requests if m != "GET"] == [
        ("POST", "/repos/research/fleet/issues/7/comments"), ("PATCH", "/repos/research/fleet/issues/comments/1001")]


def test_comment_reads_the_pull_request_number_from_the_event(tmp_path):
    (tmp_path / "event.json").write_text(json.dumps({"pull_request": {"number": 42}}))
    (tmp_path / "r.md").write_text(MARKER)
    with FakeGitHub() as github:
        done = ci("comment", "--body", tmp_path / "r.md", env=_comment_env(github, tmp_path, GITHUB_EVENT_PATH=str(tmp_path / "event.json")))
    assert (done.returncode, done.stdout) == (0, "created comment 1001 on pull request #42\n")


def test_comment_without_permission_warns_and_leaves_the_report_in_the_job_summary(tmp_path):
    (tmp_path / "r.md").write_text(f"{MARKER}\nreport\n")
    with FakeGitHub(deny=403) as github:
        done = ci("comment", "--body", tmp_path / "r.md", env=_comment_env(github, tmp_path, PR_NUMBER="3", GITHUB_ACTIONS="true"))
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "::warning::cannot comment on pull request #3 (HTTP 403); the report is in the job summary\n"
    assert (tmp_path / "summary.md").read_text() == f"{MARKER}\nreport\n"


def test_comment_refuses_a_body_without_the_marker_and_missing_settings(tmp_path):
    (tmp_path / "r.md").write_text("hello")
    done = ci("comment", "--body", tmp_path / "r.md")
    assert (done.returncode, done.stderr) == (2, f"usage error: 1 problem(s)\n  - {tmp_path / 'r.md'}: has no {MARKER} marker: not a gpufleet report\n")
    (tmp_path / "r.md").write_text(MARKER)
    done = ci("comment", "--body", tmp_path / "r.md")
    assert (done.returncode, done.stderr) == (2, "usage error: 3 problem(s)\n"
                                                 "  - comment: pull request number (--pr, PR_NUMBER or the event) not set\n"
                                                 "  - comment: GITHUB_REPOSITORY not set\n"
                                                 "  - comment: GITHUB_TOKEN not set\n")


# --- check --------------------------------------------------------------------------------------

def test_check_fails_on_mandatory_violations_only(tmp_path):
    (tmp_path / "head").mkdir()
    shutil.copy(FIXTURES / "gpufleet-head.json", tmp_path / "head" / "prod.json")
    shutil.copy(FIXTURES / "cli-preview-p5x4.json", tmp_path / "head" / "dev.json")  # no policy results
    done = ci("check", tmp_path / "head", env={"GITHUB_ACTIONS": "true"})
    assert (done.returncode, done.stdout) == (1, "1 mandatory policy violation(s)\n")
    assert done.stderr == ("::error::prod: gpufleet-budget-monthly-usd (stack): stack costs 264,157.80 USD/month; "
                           "the monthly budget is 250,000.00 USD\n")
    done = ci("check", FIXTURES / "gpufleet-base.json")  # advisory only
    assert (done.returncode, done.stdout, done.stderr) == (0, "0 mandatory policy violation(s)\n", "")


# --- gate ---------------------------------------------------------------------------------------

SECRETS = {"PULUMI_ACCESS_TOKEN": "pul-123", "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_SUBSCRIPTION_ID": "s"}
UP_OFF = ("::notice::pulumi up is off: no GPUFLEET_STACKS (the stacks that may deploy, each with a GitHub environment of its name that has required reviewers); previews only\n")
NO_CLOUD = ("no cloud credentials (AWS_ROLE_TO_ASSUME, or AZURE_CLIENT_ID/TENANT_ID/SUBSCRIPTION_ID, "
            "or GCP_WORKLOAD_IDENTITY_PROVIDER/SERVICE_ACCOUNT)")


@pytest.mark.parametrize(("secrets", "notice"), [
    ({}, f"secret PULUMI_ACCESS_TOKEN is not set; {NO_CLOUD}"),
    ({"PULUMI_ACCESS_TOKEN": "pul-123", "AZURE_CLIENT_ID": "c"}, NO_CLOUD),
    ({"PULUMI_ACCESS_TOKEN": "pul-123", "GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/1/locations/global/"
      "workloadIdentityPools/github/providers/repo"}, NO_CLOUD),  # workload identity needs the service account too
    # long-lived keys do not count: a same-repository pull request's program could read them (docs/security.md)
    ({"PULUMI_ACCESS_TOKEN": "pul-123", "GOOGLE_CREDENTIALS": '{"type": "service_account"}'}, NO_CLOUD),
    ({"PULUMI_ACCESS_TOKEN": "pul-123", "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s"}, NO_CLOUD),
    ({"AWS_ROLE_TO_ASSUME": "arn:aws:iam::1:role/deploy"}, "secret PULUMI_ACCESS_TOKEN is not set"),
])
def test_gate_is_off_without_token_and_cloud_credentials(tmp_path, secrets, notice):
    out = tmp_path / "github_output"
    done = ci("gate", "--program", PROGRAMS / "gpu-team", "--policy-pack", PROGRAMS / "policies",
              env={**secrets, "GITHUB_OUTPUT": str(out), "GITHUB_ACTIONS": "true"})
    assert (done.returncode, done.stderr) == (0, f"::notice::deployment previews are off: {notice}\n")
    assert out.read_text() == "enabled=false\nstacks=[]\ndeploy_stacks=[]\nclouds=[]\n"


def test_gate_is_on_with_a_token_and_a_cloud_and_lists_the_stacks(tmp_path):
    out = tmp_path / "github_output"
    done = ci("gate", "--program", PROGRAMS / "gpu-team", "--policy-pack", PROGRAMS / "policies",
              env={**SECRETS, "AWS_ROLE_TO_ASSUME": "arn:aws:iam::1:role/deploy", "GITHUB_OUTPUT": str(out),
                   "GITHUB_ACTIONS": "true"})
    # previews of every stack; `pulumi up` of none: no explicit list of the stacks that may deploy
    assert (done.returncode, done.stderr) == (0, UP_OFF)
    assert out.read_text() == 'enabled=true\nstacks=["dev", "prod"]\ndeploy_stacks=[]\nclouds=["aws", "azure"]\n'


def test_gate_lets_only_an_explicit_list_of_stacks_deploy(tmp_path):
    out = tmp_path / "github_output"
    done = ci("gate", "--program", PROGRAMS / "gpu-team", "--stacks", "prod", "--policy-pack", PROGRAMS / "policies",
              env={**SECRETS, "GITHUB_OUTPUT": str(out), "GITHUB_ACTIONS": "true"})
    assert (done.returncode, done.stderr) == (0, "")
    assert out.read_text() == 'enabled=true\nstacks=["prod"]\ndeploy_stacks=["prod"]\nclouds=["azure"]\n'


def test_a_gcp_only_repository_gets_deployment_previews(tmp_path):
    out = tmp_path / "github_output"
    credentials = {
        "GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/1/locations/global/workloadIdentityPools/github/providers/gpufleet-preview",
        "GCP_SERVICE_ACCOUNT": "gpufleet-preview@ml-platform.iam.gserviceaccount.com"}
    done = ci("gate", "--program", PROGRAMS / "gpu-team", "--policy-pack", PROGRAMS / "policies",
              env={"PULUMI_ACCESS_TOKEN": "pul-123", **credentials, "GITHUB_OUTPUT": str(out)})
    assert (done.returncode, done.stderr.startswith("notice: pulumi up is off")) == (0, True)
    assert out.read_text() == 'enabled=true\nstacks=["dev", "prod"]\ndeploy_stacks=[]\nclouds=["gcp"]\n'


def test_gate_requires_each_stacks_policy_configuration(tmp_path):
    shutil.copytree(PROGRAMS / "policies", tmp_path / "policies")
    (tmp_path / "policies" / "prod.json").unlink()
    done = ci("gate", "--program", PROGRAMS / "gpu-team", "--stacks", "dev,prod,staging", "--policy-pack",
              tmp_path / "policies", env=SECRETS)
    assert done.returncode == 2
    assert done.stderr == (
        "deployment not configured: 2 problem(s)\n"
        f"  - {tmp_path / 'policies'}/prod.json: missing: each stack needs its policy configuration (enforcement levels for that environment)\n"
        f"  - {tmp_path / 'policies'}/staging.json: missing: each stack needs its policy configuration (enforcement levels for that environment)\n")


# --- preview (the successful path runs in test_report_workflows.py) ------------------------------

def test_preview_of_a_failing_stack_fails_the_head_and_is_left_out_of_the_base(tmp_path):
    shutil.copytree(PROGRAMS / "gpu-team", tmp_path / "gpu-team")
    (tmp_path / "gpu-team" / "stacks" / "Pulumi.broken.yaml").write_text("config:\n  gpu-team:region: us-west-2\n")
    shutil.copytree(PROGRAMS / "policies", tmp_path / "policies")
    (tmp_path / "policies" / "broken.json").write_text("{}")  # read before the program runs: it must exist
    args = ("preview", "--program", tmp_path / "gpu-team", "--stacks", "broken", "--out", tmp_path / "plans",
            "--policy-pack", tmp_path / "policies")
    head = ci(*args, env={"GITHUB_ACTIONS": "true"})
    assert head.returncode == 2  # the stack's configuration lacks a setting the program requires
    assert "Missing required configuration variable 'gpu-team:nodes'" in head.stderr
    assert head.stderr.endswith(f"::error::preview of stack broken in {tmp_path / 'gpu-team'} failed (exit 2)\n")
    base = ci(*args, "--allow-failure", env={"GITHUB_ACTIONS": "true"})
    assert base.returncode == 0
    assert base.stderr.endswith(f"::warning::preview of stack broken in {tmp_path / 'gpu-team'} failed (exit 2); "
                                "the report compares it with an empty stack\n")
    assert list((tmp_path / "plans").iterdir()) == []


def test_preview_of_a_base_without_the_project_writes_no_plans(tmp_path):
    done = ci("preview", "--program", tmp_path / "nothing", "--out", tmp_path / "plans", "--allow-failure")
    assert (done.returncode, done.stderr) == (
        0, f"warning: {tmp_path / 'nothing'}: no Pulumi project; no plans written (every stack counts as new)\n")
    assert list((tmp_path / "plans").iterdir()) == []


def test_stacks_listed_with_spaces_around_the_commas_are_the_same_stacks(tmp_path):
    # GPUFLEET_STACKS="dev, prod" (ci6): the names were " prod", whose policy file and stack file do not exist
    assert ci("stacks", "--program", PROGRAMS / "gpu-team", "--stacks", " dev , prod,, ").stdout == '["dev", "prod"]\n'
    out = tmp_path / "out"
    done = ci("gate", "--program", PROGRAMS / "gpu-team", "--stacks", "dev, prod", "--policy-pack", PROGRAMS / "policies",
              env={**SECRETS, "GITHUB_OUTPUT": str(out)})
    assert done.returncode == 0, done.stderr
    assert out.read_text().splitlines()[1:3] == ['stacks=["dev", "prod"]', 'deploy_stacks=["dev", "prod"]']
    # only commas and spaces: no list, as if unset (every stack previewed, none deployed)
    assert ci("stacks", "--program", PROGRAMS / "gpu-team", "--stacks", " , ").stdout == '["dev", "prod"]\n'


def test_stack_names_run_together_without_a_comma_are_a_usage_error():
    done = ci("stacks", "--program", PROGRAMS / "gpu-team", "--stacks", "dev prod,staging")
    assert (done.returncode, done.stdout, done.stderr) == (2, "", (
        "usage error: 1 problem(s)\n"
        "  - --stacks: separate stack names with commas (a stack name has no spaces) (got 'dev prod'); "
        "did you mean 'dev,prod'?\n"))
