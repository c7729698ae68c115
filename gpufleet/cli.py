"""`gpufleet` command line: one module per command under `gpufleet/commands/`.

Exit codes (the same for every command and helper):
    0    ok
    1    a mandatory policy is violated (and nothing else)
    2    a usage or configuration error, printed as a list of problems
    3    the user's Pulumi program failed
    4    an internal gpufleet error: one line saying where to report it, never a traceback
    130  interrupted (Ctrl-C): one line
A reader that closes the pipe early (`| head`) ends the output quietly; the exit code is the command's.
"""

from __future__ import annotations

import _thread
import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.terminal_text import inert

EXIT_OK, EXIT_POLICY, EXIT_USAGE, EXIT_PROGRAM, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
DEBUG_ENV = "GPUFLEET_DEBUG"  # set to 1 to see the traceback of an internal error
BUG_REPORTS = "please report it with this line and the command you ran (README.md, 'Reporting a bug')"

# command name -> module under gpufleet.commands exposing `add_arguments(parser)` and `run(args) -> int`
COMMANDS = {
    "preview": "Run a stack's Pulumi program offline; show resources, GPUs, cost, energy, carbon, policies.",
    "regions": "Rank the regions that can host N GPUs of a model by carbon, cost or both.",
    "place": "Show where a stack's workloads are placed, and why.",
    "report": "The pull-request report of a plan (and a base plan): for the terminal, as Markdown or JSON.",
    "diff": "Compare two plans in the terminal.",
    "run": "Place a task, allocate its stack, run its Job, always free the stack (--dry-run: offline).",
    "tasks": "List task stacks and their expiry; --reap destroys the expired ones.",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as gpufleet problems (exit 2) with "did you mean"."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError([Problem(self.prog, message, suggestion=self._corrected(message))], heading="usage error")

    def _corrected(self, message: str) -> str | None:
        """The unrecognized arguments with each mistyped option replaced by the command's closest one
        ("--jsn out.json" -> "--json out.json"), None when no option is close: argparse reports them all in
        one message, "unrecognized arguments: A B", with no suggestion of its own."""
        given = message.removeprefix(_UNRECOGNIZED)
        if given == message:
            return None
        options = [s for action in self._actions for s in action.option_strings]
        corrected = [_closest_option(word, options) or word for word in given.split(" ")]
        return " ".join(corrected) if corrected != given.split(" ") else None


_UNRECOGNIZED = "unrecognized arguments: "  # argparse's message (parse_args), before the arguments


def _closest_option(word: str, options: list[str]) -> str | None:
    """The option `word` mistypes ("--jsn" -> "--json"; its "=value" kept), None for a value or a far word."""
    if not word.startswith("-") or word == "-" or word.lstrip("-").replace(".", "", 1).isdigit():
        return None
    name, equals, value = word.partition("=")
    near = did_you_mean(name, options)
    return None if near is None else f"{near}{equals}{value}"


def version() -> str:
    try:
        return metadata.version("gpufleet")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: gpufleet COMMAND [options]   (gpufleet COMMAND --help for its options)",
             "       gpufleet --version", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    return "\n".join(lines)


class _ReaderMayLeave:
    """stdout that, once its reader has gone (`gpufleet … | head`), drops further output instead of
    raising, so the command finishes and exits with its own code."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def _gone(self) -> None:
        self.reader_gone = True
        # The interpreter flushes the real stdout at exit; point it at /dev/null so that flush
        # cannot fail with "Exception ignored … BrokenPipeError".
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass  # not a real file (a test's capture): nothing to protect

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _where(exc: BaseException) -> str:
    """"gpufleet/report/summary.py:88": the innermost frame of the error (inside gpufleet when it can)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown location"
    root = Path(__file__).resolve().parents[1]
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(root)]
    frame = (ours or frames)[-1]
    path = Path(frame.filename).resolve()
    shown = path.relative_to(root) if path.is_relative_to(root) else path.name
    return f"{shown}:{frame.lineno}"


def internal_error_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:300]
    return (f"error: internal error in gpufleet {version()}: {type(exc).__name__}"
            f"{': ' + message if message else ''} (at {_where(exc)}). This is a bug in gpufleet, not in your "
            f"input; {BUG_REPORTS}. {DEBUG_ENV}=1 shows the traceback.")


def _run(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return EXIT_OK if argv else EXIT_USAGE
    if argv[0] in ("-V", "--version"):
        print(f"gpufleet {version()}")
        return EXIT_OK
    name = argv[0]
    if name not in COMMANDS:
        raise UserError([Problem("gpufleet", "unknown command", name, tuple(COMMANDS),
                                 did_you_mean(name, COMMANDS))], heading="usage error")
    module = importlib.import_module(f"gpufleet.commands.{name}")
    parser = _Parser(prog=f"gpufleet {name}", description=COMMANDS[name])
    module.add_arguments(parser)
    return module.run(parser.parse_args(argv[1:]))


def main(argv: list[str] | None = None) -> int:
    """Run one command; only that command's module is imported (start-up stays fast).

    With `argv` None this is the process's entry point (the `gpufleet` script): on Ctrl-C, during the
    command or after it while the interpreter winds down, it exits at once (130, one line) rather than
    waiting for the program's threads.
    """
    entry_point = argv is None
    argv = sys.argv[1:] if argv is None else argv
    saved_stdout = sys.stdout
    sys.stdout = _ReaderMayLeave(saved_stdout)  # type: ignore[assignment]
    if entry_point:
        sys.unraisablehook = _redeliver_interrupts(sys.unraisablehook)
    try:
        return _run(argv)
    except UserError as e:
        print(inert(e.render()), file=sys.stderr)  # it echoes the values it refuses
        return EXIT_USAGE
    except KeyboardInterrupt:
        if entry_point:
            _interrupted()
        print("interrupted", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # a pipe other than stdout closed under us: nothing left to say
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - the one place an unexpected error becomes exit 4
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        print(inert(internal_error_line(e)), file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        sys.stdout = saved_stdout
        if entry_point:
            # A Ctrl-C while the interpreter winds down (threads, the policy pack) ends it the same way.
            signal.signal(signal.SIGINT, lambda *_: _interrupted())


# Long enough for the finaliser and the hook to have returned (microseconds), short beside a person's wait.
_REDELIVER_SECONDS = 0.05


def _redeliver_interrupts(previous: Callable[[Any], object]) -> Callable[[Any], object]:
    """A hook for exceptions Python cannot raise (sys.unraisablehook) that gives back a swallowed Ctrl-C.

    A SIGINT raises KeyboardInterrupt wherever the main thread is; when that is a finaliser (a weakref
    callback such as threading's WeakSet `_remove`, a `__del__`), Python prints "Exception ignored in" and
    carries on, and the command ran to its end with its own exit code instead of 130 (review17p: 1 in 5
    SIGINTs sent to the process alone). Here it is raised again in the main thread, at its next step
    a moment later (`_thread.interrupt_main`, from a timer thread: raised in this hook, it would be swallowed
    here too), where it ends the command as any Ctrl-C does; landing in a finaliser again, it comes back again."""

    def hook(unraisable: Any) -> object:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            again = threading.Timer(_REDELIVER_SECONDS, _thread.interrupt_main)
            again.daemon = True
            again.start()
            return None
        return previous(unraisable)

    return hook


def _interrupted() -> None:
    print("interrupted", file=sys.stderr, flush=True)
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    os._exit(EXIT_INTERRUPTED)  # the program's threads may still be running: do not wait for them


if __name__ == "__main__":
    sys.exit(main())
