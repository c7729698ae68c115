"""Read a plan file in any of the three shapes the report accepts, into one `Plan`.

- gpufleet's own plan (`gpufleet preview STACK --json FILE`): the `pulumi preview --json` shape plus a
  top-level `gpufleet` section with the estimate and policy results. Its totals are used as written
  (the same estimator made them).
- `pulumi preview --json` from the real CLI: resources from the steps' `newState`; estimated here.
- `pulumi stack export`: `{"version": 3, "deployment": {"resources": [...]}}`; estimated here.

The CLI formats are estimated with `estimate_plan`, the estimator `gpufleet preview` uses, so a team
running the Pulumi CLI gets the same numbers as one running gpufleet's offline preview.
"""

from __future__ import annotations

import json
import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.config_key import CONFIG_KEY
from gpufleet.errors import Problem, UserError
from gpufleet.estimate import estimate_plan
from gpufleet.files import load_plan_json
from gpufleet.readers.views import views_from_states
from gpufleet.terminal_text import CONTROLS

PlanFormat = Literal["gpufleet", "preview", "stack-export"]
FORMAT_NAMES: dict[str, str] = {
    "gpufleet": "gpufleet plan",
    "preview": "pulumi preview --json",
    "stack-export": "pulumi stack export",
}

# Steps whose resource is gone (or never managed by the stack) once the preview is applied.
_GONE_OPS = frozenset({"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"})
# `read` steps (get_resource) look at resources another stack or person manages: not ours to price.
_NOT_MANAGED_OPS = frozenset({"read", "read-replacement", "read-discard"})

_EMPTY_ESTIMATE: dict[str, Any] = {
    "totals": {"gpus": 0, "monthly_usd": 0.0, "monthly_kwh": 0.0, "monthly_kgco2e": 0.0},
    "estimates": {},
    "unpriced": [],
    "unknown_energy": [],
    "unknown_embodied": [],
}


@dataclass(frozen=True)
class Step:
    """One Pulumi operation in a preview (`op`) on the resource `state` (old state for deletes)."""

    op: str
    urn: str
    type: str


@dataclass(frozen=True)
class Plan:
    """What a plan says the stack will be: its resources, their estimate and the policy results.

    `estimate` has the shape of `PlanEstimate.to_json()`. `violations` is None when the plan
    carries no policy results (the CLI formats never do), [] when policies ran and passed.
    """

    source: str
    format: PlanFormat
    stack: str
    states: list[dict[str, Any]]
    estimate: dict[str, Any]
    violations: list[dict[str, Any]] | None = None
    steps: list[Step] = field(default_factory=list)
    policy_environment: str | None = None  # the policy configuration used (`policies/<env>.json`)
    config: dict[str, Any] = field(default_factory=dict)  # stack config of a preview (`aws:region`, …)
    warnings: tuple[str, ...] = ()  # why the plan's totals may not be the whole stack
    placement: dict[str, Any] | None = None  # a gpufleet plan's placement (stack output), for recommendations
    reservations: list[dict[str, Any]] = field(default_factory=list)  # a gpufleet plan's, with their dates

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.format]

    @property
    def operations(self) -> Counter[str]:
        """Pulumi operations of a CLI preview, by op (empty for other formats)."""
        return Counter(s.op for s in self.steps)


def empty_plan(stack: str, source: str = "(none)") -> Plan:
    """A stack with nothing in it: the base of a stack that a pull request creates."""
    return Plan(source, "gpufleet", stack, [], json.loads(json.dumps(_EMPTY_ESTIMATE)), [])


# Control characters (terminal escapes, carriage returns) and bidirectional marks in a plan's strings
# would drive the reader's terminal or reorder what a comment shows; a plan is untrusted. Replaced as it
# is read, so no output can miss one (every output also escapes what it prints: gpufleet.terminal_text).


def _printable(value: Any) -> Any:
    """`value` with every control character in its strings (keys too) shown as U+FFFD."""
    if isinstance(value, str):
        return CONTROLS.sub("\ufffd", value)
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    return value


def _load_json(path: Path) -> Any:
    return _printable(load_plan_json(path, heading="unreadable plan"))


