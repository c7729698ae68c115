"""Per-resource estimates and plan totals."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Iterable

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.clouds import is_gpu_type_name, reader_for, reader_of, with_inline_capacity
from gpufleet.readers.base import (HOURLY, MONTHLY, NAME_INPUTS, ONE_INSTANCE, TAG_EXPIRES_AT, TAG_HOURS, USAGE,
                                   BillLine, Capacity, ResourceReader, Scaling, name_key)
from gpufleet.readers.views import ResourceView, get_known
from gpufleet.footprint import (HOURS_PER_MONTH, capacity_footprint, gpus_derivation, service_charge, storage_charge,
                                usage_price)
from gpufleet.secrets import Redactor


@dataclass(frozen=True)
class ResourceEstimate:
    """What one resource costs, draws and emits a month. `None` figures are unknown, never 0."""

    urn: str
    type: str
    cloud: str | None
    region: str | None
    instance_type: str | None
    nodes: int | None
    capacity_type: str | None
    hours: float | None
    utilization: float | None
    gpus: int | Fraction | None  # a Fraction for partitions of a GPU (a sixth of an A10)
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None  # operational
    derivation: dict[str, str] = field(default_factory=dict)
    depends_on_secret: bool = False  # a secret value went into it: shown as [secret] (gpufleet.secrets)
    monthly_embodied_kgco2e: float | None = None  # manufacturing, amortised; reported beside operational
    price_kind: str | None = None  # the price the monthly_usd figure uses (see gpufleet.footprint.node_price)
    # Charges billed by use alone (requests, data processed), with their unit prices: never in monthly_usd.
    usage_based: tuple[str, ...] = ()
    # GPUs at the maximum node count, for capacity that can scale above the nodes it is counted (and priced)
    # at — a pool that scales to zero counts 0 GPUs: None when it cannot, or its maximum is not known.
    max_gpus: int | Fraction | None = None

    @property
    def gpus_unknown(self) -> bool:
        return gpus_unknown(self.gpus, self.derivation)

    @property
    def priced(self) -> bool:
        return self.monthly_usd is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "cloud": self.cloud,
            "region": self.region,
            "instance_type": self.instance_type,
            "nodes": self.nodes,
            "capacity_type": self.capacity_type,
            "hours_per_month": self.hours,
            "utilization": self.utilization,
            "gpus": gpus_json(self.gpus),
            **({"max_gpus": gpus_json(self.max_gpus)} if self.max_gpus is not None else {}),
            "price_kind": self.price_kind,
            "monthly_usd": _cents(self.monthly_usd),
            "monthly_kwh": _round(self.monthly_kwh, 3),
            "monthly_kgco2e": _round(self.monthly_kgco2e, 3),
            "monthly_embodied_kgco2e": _round(self.monthly_embodied_kgco2e, 3),
            "derivation": self.derivation,
            **({"usage_based": list(self.usage_based)} if self.usage_based else {}),
            **({"depends_on_secret": True} if self.depends_on_secret else {}),
        }


# GPU shares in the plan file: a partition of a GPU is written as a number with this many decimals
# (1/6 -> 0.1667); whole counts stay whole.
GPU_DECIMALS = 4


def gpus_unknown(gpus: object, derivation: object) -> bool:
    """True for GPU capacity of unknown size: GPUs not counted because the node count or the GPUs per node
    are not known (`_gpus` derives them as "unknown: …"). CPU capacity of unknown node count is not."""
    return gpus is None and isinstance(derivation, dict) and str(derivation.get("gpus", "")).startswith("unknown")


def gpu_capacity_label(name: str, estimate: dict[str, Any]) -> str:
    """How GPU capacity is named where its size is unknown, as the policies name it: "train
    (Standard_ND96isr_H100_v5 in azure swedencentral)"."""
    where = " ".join(str(estimate.get(k) or "(region unknown)") for k in ("cloud", "region"))
    return f"{name} ({estimate.get('instance_type') or 'instance type unknown'} in {where})"


def gpus_json(gpus: int | Fraction | None) -> int | float | None:
    """A GPU count as the plan file writes it: whole counts as integers, partitions of a GPU as decimals."""
    if gpus is None or isinstance(gpus, int) or gpus.denominator == 1:
        return None if gpus is None else int(gpus)
    return round(float(gpus), GPU_DECIMALS)


