"""The in-process fast path: the pack's verdicts equal the gRPC path's on a generated fleet, the stack is
indexed once per pass, and the upstream methods it mirrors are the ones it was written against.

The corpus (test_pack_grpc.py) compares both paths program by program; the generated fleet adds many
resources of each kind in one stack, where sharing work between policies and resources matters.
bench/policies.py runs the same comparison at 10,000 resources.
"""

import hashlib
import inspect

import pytest
from pulumi_policy import policy as upstream
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.policy import _PolicyAnalyzerServicer

from gpufleet.policy.analyzer import analyze_over_grpc
from gpufleet.policy.inprocess import analyze_in_process, load_pack
from generated_fleet import UNIT_RESOURCES, generated_fleet
from pack_helpers import PACK, corpus_run, environment_config

# sha256 of the pulumi-policy 1.21.0 methods the in-process servicer mirrors or relies on: when one
# changes upstream, re-read it and mirror the change in gpufleet/policy/inprocess.py, then update here.
MIRRORED = {
    "Analyze": "75db9cf8fc9d1585",
    "AnalyzeStack": "3917a008482c2387",
    "Remediate": "c4060524d4ad777f",
    "Configure": "785e6599c03e67da",
    "_get_provider_resource": "5db736069fc8d3d6",
    "_get_resource_options": "986051047b696f0f",
}


def test_the_mirrored_upstream_methods_are_unchanged():
    found = {name: hashlib.sha256(inspect.getsource(getattr(_PolicyAnalyzerServicer, name)).encode()).hexdigest()[:16]
             for name in MIRRORED}
    assert found == MIRRORED


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_a_generated_fleet_gets_the_same_verdicts_in_process_as_over_grpc(stack):
    run = generated_fleet(12, stack=stack)
    assert len(run.resources) == 12 * UNIT_RESOURCES + 4
    config = environment_config(stack)
    kwargs = dict(project=run.settings.project, stack=stack, stack_config=run.settings.config)
    expected = analyze_over_grpc(PACK, run, config, **kwargs)
    assert analyze_in_process(PACK, run, config, **kwargs) == expected
    # every kind of finding the fleet was built to produce is there
    assert {v.policy for v in expected} >= {
        "gpufleet-instance-imdsv2-required", "gpufleet-storage-no-public-access",
        "gpufleet-security-group-no-open-ingress", "gpufleet-gpu-unpriced", "gpufleet-stack-monthly-cost-budget",
        "gpufleet-object-storage-lifecycle-rules"}


def test_the_stack_is_estimated_once_per_pass(monkeypatch):
    pack = load_pack(PACK)
    stack_module = pack._stack
    calls = []
    real = stack_module.estimate_plan
    monkeypatch.setattr(stack_module, "estimate_plan", lambda *a, **k: calls.append(1) or real(*a, **k))
    run = corpus_run("over_budget")
    stack_policies = [p.name for p in pack.POLICIES if isinstance(p, upstream.StackValidationPolicy)]
    config = {name: {"enforcementLevel": "mandatory"} for name in stack_policies}
    found = analyze_in_process(PACK, run, config, project=run.settings.project, stack=run.settings.stack,
                               stack_config=run.settings.config)
    assert found and len(calls) == 1


def test_the_stock_servicer_estimates_the_stack_once_per_analyze_stack(monkeypatch):
    """pulumi-policy (the pack's process) gives each stack policy its own copy of the resources: the plan
    is reused by content, not rebuilt per policy; a stack that differs only by `true` for `1` is not."""
    from gpufleet.policy.inprocess import _Client, _environment
    from gpufleet.policy.protocol import pack_environment, run_session
    from pack_helpers import build_run, res

    pack = load_pack(PACK)
    stack_module = pack._stack
    calls = []
    real = stack_module.estimate_plan
    monkeypatch.setattr(stack_module, "estimate_plan", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(stack_module, "_last", None)  # what an earlier test left
    stack_policies = [p.name for p in pack.POLICIES if isinstance(p, upstream.StackValidationPolicy)]
    config = {name: {"enforcementLevel": "mandatory"} for name in stack_policies}
    stock = _PolicyAnalyzerServicer(pack.PACK_NAME, "0.0.1", pack.POLICIES, pack.ENFORCEMENT_LEVEL)

    def judge(run):
        with _environment(pack_environment(project=run.settings.project, stack=run.settings.stack,
                                           stack_config=run.settings.config)):
            return run_session(_Client(stock), run, config, pack_dir=PACK, project=run.settings.project,
                               stack=run.settings.stack, stack_config=run.settings.config)

    run = corpus_run("over_budget")
    assert judge(run) == analyze_in_process(PACK, run, config, project=run.settings.project,
                                            stack=run.settings.stack, stack_config=run.settings.config)
    assert len(stack_policies) > 2 and len(calls) == 1  # the in-process pass had the same content
    one, true = (build_run(res("aws:ebs/volume:Volume", "v", {"size": 100, "encrypted": value})) for value in (1, True))
    judge(one)
    judge(true)
    assert len(calls) == 3


@pytest.mark.parametrize("name", ["compliant_aws", "compliant_azure", "public_bucket", "gcp_public_bucket"])
def test_plain_properties_are_the_runtimes_serialization(name):
    """`plain` takes shortcuts for proxies, dicts, lists and scalars; the result is the runtime's own."""
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    from gpufleet.policy.protocol import engine_value
    from gpufleet_policies._values import plain

    for r in corpus_run(name).resources:
        props = unknown_checking_proxy(deserialize_properties(engine_value(r.inputs)))
        assert plain(props) == serialize_properties(props), r.urn
