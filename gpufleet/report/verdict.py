"""What changed, for the top of the report (Markdown and terminal alike): the headline verdict, which
stacks changed (significantly, by the thresholds), base -> head rows per region, per-workload unit
figures ($/GPU-hour, gCO2e/GPU-hour) and the recommendations a gpufleet plan's placement carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gpufleet.report import fmt
from gpufleet.report.model import StackReport
from gpufleet.report.summary import RegionRow, Summary, max_gpus_of


@dataclass(frozen=True)
class Thresholds:
    """A stack's change is significant when it reaches any threshold that is set (with none set, any
    change is). GPUs changed, a new or removed stack and mandatory violations are always significant."""

    min_usd: float | None = None  # |Δ USD/month|
    min_percent: float | None = None  # |Δ USD/month| as % of the base
    min_tco2e: float | None = None  # |Δ tCO2e/month|

    @property
    def any_set(self) -> bool:
        return any(t is not None for t in (self.min_usd, self.min_percent, self.min_tco2e))

    def describe(self) -> str:
        parts = [f"{self.min_usd:,.2f} USD/month" if self.min_usd is not None else "",
                 f"{self.min_percent:g} %" if self.min_percent is not None else "",
                 f"{self.min_tco2e:g} tCO2e/month" if self.min_tco2e is not None else ""]
        return " or ".join(p for p in parts if p)


def mandatory(s: Summary) -> list[dict[str, Any]]:
    return [v for v in s.violations or [] if v.get("level") == "mandatory"]


def percent(delta: Decimal | int | None, base: Decimal | None) -> Decimal | None:
    """Δ as a percentage of the base; None when unknown or the base is 0 (a new stack)."""
    if delta is None or base is None or not base.is_finite() or base == 0 or not fmt.is_finite(delta):
        return None
    return Decimal(delta) / base * 100


def changed(r: StackReport) -> bool:
    """Anything at all differs from the base (a stack without a base is all new)."""
    c = r.comparison
    if c is None:
        return True
    return r.base_missing or bool(c.changes) or any(c.delta(f) not in (0, None)
                                                    for f in ("gpus", "max_gpus", "monthly_usd", "monthly_tco2e"))


def significant(r: StackReport, thresholds: Thresholds) -> bool:
    c = r.comparison
    if c is None or r.base_missing or mandatory(r.summary) or c.delta("gpus") != 0 or c.delta("max_gpus") != 0:
        return True
    if not changed(r):
        return False
    if not thresholds.any_set:
        return True
    usd, tco2e = c.delta("monthly_usd"), c.delta("monthly_tco2e")
    pct = percent(usd, c.base_totals.decimal("monthly_usd"))
    return any([
        usd is None or (thresholds.min_usd is not None and abs(usd) >= Decimal(str(thresholds.min_usd))),
        pct is not None and thresholds.min_percent is not None and abs(pct) >= Decimal(str(thresholds.min_percent)),
        tco2e is not None and thresholds.min_tco2e is not None and abs(tco2e) >= Decimal(str(thresholds.min_tco2e)),
    ])


def ordered(reports: list[StackReport], thresholds: Thresholds) -> tuple[list[StackReport], list[StackReport]]:
    """(significant stacks, mandatory violations first then largest |Δ USD|; the others, by name)."""
    first = [r for r in reports if significant(r, thresholds)]
    rest = sorted((r for r in reports if not significant(r, thresholds)), key=lambda r: r.stack)

    def weight(r: StackReport) -> tuple:
        usd = r.comparison.delta("monthly_usd") if r.comparison else None
        size = abs(usd) if usd is not None and fmt.is_finite(usd) else Decimal(0)
        return (-len(mandatory(r.summary)), -size, r.stack)

    return sorted(first, key=weight), rest


@dataclass(frozen=True)
class Headline:
    """The change over every stack: Δ USD/month, Δ %, Δ tCO2e/month, Δ GPUs, mandatory violations."""

    compared: bool  # every stack has a base
    gpus: int | Decimal  # a Decimal when partitions of a GPU changed
    max_gpus: int | Decimal  # the change of the GPUs reachable at maximum node counts
    usd: Decimal | None
    usd_percent: Decimal | None
    tco2e: Decimal | None
    mandatory: int
    head_usd: Decimal | None
    head_tco2e: Decimal | None
    head_gpus: int | float
    head_max_gpus: int | float | None  # None: no stack can scale above what is counted
    # figures of the head totals (monthly_usd, monthly_tco2e) that leave out what some stack does not know
    head_partial: frozenset[str] = frozenset()
    head_gpus_unknown: bool = False  # some stack has GPU capacity of unknown size
    # the head's USD is unknown only because every stack whose total is unknown has nothing but free parts priced
    head_only_free_priced: bool = False

    @property
    def gpus_text(self) -> str:
        """The GPUs of the headline: the change ("0 GPUs, max +32") when compared, else the head's ("0–44 GPUs")."""
        if self.compared:
            return fmt.signed_gpu_range(self.gpus, self.max_gpus, "GPU")
        counted = fmt.gpu_range(self.head_gpus, self.head_max_gpus)
        return fmt.count(fmt.gpus_with_unknown(counted, bool(self.head_gpus or self.head_max_gpus), self.head_gpus_unknown),
                         "GPU")

    def head_total(self, figure: str, unit: str) -> str:
        """The head's total over every stack with its unit, "(partial)" when a stack's total leaves some out;
        an unknown USD total says "(only free parts priced)" as the stacks' lines do, when that is why."""
        value = self.head_usd if figure == "monthly_usd" else self.head_tco2e
        if value is None:
            return f"{fmt.figure(figure, value)} {unit}" + (
                " (only free parts priced)" if figure == "monthly_usd" and self.head_only_free_priced else "")
        return f"{fmt.figure(figure, value)} {unit}" + (" (partial)" if figure in self.head_partial else "")


