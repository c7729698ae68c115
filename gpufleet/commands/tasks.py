"""`gpufleet tasks [--reap]`: the task stacks and their expiry; `--reap` destroys the expired ones.

A runner that crashed (or a machine that lost power) cannot free its task's GPUs; every task stack
carries its expiry, so a scheduled `gpufleet tasks --reap` does. Needs the Pulumi CLI and the same
backend as the runs (see docs/tasks.md).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from gpufleet.commands import _arguments as arguments
from gpufleet.terminal_text import inert


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reap", action="store_true", help="destroy and remove every task stack past its expiry")
    arguments.add_json(parser, "the task stacks (stack, task, expires_at, state)")


def run(args: argparse.Namespace) -> int:
    from gpufleet.tasks.automation import AutomationWorkspace, require_cli

    arguments.check(arguments.writable("--json", args.json_file))
    require_cli()
    return list_or_reap(AutomationWorkspace(), datetime.now(timezone.utc), args)


def list_or_reap(workspace, now: datetime, args: argparse.Namespace) -> int:
    from gpufleet.tasks.lifecycle import reap, task_stacks
    from gpufleet.tasks.plan import timestamp

    stacks = task_stacks(workspace)
    rows = [{"stack": s.name, "task": s.task, "expires_at": timestamp(s.expires_at) if s.expires_at else None,
             "state": s.state(now)} for s in stacks]
    arguments.write_json(args, rows)
    quiet = arguments.json_to_stdout(args)  # stdout then carries only the JSON
    if not quiet:
        print(f"{len(rows)} task stack(s)")
        for row in rows:
            print(inert(f"  {row['stack']}  task {row['task']}  expires {row['expires_at'] or '-'}  {row['state']}"))
    if not args.reap:
        return 0
    reaped, failed = reap(workspace, now, emit=lambda line: print(inert(line.rstrip("\n")), file=sys.stderr))
    print(inert(f"reaped {len(reaped)} expired task stack(s)" + (f": {', '.join(reaped)}" if reaped else "")),
          file=sys.stderr if quiet else sys.stdout)
    for problem in failed:
        print(inert(f"error: {problem}"), file=sys.stderr)
    return 3 if failed else 0  # a destroy that failed is a Pulumi failure (exit 3), never a policy verdict
