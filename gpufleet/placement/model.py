"""What placement produces: options, decisions and the placement, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from gpufleet.config import Objective
from gpufleet.errors import UserError
from gpufleet.footprint import Footprint
from gpufleet.words import count

OBJECTIVES: tuple[str, ...] = get_args(Objective)


class PlacementError(UserError):
    """No placement satisfies the fleet's constraints; each problem says what would make it feasible."""


@dataclass(frozen=True, slots=True)
class Option:
    """One way to host a workload: `nodes` × `instance_type` in a cloud region, with its footprint."""

    workload: str
    cloud: str
    region: str
    instance_type: str
    nodes: int
    gpus: int
    footprint: Footprint = field(compare=False)  # follows from the fields above; holds an unhashable dict

    def named(self, workload: str) -> "Option":
        """The same option for another workload (`dataclasses.replace`, without its cost per call)."""
        return Option(workload, self.cloud, self.region, self.instance_type, self.nodes, self.gpus, self.footprint)

    @property
    def monthly_usd(self) -> float | None:
        return self.footprint.monthly_usd

    @property
    def monthly_kwh(self) -> float | None:
        return self.footprint.monthly_kwh

    @property
    def monthly_kgco2e(self) -> float | None:
        return self.footprint.monthly_kgco2e

    @property
    def where(self) -> str:
        return f"{self.cloud} {self.region}"

    def to_output(self, relative_to: "Option | None" = None) -> dict:
        out = {
            "cloud": self.cloud,
            "region": self.region,
            "instance_type": self.instance_type,
            "nodes": self.nodes,
            "gpus": self.gpus,
            "monthly_usd": _round(self.monthly_usd, 2),
            "monthly_kwh": _round(self.monthly_kwh, 3),
            "monthly_kgco2e": _round(self.monthly_kgco2e, 3),
        }
        if relative_to is not None:
            out["delta_monthly_usd"] = _round(_minus(self.monthly_usd, relative_to.monthly_usd), 2)
            out["delta_monthly_kgco2e"] = _round(_minus(self.monthly_kgco2e, relative_to.monthly_kgco2e), 3)
        return out


@dataclass(frozen=True)
class ConstraintUse:
    """A shared constraint (region quota, GPU quota, budget, cost cap) and how much the placement uses."""

    name: str  # "quota aws us-west-2", "budget monthly_usd", "cost cap"
    path: str  # where it is set: "gpufleet:fleet.quotas[0]"
    used: float
    limit: float
    unit: str  # "GPUs", "USD", "kgCO2e"
    binding: bool = False  # keeps at least one workload from a better-ranked option
    locked: float = 0.0  # of `used`, what locked workloads use (kept where locked, whatever the limit now is)

    @property
    def over(self) -> float:
        """How far the use exceeds the limit: only locked workloads can (placement keeps the others within it)."""
        return self.used - self.limit if self.locked > self.limit else 0.0

    def render(self) -> str:
        return (f"{self.name}: {amount(self.used, self.unit, with_unit=False)} of {amount(self.limit, self.unit)}"
                f"{over_by(self.used, self.limit, self.locked, self.unit)}")


@dataclass(frozen=True)
class Decision:
    """Where one workload goes and why."""

    workload: str
    chosen: Option
    runners_up: tuple[Option, ...]  # best option of each other region, best first, at most 3
    fallbacks: tuple[Option, ...]  # best option of each other region that fits what is left, at most 3
    binding: tuple[str, ...]  # constraints that keep this workload from a better-ranked option
    reason: str  # one line, as written: an output, never a tag (its punctuation is kept)
    notes: tuple[str, ...] = ()  # options left out because a figure the objective needs is unknown

    def to_output(self) -> dict:
        c = self.chosen
        return {
            **c.to_output(),
            "usd_per_hour": c.footprint.usd_per_hour,
            "reason": self.reason,
            "binding": list(self.binding),
            "runners_up": [o.to_output(relative_to=c) for o in self.runners_up],
            "fallbacks": [o.to_output(relative_to=c) for o in self.fallbacks],
            "notes": list(self.notes),
        }


TIES_NOTE = "Ties not proven:"  # how a note on the tie-break stages begins (a lock's notes are read by it)
# What balanced's cost cap is taken from when the cheapest placement is not proven (the cap's name says it).
CAP_FROM_BOUND, CAP_FROM_FOUND = "cheapest's proven lower bound", "cheapest found"
_CAP_MEANS = {  # what a cap so taken means for the placement
    CAP_FROM_BOUND: "the cost cap is taken from the cheapest's proven lower bound, so it may be tighter than the "
                    "premium allows",
    CAP_FROM_FOUND: "the cost cap is taken from the cheapest placement found, which may cost more than the true "
                    "cheapest, so the cap may exceed the premium over it",
}


