"""One reader per resource type: what gpufleet reads from a resource's inputs, for the estimator, the
policy pack and the report alike.

A `ResourceReader` is written once per type (in the cloud's `readers` module) and registered through
its cloud adapter (`gpufleet.clouds`). Every question has a neutral default here ("not capacity",
"no storage", "free"), so a reader answers only what its type carries. Readers are pure: they import
no SDK and no Pulumi, and see wire (camelCase) input names as the engine records them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from gpufleet.files import text_number
from gpufleet.footprint import HOURS_PER_MONTH
from gpufleet.readers.views import ResourceView, get_known, known

# Tags gpufleet's components put on GPU capacity so estimates from inputs know the duty cycle.
TAG_UTILIZATION = "gpufleet-utilization-percent"
TAG_HOURS = "gpufleet-hours-per-month"
# The capacity a component declares for an object store it creates (its storage plan's `object_tib`):
# object storage is billed on the bytes stored, so this is what a preview can price it at.
TAG_OBJECT_TIB = "gpufleet-object-tib"
# The expiry `gpufleet run` gives a task's stack (gpufleet.tasks.plan.TAG_EXPIRES_AT), which it destroys then:
# a lifetime that backs the task's hours even where its nodes cannot scale down.
TAG_EXPIRES_AT = "gpufleet-expires-at"
ONE_INSTANCE = "(one instance)"  # the scaling "path" of resources that are a single machine
NOT_CONFIGURED = "—"  # a fabric the resource configures nothing for

Graph = dict[str, ResourceView]  # views by URN and by "id:<id>" (gpufleet.estimate.plan.index_views)
# Inputs that name a resource for others to refer to it (a launch template's or GKE cluster's `name`,
# an AKS cluster's `resourceName`): indexed in the graph so lookups by name stay linear in plan size.
NAME_INPUTS = ("name", "resourceName")


def name_key(key: str, type_: str, name: str) -> str:
    return f"{key}:{type_}:{name}"


def by_name(graph: Graph, type_: str, key: str, name: object) -> ResourceView | None:
    """The first view of `type_` whose input `key` (one of NAME_INPUTS) is `name`."""
    return graph.get(name_key(key, type_, name)) if isinstance(name, str) else None


def by_id(graph: Graph, type_: str, id_: object) -> ResourceView | None:
    """The first view with id `id_`, if it is of `type_`."""
    view = graph.get(f"id:{id_}") if isinstance(id_, str) else None
    return view if view is not None and view.type == type_ else None


@dataclass(frozen=True)
class Capacity:
    """Compute capacity as the estimator prices it."""

    cloud: str
    region: str | None
    instance_type: str | None
    nodes: int | None
    capacity_type: str  # "on-demand", "spot" or "reserved"
    hours: float
    utilization: float
    notes: dict[str, str] = field(default_factory=dict)
    # Why the catalog's price for this hardware is not what it costs here (a managed service's own rate,
    # e.g. SageMaker's ml.* instances): GPUs, energy and carbon are estimated, the price stays unknown.
    price_unknown: str | None = None
    # GPUs attached to each node of a machine type that has none of its own (GCP N1 + guestAccelerators):
    # (accelerator type as declared, count per node). Counted; priced only when the catalog knows how.
    attached_gpus: tuple[str, int] | None = None
    # The price it is billed at when not its capacity type's: an On-Demand Capacity Reservation is reserved
    # capacity billed at the On-Demand rate.
    price_as: str | None = None


@dataclass(frozen=True)
class Scaling:
    """Node counts a capacity resource can run: None when unknown."""

    min_nodes: int | None
    max_nodes: int | None
    min_path: str
    max_path: str


ONE = Scaling(1, 1, ONE_INSTANCE, ONE_INSTANCE)


@dataclass(frozen=True)
class StorageRead:
    """A storage resource as the report groups it: its tier (service), whether its capacity is
    provisioned (else elastic), that capacity in TiB (None: elastic or unknown) and details."""

    tier: str
    provisioned: bool
    capacity_tib: float | None
    details: tuple[str, ...]


# Kinds of bill line: a service billed per unit-hour (control planes, endpoints, gateways, addresses,
# load balancers), provisioned storage billed per capacity, a provisioned quantity billed per unit-month
# (EBS IOPS and throughput), and a charge billed by use alone.
HOURLY, STORAGE, MONTHLY, USAGE = "hourly", "storage", "monthly", "usage"


@dataclass(frozen=True)
class BillLine:
    """Something a resource is billed for besides compute capacity, as the catalog prices it
    (`service_prices.csv` rows by cloud, service, SKU and region).

    HOURLY: `quantity` units billed each hour (None: not known at preview); STORAGE: `quantity` TiB
    (None: not declared); MONTHLY: `quantity` units billed each month (None: not known at preview); USAGE:
    billed by use (requests, data processed), never priced in a month's total — its unit price is shown beside
    it. `what` names the unit and how the reader counted it.
    """

    kind: str  # HOURLY, STORAGE, MONTHLY or USAGE
    service: str
    sku: str
    region: str | None
    quantity: float | None
    what: str


class ResourceReader:
    """How gpufleet reads one resource type. Subclasses set `type`, `cloud` and answer what applies."""

    type: str = ""
    cloud: str = ""
    is_capacity: bool = False  # compute capacity: `capacity` returns a Capacity (None: declared by another resource)
    billable: str | None = None  # why it costs money the catalog cannot price; None: free or not ours
    # For a multi-language component: the package whose provider configures its children (its
    # region), as the engine would have them use it.
    provider_package: str | None = None

    # What disrupts running nodes or data when it changes (the report flags it, `gpufleet.report.disruption`).
    # Input paths ("nodeConfig.guestAccelerators" for a nested field), each reader module stating where
    # its lists come from (the provider's resource schema: Terraform `ForceNew`, azure-native replacements).
    # Only what matters for GPU nodes and storage is listed, so an unlisted input is not a claim.
    replace_inputs: tuple[str, ...] = ()  # the provider replaces the resource (delete, then create)
    roll_inputs: tuple[str, ...] = ()  # an in-place update that still recreates the nodes (a rolling update)
    # Numbers the provider can only raise in place: a lower value replaces the resource (delete, then create).
    replace_if_decreased: tuple[str, ...] = ()
    # For a template capacity launches from: the inputs whose change does NOT make a new version (every
    # other change does, and capacity following the template's latest version rolls its nodes). None: not
    # a template.
    unversioned_inputs: tuple[str, ...] | None = None
    # For a resource that declares capacity inline (`inline_capacity`): the inputs of a part, as its view
    # carries them, whose change replaces the part (`part_replace_reason` says how), or rolls its nodes.
    # `part_replaces_parent`: a replaced part replaces the declaring resource, and so every part of it.
    part_replace_inputs: tuple[str, ...] = ()
    part_roll_inputs: tuple[str, ...] = ()
    part_replace_reason: str = "the provider replaces it"
    part_replaces_parent: bool = False

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity | None:
        """The capacity the estimator prices (capacity readers only)."""
        return None

    def template(self, view: ResourceView, graph: Graph) -> ResourceView | None:
        """The template (e.g. launch template) whose new versions reach this capacity's nodes; None: none."""
        return None

    def roll_paths(self, view: ResourceView) -> tuple[str, ...]:
        """The inputs whose change reaches the running nodes (`roll_effect` says how): `roll_inputs`, and what
        the resource itself adds (an auto scaling group's instance refresh `triggers`)."""
        return self.roll_inputs

    def roll_effect(self, view: ResourceView) -> tuple[str, str]:
        """What a change of `roll_inputs` does to the running nodes: ("rolled", why) for an update that
        recreates them, ("mixed", why) where they keep running as they are and only nodes launched later
        differ (gpufleet.report.disruption)."""
        return "rolled", "an update that recreates the nodes"

    def template_effect(self, view: ResourceView, replaced: bool) -> tuple[str, str]:
        """What a new version of its `template` (or, `replaced`, a new template) does to the running nodes:
        (effect, why, appended to the template's change); by default the capacity follows it."""
        return ("replaced" if replaced else "rolled"), ""

    def billable_reason(self, view: ResourceView) -> str | None:
        """Why a resource that is not capacity costs money we cannot price; None when it is free. A part
        standing for disks its capacity's nodes get (`node_disks`) says what they are."""
        why = view.inputs.get(DISKS_WHY) if view.part_of is not None else None
        return why if isinstance(why, str) and self.billable is not None else self.billable

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        """Every (input path, instance type) the resource declares, unknowns kept as sentinels."""
        return []

    def scaling(self, inputs: dict[str, Any]) -> Scaling | None:
        """The node counts a capacity resource can scale between."""
        return None

    def scaling_in(self, view: ResourceView, graph: Graph) -> Scaling | None:
        """`scaling`, for capacity whose bounds another resource declares (a SageMaker endpoint's
        configuration)."""
        return self.scaling(view.inputs)

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        """The capacity reservations the resource (or its template) targets, as declared."""
        return []

    def capacity_block(self, view: ResourceView, graph: Graph) -> bool:
        """True for capacity reserved for a fixed window that ends by itself."""
        return False

    def inline_capacity(self, view: ResourceView) -> list[ResourceView]:
        """Capacity the resource declares inline, as views of the type that would declare it alone."""
        return []

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """`inline_capacity`, for capacity another resource declares (a SageMaker endpoint's other variants,
        in its configuration)."""
        return self.inline_capacity(view)

    def fabric_configured(self, view: ResourceView | None, graph: Graph, interconnect: str) -> str:
        """What the resource configures for its instance type's interconnect, in words (the report).
        `view` is None for inline capacity (known only by its estimate)."""
        return NOT_CONFIGURED

    def storage(self, view: ResourceView) -> StorageRead | None:
        return None

    def bill(self, view: ResourceView, graph: Graph) -> list[BillLine]:
        """What the resource is billed for besides capacity (empty: nothing the catalog can price;
        `billable_reason` then says why it costs money)."""
        return []

    def not_assessed(self, view: ResourceView) -> str | None:
        """Why a resource this reader found no capacity or bill in cannot be assessed (its inputs do not say
        what it is), so it is "not assessed", never free; None when it is known to cost nothing by itself."""
        return None

    def gpu_demand(self, view: ResourceView) -> Any:
        """GPUs a workload requests of a cluster (`gpufleet.readers.kubernetes.GpuDemand`); None: none."""
        return None

    def lifecycle(self, view: ResourceView) -> tuple[str, list[str]] | None:
        """(storage tier, "lifecycle → CLASS" details) for a resource that configures another's lifecycle."""
        return None

    def storage_region(self, view: ResourceView) -> str:
        """Where a storage resource is: its own region or location, else its provider's."""
        place = get_known(view.inputs, "region") or get_known(view.provider_inputs, "region") \
            or get_known(view.inputs, "location") or get_known(view.provider_inputs, "location")
        return place.replace(" ", "").lower() if isinstance(place, str) else "unknown"


