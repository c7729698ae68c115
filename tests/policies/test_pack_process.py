"""The pack's own process: pulumi-policy converts each distinct properties message once
(`gpufleet_policies._process.parse_each_message_once`), deserializes it once for every policy
(`share_read_only_properties`) and configures the runtime once (`configure_runtime_once`), and the pack
answers exactly as without them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import deserialize as upstream_deserialize
from pulumi_policy import policy as upstream
from pulumi_policy import proxy as upstream_proxy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from gpufleet.policy.inprocess import PACK_VERSION, _environment, load_pack
from gpufleet.policy.protocol import analyzer_resource, pack_environment, run_session
from generated_fleet import generated_fleet
from pack_helpers import PACK, PROGRAMS, corpus_run, environment_config

load_pack(PACK)
from gpufleet_policies import _process  # noqa: E402 - importable once the pack's folder is on the path


def test_pulumi_policy_is_the_version_parse_each_message_once_was_checked_against():
    # When this fails after an upgrade: re-read pulumi_policy/policy.py and deserialize.py, check that what
    # MessageToDict returns still only goes into deserialize_properties (which must not modify it) and
    # Configure, then update UPSTREAM_FILES.
    package = Path(upstream.__file__).parent
    assert {name: hashlib.sha256((package / name).read_bytes()).hexdigest()
            for name in _process.UPSTREAM_FILES} == _process.UPSTREAM_FILES


def _stock_functions(monkeypatch) -> None:
    """pulumi-policy's own functions in its `policy` module, put back after the test."""
    monkeypatch.setattr(upstream, "json_format", json_format)
    monkeypatch.setattr(upstream, "deserialize_properties", upstream_deserialize.deserialize_properties)
    monkeypatch.setattr(upstream, "unknown_checking_proxy", upstream_proxy.unknown_checking_proxy)
    monkeypatch.setattr(_PolicyAnalyzerServicer, "_configure_runtime_settings",
                        _PolicyAnalyzerServicer._configure_runtime_settings)
    monkeypatch.setattr(_PolicyAnalyzerServicer, "__init__", _PolicyAnalyzerServicer.__init__)


@pytest.mark.parametrize("name", ["policy.py", "deserialize.py", "proxy.py"])
def test_another_pulumi_policy_keeps_its_own_conversion(monkeypatch, name):
    monkeypatch.setitem(_process.UPSTREAM_FILES, name, "0" * 64)
    _stock_functions(monkeypatch)
    configure = _PolicyAnalyzerServicer._configure_runtime_settings
    assert _process.parse_each_message_once() is False
    assert _process.share_read_only_properties() is False
    assert _process.configure_runtime_once() is False
    assert upstream.json_format is json_format
    assert upstream.deserialize_properties is upstream_deserialize.deserialize_properties
    assert upstream.unknown_checking_proxy is upstream_proxy.unknown_checking_proxy
    assert _PolicyAnalyzerServicer._configure_runtime_settings is configure


def test_properties_are_shared_only_over_messages_parsed_once(monkeypatch):
    _stock_functions(monkeypatch)
    assert _process.share_read_only_properties() is False
    assert upstream.deserialize_properties is upstream_deserialize.deserialize_properties
    assert _process.parse_each_message_once() is True
    assert _process.share_read_only_properties() is True
    assert _process.share_read_only_properties() is False  # once


def test_each_policy_gets_a_configuration_of_its_own(monkeypatch):
    """`Configure` stores what it converts as the policies' configuration (each policy gets a shallow copy):
    two policies configured with equal bytes, and a resource with those bytes as its properties, must not
    share a list, so a policy changing its configuration in place changes nothing else."""
    monkeypatch.setattr(upstream, "json_format", json_format)
    assert _process.parse_each_message_once() is True
    same = {"required": ["team", "env"]}
    request = pb.ConfigureAnalyzerRequest(policyConfig={
        name: pb.PolicyConfig(enforcementLevel=pb.MANDATORY, properties=json_format.ParseDict(same, Struct()))
        for name in ("a", "b")})
    pack = load_pack(PACK)
    servicer = _PolicyAnalyzerServicer(pack.PACK_NAME, PACK_VERSION, pack.POLICIES, pack.ENFORCEMENT_LEVEL)
    resource = json_format.ParseDict(same, Struct())
    kept = upstream.json_format.MessageToDict(resource)
    servicer.Configure(request, None)
    a, b = servicer._get_policy_config("a"), servicer._get_policy_config("b")
    a["required"].append("changed-by-a")
    assert b == same
    assert kept == same
    assert upstream.json_format.MessageToDict(resource) is kept


def _stack_request(run) -> pb.AnalyzeStackRequest:
    by_urn, providers = run.by_urn(), {}
    return pb.AnalyzeStackRequest(resources=[analyzer_resource(r, by_urn, providers, {}, run.outputs)
                                             for r in run.resources])


RUNS = {"generated": lambda: generated_fleet(12)} | {
    p.name: (lambda name=p.name: corpus_run(name)) for p in sorted(PROGRAMS.iterdir()) if p.is_dir()}