@dataclass(frozen=True)
class Placement:
    objective: str
    decisions: dict[str, Decision]  # by workload name, in the fleet's order
    total_monthly_usd: float | None  # None when any chosen figure is unknown
    total_monthly_kwh: float | None
    total_monthly_kgco2e: float | None
    constraints: tuple[ConstraintUse, ...] = ()
    ties_exact: bool = True  # False: a tie-break stage stopped at its node limit
    objective_exact: bool = True  # False: the objective stage stopped at its node limits (joint.OBJECTIVE_NODE_LIMITS)
    # the most the objective total may exceed the optimum (USD for cost, kgCO2e otherwise): 0 when exact, None unknown
    objective_gap: float | None = 0.0
    # the lock's: what was not proven when its workloads were placed (the fields above are this run's solve).
    # The output counts them: an objective note (or one written by hand) makes it not exact with the gap
    # unknown, a ties note makes ties_exact false
    locked_notes: tuple[str, ...] = ()
    cap_basis: str | None = None  # balanced: its cost cap's base ("cheapest", CAP_FROM_BOUND, CAP_FROM_FOUND)

    @property
    def _locked_objective_notes(self) -> list[str]:
        return [n for n in self.locked_notes if not n.startswith(TIES_NOTE)]

    def proof_notes(self) -> list[str]:
        """What is not proven optimal, in words (nothing when every stage is proven)."""
        notes = []
        if not self.objective_exact:
            figure, unit, digits = ("USD", "USD", 2) if self.objective == "cost" else ("carbon", "kgCO2e", 3)
            if self.objective_gap is not None:
                notes.append(f"Not proven optimal ({self.objective} objective): the solver stopped at its node "
                             f"limits; the {figure} total is at most {self.objective_gap:,.{digits}f} {unit}/month "
                             "above the optimum")
            elif self.cap_basis in _CAP_MEANS:
                notes.append("Not proven optimal (balanced objective): the solver stopped at its node limits on the "
                             f"cheapest placement; {_CAP_MEANS[self.cap_basis]}, and how far the carbon total is from "
                             "the optimum is not known")
            else:
                notes.append(f"Not proven optimal ({self.objective} objective): the solver stopped at its node "
                             f"limits; how far the {figure} total is from the optimum is not known")
        if not self.ties_exact:
            notes.append(f"{TIES_NOTE} the tie-break among placements with the same objective total stopped at its "
                         "node limit (any of them may have been kept)")
        return notes + [f"As locked: {note}" for note in self.locked_notes]

    def to_output(self) -> dict:
        """JSON-able summary for `pulumi.export("placement", ...)`."""
        return {
            "objective": self.objective,
            "objective_exact": self.objective_exact and not self._locked_objective_notes,
            "objective_gap": None if self._locked_objective_notes else _round(self.objective_gap, 3),
            "ties_exact": self.ties_exact and not any(n.startswith(TIES_NOTE) for n in self.locked_notes),
            "not_proven": self.proof_notes(),  # the same words `gpufleet place` prints
            "total_monthly_usd": _round(self.total_monthly_usd, 2),
            "total_monthly_kwh": _round(self.total_monthly_kwh, 3),
            "total_monthly_kgco2e": _round(self.total_monthly_kgco2e, 3),
            "constraints": [
                {"name": u.name, "path": u.path, "used": _round(u.used, 3), "limit": u.limit, "unit": u.unit,
                 "binding": u.binding, "locked": _round(u.locked, 3), "over": _round(u.over, 3)}
                for u in self.constraints
            ],
            "workloads": {name: d.to_output() for name, d in self.decisions.items()},
        }


def total(values: list[float | None]) -> float | None:
    """Sum, or None when any value is unknown."""
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def amount(value: float, unit: str, with_unit: bool = True) -> str:
    """A constraint's amount as its limit is written: whole GPUs, USD to the cent, kgCO2e as tCO2e."""
    if unit == "GPUs":
        text = f"{value:,.0f}"
        return count(text, "GPU") if with_unit else text
    if unit == "kgCO2e":
        text, unit = f"{value / 1000:,.3f}", "tCO2e"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}" if with_unit else text


def over_by(used: float, limit: float, locked: float, unit: str) -> str:
    """", over by 8 (locked workloads)" when locked workloads put a constraint's use over its limit (a lowered quota
    or budget does not move them; the stack policies decide whether that may pass), else nothing."""
    if locked <= limit:
        return ""
    return f", over by {amount(used - limit, unit, with_unit=False)} (locked workloads)"
