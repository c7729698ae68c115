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

from gpufleet.report.markdown import MARKER, render_markdown
from gpufleet.report.model import StackReport, load_reports
from gpufleet.report.plans import Plan, read_plan
from gpufleet.report.terminal import render_diff

__all__ = ["MARKER", "Plan", "StackReport", "load_reports", "read_plan", "render_diff", "render_markdown"]