class Free(ResourceReader):
    """A type known to cost nothing by itself (networks, IAM, resource groups…): assessed, free."""

    def __init__(self, type_: str, cloud: str) -> None:
        self.type, self.cloud = type_, cloud


def free_readers(cloud: str, types: tuple[str, ...] | list[str]) -> list[ResourceReader]:
    return [Free(type_, cloud) for type_ in types]


class Billable(ResourceReader):
    """A type that costs money the catalog cannot price, and nothing else to read."""

    def __init__(self, type_: str, cloud: str, reason: str) -> None:
        self.type, self.cloud, self.billable = type_, cloud, reason


Bill = Callable[[ResourceView, str | None], list[BillLine]]  # a resource and its region -> its bill lines


class Priced(ResourceReader):
    """A type billed for what `lines` reads (control planes, endpoints, gateways, addresses…), its region
    read by `region`; `billable` says what it costs where `lines` reads nothing."""

    def __init__(self, type_: str, cloud: str, billable: str, lines: Bill,
                 region: Callable[[ResourceView], str | None]) -> None:
        self.type, self.cloud, self.billable, self._lines, self._region = type_, cloud, billable, lines, region

    def bill(self, view: ResourceView, graph: Graph) -> list[BillLine]:
        return self._lines(view, self._region(view))


