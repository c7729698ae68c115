"""The fast path: the same pack's policies, evaluated in this process.

The pack's own pulumi-policy servicer is driven with the very messages the gRPC path sends
(`protocol.run_session`), only without the process and the transport, so verdicts are the same
(tests/policies prove it on the corpus). Stack configuration reaches the policies through the same
PULUMI_* variables the engine gives a pack process, set for the duration of the call.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import os
import sys
from contextlib import contextmanager
from inspect import isawaitable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator

from google.protobuf import empty_pb2

from gpufleet.errors import Problem, UserError
from gpufleet.policy.config import default_policy_config_path, load_policy_config, reconcile
from gpufleet.policy.protocol import (ComponentProviders, Unimplemented, initial_config, pack_environment,
                                      policy_infos, run_session)
from gpufleet.policy.violations import Violation

if TYPE_CHECKING:
    from gpufleet.offline import ProgramRun

__all__ = ["analyze_in_process", "default_policy_config_path", "effective_config", "fast_path_problems", "load_pack",
           "load_policy_config"]

PACKAGE = "gpufleet_policies"
PACK_VERSION = "0.0.1"  # what a Python PolicyPack reports; the CLI shows PulumiPolicy.yaml's version


def load_pack(pack_dir: Path) -> ModuleType:
    """The pack's policy package (`<pack>/gpufleet_policies`), imported as the pack process imports it."""
    problems = fast_path_problems(Path(pack_dir))
    if problems:
        raise UserError(problems)
    pack_dir = str(Path(pack_dir).resolve())
    if pack_dir not in sys.path:
        sys.path.insert(0, pack_dir)
    module = importlib.import_module(PACKAGE)
    where = Path(module.__file__).resolve().parent.parent
    if str(where) != pack_dir:
        raise ImportError(f"{PACKAGE} was already imported from {where}, not from {pack_dir}")
    return module


def fast_path_problems(pack_dir: Path) -> list[Problem]:
    """In-process, only `gpufleet_policies.POLICIES` is evaluated; the CLI runs the pack's `__main__.py`.
    A pack whose `__main__.py` gives `PolicyPack` anything else (an organisation's own policies added
    there) would have those policies silently skipped here, so it is refused: it runs over gRPC. Read as
    text (nothing of the pack runs), so `gpufleet preview` can say it before the program runs."""
    main = pack_dir / "__main__.py"
    where = f"{main} (--fast-policies)"
    try:
        tree = ast.parse(main.read_bytes(), filename=str(main))
    except (OSError, SyntaxError, ValueError) as e:
        return [Problem(where, f"cannot read the pack's program: {e}")]
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and (getattr(node.func, "id", None) == "PolicyPack" or getattr(node.func, "attr", None) == "PolicyPack")]
    policies = [kw.value for call in calls for kw in call.keywords if kw.arg == "policies"]
    if len(calls) == 1 and len(policies) == 1 and isinstance(policies[0], ast.Name) and policies[0].id == "POLICIES":
        return []
    given = ast.unparse(policies[0]) if len(calls) == 1 and len(policies) == 1 else f"{len(calls)} PolicyPack call(s)"
    return [Problem(where, "the in-process path evaluates gpufleet_policies.POLICIES only, and this pack "
                    "gives PolicyPack other policies, which would be skipped; run without --fast-policies "
                    "(the pack over gRPC, as `pulumi preview --policy-pack` runs it)", value=given,
                    allowed=("PolicyPack(..., policies=POLICIES, ...)",))]


