"""The pack's own process: pulumi-policy converts each distinct properties message once
(`gpufleet_policies._process.parse_each_message_once`), and the pack answers exactly as without it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import policy as upstream
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


@pytest.mark.parametrize("name", ["policy.py", "deserialize.py"])
def test_another_pulumi_policy_keeps_its_own_conversion(monkeypatch, name):
    monkeypatch.setitem(_process.UPSTREAM_FILES, name, "0" * 64)
    monkeypatch.setattr(upstream, "json_format", json_format)
    assert _process.parse_each_message_once() is False
    assert upstream.json_format is json_format


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


def _answers(run, config) -> list[tuple[str, bytes]]:
    pack = load_pack(PACK)
    client = _Answers(_Stock(pack.PACK_NAME, PACK_VERSION, pack.POLICIES, pack.ENFORCEMENT_LEVEL, None,
                             pack.DESCRIPTION))
    settings = run.settings
    with _environment(pack_environment(project=settings.project, stack=settings.stack, stack_config=settings.config)):
        run_session(client, run, config, pack_dir=PACK, project=settings.project, stack=settings.stack,
                    stack_config=settings.config)
    return client.answers


def test_the_pack_answers_every_call_the_same_with_each_message_converted_once(monkeypatch):
    """pulumi-policy's own servicer, driven through a whole preview of each corpus program and a generated
    fleet, in prod: every answer (`Configure`, `Remediate`, `Analyze`, `AnalyzeStack`) is the same, byte for
    byte, with and without the conversion kept per message."""
    monkeypatch.setattr(upstream, "json_format", json_format)
    config = environment_config("prod")
    runs = {name: make() for name, make in RUNS.items()}
    stock = {name: _answers(run, config) for name, run in runs.items()}
    assert _process.parse_each_message_once() is True
    assert isinstance(upstream.json_format, _process._ParsedOnce)
    assert {name: _answers(run, config) for name, run in runs.items()} == stock
    assert sum(len(a) for a in stock.values()) > 1000
