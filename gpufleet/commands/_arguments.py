"""Arguments every command shares, checked before the run: `--json FILE|-`, `--quiet`, output paths
that must be writable, input files and folders that must exist.

`--json FILE|-` means the same on every command: write the command's result as JSON to FILE, or to
stdout with `-` (then stdout carries the JSON only; a bare `--json` is `-`). The human summary goes
to the terminal otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from gpufleet.errors import Problem, UserError

STDOUT = "-"
USAGE = "usage error"


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", metavar="FILE|-", nargs="?", const=STDOUT, dest="json_file",
                        help=f"write {what} as JSON to FILE, or to stdout with '-' (stdout then carries only the "
                             "JSON)")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def json_to_stdout(args: argparse.Namespace) -> bool:
    return getattr(args, "json_file", None) == STDOUT


def writable(flag: str, path: str | Path | None) -> list[Problem]:
    """Problems that would stop writing `path` (nothing for stdout or no path), found before the run."""
    if path is None or str(path) == STDOUT:
        return []
    p = Path(path)
    folder = p.parent
    if p.is_dir():
        return [Problem(flag, "is a folder, not a file", str(path))]
    if not folder.is_dir():
        return [Problem(flag, f"folder {str(folder)!r} does not exist", str(path))]
    if (p.exists() and not os.access(p, os.W_OK)) or not os.access(folder, os.W_OK):
        return [Problem(flag, "not writable (permission denied)", str(path))]
    return []


def existing_file(flag: str, path: Path | None) -> list[Problem]:
    if path is None or path.is_file():
        return []
    return [Problem(flag, "is a folder, not a file" if path.is_dir() else "no such file", str(path))]


def existing(flag: str, path: Path) -> list[Problem]:
    """A file or a folder that must exist (plans: one file, or a folder of them)."""
    return [] if path.exists() else [Problem(flag, "no such file or folder", str(path))]


def existing_folder(flag: str, path: Path) -> list[Problem]:
    if path.is_dir():
        return []
    return [Problem(flag, "is a file, not a folder" if path.exists() else "no such folder", str(path))]


def check(problems: list[Problem]) -> None:
    if problems:
        raise UserError(problems, heading=USAGE)


def write_text(flag: str, path: str | Path, text: str) -> None:
    """Write `text` to `path`, or to stdout for `-`."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise UserError([Problem(flag, f"cannot write: {e.strerror}", str(path))], heading=USAGE) from None


def write_json(args: argparse.Namespace, doc: Any) -> None:
    """The command's result to `--json FILE|-`, if asked for."""
    if args.json_file is not None:
        write_text("--json", args.json_file, json.dumps(doc, indent=2) + "\n")