def urn_type(urn: str) -> str:
    """"urn:pulumi:dev::proj::pkg:Parent$aws:ec2/instance:Instance::name" -> "aws:ec2/instance:Instance"."""
    parts = urn.split("::")
    return parts[-2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _stack_of_urn(urn: str) -> str | None:
    """"urn:pulumi:dev::proj::type::name" -> "dev"."""
    head = urn.split("::", 1)[0]
    return head.split(":", 2)[2] if head.count(":") >= 2 else None


def _stack_name(states: list[dict[str, Any]], fallback: str) -> str:
    for s in states:
        stack = _stack_of_urn(str(s.get("urn", "")))
        if stack:
            return stack
    return fallback


def _preview_resources(doc: dict[str, Any], path: Path) -> tuple[list[dict[str, Any]], list[Step]]:
    steps = doc.get("steps") or []  # `steps` is left out of a preview with nothing in it
    if not isinstance(steps, list):
        raise UserError([Problem(f"{path}: steps", "must be a list of preview steps", type(steps).__name__)],
                        heading="unreadable plan")
    states: dict[str, dict[str, Any]] = {}
    recorded: list[Step] = []
    problems: list[Problem] = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise UserError([Problem(f"{path}: steps[{i}]", "must be an object", type(step).__name__)],
                            heading="unreadable plan")
        problems += _fields(f"{path}: steps[{i}]", step, _STEP)
        for key in ("newState", "oldState"):
            if isinstance(step.get(key), dict):
                problems += _state_problems(f"{path}: steps[{i}].{key}", step[key])
        if problems:
            continue
        op = str(step.get("op", "same"))
        new, old = step.get("newState"), step.get("oldState")
        state = new if isinstance(new, dict) else old if isinstance(old, dict) else {}
        urn = str(step.get("urn") or state.get("urn") or "")
        recorded.append(Step(op, urn, str(state.get("type") or urn_type(urn))))
        if op in _GONE_OPS or op in _NOT_MANAGED_OPS or not isinstance(new, dict):
            continue
        # A replacement shows up as several steps on one URN; the first new state is the one kept.
        states.setdefault(urn, {**new, "urn": new.get("urn", urn)})
    _raise_if(problems, path)
    return list(states.values()), recorded


def _export_resources(doc: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    resources = doc["deployment"].get("resources") or []
    if not isinstance(resources, list):
        raise UserError([Problem(f"{path}: deployment.resources", "must be a list", type(resources).__name__)],
                        heading="unreadable plan")
    _raise_if([p for i, r in enumerate(resources) if isinstance(r, dict)
               for p in _state_problems(f"{path}: deployment.resources[{i}]", r)], path)
    # Pending deletes and resources read from elsewhere (`external`) are not the stack's to price.
    return [r for r in resources if isinstance(r, dict) and not r.get("delete") and not r.get("external")]


_NUMBER = (int, float)
_OPTIONAL_TEXT = (str, type(None))
# The fields of gpufleet's plan section the report reads, and the JSON types each may have.
_TOTALS: dict[str, tuple[type, ...]] = {"gpus": (*_NUMBER, type(None)), "monthly_usd": (*_NUMBER, type(None)),
                                        "monthly_kwh": (*_NUMBER, type(None)), "monthly_kgco2e": (*_NUMBER, type(None)),
                                        "max_gpus": _NUMBER}
_ESTIMATE: dict[str, tuple[type, ...]] = {
    "type": _OPTIONAL_TEXT, "cloud": _OPTIONAL_TEXT, "region": _OPTIONAL_TEXT, "instance_type": _OPTIONAL_TEXT,
    "nodes": (int, type(None)), "capacity_type": _OPTIONAL_TEXT, "hours_per_month": (*_NUMBER, type(None)),
    "utilization": (*_NUMBER, type(None)), "gpus": (*_NUMBER, type(None)), **_TOTALS, "derivation": (dict,),
    "depends_on_secret": (bool,)}
_VIOLATION: dict[str, tuple[type, ...]] = {"policy": (str,), "level": (str,), "urn": _OPTIONAL_TEXT, "message": (str,)}
_STEP: dict[str, tuple[type, ...]] = {"op": (str,), "urn": (str,), "newState": (dict, type(None)),
                                      "oldState": (dict, type(None))}
# A resource state (`newState` of a preview step, a resource of a stack export).
_STATE: dict[str, tuple[type, ...]] = {"urn": (str,), "type": (str,), "inputs": (dict,), "outputs": (dict,),
                                       "provider": (str,), "parent": (str,), "id": _OPTIONAL_TEXT,
                                       "propertyDependencies": (dict,)}
_MAX_PROBLEMS = 20  # a hostile plan can be wrong in a million places; the first ones say enough


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


def _fields(where: str, obj: Any, fields: dict[str, tuple[type, ...]], required: bool = False) -> list[Problem]:
    """Problems with `obj`'s fields: a missing one (when `required`) or one of the wrong JSON type."""
    if not isinstance(obj, dict):
        return [Problem(where, "must be an object", _json_type(obj))]
    problems = []
    for key, kinds in fields.items():
        if key not in obj:
            if required:
                problems.append(Problem(f"{where}.{key}", "required field is missing"))
            continue
        value = obj[key]
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            allowed = tuple(dict.fromkeys(_json_type(k()) if k is not type(None) else "null" for k in kinds))
            problems.append(Problem(f"{where}.{key}", "wrong type", _json_type(value), allowed))
    return problems


def _state_problems(where: str, state: dict[str, Any]) -> list[Problem]:
    problems = _fields(where, state, _STATE)
    dependencies = state.get("propertyDependencies")
    if isinstance(dependencies, dict) and not all(isinstance(v, list) for v in dependencies.values()):
        problems.append(Problem(f"{where}.propertyDependencies", "must map input names to lists of URNs"))
    return problems


def _raise_if(problems: list[Problem], path: Path) -> None:
    """Raise the first problems found (a hostile plan can be wrong in a million places)."""
    if problems:
        shown = problems[:_MAX_PROBLEMS]
        if len(problems) > _MAX_PROBLEMS:
            shown.append(Problem(str(path), f"… and {len(problems) - _MAX_PROBLEMS} more problems"))
        raise UserError(shown, heading="unreadable plan")


def _gpufleet_section(section: Any, path: Path) -> tuple[dict[str, Any], list[dict[str, Any]] | None, str | None]:
    problems = []
    if not isinstance(section, dict):
        raise UserError([Problem(f"{path}: gpufleet", "must be an object", type(section).__name__)],
                        heading="unreadable plan")
    totals = section.get("totals")
    if not isinstance(totals, dict) or not all(k in totals for k in _EMPTY_ESTIMATE["totals"]):
        problems.append(Problem(f"{path}: gpufleet.totals", "must have gpus, monthly_usd, monthly_kwh and monthly_kgco2e"))
    else:
        problems += _fields(f"{path}: gpufleet.totals", totals, {**_TOTALS, "gpus_unknown_size": (int,)})
    for key, kind in (("estimates", dict), ("unpriced", list), ("unknown_energy", list), ("violations", list)):
        if not isinstance(section.get(key, kind()), kind):
            problems.append(Problem(f"{path}: gpufleet.{key}", f"must be a {kind.__name__}", type(section[key]).__name__))
    estimates = section.get("estimates")
    for urn, e in (estimates.items() if isinstance(estimates, dict) else ()):
        where = f"{path}: gpufleet.estimates[{urn!r}]"
        problems += _fields(where, e, _ESTIMATE)
        derivation = e.get("derivation") if isinstance(e, dict) else None
        if isinstance(derivation, dict) and not all(isinstance(v, str) for v in derivation.values()):
            problems.append(Problem(f"{where}.derivation", "must map figures to text"))
    for key in ("unpriced", "unknown_energy"):
        urns = section.get(key)
        if isinstance(urns, list) and not all(isinstance(u, str) for u in urns):
            problems.append(Problem(f"{path}: gpufleet.{key}", "must be a list of URNs (strings)"))
    violations = section.get("violations", [])
    for i, v in enumerate(violations if isinstance(violations, list) else []):
        if not isinstance(v, dict) or not {"policy", "level", "message"} <= set(v):
            problems.append(Problem(f"{path}: gpufleet.violations[{i}]", "must have policy, level, urn and message"))
        else:
            problems += _fields(f"{path}: gpufleet.violations[{i}]", v, _VIOLATION)
    _raise_if(problems, path)
    estimate = {
        "totals": totals,
        "estimates": section.get("estimates", {}),
        "unpriced": section.get("unpriced", []),
        "unknown_energy": section.get("unknown_energy", []),
        "unknown_embodied": section.get("unknown_embodied", []),
    }
    for key in ("assessment", "gpu_requests", "usage_based"):  # plans written before these were added have none
        if isinstance(section.get(key), dict):
            estimate[key] = section[key]
    if isinstance(section.get("partial_totals"), list):  # figures whose total leaves unknowns out
        estimate["partial_totals"] = section["partial_totals"]
    stack = section.get("stack") if isinstance(section.get("stack"), str) else None
    # `gpufleet preview --no-policies` writes `"policy_environment": null`: no policy ran.
    if "policy_environment" in section and section["policy_environment"] is None:
        violations = None
    return estimate, violations, stack


def estimate_states(states: list[dict[str, Any]], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The estimate of resource states, as `PlanEstimate.to_json()`: the one estimator, re-run.
    `config` is the preview's stack configuration, for default providers missing from the states and
    for the owned sites of its `gpufleet:fleet` (priced from their own figures, as the preview does)."""
    return estimate_plan(views_from_states(states, config=config), _sites_catalog(config or {})).redacted().to_json()


def _sites_catalog(config: dict[str, Any]) -> Catalog | None:
    """The catalog with the owned sites of the plan's `gpufleet:fleet`; None (the shipped catalog) when it
    has none or is not valid (its preview reported that)."""
    raw = config.get(CONFIG_KEY)
    if not isinstance(raw, (str, dict)):
        return None
    from gpufleet.config import parse_fleet  # the fleet's models, only for a plan that has a fleet

    try:
        fleet = parse_fleet(json.loads(raw) if isinstance(raw, str) else raw)
    except (ValueError, UserError):
        return None
    return fleet.catalog(load_catalog()) if fleet.sites else None


def _config(doc: dict[str, Any]) -> dict[str, Any]:
    config = doc.get("config")
    return config if isinstance(config, dict) else {}


def _partial_preview(doc: dict[str, Any], steps: list[Step]) -> tuple[str, ...]:
    """`pulumi preview --json` leaves unchanged resources out unless run with `--show-sames`."""
    summary = doc.get("changeSummary")
    same = summary.get("same") if isinstance(summary, dict) else None
    if isinstance(same, int) and same > 0 and not any(s.op == "same" for s in steps):
        return (f"this preview lists changed resources only: {same} unchanged resource(s) are not in it, so its "
                "totals cover the changes, not the whole stack. Run `pulumi preview --json --show-sames`.",)
    return ()


@contextlib.contextmanager
def resource_inputs_of(source: str) -> Iterator[None]:
    """Resource inputs in a plan are whatever the tool that wrote it put there; a shape the readers
    cannot take (a list where the provider wants a string, …) makes the plan unreadable (exit 2)."""
    try:
        yield
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise UserError([Problem(source, f"resource inputs of a shape their provider does not accept "
                                         f"({type(exc).__name__}: {str(exc)[:200]})")],
                        heading="unreadable plan") from None


def read_plan(path: Path | str) -> Plan:
    """Read and estimate one plan file. Unreadable or unknown files raise `UserError` naming the file."""
    path = Path(path)
    with resource_inputs_of(str(path)):
        return _read_plan(path)


def _read_plan(path: Path) -> Plan:
    doc = _load_json(path)
    if isinstance(doc, dict) and "gpufleet" in doc:
        estimate, violations, stack = _gpufleet_section(doc["gpufleet"], path)
        states, steps = _preview_resources(doc, path) if "steps" in doc else ([], [])
        environment = doc["gpufleet"].get("policy_environment")
        placement = doc["gpufleet"].get("placement")
        reservations = doc["gpufleet"].get("reservations")
        return Plan(str(path), "gpufleet", stack or _stack_name(states, path.stem), states, estimate, violations,
                    steps, environment if isinstance(environment, str) else None, _config(doc),
                    placement=placement if isinstance(placement, dict) else None,
                    reservations=reservations if isinstance(reservations, list) else [])
    if isinstance(doc, dict) and ("steps" in doc or "changeSummary" in doc):
        states, steps = _preview_resources(doc, path)
        return Plan(str(path), "preview", _stack_name(states, path.stem), states, estimate_states(states, _config(doc)),
                    None, steps, config=_config(doc), warnings=_partial_preview(doc, steps))
    if isinstance(doc, dict) and isinstance(doc.get("deployment"), dict) and "resources" in doc["deployment"]:
        states = _export_resources(doc, path)
        return Plan(str(path), "stack-export", _stack_name(states, path.stem), states, estimate_states(states))
    keys = sorted(doc)[:8] if isinstance(doc, dict) else type(doc).__name__
    raise UserError(
        [Problem(str(path), "not a plan gpufleet can read", keys,
                 ("gpufleet preview STACK --json FILE", "pulumi preview --json", "pulumi stack export"))],
        heading="unreadable plan",
    )


def read_plans(path: Path | str) -> dict[str, Plan]:
    """One plan file, or a folder of them (`*.json`), by stack name.

    In a folder, a plan's stack is its file name without `.json`, so that the base and head folders
    of a pull request pair up file by file whatever the stacks call themselves inside.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise UserError([Problem(str(path), "folder has no plan files (*.json)")], heading="unreadable plan")
        return {f.stem: read_plan(f) for f in files}
    plan = read_plan(path)
    return {plan.stack: plan}
