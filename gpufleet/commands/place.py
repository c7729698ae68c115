"""`gpufleet place STACK`: where a stack's workloads go, and why, on one screen."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from gpufleet.catalog import load_catalog
from gpufleet.clouds import component_clouds
from gpufleet.commands import _arguments as arguments
from gpufleet.commands._progress import Progress
from gpufleet.commands._terminal import Column, console, print_table
from gpufleet.placement import Option, Placement, place
from gpufleet.stacks import load_fleet

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


def run(args: argparse.Namespace) -> int:
    arguments.check(arguments.existing_folder("--program", args.program) + arguments.writable("--json", args.json_file))
    # Place as the program does: on the clouds its components can build.
    settings, fleet = load_fleet(args.program, args.stack)
    with Progress(quiet=args.quiet).running(f"placing {len(fleet.workloads)} workloads of stack {settings.stack}"):
        placement = place(fleet, load_catalog(), clouds=component_clouds())
    arguments.write_json(args, placement.to_output())
    if not arguments.json_to_stdout(args):
        render(console(), settings.stack, fleet.max_cost_premium_percent, placement)
    return 0


def _delta(value: float | None, unit: str, digits: int) -> str:
    return f"? {unit}" if value is None else f"{value:+,.{digits}f} {unit}"


def _figure(value: float | None, digits: int = 0) -> str:
    return "unknown" if value is None else f"{value:,.{digits}f}"


def _placed(o: Option) -> str:
    return f"{o.cloud} {o.region}\n{o.nodes} × {o.instance_type}"


def render(out: Console, stack: str, premium: float, placement: Placement) -> None:
    objective = _OBJECTIVES[placement.objective].format(premium=premium)
    out.print(f"[bold]Placement of stack {escape(stack)}[/bold] — objective {placement.objective}: {objective}")
    out.print(
        f"Total: {_figure(placement.total_monthly_usd, 2)} USD/month · {_figure(placement.total_monthly_kwh)} "
        f"kWh/month · {_figure(placement.total_monthly_kgco2e)} kgCO2e/month"
    )
    columns = [Column("workload", "name", keep=True), Column("placed", "name", keep=True),
               Column("USD/month", "figure", keep=True), Column("kgCO2e/month", "figure", keep=True)]
    rows = [(f"{name}\n{d.chosen.gpus:,} GPUs", _placed(d.chosen), _figure(d.chosen.monthly_usd, 2),
             _figure(d.chosen.monthly_kgco2e)) for name, d in placement.decisions.items()]
    print_table(out, columns, rows, lines=True)
    # Why, and what else was considered: as wrapped text under the table, readable at any width.
    for name, d in placement.decisions.items():
        c = d.chosen
        out.print(Text.assemble((name, "bold"), f": {d.reason}"))
        details = [f"binding: {b}" for b in d.binding]
        for o in d.runners_up:
            x = o.to_output(relative_to=c)
            details.append(f"runner-up {o.where} {o.instance_type}: {_delta(x['delta_monthly_usd'], 'USD', 0)}, "
                           f"{_delta(x['delta_monthly_kgco2e'], 'kg', 0)}")
        details.append("fallbacks: " + (", ".join(o.where for o in d.fallbacks) or "none"))
        for line in details:
            out.print(Padding(Text(line), (0, 0, 0, 2)))
    for use in placement.constraints:
        out.print(Text(use.render()) + (Text(" (binding)", style="bold") if use.binding else Text("")))
    for d in placement.decisions.values():
        for note in d.notes:
            out.print(Text(f"{d.workload}: {note}", style="dim"))
