"""`gpufleet preview STACK`: the offline preview, summarised on one screen."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml
from rich.cells import chop_cells
from rich.console import Console
from rich.text import Text

from gpufleet.commands import _arguments as arguments
from gpufleet.commands._progress import Progress
from gpufleet.commands._terminal import Column, console, print_table, print_violations, safe_text, shown
from gpufleet.commands.catalog_option import add_catalog_argument, catalog_from_arguments
from gpufleet.errors import Problem, UserError
from gpufleet.estimate.plan import DIGITS, PlanEstimate, gpu_capacity_label
from gpufleet.offline import ProgramError, ProgramRun
from gpufleet.offline.outputs import output_lines
from gpufleet.offline.plan import non_finite_path
from gpufleet.offline.project import read_stack_reference
from gpufleet.offline.runner import DEFAULT_STALL_SECONDS
from gpufleet.preview import DEFAULT_POLICY_PACK, PreviewResult, preview
from gpufleet.report import fmt
from gpufleet.secrets import Redactor
from gpufleet.terminal_text import inert
from gpufleet.words import count, first_few

UNKNOWN_TEXT = "unknown"
MAX_ROWS = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", help="stack name: reads stacks/Pulumi.<STACK>.yaml (or the program's stackConfigDir)")
    parser.add_argument("--program", type=Path, default=Path("."), metavar="DIR",
                        help="a Pulumi Python project (Pulumi.yaml + stack files); default: current directory")
    arguments.add_json(parser, "the plan (the shape of `pulumi preview --json`, plus a `gpufleet` object)")
    parser.add_argument("--policy-pack", type=Path, default=DEFAULT_POLICY_PACK, metavar="DIR",
                        help="CrossGuard pack to run (default: gpufleet's policies/)")
    parser.add_argument("--policy-config", type=Path, metavar="FILE",
                        help="policy config (pulumi --policy-pack-config format); default: <pack>/<STACK>.json")
    parser.add_argument("--no-policies", action="store_true", help="skip the policy pack")
    parser.add_argument("--stack-reference", action="append", default=[], metavar="NAME=FILE",
                        help="outputs of a stack the program reads with StackReference(NAME), from `pulumi stack "
                             "output --json` or `pulumi stack export` (repeatable); otherwise they are unknown")
    parser.add_argument("--stall-timeout", type=float, default=DEFAULT_STALL_SECONDS, metavar="SECONDS",
                        help=f"stop a program that makes no progress this long (default {DEFAULT_STALL_SECONDS:g})")
    parser.add_argument("--fast-policies", action="store_true",
                        help="evaluate policies in-process instead of over the engine's gRPC protocol")
    arguments.add_quiet(parser)
    add_catalog_argument(parser)


def policy_pack_problems(pack: Path, in_process: bool = False) -> list[Problem]:
    """What keeps `pack` from loading as a Python policy pack (`in_process`: on the fast path, too), found
    before the program runs."""
    if not pack.is_dir():
        return [Problem("--policy-pack", "no such folder" if not pack.exists() else "is a file, not a folder",
                        str(pack))]
    spec = pack / "PulumiPolicy.yaml"
    try:
        doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except OSError:
        return [Problem("--policy-pack", "not a policy pack: no readable PulumiPolicy.yaml", str(pack))]
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return [Problem("--policy-pack", f"PulumiPolicy.yaml is not valid YAML: {' '.join(str(e).split())}",
                        str(pack))]
    runtime = doc.get("runtime") if isinstance(doc, dict) else None
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name != "python":
        return [Problem("--policy-pack", "PulumiPolicy.yaml: runtime must be python (gpufleet runs Python packs)",
                        name, ("python",))]
    if not (pack / "__main__.py").is_file():
        return [Problem("--policy-pack", "not a Python policy pack: no __main__.py", str(pack))]
    if in_process:
        from gpufleet.policy.inprocess import fast_path_problems

        return fast_path_problems(pack)
    return []


def check_arguments(args: argparse.Namespace) -> None:
    """Everything that can be wrong with the arguments, before the program runs."""
    problems = arguments.existing_folder("--program", args.program)
    problems += arguments.writable("--json", args.json_file)
    if not args.stall_timeout > 0:
        problems.append(Problem("--stall-timeout", "must be a positive number of seconds", str(args.stall_timeout)))
    if not args.no_policies:
        problems += policy_pack_problems(args.policy_pack, in_process=args.fast_policies)
        problems += arguments.existing_file("--policy-config", args.policy_config)
    arguments.check(problems)


def run(args: argparse.Namespace) -> int:
    from gpufleet.cli import EXIT_OK, EXIT_POLICY, EXIT_PROGRAM, EXIT_USAGE

    pack_errors: tuple[type[Exception], ...] = ()  # none without the pack: its driver is not even imported
    if not args.no_policies:
        from gpufleet.policy.analyzer import PolicyPackError

        pack_errors = (PolicyPackError,)
    check_arguments(args)
    catalog_from_arguments(args)  # a bad overlay is a usage error before anything runs
    try:
        result = preview(
            args.program,
            args.stack,
            policy_pack=None if args.no_policies else args.policy_pack,
            policy_config_file=args.policy_config,
            in_process_policies=args.fast_policies,
            steps=Progress(quiet=args.quiet),
            stack_references=dict(read_stack_reference(option) for option in args.stack_reference),
            stall_seconds=args.stall_timeout,
        )
    except ProgramError as e:
        if e.setting is not None:
            what = "has an invalid value for" if e.kind == "ConfigTypeError" else "lacks"
            print(inert(f"error: the stack configuration {what} {e.setting}: {e}"), file=sys.stderr)
            return EXIT_USAGE
        print(inert(f"error: the Pulumi program failed: {e}"), file=sys.stderr)
        return EXIT_PROGRAM
    except pack_errors as e:
        if args.policy_pack.resolve() == DEFAULT_POLICY_PACK.resolve():
            raise  # gpufleet's own pack failing is gpufleet's bug (exit 4)
        print(inert(f"error: the policy pack {args.policy_pack} failed: {e}"), file=sys.stderr)
        return EXIT_USAGE
    if args.json_file is not None:
        plan = result.to_json()
        where = non_finite_path(plan)
        if where is not None:  # Python's json would write `Infinity`/`NaN`, which no JSON reader takes
            print(inert(f"error: the Pulumi program failed: the plan's {where} is not a finite number (inf or NaN), "
                        "which a plan file cannot hold (JSON has none; `pulumi preview --json` fails on it too): "
                        "make it a finite number or a string, or preview without --json"), file=sys.stderr)
            return EXIT_PROGRAM
        arguments.write_json(args, plan)
    if not arguments.json_to_stdout(args):
        render(result, console())
    return EXIT_POLICY if result.mandatory_violations else EXIT_OK


def usd(x: float | None) -> str:
    return UNKNOWN_TEXT if x is None else f"{x:,.2f}"


def num(x: float | None, digits: int = 0) -> str:
    return UNKNOWN_TEXT if x is None else f"{x:,.{digits}f}"


def carbon(kg: float | None) -> str:
    """kgCO2e below a tonne, tCO2e above, so small fleets do not read as zero."""
    if kg is None:
        return f"{UNKNOWN_TEXT} kgCO2e"
    return f"{kg:,.1f} kgCO2e" if kg < 1000 else f"{kg / 1000:,.2f} tCO2e"


def _sum(values: list[float | None]) -> float | None:
    """A sum that stays unknown if any part is unknown."""
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _reported(estimates: list, figure: str) -> list[float | None]:
    """Each estimate's `figure` rounded as the totals add it up (`PlanEstimate.total`), so rows add up to them."""
    return [None if (v := getattr(e, figure)) is None else round(v, DIGITS[figure]) for e in estimates]


