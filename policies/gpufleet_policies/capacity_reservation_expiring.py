"""gpufleet-capacity-reservation-expiring: reserved capacity (a Capacity Block, a capacity reservation)
does not end soon, nor before its workload stops needing it.

Nodes in a Capacity Block are terminated when the block ends, and reserved capacity that ends leaves
its workload to on-demand prices or no capacity at all. Warned `warn_within_days` ahead; a Capacity
Block declared without its `end_date` is flagged too, since its end cannot be checked.
"""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._reservations import FIX, days, reservations, today

NAME = "gpufleet-capacity-reservation-expiring"
CAPACITY_BLOCK = "capacity-block"


def check(args, config, findings) -> None:
    window = int(config["warn_within_days"])
    now = today()
    for r in reservations():
        if r.end_date is None:
            if r.kind == CAPACITY_BLOCK:
                findings.violation(f"{r.what} has no end_date in the stack configuration, so when it ends cannot "
                                   "be checked (a Capacity Block always ends). Fix: set reservation.start_date and "
                                   "reservation.end_date as bought.")
            continue
        left = (r.end_date - now).days
        if left < 0:
            continue  # ended: gpufleet-capacity-reservation-expired
        if left <= window:
            findings.violation(f"{r.what} ends on {r.end_date:%Y-%m-%d}, in {days(left)} (warned {days(window)} "
                               f"ahead): its nodes lose the capacity then. {FIX}")
        elif r.needed_until is not None and r.end_date < r.needed_until:
            findings.violation(f"{r.what} ends on {r.end_date:%Y-%m-%d}, {days((r.needed_until - r.end_date).days)} "
                               f"before the workload stops needing it (needed_until {r.needed_until:%Y-%m-%d}). {FIX}")


POLICY = stack_policy(
    NAME,
    "Reserved capacity (Capacity Blocks, capacity reservations) of the stack's gpufleet:fleet does not end within "
    "warn_within_days, nor before its workload's needed_until; a Capacity Block states its end_date.",
    check,
    area="cost",
    severity=Severity.MEDIUM,
    remediation="Extend or replace the reservation before it ends (and update its end_date), or move the workload "
                "to on-demand or spot capacity.",
    properties={"warn_within_days": {"type": "integer", "minimum": 0, "default": 14,
                                     "description": "days before a reservation ends from which it is flagged"}},
)
