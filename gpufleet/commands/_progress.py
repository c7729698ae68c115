"""Progress on stderr for steps that take a while: what runs, how many resources so far, seconds.

Shown only when stderr is a terminal and not `--quiet`, and only once a step has run for a second,
so quick commands and pipes stay clean. The line is cleared when the step ends.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from gpufleet.commands._terminal import console
from gpufleet.words import count

SHOW_AFTER_SECONDS = 1.0


class Progress:
    """The current step and its resource count; read by the live display on its own thread."""

    def __init__(self, *, quiet: bool = False, out: Console | None = None) -> None:
        self.out = out or console(stderr=True)
        self.enabled = not quiet and self.out.is_terminal
        self.step = ""
        self.resources: int | None = None
        self._started = time.monotonic()
        self._spinner: Any = None  # a rich Spinner, made with the first live display

    def resource_registered(self, count: int) -> None:
        self.resources = count

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        elapsed = time.monotonic() - self._started
        if elapsed < SHOW_AFTER_SECONDS:
            return
        parts = [self.step]
        if self.resources is not None:
            parts.append(f"{count(self.resources, 'resource')} so far")
        parts.append(f"{elapsed:.0f} s")
        line = Text(" · ".join(parts), no_wrap=True, overflow="ellipsis")
        yield Text.assemble(self._spinner.render(time.monotonic()), " ", line)

    @contextmanager
    def running(self, step: str, *, count_resources: bool = False) -> Iterator["Progress"]:
        """Show `step` while the block runs."""
        self.step, self.resources = step, (0 if count_resources else None)
        self._started = time.monotonic()
        if not self.enabled:
            yield self
            return
        # Imported here: most runs (a pipe, CI, --quiet) never show a live display.
        from rich.live import Live
        from rich.spinner import Spinner

        if self._spinner is None:
            self._spinner = Spinner("dots")
        with Live(self, console=self.out, transient=True, refresh_per_second=8, redirect_stdout=False,
                  redirect_stderr=False):
            yield self
