"""gpufleet-capacity-reservation-expiring and -expired: the prod fleet's Capacity Block, one date changed
per case (dates relative to today, UTC, as the policies read them)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from gpufleet.policy.inprocess import analyze_in_process
from pack_helpers import ROOT, build_run, environment_config, verdicts

EXPIRING = "gpufleet-capacity-reservation-expiring"
EXPIRED = "gpufleet-capacity-reservation-expired"
TODAY = datetime.now(timezone.utc).date()
BLOCK = "workload pretrain's capacity-block cr-0f1e2d3c4b5a69788"
FIX = ("Fix: extend or replace the reservation and update its end_date in gpufleet:fleet, or move the workload "
       "to other capacity (capacity on-demand or spot).")


def _run(stack: str = "prod", **dates):
    fleet = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]["gpufleet:fleet"]
    pretrain = fleet["workloads"][0]
    assert pretrain["reservation"]["kind"] == "capacity-block"
    for key, value in dates.items():
        target = pretrain if key == "needed_until" else pretrain["reservation"]
        target[key] = value.isoformat()
    return build_run(stack=stack, config={"gpufleet:fleet": json.dumps(fleet)})


def _day(offset: int):
    return TODAY + timedelta(days=offset)


def test_a_block_far_from_its_end_passes():
    run = _run(start_date=_day(-10), end_date=_day(60))
    assert verdicts(run, EXPIRING, "advisory") == verdicts(run, EXPIRED) == []


def test_a_block_ending_within_the_window_is_warned():
    run = _run(start_date=_day(-10), end_date=_day(3))
    assert verdicts(run, EXPIRING, "advisory") == [
        (EXPIRING, "advisory", None, f"{BLOCK} ends on {_day(3):%Y-%m-%d}, in 3 days (warned 14 days ahead): its "
                                     f"nodes lose the capacity then. {FIX}")]
    assert verdicts(run, EXPIRING, "advisory", warn_within_days=2) == []
    assert verdicts(run, EXPIRED) == []


def test_a_block_ending_before_its_workload_stops_needing_it_is_warned():
    run = _run(end_date=_day(40), needed_until=_day(100))
    assert verdicts(run, EXPIRING, "advisory") == [
        (EXPIRING, "advisory", None, f"{BLOCK} ends on {_day(40):%Y-%m-%d}, 60 days before the workload stops "
                                     f"needing it (needed_until {_day(100):%Y-%m-%d}). {FIX}")]


def test_a_block_without_its_end_date_cannot_be_checked():
    assert verdicts(_run(), EXPIRING, "advisory") == [
        (EXPIRING, "advisory", None, f"{BLOCK} has no end_date in the stack configuration, so when it ends cannot be "
                                     "checked (a Capacity Block always ends). Fix: set reservation.start_date and "
                                     "reservation.end_date as bought.")]


@pytest.mark.parametrize("env, level, block", [
    ("prod", "mandatory", BLOCK),
    ("staging", "advisory", "workload finetune's capacity-block cr-0a1b2c3d4e5f67890"),
])
def test_an_expired_block_is_mandatory_in_prod_only(env, level, block):
    run = _run(env, start_date=_day(-20), end_date=_day(-1))
    found = analyze_in_process(ROOT / "policies", run, environment_config(env), project=run.settings.project,
                               stack=env, stack_config=run.settings.config)
    assert [(v.policy, v.level, v.message) for v in found if v.policy in (EXPIRED, EXPIRING)] == [
        (EXPIRED, level, f"{block} ended on {_day(-1):%Y-%m-%d}, 1 day ago: the workload's nodes have no capacity "
                         f"there. {FIX}")]
