"""The engine's side of the Analyzer protocol: what `pulumi preview` sends a policy pack, and in what order.

For a Python pack the CLI starts `python -u -m pulumi.policy <engine address> .` in the pack folder with
PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN, PULUMI_CONFIG (and PULUMI_ORGANIZATION) in the environment,
then calls `pulumirpc.Analyzer`: `Handshake` and `ConfigureStack` (both optional for a pack), then
`GetAnalyzerInfo`, `Configure` with the reconciled policy config, `Remediate` and `Analyze` for every
resource as it is registered (checked inputs, resource options, the provider's inputs), and
`AnalyzeStack` with every resource at the end (pulumi/pulumi `analyzer_plugin.go`, `step_generator.go`).

`open_session` and `Session` do exactly that, over any `AnalyzerClient` — the gRPC stub of a real pack
process, or the pack's servicer in-process — so both paths send identical messages: per resource while
the program runs (`Pipeline`, several resources in flight) or after it, and `run_session` for a recorded
`ProgramRun`.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb

from gpufleet import pulumi_private
from gpufleet.offline.plan import non_finite_path
from gpufleet.policy.config import reconcile
from gpufleet.policy.violations import Violation, sort_violations

if TYPE_CHECKING:
    from gpufleet.offline import ProgramRun, RecordedResource

ORGANIZATION = "organization"  # what the CLI and pulumi.policy use when the backend has none
STACK_TYPE = "pulumi:pulumi:Stack"
LEVEL_NAMES = {pb.ADVISORY: "advisory", pb.MANDATORY: "mandatory", pb.REMEDIATE: "remediate",
               pb.DISABLED: "disabled"}
LEVEL_VALUES = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "remediate": pb.REMEDIATE,
                "disabled": pb.DISABLED}

# Signature keys of Pulumi's wire format (sdk/go/common/resource/properties.go).
SIG = pulumi_private.SIG_KEY
RESOURCE_REFERENCE = pulumi_private.RESOURCE_REFERENCE_SIG
OUTPUT_VALUE = pulumi_private.OUTPUT_VALUE_SIG
SECRET = pulumi_private.SECRET_SIG
UNKNOWN = pulumi_private.UNKNOWN


class AnalyzerClient(Protocol):
    def Handshake(self, request: Any) -> Any: ...  # noqa: N802 - gRPC method names
    def ConfigureStack(self, request: Any) -> Any: ...  # noqa: N802
    def GetAnalyzerInfo(self, request: Any) -> Any: ...  # noqa: N802
    def Configure(self, request: Any) -> Any: ...  # noqa: N802
    def Remediate(self, request: Any) -> Any: ...  # noqa: N802
    def Analyze(self, request: Any) -> Any: ...  # noqa: N802
    def AnalyzeStack(self, request: Any) -> Any: ...  # noqa: N802


class Unimplemented(Exception):
    """The pack does not implement an optional method (the engine carries on, as here)."""


def pack_environment(*, project: str, stack: str, stack_config: dict[str, str]) -> dict[str, str]:
    """The variables the CLI adds to a policy pack's environment (`constructEnv`)."""
    env = {"PULUMI_ORGANIZATION": ORGANIZATION, "PULUMI_PROJECT": project, "PULUMI_STACK": stack,
           "PULUMI_DRY_RUN": "true"}
    if stack_config:
        env["PULUMI_CONFIG"] = json.dumps(stack_config, sort_keys=True)
    return env


