"""`gpufleet report PLAN [--base BASE]`: Markdown for a pull-request comment.

PLAN and BASE are plan files (gpufleet's, `pulumi preview --json` or `pulumi stack export` output) or
two folders of them paired by file name (one plan per stack).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gpufleet.errors import Problem, UserError
from gpufleet.report import load_reports, render_markdown


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=Path, help="head plan file, or a folder of plan files (one per stack)")
    parser.add_argument("--base", type=Path, help="base plan file (or folder) to compare with")
    parser.add_argument("--output", "-o", type=Path, help="write the Markdown to this file instead of stdout")


def run(args: argparse.Namespace) -> int:
    text = render_markdown(load_reports(args.plan, args.base))
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise UserError([Problem("--output", f"cannot write: {e.strerror}", str(args.output))],
                            heading="usage error") from None
    else:
        sys.stdout.write(text)
    return 0
