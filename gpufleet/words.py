"""Counts and lists in words, for every message gpufleet prints: "1 GPU", "3 GPUs", "a, b and 4 more"."""

from __future__ import annotations


def count(n: int | str, singular: str, plural: str | None = None) -> str:
    """"1 resource", "3 resources", "1,024 GPUs"; a count already written ("+1", "0–32", "unknown") is kept as
    written, the noun singular only when the count is one."""
    text = n if isinstance(n, str) else f"{n:,}"
    return f"{text} {singular if text.lstrip('+-') == '1' else plural or singular + 's'}"


def first_few(items: list[str], shown: int = 5) -> str:
    """`items` joined by commas, the first `shown` of them and how many more ("a, b, c and 4 more")."""
    more = f" and {len(items) - shown:,} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more
