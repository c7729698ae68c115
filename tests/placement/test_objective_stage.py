"""The objective stage: proven on its core from HiGHS's root placement, or stopped at its node limits and
said so, with a gap that is a proven bound."""

import math

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.commands.place import render
from gpufleet.commands._terminal import console
from gpufleet.config import parse_fleet
from gpufleet.placement import highs, joint, place
from gpufleet.placement.lock import parse_lock, place_with_lock
from gpufleet.placement.options import cents, grams
from gpufleet.placement.solve import Assignment
from tests.placement.fleets import KNAPSACK_FLEET

CLOUDS = ("aws", "azure", "coreweave")


def _place(monkeypatch, limits=None):
    """(placement, each solve's (status, node limit, started from a placement, HiGHS's bound))."""
    solves = []
    real = highs.solve_milp

    def spy(*args, node_limit=None, start=None, **kwargs):
        result = real(*args, node_limit=node_limit, start=start, **kwargs)
        solves.append((result.status, node_limit, start is not None, result.bound))
        return result

    monkeypatch.setattr(highs, "solve_milp", spy)
    if limits is not None:
        monkeypatch.setattr(joint, "OBJECTIVE_NODE_LIMITS", limits)
    p = place(parse_fleet(KNAPSACK_FLEET), load_catalog(), clouds=CLOUDS)
    monkeypatch.undo()
    return p, solves


def _whole(self, stage, rows, upper, node_limits):
    """The objective stage as it was before its core: HiGHS on the whole program, without a limit."""
    return self.search(stage, rows, upper=upper)


def _carbon(p):
    return sum(grams(d.chosen.monthly_kgco2e) for d in p.decisions.values())


def test_the_objective_stage_is_proven_on_its_core_from_the_roots_placement(monkeypatch):
    p, solves = _place(monkeypatch)
    limits = joint.OBJECTIVE_NODE_LIMITS
    # cheapest (proven at the root); carbon under the cap: the root stops at its one node, the core (offer totals,
    # started from the root's placement) is proven; then the three tie-break stages
    assert [s[:3] for s in solves] == [
        (highs.OPTIMAL, 1, False), (highs.NODE_LIMIT, 1, False), (highs.OPTIMAL, limits[0], True),
        *[(highs.OPTIMAL, joint.TIE_NODE_LIMIT, True)] * 3]
    assert p.objective_exact and p.objective_gap == 0.0 and p.ties_exact
    assert p.proof_notes() == []
    monkeypatch.setattr(Assignment, "_objective", _whole)
    whole = place(parse_fleet(KNAPSACK_FLEET), load_catalog(), clouds=CLOUDS)
    assert whole.to_output() == p.to_output()


def test_an_objective_stage_stopped_at_its_node_limits_says_so_with_a_proven_gap(monkeypatch):
    exact, _ = _place(monkeypatch)
    stopped, solves = _place(monkeypatch, limits=(1, 1))
    assert [s[:3] for s in solves[:4]] == [
        (highs.OPTIMAL, 1, False), (highs.NODE_LIMIT, 1, False), (highs.NODE_LIMIT, 1, True),
        (highs.NODE_LIMIT, 1, False)]
    assert not stopped.objective_exact and stopped.ties_exact
    bound = math.ceil(max(solves[2][3], solves[3][3]) - 1e-6)  # the core's two searches
    assert stopped.objective_gap == (_carbon(stopped) - bound) / 1000 > 0
    assert bound <= _carbon(exact) <= _carbon(stopped)  # a lower bound on the proven optimum
    cap = next(c for c in stopped.constraints if c.name.startswith("cost cap"))
    assert cents(cap.used) <= cents(cap.limit)
    assert stopped.proof_notes() == [
        "the balanced objective is not proven optimal: the solver stopped at its node limits; the carbon total "
        f"is at most {stopped.objective_gap:,.3f} kgCO2e/month above the optimum"]
    out = stopped.to_output()
    assert (out["objective_exact"], out["objective_gap"], out["ties_exact"]) == (False, stopped.objective_gap, True)


def test_a_locked_placement_and_the_place_command_say_the_objective_is_not_proven(monkeypatch, capsys):
    monkeypatch.setattr(joint, "OBJECTIVE_NODE_LIMITS", (1, 1))
    fleet = parse_fleet(KNAPSACK_FLEET)
    catalog = load_catalog()
    stopped = place(fleet, catalog, clouds=CLOUDS)
    locked = place_with_lock(fleet, catalog, parse_lock(None), CLOUDS).placement
    assert (locked.objective_exact, locked.objective_gap) == (False, stopped.objective_gap)
    monkeypatch.setenv("COLUMNS", "300")
    render(console(), "dev", fleet.max_cost_premium_percent, locked)
    lines = capsys.readouterr().out.splitlines()
    total = next(i for i, line in enumerate(lines) if line.startswith("Total: "))
    assert lines[total + 1] == f"Not proven: {locked.proof_notes()[0]}"


@pytest.mark.parametrize("objective,unit", [("cost", "USD"), ("carbon", "kgCO2e")])
def test_the_gap_is_in_the_objectives_unit(objective, unit, monkeypatch):
    monkeypatch.setattr(joint, "OBJECTIVE_NODE_LIMITS", (1, 1))
    monkeypatch.setattr(Assignment, "_objective", lambda self, stage, rows, upper, limits:
                        highs_stopped(self, stage, rows, upper))
    p = place(parse_fleet(dict(KNAPSACK_FLEET, objective=objective)), load_catalog(), clouds=CLOUDS)
    assert not p.objective_exact
    figure = "USD" if objective == "cost" else "carbon"
    digits = 2 if objective == "cost" else 3
    assert p.proof_notes()[0].endswith(
        f"the {figure} total is at most {p.objective_gap:,.{digits}f} {unit}/month above the optimum")


def highs_stopped(a, stage, rows, upper):
    """The first stage as HiGHS leaves it after its root node, unproven whatever it found."""
    found = a.search(stage, rows, upper=upper, node_limit=1)
    return type(found)(found.selection, False, found.bound)
