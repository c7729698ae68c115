"""What the GitHub workflows run (`.github/workflows/gpufleet-*.yml`), as `python -m gpufleet.report.ci`.

    stacks   the stacks of a Pulumi project, as JSON (from its stack files)
    preview  `gpufleet preview STACK --json` for every stack of a checkout, into a folder of plans
    comment  create or update the pull request's one gpufleet comment (found by its hidden marker)
    check    fail (exit 1) when a head plan has mandatory policy violations
    gate     is deployment configured (Pulumi token and cloud credentials)? which stacks, with which
             policy configuration? which of them may deploy (only an explicit --stacks list)? — as
             step outputs for the deploy workflow

Everything is here rather than in the workflow files so that the tests run exactly what CI runs.
Exit codes follow the CLI: 0 ok, 1 policy, 2 usage or configuration, 3 a program failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from gpufleet.errors import Problem, UserError
from gpufleet.files import PLAN_MAX_BYTES, load_plan_json, load_yaml, read_text
from gpufleet.report.markdown import MARKER
from gpufleet.report.plans import read_plans
from gpufleet.terminal_text import inert

EXIT_OK, EXIT_POLICY, EXIT_USAGE, EXIT_PROGRAM = 0, 1, 2, 3
DEFAULT_API = "https://api.github.com"
# Each cloud's alternatives: every secret of one of them set. OIDC identities only (a role, a federated
# client, workload identity federation): a long-lived key in the `preview` environment would outlive
# any run that read it (docs/security.md).
CREDENTIALS = {
    "aws": (("AWS_ROLE_TO_ASSUME",),),
    "azure": (("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"),),
    "gcp": (("GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT"),),
}


def _log(message: str) -> None:
    print(inert(message), file=sys.stderr, flush=True)


def _annotate(level: str, message: str) -> None:
    """A GitHub workflow command (shown on the run and the pull request); plain text elsewhere. The
    message can carry a plan's values (a head's policy messages): its data is escaped as the Actions
    toolkit escapes it (`%`, CR, LF), so a newline in a value cannot start a workflow command of its own."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        data = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::{level}::{inert(data)}", file=sys.stderr, flush=True)
    else:
        print(f"{level}: {inert(message)}", file=sys.stderr, flush=True)


def _set_outputs(**outputs: str) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    for key, value in outputs.items():
        print(f"{key}={value}")
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"{key}={value}\n")


# --- stacks -------------------------------------------------------------------------------------

def _project_file(program: Path) -> Path | None:
    return next((p for p in (program / "Pulumi.yaml", program / "Pulumi.yml") if p.is_file()), None)


def project_stacks(program: Path) -> list[str]:
    """Stacks of the Pulumi project in `program`: its `Pulumi.<stack>.yaml` files, in `stackConfigDir`."""
    project_file = _project_file(program)
    if project_file is None:
        raise UserError([Problem(str(program), "no Pulumi.yaml: not a Pulumi project")], heading="invalid project")
    project = load_yaml(project_file, heading="invalid project") or {}
    config_dir = program / str(project.get("stackConfigDir") or ".") if isinstance(project, dict) else program
    return sorted(p.name[len("Pulumi."):-len(p.suffix)] for p in config_dir.glob("Pulumi.*.y*ml")
                  if p.suffix in (".yaml", ".yml"))


def listed_stacks(stacks: str | None) -> list[str]:
    """`--stacks` (GPUFLEET_STACKS) as names: comma-separated, spaces around a name ignored ("dev, prod"),
    empty entries skipped; names run together without a comma ("dev prod") are a usage error (exit 2)."""
    names = [name.strip() for name in (stacks or "").split(",")]
    joined = [name for name in names if any(c.isspace() for c in name)]
    if joined:
        raise UserError([Problem("--stacks", "separate stack names with commas (a stack name has no spaces)", name,
                                 suggestion=",".join(name.split())) for name in joined], heading="usage error")
    return [name for name in names if name]


def _selected(program: Path, stacks: str | None) -> list[str]:
    return listed_stacks(stacks) or project_stacks(program)


def cmd_stacks(args: argparse.Namespace) -> int:
    print(json.dumps(_selected(args.program, args.stacks)))
    return EXIT_OK


# --- preview ------------------------------------------------------------------------------------