class _Client:
    """The pack's servicer called directly (gRPC context None)."""

    def __init__(self, servicer: Any) -> None:
        self._servicer = servicer

    def Handshake(self, request):  # noqa: N802 - gRPC method names
        raise Unimplemented("Handshake")  # pulumi-policy 1.21 does not implement it

    def __getattr__(self, method: str):
        target = getattr(self._servicer, method)
        return lambda request: target(request, None)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    keys = ("PULUMI_ORGANIZATION", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_CONFIG")
    saved = {k: os.environ.get(k) for k in keys}
    try:
        for k in keys:
            if k in values:
                os.environ[k] = values[k]
            else:
                os.environ.pop(k, None)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _servicer(pack: ModuleType) -> Any:
    # pinned pulumi-policy==1.21.0; tests/policies/test_inprocess_servicer.py fails when the methods
    # mirrored below change upstream.
    from google.protobuf import json_format
    from pulumi.runtime.proto import analyzer_pb2 as proto
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.policy import (
        EnforcementLevel,
        PolicyResource,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
        UnknownValueError,
        _NotApplicableError,
        _PolicyAnalyzerServicer,
    )
    from pulumi_policy.proxy import unknown_checking_proxy

    class InProcessServicer(_PolicyAnalyzerServicer):
        """The stock servicer, with one difference: `Analyze` and `AnalyzeStack` deserialize the request
        once and give every policy the same read-only objects, where the stock methods rebuild them for
        each policy (23 policies: the stack's 10,000 resources rebuilt 14 times). Same policies, same
        order, same diagnostics; the gRPC path (the stock servicer in the pack process) is the reference."""

        def _configure_runtime_settings(self) -> None:
            """The pack process sets the Pulumi runtime's config from PULUMI_CONFIG; in this process that
            global state belongs to the offline preview, so it is left alone (policies read the variables)."""

        def Configure(self, request, context):  # noqa: N802 - gRPC method names
            self._levels: dict[type, list[tuple[Any, Any]]] = {}  # levels change here only
            return super().Configure(request, context)

        def _enabled(self, kind: type) -> list[tuple[Any, Any]]:
            """(policy, enforcement level) of the enabled policies of `kind`, in pack order."""
            levels = self.__dict__.setdefault("_levels", {})
            if kind not in levels:
                levels[kind] = [(p, level) for p in self._PolicyAnalyzerServicer__policies
                                if (level := self._get_enforcement_level(p)) != EnforcementLevel.DISABLED
                                and isinstance(p, kind)]
            return levels[kind]

        def _provider(self, request) -> Any:
            """The request's provider resource, one per distinct provider: policies only read it."""
            if not request.HasField("provider"):
                return None
            providers = self.__dict__.setdefault("_providers", {})
            key = request.provider.SerializeToString(deterministic=True)
            if key not in providers:
                providers[key] = self._get_provider_resource(request)
            return providers[key]

        def _unknown(self, response: Any, policy: Any, e: UnknownValueError) -> None:
            name, version = self._PolicyAnalyzerServicer__policy_pack_name, self._PolicyAnalyzerServicer__policy_pack_version
            response.diagnostics.append(proto.AnalyzeDiagnostic(
                policyName=policy.name, policyPackName=name, policyPackVersion=version,
                message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: "
                        f"{e.message}",
                urn="", description=policy.description,
                enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY)))

        def _run(self, response: Any, policy: Any, level: Any, args: Any) -> None:
            report = self._create_report_violation(response, policy.name, policy.description, level, policy.severity)
            try:
                result = policy.validate(args, report)
                if isawaitable(result):
                    asyncio.run(result)  # the stock servicer runs it to completion on a new loop, as here
            except UnknownValueError as e:
                self._unknown(response, policy, e)
            except _NotApplicableError as e:
                response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))

        def Remediate(self, request, context):  # noqa: N802 - gRPC method names
            if any(level == EnforcementLevel.REMEDIATE for _, level in self._enabled(ResourceValidationPolicy)):
                return super().Remediate(request, context)
            return proto.RemediateResponse()  # no policy remediates: what the stock loop returns, unread

        def Analyze(self, request, _context):  # noqa: N802
            response = proto.AnalyzeResponse()
            props = opts = provider = None
            for policy, level in self._enabled(ResourceValidationPolicy):
                if not policy.has_validation():
                    response.not_applicable.append(proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"))
                    continue
                if level == EnforcementLevel.REMEDIATE:
                    level = EnforcementLevel.MANDATORY
                if props is None:
                    props = unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(request.properties)))
                    opts = self._get_resource_options(request)
                    provider = self._provider(request)
                args = ResourceValidationArgs(request.type, props, request.urn, request.name, opts, provider,
                                              self._get_policy_config(policy.name),
                                              self._PolicyAnalyzerServicer__stack_tags)
                self._run(response, policy, level, args)
            return response

        def AnalyzeStack(self, request, _context):  # noqa: N802
            response = proto.AnalyzeResponse()
            policies = self._enabled(StackValidationPolicy)
            resources = self._stack_resources(request) if policies else []
            for policy, level in policies:
                if level == EnforcementLevel.REMEDIATE:
                    level = EnforcementLevel.MANDATORY
                args = StackValidationArgs(resources, self._get_policy_config(policy.name),
                                           self._PolicyAnalyzerServicer__stack_tags)
                self._run(response, policy, level, args)
            return response

        def _stack_resources(self, request) -> list[Any]:
            """The stack's resources as the stock `AnalyzeStack` builds them, linked by parent and dependencies."""
            resources, links = [], []
            for r in request.resources:
                props = unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(r.properties)))
                resource = PolicyResource(r.type, props, r.urn, r.name, self._get_resource_options(r), self._provider(r),
                                          None, [], {})
                resources.append(resource)
                links.append((r.parent, list(r.dependencies),
                              {k: list(v.urns) for k, v in r.propertyDependencies.items()}))
            by_urn = {r.urn: r for r in resources}
            for resource, (parent, dependencies, property_dependencies) in zip(resources, links):
                if parent is not None and parent in by_urn:
                    resource.parent = by_urn[parent]
                resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
                for k, urns in property_dependencies.items():
                    resource.property_dependencies[k] = [by_urn[d] for d in urns if d in by_urn]
            return resources

    return InProcessServicer(pack.PACK_NAME, PACK_VERSION, pack.POLICIES, pack.ENFORCEMENT_LEVEL, None,
                             pack.DESCRIPTION)


def analyze_in_process(pack_dir: Path, run: ProgramRun, policy_config: dict[str, Any], *, project: str,
                       stack: str, stack_config: dict[str, str],
                       component_providers: ComponentProviders | None = None,
                       config_source: str = "policy configuration") -> list[Violation]:
    """The pack's verdicts on `run`, evaluated in this process: same messages, same order, same result.
    `config_source` names `policy_config` (its file) in configuration errors."""
    pack = load_pack(pack_dir)
    env = pack_environment(project=project, stack=stack, stack_config=stack_config)
    with _environment(env):
        return run_session(_Client(_servicer(pack)), run, policy_config, pack_dir=Path(pack_dir).resolve(),
                           project=project, stack=stack, stack_config=stack_config,
                           component_providers=component_providers, config_source=config_source)


def effective_config(pack_dir: Path, policy_config: dict[str, Any],
                     source: str = "policy configuration") -> dict[str, tuple[str, dict[str, Any]]]:
    """Each policy's (enforcement level, properties) after the CLI's reconciliation of `policy_config`
    with the pack's defaults — what `Configure` receives. Raises `UserError` for an invalid config."""
    info = _servicer(load_pack(pack_dir)).GetAnalyzerInfo(empty_pb2.Empty(), None)
    return {name: value for name, value in reconcile(policy_infos(info), initial_config(info), policy_config, source).items()
            if name != "all"}