def _name(urn: str | None) -> str:
    return (urn or "stack").rsplit("::", 1)[-1]


def _names(urns: list[str]) -> dict[str, str]:
    """Each URN's name, with its type's class where another of `urns` has the same name: an Elastic IP
    and a NAT gateway both called "nat" read "nat (Eip)", "nat (NatGateway)"."""
    counts = Counter(_name(u) for u in urns)
    return {u: _name(u) if counts[_name(u)] == 1 else f"{_name(u)} ({u.rsplit('::', 2)[-2].rsplit(':', 1)[-1]})"
            for u in urns}


def render_placement(placement: object, out: Console, stack: str) -> None:
    """gpufleet's own program: the catalog used, what is not proven optimal, workloads not locked, and any
    recommendation to re-place."""
    if not isinstance(placement, dict) or "catalog" not in placement:
        return
    catalog = placement["catalog"]
    out.print(safe_text(f"Catalog: {catalog['version']} ({catalog['data']})"))
    for note in placement.get("not_proven") or []:  # absent from plans made before node limits
        out.print(safe_text(note, style="bold yellow"))
    unlocked = placement["not_locked"]
    if unlocked:  # one line at any size: the names were all listed, 1,000 of them at fleet scale
        out.print(Text.assemble(("Not locked", "yellow"), inert(
            f": {count(len(unlocked), 'workload')} ({first_few(unlocked)}), placed at this run: they may move when the "
            f"catalog changes; lock with `gpufleet place {stack} --lock`")))
    if placement["recommendation"]:
        out.print(Text.assemble(("Recommendation", "bold"), inert(f": {placement['recommendation']['text']}")))
    for note in placement.get("advisories") or []:  # absent from plans made before advisories existed
        out.print(Text.assemble(("Advisory", "yellow"), inert(f": {note}")))