def cmd_preview(args: argparse.Namespace) -> int:
    """Write `OUT/<stack>.json` for every stack; with --allow-failure a stack that fails is left out."""
    program: Path = args.program
    if _project_file(program) is None and args.allow_failure:
        _annotate("warning", f"{program}: no Pulumi project; no plans written (every stack counts as new)")
        args.out.mkdir(parents=True, exist_ok=True)
        return EXIT_OK
    args.out.mkdir(parents=True, exist_ok=True)
    worst = EXIT_OK
    failures: list[str] = []
    for stack in _selected(program, args.stacks):
        plan = args.out / f"{stack}.json"
        command = [sys.executable, "-m", "gpufleet.cli", "preview", stack, "--program", str(program), "--json", str(plan)]
        if args.policy_pack is not None:
            if args.policy_pack.is_dir():
                command += ["--policy-pack", str(args.policy_pack)]
            else:
                _annotate("warning", f"policy pack {args.policy_pack} not found: gpufleet's default pack is used")
        _log(f"$ {' '.join(command)}")
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        sys.stderr.write(inert(done.stdout))
        # Exit 1 is a mandatory policy violation: the plan is written and the report shows it.
        if done.returncode in (EXIT_OK, EXIT_POLICY) and plan.is_file():
            continue
        plan.unlink(missing_ok=True)
        if args.allow_failure:
            _annotate("warning", f"preview of stack {stack} in {program} failed (exit {done.returncode}); "
                                 "the report compares it with an empty stack")
            continue
        _annotate("error", f"preview of stack {stack} in {program} failed (exit {done.returncode})")
        worst = max(worst, done.returncode if done.returncode in (EXIT_USAGE, EXIT_PROGRAM) else EXIT_PROGRAM)
        failures.append(f"$ {' '.join(command)}\n{done.stdout}(exit {done.returncode})\n")
    if worst != EXIT_OK and args.failure_log is not None:
        # The report still gets written and commented (it shows this log); `check --failure-log` fails the run.
        args.failure_log.parent.mkdir(parents=True, exist_ok=True)
        args.failure_log.write_text("".join(failures), encoding="utf-8")
        _set_outputs(failed="true")
        return EXIT_OK
    return worst


# --- comment ------------------------------------------------------------------------------------

def _ours(comment: dict) -> bool:
    """A report comment gpufleet posted: it starts with the marker and a bot posted it (the workflow's
    token is a bot's: `github-actions[bot]`, or an app's). Anyone can write the marker into a comment of
    their own: taken for ours, the report would be written over it, under that person's name (a token that
    may edit others' comments), or the update refused and the report lost."""
    user = comment.get("user")
    return str(comment.get("body") or "").startswith(MARKER) and isinstance(user, dict) and user.get("type") == "Bot"


class GitHub:
    """The few REST calls the comment needs (issue comments of a pull request)."""

    def __init__(self, api: str, repository: str, token: str) -> None:
        self.api, self.repository, self.token = api.rstrip("/"), repository, token

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.api}{path}", data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "Content-Type": "application/json",
            "User-Agent": "gpufleet-report",
        })
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - https API URL from the runner
            return json.loads(response.read() or b"null")

    def find_comment(self, pr: int) -> int | None:
        page = 1
        while True:
            comments = self.request("GET", f"/repos/{self.repository}/issues/{pr}/comments?per_page=100&page={page}")
            for c in comments:
                if _ours(c):
                    return int(c["id"])
            if len(comments) < 100:
                return None
            page += 1

    def upsert_comment(self, pr: int, body: str) -> tuple[str, int]:
        existing = self.find_comment(pr)
        if existing is not None:
            self.request("PATCH", f"/repos/{self.repository}/issues/comments/{existing}", {"body": body})
            return "updated", existing
        created = self.request("POST", f"/repos/{self.repository}/issues/{pr}/comments", {"body": body})
        return "created", int(created["id"])


def _pull_request_number(explicit: int | None) -> int | None:
    if explicit is not None:
        return explicit
    if os.environ.get("PR_NUMBER", "").isdigit():
        return int(os.environ["PR_NUMBER"])
    event = os.environ.get("GITHUB_EVENT_PATH")
    if event and Path(event).is_file():
        event_doc = load_plan_json(Path(event), heading="unreadable GitHub event")
        number = ((event_doc if isinstance(event_doc, dict) else {}).get("pull_request") or {}).get("number")
        return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None
    return None


def cmd_comment(args: argparse.Namespace) -> int:
    body = read_text(args.body, heading="usage error", max_bytes=PLAN_MAX_BYTES, what="report")
    if MARKER not in body:
        raise UserError([Problem(str(args.body), f"has no {MARKER} marker: not a gpufleet report")], heading="usage error")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(body)
    pr = _pull_request_number(args.pr)
    missing = [name for name, value in (("pull request number (--pr, PR_NUMBER or the event)", pr),
                                        ("GITHUB_REPOSITORY", os.environ.get("GITHUB_REPOSITORY")),
                                        ("GITHUB_TOKEN", os.environ.get("GITHUB_TOKEN"))) if not value]
    if missing:
        raise UserError([Problem("comment", f"{m} not set") for m in missing], heading="usage error")
    github = GitHub(os.environ.get("GITHUB_API_URL", DEFAULT_API), os.environ["GITHUB_REPOSITORY"],
                    os.environ["GITHUB_TOKEN"])
    try:
        action, comment_id = github.upsert_comment(int(pr), body)  # type: ignore[arg-type]
    except urllib.error.HTTPError as exc:
        if exc.code in (403, 404):
            # Pull requests from forks get a read-only token: the report stays in the job summary.
            _annotate("warning", f"cannot comment on pull request #{pr} (HTTP {exc.code}); the report is in the job summary")
            return EXIT_OK
        raise
    print(f"{action} comment {comment_id} on pull request #{pr}")
    return EXIT_OK


