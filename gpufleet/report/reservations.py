"""Capacity reservations and Capacity Blocks with their dates, as a plan carries them
(`gpufleet.reservations`, from the stack's `gpufleet:fleet`), for the preview and the report.

Dates are UTC days. The status is relative to today: "ends in 4 days", "ended 2 days ago",
"open-ended", or "no end date" for a Capacity Block declared without one (its end cannot be checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

CAPACITY_BLOCK = "capacity-block"


@dataclass(frozen=True)
class Reservation:
    workload: str
    kind: str
    id: str
    zone: str
    start_date: date | None
    end_date: date | None
    needed_until: date | None

    @property
    def period(self) -> str:
        start = "?" if self.start_date is None else self.start_date.isoformat()
        end = ("no end date" if self.kind == CAPACITY_BLOCK else "open-ended") if self.end_date is None \
            else self.end_date.isoformat()
        return f"{start} → {end}"

    def status(self, today: date) -> str:
        if self.end_date is None:
            return "end unknown: no end_date" if self.kind == CAPACITY_BLOCK else "open-ended"
        left = (self.end_date - today).days
        if left < 0:
            text = f"ENDED {-left} day{'s' if left != -1 else ''} ago"
        elif left == 0:
            text = "ends today"
        else:
            text = f"ends in {left} day{'s' if left != 1 else ''}"
        if self.needed_until is not None and self.end_date < self.needed_until:
            text += f", before needed_until {self.needed_until.isoformat()}"
        return text


def today() -> date:
    return datetime.now(timezone.utc).date()


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def reservations(raw: Any) -> list[Reservation]:
    """From a plan's `gpufleet.reservations` (whatever a plan file holds: what is not readable is left out)."""
    out = []
    for r in raw if isinstance(raw, list) else []:
        if isinstance(r, dict):
            out.append(Reservation(str(r.get("workload")), str(r.get("kind")), str(r.get("id")), str(r.get("zone")),
                                   _day(r.get("start_date")), _day(r.get("end_date")), _day(r.get("needed_until"))))
    return out
