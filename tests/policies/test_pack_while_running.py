"""The pack judges resources while the program runs, as the engine does (`Remediate` and `Analyze` when it
registers each resource, `AnalyzeStack` at the end): the same messages and verdicts as judging the
recorded run afterwards, errors raised after the run in the run's order, and a pack that dies mid-run
is an error, not a hang."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from gpufleet.offline import ProgramError, load_stack, run_program
from gpufleet.policy.analyzer import PolicyPackError, analyze_over_grpc
from gpufleet.policy.inprocess import _Client, _environment, _servicer, load_pack
from gpufleet.policy.protocol import open_session, pack_environment, run_session
from gpufleet.preview import component_providers, preview, views_from_run
from pack_helpers import PACK, PROGRAMS, environment_config

OFFLINE_PROGRAMS = Path(__file__).resolve().parents[1] / "offline" / "programs"
# Every policy corpus program, and offline programs with what the corpus lacks: multi-language
# components (judged after the run, on the provider the estimate gives them), explicit providers and
# component references, unknowns at preview, a stack transform.
PROGRAM_DIRS = sorted(p for p in PROGRAMS.iterdir() if p.is_dir()) + [
    OFFLINE_PROGRAMS / name for name in ("multi_language", "component_refs", "preview_semantics", "aws_fleet")]


class _Recording:
    """The pack's servicer in-process, keeping every request it is sent."""

    def __init__(self) -> None:
        self._client = _Client(_servicer(load_pack(PACK)))
        self.sent: list[tuple[str, bytes]] = []

    def Handshake(self, request):  # noqa: N802 - gRPC method names
        return self._client.Handshake(request)

    def __getattr__(self, method: str):
        call = getattr(self._client, method)

        def record(request):
            self.sent.append((method, request.SerializeToString(deterministic=True)))
            return call(request)

        return record


@pytest.mark.parametrize("program", PROGRAM_DIRS, ids=lambda p: p.name)
def test_resources_judged_while_the_program_runs_get_the_messages_and_verdicts_of_judging_afterwards(program):
    stack = next(p.name.split(".")[1] for p in program.glob("Pulumi.*.yaml"))
    settings = load_stack(program, stack)
    config = environment_config("prod")
    while_running, afterwards = _Recording(), _Recording()
    with _environment(pack_environment(project=settings.project, stack=settings.stack, stack_config=settings.config)):
        session = open_session(while_running, config, pack_dir=PACK, project=settings.project, stack=settings.stack,
                               stack_config=settings.config, secret_keys=settings.secret_keys)
        registered = {}

        def judge(record):
            registered[record.urn] = record
            assert session.analyze_registered(record, registered)

        run = run_program(settings, on_record=judge)
        during = Counter(method for method, _ in while_running.sent)
        providers = component_providers(run, views_from_run(run))
        found = session.finish(run, providers)
        expected = run_session(afterwards, run, config, pack_dir=PACK, project=settings.project,
                               stack=settings.stack, stack_config=settings.config, component_providers=providers)
    assert found == expected
    assert sorted(while_running.sent) == sorted(afterwards.sent)  # each message once, byte for byte
    assert while_running.sent[-1] == afterwards.sent[-1]  # AnalyzeStack, last, the same
    remote = sum(r.remote for r in run.resources)
    assert during["Analyze"] == during["Remediate"] == len(run.resources) - remote
    assert remote == {"multi_language": 3, "component_refs": 3}.get(program.name, 0)  # judged after the run


