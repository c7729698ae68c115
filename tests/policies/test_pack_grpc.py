"""The pack over the engine's own protocol: started as the Pulumi CLI starts it, driven over gRPC.

The gRPC path is the reference: on every corpus program, in its environment and in prod, it gives the
same verdicts as the in-process fast path. Stack totals seen by the policies equal the preview's.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto.analyzer_pb2_grpc import AnalyzerStub
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from gpufleet.errors import UserError
from gpufleet.estimate import estimate_plan
from gpufleet.policy.analyzer import PolicyPackError, PolicyPackProcess, analyze_over_grpc
from gpufleet.policy.inprocess import _Client, _environment, _servicer, analyze_in_process, load_pack
from gpufleet.policy.protocol import pack_environment, run_session
from gpufleet.preview import views_from_run
from pack_helpers import PACK, PROGRAMS, corpus_run, environment_config

PROGRAM_NAMES = sorted(p.name for p in PROGRAMS.iterdir() if p.is_dir())


def both_environments(name):
    run = corpus_run(name)
    return run, sorted({run.settings.stack, "prod"})


@pytest.fixture(scope="module")
def grpc_verdicts():
    """Every corpus program judged over gRPC, one pack process per program (as the CLI does per preview),
    the processes run side by side."""
    runs = {name: corpus_run(name) for name in PROGRAM_NAMES}

    def judge(name):
        run = runs[name]
        with PolicyPackProcess(PACK, project=run.settings.project, stack=run.settings.stack,
                               stack_config=run.settings.config) as pack:
            return {env: pack.analyze(run, environment_config(env)) for env in both_environments(name)[1]}

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(PROGRAM_NAMES, pool.map(judge, PROGRAM_NAMES)))


@pytest.mark.parametrize("name", PROGRAM_NAMES)
def test_grpc_and_in_process_give_the_same_verdicts(grpc_verdicts, name):
    run, environments = both_environments(name)
    for env in environments:
        expected = analyze_in_process(PACK, run, environment_config(env), project=run.settings.project,
                                      stack=run.settings.stack, stack_config=run.settings.config)
        assert grpc_verdicts[name][env] == expected, env


def test_the_corpus_is_judged_with_violations_over_grpc(grpc_verdicts):
    assert any(v.level == "mandatory" for v in grpc_verdicts["public_bucket"]["prod"])
    assert grpc_verdicts["compliant_aws"]["prod"] == []


@pytest.fixture(scope="module")
def compliant_pack():
    run = corpus_run("compliant_aws")
    with PolicyPackProcess(PACK, project=run.settings.project, stack=run.settings.stack,
                           stack_config=run.settings.config) as pack:
        yield run, pack


def test_analyzer_info_over_grpc(compliant_pack):
    run, pack = compliant_pack
    stub = AnalyzerStub(pack._channel)
    info = stub.GetAnalyzerInfo(empty_pb2.Empty())
    with pytest.raises(grpc.RpcError) as e:
        stub.Handshake(pb.AnalyzerHandshakeRequest())
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED  # pulumi-policy 1.21: the engine carries on
    assert pack.analyze(run, {}) == []  # without a config file: pack defaults, nothing to say
    assert info.name == "gpufleet" and info.supportsConfig
    assert [p.name for p in info.policies] == [p.name for p in load_pack(PACK).POLICIES]
    kinds = {p.name: p.policy_type for p in info.policies}
    assert kinds["gpufleet-stack-monthly-cost-budget"] == pb.POLICY_TYPE_STACK
    assert kinds["gpufleet-required-tags"] == pb.POLICY_TYPE_RESOURCE
    assert {p.enforcementLevel for p in info.policies} == {pb.ADVISORY}


@pytest.mark.parametrize("name", ["compliant_aws", "over_budget", "compliant_azure"])
def test_stack_policies_see_the_previews_estimate_to_the_cent(name):
    """The estimate stack policies compute from what AnalyzeStack carries is the preview's, in full."""
    run = corpus_run(name)
    seen = {}

    def capture(args, report_violation):
        from gpufleet_policies._stack import stack_plan

        seen["estimate"] = stack_plan(args.resources).estimate

    pack = load_pack(PACK)
    probe = StackValidationPolicy("probe-estimate", "captures the estimate", capture, EnforcementLevel.ADVISORY)
    servicer = type(_servicer(pack))(pack.PACK_NAME, "0.0.1", [*pack.POLICIES, probe], pack.ENFORCEMENT_LEVEL)
    with _environment(pack_environment(project=run.settings.project, stack=run.settings.stack,
                                       stack_config=run.settings.config)):
        run_session(_Client(servicer), run, {}, pack_dir=PACK, project=run.settings.project,
                    stack=run.settings.stack, stack_config=run.settings.config)
    assert seen["estimate"].to_json() == estimate_plan(views_from_run(run)).to_json()


def test_budget_total_over_grpc_equals_the_previews_total():
    run = corpus_run("over_budget")
    total = estimate_plan(views_from_run(run)).total("monthly_usd")
    found = analyze_over_grpc(PACK, run, {"gpufleet-stack-monthly-cost-budget": {"enforcementLevel": "mandatory",
                                                                                 "monthly_usd": 1}},
                              project=run.settings.project, stack=run.settings.stack, stack_config=run.settings.config)
    budget = [v for v in found if v.policy == "gpufleet-stack-monthly-cost-budget"]
    assert len(budget) == 1 and budget[0].message.startswith(f"estimated ${total:,.2f}/month for 320 GPUs ")


def test_invalid_policy_config_is_a_user_error_before_analysis(compliant_pack):
    run, pack = compliant_pack
    with pytest.raises(UserError) as e:
        pack.analyze(run, {"gpufleet-stack-gpu-quota": {"max_gpus": -3}})
    assert "gpufleet-stack-gpu-quota.max_gpus: must be at least 1 (got -3)" in e.value.render()


def test_a_broken_pack_reports_its_error(tmp_path: Path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('no catalog here')\n")
    with pytest.raises(PolicyPackError) as e:
        analyze_over_grpc(tmp_path, corpus_run("compliant_aws"), {}, project="p", stack="prod", stack_config={})
    assert "did not start" in str(e.value) and "no catalog here" in str(e.value)


def test_a_pack_printing_a_digit_that_is_no_port_did_not_start(tmp_path: Path):
    # "²".isdigit() is True and int("²") raises: an internal error before
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("print('²', flush=True)\n")
    with pytest.raises(PolicyPackError) as e:
        analyze_over_grpc(tmp_path, corpus_run("compliant_aws"), {}, project="p", stack="prod", stack_config={})
    assert f"policy pack {tmp_path} did not start (printed '²'; expected its port)" in str(e.value)
