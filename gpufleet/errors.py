"""User-facing errors: every problem at once, each with its path, bad value, what is allowed, a hint.

A user's mistake is reported as a `UserError` (exit code 2 from the CLI), never as a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input."""

    path: str
    message: str
    value: object = None
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None

    def render(self) -> str:
        return f"{self.path}: {self.detail()}"

    def detail(self) -> str:
        """What is wrong, without the path: the message, the bad value, a suggestion, what is allowed."""
        text = self.message
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.suggestion:
            text += f"; did you mean {self.suggestion!r}?"
        if self.allowed:
            shown = ", ".join(self.allowed[:12])
            more = f", … ({len(self.allowed)} in all)" if len(self.allowed) > 12 else ""
            text += f"; allowed: {shown}{more}"
        return text


class Verbatim(str):
    """A bad value shown as written here, not quoted: a structure in short JSON, or its description."""

    def __repr__(self) -> str:
        return str(self)


def shown_value(value: object, limit: int = 60) -> object:
    """A bad value as a problem shows it: a list or mapping as compact JSON, or in words when longer."""
    if not isinstance(value, (dict, list)):
        return value
    text = json.dumps(value, default=str, separators=(", ", ": "))
    if len(text) <= limit:
        return Verbatim(text)
    return Verbatim(f"a list of {len(value):,} item(s)" if isinstance(value, list) else
                    f"a mapping of {len(value):,} key(s)")


@dataclass
class UserError(Exception):
    """One or more problems in what the user gave us. The CLI prints them and exits 2."""

    problems: list[Problem] = field(default_factory=list)
    heading: str = "invalid input"

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.heading}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p.render()}" for p in self.problems]
        return "\n".join(lines)


def path_order(problem: Problem) -> list[str | int]:
    """A sort key for problems in the order of the file: `workloads[9]` before `workloads[10]`."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", problem.path))]


def did_you_mean(value: object, choices: Iterable[str]) -> str | None:
    """The closest known name to `value`, case-insensitively, or None when nothing is close."""
    if not isinstance(value, str):
        return None
    import difflib  # only on a mistake: not part of every command's start-up

    by_lower = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


def unknown_name(path: str, kind: str, value: object, choices: Iterable[str]) -> Problem:
    """The standard problem for a name that is not in a closed list."""
    options = tuple(sorted(set(choices)))
    return Problem(
        path=path,
        message=f"unknown {kind}",
        value=value,
        allowed=options,
        suggestion=did_you_mean(value, options),
    )
