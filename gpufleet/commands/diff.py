"""`gpufleet diff BASE HEAD`: the report's comparison, as text for the terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gpufleet.commands import _arguments as arguments
from gpufleet.commands._terminal import console
from gpufleet.report import load_reports, render_diff
from gpufleet.report.document import report_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", type=Path, help="base plan file, or a folder of plan files (one per stack)")
    parser.add_argument("head", type=Path, help="head plan file (or folder) compared with the base")
    arguments.add_json(parser, "the comparison")


def run(args: argparse.Namespace) -> int:
    arguments.check(arguments.existing("base", args.base) + arguments.existing("head", args.head)
                    + arguments.writable("--json", args.json_file))
    reports = load_reports(args.head, args.base)
    arguments.write_json(args, report_json(reports))
    if not arguments.json_to_stdout(args):
        sys.stdout.write(render_diff(reports, console().width))
    return 0