class Storage(ResourceReader):
    """A storage service the report lists by tier. `read` gives (provisioned?, capacity in TiB or None,
    details); `lines`, where the catalog can price the service, its bill lines."""

    def __init__(self, type_: str, cloud: str, tier: str, billable: str,
                 read: Callable[[ResourceView], tuple[bool, float | None, list[str]]],
                 lines: Bill | None = None, replace_inputs: tuple[str, ...] = (),
                 replace_if_decreased: tuple[str, ...] = ()) -> None:
        self.type, self.cloud, self.tier, self.billable, self._read = type_, cloud, tier, billable, read
        self._lines = lines
        self.replace_inputs, self.replace_if_decreased = replace_inputs, replace_if_decreased

    def storage(self, view: ResourceView) -> StorageRead:
        provisioned, tib, details = self._read(view)
        return StorageRead(self.tier, provisioned, tib if provisioned else None, tuple(details))

    def bill(self, view: ResourceView, graph: Graph) -> list[BillLine]:
        if self._lines is None:
            return []
        region = self.storage_region(view)
        return self._lines(view, None if region == "unknown" else region)


def billable_readers(cloud: str, reasons: dict[str, str]) -> list[ResourceReader]:
    return [Billable(type_, cloud, reason) for type_, reason in reasons.items()]


# --- node disks ---------------------------------------------------------------------------------

# Under this key, a part standing for its capacity's node disks carries why it is unpriced (`node_disks`).
DISKS_WHY = "gpufleetDisksUnpriced"


