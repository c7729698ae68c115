"""The GitHub workflows: their structure, and their `run:` steps executed as a runner would.

A small runner stands in for GitHub Actions: it evaluates the `${{ }}` expressions the workflows use,
emulates `actions/checkout` (base and head trees), `setup-python` and `upload-artifact`, and runs every
`run:` step with bash, in order, with the runner's environment variables and a local fake of the
GitHub API. Only `pip install` is skipped: the test environment already has gpufleet installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from github_fake import FakeGitHub

from gpufleet.cli import COMMANDS
from gpufleet.report.ci import build_parser
from gpufleet.report.markdown import MARKER

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
PROGRAMS = Path(__file__).parent / "programs"
INSTALL = 'python -m pip install "$GPUFLEET_PACKAGE"'


def load_workflow(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


# --- expressions --------------------------------------------------------------------------------

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The subset of GitHub's expression language the workflows use: `a.b.c`, 'literal', `x || y`,
    `x == 'v'`, `x != 'v'`, `&&`, `always()`."""
    expression = expression.strip()
    if " && " in expression:
        return all(evaluate(part, context) for part in expression.split(" && "))
    if " || " in expression:
        for part in expression.split(" || "):
            if value := evaluate(part, context):
                return value
        return ""
    for op in (" == ", " != "):
        if op in expression:
            left, right = (evaluate(p, context) for p in expression.split(op))
            return (left == right) == (op == " == ")
    if expression == "always()":
        return True
    if expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    assert re.fullmatch(r"[A-Za-z_][\w.-]*", expression), f"expression not understood: {expression!r}"
    value: Any = context
    for part in expression.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def substitute(text: Any, context: dict[str, Any]) -> Any:
    if not isinstance(text, str):
        return text
    return _EXPR.sub(lambda m: str(evaluate(m[1], context)), text)


# --- a runner -----------------------------------------------------------------------------------

@dataclass
class JobRun:
    ran: list[str] = field(default_factory=list)  # names of the steps that ran
    failed: list[tuple[str, int, str]] = field(default_factory=list)  # (step, exit code, output)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> outputs

    @property
    def result(self) -> str:
        return "failure" if self.failed else "success"


def run_job(workflow: dict[str, Any], job_name: str, context: dict[str, Any], workspace: Path,
            trees: dict[str, Path], runner_env: dict[str, str], artifacts: Path | None = None) -> JobRun:
    """One job on a fresh runner (`workspace`); artifacts pass between jobs through `artifacts`."""
    job = workflow["jobs"][job_name]
    run = JobRun()
    workspace.mkdir(parents=True, exist_ok=True)
    artifacts = artifacts or workspace.parent / "artifacts"
    context = {**context, "env": {}, "steps": run.outputs, "job": {"status": "success"}}
    for key, value in {**workflow.get("env", {}), **job.get("env", {})}.items():
        context["env"][key] = substitute(value, context)
    for i, step in enumerate(job["steps"]):
        name = step.get("name") or step.get("uses") or f"step {i}"
        condition = step.get("if")
        if condition is None:
            if run.failed:
                continue
        elif not evaluate(condition.removeprefix("${{").removesuffix("}}"), context):
            continue
        with_ = {k: substitute(v, context) for k, v in (step.get("with") or {}).items()}
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            target = workspace / with_.get("path", ".")
            shutil.copytree(trees[with_.get("ref", "default")], target, dirs_exist_ok=True)
        elif uses.startswith("actions/setup-python@"):
            assert with_["python-version"] == "3.11"
        elif uses.startswith("actions/upload-artifact@"):
            # as upload-artifact stores them: a folder's contents, or files, at the artifact's root
            for path in with_["path"].split():
                source = workspace / path
                if not source.exists():
                    assert with_.get("if-no-files-found") == "ignore", f"{name}: {path} missing"
                elif source.is_dir():
                    shutil.copytree(source, artifacts / with_["name"], dirs_exist_ok=True)
                else:
                    (artifacts / with_["name"]).mkdir(parents=True, exist_ok=True)
                    shutil.copy(source, artifacts / with_["name"] / source.name)
        elif uses.startswith("actions/download-artifact@"):
            shutil.copytree(artifacts / with_["name"], workspace / with_.get("path", "."), dirs_exist_ok=True)
        elif uses:
            raise AssertionError(f"the test runner does not emulate {uses}")
        elif step["run"].strip() == INSTALL:
            pass  # the test environment has gpufleet installed
        else:
            outputs_file = workspace.parent / f"output-{job_name}-{i}"
            outputs_file.write_text("")
            env = {**runner_env, **context["env"], **{k: str(substitute(v, context)) for k, v in (step.get("env") or {}).items()},
                   "GITHUB_OUTPUT": str(outputs_file)}
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", substitute(step["run"], context)],
                                  cwd=workspace, env=env, capture_output=True, text=True, timeout=900)
            if step.get("id"):
                run.outputs[step["id"]] = {"outputs": dict(line.split("=", 1) for line in outputs_file.read_text().splitlines())}
            if done.returncode != 0:
                run.failed.append((name, done.returncode, done.stdout + done.stderr))
                context["job"]["status"] = "failure"
        run.ran.append(name)
    return run