def _total(values: list[Decimal | int | None]) -> Decimal | None:
    if any(v is None for v in values):
        return None
    return fmt.sum_figures(values)  # type: ignore[arg-type]


def headline(reports: list[StackReport]) -> Headline:
    compared = bool(reports) and all(r.comparison is not None for r in reports)
    head_usd = _total([r.summary.totals.decimal("monthly_usd") for r in reports])
    head_tco2e = _total([r.summary.totals.decimal("monthly_tco2e") for r in reports])
    head_gpus = sum(r.summary.totals.gpus for r in reports)
    scales = any(r.summary.totals.max_gpus is not None for r in reports)
    head_max_gpus = sum(r.summary.totals.reach for r in reports) if scales else None
    head_partial = frozenset().union(*(r.summary.totals.partial for r in reports))
    unknown_usd = [r.summary.totals for r in reports if r.summary.totals.monthly_usd is None]
    only_free = bool(unknown_usd) and all(t.only_free_priced for t in unknown_usd)
    if not compared:
        return Headline(False, 0, 0, None, None, None, sum(len(mandatory(r.summary)) for r in reports),
                        head_usd, head_tco2e, head_gpus, head_max_gpus, head_partial,
                        any(r.summary.totals.gpus_unknown for r in reports), only_free)
    usd = _total([r.comparison.delta("monthly_usd") for r in reports])  # type: ignore[union-attr]
    base_usd = _total([r.comparison.base_totals.decimal("monthly_usd") for r in reports])  # type: ignore[union-attr]
    return Headline(
        True, sum((r.comparison.delta("gpus") or 0 for r in reports), 0),  # type: ignore[union-attr]
        sum((r.comparison.delta("max_gpus") or 0 for r in reports), 0), usd,  # type: ignore[union-attr]
        percent(usd, base_usd), _total([r.comparison.delta("monthly_tco2e") for r in reports]),  # type: ignore[union-attr]
        sum(len(mandatory(r.summary)) for r in reports), head_usd, head_tco2e, head_gpus, head_max_gpus, head_partial,
        head_only_free_priced=only_free)


# --- base -> head rows ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """A row present in the base, the head or both."""

    key: tuple[str, ...]
    base: Any
    head: Any


def paired(base_rows: list[Any] | None, head_rows: list[Any], key) -> list[Pair]:
    """Rows of base and head matched by `key`, in key order."""
    base = {key(r): r for r in base_rows or []}
    head = {key(r): r for r in head_rows}
    return [Pair(k, base.get(k), head.get(k)) for k in sorted(set(base) | set(head))]