def _types(result: PreviewResult, out: Console) -> None:
    """Resources by type, and the components the offline preview did not expand (multi-language ones,
    Helm charts: their children are not in the plan, so they would otherwise be missing from the count)."""
    run, est = result.run, result.estimate
    counts = Counter(r.type for r in run.resources if r.custom and not r.type.startswith("pulumi:providers:"))
    counts.update(f"{est.assessments[u].type} (component, children not expanded)" for u in est.not_expanded)
    if not counts:
        out.print("No resources in this plan (only the stack and its providers).")
        return
    rows = [(t, f"{n:,}") for t, n in counts.most_common()[:MAX_ROWS]]
    more = counts.most_common()[MAX_ROWS:]
    if more:
        rows.append((f"… {count(len(more), 'more type')}", f"{sum(n for _, n in more):,}"))
    print_table(out, [Column("type", "name", keep=True), Column("count", "figure", keep=True)], rows,
                title="Resources by type")


def _gpus(result: PreviewResult, out: Console) -> None:
    groups: dict[tuple, list] = defaultdict(list)
    for e in result.estimate.resources.values():
        # a pool that scales to zero still shows what it can reach; capacity of unknown size is GPU capacity too
        if e.gpus or e.max_gpus or e.gpus_unknown:
            groups[(e.cloud, e.region, e.instance_type, e.capacity_type)].append(e)
    if not groups:
        out.print("No GPU capacity in this plan.")
        return
    unknown = [u for u, e in result.estimate.resources.items() if e.gpus_unknown]
    if unknown:
        names = _names(unknown)
        listed = [gpu_capacity_label(names[u], result.estimate.resources[u].to_json()) for u in unknown]
        out.print(safe_text(f"GPU capacity of unknown size: {len(unknown):,} resource(s) whose GPU count is not known: "
                            + ", ".join(listed[:MAX_ROWS]) + (f", … {len(listed) - MAX_ROWS} more" if len(listed) > MAX_ROWS else "")
                            + "; the GPU totals leave them out.", style="yellow"))
    columns = [Column("where", "name", keep=True), Column("instance type", "name", keep=True),
               Column("capacity", "name", drop_order=2), Column("nodes", "figure", drop_order=1),
               Column("GPUs", "figure", keep=True), Column("USD", "figure", keep=True),
               Column("kWh", "figure", drop_order=3), Column("kgCO2e", "figure", keep=True)]
    rows = []
    for (cloud, region, itype, cap), es in sorted(groups.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        where = f"{cloud} {region if region is not None else '(region unknown)'}"
        sized = [e for e in es if not e.gpus_unknown]
        nodes = f"{sum(e.nodes or 0 for e in es):,}" if all(e.nodes is not None for e in es) else "unknown"
        gpus = fmt.gpu_range(sum((e.gpus for e in sized), 0),
                             sum((e.gpus if e.max_gpus is None else e.max_gpus for e in sized), 0))
        gpus = fmt.gpus_with_unknown(gpus, bool(sized), len(sized) < len(es))
        rows.append((where, "unknown" if itype is None else str(itype), str(cap), nodes, gpus, usd(_sum(_reported(es, "monthly_usd"))),
                     num(_sum(_reported(es, "monthly_kwh"))), num(_sum(_reported(es, "monthly_kgco2e")))))
    print_table(out, columns, rows, title="GPU capacity (monthly)")


def _reservations(result: PreviewResult, out: Console) -> None:
    if not result.reservations:  # only a fleet's workloads hold reservations
        return
    from gpufleet.report.reservations import reservations, today

    found = reservations(result.reservations)
    if not found:
        return
    now = today()
    rows = [(r.workload, f"{r.kind}\n{r.id}", r.zone, r.period, r.status(now)) for r in found]
    print_table(out, [Column("workload", "name", keep=True), Column("reservation", "name", keep=True),
                      Column("zone", "name", drop_order=1), Column("dates (UTC)", "name", keep=True),
                      Column("status", "text", keep=True)], rows, title="Capacity reservations",
                row_styles=["red" if "ENDED" in row[4] else "yellow" if "ends" in row[4] else None for row in rows])


def _unpriced(result: PreviewResult, out: Console) -> None:
    est = result.estimate
    by_reason: dict[str, list[str]] = defaultdict(list)
    shown_as = _names(est.unpriced)
    for urn in est.unpriced:
        why = est.resources[urn].derivation.get("monthly_usd", "").removeprefix("unknown: ")
        by_reason[why].append(shown_as[urn])
    rows = []
    for why, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_ROWS]:
        shown = ", ".join(names[:2]) + (f", … {len(names) - 2} more" if len(names) > 2 else "")
        rows.append((f"{len(names):,}", why, shown))
    if len(by_reason) > MAX_ROWS:
        rows.append(("", f"… {count(len(by_reason) - MAX_ROWS, 'more reason')}", "see --json: gpufleet.unpriced"))
    print_table(out, [Column("n", "figure", keep=True), Column("why", "text", keep=True),
                      Column("resources", "name", drop_order=1)], rows,
                title=f"Unpriced: {len(est.unpriced):,} resource(s) cost money but have no price here")