def engine_value(value: Any) -> Any:
    """A recorded input as the engine marshals it for analyzers (KeepUnknowns, KeepSecrets, no resource
    references): a resource reference becomes its id (custom) or URN (component); an output value its
    plain value, secret or the unknown sentinel."""
    if isinstance(value, dict):
        sig = value.get(SIG)
        if sig == RESOURCE_REFERENCE:
            ref_id = value.get("id")
            return engine_value(ref_id) if ref_id not in (None, "") else value.get("urn", UNKNOWN)
        if sig == OUTPUT_VALUE:
            if "value" not in value:
                return UNKNOWN
            inner = engine_value(value["value"])
            return {SIG: SECRET, "value": inner} if value.get("secret") else inner
        return {k: engine_value(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    return value


def unreadable_number(run: ProgramRun) -> str | None:
    """Where the run holds a number that is not finite, which no policy pack can read; None when nowhere.

    A pack built on pulumi_policy turns each resource's properties into JSON (`json_format.MessageToDict`),
    which has no inf or NaN, so it fails on such a number under `pulumi preview --policy-pack` too — a
    value of the user's program, not a fault of the pack. The value itself is not shown (it may be secret).
    """
    for r in run.resources:
        props = run.outputs if r.type == STACK_TYPE else r.inputs
        found = non_finite_path(props)
        if found is not None:
            what = "output" if r.type == STACK_TYPE else "input"
            return f"{r.type} {r.urn.rsplit('::', 1)[-1]!r}: {what} {found}"
    return None


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def _options(r: RecordedResource) -> pb.AnalyzerResourceOptions:
    # A first preview has no old state, so the engine sends no aliases; retainOnDelete is not in the
    # protocol at all.
    return pb.AnalyzerResourceOptions(
        protect=r.protect,
        deleteBeforeReplace=r.delete_before_replace,
        deleteBeforeReplaceDefined=r.delete_before_replace,
        customTimeouts=pb.AnalyzerResourceOptions.CustomTimeouts(),
        parent=r.parent or "",
    )


# A multi-language component is not expanded offline, so the engine would never send its children, whose
# provider carries the region: the caller passes, by component URN, the provider (URN, inputs) its children
# would run on, as the estimator prices it, and the component is sent with that provider.
ComponentProviders = Mapping[str, tuple[str, dict[str, Any]]]


def _provider(r: RecordedResource, by_urn: Mapping[str, RecordedResource],
              providers: dict[str, pb.AnalyzerProviderResource],
              component_providers: ComponentProviders) -> pb.AnalyzerProviderResource | None:
    """The message of `r`'s provider, built once per provider (`providers` caches them by URN)."""
    if r.urn in component_providers:
        purn, inputs = component_providers[r.urn]
        return pb.AnalyzerProviderResource(type=purn.rsplit("::", 2)[-2], urn=purn, name=purn.rsplit("::", 1)[-1],
                                           properties=_struct(engine_value(inputs)))
    if not r.provider:
        return None
    purn = r.provider.rsplit("::", 1)[0]
    if purn in providers:
        return providers[purn]
    p = by_urn.get(purn)
    if p is None:
        return None
    message = pb.AnalyzerProviderResource(type=p.type, urn=p.urn, name=p.urn.rsplit("::", 1)[-1],
                                          properties=_struct(engine_value(p.inputs)))
    providers[purn] = message
    return message


def analyzer_resource(r: RecordedResource, by_urn: Mapping[str, RecordedResource],
                      providers: dict[str, pb.AnalyzerProviderResource], component_providers: ComponentProviders,
                      outputs: dict | None = None) -> pb.AnalyzerResource:
    """`r` as `AnalyzeStack` carries it. The engine sends each resource's outputs: in a preview of new
    resources those are the checked inputs plus unknown computed fields; offline we have the inputs (and,
    `outputs`, the stack's exports for the stack itself)."""
    props = outputs if r.type == STACK_TYPE and outputs is not None else r.inputs
    resource = pb.AnalyzerResource(
        type=r.type, urn=r.urn, name=r.urn.rsplit("::", 1)[-1], properties=_struct(engine_value(props)),
        options=_options(r), parent=r.parent or "", dependencies=r.dependencies,
        propertyDependencies={k: pb.AnalyzerPropertyDependencies(urns=v)
                              for k, v in r.property_dependencies.items() if v},
    )
    provider = _provider(r, by_urn, providers, component_providers)
    if provider is not None:
        resource.provider.CopyFrom(provider)
    return resource


def analyze_request(resource: pb.AnalyzerResource) -> pb.AnalyzeRequest:
    """What `Remediate` and `Analyze` carry for a resource: its checked inputs, options and provider."""
    request = pb.AnalyzeRequest(type=resource.type, urn=resource.urn, name=resource.name,
                                properties=resource.properties, options=resource.options)
    if resource.HasField("provider"):
        request.provider.CopyFrom(resource.provider)
    return request


def policy_infos(info: pb.AnalyzerInfo) -> list[dict[str, Any]]:
    return [{"name": p.name, "enforcementLevel": LEVEL_NAMES[p.enforcementLevel],
             "properties": json_format.MessageToDict(p.configSchema.properties),
             "required": list(p.configSchema.required)} for p in info.policies]


def initial_config(info: pb.AnalyzerInfo) -> dict[str, Any]:
    out = {}
    for name, c in info.initialConfig.items():
        out[name] = {"enforcementLevel": LEVEL_NAMES[c.enforcementLevel],
                     **json_format.MessageToDict(c.properties)}
    return out


def _message(d: pb.AnalyzeDiagnostic) -> str:
    """The diagnostic's own message: pulumi-policy prefixes it with the policy description."""
    prefix = f"{d.description}\n"
    return d.message[len(prefix):] if d.description and d.message.startswith(prefix) else d.message


def _violations(response: Any, urn: str | None, *, force_urn: bool = False) -> list[Violation]:
    # A violation of a remediation policy that still fails counts as mandatory (as in the engine).
    return [Violation(d.policyName, "mandatory" if d.enforcementLevel in (pb.MANDATORY, pb.REMEDIATE) else "advisory",
                      urn if force_urn else d.urn or urn, _message(d))
            for d in response.diagnostics if d.enforcementLevel != pb.DISABLED]


def open_session(client: AnalyzerClient, policy_config: dict[str, Any], *, pack_dir: Path, project: str,
                 stack: str, stack_config: dict[str, str], secret_keys: frozenset[str] | set[str],
                 engine_address: str = "", config_source: str = "policy configuration") -> Session:
    """Start one preview's conversation with a pack, as the engine does before the program's first
    resource: handshake, stack, `GetAnalyzerInfo` and `Configure` with the reconciled `policy_config`
    (an invalid one raises `UserError`)."""
    try:
        client.Handshake(pb.AnalyzerHandshakeRequest(engine_address=engine_address,
                                                     root_directory=str(pack_dir), program_directory=str(pack_dir)))
    except Unimplemented:
        pass
    try:
        client.ConfigureStack(pb.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization=ORGANIZATION, dry_run=True,
            config=_struct(dict(stack_config)), config_secret_keys=sorted(secret_keys)))
    except Unimplemented:
        pass
    info = client.GetAnalyzerInfo(empty_pb2.Empty())
    config = reconcile(policy_infos(info), initial_config(info), policy_config, config_source)
    client.Configure(pb.ConfigureAnalyzerRequest(policyConfig={
        name: pb.PolicyConfig(enforcementLevel=LEVEL_VALUES[level], properties=_struct(props))
        for name, (level, props) in config.items() if level in LEVEL_VALUES}))
    return Session(client)


class Session:
    """A configured pack, judging one preview: `Remediate` and `Analyze` per resource — while the program
    runs (`Pipeline`, as the engine sends them when it registers each resource) or after it — then
    `finish`: every resource's verdicts in the run's order, and `AnalyzeStack`. Each resource's message is
    built once, for `Analyze` and `AnalyzeStack` alike."""

    def __init__(self, client: AnalyzerClient) -> None:
        self._client = client
        self._providers: dict[str, pb.AnalyzerProviderResource] = {}
        # By URN, with the record they are of: messages built, and verdicts (or the error) of resources
        # analysed as they were registered.
        self._messages: dict[str, tuple[RecordedResource, pb.AnalyzerResource]] = {}
        self._verdicts: dict[str, tuple[RecordedResource, list[Violation] | Exception]] = {}

    def _message(self, r: RecordedResource, by_urn: Mapping[str, RecordedResource],
                 component_providers: ComponentProviders) -> pb.AnalyzerResource:
        kept = self._messages.get(r.urn)
        if kept is None or kept[0] is not r:
            kept = (r, analyzer_resource(r, by_urn, self._providers, component_providers))
            self._messages[r.urn] = kept
        return kept[1]

    def _analyze(self, r: RecordedResource, by_urn: Mapping[str, RecordedResource],
                 component_providers: ComponentProviders) -> list[Violation]:
        return self.judge(r, analyze_request(self._message(r, by_urn, component_providers)))

    def judge(self, r: RecordedResource, request: pb.AnalyzeRequest) -> list[Violation]:
        """`r` judged as the engine does: `Remediate`, then `Analyze` with the properties the remediations
        returned (the one dependency between the calls); the notes of remediations that could not run."""
        violations = []
        for remediation in self._client.Remediate(request).remediations:
            if remediation.diagnostic:  # a remediation that could not run: the engine warns
                violations.append(Violation(remediation.policyName, "advisory", r.urn, remediation.diagnostic))
            elif remediation.HasField("properties") and remediation.properties.fields:
                request.properties.CopyFrom(remediation.properties)
        # The engine reports every Analyze diagnostic against the analyzed resource.
        return violations + _violations(self._client.Analyze(request), r.urn, force_urn=True)

    def registered_request(self, r: RecordedResource,
                           registered: Mapping[str, RecordedResource]) -> pb.AnalyzeRequest | None:
        """`Remediate`'s request for `r`, judged as the program registers it (`registered`: the resources
        recorded so far, by URN); None for a resource left for `finish`: a multi-language component, whose
        provider is known once the run is estimated, and a resource whose provider is not recorded yet."""
        if r.remote or (r.provider and r.provider.rsplit("::", 1)[0] not in registered):
            return None
        return analyze_request(self._message(r, registered, {}))

    def keep(self, r: RecordedResource, verdicts: list[Violation] | Exception) -> None:
        """`r`'s verdicts, or the error judging it, for `finish` (which raises the first error in the run's
        order)."""
        self._verdicts[r.urn] = (r, verdicts)

    def finish(self, run: ProgramRun, component_providers: ComponentProviders | None = None) -> list[Violation]:
        """Every resource's verdicts, judged now or kept, in the run's order (the first error in that order
        is raised), then `AnalyzeStack`: the violations, sorted. `component_providers`: see
        `ComponentProviders`."""
        component_providers = component_providers or {}
        by_urn = run.by_urn()
        violations: list[Violation] = []
        for r in run.resources:
            kept = self._verdicts.get(r.urn)
            if kept is None or kept[0] is not r:
                violations += self._analyze(r, by_urn, component_providers)
            elif isinstance(kept[1], Exception):
                raise kept[1]
            else:
                violations += kept[1]
        stack_request = pb.AnalyzeStackRequest(resources=[
            analyzer_resource(r, by_urn, self._providers, component_providers, run.outputs) if r.type == STACK_TYPE
            else self._message(r, by_urn, component_providers) for r in run.resources])
        violations += _violations(self._client.AnalyzeStack(stack_request), None)
        return sort_violations(violations)


class Pipeline:
    """Resources judged while the program runs, up to `window` of them in flight at once: `window` threads
    each take the next recorded resource and judge it as the engine does (`Session.judge`). The engine waits for each answer
    before its next call, so a pack spends most of a preview waiting for round trips; with a few resources
    in flight it keeps working. Resources are taken, and their messages built, one at a time in the order
    they were recorded. What each resource got is kept in the `Session` (`finish` reports it in the run's
    order and raises the first error in that order); after an error no further resource is taken.
    The session's client must take calls from several threads (a gRPC channel does)."""

    def __init__(self, session: Session, window: int) -> None:
        self._session, self._window = session, window
        self._taking = threading.Lock()
        self._registered: dict[str, RecordedResource] = {}
        self._failed = False

    def run(self, records: queue.SimpleQueue) -> None:
        """Judge the resources `records` brings (None once the run has ended) until it ends and every
        resource taken is judged."""
        others = [threading.Thread(target=self._judge, args=(records,), name="gpufleet-policy-pack", daemon=True)
                  for _ in range(self._window - 1)]
        for thread in others:
            thread.start()
        self._judge(records)
        for thread in others:
            thread.join()

    def _judge(self, records: queue.SimpleQueue) -> None:
        session = self._session
        while True:
            with self._taking:  # in the order recorded: `registered` is what the engine has registered so far
                r = records.get()
                if r is None:
                    records.put(None)  # for the other threads
                    return
                self._registered[r.urn] = r
                if self._failed:
                    continue
                try:
                    request = session.registered_request(r, self._registered)
                except Exception as exc:  # noqa: BLE001 - as below
                    self._fail(r, exc)
                    continue
            if request is None:
                continue
            try:
                session.keep(r, session.judge(r, request))
            except Exception as exc:  # noqa: BLE001 - raised by `finish`, where the run's order reaches it
                self._fail(r, exc)

    def _fail(self, r: RecordedResource, exc: Exception) -> None:
        self._session.keep(r, exc)
        self._failed = True


def run_session(client: AnalyzerClient, run: ProgramRun, policy_config: dict[str, Any], *, pack_dir: Path,
                project: str, stack: str, stack_config: dict[str, str], engine_address: str = "",
                config_source: str = "policy configuration",
                component_providers: ComponentProviders | None = None) -> list[Violation]:
    """Drive a policy pack through one preview of `run`, as the engine does, once the run is recorded; the
    violations, sorted. `component_providers`: see `ComponentProviders`."""
    session = open_session(client, policy_config, pack_dir=pack_dir, project=project, stack=stack,
                           stack_config=stack_config, secret_keys=run.settings.secret_keys,
                           engine_address=engine_address, config_source=config_source)
    return session.finish(run, component_providers)