DIGITS = {"monthly_usd": 2, "monthly_kwh": 3, "monthly_kgco2e": 3, "monthly_embodied_kgco2e": 3}
TOTALLED = tuple(DIGITS)

# How gpufleet assessed a resource: priced; costs money but unpriced (with the reason); known to cost
# nothing by itself; or not assessed (gpufleet does not know the type: its cost is unknown).
PRICED, UNPRICED, FREE, NOT_ASSESSED = "priced", "unpriced", "free", "not assessed"
# Packages whose resources cost nothing by themselves: the engine's own (stacks, providers) and
# providers that only compute values locally.
FREE_PACKAGES = frozenset({"pulumi", "random", "tls", "time", "command"})
NOT_KNOWN = "gpufleet does not know this resource type: its cost is unknown"
NOT_EXPANDED = "multi-language component not expanded offline: its children's cost is unknown"


# Components of the Kubernetes SDK whose children come from a tool the provider runs (its
# `kubernetes:helm:template` and `kubernetes:kustomize:directory` invokes: helm fetches the chart,
# kustomize the bases), which the offline preview does not run: they construct no children offline.
RENDERED_BY_TOOL = {"kubernetes:helm.sh/v3:Chart": "helm", "kubernetes:kustomize:Directory": "kustomize"}


NOT_EXPANDED_READ = ("multi-language component not expanded offline: what it runs is estimated from its inputs, "
                     "its other children's cost is unknown")


@dataclass(frozen=True)
class Assessment:
    kind: str  # PRICED, UNPRICED, FREE or NOT_ASSESSED
    type: str
    reason: str = ""
    expanded: bool = True  # False: a multi-language component whose children were not constructed


