"""gpufleet-placement-locked: a fleet workload without a reviewed lock is flagged; mandatory in prod,
advisory in dev. The lock reaches the pack through the stack's configuration, as with the real CLI."""

import json

from gpufleet.offline import load_stack
from gpufleet.policy.inprocess import analyze_in_process
from pack_helpers import PACK, ROOT, build_run, environment_config, verdicts

POLICY = "gpufleet-placement-locked"
FIX = "Fix: review with `gpufleet place prod`, then record it with `gpufleet place prod --lock`."


def _config(drop: tuple[str, ...] = (), lock: object = "keep") -> dict[str, str]:
    config = dict(load_stack(ROOT, "prod").config)
    placement = json.loads(config["gpufleet:placement"])
    for name in drop:
        del placement["workloads"][name]
    config["gpufleet:placement"] = json.dumps(placement if lock == "keep" else lock)
    if lock is None:
        del config["gpufleet:placement"]
    return config


def test_a_fully_locked_stack_passes():
    assert verdicts(build_run(config=_config()), POLICY) == []


def test_each_unlocked_workload_is_named():
    assert verdicts(build_run(config=_config(drop=("finetune", "batch-embed"))), POLICY) == [
        (POLICY, "mandatory", None, "not locked: finetune, batch-embed: placed again at every run, so a catalog "
         f"change can move them to another region (destroy and create). {FIX}")]


def test_no_lock_at_all_flags_every_workload_and_a_malformed_lock_is_flagged():
    assert verdicts(build_run(config=_config(lock=None)), POLICY) == [
        (POLICY, "mandatory", None, "not locked: pretrain, finetune, chat-serving, batch-embed: placed again at "
         f"every run, so a catalog change can move them to another region (destroy and create). {FIX}")]
    assert verdicts(build_run(config=_config(lock=["pretrain"])), POLICY) == [
        (POLICY, "mandatory", None, "gpufleet:placement is not a mapping with `workloads`, so no workload is "
         "locked. Fix: run `gpufleet place prod --lock`.")]


def test_a_stack_without_a_fleet_is_not_judged():
    assert verdicts(build_run(), POLICY) == []


def test_advisory_in_dev_mandatory_in_staging_and_prod():
    run = build_run(config=_config(drop=("finetune",)))
    levels = {}
    for env in ("dev", "staging", "prod"):
        found = analyze_in_process(PACK, run, environment_config(env), project=run.settings.project,
                                   stack=run.settings.stack, stack_config=run.settings.config)
        levels[env] = [v.level for v in found if v.policy == POLICY]
    assert levels == {"dev": ["advisory"], "staging": ["mandatory"], "prod": ["mandatory"]}