def node_disks(owner: ResourceView, path: str, type_: str, disks: int | None, size: str, kind: str,
               why: str) -> list[ResourceView]:
    """The boot or OS disks (or other disks) a capacity resource's nodes get without declaring a disk resource,
    as one part `<owner>.<path>` of the provider's disk type `type_`: `disks` of them (None: the nodes' count is
    not known at preview; 0: none, no part), each of `size`, of `kind` (both as text saying where they come
    from), listed unpriced with `why` (the catalog's missing price), never free and never left out."""
    if disks == 0:
        return []
    many = "(a node count not known at preview)" if disks is None else f"{disks}"
    reason = f"{many} × {size} {kind}: {why}"
    return [ResourceView(urn=f"{owner.urn}.{path}", type=type_, inputs={DISKS_WHY: reason},
                         provider_inputs=owner.provider_inputs, part_of=owner.part_of or owner.urn)]


# --- shared reading helpers ---------------------------------------------------------------------

def count(value: Any) -> int | None:
    """A count: a finite, non-negative number (anything else is unknown, never priced)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return int(value)


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def whole(value: Any) -> int | None:
    """A number as an int (policies' scaling bounds), None when not a finite number."""
    n = number(value)
    return None if n is None or not math.isfinite(n) else int(n)


def truthy(value: Any) -> bool:
    """Booleans as providers accept them: True or the strings "true"/"True" (launch templates use strings)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def duty(tags: Any) -> tuple[float, float, dict[str, str]]:
    """Hours a month and GPU utilisation: from gpufleet's tags, else the stated upper bound."""
    notes = {}
    tags = tags if isinstance(tags, dict) else {}
    hours, util = HOURS_PER_MONTH, 1.0
    try:
        if known(tags.get(TAG_HOURS)):
            hours = _tag_number(tags[TAG_HOURS])
            notes["hours_per_month"] = f"{hours:g} h from tag {TAG_HOURS}"
        else:
            notes["hours_per_month"] = f"assumed always on ({HOURS_PER_MONTH:g} h): no {TAG_HOURS} tag"
        if known(tags.get(TAG_UTILIZATION)):
            util = _tag_number(tags[TAG_UTILIZATION]) / 100.0
            notes["utilization"] = f"{util:.0%} from tag {TAG_UTILIZATION}"
        else:
            notes["utilization"] = f"assumed 100% GPU duty (upper bound): no {TAG_UTILIZATION} tag"
    except (TypeError, ValueError):
        notes["utilization"] = "gpufleet tags unreadable; assumed always on at 100% GPU duty (upper bound)"
        hours, util = HOURS_PER_MONTH, 1.0
    if not (0.0 <= util <= 1.0 and 0.0 < hours <= HOURS_PER_MONTH):
        notes["utilization"] = "gpufleet tags out of range; assumed always on at 100% GPU duty (upper bound)"
        hours, util = HOURS_PER_MONTH, 1.0
    return hours, util, notes


def _tag_number(value: Any) -> float:
    """A number tag or label: a number, or text that is a plain decimal number ("5_5", "٥" are not)."""
    if isinstance(value, str):
        return text_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def declared_object_tib(tags: Any) -> float | None:
    """The object capacity a gpufleet component declared on a bucket or account (TAG_OBJECT_TIB)."""
    value = tags.get(TAG_OBJECT_TIB) if isinstance(tags, dict) else None
    try:
        tib = _tag_number(value) if known(value) else None
    except (TypeError, ValueError):
        return None
    return tib if tib is not None and math.isfinite(tib) and tib >= 0 else None


def declared_object_storage(service: str, sku: str, region: str | None, tags: Any, *, tag_word: str, at: str,
                            lifecycle: str) -> BillLine:
    """Object storage is billed on the bytes stored: priced on the capacity a gpufleet component declares
    (TAG_OBJECT_TIB in `tags`, an upper bound because `lifecycle` moves objects to cheaper classes),
    otherwise usage-based, never 0."""
    tib = declared_object_tib(tags)
    if tib is None:
        return BillLine(USAGE, service, sku, region, None,
                        f"storage (no {TAG_OBJECT_TIB} {tag_word}: the bytes stored are not declared)")
    return BillLine(STORAGE, service, sku, region, tib,
                    f"{tib:g} TiB declared ({tag_word} {TAG_OBJECT_TIB}) at {at}, an upper bound: {lifecycle}")


def own_or_provider(view: ResourceView, key: str) -> Any:
    """The resource's own setting if it has one (an unknown one stays unknown), else its provider's."""
    if key in view.inputs:
        return get_known(view.inputs, key)
    return get_known(view.provider_inputs, key)
