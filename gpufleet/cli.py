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


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: gpufleet COMMAND [options]   (gpufleet COMMAND --help for its options)", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one command; only that command's module is imported (start-up stays fast)."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return EXIT_OK if argv else EXIT_USAGE
    name = argv[0]
    try:
        if name not in COMMANDS:
            raise UserError([Problem("gpufleet", "unknown command", name, tuple(COMMANDS),
                                     did_you_mean(name, COMMANDS))], heading="usage error")
        module = importlib.import_module(f"gpufleet.commands.{name}")
        parser = _Parser(prog=f"gpufleet {name}", description=COMMANDS[name])
        module.add_arguments(parser)
        return module.run(parser.parse_args(argv[1:]))
    except UserError as e:
        print(e.render(), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