@dataclass(frozen=True)
class PlanEstimate:
    resources: dict[str, ResourceEstimate]  # only resources that cost money, by URN
    secrets: frozenset[str] = frozenset()  # secret values in the plan's inputs: computed with, never shown
    assessments: dict[str, Assessment] = field(default_factory=dict)  # every resource of the plan, by URN
    # GPUs Kubernetes workloads request of their clusters, by URN (gpufleet.readers.kubernetes.GpuDemand):
    # demand on capacity counted elsewhere, never priced.
    gpu_requests: dict[str, Any] = field(default_factory=dict)

    def redacted(self) -> "PlanEstimate":
        """The estimate as it may be shown: every secret value replaced by [secret], and each estimate a
        secret went into marked. The figures stay: the capacity is real whatever hides its name."""
        redactor = Redactor(self.secrets)
        out = {}
        for urn, e in self.resources.items():
            shown = (e.region, e.instance_type, e.capacity_type, *e.derivation.values())
            out[redactor.text(urn)] = replace(
                e, urn=redactor.text(e.urn), region=_redact(redactor, e.region),
                instance_type=_redact(redactor, e.instance_type), capacity_type=_redact(redactor, e.capacity_type),
                derivation={k: redactor.text(v) for k, v in e.derivation.items()},
                depends_on_secret=e.depends_on_secret or any(redactor.touches(x) for x in shown))
        return PlanEstimate(out, assessments={redactor.text(urn): a for urn, a in self.assessments.items()},
                            gpu_requests={redactor.text(urn): d for urn, d in self.gpu_requests.items()})

    @property
    def gpus(self) -> int | Fraction:
        """GPUs of every resource, exactly (six sixths of an A10 are one GPU)."""
        return sum((e.gpus or 0 for e in self.resources.values()), 0)

    @property
    def gpus_unknown_size(self) -> list[str]:
        """URNs of GPU capacity whose GPUs are not counted (node count or GPUs per node unknown)."""
        return [urn for urn, e in self.resources.items() if e.gpus_unknown]

    def gpus_total(self) -> int | Fraction | None:
        """`gpus`, or None when GPU capacity of unknown size is all there is to count (as the summary writes
        "unknown", not "0 + unknown")."""
        return None if self.gpus_unknown_size and not (self.gpus or self.max_gpus) else self.gpus

    @property
    def max_gpus(self) -> int | Fraction:
        """GPUs of every resource at its maximum node count where it can scale above its counted nodes."""
        return sum((e.max_gpus if e.max_gpus is not None else e.gpus or 0 for e in self.resources.values()), 0)

    def total(self, figure: str) -> float:
        """Sum of the known values of `figure`, each rounded as it is reported (USD to the cent,
        kWh and kg to 3 decimals), so any subtotal of the reported rows adds up to the total.
        See `unknown(figure)` for what is left out."""
        digits = DIGITS[figure]
        return round(math.fsum(round(getattr(e, figure), digits) for e in self.resources.values()
                               if getattr(e, figure) is not None), digits)

    def unknown(self, figure: str) -> list[str]:
        return [u for u, e in self.resources.items() if getattr(e, figure) is None]

    def _counted(self, figure: str) -> list[ResourceEstimate]:
        """The estimates a total of `figure` is made of: compute nodes for embodied carbon; for cost,
        energy and carbon every resource that costs money. What runs a database, a function or a NAT
        gateway draws power too: gpufleet models energy for capacity and storage only, so the others'
        unknown energy makes those totals partial (or unknown), never a complete-looking 0."""
        if figure == "monthly_embodied_kgco2e":
            return [e for e in self.resources.values() if e.nodes is not None]
        return list(self.resources.values())

    def _left_out(self, figure: str) -> bool:
        """True when a total of `figure` leaves something out: a resource's unknown figure, or for money a
        resource not assessed (its cost is unknown, as `gpufleet report` says)."""
        return any(getattr(e, figure) is None for e in self._counted(figure)) or \
            (figure == "monthly_usd" and bool(self.not_assessed))

    def only_free_priced(self) -> bool:
        """True when every resource priced costs 0 and something is left out of the money total (`known_total`
        of "monthly_usd" is then None)."""
        values = [e.monthly_usd for e in self.resources.values() if e.monthly_usd is not None]
        return bool(values) and not any(values) and self._left_out("monthly_usd")

    def known_total(self, figure: str) -> float | None:
        """`total(figure)`, or None when none of what it is made of is known: a sum of nothing known is
        unknown, not 0; nor is a money total of free parts beside what is left out (an AKS Free tier control
        plane beside GPUs without a price: "0.00 USD/month (partial)" reads like a price). (A plan with nothing
        to count totals 0.)"""
        counted = self._counted(figure)
        if (counted and all(getattr(e, figure) is None for e in counted)) or \
                (figure == "monthly_usd" and self._left_out(figure) and self.total(figure) == 0):
            return None
        return self.total(figure)

    def partial_gpus(self) -> list[str]:
        """"gpus" (and "max_gpus" where written) when they count some GPUs but leave out capacity of unknown size."""
        if not self.gpus_unknown_size or self.gpus_total() is None:
            return []
        return ["gpus", *(["max_gpus"] if self.max_gpus != self.gpus else [])]

    def partial(self, figure: str) -> bool:
        """True when the total of `figure` is known but leaves out some of what it is made of (`_left_out`)."""
        return self._left_out(figure) and self.known_total(figure) is not None

    @property
    def unpriced(self) -> list[str]:
        """URNs of resources that cost money but could not be priced."""
        return self.unknown("monthly_usd")

    @property
    def not_assessed(self) -> list[str]:
        """URNs of resources gpufleet did not assess: their cost is unknown, so no total is complete."""
        return [urn for urn, a in self.assessments.items() if a.kind == NOT_ASSESSED]

    @property
    def not_expanded(self) -> list[str]:
        """URNs of multi-language components whose children the offline preview did not construct."""
        return [urn for urn, a in self.assessments.items() if not a.expanded]

    @property
    def complete(self) -> bool:
        """True when every resource is priced or known free (and every component expanded)."""
        return not self.unpriced and not self.not_assessed and not self.not_expanded

    def assessment_json(self) -> dict[str, Any]:
        counts = {kind: sum(1 for a in self.assessments.values() if a.kind == kind)
                  for kind in (PRICED, UNPRICED, FREE, NOT_ASSESSED)}
        types: dict[str, dict[str, Any]] = {}
        for urn in self.not_assessed:
            a = self.assessments[urn]
            types.setdefault(a.type, {"count": 0, "why": a.reason})["count"] += 1
        return {**{kind.replace(" ", "_"): n for kind, n in counts.items()}, "complete": self.complete,
                "not_assessed_types": dict(sorted(types.items())),
                "not_expanded": {urn: (self.assessments[urn].reason if self.assessments[urn].kind == NOT_ASSESSED
                                       else NOT_EXPANDED_READ) for urn in self.not_expanded}}

    def to_json(self) -> dict[str, Any]:
        return {
            # null: nothing the figure is made of is known; `partial_totals`: figures that leave some out
            "totals": {
                "gpus": gpus_json(self.gpus_total()),
                # GPU capacity whose GPUs `gpus` leaves out: 0 only when `gpus` counts every GPU
                "gpus_unknown_size": len(self.gpus_unknown_size),
                # what capacity that can scale above its counted nodes reaches at its maximum node counts
                **({"max_gpus": gpus_json(self.max_gpus)} if self.max_gpus != self.gpus else {}),
                **{figure: self.known_total(figure) for figure in TOTALLED},
            },
            "partial_totals": [*self.partial_gpus(), *(figure for figure in TOTALLED if self.partial(figure))],
            "estimates": {urn: e.to_json() for urn, e in self.resources.items()},
            "unpriced": self.unpriced,
            # every resource whose energy is not counted, so kWh and CO2e totals never look complete when not
            "unknown_energy": self.unknown("monthly_kwh"),
            "unknown_embodied": [u for u in self.unknown("monthly_embodied_kgco2e")
                                 if self.resources[u].nodes is not None],
            # charges billed by use (requests, data processed): outside every total, listed with their unit prices
            "usage_based": {u: list(e.usage_based) for u, e in self.resources.items() if e.usage_based},
            "assessment": self.assessment_json(),
            "gpu_requests": {urn: {"gpus_per_pod": d.gpus_per_pod, "pods": d.pods, "gpus": d.gpus, "pods_are": d.note}
                             for urn, d in self.gpu_requests.items()},
        }


