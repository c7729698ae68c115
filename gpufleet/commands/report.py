"""`gpufleet report PLAN [--base BASE]`: the pull-request report, as Markdown for a comment.

PLAN and BASE are plan files (gpufleet's, `pulumi preview --json` or `pulumi stack export` output) or
two folders of them paired by file name (one plan per stack).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gpufleet.commands import _arguments as arguments
from gpufleet.report import load_reports, render_markdown
from gpufleet.report.document import report_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=Path, help="head plan file, or a folder of plan files (one per stack)")
    parser.add_argument("--base", type=Path, help="base plan file (or folder) to compare with")
    parser.add_argument("--output", "-o", metavar="FILE|-", help="write the Markdown to this file instead of stdout")
    arguments.add_json(parser, "the report")


def run(args: argparse.Namespace) -> int:
    problems = arguments.existing("plan", args.plan) + arguments.writable("--output", args.output)
    if args.base is not None:
        problems += arguments.existing("--base", args.base)
    arguments.check(problems + arguments.writable("--json", args.json_file))
    reports = load_reports(args.plan, args.base)
    arguments.write_json(args, report_json(reports))
    text = render_markdown(reports)
    if args.output:
        arguments.write_text("--output", args.output, text)
    elif not arguments.json_to_stdout(args):
        sys.stdout.write(text)
    return 0