def _pack(tmp_path: Path, body: str) -> Path:
    """A pack of one resource policy, `body`, that leaves the file `judged` once it has judged a resource."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(textwrap.dedent(f'''
        from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

        def validate(args, report_violation):
            open({str(tmp_path / "judged")!r}, "w").close()
        ''') + textwrap.indent(textwrap.dedent(body), "    ") + textwrap.dedent('''
        PolicyPack(name="test", enforcement_level=EnforcementLevel.MANDATORY, policies=[
            ResourceValidationPolicy(name="no-bad", description="no bad names", validate=validate)])
        '''))
    (pack / "test.json").write_text("{}\n")
    return pack


def _project(tmp_path: Path, program: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: things\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text(textwrap.dedent(program))
    return project


THINGS = textwrap.dedent("""
    import pulumi
    for name in ("ok", "bad-1", "fine", "bad-2"):
        pulumi.ComponentResource("test:index:Thing", name)
""")


def _once_the_pack_judged(tmp_path: Path, then: str) -> str:
    """Program lines that run `then` once the pack has judged a resource. A program's body only declares
    resources: they are registered after it, so `then` runs in an `apply` of a registered resource."""
    return textwrap.dedent(f"""
        import time
        from pathlib import Path

        def then(_):
            for _ in range(1200):
                if Path({str(tmp_path / "judged")!r}).exists():
                    break
                time.sleep(0.05)
    """) + textwrap.indent(textwrap.dedent(then), "    ") + textwrap.dedent("""
        pulumi.ComponentResource("test:index:Thing", "waits").urn.apply(then)
    """)


def test_a_pack_that_fails_on_a_resource_is_reported_after_the_run_as_when_judging_afterwards(tmp_path):
    pack = _pack(tmp_path, """
        if args.name.startswith("bad"):
            raise RuntimeError(f"cannot judge {args.name}")
        if args.name == "ok":
            report_violation("ok is not ok")
    """)
    project = _project(tmp_path, THINGS + _once_the_pack_judged(tmp_path, """
        pulumi.ComponentResource("test:index:Thing", "bad-3")
    """))
    with pytest.raises(PolicyPackError) as while_running:
        preview(project, "dev", policy_pack=pack, policy_config_file=pack / "test.json")
    run = run_program(load_stack(project, "dev"))
    with pytest.raises(PolicyPackError) as afterwards:
        analyze_over_grpc(pack, run, {}, project="things", stack="dev", stack_config={})
    first_line = str(afterwards.value).splitlines()[0]
    assert first_line == ("policy pack failed in Analyze: UNKNOWN: Exception calling application: "
                          "cannot judge bad-1")  # the first failing resource in the run's order
    assert str(while_running.value).splitlines()[0] == first_line


def test_the_programs_failure_is_reported_not_the_packs(tmp_path):
    pack = _pack(tmp_path, """
        raise RuntimeError(f"cannot judge {args.name}")
    """)
    project = _project(tmp_path, THINGS + _once_the_pack_judged(tmp_path, """
        raise ValueError("the program fails")
    """))
    with pytest.raises(ProgramError) as caught:
        preview(project, "dev", policy_pack=pack, policy_config_file=pack / "test.json")
    assert str(caught.value).endswith("ValueError: the program fails")


def test_a_pack_that_dies_while_the_program_runs_is_an_error_not_a_hang(tmp_path):
    pack = _pack(tmp_path, """
        pass
    """)
    # The program waits until the pack has judged a resource, then kills it and declares another.
    project = _project(tmp_path, THINGS + _once_the_pack_judged(tmp_path, f"""
        import os, signal
        # Other children (an earlier test's pack still exiting) may vanish while we look: skip them.
        for task in Path(f"/proc/{{os.getpid()}}/task").iterdir():
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in children:
                try:
                    cwd = os.readlink(f"/proc/{{child}}/cwd")
                except OSError:
                    continue
                if cwd == {str(pack)!r}:
                    os.kill(int(child), signal.SIGKILL)
        pulumi.ComponentResource("test:index:Thing", "last")
    """))
    with pytest.raises(PolicyPackError) as caught:
        preview(project, "dev", policy_pack=pack, policy_config_file=pack / "test.json")
    assert str(caught.value).startswith("policy pack failed in ")
    assert "UNAVAILABLE" in str(caught.value)
