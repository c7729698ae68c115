"""Locked workloads over a quota or budget lowered below what they use: the lock is honoured (they stay), and the
shared constraints' use shows the true figures — the limit as set, what the locked workloads use, by how much they
exceed it — on screen, in the binding lines of the workloads placed around them and in the `placement` output.
It said `limit 0, used 0` and `0 of 0 GPUs used by the others`."""

import math

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.placement.lock import lock_overruns, place_with_lock, placement_output
from gpufleet.placement.model import PlacementError

from tests.placement.test_lock import CLOUDS, _fleet, _locked


def _edited(fleet, quota_gpus=64, workloads=(), **budgets):
    """The prod fixture with its eu-north-1 quota (64 GPUs: pretrain's, locked there) set to `quota_gpus`, more
    workloads and budgets."""
    return fleet.model_copy(update={
        "quotas": [fleet.quotas[0].model_copy(update={"gpus": quota_gpus})],
        "workloads": [*fleet.workloads, *workloads],
        "budgets": fleet.budgets.model_copy(update=budgets),
    })


def test_a_quota_cut_below_the_locked_use_is_shown_over_and_a_new_workload_is_told_why():
    fleet = _fleet()
    lock = _locked(fleet)
    extra = fleet.workloads[0].model_copy(update={"name": "extra", "gpu_count": 8})
    cut = _edited(fleet, 32, [extra], gpu_quota=100)
    placed = place_with_lock(cut, load_catalog(), lock, CLOUDS, "prod")
    decisions = placed.placement.decisions
    # nothing moves: the locked workloads stay where locked, the new one goes where the quota leaves room
    assert {n: d.chosen.where for n, d in decisions.items()} == {
        "pretrain": "aws eu-north-1", "finetune": "aws us-west-2", "serve": "aws us-west-2", "extra": "aws us-west-2"}
    locked_usd = sum(decisions[n].chosen.monthly_usd for n in ("pretrain", "finetune", "serve"))
    used_usd = locked_usd + decisions["extra"].chosen.monthly_usd
    cap = placed.placement.constraints[-1]
    assert [u.render() for u in placed.placement.constraints] == [
        "quota aws eu-north-1: 64 of 32 GPUs, over by 32 (locked workloads)",
        "budget gpu_quota: 92 of 100 GPUs",
        f"budget monthly_usd: {used_usd:,.2f} of 1,000,000.00 USD",
        f"cost cap (cheapest + 10 %): {cap.used:,.2f} of {cap.limit:,.2f} USD",
    ]
    assert decisions["extra"].binding[0] == (
        "quota aws eu-north-1: 64 of 32 GPUs used by the others, over by 32 (locked workloads); "
        "aws eu-north-1 p5.48xlarge needs 8")
    assert decisions["extra"].reason.startswith("balanced: best region for 8 H100 with a high-bandwidth fabric left "
                                                "by quota aws eu-north-1")
    out = placement_output("prod", placed, None, "shipped data")
    assert out["constraints"][:3] == [
        {"name": "quota aws eu-north-1", "path": "gpufleet:fleet.quotas[0]", "used": 64, "limit": 32,
         "unit": "GPUs", "binding": True, "locked": 64, "over": 32},
        {"name": "budget gpu_quota", "path": "gpufleet:fleet.budgets.gpu_quota", "used": 92, "limit": 100,
         "unit": "GPUs", "binding": False, "locked": 84, "over": 0},
        {"name": "budget monthly_usd", "path": "gpufleet:fleet.budgets.monthly_usd", "used": round(used_usd, 3),
         "limit": 1000000, "unit": "USD", "binding": False, "locked": round(locked_usd, 3), "over": 0},
    ]
    # the cost cap is the unlocked workloads' own (balanced: within the premium over their cheapest placement)
    assert (out["constraints"][3]["locked"], out["constraints"][3]["over"]) == (0, 0)
    assert [u.render() for u in lock_overruns(cut, lock, load_catalog())] == [
        "quota aws eu-north-1: 64 of 32 GPUs, over by 32 (locked workloads)"]


def test_a_budget_cut_below_a_fully_locked_fleet_is_shown_over():
    """With every workload locked nothing is placed, and the use is the locked workloads' alone (it showed none)."""
    fleet = _fleet()
    lock = _locked(fleet)
    cut = _edited(fleet, monthly_usd=300000, monthly_tco2e=5, gpu_quota=80)
    placed = place_with_lock(cut, load_catalog(), lock, CLOUDS, "prod")
    assert placed.unlocked == []
    usd = placed.placement.total_monthly_usd
    kg = placed.placement.total_monthly_kgco2e
    assert [u.render() for u in placed.placement.constraints] == [
        "quota aws eu-north-1: 64 of 64 GPUs",
        "budget gpu_quota: 84 of 80 GPUs, over by 4 (locked workloads)",
        f"budget monthly_usd: {usd:,.2f} of 300,000.00 USD, over by {usd - 300000:,.2f} (locked workloads)",
        f"budget monthly_tco2e: {kg / 1000:,.3f} of 5.000 tCO2e",
    ]
    assert [(u["used"], u["limit"], u["locked"], u["over"], u["binding"]) for u in
            placement_output("prod", placed, None, "shipped data")["constraints"]] == [
        (64, 64, 64, 0, False), (84, 80, 84, 4, False),
        (round(usd, 3), 300000, round(usd, 3), round(usd - 300000, 3), False), (round(kg, 3), 5000, round(kg, 3), 0, False)]
    assert [u.name for u in lock_overruns(cut, lock, load_catalog())] == ["budget gpu_quota", "budget monthly_usd"]


def test_no_room_left_by_the_locked_workloads_names_the_budget_as_set():
    """The least budget that fits counts the locked workloads' use (it said `0.00 USD < …`, the budget less it)."""
    fleet = _fleet()
    lock = _locked(fleet)
    extra = fleet.workloads[2].model_copy(update={"name": "extra"})
    cut = _edited(fleet, workloads=[extra], monthly_usd=300000)
    with pytest.raises(PlacementError) as e:
        place_with_lock(cut, load_catalog(), lock, CLOUDS, "prod")
    locked = place_with_lock(fleet, load_catalog(), lock, CLOUDS, "prod").placement
    locked_usd = locked.total_monthly_usd
    # extra is serve's twin: the least it adds is serve's price (eu-north-1, where the quota is full, is dearer); the
    # least budget is rounded up to the cent
    needed = f"{math.ceil(round((locked_usd + locked.decisions['serve'].chosen.monthly_usd) * 100, 6)) / 100:,.2f}"
    assert [p.render() for p in e.value.problems] == [
        f"gpufleet:fleet.budgets.monthly_usd: budget monthly_usd: 300,000.00 USD < {needed} USD needed for the "
        f"cheapest feasible placement ({locked_usd:,.2f} USD of it by locked workloads); raise it to at least "
        f"{needed} USD"]
