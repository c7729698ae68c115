"""The offline preview: run a stack's program, estimate its resources, judge them with the policy pack.

`preview(...)` returns everything the terminal summary and `--json` need; it prints nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.config_key import CONFIG_KEY
from gpufleet.estimate import UNKNOWN, PlanEstimate, ResourceView, estimate_plan
from gpufleet.readers.views import provider_urn, views_from_states
from gpufleet.words import count
from gpufleet.offline.runner import DEFAULT_STALL_SECONDS, environment_settings
from gpufleet.clouds import reader_for
from gpufleet.offline import ProgramError, ProgramRun, RecordedResource, StackSettings, load_stack, preview_json, run_program
from gpufleet.offline.outputs import plan_outputs
from gpufleet.offline.plan import too_deep
from gpufleet.secrets import Redactor
from gpufleet.stacks import fleet_from_settings

if TYPE_CHECKING:
    from gpufleet.config import Fleet

# gpufleet's own pack: the repository's policies/ (gpufleet/policies links to it), package data once installed.
DEFAULT_POLICY_PACK = Path(__file__).resolve().parent / "policies"


@dataclass
class PreviewResult:
    run: ProgramRun
    estimate: PlanEstimate
    violations: list = field(default_factory=list)  # gpufleet.policy.violations.Violation
    policy_environment: str | None = None
    secrets: frozenset[str] = frozenset()  # secret values of the run: shown nowhere (gpufleet.secrets)
    reservations: list[dict[str, Any]] = field(default_factory=list)  # the fleet's, with their dates

    @property
    def mandatory_violations(self) -> list:
        return [v for v in self.violations if v.level == "mandatory"]

    def to_json(self) -> dict[str, Any]:
        doc = preview_json(self.run)
        doc["gpufleet"] = {
            "stack": self.run.settings.stack,
            "project": self.run.settings.project,
            **self.estimate.to_json(),
            "policy_environment": self.policy_environment,
            "violations": [v.to_json() for v in self.violations],
            "placement": self.run.outputs.get("placement"),
            # `pulumi preview --json` has no outputs in its steps: here as `pulumi stack output --json` shows them
            "outputs": plan_outputs(self.run.outputs),
            "reservations": self.reservations,
            # How each lookup was answered offline: none of it is real data.
            "lookups": self.run.lookups,
        }
        return Redactor(self.secrets).value(doc)

    def redacted(self) -> "PreviewResult":
        """The result as it may be shown: estimates and policy messages without secret values (the
        estimate and the policies used them: a secret instance type is priced and judged all the same)."""
        redactor = Redactor(self.estimate.secrets)
        violations = [replace(v, message=redactor.text(v.message)) for v in self.violations]
        return replace(self, estimate=self.estimate.redacted(), violations=violations,
                       secrets=self.estimate.secrets)


def _provider_of(run: ProgramRun, r: RecordedResource) -> str | None:
    """A resource's provider; for a multi-language component, the provider its children would run on
    (the one it was given for that package, else the package's default): its region prices the
    capacity read from the component's inputs."""
    reader = reader_for(r.type) if r.remote else None
    if reader is None or reader.provider_package is None:
        return r.provider
    if reader.provider_package in r.providers:
        return r.providers[reader.provider_package]
    s = run.settings
    return f"urn:pulumi:{s.stack}::{s.project}::pulumi:providers:{reader.provider_package}::default::{UNKNOWN}"


def component_providers(run: ProgramRun, views: list[ResourceView]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each multi-language component whose children would run on another provider than its own, with
    that provider's URN and inputs as the estimator sees them (`views`), so the policy pack judges it
    where it is priced (gpufleet.policy.protocol.ComponentProviders)."""
    by_urn = {v.urn: v for v in views}
    out = {}
    for r in run.resources:
        reference = _provider_of(run, r) if r.remote else None
        purn = provider_urn(reference)
        view = by_urn.get(r.urn)
        if purn is not None and reference != r.provider and view is not None and view.provider_inputs:
            out[r.urn] = (purn, view.provider_inputs)
    return out


def views_from_run(run: ProgramRun) -> list[ResourceView]:
    """The run's resources as the estimates read them. An input nested deeper than a plan file holds is the
    program's failure (exit 3), named: reading it would overflow Python's stack (an internal error, before)."""
    if (deep := too_deep(run)) is not None:
        raise ProgramError(deep, None)
    states = [{"urn": r.urn, "type": r.type, "inputs": r.inputs, "provider": _provider_of(run, r), "id": r.id,
               "propertyDependencies": r.property_dependencies, "custom": r.custom, "remote": r.remote}
              for r in run.resources]
    # A component's default provider that no resource of the program registered: the stack's settings,
    # else what the provider reads from the environment (AWS_REGION), as for a registered one.
    config = dict(run.settings.config)
    for package in {reader.provider_package for r in run.resources if r.remote
                    and (reader := reader_for(r.type)) is not None and reader.provider_package}:
        for name, value in environment_settings(package).items():
            config.setdefault(f"{package}:{name}", value)
    return views_from_states(states, config=config)


def estimate_run(run: ProgramRun, catalog: Catalog | None = None,
                 views: list[ResourceView] | None = None) -> PlanEstimate:
    """The run's estimate. A program may pass its resources inputs of any shape (the SDKs do not check
    them at run time); one the readers cannot take (a map where the provider wants a list, …) is what a
    real preview's provider `Check` rejects: the program's failure (`ProgramError`, exit 3), naming the
    resource, never a crash. `views`: the run's, when the caller has them (`views_from_run`)."""
    views = views if views is not None else views_from_run(run)
    try:
        return estimate_plan(views, catalog)
    except _SHAPE_ERRORS as exc:
        culprit = next((v for v in views if _fails_alone(v, views)), None)
        where = f"{culprit.type} {culprit.name!r}: " if culprit is not None else ""
        raise ProgramError(f"{where}inputs of a shape the provider does not accept "
                           f"({type(exc).__name__}: {str(exc)[:200]})", None) from exc


_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError)


