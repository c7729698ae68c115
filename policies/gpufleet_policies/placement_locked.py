"""gpufleet-placement-locked: every workload of a gpufleet stack has a reviewed, locked placement.

A workload without a lock in `gpufleet:placement` is placed again at every run, so a catalog refresh
can move it to another region (destroy and create). The lock is read from the stack's configuration,
which the engine hands to the pack (PULUMI_CONFIG) with the real CLI as with `gpufleet preview`: no
resource carries a lock tag that would itself change inputs. Advisory in dev, mandatory in prod.
"""

from __future__ import annotations

import json

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import stack_context
from gpufleet_policies._values import join

NAME = "gpufleet-placement-locked"
LOCK_KEY = "gpufleet:placement"  # gpufleet.placement.lock.LOCK_KEY, without importing the solver


def _locked_workloads(raw: object) -> set[str] | None:
    """Workload names the lock covers; None when the lock is not a mapping with `workloads`."""
    if raw is None:
        return set()
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    workloads = value.get("workloads") if isinstance(value, dict) else None
    return set(workloads) if isinstance(workloads, dict) else None


def check(args, config, findings) -> None:
    ctx = stack_context()
    if ctx.fleet is None:
        return  # not a gpufleet fleet stack: nothing is placed
    stack = ctx.stack or "STACK"
    locked = _locked_workloads(ctx.config.get(LOCK_KEY))
    if locked is None:
        findings.violation(f"{LOCK_KEY} is not a mapping with `workloads`, so no workload is locked. "
                           f"Fix: run `gpufleet place {stack} --lock`.")
        return
    unlocked = [w.name for w in ctx.fleet.workloads if w.name not in locked]
    if unlocked:
        findings.violation(
            f"not locked: {join(unlocked)}: placed again at every run, so a catalog change can move them to "
            f"another region (destroy and create). Fix: review with `gpufleet place {stack}`, then record it "
            f"with `gpufleet place {stack} --lock`."
        )


POLICY = stack_policy(
    NAME,
    "Every workload of the stack's gpufleet:fleet has a reviewed placement in gpufleet:placement "
    "(`gpufleet place STACK --lock`), so the program never moves it by itself.",
    check,
    area="safety",
    severity=Severity.MEDIUM,
    remediation="Run `gpufleet place STACK` to review the placement, then `gpufleet place STACK --lock` and commit "
                "the stack file.",
)