def run_workflow(workflow: dict[str, Any], context: dict[str, Any], root: Path, trees: dict[str, Path],
                 github: FakeGitHub | None = None) -> dict[str, JobRun]:
    """Every job, in the order of `needs`, each on its own runner; a job whose needs failed is skipped."""
    runs: dict[str, JobRun] = {}
    for name, job in workflow["jobs"].items():
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        if any(runs[n].failed for n in needs):
            continue
        outputs = {n: {"outputs": {k: substitute(v, {"steps": runs[n].outputs}) for k, v in
                                   (workflow["jobs"][n].get("outputs") or {}).items()}} for n in needs}
        workspace = root / name / "ws"
        runs[name] = run_job(workflow, name, {**context, "needs": outputs}, workspace, trees,
                             _runner_env(workspace, github), artifacts=root / "artifacts")
    return runs


def _runner_env(workspace: Path, github: FakeGitHub | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PULUMI_", "AWS_", "AZURE_"))}
    env.update({"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace), "GITHUB_REPOSITORY": "research/fleet",
                "GITHUB_STEP_SUMMARY": str(workspace.parent / "step-summary.md"),
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
    if github is not None:
        env["GITHUB_API_URL"] = github.url
    return env


# --- structure ----------------------------------------------------------------------------------

def _commands(run: str) -> list[list[str]]:
    return [shlex.split(line) for line in run.replace("\\\n", " ").splitlines() if line.strip()]


def _is_ci_command(name: str) -> bool:
    try:
        build_parser().parse_args([name, "--help"])
    except SystemExit as e:
        return e.code == 0
    return False


@pytest.mark.parametrize("name", ["gpufleet-pr.yml", "gpufleet-deploy.yml"])
def test_every_run_step_calls_something_that_exists(name, capsys):
    for step in _steps(load_workflow(name)):
        for words in _commands(step.get("run", "")):
            if words[:3] == ["python", "-m", "pip"]:
                assert step["run"].strip() == INSTALL
            elif words[:2] == ["python", "-m"]:
                spec = importlib.util.find_spec(words[2])
                assert spec is not None and Path(spec.origin).is_relative_to(REPO), words
                if words[2] == "gpufleet.report.ci":
                    assert _is_ci_command(words[3]), words
            elif words[0] == "gpufleet":
                assert words[1] in COMMANDS, words
            elif words[0] == "make":
                # the virtualenv the Pulumi CLI needs (deploy workflow); `make test` runs it in CI
                assert words == ["make", "setup"] and re.search(r"^setup:", (REPO / "Makefile").read_text(), re.M)
            else:
                raise AssertionError(f"{name}: unexpected command {words}")


SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
# No commit of these tags could be found from here (docs/security.md, "Pinned actions").
NOT_YET_PINNED = {"pulumi/actions@v6", "google-github-actions/auth@v2"}
# A `uses:` line as written: the action, its ref and the comment after it (lost when the YAML is parsed).
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*))?$")
# A row of docs/security.md's pin table: | `action` | tag | `commit` | ... |
PIN_ROW = re.compile(r"^\| `(?P<action>[\w.-]+/[\w.-]+)` \| (?P<tag>v[\d.]+) \| (?:`(?P<commit>[0-9a-f]{40})`|not pinned) \|",
                     re.M)


def test_every_action_is_pinned_by_commit_with_its_version_in_a_comment_as_the_security_doc_lists():
    pins: dict[str, set[tuple[str, str]]] = {}
    for name in ("gpufleet-pr.yml", "gpufleet-deploy.yml"):
        text = (WORKFLOWS / name).read_text()
        lines = [m for line in text.splitlines() if (m := USES_LINE.match(line))]
        assert len(lines) == len(_uses(load_workflow(name))), name  # every `uses:` read
        for m in lines:
            if f"{m['action']}@{m['ref']}" in NOT_YET_PINNED:
                assert m["comment"] == "not SHA-pinned: see docs/security.md", m.group(0)
                pins.setdefault(m["action"], set()).add((m["ref"], "not pinned"))
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", m["ref"]), (name, m.group(0))
            assert re.fullmatch(r"v\d+\.\d+\.\d+", m["comment"] or ""), (name, m.group(0))
            pins.setdefault(m["action"], set()).add((m["comment"], m["ref"]))
    assert all(len(refs) == 1 for refs in pins.values()), pins  # one commit per action across the workflows
    documented = {m["action"]: {(m["tag"], m["commit"] or "not pinned")}
                  for m in PIN_ROW.finditer((REPO / "docs" / "security.md").read_text())}
    assert documented == pins


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in _steps(workflow) if "uses" in step]


