"""The preview's list of policy results: mandatory first, the stack's own results before the resources', and a cut
that never hides a stack-level result."""

import io
from types import SimpleNamespace

from rich.console import Console

from gpufleet.commands.preview import _violations
from gpufleet.policy import Violation, sort_violations
from gpufleet.policy.violations import stack_level

STACK_URN = "urn:pulumi:prod::gpufleet::pulumi:pulumi:Stack::gpufleet-prod"
IDLE = "gpufleet-gpu-always-on-idle-waste"
BUDGET = Violation("gpufleet-stack-monthly-cost-budget", "advisory", None,
                   "estimated $5,799,719.51/month exceeds the budget of $1,000,000.00/month")
QUOTA = Violation("gpufleet-stack-gpu-quota", "advisory", STACK_URN, "the stack can scale to 1056 GPUs, over 500")


def _node_group(i: int) -> str:
    return f"urn:pulumi:prod::gpufleet::aws:eks/nodeGroup:NodeGroup::w{i:04d}-node-group"


def _idle(i: int, level: str = "advisory") -> Violation:
    return Violation(IDLE, level, _node_group(i), f"w{i:04d}-node-group keeps 1 node on all month")


def _shown(violations: list[Violation]) -> list[str]:
    """The preview's lines for `violations`, in the order the pack's driver returns them (`sort_violations`)."""
    out = Console(file=io.StringIO(), width=200, color_system=None)
    _violations(SimpleNamespace(violations=sort_violations(violations), policy_environment="prod"), out)
    return [line.rstrip() for line in out.file.getvalue().splitlines()]


def test_a_budget_and_a_quota_exceeded_come_first_and_are_not_cut():
    """A new user's locked fleet over its monthly USD budget and gpu_quota (advisory there, exit 0) saw 24 node
    groups' idle-waste advisories, then "… 179 more": the budget and the quota (named after them by policy name)
    were only in --json."""
    lines = _shown([_idle(i) for i in range(30)] + [BUDGET, QUOTA])
    assert lines == [
        "Policy violations (prod): 0 mandatory, 32 advisory",
        "advisory  gpufleet-stack-gpu-quota  (gpufleet-prod)",
        "    the stack can scale to 1056 GPUs, over 500",
        "advisory  gpufleet-stack-monthly-cost-budget  (stack)",
        "    estimated $5,799,719.51/month exceeds the budget of $1,000,000.00/month",
        *[line for i in range(22) for line in (f"advisory  {IDLE}  (w{i:04d}-node-group)",
                                                f"    w{i:04d}-node-group keeps 1 node on all month")],
        "  … 8 more",
        "    see --json: gpufleet.violations",
    ]


def test_mandatory_first_each_level_with_the_stack_before_the_resources():
    mandatory_budget = Violation("gpufleet-stack-monthly-cost-budget", "mandatory", None, "over the budget")
    lines = _shown([_idle(1), _idle(2, "mandatory"), QUOTA, mandatory_budget])
    assert [line for line in lines if not line.startswith("    ")] == [
        "Policy violations (prod): 2 mandatory, 2 advisory",
        "mandatory  gpufleet-stack-monthly-cost-budget  (stack)",
        f"mandatory  {IDLE}  (w0002-node-group)",
        "advisory  gpufleet-stack-gpu-quota  (gpufleet-prod)",
        f"advisory  {IDLE}  (w0001-node-group)",
    ]


def test_stack_level_results_beyond_a_screenful_are_all_shown_and_only_resources_are_cut():
    quotas = [Violation("gpufleet-stack-gpu-quota", "advisory", None, f"region r{i:02d} over its quota")
              for i in range(30)]
    lines = _shown(quotas + [_idle(i) for i in range(3)])
    assert [line for line in lines if not line.startswith("    ")] == [
        "Policy violations (prod): 0 mandatory, 33 advisory",
        *["advisory  gpufleet-stack-gpu-quota  (stack)"] * 30,
        "  … 3 more",
    ]
    assert [line for line in lines if line.startswith("    region")] == [
        f"    region r{i:02d} over its quota" for i in range(30)]


def test_a_stack_level_result_has_no_urn_or_the_stacks_own():
    assert [stack_level(urn) for urn in (None, "", STACK_URN, _node_group(1),
                                         "urn:pulumi:prod::gpufleet::aws:s3/bucket:Bucket::pulumi:pulumi:Stack",
                                         "urn:pulumi:prod::gpufleet::my:index:Fleet$pulumi:pulumi:Stack::x")] == [
        True, True, True, False, False, False]