@pytest.mark.parametrize("name", ["generated", "public_bucket", "tags_by_stack_transform", "gcp_public_gke"])
def test_equal_message_bytes_give_an_equal_dict_with_its_keys_in_the_same_order(name):
    """The key: two messages parsed apart from the same bytes, one converted and the other looked up by its
    bytes, give the same dict, down to the order of every key."""
    wire = _stack_request(RUNS[name]()).SerializeToString()
    first, second = pb.AnalyzeStackRequest.FromString(wire), pb.AnalyzeStackRequest.FromString(wire)
    parsed = _process._ParsedOnce()
    for a, b in zip(first.resources, second.resources, strict=True):
        for x, y in ((a.properties, b.properties), (a.provider.properties, b.provider.properties)):
            kept = parsed.MessageToDict(x)
            assert parsed.MessageToDict(y) is kept
            assert json.dumps(kept) == json.dumps(json_format.MessageToDict(y))


class _Stock(_PolicyAnalyzerServicer):
    """pulumi-policy's own servicer, in this process; its runtime settings are this process's business."""

    def _configure_runtime_settings(self) -> None:
        pass


class _Answers:
    """A client of a servicer, keeping every answer's bytes."""

    def __init__(self, servicer) -> None:
        self._servicer = servicer
        self.answers: list[tuple[str, bytes]] = []

    def Handshake(self, request):  # noqa: N802 - gRPC method names
        from gpufleet.policy.protocol import Unimplemented

        raise Unimplemented("Handshake")

    def __getattr__(self, method):
        def call(request):
            response = getattr(self._servicer, method)(request, None)
            self.answers.append((method, response.SerializeToString(deterministic=True)))
            return response

        return call


def _answers(run, config, policies=None) -> list[tuple[str, bytes]]:
    pack = load_pack(PACK)
    client = _Answers(_Stock(pack.PACK_NAME, PACK_VERSION, policies or pack.POLICIES, pack.ENFORCEMENT_LEVEL, None,
                             pack.DESCRIPTION))
    settings = run.settings
    with _environment(pack_environment(project=settings.project, stack=settings.stack, stack_config=settings.config)):
        run_session(client, run, config, pack_dir=PACK, project=settings.project, stack=settings.stack,
                    stack_config=settings.config)
    return client.answers


@pytest.mark.parametrize("shared", [False, True], ids=["parsed-once", "parsed-and-shared"])
def test_the_pack_answers_every_call_the_same_with_each_message_converted_once(monkeypatch, shared):
    """pulumi-policy's own servicer, driven through a whole preview of each corpus program and a generated
    fleet, in prod: every answer (`Configure`, `Remediate`, `Analyze`, `AnalyzeStack`) is the same, byte for
    byte, with and without the conversion kept per message (and its properties deserialized once for every
    policy); and no policy modified what it was given: every kept dict is still its message, every shared
    object still what the dict deserializes to, read through its proxy or not."""
    _stock_functions(monkeypatch)
    config = environment_config("prod")
    runs = {name: make() for name, make in RUNS.items()}
    stock = {name: _answers(run, config) for name, run in runs.items()}
    assert _process.parse_each_message_once() is True
    assert isinstance(upstream.json_format, _process._ParsedOnce)
    if shared:
        assert _process.share_read_only_properties() is True
    assert {name: _answers(run, config) for name, run in runs.items()} == stock
    assert sum(len(a) for a in stock.values()) > 1000
    parsed = upstream.json_format
    for wire, kept in parsed._parsed.items():
        assert kept == json_format.MessageToDict(Struct.FromString(wire))
    if shared:
        given = upstream.deserialize_properties.__self__
        assert len(given._deserialized) == len(parsed._parsed) > 200
        for kept_id, deserialized in given._deserialized.items():
            fresh = upstream_deserialize.deserialize_properties(parsed._ids[kept_id])
            proxy = given._proxies[id(deserialized)][1]
            assert deserialized == fresh
            assert upstream_deserialize.serialize_properties(proxy) == upstream_deserialize.serialize_properties(fresh)


