"""`gpufleet` command line: one module per command under `gpufleet/commands/`.

Exit codes: 0 ok; 1 a mandatory policy was violated; 2 a usage or configuration error (printed
as a list of problems, never a traceback); 3 the Pulumi program itself failed.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from gpufleet.errors import Problem, UserError, did_you_mean

EXIT_OK, EXIT_POLICY, EXIT_USAGE, EXIT_PROGRAM = 0, 1, 2, 3

# command name -> module under gpufleet.commands exposing `add_arguments(parser)` and `run(args) -> int`
COMMANDS = {
    "preview": "Run a stack's Pulumi program offline; show resources, GPUs, cost, energy, carbon, policies.",
    "regions": "Rank the regions that can host N GPUs of a model by carbon, cost or both.",
    "place": "Show where a stack's workloads are placed, and why.",
    "report": "Markdown for a pull-request comment from a plan (and a base plan).",
    "diff": "Compare two plans in the terminal.",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as gpufleet problems (exit 2) with "did you mean"."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError([Problem(self.prog, message)], heading="usage error")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gpufleet", description="Place, declare, price and police GPU fleets on Pulumi.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"gpufleet.commands.{name}")
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        problem = Problem("gpufleet", "unknown command", argv[0], tuple(COMMANDS), did_you_mean(argv[0], COMMANDS))
        print(UserError([problem], heading="usage error").render(), file=sys.stderr)
        return EXIT_USAGE
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        module = importlib.import_module(f"gpufleet.commands.{args.command}")
        return module.run(args)
    except UserError as e:
        print(e.render(), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