# --- check --------------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    if args.failure_log is not None and args.failure_log.is_file():
        _annotate("error", f"the preview failed (its output: {args.failure_log}, and in the report)")
        return EXIT_PROGRAM
    if args.plans.is_dir() and not any(args.plans.glob("*.json")):
        print("no plans: nothing to check")
        return EXIT_OK
    mandatory = []
    for stack, plan in read_plans(args.plans).items():
        for v in plan.violations or []:
            if v.get("level") == "mandatory":
                mandatory.append((stack, v))
    for stack, v in mandatory:
        resource = str(v.get("urn") or "stack").rsplit("::", 1)[-1]
        _annotate("error", f"{stack}: {v.get('policy')} ({resource}): {v.get('message')}")
    print(f"{len(mandatory)} mandatory policy violation(s)")
    return EXIT_POLICY if mandatory else EXIT_OK


# --- gate ---------------------------------------------------------------------------------------

def configured_clouds(env: dict[str, str]) -> list[str]:
    return [cloud for cloud, alternatives in CREDENTIALS.items()
            if any(all(env.get(name) for name in names) for names in alternatives)]


def cmd_gate(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    clouds = configured_clouds(env)
    reasons = ([] if env.get("PULUMI_ACCESS_TOKEN") else ["secret PULUMI_ACCESS_TOKEN is not set"]) + (
        [] if clouds else ["no cloud credentials (AWS_ROLE_TO_ASSUME, or AZURE_CLIENT_ID/TENANT_ID/SUBSCRIPTION_ID, "
                           "or GCP_WORKLOAD_IDENTITY_PROVIDER/SERVICE_ACCOUNT)"])
    if reasons:
        _annotate("notice", "deployment previews are off: " + "; ".join(reasons))
        _set_outputs(enabled="false", stacks="[]", deploy_stacks="[]", clouds="[]")
        return EXIT_OK
    stacks = _selected(args.program, args.stacks)
    problems = [Problem(f"{args.policy_pack}/{s}.json", "missing: each stack needs its policy configuration "
                        "(enforcement levels for that environment)") for s in stacks
                if not (args.policy_pack / f"{s}.json").is_file()]
    if not stacks:
        problems.append(Problem(str(args.program), "no stacks (Pulumi.<stack>.yaml) found"))
    if problems:
        raise UserError(problems, heading="deployment not configured")
    # `pulumi up` only for stacks someone listed: a merged new Pulumi.<stack>.yaml would otherwise deploy
    # in an environment GitHub creates on first use, without reviewers (docs/security.md).
    deploy = stacks if listed_stacks(args.stacks) else []
    if not deploy:
        _annotate("notice", "pulumi up is off: no GPUFLEET_STACKS (the stacks that may deploy, each with a GitHub "
                            "environment of its name that has required reviewers); previews only")
    _set_outputs(enabled="true", stacks=json.dumps(stacks), deploy_stacks=json.dumps(deploy), clouds=json.dumps(clouds))
    return EXIT_OK


# --- entry point --------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gpufleet.report.ci", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_program(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--program", type=Path, default=Path("."), help="the Pulumi project folder (default: .)")
        p.add_argument("--stacks", help="comma-separated stacks (default: every Pulumi.<stack>.yaml of the project)")
        return p

    with_program(sub.add_parser("stacks", help="print the project's stacks as JSON")).set_defaults(run=cmd_stacks)
    p = with_program(sub.add_parser("preview", help="offline preview of every stack, as plan files"))
    p.add_argument("--out", type=Path, required=True, help="folder for <stack>.json plans")
    p.add_argument("--policy-pack", type=Path, help="policy pack folder (default: gpufleet's)")
    p.add_argument("--allow-failure", action="store_true",
                   help="leave out stacks whose preview fails (for the base of a pull request)")
    p.add_argument("--failure-log", type=Path, metavar="FILE",
                   help="when a preview fails, write its output here, set the step output failed=true and exit 0 "
                        "(so the report is still commented; `check --failure-log FILE` then fails the run)")
    p.set_defaults(run=cmd_preview)
    p = sub.add_parser("comment", help="create or update the pull request's gpufleet comment")
    p.add_argument("--body", type=Path, required=True, help="the report (Markdown with the gpufleet marker)")
    p.add_argument("--pr", type=int, help="pull request number (default: PR_NUMBER or the workflow event)")
    p.set_defaults(run=cmd_comment)
    p = sub.add_parser("check", help="exit 1 when a plan has mandatory policy violations")
    p.add_argument("plans", type=Path, help="plan file or folder of plans")
    p.add_argument("--failure-log", type=Path, metavar="FILE",
                   help="exit 3 when this log of a failed preview exists (written by `preview --failure-log`)")
    p.set_defaults(run=cmd_check)
    p = with_program(sub.add_parser("gate", help="step outputs: is deployment configured, and for which stacks"))
    p.add_argument("--policy-pack", type=Path, default=Path("policies"), help="policy pack folder (default: policies)")
    p.set_defaults(run=cmd_gate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UserError as e:
        print(inert(e.render()), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
