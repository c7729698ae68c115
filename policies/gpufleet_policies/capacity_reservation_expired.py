"""gpufleet-capacity-reservation-expired: a workload does not run in reserved capacity that has ended.

A Capacity Block or capacity reservation past its end_date holds no capacity: the workload's nodes
cannot launch in it (a Capacity Block's instances are terminated at its end). Mandatory in prod.
"""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._reservations import FIX, days, reservations, today

NAME = "gpufleet-capacity-reservation-expired"


def check(args, config, findings) -> None:
    now = today()
    for r in reservations():
        if r.end_date is not None and r.end_date < now:
            findings.violation(f"{r.what} ended on {r.end_date:%Y-%m-%d}, {days((now - r.end_date).days)} ago: the "
                               f"workload's nodes have no capacity there. {FIX}")


POLICY = stack_policy(
    NAME,
    "No workload of the stack's gpufleet:fleet runs in a reservation or Capacity Block whose end_date has passed.",
    check,
    area="cost",
    severity=Severity.HIGH,
    remediation="Buy a new Capacity Block or reservation (and update the stack's reservation), or move the workload "
                "to on-demand or spot capacity.",
)