def test_every_policy_gets_the_same_properties_and_the_stack_is_indexed_without_its_content(monkeypatch):
    """With properties shared, the resources each stack policy gets hold the very objects `Analyze` gave the
    resource policies, so `_stack.stack_plan` recognises the stack without writing its content, and builds
    and estimates it once per `AnalyzeStack`."""
    _stock_functions(monkeypatch)
    pack = load_pack(PACK)
    stack_module = pack._stack
    estimated, written, seen = [], [], {}
    real_estimate, real_content, real_plan = stack_module.estimate_plan, stack_module._content, stack_module.stack_plan
    monkeypatch.setattr(stack_module, "estimate_plan", lambda *a, **k: estimated.append(1) or real_estimate(*a, **k))
    monkeypatch.setattr(stack_module, "_content", lambda resources: written.append(1) or real_content(resources))
    monkeypatch.setattr(stack_module, "_last", None)  # what an earlier test left

    def stack_plan(resources):
        for r in resources:
            seen.setdefault(r.urn, set()).add(id(r.props))
        return real_plan(resources)

    for name, module in list(sys.modules.items()):
        if name.startswith("gpufleet_policies.") and getattr(module, "stack_plan", None) is real_plan:
            monkeypatch.setattr(module, "stack_plan", stack_plan)
    assert _process.parse_each_message_once() is True
    assert _process.share_read_only_properties() is True
    run = corpus_run("over_budget")
    stack_policies = [p.name for p in pack.POLICIES if isinstance(p, upstream.StackValidationPolicy)]
    _answers(run, {name: {"enforcementLevel": "mandatory"} for name in stack_policies})
    assert len(stack_policies) > 2 and estimated == [1] and written == []
    assert len(seen) == len(run.resources) and all(len(ids) == 1 for ids in seen.values())


def test_the_runtime_is_configured_once_while_it_stays_as_configured():
    """pulumi-policy's `_configure_runtime_settings`, each call in a new context as gRPC makes it: set once;
    every later call sees the settings and config it set; set again when a variable changes, or when
    something else (a call) changed the settings. In a process of its own: the runtime's settings are global."""
    script = textwrap.dedent(f'''
        import contextvars, json, os, sys
        sys.path.insert(0, {str(PACK)!r})
        os.environ.update(PULUMI_PROJECT="proj", PULUMI_STACK="dev", PULUMI_DRY_RUN="true",
                          PULUMI_ORGANIZATION="org", PULUMI_CONFIG=json.dumps({{"aws:region": "us-west-2"}}))
        from pulumi.runtime import config, settings
        from pulumi_policy import EnforcementLevel
        from pulumi_policy.policy import _PolicyAnalyzerServicer
        from gpufleet_policies import _process

        calls = []
        real = _PolicyAnalyzerServicer._configure_runtime_settings
        _PolicyAnalyzerServicer._configure_runtime_settings = lambda self: calls.append(1) or real(self)
        assert _process.configure_runtime_once() is True
        assert _process.configure_runtime_once() is False  # once
        servicer = _PolicyAnalyzerServicer("pack", "0.0.1", [object()], EnforcementLevel.ADVISORY)

        def seen():
            return [len(calls), settings.get_project(), settings.get_stack(), settings.is_dry_run(),
                    settings.get_organization(), dict(config.CONFIG.get())]

        def call():
            contextvars.Context().run(servicer._configure_runtime_settings)
            return contextvars.Context().run(seen)

        out = [call(), call(), call()]
        os.environ["PULUMI_STACK"] = "prod"
        out.append(call())
        contextvars.Context().run(setattr, settings.SETTINGS, "project", "changed")  # as a call would
        out += [call(), call()]
        print(json.dumps(out))
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    region = {"aws:region": "us-west-2"}
    assert json.loads(done.stdout) == [
        [1, "proj", "dev", True, "org", region], [1, "proj", "dev", True, "org", region],
        [1, "proj", "dev", True, "org", region], [2, "proj", "prod", True, "org", region],
        [3, "proj", "prod", True, "org", region], [3, "proj", "prod", True, "org", region]]


def test_a_policy_of_the_packs_own_that_changes_what_it_reads_changes_no_other_policys_verdict(monkeypatch):
    """pulumi-policy lets a policy change what it is given. In a pack that adds policies of its own to
    gpufleet's, one overwriting the tags and the instance type it reads changes no other policy's verdict:
    every answer is byte for byte the stock servicer's (where each policy gets objects of its own)."""
    _stock_functions(monkeypatch)
    pack = load_pack(PACK)

    def overwrite(args, report_violation):
        args.props["tags"] = {"team": "ml", "cost-center": "42", "environment": "prod"}
        args.props["instanceTypes"] = ["t3.micro"]

    def read(args, report_violation):
        if args.resource_type == "aws:eks/nodeGroup:NodeGroup":
            report_violation(f"instance types {list(args.props['instanceTypes'])}, tags {dict(args.props.get('tags') or {})}")

    policies = [upstream.ResourceValidationPolicy("org-overwrite", "changes what it reads", overwrite),
                *pack.POLICIES, upstream.ResourceValidationPolicy("org-read", "reads", read)]
    config = environment_config("prod")
    run = corpus_run("missing_tags")
    stock = _answers(run, config, policies)
    messages = [v.message for _, wire in stock if _ == "Analyze" for v in pb.AnalyzeResponse.FromString(wire).diagnostics]
    assert "reads\ninstance types ['g6e.2xlarge'], tags {}" in messages  # what the program declared
    assert any("missing required tag(s)" in m for m in messages)
    assert _process.parse_each_message_once() is True
    assert _process.share_read_only_properties() is True
    assert _answers(run, config, policies) == stock
    # gpufleet's own policies alone still share
    _answers(run, config)
    assert upstream.deserialize_properties.__self__.enabled is True
