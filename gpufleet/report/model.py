"""One stack's report: its head plan, the base it is compared with (if any), summary and change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.errors import Problem, UserError
from gpufleet.report.compare import Comparison, compare
from gpufleet.report.plans import Plan, empty_plan, read_plan, read_plans, resource_inputs_of
from gpufleet.report.summary import Summary, summarize


@dataclass(frozen=True)
class StackReport:
    stack: str
    head: Plan
    summary: Summary
    comparison: Comparison | None  # None: no base was given
    base_missing: bool = False  # a base was given but had no plan for this stack (a new stack)
    base_summary: Summary | None = None  # the base's summary, for base -> head tables


def stack_report(stack: str, head: Plan, base: Plan | None, base_missing: bool = False,
                 catalog: Catalog | None = None) -> StackReport:
    with resource_inputs_of(head.source):
        summary = summarize(head, catalog)
    base_summary = None
    if base is not None:
        with resource_inputs_of(base.source):
            base_summary = summarize(base, catalog)
    comparison = None
    if base is not None:
        with resource_inputs_of(f"{base.source} -> {head.source}"):
            comparison = compare(base, head)
    return StackReport(stack, head, summary, comparison, base_missing, base_summary)


def load_reports(head_path: Path | str, base_path: Path | str | None = None, *,
                 head_may_be_empty: bool = False) -> list[StackReport]:
    """Reports for a head plan (or folder of plans), each compared with its base if one is given.

    Two files pair with each other whatever their stacks. Two folders pair by file name; a stack only
    in the head is new (compared with an empty stack), one only in the base is being removed (its head
    is empty). With `head_may_be_empty` (the head preview failed), a missing or empty head folder
    has no stacks rather than being an error, and a stack only in the base is left out (its head
    preview failed; the report shows the error) rather than shown as removed.
    """
    catalog = load_catalog()
    head_path = Path(head_path)
    if head_may_be_empty and not (head_path.is_file() or any(head_path.glob("*.json"))):
        return []
    if base_path is None:
        return [stack_report(s, p, None, catalog=catalog) for s, p in read_plans(head_path).items()]
    base_path = Path(base_path)
    if head_path.is_dir() != base_path.is_dir():
        raise UserError([Problem("--base", "give two plan files or two folders of plans", str(base_path))],
                        heading="usage error")
    if not head_path.is_dir():
        head = read_plan(head_path)
        return [stack_report(head.stack, head, read_plan(base_path), catalog=catalog)]
    # An empty base folder is a base without the project yet: every stack is new.
    heads, bases = read_plans(head_path), read_plans(base_path) if any(base_path.glob("*.json")) else {}
    reports = []
    for stack in sorted(set(heads) | set(bases)):
        if head_may_be_empty and stack not in heads:
            continue  # its head preview failed (shown with the error), not a stack being removed
        head = heads.get(stack) or empty_plan(stack, f"{head_path} (stack removed)")
        base = bases.get(stack)
        reports.append(stack_report(stack, head, base or empty_plan(stack), base_missing=base is None, catalog=catalog))
    return reports
