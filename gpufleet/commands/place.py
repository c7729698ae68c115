"""`gpufleet place STACK [--lock]`: where a stack's workloads go, and why, on one screen; `--lock`
records it in the stack file as the reviewed placement the program keeps. Without `--lock`, a lock the
program would refuse (`lock_problems`) is reported as the preview reports it, and the command exits 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from gpufleet.catalog import Catalog
from gpufleet.clouds import component_clouds
from gpufleet.commands import _arguments as arguments
from gpufleet.commands._progress import Progress
from gpufleet.commands._terminal import Column, console, print_table, safe_text, shown
from gpufleet.commands.catalog_option import add_catalog_argument, catalog_from_arguments
from gpufleet.placement import Option, Placement, place
from gpufleet.components.fleet import locked_hot_tiers
from gpufleet.errors import Problem
from gpufleet.words import count, first_few
from gpufleet.placement.lock import (LOCK_KEY, LockedPlacement, PlacementLock, cluster_names, lock_document,
                                     lock_error, lock_overruns, lock_problems, parse_lock, without_unknown_regions)
from gpufleet.stackfile import set_config_value
from gpufleet.stacks import load_fleet
from gpufleet.terminal_text import inert

_OBJECTIVES = {
    "cost": "least cost",
    "carbon": "least carbon",
    "balanced": "least carbon within +{premium:g} % of the cheapest placement",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="stack name (its Pulumi.<stack>.yaml holds gpufleet:fleet)")
    parser.add_argument("--program", type=Path, default=Path("."), metavar="DIR",
                        help="the Pulumi project directory (default: the current directory)")
    arguments.add_json(parser, "the placement (the stack output)")
    arguments.add_quiet(parser)
    parser.add_argument("--lock", action="store_true",
                        help="write this placement into the stack file (gpufleet:placement): the program then "
                             "never moves a workload by itself")
    add_catalog_argument(parser)


def run(args: argparse.Namespace) -> int:
    from gpufleet.cli import EXIT_OK, EXIT_USAGE

    problems = arguments.existing_folder("--program", args.program) + arguments.writable("--json", args.json_file)
    if args.lock and args.json_file is not None:  # --lock prints what it wrote, not the placement
        problems.append(Problem("--json", "does not combine with --lock: place without --lock for the JSON, then lock",
                                str(args.json_file)))
    arguments.check(problems)
    catalog = catalog_from_arguments(args)
    settings, fleet = load_fleet(args.program, args.stack)
    catalog = fleet.catalog(catalog)  # the stack's owned sites, priced from their own figures
    lock = parse_lock(settings.config.get(LOCK_KEY))
    clouds = component_clouds()  # place as the program does: on the clouds its components can build
    with Progress(quiet=args.quiet).running(f"placing {count(len(fleet.workloads), 'workload')} of stack {settings.stack}"):
        placement = place(fleet, catalog, clouds=clouds)
    if args.lock:
        clusters = cluster_names(fleet, placement, without_unknown_regions(lock, catalog))
        hot = locked_hot_tiers(fleet, LockedPlacement(placement, frozenset(), clusters, catalog.version), catalog)
        path = set_config_value(args.program, args.stack, LOCK_KEY,
                                lock_document(placement, clusters, catalog.version, hot),
                                f"reviewed placement: written by `gpufleet place {settings.stack} --lock`; "
                                "the program never moves a locked workload")
        out = console()
        for name, d in placement.decisions.items():
            before = lock.workloads.get(name)
            was = "new" if before is None else "unchanged" if (before.cloud, before.region, before.instance_type) == (
                d.chosen.cloud, d.chosen.region, d.chosen.instance_type) else \
                f"was {before.cloud} {before.region} {before.instance_type}"
            # One line each, never wrapped: a record of what was written, to read or grep.
            hot_tier = f", hot tier {hot[name][0]:g} TiB at {hot[name][1]} MB/s/TiB" if name in hot else ""
            out.print(safe_text(f"locked {name}: {d.chosen.where} {d.chosen.instance_type}, cluster {clusters[name]}"
                           f"{hot_tier} ({was})"), soft_wrap=True)
        for name, before in lock.workloads.items():
            if name not in placement.decisions:  # a workload no longer in the fleet leaves the lock
                out.print(safe_text(f"removed {name}: no workload of this name in gpufleet:fleet (was {before.cloud} "
                                    f"{before.region} {before.instance_type})"), soft_wrap=True)
        out.print(safe_text(f"wrote {LOCK_KEY} to {path} (catalog {catalog.version}: {catalog.data_description})"),
                  soft_wrap=True)
        for note in placement.proof_notes():  # the lock records where, not whether that was proven
            out.print(safe_text(note, style="bold"), soft_wrap=True)
        return EXIT_OK
    # The review still shows where the workloads would go now: it is what `--lock` would write, the fix.
    stale = lock_problems(fleet, lock, catalog, clouds, settings.stack)
    arguments.write_json(args, placement.to_output())
    if not arguments.json_to_stdout(args):
        out = console()
        render(out, settings.stack, fleet.max_cost_premium_percent, placement)
        render_lock_status(out, settings.stack, placement, lock, catalog)
        for use in [] if stale else lock_overruns(fleet, lock, catalog):  # why the placement differs, as previewed
            out.print(safe_text(f"As locked: {use.render()}"))
    if stale:  # the program refuses this lock: the stack as it is cannot be previewed or deployed
        print(inert(lock_error(stale).render()), file=sys.stderr)
        print(inert(f"`gpufleet preview {settings.stack}` refuses this lock; `gpufleet place {settings.stack} --lock` "
                    f"rewrites {LOCK_KEY} with this placement (or correct the lock by hand)"), file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def render_lock_status(out: Console, stack: str, placement: Placement, lock: PlacementLock, catalog: Catalog) -> None:
    """The catalog used; a line per workload the lock says something about (locked here, or locked elsewhere
    than this placement); the workloads not locked in one line, since at fleet scale they are hundreds."""
    out.print(safe_text(f"Catalog: {catalog.version} ({catalog.data_description})"))
    unlocked = []
    for name, d in placement.decisions.items():
        entry = lock.workloads.get(name)
        if entry is None:
            unlocked.append(name)
        elif (entry.cloud, entry.region, entry.instance_type) != (d.chosen.cloud, d.chosen.region,
                                                                  d.chosen.instance_type):
            out.print(safe_text(f"{name}: locked at {entry.cloud} {entry.region} {entry.instance_type}; this placement "
                                f"differs (adopt it with `gpufleet place {stack} --lock`)"))
        else:
            out.print(safe_text(f"{name}: locked here"))
    if unlocked:
        out.print(safe_text(f"not locked: {count(len(unlocked), 'workload')} ({first_few(unlocked)}): "
                            f"`gpufleet place {stack} --lock` records this placement"))


def _delta(value: float | None, unit: str, digits: int) -> str:
    return f"? {unit}" if value is None else f"{value:+,.{digits}f} {unit}"


def _figure(value: float | None, digits: int = 0) -> str:
    return "unknown" if value is None else f"{value:,.{digits}f}"


def _placed(o: Option) -> str:
    return f"{o.cloud} {o.region}\n{o.nodes} × {o.instance_type}"


def render(out: Console, stack: str, premium: float, placement: Placement) -> None:
    objective = _OBJECTIVES[placement.objective].format(premium=premium)
    out.print(f"[bold]Placement of stack {shown(stack)}[/bold] — objective {placement.objective}: {objective}")
    out.print(
        f"Total: {_figure(placement.total_monthly_usd, 2)} USD/month · {_figure(placement.total_monthly_kwh)} "
        f"kWh/month · {_figure(placement.total_monthly_kgco2e)} kgCO2e/month"
    )
    for note in placement.proof_notes():
        out.print(safe_text(note, style="bold"))
    columns = [Column("workload", "name", keep=True), Column("placed", "name", keep=True),
               Column("USD/month", "figure", keep=True), Column("kgCO2e/month", "figure", keep=True)]
    rows = [(f"{name}\n{count(d.chosen.gpus, 'GPU')}", _placed(d.chosen), _figure(d.chosen.monthly_usd, 2),
             _figure(d.chosen.monthly_kgco2e)) for name, d in placement.decisions.items()]
    print_table(out, columns, rows, lines=True)
    # Why, and what else was considered: as wrapped text under the table, readable at any width.
    for name, d in placement.decisions.items():
        c = d.chosen
        out.print(Text.assemble((inert(name), "bold"), inert(f": {d.reason}")))
        details = [f"binding: {b}" for b in d.binding]
        for o in d.runners_up:
            x = o.to_output(relative_to=c)
            details.append(f"runner-up {o.where} {o.instance_type}: {_delta(x['delta_monthly_usd'], 'USD', 0)}, "
                           f"{_delta(x['delta_monthly_kgco2e'], 'kg', 0)}")
        details.append("fallbacks: " + (", ".join(o.where for o in d.fallbacks) or "none"))
        for line in details:
            out.print(Padding(safe_text(line), (0, 0, 0, 2)))
    for use in placement.constraints:
        out.print(safe_text(use.render()) + (Text(" (binding)", style="bold") if use.binding else Text("")))
    # A note is the same for every workload of a kind (hundreds at fleet scale): once, with whom it concerns.
    concerns: dict[str, list[str]] = {}
    for d in placement.decisions.values():
        for note in d.notes:
            concerns.setdefault(note, []).append(d.workload)
    for note, names in concerns.items():
        out.print(safe_text(f"{first_few(names)}: {note}", style="dim"))
