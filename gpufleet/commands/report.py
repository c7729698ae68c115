"""`gpufleet report PLAN [--base BASE]`: the pull-request report of a change.

In the terminal, what changed (headline, changed stacks first, one line per other stack); with
`--output FILE|-` the Markdown of the pull-request comment; with `--json FILE|-` the report as JSON.
PLAN and BASE are plan files (gpufleet's, `pulumi preview --json` or `pulumi stack export` output) or
two folders of them paired by file name (one plan per stack).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gpufleet.commands import _arguments as arguments
from gpufleet.commands._terminal import console
from gpufleet.errors import Problem
from gpufleet.report import load_reports, render_markdown
from gpufleet.report.document import report_json
from gpufleet.report.terminal import render_text
from gpufleet.report.verdict import Thresholds

HEAD_ERROR_TAIL_BYTES = 64 * 1024  # the end of a failed preview's output is where its error is


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=Path, help="head plan file, or a folder of plan files (one per stack)")
    parser.add_argument("--base", type=Path, help="base plan file (or folder) to compare with")
    parser.add_argument("--output", "-o", metavar="FILE|-",
                        help="write the Markdown of the pull-request comment to FILE (or stdout with '-')")
    arguments.add_json(parser, "the report")
    parser.add_argument("--head-error", type=Path, metavar="FILE",
                        help="the output of a head preview that failed: the report says so and shows it")
    parser.add_argument("--min-usd", type=float, metavar="USD",
                        help="a stack whose |change| is below this many USD/month (and every other threshold) "
                             "counts as unchanged")
    parser.add_argument("--min-percent", type=float, metavar="PERCENT",
                        help="the same, as a percentage of the base's USD/month")
    parser.add_argument("--min-tco2e", type=float, metavar="TCO2E", help="the same, in tCO2e/month")


def _thresholds(args: argparse.Namespace) -> tuple[Thresholds, list[Problem]]:
    problems = [Problem(flag, "must be a finite number of 0 or more", value)
                for flag, value in (("--min-usd", args.min_usd), ("--min-percent", args.min_percent),
                                    ("--min-tco2e", args.min_tco2e))
                if value is not None and not 0 <= value < float("inf")]
    return Thresholds(args.min_usd, args.min_percent, args.min_tco2e), problems


def _tail(path: Path) -> str:
    """The end of a log, as text whatever its bytes (it is shown, never parsed)."""
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - HEAD_ERROR_TAIL_BYTES))
            data = f.read()
    except OSError as e:
        arguments.check([Problem("--head-error", f"cannot read: {e.strerror}", str(path))])
    return data.decode("utf-8", "replace")


def run(args: argparse.Namespace) -> int:
    thresholds, problems = _thresholds(args)
    head_given = args.plan.exists() or args.head_error is None
    problems += arguments.existing("plan", args.plan) if head_given else []
    problems += arguments.writable("--output", args.output) + arguments.writable("--json", args.json_file)
    if args.base is not None:
        problems += arguments.existing("--base", args.base)
    problems += arguments.existing_file("--head-error", args.head_error)
    arguments.check(problems)
    head_error = None if args.head_error is None else _tail(args.head_error)
    reports = load_reports(args.plan, args.base, head_may_be_empty=head_error is not None)
    arguments.write_json(args, {**report_json(reports), "head_error": head_error})
    if args.output:
        arguments.write_text("--output", args.output,
                             render_markdown(reports, thresholds=thresholds, head_error=head_error))
    elif not arguments.json_to_stdout(args):
        sys.stdout.write(render_text(reports, console().width, thresholds=thresholds, head_error=head_error))
    return 0