def _redact(redactor: Redactor, text: str | None) -> str | None:
    return None if text is None else redactor.text(text)


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def _cents(x: float | None) -> float | None:
    return _round(x, 2)


def estimate_resource(view: ResourceView, catalog: Catalog | None = None,
                      graph: dict[str, ResourceView] | None = None) -> ResourceEstimate | None:
    """The estimate of one resource, or None when it costs nothing (networks, IAM, components…).

    `graph` (views by id and by URN) lets a node group find the instance type in its launch template.
    """
    catalog = catalog or load_catalog()
    reader = reader_of(view)
    if reader is None:
        return None  # a type no cloud reads: free, or not assessed
    cap = reader.capacity(view, graph or {})
    tags = get_known(view.inputs, "tags")
    scaling = reader.scaling_in(view, graph or {}) if cap is not None else None
    if cap is not None and not (isinstance(tags, dict) and TAG_EXPIRES_AT in tags):
        cap = _hours_backed(cap, scaling)
    if cap is None and (lines := reader.bill(view, graph or {})):
        return _estimate_bill(view, reader, lines, catalog)
    if cap is None:
        reason = reader.billable_reason(view)
        if reason is None:
            return None
        return ResourceEstimate(view.urn, view.type, None, None, None, None, None, None, None, None,
                                None, None, None, {"monthly_usd": f"unknown: {reason}",
                                                   "monthly_kwh": "unknown: no energy model for this resource type"})
    # A Capacity Block is reserved capacity with a price of its own: price it as such.
    price_as = cap.price_as or ("capacity-block" if cap.capacity_type == "reserved"
                                and reader.capacity_block(view, graph or {}) else cap.capacity_type)
    return _with_max_gpus(_estimate_capacity(view, cap, catalog, price_as), cap, scaling, catalog)


def _with_max_gpus(e: ResourceEstimate, cap: Capacity, scaling: Scaling | None, catalog: Catalog
                   ) -> ResourceEstimate:
    """`e` with the GPUs its capacity can scale to, when its maximum node count is above the nodes it is
    counted at (its minimum or desired size): the count and cost stay those nodes'."""
    high = scaling.max_nodes if scaling is not None else None
    if high is None or cap.nodes is None or high <= cap.nodes:
        return e
    how: dict[str, str] = {}
    most = _gpus(replace(cap, nodes=high), catalog, how)
    if most is None:
        return e
    derivation = {**e.derivation, "max_gpus": f"{how['gpus']} at {scaling.max_path} = {high}"}  # type: ignore[union-attr]
    return replace(e, max_gpus=most, derivation=derivation)


