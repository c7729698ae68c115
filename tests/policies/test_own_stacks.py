"""gpufleet's own stacks (stacks/Pulumi.{dev,staging,prod}.yaml, composed by __main__.py) pass their
environment's policies, judged over gRPC exactly as `gpufleet preview` does."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from gpufleet.offline import load_stack, run_program
from gpufleet.policy.analyzer import PolicyPackProcess
from gpufleet.policy.inprocess import analyze_in_process
from pack_helpers import PACK, ROOT, environment_config

ENVIRONMENTS = ["dev", "staging", "prod"]
if not (ROOT / "Pulumi.yaml").is_file() or not all((ROOT / "stacks" / f"Pulumi.{e}.yaml").is_file()
                                                   for e in ENVIRONMENTS):
    pytest.skip("the project's own stacks (Pulumi.yaml, stacks/Pulumi.<env>.yaml) are not there yet",
                allow_module_level=True)


@pytest.fixture(scope="module")
def judged():
    settings = {env: load_stack(ROOT, env) for env in ENVIRONMENTS}
    packs = {env: PolicyPackProcess(PACK, project=s.project, stack=s.stack, stack_config=s.config)
             for env, s in settings.items()}
    with ThreadPoolExecutor(max_workers=3) as pool:
        # The packs start (their own processes) while the programs run here, as the CLI overlaps them.
        started = [pool.submit(pack.start) for pack in packs.values()]
        runs = {env: run_program(s) for env, s in settings.items()}
        try:
            for future in started:
                future.result()
            found = pool.map(lambda env: packs[env].analyze(runs[env], environment_config(env)), ENVIRONMENTS)
            return {env: (runs[env], f) for env, f in zip(ENVIRONMENTS, found)}
        finally:
            for pack in packs.values():
                pack.close()


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_own_stack_passes_its_environment(judged, env):
    run, found = judged[env]
    assert [v for v in found if v.level == "mandatory"] == []
    assert found == analyze_in_process(PACK, run, environment_config(env), project=run.settings.project,
                                       stack=run.settings.stack, stack_config=run.settings.config)
