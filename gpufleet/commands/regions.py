"""`gpufleet regions`: rank the regions that can host N GPUs of a model by carbon, cost or both.

Without a stack there is no workload profile, so the figures assume the capacity runs 730 h a month
at 100 % GPU utilisation (an upper bound: always on, flat out) unless --hours / --utilization say
otherwise. Regions whose objective figure is unknown are listed after every known one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.text import Text

from gpufleet.catalog import CLOUDS, load_catalog
from gpufleet.clouds import site_cloud
from gpufleet.commands import _arguments as arguments
from gpufleet.commands._terminal import Column, console, print_table
from gpufleet.errors import Problem, UserError
from gpufleet.footprint import HOURS_PER_MONTH
from gpufleet.placement import Option, PlacementError, rank_regions
from gpufleet.placement.model import OBJECTIVES
from gpufleet.placement.options import known, needs_known
from gpufleet.stacks import load_fleet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gpu", required=True, help="GPU model or family, e.g. H100, A100-80GB")
    parser.add_argument("--gpus", required=True, type=int, help="number of GPUs to host")
    parser.add_argument("--cloud", default=",".join(CLOUDS),
                        help=f"comma-separated clouds to rank (default: all, {','.join(CLOUDS)})")
    parser.add_argument("--objective", default="balanced",
                        help=f"{'|'.join(OBJECTIVES)} (default: balanced: least carbon within "
                             "--max-cost-premium of the cheapest)")
    parser.add_argument("--max-cost-premium", type=float, default=10.0, metavar="PERCENT",
                        help="balanced: cost premium over the cheapest region allowed (default: 10)")
    parser.add_argument("--utilization", type=float, default=100.0, metavar="PERCENT",
                        help="GPU utilisation for energy and carbon (default: 100, an upper bound)")
    parser.add_argument("--hours", type=float, default=HOURS_PER_MONTH,
                        help=f"hours a month the capacity runs (default: {HOURS_PER_MONTH:g}, always on)")
    parser.add_argument("--stack", metavar="STACK",
                        help="rank the stack's owned sites too (its gpufleet:fleet `sites:`, as regions of "
                             "their cloud, within their GPUs)")
    parser.add_argument("--program", type=Path, default=Path("."), metavar="DIR",
                        help="the Pulumi project directory of --stack (default: the current directory)")
    arguments.add_json(parser, "the ranking (best first)")


def _clouds(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def row(catalog, rank: int | None, o: Option) -> dict:
    region = catalog.regions[(o.cloud, o.region)]
    return {
        "rank": rank,
        "cloud": o.cloud,
        "region": o.region,
        "location": region.location,
        "instance_type": o.instance_type,
        "nodes": o.nodes,
        "gpus": o.gpus,
        "node_usd_per_hour": o.footprint.usd_per_hour,
        **{k: v for k, v in o.to_output().items() if k.startswith("monthly_")},
        "grid_gco2e_per_kwh": region.grid_gco2e_per_kwh,
        "pue": region.pue,
        "grid_year": region.grid_year or None,
        "pue_year": region.pue_year or None,
    }


def _check_flags(args: argparse.Namespace) -> None:
    problems = []
    if not _clouds(args.cloud):
        problems.append(Problem("--cloud", "names no cloud", args.cloud, CLOUDS))
    host = site_cloud()
    if host is not None and host.name in _clouds(args.cloud) and args.stack is None:
        problems.append(Problem("--cloud", f"the regions of {host.name} are a stack's sites: name the stack "
                                "with --stack", args.cloud))
    if args.max_cost_premium < 0:
        problems.append(Problem("--max-cost-premium", "must be 0 % or more", args.max_cost_premium))
    if problems:
        raise UserError(problems, heading="invalid request")
    arguments.check(arguments.writable("--json", args.json_file)
                    + (arguments.existing_folder("--program", args.program) if args.stack else []))


def run(args: argparse.Namespace) -> int:
    _check_flags(args)
    catalog = load_catalog()
    site_gpus: dict[str, int] = {}
    if args.stack is not None:
        _, fleet = load_fleet(args.program, args.stack)
        catalog = fleet.catalog(catalog)
        site_gpus = {it: entry.count for it, _, _, _, entry in fleet.site_gpu_types(catalog)}
    options = rank_regions(catalog, args.gpu, args.gpus, _clouds(args.cloud), args.objective,
                           utilization=args.utilization / 100, hours=args.hours,
                           max_cost_premium_percent=args.max_cost_premium)
    # A site offers only the GPUs it has.
    fits = [o for o in options if o.gpus <= site_gpus.get(o.instance_type, o.gpus)]
    if not fits:
        raise PlacementError([Problem("--gpus", "more GPUs than the stack's sites have: " + ", ".join(
            f"{o.region} {site_gpus[o.instance_type]}" for o in options), args.gpus)], heading="nothing to rank")
    options = fits
    figures = needs_known(args.objective)
    ranked = sum(known(o, figures) for o in options)
    rows = [row(catalog, i + 1 if i < ranked else None, o) for i, o in enumerate(options)]
    arguments.write_json(args, rows)
    if not arguments.json_to_stdout(args):
        _print(args, rows, len(rows) - ranked)
    return 0


def _money(v: float | None) -> str:
    return "unknown" if v is None else f"{v:,.2f}"


def _number(v: float | None, digits: int = 0) -> str:
    return "unknown" if v is None else f"{v:,.{digits}f}"


def _print(args: argparse.Namespace, rows: list[dict], unknown: int) -> None:
    out = console()
    premium = f" within +{args.max_cost_premium:g} % of the cheapest" if args.objective == "balanced" else ""
    columns = [Column("#", "figure", keep=True), Column("region", "name", keep=True),
               Column("instance type", "name", keep=True),
               Column("nodes", "figure", drop_order=4), Column("USD/h each", "figure", drop_order=5),
               Column("USD/month", "figure", keep=True), Column("kWh/month", "figure", drop_order=6),
               Column("kgCO2e/month", "figure", keep=True), Column("gCO2e/kWh", "figure", drop_order=3),
               Column("PUE", "figure", drop_order=7), Column("year grid/PUE", "name", drop_order=8)]
    table_rows = [
        (str(r["rank"]) if r["rank"] else "-", f"{r['cloud']} {r['region']}", r["instance_type"], f"{r['nodes']:,}",
         _money(r["node_usd_per_hour"]), _money(r["monthly_usd"]), _number(r["monthly_kwh"]),
         _number(r["monthly_kgco2e"]), _number(r["grid_gco2e_per_kwh"], 2), _number(r["pue"], 2),
         f"{r['grid_year'] or '?'}/{r['pue_year'] or '?'}")
        for r in rows
    ]
    print_table(out, columns, table_rows,
                title=f"Regions for {args.gpus:,} × {args.gpu} by {args.objective}{premium} — "
                      f"{args.hours:g} h/month at {args.utilization:g} % GPU utilisation",
                row_styles=["dim" if r["rank"] is None else None for r in rows])
    if unknown:
        out.print(Text(f"{unknown} region(s) after the ranking: a figure the {args.objective} objective needs is "
                       "unknown in the catalog (never counted as free or clean)."))
    if args.utilization == 100 and args.hours == HOURS_PER_MONTH:
        out.print("Energy and carbon assume always on at 100 % utilisation (an upper bound); "
                  "see --utilization and --hours.")