def _not_assessed(result: PreviewResult, out: Console) -> None:
    """Types gpufleet does not know, or components it did not expand: their cost is unknown."""
    est = result.estimate
    by_type: dict[tuple[str, str], list[str]] = defaultdict(list)
    for urn in est.not_assessed:
        a = est.assessments[urn]
        by_type[(a.type, a.reason)].append(_name(urn))
    rows = []
    for (type_, why), names in sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_ROWS]:
        rows.append((f"{len(names):,}", type_, why))
    if len(by_type) > MAX_ROWS:
        rows.append(("", f"… {count(len(by_type) - MAX_ROWS, 'more type')}", "see --json: gpufleet.assessment"))
    print_table(out, [Column("n", "figure", keep=True), Column("type", "name", keep=True),
                      Column("why", "text", drop_order=1)], rows,
                title=f"Not assessed: {len(est.not_assessed):,} resource(s) whose cost is unknown to gpufleet")


def _violations(result: PreviewResult, out: Console) -> None:
    """Mandatory first; within a level the stack's own results (budgets, quotas: a handful) before the resources'
    (hundreds at fleet scale). Every mandatory and every stack-wide result is shown, the resources' advisories up
    to a screenful: a cut never hides the budget a fleet exceeds behind its node groups' advisories."""
    from gpufleet.policy.violations import stack_level

    mandatory = [v for v in result.violations if v.mandatory]
    others = [v for v in result.violations if not v.mandatory]
    always = sorted(mandatory, key=lambda v: not stack_level(v.urn)) + [v for v in others if stack_level(v.urn)]
    resources = [v for v in others if not stack_level(v.urn)]
    shown = always + resources[: max(0, MAX_ROWS * 2 - len(always))]
    rows = [(v.level, v.policy, _name(v.urn), v.message) for v in shown]
    if len(shown) < len(result.violations):
        rows.append(("", f"… {len(result.violations) - len(shown)} more", "", "see --json: gpufleet.violations"))
    print_violations(out, f"Policy violations ({result.policy_environment}): {len(mandatory)} mandatory, "
                          f"{len(others)} advisory", rows)


