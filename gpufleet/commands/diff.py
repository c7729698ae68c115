"""`gpufleet diff BASE HEAD`: the report's comparison, as text for the terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gpufleet.report import load_reports, render_diff


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", type=Path, help="base plan file, or a folder of plan files (one per stack)")
    parser.add_argument("head", type=Path, help="head plan file (or folder) compared with the base")


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(render_diff(load_reports(args.head, args.base)))
    return 0
