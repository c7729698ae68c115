"""`gpufleet run TASK.yaml`: place a task, allocate its stack, run its Job, and always free the stack.

With `--dry-run` nothing is allocated: the task's stack runs through the offline preview and the
placement, nodes, resources, the Job's requests and one run's cost, energy and carbon are shown,
with the policy pack's verdicts (no Pulumi CLI, credentials or network needed).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from gpufleet.commands import _arguments as arguments
from gpufleet.commands._terminal import Column, console, print_table, print_violations, shown
from gpufleet.errors import Problem
from gpufleet.preview import DEFAULT_POLICY_PACK
from gpufleet.words import count
from gpufleet.terminal_text import inert


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task_file", type=Path, metavar="TASK.yaml", help="the task file")
    parser.add_argument("--dry-run", action="store_true",
                        help="allocate nothing: preview the task's stack offline, with one run's cost and policies")
    arguments.add_json(parser, "--dry-run's plan (the shape of `pulumi preview --json`, plus `gpufleet.task`)")
    parser.add_argument("--program", type=Path, default=Path("."), metavar="DIR",
                        help="the fleet project whose stack a task's `stack:` names (default: current directory)")
    parser.add_argument("--policy-pack", type=Path, default=DEFAULT_POLICY_PACK, metavar="DIR",
                        help="CrossGuard pack to run (default: gpufleet's policies/)")
    parser.add_argument("--policy-config", type=Path, metavar="FILE",
                        help="policy config; default: <pack>/<the task's environment>.json")
    parser.add_argument("--no-policies", action="store_true", help="skip the policy pack")
    parser.add_argument("--fast-policies", action="store_true",
                        help="evaluate policies in-process instead of over the engine's gRPC protocol")


def check_arguments(args: argparse.Namespace) -> None:
    """Everything that can be wrong with the arguments, before anything is placed or allocated."""
    from gpufleet.commands.preview import policy_pack_problems

    problems = arguments.existing_file("TASK.yaml", args.task_file)
    problems += arguments.existing_folder("--program", args.program)
    if args.json_file is not None and not args.dry_run:
        problems.append(Problem("--json", "only with --dry-run (a real run streams its state instead)",
                                str(args.json_file)))
    problems += arguments.writable("--json", args.json_file)
    if not args.no_policies:
        problems += policy_pack_problems(args.policy_pack, in_process=args.fast_policies)
        problems += arguments.existing_file("--policy-config", args.policy_config)
    arguments.check(problems)


def run(args: argparse.Namespace) -> int:
    from gpufleet.catalog import load_catalog
    from gpufleet.clouds import component_clouds
    from gpufleet.cli import EXIT_OK, EXIT_POLICY, EXIT_PROGRAM
    from gpufleet.tasks.model import read_task
    from gpufleet.tasks.plan import plan_task

    check_arguments(args)
    catalog = load_catalog()
    task = read_task(args.task_file, catalog)
    if not args.dry_run:
        from gpufleet.tasks.automation import require_cli

        require_cli()
    plan = plan_task(task, catalog, component_clouds(), datetime.now(timezone.utc), args.program)
    checked = _dry_run(plan, args)
    if isinstance(checked, int):
        return checked
    if args.dry_run:
        arguments.write_json(args, checked.to_json())
        if not arguments.json_to_stdout(args):
            render(checked, console())
        return EXIT_POLICY if checked.preview.mandatory_violations else EXIT_OK
    if checked.preview.mandatory_violations:  # judged offline first: nothing is allocated against policy
        _print_violations(checked, console(stderr=True), "nothing allocated: ")
        return EXIT_POLICY
    return _real_run(plan, EXIT_OK, EXIT_PROGRAM)


def _dry_run(plan, args: argparse.Namespace):
    """The task's stack through the offline preview with policies; an exit code when that fails."""
    from gpufleet.cli import EXIT_PROGRAM, EXIT_USAGE
    from gpufleet.offline import ProgramError
    from gpufleet.policy.analyzer import PolicyPackError
    from gpufleet.tasks.dryrun import dry_run

    try:
        return dry_run(plan, policy_pack=None if args.no_policies else args.policy_pack,
                       policy_config_file=args.policy_config, in_process_policies=args.fast_policies)
    except ProgramError as e:
        if e.setting is not None:
            print(inert(f"error: the task's stack configuration lacks {e.setting}: {e}"), file=sys.stderr)
            return EXIT_USAGE
        print(inert(f"error: the task's Pulumi program failed: {e}"), file=sys.stderr)
        return EXIT_PROGRAM
    except PolicyPackError as e:
        if args.policy_pack.resolve() == DEFAULT_POLICY_PACK.resolve():
            raise  # gpufleet's own pack failing is gpufleet's bug (exit 4)
        print(inert(f"error: the policy pack {args.policy_pack} failed: {e}"), file=sys.stderr)
        return EXIT_USAGE