def _not_locked_warnings(placement: object, stack: str) -> set[str]:
    """The warnings gpufleet's own program logs, one per workload, for the workloads the "Not locked" line counts."""
    if not isinstance(placement, dict) or "catalog" not in placement or not placement.get("not_locked"):
        return set()
    from gpufleet.placement.lock import not_locked_warning  # a stack that placed has imported it already

    return {not_locked_warning(name, stack) for name in placement["not_locked"]}


def _diagnostics(run: ProgramRun, out: Console, not_locked: set[str]) -> None:
    """What the program logged (`pulumi.log`, Python warnings), as `pulumi preview` shows it under "Diagnostics".
    An error it logs does not fail the preview, as with the CLI (pulumi/pulumi#5085): it must be seen. The
    `not_locked` warnings repeat the "Not locked" line per workload: counted in one line, so they neither say it
    again hundreds of times nor push the other messages out of the first screenful."""
    styles = {"error": "red", "warning": "yellow"}
    out.print(Text(f"Diagnostics (the program's log): {len(run.diagnostics):,} message(s)", style="bold"))
    listed = [d for d in run.diagnostics if not (d["severity"] == "warning" and d["message"] in not_locked)]
    for d in listed[:MAX_ROWS]:
        out.print(Text.assemble("  ", (f"{d['severity']}:", styles.get(d["severity"], "")), " ",
                                inert(" ".join(str(d["message"]).split()))), overflow="fold")
    if len(listed) > MAX_ROWS:
        out.print(safe_text(f"  … {len(listed) - MAX_ROWS:,} more (see --json: diagnostics)"))
    folded = len(run.diagnostics) - len(listed)
    if folded:
        out.print(Text.assemble("  ", ("warning:", "yellow"), inert(
            f" {count(folded, 'message')}, one per workload under \"Not locked\" above (see --json: diagnostics)")))


def _outputs(result: PreviewResult, out: Console) -> None:
    """The stack's outputs (`pulumi.export`) under "Outputs:", line for line as `pulumi preview` prints them
    (gpufleet.offline.outputs): unknown values `[unknown]`, secrets `[secret]`, everything else in full.
    Last, as the CLI prints them after its diagnostics and policy violations."""
    lines = output_lines(result.run.outputs)
    if not lines:
        return
    redactor = Redactor(result.secrets)  # a secret value that reached an output unmarked is not shown either
    out.print(Text("Outputs:", style="bold"))
    for line in lines:
        # A line longer than the width is cut where the terminal would wrap the CLI's, never re-flowed.
        for piece in chop_cells(inert(redactor.text(line)), out.width) or [""]:
            out.print(Text(piece), soft_wrap=True)


def _total_gpus(est: PlanEstimate) -> str:
    """The GPUs counted, "+ unknown" beside capacity of unknown size ("unknown" when nothing is counted)."""
    return fmt.gpus_with_unknown(fmt.gpu_range(est.gpus, est.max_gpus), bool(est.gpus or est.max_gpus),
                                 any(e.gpus_unknown for e in est.resources.values()))