@pytest.mark.parametrize("name", ["gpufleet-pr.yml", "gpufleet-deploy.yml"])
def test_actions_pinned_jobs_bounded_no_credentials_left_behind(name):
    wf = load_workflow(name)
    assert sorted(u for u in _uses(wf) if not SHA_PINNED.match(u)) == sorted(
        u for u in _uses(wf) if u in NOT_YET_PINNED)
    assert wf["permissions"] == {}  # every job asks for its own
    assert all(isinstance(job.get("timeout-minutes"), int) for job in wf["jobs"].values())
    assert "pull_request_target" not in wf["on"]
    checkouts = [s for s in _steps(wf) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_the_pull_request_workflow():
    wf = load_workflow("gpufleet-pr.yml")
    assert wf["on"] == {"pull_request": {"types": ["opened", "synchronize", "reopened"]}}
    assert wf["env"]["GPUFLEET_PACKAGE"] == "${{ vars.GPUFLEET_PACKAGE || './base' }}"  # the base's gpufleet
    preview, report = wf["jobs"]["preview"], wf["jobs"]["report"]
    # the job that runs the head's code holds nothing that can write, and no secrets
    assert preview["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(preview)
    assert [s.get("uses", "run").split("@")[0] for s in preview["steps"]] == [
        "actions/checkout", "actions/checkout", "actions/setup-python", "run", "run", "run", "actions/upload-artifact"]
    assert [(s["with"]["ref"], s["with"]["path"]) for s in preview["steps"][:2]] == [
        ("${{ github.event.pull_request.base.sha }}", "base"), ("${{ github.event.pull_request.head.sha }}", "head")]
    previews = [s["run"] for s in preview["steps"] if "gpufleet.report.ci preview" in s.get("run", "")]
    assert len(previews) == 2 and all('--policy-pack "base/$GPUFLEET_POLICIES"' in r for r in previews)
    # the job that may comment runs no code from the head: it checks out the base only and reads plans
    assert (report["needs"], report["permissions"]) == ("preview", {"contents": "read", "pull-requests": "write"})
    refs = [s["with"].get("ref") for s in report["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert refs == ["${{ github.event.pull_request.base.sha }}"]
    assert not any("head" in (s.get("with") or {}).get("path", "") for s in report["steps"])


def test_the_deploy_workflow():
    wf = load_workflow("gpufleet-deploy.yml")
    assert wf["on"] == {"pull_request": None, "push": {"branches": ["main"]}}
    jobs = wf["jobs"]
    assert list(jobs) == ["gate", "preview", "up"]
    assert jobs["gate"]["outputs"] == {"enabled": "${{ steps.gate.outputs.enabled }}",
                                       "stacks": "${{ steps.gate.outputs.stacks }}"}
    assert (jobs["preview"]["needs"], jobs["preview"]["if"]) == ("gate", "needs.gate.outputs.enabled == 'true'")
    assert jobs["preview"]["strategy"]["matrix"] == {"stack": "${{ fromJSON(needs.gate.outputs.stacks) }}"}
    assert jobs["up"]["needs"] == ["gate", "preview"]
    assert jobs["up"]["if"] == ("github.event_name == 'push' && github.ref == 'refs/heads/main' && "
                                "needs.gate.outputs.enabled == 'true'")
    # two identities: the read-only one of the `preview` environment, the deploy one of each stack's
    # environment (required reviewers, main only), reachable only from a push to main
    assert [(j, jobs[j]["environment"]) for j in jobs] == [
        ("gate", "preview"), ("preview", "preview"), ("up", "${{ matrix.stack }}")]
    assert (jobs["up"]["environment"], jobs["up"]["strategy"]["max-parallel"]) == ("${{ matrix.stack }}", 1)
    assert [jobs[j]["permissions"] for j in jobs] == [
        {"contents": "read"}, {"contents": "read", "id-token": "write"}, {"contents": "read", "id-token": "write"}]
    # judged by the reviewed code: the base of a pull request, or the pushed commit of main
    assert wf["env"]["TRUSTED_REF"] == "${{ github.event.pull_request.base.sha || github.sha }}"
    trusted = [s["with"] for j in ("gate", "preview") for s in jobs[j]["steps"]
               if s.get("uses", "").startswith("actions/checkout@") and "ref" in s.get("with", {})]
    assert trusted == [{"ref": "${{ env.TRUSTED_REF }}", "path": "trusted", "persist-credentials": False}] * 2

    def step(job: str, action: str) -> dict[str, Any]:
        [found] = [s for s in jobs[job]["steps"] if s.get("uses", "").startswith(action + "@")]
        return found

    reviewed = {"policyPacks": "${{ github.workspace }}/trusted/${{ env.GPUFLEET_POLICIES }}",
                "policyPackConfigs": "${{ github.workspace }}/trusted/${{ env.GPUFLEET_POLICIES }}/${{ matrix.stack }}.json"}
    merged = {"policyPacks": "${{ github.workspace }}/${{ env.GPUFLEET_POLICIES }}",
              "policyPackConfigs": "${{ github.workspace }}/${{ env.GPUFLEET_POLICIES }}/${{ matrix.stack }}.json"}
    plan = "${{ runner.temp }}/plan-${{ matrix.stack }}.json"
    assert step("preview", "pulumi/actions")["with"] == {
        "command": "preview", "stack-name": "${{ matrix.stack }}", "work-dir": "${{ env.GPUFLEET_PROGRAM }}",
        **reviewed, "plan": plan, "comment-on-summary": True}
    assert step("up", "pulumi/actions")["with"] == {
        "command": "up", "stack-name": "${{ matrix.stack }}", "work-dir": "${{ env.GPUFLEET_PROGRAM }}", **merged,
        "plan": plan}
    upload, download = step("preview", "actions/upload-artifact"), step("up", "actions/download-artifact")
    assert (upload["with"]["name"], upload["with"]["path"]) == ("pulumi-plan-${{ matrix.stack }}", plan)
    assert (download["with"]["name"], download["with"]["path"]) == ("pulumi-plan-${{ matrix.stack }}", "${{ runner.temp }}")
    for job in ("preview", "up"):
        credentials = {s["uses"].split("@")[0]: s["if"] for s in jobs[job]["steps"] if "if" in s}
        assert credentials == {"aws-actions/configure-aws-credentials": "env.AWS_ROLE_TO_ASSUME != ''",
                               "azure/login": "env.AZURE_CLIENT_ID != ''",
                               "google-github-actions/auth": "env.GCP_WORKLOAD_IDENTITY_PROVIDER != ''"}
        # GCP by workload identity federation only: the action's inputs for it, no key
        assert step(job, "google-github-actions/auth")["with"] == {
            "workload_identity_provider": "${{ env.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
            "service_account": "${{ env.GCP_SERVICE_ACCOUNT }}"}


OIDC_ACTIONS = ("aws-actions/configure-aws-credentials", "azure/login", "google-github-actions/auth")
# What each job of the deploy workflow may read: OIDC identities and the Pulumi token, never a long-lived
# cloud key (a same-repository pull request's program runs in `preview`; docs/security.md).
IDENTITY = {"PULUMI_ACCESS_TOKEN", "AWS_ROLE_TO_ASSUME", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID",
            "GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT"}


def test_the_deploy_workflow_reads_oidc_identities_only_and_asks_for_id_tokens_only_where_it_uses_them():
    text = (WORKFLOWS / "gpufleet-deploy.yml").read_text()
    jobs = load_workflow("gpufleet-deploy.yml")["jobs"]
    for name, job in jobs.items():
        read = set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job)))
        assert read == IDENTITY, name
        oidc = [s["uses"].split("@")[0] for s in job["steps"] if s.get("uses", "").startswith(OIDC_ACTIONS)]
        assert ("id-token" in job["permissions"]) == bool(oidc), name
        assert oidc in ([], list(OIDC_ACTIONS)), name
    assert [n for n, j in jobs.items() if "id-token" in j["permissions"]] == ["preview", "up"]
    for key in ("GOOGLE_CREDENTIALS", "credentials_json", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "client-secret",
                "creds:"):
        assert key not in text, key
    assert not any("id-token" in j["permissions"] for j in load_workflow("gpufleet-pr.yml")["jobs"].values())


# --- the workflows, run -------------------------------------------------------------------------

def _trees(tmp_path: Path, head_dev_nodes: str) -> dict[str, Path]:
    """Two commits of a repository holding the gpu-team program and its policy pack."""
    trees = {}
    for sha, nodes in (("base-sha", "2"), ("head-sha", head_dev_nodes)):
        root = tmp_path / "git" / sha
        shutil.copytree(PROGRAMS / "gpu-team", root / "gpu-team")
        shutil.copytree(PROGRAMS / "policies", root / "policies")
        dev = root / "gpu-team" / "stacks" / "Pulumi.dev.yaml"
        dev.write_text(dev.read_text().replace('nodes: "2"', f'nodes: "{nodes}"'))
        trees[sha] = root
    trees["default"] = trees["head-sha"]
    return trees


PR_CONTEXT = {
    "github": {"event_name": "pull_request",
               "event": {"pull_request": {"number": 7, "base": {"sha": "base-sha"}, "head": {"sha": "head-sha"}}}},
    "vars": {"GPUFLEET_PROGRAM": "gpu-team"},
    "secrets": {"GITHUB_TOKEN": "t0ken"},
}


def _step_names(wf: dict[str, Any], job: str, skipped: tuple[str, ...] = ()) -> list[str]:
    return [s["name"] for s in wf["jobs"][job]["steps"] if s["name"] not in skipped]


def test_the_pull_request_workflow_comments_the_report_once_and_fails_on_a_mandatory_violation(tmp_path):
    wf = load_workflow("gpufleet-pr.yml")
    trees = _trees(tmp_path, head_dev_nodes="3")  # dev: 2 -> 3 p5.48xlarge nodes, over dev's limit of 2
    with FakeGitHub() as github:
        first = run_workflow(wf, PR_CONTEXT, tmp_path / "run1", trees, github)
        second = run_workflow(wf, PR_CONTEXT, tmp_path / "run2", trees, github)
    for runs in (first, second):
        assert (runs["preview"].ran, runs["preview"].failed) == (_step_names(wf, "preview"), [])
        report = runs["report"]
        assert report.ran == _step_names(wf, "report", skipped=("Write the report of a head that failed",))
        assert [(name, code) for name, code, _ in report.failed] == [
            ("Fail on mandatory policy violations or a head that failed", 1)]
        assert "::error::dev: aws-eks-node-group-max-nodes (train): 3 nodes; this environment allows 2" in report.failed[0][2]
    [comment] = github.comments[7]
    body = comment["body"]
    assert body == (tmp_path / "run2" / "report" / "ws" / "report.md").read_text()
    assert body.startswith(MARKER)
    assert body.splitlines()[3] == ("**❌ 1 mandatory policy violation** · **+40,179.20 USD/month** (+16.7 %) · "
                                    "**+0.767 tCO2e/month** · **+8 GPUs, max unchanged**")
    # the changed stack expanded, the unchanged one on one line
    assert "### `dev`: 24–128 GPUs (+8, max unchanged) · 120,537.60 USD/month (partial; +40,179.20)" in body
    assert "### `prod`" not in body
    assert "- `prod`: 32–128 GPUs · 160,716.80 USD/month · 10.423 tCO2e/month · ✅ no violations\n" in body
    assert "| ❌ mandatory | `aws-eks-node-group-max-nodes` | `train` | 3 nodes; this environment allows 2 |" in body
    assert [m for m, _, _ in github.requests] == ["GET", "POST", "GET", "PATCH"]


def test_the_pull_request_workflow_passes_without_mandatory_violations(tmp_path):
    wf = load_workflow("gpufleet-pr.yml")
    with FakeGitHub() as github:
        runs = run_workflow(wf, PR_CONTEXT, tmp_path, _trees(tmp_path, head_dev_nodes="1"), github)
    assert [(job, run.result, run.failed) for job, run in runs.items()] == [
        ("preview", "success", []), ("report", "success", [])]
    assert "### `dev`: 8–128 GPUs (-8, max unchanged) · 40,179.20 USD/month (partial; -40,179.20)" in github.comments[7][0]["body"]


def test_a_head_that_cannot_be_previewed_is_still_reported_and_fails_the_run(tmp_path):
    wf = load_workflow("gpufleet-pr.yml")
    with FakeGitHub() as github:
        runs = run_workflow(wf, PR_CONTEXT, tmp_path, _trees(tmp_path, head_dev_nodes="many"), github)
    assert runs["preview"].failed == []  # the failure is kept for the report, not lost with the job
    report = runs["report"]
    assert report.ran == _step_names(wf, "report", skipped=("Write the report",))
    assert [(name, code) for name, code, _ in report.failed] == [
        ("Fail on mandatory policy violations or a head that failed", 3)]
    [comment] = github.comments[7]
    assert "**The head preview failed**" in comment["body"]
    assert "gpu-team:nodes" in comment["body"]


def test_a_pull_request_cannot_relax_the_policy_pack_it_is_judged_by(tmp_path):
    # the head raises dev's node limit to 3 in its own policy pack: the base's pack still judges it
    wf = load_workflow("gpufleet-pr.yml")
    trees = _trees(tmp_path, head_dev_nodes="3")
    dev = trees["head-sha"] / "policies" / "dev.json"
    dev.write_text(dev.read_text().replace('"maxNodes": 2', '"maxNodes": 3'))
    assert '"maxNodes": 3' in dev.read_text()
    with FakeGitHub() as github:
        runs = run_workflow(wf, PR_CONTEXT, tmp_path, trees, github)
    assert [(name, code) for name, code, _ in runs["report"].failed] == [
        ("Fail on mandatory policy violations or a head that failed", 1)]


@pytest.mark.parametrize(("secrets", "enabled", "stacks"), [
    ({}, "false", "[]"),
    ({"PULUMI_ACCESS_TOKEN": "pul-1", "AWS_ROLE_TO_ASSUME": "arn:aws:iam::1:role/deploy"}, "true", '["dev", "prod"]'),
])
def test_the_deploy_gate_runs_and_decides(tmp_path, secrets, enabled, stacks):
    wf = load_workflow("gpufleet-deploy.yml")
    trees = _trees(tmp_path, head_dev_nodes="2")
    context = {"github": {"event_name": "push", "ref": "refs/heads/main", "sha": "head-sha"}, "secrets": secrets,
               "vars": {"GPUFLEET_PROGRAM": "gpu-team"}}
    run = run_job(wf, "gate", context, tmp_path / "ws", trees, _runner_env(tmp_path / "ws"))
    assert run.failed == []
    assert run.ran == [s.get("name") or s["uses"] for s in wf["jobs"]["gate"]["steps"]]
    outputs = {k: substitute(v, {"steps": run.outputs}) for k, v in wf["jobs"]["gate"]["outputs"].items()}
    assert outputs == {"enabled": enabled, "stacks": stacks}