def _estimate_bill(view: ResourceView, reader: ResourceReader, lines: list[BillLine], catalog: Catalog
                   ) -> ResourceEstimate:
    """A month of what a resource is billed for besides capacity: the sum of its hourly and storage lines
    (unknown if any is), its usage-driven lines listed beside, never counted as 0. It has no GPUs."""
    usage = tuple(usage_price(catalog, reader.cloud, line.region or "unknown", line.service, line.sku, line.what)
                  for line in lines if line.kind == USAGE)
    fixed = [line for line in lines if line.kind != USAGE]
    region = next((line.region for line in lines if line.region), None)
    how: dict[str, str] = {}
    if not fixed:
        how["monthly_usd"] = "unknown: usage-based only — " + "; ".join(usage)
        how["monthly_kwh"] = "unknown: usage-based only, the volume is not known at preview"
        return ResourceEstimate(view.urn, view.type, reader.cloud, region, None, None, None, None, None, 0,
                                None, None, None, how, usage_based=usage)
    charges = []
    for line in fixed:
        label = f"{line.service} {line.sku}"
        if line.region is None:
            how_line = {k: f"unknown: {label}: region not known at preview"
                        for k in ("monthly_usd", "monthly_kwh", "monthly_kgco2e")}
            charges.append((None, None, None, how_line))
        elif line.kind in (HOURLY, MONTHLY) and line.quantity is None:
            how_line = {k: f"unknown: {label}: {line.what} not known at preview"
                        for k in ("monthly_usd", "monthly_kwh", "monthly_kgco2e")}
            charges.append((None, None, None, how_line))
        elif line.kind in (HOURLY, MONTHLY):
            c = service_charge(catalog, reader.cloud, line.region, line.service, line.sku, line.quantity, line.what,
                               f"unknown: no energy model for {line.service} (run by the cloud: CCF has no "
                               "coefficient for it)", monthly=line.kind == MONTHLY)
            charges.append((c.monthly_usd, c.monthly_kwh, c.monthly_kgco2e, c.derivation))
        else:
            c = storage_charge(catalog, reader.cloud, line.region, line.service, line.sku, line.quantity)
            how_line = dict(c.derivation)
            if line.quantity is not None:
                how_line = {k: (v if v.startswith("unknown") else f"{line.what}: {v}") for k, v in how_line.items()}
            charges.append((c.monthly_usd, c.monthly_kwh, c.monthly_kgco2e, how_line))
    totals: list[float | None] = []
    for i, figure in enumerate(("monthly_usd", "monthly_kwh", "monthly_kgco2e")):
        values = [c[i] for c in charges]
        texts = [c[3][figure] for c in charges]
        unknown = [t.removeprefix("unknown: ") for t in texts if t.startswith("unknown")]
        totals.append(None if unknown else math.fsum(values))  # type: ignore[arg-type]
        how[figure] = ("unknown: " + "; ".join(unknown)) if unknown else " + ".join(texts)
    if usage:
        how["usage_based"] = "not in monthly_usd: " + "; ".join(usage)
    return ResourceEstimate(view.urn, view.type, reader.cloud, region, None, None, None, None, None, 0,
                            totals[0], totals[1], totals[2], how,
                            price_kind=None if totals[0] is None else "list", usage_based=usage)


def _hours_backed(cap: Capacity, scaling: Scaling | None) -> Capacity:
    """Hours a month as far as the resource itself backs them: a `gpufleet-hours-per-month` tag is a
    claim anyone can write, so nodes the resource cannot scale below (its minimum; a single instance)
    count all month whatever the tag says, and only the nodes above the minimum run the tag's hours.
    (A task's stack, which `gpufleet run` destroys at its expiry, is the exception: see TAG_EXPIRES_AT.)"""
    if cap.hours >= HOURS_PER_MONTH or not cap.nodes or scaling is None or not scaling.min_nodes:
        return cap
    floor = min(scaling.min_nodes, cap.nodes)
    hours = (floor * HOURS_PER_MONTH + (cap.nodes - floor) * cap.hours) / cap.nodes
    minimum = "a single instance" if scaling.min_path == ONE_INSTANCE else f"{scaling.min_path} = {scaling.min_nodes}"
    note = (f"{hours:g} h: the tag {TAG_HOURS} says {cap.hours:g} h, but {floor} of {cap.nodes} node(s) cannot "
            f"scale down ({minimum}) and count {HOURS_PER_MONTH:g} h")
    return replace(cap, hours=hours, notes={**cap.notes, "hours_per_month": note})