def _fails_alone(view: ResourceView, views: list[ResourceView]) -> bool:
    """Whether estimating `view` with the resources it refers to fails (finds the resource at fault)."""
    try:
        estimate_plan([view, *(v for v in views if v is not view and v.urn in _referenced(view))])
    except _SHAPE_ERRORS:
        return True
    return False


def _referenced(view: ResourceView) -> set[str]:
    return {urn for urns in view.dependencies.values() for urn in urns}


def load_settings(program_dir: Path, stack: str) -> tuple[StackSettings, Fleet | None]:
    """The stack's settings and fleet; for gpufleet's own program (or any stack with a fleet) the
    fleet is validated first (exit 2)."""
    settings = load_stack(program_dir, stack)
    if settings.project == "gpufleet" or CONFIG_KEY in settings.config:
        return settings, fleet_from_settings(settings)
    return settings, None


def reservations_of(fleet: Fleet | None) -> list[dict[str, Any]]:
    """The fleet's capacity reservations with their dates, as the plan's `gpufleet.reservations`."""
    if fleet is None:
        return []
    return [{"workload": w.name, "kind": w.reservation.kind, "id": w.reservation.id, "zone": w.reservation.zone,
             "start_date": _iso(w.reservation.start_date), "end_date": _iso(w.reservation.end_date),
             "needed_until": _iso(w.needed_until)}
            for w in fleet.workloads if w.reservation is not None]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


class Steps(Protocol):
    """Told what the preview is doing (a progress display); `count_resources` steps then receive
    `resource_registered(n)` as the program declares resources."""

    def running(self, step: str, *, count_resources: bool = False) -> AbstractContextManager[Any]: ...

    def resource_registered(self, count: int) -> None: ...


class _Silent:
    def running(self, step: str, *, count_resources: bool = False) -> AbstractContextManager[Any]:
        return nullcontext()

    def resource_registered(self, count: int) -> None:
        pass


def preview(
    program_dir: Path,
    stack: str,
    *,
    policy_pack: Path | None = DEFAULT_POLICY_PACK,
    policy_config_file: Path | None = None,
    in_process_policies: bool = False,
    steps: Steps | None = None,
    stack_references: dict[str, dict] | None = None,
    stall_seconds: float = DEFAULT_STALL_SECONDS,
) -> PreviewResult:
    """Run, estimate and judge one stack. Everything that can be checked without running the program
    (stack files, the fleet, the policy configuration) is checked first, so a mistake costs no run."""
    steps = steps or _Silent()
    settings, fleet = load_settings(program_dir, stack)
    settings = replace(settings, stack_references=dict(stack_references or {}))
    policy_config: dict[str, Any] | None = None
    if policy_pack is not None:
        from gpufleet.policy.config import default_policy_config_path, load_policy_config

        # Read before the program runs, so a broken file is reported at once.
        config_path = policy_config_file or default_policy_config_path(policy_pack, settings.stack,
                                                                        fleet.environment if fleet else None)
        policy_config = load_policy_config(config_path)
    with ExitStack() as cleanup:
        pack = None
        on_record: Callable[[RecordedResource], None] | None = None
        if policy_config is not None and not in_process_policies:
            from gpufleet.policy.analyzer import PolicyPackProcess

            # Started before the run, so that the pack process's imports overlap with the program's run,
            # and given each resource as the program registers it, as the engine does: the pack judges
            # resources on its own core while the program runs; the stack as a whole after the run.
            pack = PolicyPackProcess(policy_pack, project=settings.project, stack=settings.stack,
                                     stack_config=settings.config)
            cleanup.callback(pack.close)
            pack.launch()
            on_record = pack.judge_while_running(policy_config, secret_keys=settings.secret_keys,
                                                 config_source=str(config_path))
        on_resource: Callable[[int], None] = steps.resource_registered
        with steps.running(f"running the Pulumi program of stack {settings.stack}", count_resources=True):
            run = run_program(settings, on_resource=on_resource, on_record=on_record, stall_seconds=stall_seconds)
        with steps.running(f"estimating {count(len(run.resources), 'resource')}"):
            # An owned site is priced from the stack's own figures (its `sites:`), like a region of the catalog.
            catalog = fleet.catalog(load_catalog()) if fleet is not None else None
            views = views_from_run(run)
            result = PreviewResult(run=run, estimate=estimate_run(run, catalog, views),
                                   reservations=reservations_of(fleet))
        if policy_pack is not None and policy_config is not None:
            result.policy_environment = config_path.stem
            from gpufleet.policy.protocol import unreadable_number

            where = unreadable_number(run)
            if where is not None:
                raise ProgramError(f"{where} is not a finite number (inf or NaN), which a policy pack cannot read "
                                   "(JSON has none; `pulumi preview --policy-pack` fails on it too): make it a "
                                   "finite number or a string, or preview with --no-policies", None)
            with steps.running(f"checking {count(len(run.resources), 'resource')} against the policy pack"):
                providers = component_providers(run, views)
                if pack is not None:
                    result.violations = pack.analyze(run, policy_config, providers, config_source=str(config_path))
                else:
                    from gpufleet.policy.inprocess import analyze_in_process

                    result.violations = analyze_in_process(policy_pack, run, policy_config,
                                                           project=settings.project, stack=settings.stack,
                                                           stack_config=settings.config,
                                                           component_providers=providers,
                                                           config_source=str(config_path))
    return result.redacted()
