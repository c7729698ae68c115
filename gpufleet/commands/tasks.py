"""`gpufleet tasks [--reap]`: the task stacks and their expiry; `--reap` destroys the expired ones.

A runner that crashed (or a machine that lost power) cannot free its task's GPUs; every task stack
carries its expiry, so a scheduled `gpufleet tasks --reap` does. Needs the Pulumi CLI and the same
backend as the runs (see docs/tasks.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reap", action="store_true", help="destroy and remove every task stack past its expiry")
    parser.add_argument("--json", action="store_true", help="print the task stacks as JSON")


def run(args: argparse.Namespace) -> int:
    from gpufleet.tasks.automation import AutomationWorkspace, require_cli

    require_cli()
    return list_or_reap(AutomationWorkspace(), datetime.now(timezone.utc), reap_expired=args.reap, as_json=args.json)


def list_or_reap(workspace, now: datetime, *, reap_expired: bool, as_json: bool) -> int:
    from gpufleet.tasks.lifecycle import reap, task_stacks
    from gpufleet.tasks.plan import timestamp

    stacks = task_stacks(workspace)
    rows = [{"stack": s.name, "task": s.task, "expires_at": timestamp(s.expires_at) if s.expires_at else None,
             "state": s.state(now)} for s in stacks]
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{len(rows)} task stack(s)")
        for row in rows:
            print(f"  {row['stack']}  task {row['task']}  expires {row['expires_at'] or '-'}  {row['state']}")
    if not reap_expired:
        return 0
    reaped, failed = reap(workspace, now, emit=lambda line: print(line.rstrip("\n"), file=sys.stderr))
    print(f"reaped {len(reaped)} expired task stack(s)" + (f": {', '.join(reaped)}" if reaped else ""))
    for problem in failed:
        print(f"error: {problem}", file=sys.stderr)
    return 3 if failed else 0  # a destroy that failed is a Pulumi failure (exit 3), never a policy verdict