def _gpus(cap: Capacity, catalog: Catalog, how: dict[str, str]) -> int | Fraction | None:
    """GPUs of capacity the catalog cannot price: those of its instance type, else those attached to each
    node (GCP N1 + guestAccelerators); None when the node count or the GPUs per node are unknown."""
    it = catalog.instance_type(cap.instance_type) if isinstance(cap.instance_type, str) else None
    if cap.nodes is None and it is not None:
        how["gpus"] = f"unknown: {it.gpu_count} {it.gpu_model} per node × a node count not known at preview"
    elif cap.nodes is None and cap.attached_gpus is not None:
        kind, per_node = cap.attached_gpus
        how["gpus"] = f"unknown: {per_node} {kind} per node (attached) × a node count not known at preview"
    elif it is None and cap.attached_gpus is None and isinstance(cap.instance_type, str) \
            and is_gpu_type_name(cap.instance_type):
        # GPU capacity all the same: "unknown" here is what tells it from CPU capacity (see gpus_unknown)
        how["gpus"] = f"unknown: {cap.instance_type} is a GPU type the catalog does not have (GPUs per node)" + (
            " × a node count not known at preview" if cap.nodes is None else "")
    elif not (isinstance(cap.instance_type, str) and cap.instance_type) and cap.attached_gpus is None:
        # Capacity whose instance type a preview cannot know (an output of another resource or stack) may
        # carry any number of GPUs: unknown, never "no GPU capacity".
        how["gpus"] = "unknown: instance type not known at preview (GPUs per node)" + (
            " × a node count not known at preview" if cap.nodes is None else "")
    if cap.nodes is None or (it is None and cap.attached_gpus is None):
        return None
    if it is not None:
        how["gpus"] = gpus_derivation(cap.nodes, it)
        return it.gpu_count * cap.nodes
    kind, per_node = cap.attached_gpus  # type: ignore[misc]
    how["gpus"] = f"{cap.nodes} × {per_node} {kind} (attached: guestAccelerators)"
    return per_node * cap.nodes


def _estimate_capacity(view: ResourceView, cap: Capacity, catalog: Catalog, price_as: str) -> ResourceEstimate:
    how = dict(cap.notes)
    # A program may pass anything (an empty or numeric size): only a non-empty name is an instance type or region.
    missing = [what for what, v in (("instance type", cap.instance_type), ("region", cap.region))
               if not (isinstance(v, str) and v)] + (["node count"] if cap.nodes is None else [])
    if missing:
        why = f"{', '.join(missing)} not known at preview"
        if "region" in missing and cap.notes.get("region"):
            why += f" ({cap.notes['region']})"  # the reader's reason: where it looked, and how to state it
        how["monthly_usd"] = how["monthly_kwh"] = f"unknown: {why}"
        # GPUs follow from the instance type and node count alone: counted whenever those are known.
        gpus = _gpus(cap, catalog, how)
        return ResourceEstimate(view.urn, view.type, cap.cloud, cap.region, cap.instance_type, cap.nodes,
                                cap.capacity_type, cap.hours, cap.utilization, gpus, None, None, None, how)
    assert cap.instance_type and cap.region and cap.nodes is not None
    if catalog.instance_type(cap.instance_type) is None and cap.instance_type not in catalog.prices.hosts:
        how["monthly_usd"] = (f"unknown: {cap.instance_type} is not in the catalog (GPU types: instance_types.csv, "
                              "CPU hosts: host_types.csv)")
        if cap.attached_gpus is not None:
            how["monthly_usd"] = (f"unknown: {cap.instance_type} with {cap.attached_gpus[1]} × {cap.attached_gpus[0]} "
                                  "attached: the catalog prices neither the machine type nor attached GPUs")
        how["monthly_kwh"] = f"unknown: {cap.instance_type} is not in the catalog"
        return ResourceEstimate(view.urn, view.type, cap.cloud, cap.region, cap.instance_type, cap.nodes,
                                cap.capacity_type, cap.hours, cap.utilization, _gpus(cap, catalog, how), None, None,
                                None, how)
    fp = capacity_footprint(catalog, cap.cloud, cap.region, cap.instance_type, cap.nodes,
                            hours=cap.hours, utilization=cap.utilization, capacity_type=price_as)
    how.update(fp.derivation)
    if cap.price_unknown is not None:
        how["monthly_usd"] = f"unknown: {cap.price_unknown}"
        return ResourceEstimate(view.urn, view.type, cap.cloud, cap.region, cap.instance_type, cap.nodes,
                                cap.capacity_type, cap.hours, cap.utilization, fp.gpus, None,
                                fp.monthly_kwh, fp.monthly_kgco2e, how,
                                monthly_embodied_kgco2e=fp.monthly_embodied_kgco2e)
    return ResourceEstimate(view.urn, view.type, cap.cloud, cap.region, cap.instance_type, cap.nodes,
                            cap.capacity_type, cap.hours, cap.utilization, fp.gpus, fp.monthly_usd,
                            fp.monthly_kwh, fp.monthly_kgco2e, how,
                            monthly_embodied_kgco2e=fp.monthly_embodied_kgco2e, price_kind=fp.price_kind)


