"""The GitHub workflows: their structure, and their `run:` steps executed as a runner would.

A small runner stands in for GitHub Actions: it evaluates the `${{ }}` expressions the workflows use,
emulates `actions/checkout` (base and head trees), `setup-python`, `upload-artifact` and
`download-artifact`, records the inputs of the cloud login actions, and runs every
`run:` step with bash, in order, with the runner's environment variables and a local fake of the
GitHub API. Only `pip install` is skipped: the test environment already has gpufleet installed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tomllib
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
    logins: dict[str, dict[str, str]] = field(default_factory=dict)  # cloud login action -> its inputs

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
        elif uses.startswith(("aws-actions/configure-aws-credentials@", "azure/login@")):
            run.logins[uses.split("@")[0]] = with_  # what the login action is given; it is not run
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

_HEREDOC = re.compile(r"<<'(\w+)'\n.*?\n\1$", re.S | re.M)
_REDIRECTION = re.compile(r"\s\d?(?:>>|>&|>|<)\s*(?:\"[^\"]*\"|\S+)")


def _commands(run: str) -> list[list[str]]:
    """The simple commands of a script: heredoc bodies and redirections dropped, continuation lines
    joined (and lines a quoted string spans), split at pipes and lists, leading variable assignments left out."""
    commands, lines, pending = [], [], ""
    for line in _HEREDOC.sub("", run).replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending)
        except ValueError:  # a quoted string goes on to the next line
            continue
        lines, pending = [*lines, pending], ""
    assert not pending, pending
    for line in lines:
        lexer = shlex.shlex(_REDIRECTION.sub(" ", f" {line}"), posix=True, punctuation_chars="|&;{}")
        lexer.whitespace_split = True
        words: list[str] = []
        for word in [*lexer, ";"]:
            if word in ("|", "||", "&&", ";", "{", "}"):
                commands += [words] if words else []
                words = []
            elif words or not re.fullmatch(r"\w+=\S*", word):
                words.append(word)
    return commands


# What the deploy workflow's own steps call besides gpufleet: the shell, the tools of the runner image,
# and the Pulumi CLI (checked by the deploy tests below, which run these steps).
_SHELL_TOOLS = {"cd", "echo", "printf", "exit", "umask", "rm", "tee", "curl", "sha256sum", "tar", "pulumi"}


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
            elif step.get("name") == PACK_VENV:
                assert name == "gpufleet-deploy.yml" and words in PACK_VENV_COMMANDS, words
            elif words[:2] == ["python", "-m"]:
                spec = importlib.util.find_spec(words[2])
                assert spec is not None and Path(spec.origin).is_relative_to(REPO), words
                if words[2] == "gpufleet.report.ci":
                    assert _is_ci_command(words[3]), words
            elif words[0] == "gpufleet":
                assert words[1] in COMMANDS, words
            elif words[0] == "make":
                # the virtualenv the Pulumi CLI needs (deploy workflow), without the test tools
                assert words == ["make", "setup", "EXTRAS="] and re.search(r"^setup:", (REPO / "Makefile").read_text(), re.M)
            elif words[:2] in (["python", "-"], ["python", "-c"]):
                assert name == "gpufleet-deploy.yml", words  # the GCP credential file, the summary's escaping
            elif words[0] in _SHELL_TOOLS:
                assert name == "gpufleet-deploy.yml", words
                assert words[0] != "pulumi" or words[1] in ("preview", "up"), words
            else:
                raise AssertionError(f"{name}: unexpected command {words}")


SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
# The two actions whose tags could not be pinned by a verified commit; the deploy workflow does their work
# itself instead (docs/security.md, "Pinned actions").
REPLACED_ACTIONS = ("pulumi/actions", "google-github-actions/auth")
# A `uses:` line as written: the action, its ref and the comment after it (lost when the YAML is parsed).
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*))?$")
# A row of docs/security.md's pin table: | `action` | tag | `commit` | ... |
PIN_ROW = re.compile(r"^\| `(?P<action>[\w.-]+/[\w.-]+)` \| (?P<tag>v[\d.]+) \| `(?P<commit>[0-9a-f]{40})` \|", re.M)


def test_every_action_is_pinned_by_commit_with_its_version_in_a_comment_as_the_security_doc_lists():
    pins: dict[str, set[tuple[str, str]]] = {}
    for name in ("gpufleet-pr.yml", "gpufleet-deploy.yml"):
        text = (WORKFLOWS / name).read_text()
        lines = [m for line in text.splitlines() if (m := USES_LINE.match(line))]
        assert len(lines) == len(_uses(load_workflow(name))), name  # every `uses:` read
        for m in lines:
            assert re.fullmatch(r"[0-9a-f]{40}", m["ref"]), (name, m.group(0))
            assert re.fullmatch(r"v\d+\.\d+\.\d+", m["comment"] or ""), (name, m.group(0))
            pins.setdefault(m["action"], set()).add((m["comment"], m["ref"]))
    assert all(len(refs) == 1 for refs in pins.values()), pins  # one commit per action across the workflows
    documented = {m["action"]: {(m["tag"], m["commit"])} for m in PIN_ROW.finditer((REPO / "docs" / "security.md").read_text())}
    assert documented == pins
    assert not set(pins) & set(REPLACED_ACTIONS)


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in _steps(workflow) if "uses" in step]


@pytest.mark.parametrize("name", ["gpufleet-pr.yml", "gpufleet-deploy.yml"])
def test_actions_pinned_jobs_bounded_no_credentials_left_behind(name):
    wf = load_workflow(name)
    assert [u for u in _uses(wf) if not SHA_PINNED.match(u)] == []
    assert [u for u in _uses(wf) if u.startswith(REPLACED_ACTIONS)] == []
    assert wf["permissions"] == {}  # every job asks for its own
    assert all(isinstance(job.get("timeout-minutes"), int) for job in wf["jobs"].values())
    assert "pull_request_target" not in wf["on"]
    checkouts = [s for s in _steps(wf) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_no_pull_request_code_runs_with_a_pulumi_token_or_a_cloud_identity():
    # every workflow a pull request starts: no environment, no secret but the job's own token, no OIDC token
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        wf = load_workflow(path.name)
        triggers = set(wf["on"]) if isinstance(wf["on"], dict) else {wf["on"]}
        if path.name == "gpufleet-deploy.yml":
            assert wf["on"] == {"push": {"branches": ["main"]}}
            continue
        assert triggers == {"pull_request"}, path.name
        for name, job in wf["jobs"].items():
            assert "environment" not in job, (path.name, name)
            assert set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job))) <= {"GITHUB_TOKEN"}, (path.name, name)
            assert "id-token" not in (job.get("permissions") or {}), (path.name, name)
    assert sorted(p.name for p in WORKFLOWS.glob("*.y*ml")) == ["gpufleet-deploy.yml", "gpufleet-pr.yml"]


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


# The Pulumi CLI release the deploy workflow installs and the SHA-256 of its linux-x64 archive: nixpkgs'
# pkgs/by-name/pu/pulumi-bin/data.nix at 0501eb325e7384fc5a54bf8df23814ecf4d50096, its nix-base32 hash
# 1bdrblxcyai88a52qw2zq998ar0yl3fk83l7b7w98gqmnj8nywzy converted (docs/security.md, "Pinned actions").
PULUMI_VERSION = "3.221.0"
PACK_VENV = "Virtualenv of the reviewed policy pack"
PACK_VENV_COMMANDS = [["cd", "trusted/$GPUFLEET_POLICIES"], ["python", "-m", "venv", "../.venv"],
                      ["../.venv/bin/python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"]]
PULUMI_SHA256 = "fe736f91b4153f94f859870e34dda01e648552c25f702c8a42282acf3a5db9ad"
INSTALL_PULUMI = "Pulumi CLI (the fixed release, checked against its SHA-256 before use)"
REMOVE_GCP_CREDENTIALS = "Remove the GCP credential configuration"
IDENTITIES = "Which cloud identities this environment holds"


def _step_index(job: dict[str, Any], name: str) -> int:
    [index] = [i for i, s in enumerate(job["steps"]) if s.get("name") == name]
    return index


def _gcp_step(job: dict[str, Any]) -> dict[str, Any]:
    [found] = [s for s in job["steps"] if s.get("name", "").startswith("GCP credentials")]
    return found


def _gcp_step_index(job: dict[str, Any]) -> int:
    return _step_index(job, _gcp_step(job)["name"])


def test_the_deploy_workflow():
    wf = load_workflow("gpufleet-deploy.yml")
    assert wf["on"] == {"push": {"branches": ["main"]}}  # never a pull request's code with these secrets
    jobs = wf["jobs"]
    assert list(jobs) == ["gate", "preview", "up"]
    assert jobs["gate"]["outputs"] == {"enabled": "${{ steps.gate.outputs.enabled }}",
                                       "stacks": "${{ steps.gate.outputs.stacks }}",
                                       "deploy_stacks": "${{ steps.gate.outputs.deploy_stacks }}"}
    assert (jobs["preview"]["needs"], jobs["preview"]["if"]) == ("gate", "needs.gate.outputs.enabled == 'true'")
    assert jobs["preview"]["strategy"]["matrix"] == {"stack": "${{ fromJSON(needs.gate.outputs.stacks) }}"}
    assert jobs["up"]["needs"] == ["gate", "preview"]
    assert jobs["up"]["if"] == ("github.event_name == 'push' && github.ref == 'refs/heads/main' && "
                                "needs.gate.outputs.enabled == 'true' && needs.gate.outputs.deploy_stacks != '[]'")
    # `up` only for the explicit list (GPUFLEET_STACKS), never for every Pulumi.<stack>.yaml found
    assert jobs["up"]["strategy"]["matrix"] == {"stack": "${{ fromJSON(needs.gate.outputs.deploy_stacks) }}"}
    # two identities: the read-only one of the `preview` environment, the deploy one of each stack's
    # environment (required reviewers, main only), reachable only from a push to main
    assert [(j, jobs[j]["environment"]) for j in jobs] == [
        ("gate", "preview"), ("preview", "preview"), ("up", "${{ matrix.stack }}")]
    assert (jobs["up"]["environment"], jobs["up"]["strategy"]["max-parallel"]) == ("${{ matrix.stack }}", 1)
    assert [jobs[j]["permissions"] for j in jobs] == [
        {"contents": "read"}, {"contents": "read", "id-token": "write"}, {"contents": "read", "id-token": "write"}]
    # judged by the reviewed code: the pushed commit of main
    assert wf["env"]["TRUSTED_REF"] == "${{ github.sha }}"
    trusted = [s["with"] for j in ("gate", "preview") for s in jobs[j]["steps"]
               if s.get("uses", "").startswith("actions/checkout@") and "ref" in s.get("with", {})]
    assert trusted == [{"ref": "${{ env.TRUSTED_REF }}", "path": "trusted", "persist-credentials": False}] * 2

    def step(job: str, action: str) -> dict[str, Any]:
        [found] = [s for s in jobs[job]["steps"] if s.get("uses", "").startswith(action + "@")]
        return found

    plan = "${{ runner.temp }}/plan-${{ matrix.stack }}.json"
    upload, download = step("preview", "actions/upload-artifact"), step("up", "actions/download-artifact")
    assert (upload["with"]["name"], upload["with"]["path"]) == ("pulumi-plan-${{ matrix.stack }}", plan)
    assert (download["with"]["name"], download["with"]["path"]) == ("pulumi-plan-${{ matrix.stack }}", "${{ runner.temp }}")
    # every install first (the virtualenvs, the Pulumi CLI checked in a step of its own), then the cloud
    # identities, then the one step that runs `pulumi`; the GCP credential file is removed last, whatever
    # happened before
    assert [s.get("name") or s["uses"].split("@")[0] for s in jobs["preview"]["steps"]] == [
        "actions/checkout", "The policy pack of the reviewed code", "actions/setup-python",
        PACK_VENV, "Virtualenv of the program", INSTALL_PULUMI, IDENTITIES, "AWS credentials (read-only preview role)",
        "Azure credentials (Reader)", "GCP credentials (the read-only preview service account, workload identity federation)",
        "pulumi preview with the reviewed policy pack, saving the plan", "Keep the plan for the deployment",
        REMOVE_GCP_CREDENTIALS]
    assert [s.get("name") or s["uses"].split("@")[0] for s in jobs["up"]["steps"]] == [
        "actions/checkout", "actions/setup-python", "Virtualenv of the program and the policy pack",
        "The plan the preview saved", INSTALL_PULUMI, IDENTITIES, "AWS credentials (the stack's deploy role)",
        "Azure credentials (the stack's deploy identity)",
        "GCP credentials (the stack's deploy service account, workload identity federation)",
        "pulumi up, exactly the saved plan", REMOVE_GCP_CREDENTIALS]
    for job in ("preview", "up"):
        pulumi = [i for i, s in enumerate(jobs[job]["steps"]) for c in _commands(s.get("run", "")) if c[0] == "pulumi"]
        assert pulumi == [_gcp_step_index(jobs[job]) + 1], job
        conditions = {s.get("name") or s["uses"].split("@")[0]: s["if"] for s in jobs[job]["steps"] if "if" in s}
        assert conditions == {"AWS credentials (read-only preview role)" if job == "preview" else
                              "AWS credentials (the stack's deploy role)": "steps.identities.outputs.aws == 'true'",
                              "Azure credentials (Reader)" if job == "preview" else
                              "Azure credentials (the stack's deploy identity)": "steps.identities.outputs.azure == 'true'",
                              _gcp_step(jobs[job])["name"]: "steps.identities.outputs.gcp == 'true'",
                              REMOVE_GCP_CREDENTIALS: "always()"}
        assert jobs[job]["steps"][_step_index(jobs[job], IDENTITIES)]["id"] == "identities"
    # the same release and checksum for both jobs, in one place
    assert (wf["env"]["GPUFLEET_PULUMI_VERSION"], wf["env"]["GPUFLEET_PULUMI_SHA256"]) == (PULUMI_VERSION, PULUMI_SHA256)


OIDC_ACTIONS = ("aws-actions/configure-aws-credentials", "azure/login")
# What each job of the deploy workflow may read: OIDC identities and the Pulumi token, never a long-lived
# cloud key (whatever runs in a job can read its secrets; docs/security.md).
IDENTITY = {"PULUMI_ACCESS_TOKEN", "AWS_ROLE_TO_ASSUME", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID",
            "GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT"}


def test_the_deploy_workflow_reads_oidc_identities_only_and_asks_for_id_tokens_only_where_it_uses_them():
    text = (WORKFLOWS / "gpufleet-deploy.yml").read_text()
    jobs = load_workflow("gpufleet-deploy.yml")["jobs"]
    for name, job in jobs.items():
        read = set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job)))
        assert read == IDENTITY, name
        oidc = [s["uses"].split("@")[0] if "uses" in s else "GCP" for s in job["steps"]
                if s.get("uses", "").startswith(OIDC_ACTIONS) or "ACTIONS_ID_TOKEN_REQUEST_TOKEN" in s.get("run", "")]
        assert ("id-token" in job["permissions"]) == bool(oidc), name
        assert oidc in ([], [*OIDC_ACTIONS, "GCP"]), name
    assert [n for n, j in jobs.items() if "id-token" in j["permissions"]] == ["preview", "up"]
    for key in ("GOOGLE_CREDENTIALS", "credentials_json", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "client-secret",
                "creds:"):
        assert key not in text, key
    assert not any("id-token" in j["permissions"] for j in load_workflow("gpufleet-pr.yml")["jobs"].values())


SECRET = re.compile(r"secrets\.(\w+)")
AZURE_IDENTITY = {"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"}
GCP_IDENTITY = {"GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT"}
PRESENCE = {"AWS_ROLE_TO_ASSUME", "AZURE_CLIENT_ID", "GCP_WORKLOAD_IDENTITY_PROVIDER"}
# Which step of which job reads which secret, exactly (docs/security.md, "Which step gets which credential").
STEP_SECRETS = {
    ("gpufleet-deploy.yml", "gate"): {"Check secrets, stacks and policy configurations": IDENTITY},
    ("gpufleet-deploy.yml", "preview"): {
        IDENTITIES: PRESENCE, "AWS credentials (read-only preview role)": {"AWS_ROLE_TO_ASSUME"},
        "Azure credentials (Reader)": AZURE_IDENTITY,
        "GCP credentials (the read-only preview service account, workload identity federation)": GCP_IDENTITY,
        "pulumi preview with the reviewed policy pack, saving the plan": {"PULUMI_ACCESS_TOKEN"}},
    ("gpufleet-deploy.yml", "up"): {
        IDENTITIES: PRESENCE, "AWS credentials (the stack's deploy role)": {"AWS_ROLE_TO_ASSUME"},
        "Azure credentials (the stack's deploy identity)": AZURE_IDENTITY,
        "GCP credentials (the stack's deploy service account, workload identity federation)": GCP_IDENTITY,
        "pulumi up, exactly the saved plan": {"PULUMI_ACCESS_TOKEN"}},
    ("gpufleet-pr.yml", "preview"): {},
    ("gpufleet-pr.yml", "report"): {"Comment on the pull request": {"GITHUB_TOKEN"}},
}


def _installs(step: dict[str, Any]) -> bool:
    """Whether a step installs or downloads code: pip (gpufleet, the virtualenvs), `make setup`, `curl`."""
    return any(words[0] in ("make", "curl") or "pip" in words for words in _commands(step.get("run", "")))


def test_each_secret_reaches_only_the_steps_that_use_it_and_none_before_the_last_install():
    # A secret in a workflow's or a job's `env:` is in the environment of every step, and so of every
    # package's install script; here each secret is in the `env:` or `with:` of the steps that use it, and
    # every such step comes after every step that installs or downloads anything.
    found = {}
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        wf = load_workflow(path.name)
        assert not SECRET.search(yaml.safe_dump(wf.get("env") or {})), path.name
        for name, job in wf["jobs"].items():
            assert not SECRET.search(yaml.safe_dump({k: v for k, v in job.items() if k != "steps"})), (path.name, name)
            steps = job["steps"]
            reading = [i for i, s in enumerate(steps) if SECRET.search(yaml.safe_dump(s))]
            installs = [i for i, s in enumerate(steps) if _installs(s)]
            assert installs and max(installs) < min(reading, default=len(steps)), (path.name, name, installs, reading)
            found[(path.name, name)] = {steps[i].get("name") or steps[i]["uses"]: set(SECRET.findall(yaml.safe_dump(steps[i])))
                                        for i in reading}
    assert found == STEP_SECRETS
    # and the two names the cloud logins read from the job's OIDC permission, in the one step that writes them
    for job in ("preview", "up"):
        steps = load_workflow("gpufleet-deploy.yml")["jobs"][job]["steps"]
        oidc = [i for i, s in enumerate(steps) if "ACTIONS_ID_TOKEN_REQUEST" in yaml.safe_dump(s)]
        assert oidc == [_gcp_step_index({"steps": steps})], job


@pytest.mark.parametrize("job", ["preview", "up"])
@pytest.mark.parametrize(("identity", "logins"), [
    ({}, []),
    ({"AWS_ROLE_TO_ASSUME": "arn:aws:iam::111122223333:role/gpufleet-preview"}, ["aws-actions/configure-aws-credentials"]),
    ({"AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
      "GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/1/locations/global/workloadIdentityPools/github/providers/p"},
     ["azure/login", "GCP"]),
])
def test_the_cloud_logins_that_run_are_the_ones_whose_identity_the_environment_holds(tmp_path, job, identity, logins):
    output = tmp_path / "github-output"
    output.touch()
    done = _run_deploy_step(job, IDENTITIES, tmp_path, GITHUB_OUTPUT=str(output), **identity)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # no value printed
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs == {"aws": "true" if "AWS_ROLE_TO_ASSUME" in identity else "",
                       "azure": "true" if "AZURE_CLIENT_ID" in identity else "",
                       "gcp": "true" if "GCP_WORKLOAD_IDENTITY_PROVIDER" in identity else ""}
    context = {"steps": {"identities": {"outputs": outputs}}}
    ran = [s["uses"].split("@")[0] if "uses" in s else "GCP" for s in load_workflow("gpufleet-deploy.yml")["jobs"][job]["steps"]
           if s.get("if", "always()") != "always()" and evaluate(s["if"], context)]
    assert ran == logins


# Every tool the deploy jobs call, faked: each logs its name, its first arguments and the secret values in
# its environment; `python -m venv DIR` makes DIR/bin/python, `curl -o F` and `pulumi --save-plan F` write F.
FAKE_TOOL = r"""#!/bin/bash
args="$1"; [ "$1" = -m ] && args="$1 $2"
printf '%s %s|%s\n' "$(basename "$0")" "$args" "$(env | grep -o 's3cr3t-[a-z-]*' | sort -u | paste -sd ' ' -)" >> "$FAKE_LOG"
[ "$(basename "$0") $1 $2" = "python -m venv" ] && mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
while [ $# -gt 0 ]; do case "$1" in -o|--save-plan) echo '{}' > "$2";; esac; shift; done
exit 0
"""
SECRETS = {"PULUMI_ACCESS_TOKEN": "s3cr3t-pulumi", "AWS_ROLE_TO_ASSUME": "s3cr3t-aws-role",
           "AZURE_CLIENT_ID": "s3cr3t-azure-client", "AZURE_TENANT_ID": "s3cr3t-azure-tenant",
           "AZURE_SUBSCRIPTION_ID": "s3cr3t-azure-subscription",
           "GCP_WORKLOAD_IDENTITY_PROVIDER": "s3cr3t-gcp-provider", "GCP_SERVICE_ACCOUNT": "s3cr3t-gcp-account"}


def test_run_as_a_runner_would_no_install_sees_a_secret_and_each_secret_reaches_its_step_only(tmp_path):
    wf = load_workflow("gpufleet-deploy.yml")
    for name in ("python", "make", "curl", "sha256sum", "tar", "pulumi"):
        _fake_tool(tmp_path, name, FAKE_TOOL.removeprefix("#!/bin/bash\n"))
    context = {**DEPLOY_CONTEXT, "secrets": SECRETS, "runner": {"temp": str(tmp_path / "runner-temp")}}
    trees = _trees(tmp_path, head_dev_nodes="2")
    seen = {}
    for job in ("preview", "up"):
        workspace = tmp_path / job / "ws"
        env = _runner_env(workspace) | {
            "PATH": f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin", "FAKE_LOG": str(tmp_path / f"{job}.log"),
            "RUNNER_TEMP": str(tmp_path / "runner-temp"), "GITHUB_ENV": str(tmp_path / "github-env"),
            "GITHUB_PATH": str(tmp_path / "github-path")}
        (tmp_path / "runner-temp").mkdir(exist_ok=True)
        run = run_job(wf, job, context, workspace, trees, env, artifacts=tmp_path / "artifacts")
        assert (run.failed, run.ran) == ([], [s.get("name") or s["uses"] for s in wf["jobs"][job]["steps"]]), job
        seen[job] = ([tuple(line.split("|")) for line in (tmp_path / f"{job}.log").read_text().splitlines()], run.logins)
    cli = [("curl -fsSL", ""), ("sha256sum --check", ""), ("tar -xzf", "")]
    logins = {"aws-actions/configure-aws-credentials": {"role-to-assume": "s3cr3t-aws-role", "aws-region": "us-west-2"},
              "azure/login": {"client-id": "s3cr3t-azure-client", "tenant-id": "s3cr3t-azure-tenant",
                              "subscription-id": "s3cr3t-azure-subscription"}}
    assert seen == {
        # (the summary's escaping, `python -c`, is in the `pulumi preview` step: the same environment)
        "preview": ([("python -m venv", ""), ("python -m pip", ""), ("make setup", ""), *cli,
                     ("python -", "s3cr3t-gcp-account s3cr3t-gcp-provider"), ("pulumi preview", "s3cr3t-pulumi"),
                     ("python -c", "s3cr3t-pulumi")], logins),
        "up": ([("make setup", ""), *cli, ("python -", "s3cr3t-gcp-account s3cr3t-gcp-provider"),
                ("pulumi up", "s3cr3t-pulumi")], logins),
    }


def test_the_deploy_jobs_install_gpufleet_without_the_test_tools():
    # what `make setup` would run (-n: print only; -B: as if nothing were installed yet)
    def installs(*args: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("EXTRAS", "MAKEFLAGS", "MFLAGS")}
        done = subprocess.run(["make", "-n", "-B", "setup", *args], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return [line for line in done.stdout.splitlines() if " pip install " in line or line.startswith("touch ")]

    assert installs("EXTRAS=") == [".venv/bin/python -m pip install --quiet --upgrade pip",
                                   ".venv/bin/python -m pip install --quiet -e '.'", "touch .venv/.installed-runtime"]
    # the default, the README's `make test` (and CI's) included: the test tools too; the stamps differ, so a
    # runtime-only virtualenv is completed by `make test`, not taken for a test one
    assert installs() == [".venv/bin/python -m pip install --quiet --upgrade pip",
                          ".venv/bin/python -m pip install --quiet -e '.[test]'", "touch .venv/.installed"]
    jobs = load_workflow("gpufleet-deploy.yml")["jobs"]
    assert [s["run"] for j in ("preview", "up") for s in jobs[j]["steps"] if s.get("run", "").startswith("make")] == [
        "make setup EXTRAS="] * 2


# zizmor, the GitHub Actions linter, as pinned in pyproject.toml's test extra (installed by `make setup`).
ZIZMOR_PIN = "zizmor==1.32.0"


def _zizmor(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    try:
        dist = importlib.metadata.distribution("zizmor")
    except importlib.metadata.PackageNotFoundError:
        reason = f"zizmor is not installed: `make setup` installs it ({ZIZMOR_PIN}, pyproject.toml's test extra)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)  # CI installs the test extra: a missing zizmor there is a broken setup, not a skip
        pytest.skip(reason)
    [binary] = [dist.locate_file(f) for f in dist.files or [] if f.parts[-2:] == ("bin", "zizmor")]
    return subprocess.run([str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def _findings(report: str) -> list[tuple[str, str, int]]:
    return [(f["ident"], location["symbolic"]["key"]["Local"]["verbatim_path"], location["concrete"]["location"]["start_point"]["row"] + 1)
            for f in json.loads(report) if not f["ignored"] for location in f["locations"][:1]]


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_zizmor_finds_nothing_in_the_workflows(persona):
    # --offline: the audits that ask GitHub (impostor commits, known-vulnerable actions, tags behind pins)
    # need the network, which the test machines do not have (docs/security.md, "Linted")
    done = _zizmor("--offline", "--format", "json", "--persona", persona, ".github")
    assert (_findings(done.stdout), done.returncode) == ([], 0), done.stderr
    # an ignore comment, if ever needed, says why after the audit's name
    unexplained = [line for path in WORKFLOWS.glob("*.y*ml") for line in path.read_text().splitlines()
                   if "zizmor: ignore" in line and not re.search(r"zizmor: ignore\[[\w,-]+\]\s*\S", line)]
    assert unexplained == []


def test_zizmor_is_the_pinned_release_and_reports_what_it_audits(tmp_path):
    assert ZIZMOR_PIN in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert _zizmor("--version").stdout.strip() == "zizmor " + ZIZMOR_PIN.split("==")[1]
    # a workflow with the mistakes the workflows here avoid: each is reported, so "nothing found" above means something
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"
        "      - run: echo \"${{ github.event.pull_request.title }}\"\n")
    done = _zizmor("--offline", "--format", "json", ".github", cwd=tmp_path)
    assert done.returncode != 0
    assert sorted(_findings(done.stdout)) == [
        ("artipacked", ".github/workflows/bad.yml", 6), ("dangerous-triggers", ".github/workflows/bad.yml", 1),
        ("excessive-permissions", ".github/workflows/bad.yml", 3), ("template-injection", ".github/workflows/bad.yml", 9),
        ("unpinned-uses", ".github/workflows/bad.yml", 6)]


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


@pytest.mark.parametrize(("secrets", "listed", "enabled", "stacks", "deploy"), [
    ({}, "", "false", "[]", "[]"),
    ({"PULUMI_ACCESS_TOKEN": "pul-1", "AWS_ROLE_TO_ASSUME": "arn:aws:iam::1:role/deploy"}, "", "true", '["dev", "prod"]', "[]"),
    ({"PULUMI_ACCESS_TOKEN": "pul-1", "AWS_ROLE_TO_ASSUME": "arn:aws:iam::1:role/deploy"}, "dev", "true", '["dev"]', '["dev"]'),
])
def test_the_deploy_gate_runs_and_decides(tmp_path, secrets, listed, enabled, stacks, deploy):
    wf = load_workflow("gpufleet-deploy.yml")
    trees = _trees(tmp_path, head_dev_nodes="2")
    context = {"github": {"event_name": "push", "ref": "refs/heads/main", "sha": "head-sha"}, "secrets": secrets,
               "vars": {"GPUFLEET_PROGRAM": "gpu-team", "GPUFLEET_STACKS": listed}}
    run = run_job(wf, "gate", context, tmp_path / "ws", trees, _runner_env(tmp_path / "ws"))
    assert run.failed == []
    assert run.ran == [s.get("name") or s["uses"] for s in wf["jobs"]["gate"]["steps"]]
    outputs = {k: substitute(v, {"steps": run.outputs}) for k, v in wf["jobs"]["gate"]["outputs"].items()}
    assert outputs == {"enabled": enabled, "stacks": stacks, "deploy_stacks": deploy}


# --- the deploy workflow's own steps, run -------------------------------------------------------

DEPLOY_CONTEXT = {"vars": {"GPUFLEET_PROGRAM": "gpu-team"}, "matrix": {"stack": "dev"}, "secrets": {},
                  "github": {"event_name": "push", "ref": "refs/heads/main", "sha": "head-sha"}}


def _run_deploy_step(job: str, name: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """One `run:` step of the deploy workflow as GitHub runs `shell: bash`, on a runner whose workspace is
    tmp_path/ws and temporary folder tmp_path/runner-temp; tmp_path/bin comes first on PATH (fake tools)."""
    wf = load_workflow("gpufleet-deploy.yml")
    [step] = [s for s in wf["jobs"][job]["steps"] if s.get("name") == name]
    assert step.get("shell", "bash") == "bash"
    environment = {k: substitute(v, DEPLOY_CONTEXT) for k, v in {**wf["env"], **wf["jobs"][job].get("env", {})}.items()}
    environment |= {k: substitute(v, DEPLOY_CONTEXT) for k, v in (step.get("env") or {}).items()}
    for folder in ("ws/gpu-team", "runner-temp", "bin"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    for file in ("github-env", "github-path", "step-summary.md"):
        (tmp_path / file).touch()
    environment |= {"GITHUB_WORKSPACE": str(tmp_path / "ws"), "RUNNER_TEMP": str(tmp_path / "runner-temp"),
                    "GITHUB_ENV": str(tmp_path / "github-env"), "GITHUB_PATH": str(tmp_path / "github-path"),
                    "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"), "HOME": str(tmp_path),
                    "PATH": os.pathsep.join([str(tmp_path / "bin"), str(Path(sys.executable).parent), "/usr/bin", "/bin"])}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path / "ws",
                          env=environment | env, capture_output=True, text=True, timeout=60)


def _fake_tool(tmp_path: Path, name: str, script: str) -> None:
    tool = tmp_path / "bin" / name
    tool.parent.mkdir(parents=True, exist_ok=True)
    tool.write_text("#!/bin/bash\n" + script)
    tool.chmod(0o755)


OIDC_REQUEST = {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://pipelines.example/abc/idtoken/run-1?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-t0ken-9f2c"}


@pytest.mark.parametrize(("job", "provider", "account"), [
    ("preview", "projects/123456789/locations/global/workloadIdentityPools/github/providers/gpufleet-preview",
     "gpufleet-preview@fleet-prod.iam.gserviceaccount.com"),
    ("up", "projects/123456789/locations/global/workloadIdentityPools/github/providers/gpufleet-deploy",
     "gpufleet-deploy-prod@fleet-prod.iam.gserviceaccount.com"),
])
def test_the_gcp_credential_file_is_the_auth_actions_written_outside_the_checkout_and_removed(tmp_path, job, provider,
                                                                                            account):
    wf = load_workflow("gpufleet-deploy.yml")
    identity = {"GCP_WORKLOAD_IDENTITY_PROVIDER": provider, "GCP_SERVICE_ACCOUNT": account}
    done = _run_deploy_step(job, _gcp_step(wf["jobs"][job])["name"], tmp_path, **OIDC_REQUEST, **identity)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # nothing printed, the token least of all
    path = tmp_path / "runner-temp" / "gcp-credentials.json"
    assert (tmp_path / "github-env").read_text() == (f"GOOGLE_APPLICATION_CREDENTIALS={path}\n"
                                                     "GOOGLE_CLOUD_PROJECT=fleet-prod\n")
    assert not path.is_relative_to(tmp_path / "ws")  # not in the checkout, nor in an artifact of it
    assert path.stat().st_mode & 0o777 == 0o600  # it holds the token request's bearer token
    # the fields google-github-actions/auth writes (src/client/workload_identity_federation.ts), with the
    # GitHub token's audience it asks for by default (src/main.ts), URL-encoded as URLSearchParams does
    audience = "https%3A%2F%2Fiam.googleapis.com%2F" + provider.replace("/", "%2F")
    assert json.loads(path.read_text()) == {
        "type": "external_account",
        "audience": "//iam.googleapis.com/" + provider,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "service_account_impersonation_url":
            f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{account}:generateAccessToken",
        "credential_source": {
            "url": "https://pipelines.example/abc/idtoken/run-1?api-version=2.0&audience=" + audience,
            "headers": {"Authorization": "Bearer request-t0ken-9f2c"},
            "format": {"type": "json", "subject_token_field_name": "value"},
        },
    }
    removed = _run_deploy_step(job, REMOVE_GCP_CREDENTIALS, tmp_path)
    assert (removed.returncode, path.exists()) == (0, False)
    assert _run_deploy_step(job, REMOVE_GCP_CREDENTIALS, tmp_path).returncode == 0  # also when there is none


def _pulumi_archive(tmp_path: Path) -> Path:
    """An archive laid out as Pulumi's: pulumi/pulumi and its language hosts."""
    archive = tmp_path / "download" / "archive.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("pulumi/pulumi", "pulumi/pulumi-language-python"):
            data = b"#!/bin/sh\necho fake\n"
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return archive


@pytest.mark.parametrize("job", ["preview", "up"])
def test_the_pulumi_cli_is_unpacked_only_when_its_sha256_matches(tmp_path, job):
    archive = _pulumi_archive(tmp_path)
    _fake_tool(tmp_path, "curl", 'printf "%s\\n" "$@" > "$FAKE_CURL_ARGS"\n'
                                 'while [ $# -gt 0 ]; do [ "$1" = -o ] && cp "$FAKE_DOWNLOAD" "$2"; shift; done\n')
    fake = {"FAKE_DOWNLOAD": str(archive), "FAKE_CURL_ARGS": str(tmp_path / "curl-args")}
    # the archive is not the release whose checksum the workflow names: nothing is unpacked, PATH unchanged
    refused = _run_deploy_step(job, INSTALL_PULUMI, tmp_path, **fake)
    assert refused.returncode == 1
    assert "pulumi.tar.gz: FAILED" in refused.stdout + refused.stderr
    assert (tmp_path / "curl-args").read_text().splitlines() == [
        "-fsSL", "--proto", "=https", "-o", "pulumi.tar.gz",
        f"https://get.pulumi.com/releases/sdk/pulumi-v{PULUMI_VERSION}-linux-x64.tar.gz"]
    assert (tmp_path / "runner-temp" / "pulumi").exists() is False
    assert (tmp_path / "github-path").read_text() == ""
    # the same steps with this archive's own checksum: unpacked, and its folder put on PATH
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    accepted = _run_deploy_step(job, INSTALL_PULUMI, tmp_path, **fake, GPUFLEET_PULUMI_SHA256=digest)
    assert accepted.returncode == 0, accepted.stderr
    assert sorted(p.name for p in (tmp_path / "runner-temp" / "pulumi").iterdir()) == ["pulumi", "pulumi-language-python"]
    assert (tmp_path / "github-path").read_text() == f"{tmp_path / 'runner-temp' / 'pulumi'}\n"


FAKE_PULUMI = ('printf "%s\\n" "$PWD" "$@" > "$FAKE_PULUMI_ARGS"\n'
               "printf 'Previewing update (dev) <img src=x onerror=alert(1)> @everyone #12 \\033[2J\\342\\200\\256gpu\\n'\n"
               "echo 'error: a policy violation' >&2\n"
               'exit "$FAKE_PULUMI_EXIT"\n')


@pytest.mark.parametrize("code", [0, 255])
def test_pulumi_preview_runs_the_reviewed_pack_saves_the_plan_and_shows_its_output_inert(tmp_path, code):
    _fake_tool(tmp_path, "pulumi", FAKE_PULUMI)
    done = _run_deploy_step("preview", "pulumi preview with the reviewed policy pack, saving the plan", tmp_path,
                            FAKE_PULUMI_ARGS=str(tmp_path / "pulumi-args"), FAKE_PULUMI_EXIT=str(code))
    assert done.returncode == code  # a failed preview (a mandatory policy violation) fails the job
    ws, temp = tmp_path / "ws", tmp_path / "runner-temp"
    assert (tmp_path / "pulumi-args").read_text().splitlines() == [
        str(ws / "gpu-team"), "preview", "--non-interactive", "--color", "never", "--stack", "dev",
        "--policy-pack", f"{ws}/trusted/policies", "--policy-pack-config", f"{ws}/trusted/policies/dev.json",
        "--save-plan", f"{temp}/plan-dev.json"]
    assert (tmp_path / "step-summary.md").read_text() == (
        "### pulumi preview of dev\n\n<pre>\n"
        "Previewing update (dev) &lt;img src=x onerror=alert(1)&gt; @everyone #12 \\u001b[2J\\u202egpu\n"
        "error: a policy violation\n"
        "</pre>\n")


@pytest.mark.parametrize("code", [0, 255])
def test_pulumi_up_applies_exactly_the_saved_plan_with_the_merged_pack(tmp_path, code):
    _fake_tool(tmp_path, "pulumi", FAKE_PULUMI)
    done = _run_deploy_step("up", "pulumi up, exactly the saved plan", tmp_path,
                            FAKE_PULUMI_ARGS=str(tmp_path / "pulumi-args"), FAKE_PULUMI_EXIT=str(code))
    assert done.returncode == code
    ws, temp = tmp_path / "ws", tmp_path / "runner-temp"
    assert (tmp_path / "pulumi-args").read_text().splitlines() == [
        str(ws / "gpu-team"), "up", "--yes", "--skip-preview", "--non-interactive", "--stack", "dev",
        "--policy-pack", f"{ws}/policies", "--policy-pack-config", f"{ws}/policies/dev.json",
        "--plan", f"{temp}/plan-dev.json"]


def test_the_reviewed_policy_pack_gets_its_virtualenv_from_the_reviewed_checkout_before_the_programs_setup(tmp_path):
    # a fake `python` whose `-m venv DIR` makes DIR/bin/python, and every python records where it ran and how
    record = tmp_path / "python-calls"
    _fake_tool(tmp_path, "python", f'printf "%s|%s\\n" "$0" "$PWD $*" >> {record}\n'
               'if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi\n')
    ws = tmp_path / "ws"
    (ws / "trusted" / "policies").mkdir(parents=True)
    done = _run_deploy_step("preview", PACK_VENV, tmp_path)
    assert done.returncode == 0, done.stderr
    pack = ws / "trusted" / "policies"
    assert record.read_text().splitlines() == [
        f"{tmp_path}/bin/python|{pack} -m venv ../.venv",
        f"../.venv/bin/python|{pack} -m pip install --quiet -r requirements.txt"]
    # the folder the pack's own PulumiPolicy.yaml names, from the trusted pack: trusted/.venv, not the program's .venv
    virtualenv = yaml.safe_load((REPO / "policies" / "PulumiPolicy.yaml").read_text())["runtime"]["options"]["virtualenv"]
    assert (pack / virtualenv).resolve() == ws / "trusted" / ".venv" == (pack / "../.venv").resolve()
    assert (ws / "trusted" / ".venv" / "bin" / "python").is_file() and not (ws / ".venv").exists()
    # and `pip install -r requirements.txt` there installs `-e ..`: the trusted checkout
    assert "-e ..\n" in (REPO / "policies" / "requirements.txt").read_text()
    # before the program checkout's `make setup`, after the trusted checkout and Python
    names = [s.get("name") or s["uses"].split("@")[0] for s in load_workflow("gpufleet-deploy.yml")["jobs"]["preview"]["steps"]]
    assert names[1:5] == ["The policy pack of the reviewed code", "actions/setup-python", PACK_VENV, "Virtualenv of the program"]