def render(result: PreviewResult, out: Console) -> None:
    run, est = result.run, result.estimate
    s = run.settings
    out.print(f"[bold]gpufleet preview[/] · project [bold]{shown(s.project)}[/] · stack [bold]{shown(s.stack)}[/]"
              f" · {count(len(run.resources), 'resource')} to create")
    if run.lookups:
        looked_up = ", ".join(f"{token} ({how})" for token, how in list(run.lookups.items())[:MAX_ROWS])
        more = f", … {len(run.lookups) - MAX_ROWS} more" if len(run.lookups) > MAX_ROWS else ""
        out.print(f"[yellow]Looked up offline, not real data[/]: {shown(looked_up)}{more}")
    _types(result, out)
    _gpus(result, out)
    _reservations(result, out)
    gaps = [f"{len(est.unpriced):,} unpriced"] if est.unpriced else []
    gaps += [f"{len(est.not_assessed):,} not assessed"] if est.not_assessed else []
    partial = f" (INCOMPLETE: known items only; {' and '.join(gaps)} below)" if gaps else ""
    def total(figure: str, show: Callable[[float | None], str], unit: str) -> str:
        """A total as known: "unknown" when nothing it is made of is known (money: also when only free parts
        are priced, said so), "(partial)" when some is not — for money, also when a resource was not assessed
        (its cost is unknown), as `gpufleet report` says."""
        value = est.known_total(figure)
        note = " (partial)" if est.partial(figure) else \
            " (only free parts priced)" if figure == "monthly_usd" and est.only_free_priced() else ""
        return f"{show(value)}{unit}{note}"

    out.print(
        f"[bold]Total[/]: {count(_total_gpus(est), 'GPU')} · {total('monthly_usd', usd, ' USD/month')} · "
        f"{total('monthly_kwh', num, ' kWh/month')} · {total('monthly_kgco2e', carbon, '/month')} operational "
        f"+ {total('monthly_embodied_kgco2e', carbon, '/month')} embodied{partial}"
    )
    render_placement(run.outputs.get("placement"), out, s.stack)
    if est.gpu_requests:
        known_gpus = sum(d.gpus or 0 for d in est.gpu_requests.values())
        unknown = [u for u, d in est.gpu_requests.items() if d.gpus is None]
        more = f", plus {len(unknown)} workload(s) whose pod count is unknown" if unknown else ""
        out.print(f"Kubernetes GPU requests (demand on the clusters' nodes, not capacity): {count(known_gpus, 'GPU')} in "
                  f"{len(est.gpu_requests) - len(unknown):,} workload(s){more}")
    secret = [u for u, e in est.resources.items() if e.depends_on_secret]
    if secret:
        out.print(f"[yellow]{len(secret)} estimate(s) depend on a secret value, shown as \\[secret][/]: "
                  + shown(", ".join(_name(u) for u in secret[:MAX_ROWS])))
    unknown_energy = est.unknown("monthly_kwh")
    if unknown_energy:
        more = f", … {len(unknown_energy) - MAX_ROWS} more" if len(unknown_energy) > MAX_ROWS else ""
        out.print(f"[yellow]Energy and carbon unknown for {len(unknown_energy)} resource(s)[/]: "
                  + shown(", ".join(_names(unknown_energy)[u] for u in unknown_energy[:MAX_ROWS]) + more))
    if est.unpriced:
        _unpriced(result, out)
    if est.not_assessed:
        _not_assessed(result, out)
    if est.not_expanded:
        names = ", ".join(f"{_name(u)} ({est.assessments[u].type})" for u in est.not_expanded[:MAX_ROWS])
        out.print(f"[yellow]Not expanded offline: {len(est.not_expanded):,} component(s)[/], whose "
                  f"children's cost is unknown (capacity read from their inputs where gpufleet knows them): {shown(names)}")
    if run.diagnostics:
        _diagnostics(run, out, _not_locked_warnings(run.outputs.get("placement"), s.stack))
    if result.policy_environment is None:
        out.print("Policies: not run (--no-policies)")
    elif not result.violations:
        out.print(f"[green]Policies ({shown(result.policy_environment)}): no violations[/]")
    else:
        _violations(result, out)
    _outputs(result, out)