def region_pairs(r: StackReport) -> list[Pair]:
    key = lambda row: (row.cloud, row.region)  # noqa: E731 - a key function
    return paired(r.base_summary.regions if r.base_summary else None, r.summary.regions, key)


def region_value(row: RegionRow | None, figure: str) -> str:
    if row is None:
        return "—"
    if figure == "gpus":
        return fmt.gpu_range(row.gpus, row.max_gpus)
    return fmt.figure(figure, getattr(row, figure))


# --- workloads and recommendations ---------------------------------------------------------------

@dataclass(frozen=True)
class Workload:
    """A GPU capacity resource and what one GPU-hour of it costs and emits."""

    name: str
    where: str
    instance_type: str
    gpus: int
    usd_per_gpu_hour: float | None
    gco2e_per_gpu_hour: float | None
    max_gpus: int | float | None = None  # the plan's `max_gpus` of the resource: what it can scale to

    @property
    def gpus_text(self) -> str:
        return fmt.gpu_range(self.gpus, self.max_gpus)


def _per_gpu_hour(e: dict[str, Any], figure: str, scale: float) -> float | None:
    value, gpus, hours = e.get(figure), e.get("gpus"), e.get("hours_per_month")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (value, gpus, hours)):
        return None
    if not gpus or not hours:
        return None
    return value * scale / (gpus * hours)


def workloads(estimates: dict[str, dict[str, Any]]) -> dict[str, Workload]:
    """GPU capacity by resource name (the URN's last part)."""
    out = {}
    for urn, e in estimates.items():
        if not isinstance(e, dict) or not isinstance(e.get("gpus"), int) or e["gpus"] <= 0:
            continue
        name = str(urn).rsplit("::", 1)[-1]
        out[name] = Workload(name, f"{e.get('cloud')} {e.get('region') or 'unknown'}", str(e.get("instance_type")),
                             e["gpus"], _per_gpu_hour(e, "monthly_usd", 1.0),
                             _per_gpu_hour(e, "monthly_kgco2e", 1000.0), max_gpus_of([e]))
    return out


def workload_pairs(r: StackReport) -> list[Pair]:
    base = workloads(r.comparison.base.estimate["estimates"]) if r.comparison else {}
    head = workloads(r.head.estimate["estimates"])
    return [Pair((name,), base.get(name), head.get(name)) for name in sorted(set(base) | set(head))]


def unit(value: float | None, digits: int) -> str:
    return fmt.number(value, digits)


@dataclass(frozen=True)
class Recommendation:
    workload: str
    where: str
    instance_type: str
    delta_usd: float | None
    delta_kgco2e: float | None


def recommendations(r: StackReport) -> list[Recommendation]:
    """Runners-up of the head's placement that save money or carbon, largest USD saving first."""
    placement = r.head.placement or {}
    found = []
    workloads_ = placement.get("workloads")
    for name, w in (workloads_.items() if isinstance(workloads_, dict) else []):
        runners = w.get("runners_up") if isinstance(w, dict) else None
        for o in runners if isinstance(runners, list) else []:
            if not isinstance(o, dict):
                continue
            usd, kg = o.get("delta_monthly_usd"), o.get("delta_monthly_kgco2e")
            usd = usd if isinstance(usd, (int, float)) and not isinstance(usd, bool) else None
            kg = kg if isinstance(kg, (int, float)) and not isinstance(kg, bool) else None
            if (usd is not None and usd < 0) or (kg is not None and kg < 0):
                found.append(Recommendation(str(name), f"{o.get('cloud')} {o.get('region')}",
                                            str(o.get("instance_type")), usd, kg))
    return sorted(found, key=lambda x: (x.delta_usd if x.delta_usd is not None else 0.0, x.workload))


def lock_recommendation(r: StackReport) -> str | None:
    """The head placement's recommendation to re-place locked workloads (gpufleet.placement.lock), if any."""
    recommendation = (r.head.placement or {}).get("recommendation")
    text = recommendation.get("text") if isinstance(recommendation, dict) else None
    return text if isinstance(text, str) and text else None
