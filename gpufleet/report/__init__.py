"""Pull-request reports: read plans (gpufleet's, `pulumi preview --json`, `pulumi stack export`),
summarize them, compare a head with its base, and render Markdown (PR comment) or text (terminal).

    plans.py     read a plan file, whatever produced it, into a `Plan` (estimated by the one estimator)
    summary.py   totals, regions, fabric, storage tiers, unpriced items, policy results of one plan
    compare.py   base -> head: resources added/removed/changed and the deltas of the totals
    model.py     one stack's report; pairing base and head files or folders
    markdown.py  the PR comment, under GitHub's size limit
    terminal.py  `gpufleet diff`
    ci.py        what the GitHub workflows run (previews of base and head, the comment, the gates)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gpufleet.report.markdown import MARKER, render_markdown
    from gpufleet.report.model import StackReport, load_reports
    from gpufleet.report.plans import Plan, read_plan
    from gpufleet.report.terminal import render_diff

# Each exported name's module, imported when the name is first used: `gpufleet preview` needs only
# `fmt` and `reservations` of this package, and importing the renderers with them (~40 ms) would be a
# fixed cost of every preview.
_MODULE_OF = {"MARKER": "markdown", "render_markdown": "markdown", "StackReport": "model", "load_reports": "model",
              "Plan": "plans", "read_plan": "plans", "render_diff": "terminal"}

__all__ = ["MARKER", "Plan", "StackReport", "load_reports", "read_plan", "render_diff", "render_markdown"]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:  # also how `from gpufleet.report import fmt` finds a submodule not imported yet
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
