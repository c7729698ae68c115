"""The change from a base plan to a head plan: resources added, removed and changed, and the deltas
of GPUs, cost, energy and carbon.

Resources are matched by URN without its stack part (`proj::type::name`), so two stacks of one
project (dev against prod) compare too. Total deltas are head total minus base total, from the totals
as each plan states them (rounded to the printed precision), so the delta a reviewer reads is exactly
the difference of the two totals shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from gpufleet.readers.views import plain
from gpufleet.report.disruption import Disruption, disruptions
from gpufleet.report.fmt import DECIMALS, difference, gpu_figure, signed_gpu_range, to_decimal
from gpufleet.report.plans import Plan, urn_type
from gpufleet.report.summary import FIGURES, Totals, totals_of

ChangeKind = Literal["added", "removed", "changed"]
STACK_TYPE = "pulumi:pulumi:Stack"
FIGURES_WITH_GPUS = ("gpus", *FIGURES)
# GPUs counted, and GPUs reachable at maximum node counts (capacity that scales; the plan's `max_gpus`)
GPU_FIGURES = ("gpus", "max_gpus")


def resource_key(urn: str) -> str:
    """"urn:pulumi:dev::proj::type::name" -> "proj::type::name"."""
    return urn.split("::", 1)[1] if "::" in urn else urn


def _inputs(state: dict[str, Any]) -> dict[str, Any]:
    # `__defaults` and other engine bookkeeping keys are not the program's inputs.
    return {k: v for k, v in plain(state.get("inputs") or {}).items() if not k.startswith("__")}


def _provider_key(state: dict[str, Any]) -> str | None:
    ref = state.get("provider")
    return resource_key(ref.rsplit("::", 1)[0]) if isinstance(ref, str) and ref else None


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    urn: str  # head URN (base URN for removed resources)
    type: str
    changed: tuple[str, ...]  # inputs that differ (top-level names), for changed resources
    base: dict[str, Any] | None  # the resource's estimate in each plan, if it has one
    head: dict[str, Any] | None

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def costs(self) -> bool:
        """True when the resource has an estimate (costs money) in either plan."""
        return self.base is not None or self.head is not None

    def delta(self, figure: str) -> Decimal | int | None:
        """Head minus base for this resource, at the printed precision; None when unknown on a side
        that has the resource. `max_gpus`: the change of the GPUs it can reach (its `max_gpus` where the
        plan has one, else its `gpus`)."""
        values: list[Decimal | int] = []
        for estimate in (self.base, self.head):
            if estimate is None or (figure in GPU_FIGURES and estimate.get("cloud") is None):
                values.append(0)  # not there, or a billable service that has no GPUs
            elif figure == "max_gpus" and isinstance(estimate.get("max_gpus"), (int, float)):
                values.append(gpu_figure(estimate["max_gpus"]))
            elif estimate.get("gpus" if figure == "max_gpus" else figure) is None:
                return None
            elif figure in GPU_FIGURES:
                values.append(gpu_figure(estimate["gpus"]))
            else:
                values.append(to_decimal(estimate[figure], DECIMALS[figure]) or 0)
        return difference(values[1], values[0]) if figure not in GPU_FIGURES else values[1] - values[0]


@dataclass(frozen=True)
class Comparison:
    base: Plan
    head: Plan
    base_totals: Totals
    head_totals: Totals
    changes: list[Change]
    disruptions: list[Disruption]  # what rolls or replaces GPU nodes, or replaces or deletes storage

    def delta(self, figure: str) -> Decimal | int | None:
        """Head total minus base total, as printed (`monthly_tco2e` too); None when either is unknown.
        `max_gpus`: the change of the GPUs the stack can reach (`Totals.reach`)."""
        if figure == "gpus":
            return gpu_figure(self.head_totals.gpus) - gpu_figure(self.base_totals.gpus)
        if figure == "max_gpus":
            return gpu_figure(self.head_totals.reach) - gpu_figure(self.base_totals.reach)
        return difference(self.head_totals.decimal(figure), self.base_totals.decimal(figure))

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def unpriced(self) -> tuple[int, int]:
        return len(self.base.estimate["unpriced"]), len(self.head.estimate["unpriced"])


def _changed_inputs(b: dict[str, Any], h: dict[str, Any]) -> tuple[str, ...]:
    bi, hi = _inputs(b), _inputs(h)
    keys = sorted(k for k in set(bi) | set(hi) if bi.get(k) != hi.get(k))
    if _provider_key(b) != _provider_key(h):
        keys.append("(provider)")
    return tuple(keys)


def _estimate_differs(b: dict[str, Any] | None, h: dict[str, Any] | None) -> bool:
    if b is None or h is None:
        return b is not h
    return any(b.get(k) != h.get(k) for k in ("cloud", "region", "instance_type", "nodes", "max_gpus",
                                              *FIGURES_WITH_GPUS))


def compare(base: Plan, head: Plan) -> Comparison:
    base_states = {resource_key(str(s.get("urn"))): s for s in base.states}
    head_states = {resource_key(str(s.get("urn"))): s for s in head.states}
    base_est = {resource_key(u): e for u, e in base.estimate["estimates"].items()}
    head_est = {resource_key(u): e for u, e in head.estimate["estimates"].items()}
    changes = []
    for key, h in head_states.items():
        urn = str(h.get("urn"))
        kind = str(h.get("type") or urn_type(urn))
        if kind == STACK_TYPE:
            continue
        b = base_states.get(key)
        if b is None:
            changes.append(Change("added", urn, kind, (), None, head_est.get(key)))
            continue
        changed = _changed_inputs(b, h)
        if not changed and _estimate_differs(base_est.get(key), head_est.get(key)):
            changed = ("(provider configuration)",)
        if changed:
            changes.append(Change("changed", urn, kind, changed, base_est.get(key), head_est.get(key)))
    for key, b in base_states.items():
        urn = str(b.get("urn"))
        kind = str(b.get("type") or urn_type(urn))
        if key not in head_states and kind != STACK_TYPE:
            changes.append(Change("removed", urn, kind, (), base_est.get(key), None))
    order = {"added": 0, "changed": 1, "removed": 2}
    changes.sort(key=lambda c: (order[c.kind], not c.costs, c.type, c.urn))
    return Comparison(base, head, totals_of(base), totals_of(head), changes, disruptions(base, head))


def gpus_change(of: Change | Comparison, noun: str = "") -> str:
    """The change of GPUs of a resource or a stack, as the report writes it: "+8", or "0, max +32" when
    what it can scale to changed otherwise (`noun` after the count: "0 GPUs, max +32")."""
    return signed_gpu_range(of.delta("gpus"), of.delta("max_gpus"), noun)
