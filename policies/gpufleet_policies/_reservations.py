"""The capacity reservations a stack's `gpufleet:fleet` declares, with their dates, for the expiry
policies. Dates are UTC days; "today" is the day the preview runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from gpufleet_policies._stack import CONFIG_KEY, stack_context


@dataclass(frozen=True)
class Reserved:
    workload: str
    kind: str
    id: str
    end_date: date | None
    needed_until: date | None

    @property
    def what(self) -> str:
        return f"workload {self.workload}'s {self.kind} {self.id}"


def today() -> date:
    return datetime.now(timezone.utc).date()


def reservations() -> list[Reserved]:
    """Every workload's reservation (none when the stack has no fleet, or an invalid one: the
    preview reports that)."""
    fleet: Any = stack_context().fleet
    if fleet is None:
        return []
    return [Reserved(w.name, w.reservation.kind, w.reservation.id, w.reservation.end_date, w.needed_until)
            for w in fleet.workloads if w.reservation is not None]


def days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


FIX = (f"Fix: extend or replace the reservation and update its end_date in {CONFIG_KEY}, or move the workload "
       "to other capacity (capacity on-demand or spot).")
