"""The objective stage: proven on its core from HiGHS's root placement, or stopped at its node limits and
said so, with a gap that is a proven bound."""

import json
import math

import numpy as np
import pytest

from gpufleet.catalog import load_catalog
from gpufleet.commands.place import render
from gpufleet.commands._terminal import console
from gpufleet.config import parse_fleet
from gpufleet.errors import UserError
from gpufleet.placement import highs, joint, place
from gpufleet.placement.lock import cluster_names, lock_document, parse_lock, place_with_lock, placement_output
from gpufleet.placement.options import cents, grams
from gpufleet.placement.solve import Assignment, Found
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


def _whole(self, stages, rows, upper, node_limits, whole=True, dominance=False):
    """The objective stage as it was before its core: HiGHS on the whole program, without a limit."""
    return self.search(stages[0], rows, upper=upper)


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
    calls = []
    for name in ("search", "_lattice"):
        real = getattr(Assignment, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            found = _real(*args, **kwargs)
            calls.append((_name, found.bound))
            return found

        monkeypatch.setattr(Assignment, name, spy)
    stopped, solves = _place(monkeypatch, limits=(1, 1, 1))
    # cheapest; the root; the core with offer totals, then the lattice search (both from the root's placement),
    # then the whole core plainly
    assert [s[:3] for s in solves[:5]] == [
        (highs.OPTIMAL, 1, False), (highs.NODE_LIMIT, 1, False), (highs.NODE_LIMIT, 1, True),
        (highs.NODE_LIMIT, 1, True), (highs.NODE_LIMIT, 1, False)]
    assert not stopped.objective_exact and stopped.ties_exact
    core = calls[2:5]  # after the two roots
    assert [name for name, _ in core] == ["search", "_lattice", "search"]
    bound = math.ceil(max(b for _, b in core) - 1e-6)  # the core's three searches
    assert stopped.objective_gap == (_carbon(stopped) - bound) / 1000 > 0
    assert bound <= _carbon(exact) <= _carbon(stopped)  # a lower bound on the proven optimum
    cap = next(c for c in stopped.constraints if c.name.startswith("cost cap"))
    assert cents(cap.used) <= cents(cap.limit)
    assert stopped.proof_notes() == [
        "Not proven optimal (balanced objective): the solver stopped at its node limits; the carbon total "
        f"is at most {stopped.objective_gap:,.3f} kgCO2e/month above the optimum"]
    out = stopped.to_output()  # what `gpufleet place --json` prints
    assert (out["objective_exact"], out["objective_gap"], out["ties_exact"]) == (False, stopped.objective_gap, True)
    assert out["not_proven"] == stopped.proof_notes()


def test_when_the_offer_totals_search_stops_the_lattice_search_proves_the_stage(monkeypatch):
    """The first search of the core stopped at its limit, the lattice search (from the best placement found) proves
    the stage: no plain search, and the placement is the one proven without limits."""
    exact, _ = _place(monkeypatch)
    p, solves = _place(monkeypatch, limits=(1, None, 1))
    assert [s[:3] for s in solves] == [
        (highs.OPTIMAL, 1, False), (highs.NODE_LIMIT, 1, False), (highs.NODE_LIMIT, 1, True), (highs.OPTIMAL, None, True),
        *[(highs.OPTIMAL, joint.TIE_NODE_LIMIT, True)] * 3]
    assert p.objective_exact and p.objective_gap == 0.0 and p.ties_exact
    assert p.to_output() == exact.to_output()


def test_a_locked_placement_and_the_place_command_say_the_objective_is_not_proven(monkeypatch, capsys):
    monkeypatch.setattr(joint, "OBJECTIVE_NODE_LIMITS", (1, 1, 1))
    fleet = parse_fleet(KNAPSACK_FLEET)
    catalog = load_catalog()
    stopped = place(fleet, catalog, clouds=CLOUDS)
    result = place_with_lock(fleet, catalog, parse_lock(None), CLOUDS, "dev")
    locked = result.placement
    assert (locked.objective_exact, locked.objective_gap) == (False, stopped.objective_gap)
    output = placement_output("dev", result, None, catalog.data_description)
    assert (output["objective_exact"], output["objective_gap"]) == (False, stopped.objective_gap)
    assert output["not_proven"] == locked.proof_notes() == stopped.proof_notes()
    monkeypatch.setenv("COLUMNS", "300")
    render(console(), "dev", fleet.max_cost_premium_percent, locked)
    lines = capsys.readouterr().out.splitlines()
    total = next(i for i, line in enumerate(lines) if line.startswith("Total: "))
    assert lines[total + 1] == locked.proof_notes()[0]


@pytest.mark.parametrize("objective", ["cost", "carbon"])
def test_the_gap_is_in_the_objectives_unit(objective, monkeypatch):
    """Cents and grams become USD and kgCO2e: the gap is the total found minus HiGHS's bound rounded up."""
    bounds = []

    def stopped(self, stages, rows, upper, limits, whole=True, dominance=False):
        found = self.search(stages[0], rows, upper=upper, node_limit=1)
        bound = self.value(stages[0], found.selection) - 1234.5  # as a search stopped below the root's value
        bounds.append(bound)
        return Found(found.selection, False, bound)

    monkeypatch.setattr(Assignment, "_objective", stopped)
    p = place(parse_fleet(dict(KNAPSACK_FLEET, objective=objective)), load_catalog(), clouds=CLOUDS)
    unit, figure, digits, scale = {"cost": ("USD", "USD", 2, 100), "carbon": ("kgCO2e", "carbon", 3, 1000)}[objective]
    assert (p.objective_exact, p.objective_gap) == (False, 1234 / scale)  # ⌈v − 1234.5⌉ = v − 1234
    assert p.proof_notes() == [
        f"Not proven optimal ({objective} objective): the solver stopped at its node limits; the {figure} total is "
        f"at most {1234 / scale:,.{digits}f} {unit}/month above the optimum"]


def test_a_root_without_a_placement_is_solved_whole(monkeypatch):
    exact, _ = _place(monkeypatch)
    real = highs.solve_milp
    solves = []

    def nothing_at_the_root(*args, node_limit=None, start=None, **kwargs):
        solves.append((node_limit, start is not None))
        if node_limit == 1:
            return highs.Result(highs.NODE_LIMIT, None, 1, False, -math.inf)
        return real(*args, node_limit=node_limit, start=start, **kwargs)

    monkeypatch.setattr(highs, "solve_milp", nothing_at_the_root)
    p = place(parse_fleet(KNAPSACK_FLEET), load_catalog(), clouds=CLOUDS)
    # cheapest: root, then whole; carbon under the cap: root, then whole; the three tie-break stages
    assert solves[:4] == [(1, False), (None, False), (1, False), (None, False)]
    assert p.objective_exact and p.to_output() == exact.to_output()


def test_the_core_keeps_fewer_options_than_the_program(monkeypatch):
    uppers = []
    real = highs.solve_milp

    def spy(c, integer, lower, upper, *args, **kwargs):
        uppers.append(np.asarray(upper))
        return real(c, integer, lower, upper, *args, **kwargs)

    monkeypatch.setattr(highs, "solve_milp", spy)
    place(parse_fleet(KNAPSACK_FLEET), load_catalog(), clouds=CLOUDS)
    root, core = uppers[1], uppers[2]  # the carbon stage's root, then its core (offer totals: columns after the counts)
    counts = len(root)
    assert np.all(root > 0)  # every count is free at the root
    assert 0 < int((core[:counts] > 0).sum()) < counts


@pytest.mark.parametrize(("gap", "basis"), [(1234, "cheapest's proven lower bound"), (10**12, "cheapest found")])
def test_balanced_caps_cost_at_a_proven_bound_when_the_cheapest_is_not_proven(gap, basis, monkeypatch):
    """Not proven, the cheapest found may be above the true cheapest: the cap is taken from its proven lower bound
    (never over the premium), or, when no placement fits under that, from the cheapest found; the cap's name
    says which, and the gap to the optimum is not known."""
    real = Assignment._objective
    calls = []

    def cheapest_stopped(self, stages, rows, upper, limits, whole=True, dominance=False):
        found = real(self, stages, rows, upper, limits, whole, dominance)
        calls.append((len(rows), whole))
        if len(rows) == 0:  # the cheapest placement: no cap row yet
            return Found(found.selection, False, self.value(stages[0], found.selection) - gap)
        return found

    monkeypatch.setattr(Assignment, "_objective", cheapest_stopped)
    p = place(parse_fleet(KNAPSACK_FLEET), load_catalog(), clouds=CLOUDS)
    monkeypatch.undo()
    exact = place(parse_fleet(KNAPSACK_FLEET), load_catalog(), clouds=CLOUDS)
    cheapest_cents = round(next(c for c in exact.constraints if c.name.startswith("cost cap")).limit * 100 / 1.1)
    cap = next(c for c in p.constraints if c.name.startswith("cost cap"))
    base = cheapest_cents - gap if basis.endswith("bound") else cheapest_cents
    assert cap.name == f"cost cap ({basis} + 10 %)"
    assert cents(cap.limit) == math.floor(round(base * 1.1, 6))
    assert cents(cap.used) <= cents(cap.limit)
    # the cheapest (no cap row; solved whole if its root finds nothing), then under the cap from the bound (not
    # solved whole: nothing found there means the cap from the cheapest found), then under that
    assert calls == ([(0, True), (1, False)] if basis.endswith("bound") else [(0, True), (1, False), (1, True)])
    assert (p.objective_exact, p.objective_gap) == (False, None)
    cap_note = ("the cost cap is taken from the cheapest's proven lower bound, so it may be tighter than the premium "
                "allows" if basis.endswith("bound") else
                "the cost cap is taken from the cheapest placement found, which may cost more than the true cheapest, "
                "so the cap may exceed the premium over it")
    assert p.proof_notes() == ["Not proven optimal (balanced objective): the solver stopped at its node limits on "
                               f"the cheapest placement; {cap_note}, and how far the carbon total is from the "
                               "optimum is not known"]


@pytest.mark.parametrize(("below", "exact", "gap"), [(0.0, True, 0.0), (0.4, True, 0.0), (-2.0, False, None)])
def test_a_bound_at_the_value_proves_it_and_one_above_proves_nothing(below, exact, gap, monkeypatch):
    """HiGHS's bound rounded up (within its tolerance) to the value found is a proof; a bound above a value
    found is not a bound."""
    def stopped(self, stages, rows, upper, limits, whole=True, dominance=False):
        found = self.search(stages[0], rows, upper=upper, node_limit=1)
        return Found(found.selection, False, self.value(stages[0], found.selection) - below)

    monkeypatch.setattr(Assignment, "_objective", stopped)
    p = place(parse_fleet(dict(KNAPSACK_FLEET, objective="carbon")), load_catalog(), clouds=CLOUDS)
    assert (p.objective_exact, p.objective_gap) == (exact, gap)


def test_a_lock_of_a_placement_not_proven_keeps_saying_so(monkeypatch):
    """A lock records where each workload goes and what of that was not proven: a preview that places nothing
    (every workload locked) still says it, and its output is not exact."""
    monkeypatch.setattr(joint, "OBJECTIVE_NODE_LIMITS", (1, 1, 1))
    fleet = parse_fleet(KNAPSACK_FLEET)
    catalog = load_catalog()
    stopped = place(fleet, catalog, clouds=CLOUDS)
    clusters = cluster_names(fleet, stopped, parse_lock(None))
    document = lock_document(stopped, clusters, catalog.version)
    assert document["not_proven"] == stopped.proof_notes()
    monkeypatch.undo()
    result = place_with_lock(fleet, catalog, parse_lock(json.dumps(document)), CLOUDS, "dev")
    assert result.unlocked == []
    assert result.placement.proof_notes() == [f"As locked: {note}" for note in stopped.proof_notes()]
    output = placement_output("dev", result, None, catalog.data_description)
    assert (output["objective_exact"], output["objective_gap"]) == (False, None)
    assert output["not_proven"] == result.placement.proof_notes()
    proven = place(fleet, catalog, clouds=CLOUDS)
    assert "not_proven" not in lock_document(proven, clusters, catalog.version)  # a proven lock is as before


def test_a_lock_whose_only_note_is_on_ties_leaves_the_objective_exact():
    fleet = parse_fleet(KNAPSACK_FLEET)
    catalog = load_catalog()
    proven = place(fleet, catalog, clouds=CLOUDS)
    ties = ("Ties not proven: the tie-break among placements with the same objective total stopped at its node "
            "limit (any of them may have been kept)")
    document = {**lock_document(proven, cluster_names(fleet, proven, parse_lock(None)), catalog.version),
                "not_proven": [ties]}
    result = place_with_lock(fleet, catalog, parse_lock(document), CLOUDS, "dev")
    output = placement_output("dev", result, None, catalog.data_description)
    assert (output["objective_exact"], output["objective_gap"], output["ties_exact"]) == (True, 0.0, False)
    assert output["not_proven"] == [f"As locked: {ties}"]


@pytest.mark.parametrize(("notes", "problem"), [
    (["a"] * 5, "gpufleet:placement.not_proven: List should have at most 4 items after validation, not 5"),
    (["x" * 501], f"gpufleet:placement.not_proven.0: String should have at most 500 characters (got '{'x' * 501}')"),
    (["one\nline"], "gpufleet:placement.not_proven: each note is one line of text, without control characters"),
    (["\x1b[31mred"], "gpufleet:placement.not_proven: each note is one line of text, without control characters"),
    ("text", "gpufleet:placement.not_proven: Input should be a valid list (got 'text')"),
])
def test_a_locks_notes_are_a_few_lines_of_text(notes, problem):
    """The preview repeats a lock's notes: at most four lines of at most 500 characters, no control characters."""
    with pytest.raises(UserError) as error:
        parse_lock({"workloads": {}, "not_proven": notes})
    assert str(error.value) == f"invalid placement lock (gpufleet:placement): 1 problem(s)\n  - {problem}"
