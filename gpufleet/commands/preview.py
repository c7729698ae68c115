"""`gpufleet preview STACK`: the offline preview, summarised on one screen."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gpufleet.errors import Problem, UserError
from gpufleet.offline import ProgramError
from gpufleet.preview import DEFAULT_POLICY_PACK, PreviewResult, preview

UNKNOWN_TEXT = "unknown"
MAX_ROWS = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", help="stack name: reads stacks/Pulumi.<STACK>.yaml (or the program's stackConfigDir)")
    parser.add_argument("--program", type=Path, default=Path("."), metavar="DIR",
                        help="a Pulumi Python project (Pulumi.yaml + stack files); default: current directory")
    parser.add_argument("--json", type=Path, metavar="FILE", dest="json_file",
                        help="write the plan in the shape of `pulumi preview --json`, plus a `gpufleet` object")
    parser.add_argument("--policy-pack", type=Path, default=DEFAULT_POLICY_PACK, metavar="DIR",
                        help="CrossGuard pack to run (default: gpufleet's policies/)")
    parser.add_argument("--policy-config", type=Path, metavar="FILE",
                        help="policy config (pulumi --policy-pack-config format); default: <pack>/<STACK>.json")
    parser.add_argument("--no-policies", action="store_true", help="skip the policy pack")
    parser.add_argument("--fast-policies", action="store_true",
                        help="evaluate policies in-process instead of over the engine's gRPC protocol")


def run(args: argparse.Namespace) -> int:
    from gpufleet.cli import EXIT_OK, EXIT_POLICY, EXIT_PROGRAM

    if not args.program.is_dir():
        raise UserError([Problem("--program", "not a directory", str(args.program))], heading="usage error")
    try:
        result = preview(
            args.program,
            args.stack,
            policy_pack=None if args.no_policies else args.policy_pack,
            policy_config_file=args.policy_config,
            in_process_policies=args.fast_policies,
        )
    except ProgramError as e:
        print(f"error: the Pulumi program failed: {e}", file=sys.stderr)
        return EXIT_PROGRAM
    if args.json_file:
        try:
            args.json_file.write_text(json.dumps(result.to_json(), indent=2) + "\n")
        except OSError as e:
            raise UserError([Problem("--json", f"cannot write: {e.strerror}", str(args.json_file))],
                            heading="usage error") from None
    render(result, Console(width=max(Console().width, 110)))
    return EXIT_POLICY if result.mandatory_violations else EXIT_OK


def usd(x: float | None) -> str:
    return UNKNOWN_TEXT if x is None else f"{x:,.2f}"


def num(x: float | None, digits: int = 0) -> str:
    return UNKNOWN_TEXT if x is None else f"{x:,.{digits}f}"


def carbon(kg: float) -> str:
    """kgCO2e below a tonne, tCO2e above, so small fleets do not read as zero."""
    return f"{kg:,.1f} kgCO2e" if kg < 1000 else f"{kg / 1000:,.2f} tCO2e"


def _sum(values: list[float | None]) -> float | None:
    """A sum that stays unknown if any part is unknown."""
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def render(result: PreviewResult, console: Console) -> None:
    run, est = result.run, result.estimate
    s = run.settings
    console.print(f"[bold]gpufleet preview[/] · project [bold]{s.project}[/] · stack [bold]{s.stack}[/] · "
                  f"{len(run.resources)} resources to create")

    counts = Counter(r.type for r in run.resources if r.custom and not r.type.startswith("pulumi:providers:"))
    types = Table(title="Resources by type", title_justify="left", show_edge=False)
    types.add_column("type")
    types.add_column("count", justify="right")
    rows = counts.most_common()
    for t, n in rows[:MAX_ROWS]:
        types.add_row(t, str(n))
    if len(rows) > MAX_ROWS:
        types.add_row(f"… {len(rows) - MAX_ROWS} more types", str(sum(n for _, n in rows[MAX_ROWS:])))
    console.print(types)

    groups: dict[tuple, list] = defaultdict(list)
    for e in est.resources.values():
        if e.gpus:
            groups[(e.cloud, e.region, e.instance_type, e.capacity_type)].append(e)
    gpu = Table(title="GPU capacity (monthly)", title_justify="left", show_edge=False)
    for col in ("cloud", "region", "instance type", "capacity", "nodes", "GPUs", "USD", "kWh", "kgCO2e"):
        gpu.add_column(col, justify="right" if col in ("nodes", "GPUs", "USD", "kWh", "kgCO2e") else "left")
    for (cloud, region, itype, cap), es in sorted(groups.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        gpu.add_row(cloud, region, itype, cap, str(sum(e.nodes or 0 for e in es)), str(sum(e.gpus for e in es)),
                    usd(_sum([e.monthly_usd for e in es])), num(_sum([e.monthly_kwh for e in es])),
                    num(_sum([e.monthly_kgco2e for e in es])))
    console.print(gpu if groups else "No GPU capacity in this plan.")

    unpriced = est.unpriced
    partial = " (known items only; see unpriced below)" if unpriced else ""
    console.print(
        f"[bold]Total[/]: {est.gpus} GPUs · {usd(est.total('monthly_usd'))} USD/month · "
        f"{num(est.total('monthly_kwh'))} kWh/month · {carbon(est.total('monthly_kgco2e'))}/month{partial}"
    )
    unknown_energy = [u for u in est.unknown("monthly_kwh") if est.resources[u].gpus]
    if unknown_energy:
        console.print(f"[yellow]Energy and carbon unknown for {len(unknown_energy)} GPU resource(s)[/]: "
                      + ", ".join(u.rsplit("::", 1)[-1] for u in unknown_energy[:MAX_ROWS]))
    if unpriced:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for urn in unpriced:
            why = est.resources[urn].derivation.get("monthly_usd", "").removeprefix("unknown: ")
            by_reason[why].append(urn.rsplit("::", 1)[-1])
        table = Table(title=f"Unpriced: {len(unpriced)} resource(s) cost money but have no price here",
                      title_justify="left", show_edge=False)
        table.add_column("n", justify="right")
        table.add_column("why")
        table.add_column("resources", overflow="fold")
        for why, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_ROWS]:
            shown = ", ".join(names[:2]) + (f", … {len(names) - 2} more" if len(names) > 2 else "")
            table.add_row(str(len(names)), why, shown)
        if len(by_reason) > MAX_ROWS:
            table.add_row("", f"… {len(by_reason) - MAX_ROWS} more reasons", "see --json: gpufleet.unpriced")
        console.print(table)

    if result.policy_environment is None:
        console.print("Policies: not run (--no-policies)")
        return
    if not result.violations:
        console.print(f"[green]Policies ({result.policy_environment}): no violations[/]")
        return
    table = Table(title=f"Policy violations ({result.policy_environment}): {len(result.mandatory_violations)} "
                        f"mandatory, {len(result.violations) - len(result.mandatory_violations)} advisory",
                  title_justify="left", show_edge=False)
    for col in ("level", "policy", "resource", "message"):
        table.add_column(col, overflow="fold")
    for v in result.violations[: MAX_ROWS * 2]:
        style = "red" if v.level == "mandatory" else "yellow"
        table.add_row(f"[{style}]{v.level}[/]", v.policy, (v.urn or "stack").rsplit("::", 1)[-1], v.message)
    if len(result.violations) > MAX_ROWS * 2:
        table.add_row("", f"… {len(result.violations) - MAX_ROWS * 2} more", "", "see --json: gpufleet.violations")
    console.print(table)
