"""Tie-break solves run on the program with an integer total per offer (Assignment._offer_totals): the same
placements, with the same row values."""

import numpy as np
import pytest
from scipy.sparse import csr_array

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.placement import highs, place
from gpufleet.placement.solve import Assignment
from tests.placement.fleets import ALL_CLOUDS, NOISY_FLEET


def _place(objective, monkeypatch, stages=None):
    """(placement, each solve on offer totals: (Assignment, its program, the rewritten program)); `stages`
    replaces the tie-break stages that get offer totals (None: as `place` chooses)."""
    seen = []
    real = Assignment._offer_totals
    minimise = Assignment.minimise

    def spy(self, matrix, row_lower, row_upper, upper):
        rewritten = real(self, matrix, row_lower, row_upper, upper)
        seen.append((self, (csr_array(matrix), row_lower, row_upper, upper), rewritten))
        return rewritten

    def forced(self, stages_, rows=(), tie_node_limits=(None, None), offer_totals=frozenset(), **limits):
        return minimise(self, stages_, rows, tie_node_limits, offer_totals if stages is None else stages, **limits)

    monkeypatch.setattr(Assignment, "_offer_totals", spy)
    monkeypatch.setattr(Assignment, "minimise", forced)
    p = place(parse_fleet(dict(NOISY_FLEET, objective=objective)), load_catalog(), clouds=ALL_CLOUDS)
    monkeypatch.undo()
    return p, seen


@pytest.mark.parametrize("objective", ["cost", "carbon", "balanced"])
def test_offer_totals_give_the_same_placement(objective, monkeypatch):
    chosen, _ = _place(objective, monkeypatch)
    every, seen = _place(objective, monkeypatch, frozenset({1, 2, 3}))
    none, unseen = _place(objective, monkeypatch, frozenset())
    assert len(seen) == 3 and not unseen  # nodes, other figure, position (each proven from the start)
    assert any(len(totals) for *_, (_, _, _, totals) in seen)
    assert chosen.ties_exact and every.ties_exact and none.ties_exact
    assert chosen.to_output() == every.to_output() == none.to_output()


@pytest.mark.parametrize(("objective", "solves"), [("cost", 0), ("carbon", 0), ("balanced", 2)])
def test_place_uses_offer_totals_in_balanced_other_figure_and_position_stages(objective, solves, monkeypatch):
    given = []
    real = highs.solve_milp

    def spy(*args, options=None, **kwargs):
        given.append(options)
        return real(*args, options=options, **kwargs)

    _, seen = _place(objective, monkeypatch)
    assert len(seen) == solves
    monkeypatch.setattr(highs, "solve_milp", spy)
    place(parse_fleet(dict(NOISY_FLEET, objective=objective)), load_catalog(), clouds=ALL_CLOUDS)
    without_heuristics = {"mip_heuristic_run_root_reduced_cost": False, "mip_heuristic_run_rins": False,
                          "mip_heuristic_run_rens": False, "mip_heuristic_run_feasibility_jump": False}
    assert given.count(without_heuristics) == solves


@pytest.mark.parametrize("objective", ["cost", "balanced"])
def test_every_row_has_the_same_value_at_every_integer_point(objective, monkeypatch):
    """The rewritten rows, at counts y and offer totals M = Σ nodes·y, equal the original rows at y; the link
    rows are 0 there; and each offer's total is the nodes of its counts, bounded by what `upper` allows."""
    _, seen = _place(objective, monkeypatch, frozenset({1, 2, 3}))
    rng = np.random.default_rng(0)
    checked = 0
    for a, (matrix, row_lower, row_upper, upper), (rewritten, lower2, upper2, totals) in seen:
        if not totals:
            continue
        width = matrix.shape[1]
        equal = np.isfinite(row_lower)
        assert rewritten.shape == (matrix.shape[0] + len(totals), width + len(totals))
        # equality rows first (unchanged), then the inequality rows (rewritten), then one link row per offer
        order = np.concatenate((np.flatnonzero(equal), np.flatnonzero(~equal)))
        assert np.array_equal(lower2[:len(order)], row_lower[order])
        assert np.array_equal(upper2[:len(order)], row_upper[order])
        assert np.array_equal(lower2[len(order):], np.zeros(len(totals)))
        assert np.array_equal(upper2[len(order):], np.zeros(len(totals)))
        for total in totals:
            assert set(np.flatnonzero(total)) <= set(np.flatnonzero(upper > 0))
            assert len(np.flatnonzero(total)) >= 2
            js = np.flatnonzero(total)
            assert len({(a._option[j].cloud, a._option[j].region, a._option[j].instance_type) for j in js}) == 1
            assert np.array_equal(total[js], [a._option[j].nodes for j in js])
        for _ in range(50):
            x = np.concatenate((rng.integers(0, 9, a.size), rng.random(width - a.size))).astype(float)
            m = np.array([t @ x[:a.size] for t in totals])
            before = matrix @ x
            after = rewritten @ np.concatenate((x, m))
            assert np.array_equal(after[:len(order)], before[order])
            assert np.array_equal(after[len(order):], np.zeros(len(totals)))
        checked += 1
    assert checked


def test_region_quotas_count_offer_totals_only(monkeypatch):
    """A region quota's coefficients are GPUs = nodes × GPUs per node: the offers' counts leave the row, and
    the offer's total counts GPUs per node."""
    _, seen = _place("cost", monkeypatch, frozenset({1, 2, 3}))
    a, (matrix, row_lower, *_), (rewritten, *_, totals) = next(s for s in seen if s[2][3])
    quotas = [i for i, g in enumerate(a.groups) if g.region is not None]
    assert quotas
    classes = int(np.isfinite(row_lower).sum())  # equality rows come first, then the groups in order
    width = matrix.shape[1]
    dense = rewritten.toarray()
    for i in quotas:
        row = dense[classes + i]
        for g, total in enumerate(totals):
            js = np.flatnonzero(total)
            o = a._option[js[0]]
            if a.groups[i].applies(o):
                assert np.all(row[js] == 0)
                assert row[width + g] == o.gpus / o.nodes
            else:
                assert row[width + g] == 0


def test_tie_break_solves_get_the_offer_totals_and_a_start_that_fills_them(monkeypatch):
    starts = []
    real = highs.solve_milp

    def spy(c, integer, lower, upper, matrix, row_lower, row_upper, start=None, **kwargs):
        result = real(c, integer, lower, upper, matrix, row_lower, row_upper, start=start, **kwargs)
        if start is not None:
            starts.append((np.asarray(start), matrix, row_lower, row_upper, lower, upper))
        return result

    monkeypatch.setattr(highs, "solve_milp", spy)
    place(parse_fleet(dict(NOISY_FLEET, objective="balanced")), load_catalog(), clouds=ALL_CLOUDS)
    assert len(starts) == 3
    nodes, other, _ = (len(s[0]) for s in starts)
    assert other > nodes  # the counts, then offer totals; the node stage has none
    for start, matrix, row_lower, row_upper, lower, upper in starts:
        activity = csr_array(matrix) @ start
        assert np.all(activity >= row_lower - 1e-9) and np.all(activity <= row_upper + 1e-9)
        assert np.all(start >= lower) and np.all(start <= upper)