def index_views(views: Iterable[ResourceView]) -> dict[str, ResourceView]:
    """Views by URN, by "id:<id>" and by name (`gpufleet.readers.base.by_name`), for cross-resource
    lookups (launch templates, clusters) in constant time; the first view wins."""
    graph: dict[str, ResourceView] = {}
    for v in views:
        graph[v.urn] = v
        if v.id:
            graph.setdefault(f"id:{v.id}", v)
        for key in NAME_INPUTS:
            name = get_known(v.inputs, key)
            if isinstance(name, str):
                graph.setdefault(name_key(key, v.type, name), v)
    return graph


def estimate_plan(views: Iterable[ResourceView], catalog: Catalog | None = None) -> PlanEstimate:
    """Estimates of every resource that costs money, and of the GPU pools an AKS cluster declares
    inline (keyed `<cluster URN>.agentPoolProfiles[<name>]`)."""
    catalog = catalog or load_catalog()
    views = with_inline_capacity(list(views))
    graph = index_views(views)
    out = {}
    assessments = {}
    requests = {}
    for v in views:
        e = estimate_resource(v, catalog, graph)
        if e is not None:
            out[v.urn] = e
        assessments[v.urn] = assess(v, e)
        reader = reader_for(v.type)
        if reader is not None and (demand := reader.gpu_demand(v)) is not None:
            requests[v.urn] = demand
    return PlanEstimate(out, frozenset().union(*(v.secrets for v in views)), assessments, requests)


def assess(view: ResourceView, estimate: ResourceEstimate | None) -> Assessment:
    """How gpufleet assessed `view` (given its estimate, None when it costs nothing or is unknown)."""
    expanded = not view.remote
    if estimate is not None:
        if estimate.priced:
            return Assessment(PRICED, view.type, expanded=expanded)
        return Assessment(UNPRICED, view.type, estimate.derivation.get("monthly_usd", "").removeprefix("unknown: "),
                          expanded)
    if view.remote:
        return Assessment(NOT_ASSESSED, view.type, NOT_EXPANDED, expanded=False)
    if view.type in RENDERED_BY_TOOL and not view.custom:
        return Assessment(NOT_ASSESSED, view.type, f"rendered by {RENDERED_BY_TOOL[view.type]}, which the offline preview "
                          "does not run: its children are not constructed and their cost is unknown", expanded=False)
    reader = reader_for(view.type)
    if reader is not None and view.custom and (why := reader.not_assessed(view)) is not None:
        return Assessment(NOT_ASSESSED, view.type, why)
    if reader is not None or not view.custom or view.type.split(":", 1)[0] in FREE_PACKAGES:
        return Assessment(FREE, view.type)  # a component's children are assessed on their own
    return Assessment(NOT_ASSESSED, view.type, NOT_KNOWN)
