"""Keep HiGHS's own printing off the process's stdout while it solves.

HiGHS runs with its log switched off (`output_flag` false), yet it prints from C: highspy 1.16 its banner
("Running HiGHS 1.16.0 ...") when a process's first solver is created, before any option can be set, and
HiGHS 1.12 (in scipy) "HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();" with a
plain `printf`, which no HiGHS option silences (ERGO-Code/HiGHS issue #2783, jump-dev/HiGHS.jl issue
#312). It goes straight to file descriptor 1, past `sys.stdout`, so it corrupted `gpufleet place --json -`
and the terminal. The only cure from outside is to point descriptor 1 elsewhere during the solve: `silenced()`
sends it to the null device and restores it afterwards.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

# Descriptor 1 is the process's: one redirection at a time, nested or concurrent solves share it.
_lock = threading.Lock()
_depth = 0
_saved: int | None = None


def _flush_c_stdout() -> None:
    """Flush C's `stdout` buffer, so what HiGHS printed (block-buffered into a pipe) is written now,
    while descriptor 1 is still the null device, and not later into the real stdout."""
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):  # no C library loadable by name (Windows): nothing buffered to flush here
        return
    libc.fflush(None)


@contextmanager
def silenced() -> Iterator[None]:
    """Descriptor 1 goes to the null device inside; Python's own stdout is flushed first, so nothing
    written before is lost, and descriptor 1 is the same file again afterwards."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            sys.stdout.flush()
            _flush_c_stdout()
            _saved = os.dup(1)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.close(null)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _flush_c_stdout()
                os.dup2(_saved, 1)
                os.close(_saved)
                _saved = None