def _real_run(plan, ok: int, failed: int) -> int:
    from gpufleet.cli import EXIT_INTERRUPTED
    from gpufleet.tasks.automation import AutomationWorkspace
    from gpufleet.tasks.lifecycle import TaskInterrupted, run_task
    from gpufleet.tasks.plan import timestamp

    size = plan.size
    print(inert(f"task {plan.task.name}: {plan.decision.reason}"))
    print(inert(f"allocating stack {plan.stack_name}: {size.nodes} × {size.instance_type} "
                f"({count(size.provisioned_gpus, 'GPU')}, {size.spare_gpus} spare), expires {timestamp(plan.expires_at)}"))
    try:
        outcome = run_task(plan, AutomationWorkspace(), emit=lambda line: print(inert(line.rstrip("\n")), flush=True))
    except TaskInterrupted as e:
        print(inert(f"task {plan.task.name}: {e.outcome.message}; stack "
                    f"{'destroyed' if e.outcome.destroyed else 'NOT destroyed'}"), file=sys.stderr)
        return EXIT_INTERRUPTED
    stream = sys.stdout if outcome.status == "succeeded" else sys.stderr
    print(inert(f"task {plan.task.name}: {outcome.status}{': ' + outcome.message if outcome.message else ''}; stack "
                f"{'destroyed' if outcome.destroyed else 'NOT destroyed'}"), file=stream)
    return ok if outcome.status == "succeeded" else failed


def _usd(x: float | None) -> str:
    return "unknown" if x is None else f"{x:,.2f}"


def _rate(x: float | None) -> str:
    """An hourly price as the catalog lists it (58.8928, not 58.89), so nodes × rate × hours checks out by
    hand to the cent; at least two decimals."""
    if x is None:
        return "unknown"
    whole, _, cents = f"{x:,.6f}".rstrip("0").partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def render(result, out: Console) -> None:
    plan, task_json = result.plan, result.task_json()
    task, size, decision = plan.task, plan.size, plan.decision
    chosen = decision.chosen
    out.print(f"[bold]gpufleet run --dry-run[/] · task [bold]{shown(task.name)}[/] · stack "
              f"{shown(plan.stack_name)} · nothing allocated")
    out.print(f"Placement ({plan.placement.objective}): {shown(chosen.cloud)} {shown(chosen.region)} — {shown(decision.reason)}")
    out.print(f"Nodes: {size.nodes} × {shown(size.instance_type)} ({count(size.gpus_per_node, 'GPU')}, {size.node_memory_gib:g} GiB "
              f"each) = {count(size.provisioned_gpus, 'GPU')} for {size.gpu_count} asked: [bold]{size.spare_gpus} spare[/]")
    job = task_json["job"]
    requests = ", ".join(f"{k}: {v}" for k, v in job["requests"].items())
    out.print(f"Job: {count(job['completions'], 'pod')} × requests {{{shown(requests)}}} "
              f"(total {count(job['total_requests']['nvidia.com/gpu'], 'GPU')}, {job['total_requests']['memory']}); "
              f"busiest node {count(size.workers_per_node, 'pod')}, {size.memory_gib_per_node:,.1f} GiB of "
              f"{size.node_memory_gib:g}" + (f"; queue {shown(job['queue'])}" if job["queue"] else ""))
    out.print(f"Expiry: {task_json['expiry']['expires_at']} (stack config and a tag on every resource)")

    counts = Counter(r.type for r in result.preview.run.resources
                     if r.custom and not r.type.startswith("pulumi:providers:"))
    print_table(out, [Column("type", "name", keep=True), Column("count", "figure", keep=True)],
                [(t, f"{n:,}") for t, n in counts.most_common()],
                title=f"Resources it would create: {sum(counts.values())}")

    run = task_json["run"]
    kwh = "unknown" if run["kwh"] is None else f"{run['kwh']:,.1f}"
    kg = "unknown" if run["kgco2e"] is None else f"{run['kgco2e']:,.1f}"
    out.print(f"[bold]One run[/] ({run['hours']:g} h): {run['nodes']} × {_rate(run['usd_per_node_hour'])} USD/h × "
              f"{run['hours']:g} h = [bold]{_usd(run['usd'])} USD[/] · {kwh} kWh · {kg} kgCO2e")
    unpriced = result.preview.estimate.unpriced
    if unpriced:
        out.print(f"Unpriced in the stack: {len(unpriced)} resource(s) (control plane, system nodes, …); "
                  "see --json: gpufleet.unpriced")
    _print_violations(result, out)


def _print_violations(result, out: Console, prefix: str = "") -> None:
    preview = result.preview
    if preview.policy_environment is None:
        out.print("Policies: not run (--no-policies)")
    elif not preview.violations:
        out.print(f"[green]Policies ({shown(preview.policy_environment)}): no violations[/]")
    else:
        mandatory = len(preview.mandatory_violations)
        print_violations(out, f"{prefix}Policies ({preview.policy_environment}): {mandatory} mandatory, "
                              f"{len(preview.violations) - mandatory} advisory",
                         [(v.level, v.policy, (v.urn or "stack").rsplit("::", 1)[-1], v.message)
                          for v in preview.violations])
