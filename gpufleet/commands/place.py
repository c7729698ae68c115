"""`gpufleet place STACK`: where a stack's workloads go, and why, on one screen."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gpufleet.catalog import load_catalog
from gpufleet.clouds import component_clouds
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
    parser.add_argument("--json", action="store_true", help="print the placement (the stack output) as JSON only")


def run(args: argparse.Namespace) -> int:
    # Place as the program does: on the clouds its components can build.
    settings, fleet = load_fleet(args.program, args.stack)
    placement = place(fleet, load_catalog(), clouds=component_clouds())
    if args.json:
        print(json.dumps(placement.to_output(), indent=2))
        return 0
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    render(console, settings.stack, fleet.max_cost_premium_percent, placement)
    return 0


def _delta(value: float | None, unit: str, digits: int) -> str:
    return f"? {unit}" if value is None else f"{value:+,.{digits}f} {unit}"


def _figure(value: float | None, digits: int = 0) -> str:
    return "unknown" if value is None else f"{value:,.{digits}f}"


def _placed(o: Option) -> str:
    return f"{o.cloud} {o.region}\n{o.nodes} × {o.instance_type}"


def render(console: Console, stack: str, premium: float, placement: Placement) -> None:
    objective = _OBJECTIVES[placement.objective].format(premium=premium)
    console.print(f"[bold]Placement of stack {stack}[/bold] — objective {placement.objective}: {objective}")
    console.print(
        f"Total: {_figure(placement.total_monthly_usd, 2)} USD/month · {_figure(placement.total_monthly_kwh)} "
        f"kWh/month · {_figure(placement.total_monthly_kgco2e)} kgCO2e/month"
    )
    table = Table(show_lines=True)
    for name, justify in [("workload", "left"), ("placed", "left"), ("USD/month", "right"),
                          ("kgCO2e/month", "right"), ("why", "left"), ("runners-up (Δ vs placed)", "left"),
                          ("fallbacks", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for name, d in placement.decisions.items():
        c = d.chosen
        why = "\n".join([d.reason, *(f"binding: {b}" for b in d.binding)])
        deltas = [o.to_output(relative_to=c) for o in d.runners_up]
        runners = "\n".join(
            f"{o.where} {o.instance_type}: {_delta(x['delta_monthly_usd'], 'USD', 0)}, "
            f"{_delta(x['delta_monthly_kgco2e'], 'kg', 0)}"
            for o, x in zip(d.runners_up, deltas)
        ) or "none"
        fallbacks = "\n".join(o.where for o in d.fallbacks) or "none"
        table.add_row(f"{name}\n{c.gpus} GPUs", _placed(c), _figure(c.monthly_usd, 2), _figure(c.monthly_kgco2e),
                      why, runners, fallbacks)
    console.print(table)
    for use in placement.constraints:
        console.print(use.render() + (" [bold](binding)[/bold]" if use.binding else ""))
    for d in placement.decisions.values():
        for note in d.notes:
            console.print(f"{d.workload}: {note}", style="dim")
