"""Options dominated within a class on the rows that can still bind are dropped (Assignment.drop_dominated),
and no lexicographic optimum changes."""

import importlib.util
import itertools
import random
from pathlib import Path

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.footprint import Footprint
from gpufleet.placement import joint, place
from gpufleet.placement.model import Option
from gpufleet.placement.solve import POSITION, Assignment, Group


def _option(region: str, usd: float, kg: float, gpus: int = 8, nodes: int = 1) -> Option:
    footprint = Footprint("aws", region, "p5.48xlarge", nodes, 730.0, 1.0, gpus, None, usd, None, kg)
    return Option("w", "aws", region, "p5.48xlarge", nodes, gpus, footprint)


# one class of two workloads, its options in place order
A = _option("us-east-1", 100, 50)
B = _option("us-west-2", 90, 60)
C = _option("eu-north-1", 120, 40)
D = _option("us-west-2", 100, 45)


def _assignment(options, quota_gpus: float, workloads: int = 2) -> Assignment:
    quota = Group("quota aws us-west-2", "gpufleet:placement.quotas[0]", quota_gpus, "GPUs", "gpus",
                  ("aws", "us-west-2"))
    return Assignment([options] * workloads, [quota])


def _stages(a: Assignment) -> list:
    return [a.vector(lambda o: round(o.monthly_kgco2e * 1000)), a.vector(lambda o: round(o.monthly_usd * 100)),
            POSITION]


def _cap(a: Assignment, cents: float):
    return [(a.vector(lambda o: round(o.monthly_usd * 100)), cents + 0.5)]


@pytest.mark.parametrize(("quota", "cap", "upper", "onto"), [
    # the quota cannot bind (2 × 8 GPUs ≤ 80), the cap can (2 × $120 > $200): D (same USD, less carbon) dominates A
    (80, 20_000, [0, 2, 2, 2], [3, 1, 2, 3]),
    # the quota can bind too: D takes quota that A does not, so nothing is dominated
    (8, 20_000, [2, 2, 2, 2], [0, 1, 2, 3]),
    # no row can bind: the least carbon (C) dominates every other option
    (80, None, [0, 0, 2, 0], [2, 2, 2, 2]),
    # a cap that cannot bind either (2 × $120 ≤ $240)
    (80, 24_000, [0, 0, 2, 0], [2, 2, 2, 2]),
])
def test_an_option_is_dropped_when_another_of_its_class_is_no_worse_on_every_row_that_can_bind(quota, cap, upper, onto):
    a = _assignment([A, B, C, D], quota)
    rows = [] if cap is None else _cap(a, cap)
    fixed, moves = a.drop_dominated(_stages(a), rows, a.upper)
    assert fixed.tolist() == upper and moves.tolist() == onto
    assert a.moved([0, 3], moves) == sorted([onto[0], onto[3]])  # the first workload (higher weight): better placed


def test_a_moved_placement_gives_the_better_place_to_the_higher_weight():
    """The lower-weight workload's option is dropped and moves above the higher-weight one's: the class's
    workloads take its options in order again."""
    best, cheap, worse = _option("eu-north-1", 100, 40), _option("us-east-1", 90, 50), _option("ca-central-1", 100, 60)
    a = _assignment([best, cheap, worse], 80)
    fixed, moves = a.drop_dominated(_stages(a), _cap(a, 19_000), a.upper)  # the cap can bind: 2 × $100 > $190
    assert fixed.tolist() == [2, 2, 0] and moves.tolist() == [0, 1, 0]
    assert a.moved([1, 2], moves) == [0, 1]


def test_options_equal_on_every_row_and_stage_keep_the_better_placed():
    twin = _option("eu-north-1", 100, 50)  # A's figures, placed after it
    a = _assignment([A, twin], 80)
    fixed, moves = a.drop_dominated(_stages(a), [], a.upper)
    assert fixed.tolist() == [2, 0] and moves.tolist() == [0, 0]


def test_a_count_already_fixed_to_zero_neither_dominates_nor_binds():
    a = _assignment([A, B, C, D], 8)
    upper = a.upper.copy()
    upper[1] = 0.0  # B fixed out: the quota's largest free coefficient (D's 8 GPUs) × 2 still exceeds 8
    fixed, _ = a.drop_dominated(_stages(a), _cap(a, 20_000), upper)
    assert fixed.tolist() == [2, 0, 2, 2]
    upper[3] = 0.0  # D fixed out too: no free option in us-west-2, the quota cannot bind
    fixed, moves = a.drop_dominated(_stages(a), _cap(a, 20_000), upper)
    assert fixed.tolist() == [2, 0, 2, 0] and moves.tolist() == [0, 1, 2, 3]  # A and C: neither dominates


def _lexicographic_minimum(a: Assignment, stages, rows):
    """Every placement's stage values (the position stage over `a.upper`), the least of those feasible."""
    values = []
    for selection in itertools.product(*(range(len(c)) for c in a.choices)):
        selection = list(selection)
        if a.satisfies(selection, rows):
            values.append(tuple(a.stage_value(s, selection, a.upper) for s in stages))
    return min(values, default=None)


@pytest.mark.parametrize("seed", range(40))
def test_the_lexicographic_minimum_is_the_brute_force_one_with_dominated_options_dropped(seed):
    """Random classes, quotas and caps, small enough to enumerate: `minimise`, dropping dominated options in the
    objective stage's core and every tie-break stage, finds the lexicographic minimum over every placement."""
    rng = random.Random(seed)
    regions = ["us-east-1", "us-west-2", "eu-north-1", "ca-central-1"]
    kinds = [[_option(rng.choice(regions), rng.choice([80, 90, 100, 120]), rng.choice([40, 45, 50, 60]),
                      gpus=rng.choice([1, 8]), nodes=rng.choice([1, 2])) for _ in range(rng.randint(2, 4))]
             for _ in range(2)]
    choices = [kinds[rng.randrange(2)] for _ in range(rng.randint(3, 5))]
    groups = [Group(f"quota aws {r}", "q", rng.choice([2, 8, 16]), "GPUs", "gpus", ("aws", r))
              for r in rng.sample(regions, 2)]
    a = Assignment(choices, groups)
    stages = _stages(a)
    rows = _cap(a, rng.choice([300, 400, 500]) * 100) if rng.random() < 0.7 else []
    expected = _lexicographic_minimum(a, stages, rows)
    found = a.minimise(stages, rows, dominance=frozenset({0, 1, 2}))
    if expected is None:
        assert found.selection is None
    else:
        assert tuple(a.stage_value(s, found.selection, a.upper) for s in stages) == expected
        assert found.objective_exact and found.ties_exact



def _bench_fleet(seed: int, size: int, objective: str):
    """bench/placement.py's random fleet of `random.Random(seed)` (its `--seed S` is `random.Random(S + size)`)."""
    spec = importlib.util.spec_from_file_location("bench_placement", Path(__file__).parents[2] / "bench" / "placement.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.random_fleet(random.Random(seed), size, objective)


def test_place_drops_dominated_options_in_the_objective_stages_core_and_the_usd_and_position_stages(monkeypatch):
    """Balanced on a fleet whose objective stage needs its core: dominated options are dropped there (its first
    search; four stages left), in the USD stage (two left) and in the position stage, not in the node stage; the
    placement is the one found without dropping any."""
    calls = []
    real = Assignment.drop_dominated

    def spy(self, stages, rows, upper):
        fixed, onto = real(self, stages, rows, upper)
        calls.append((len(stages), int((upper > 0).sum()), int((fixed > 0).sum())))
        return fixed, onto

    monkeypatch.setattr(Assignment, "drop_dominated", spy)
    fleet = _bench_fleet(1, 20, "balanced")
    dropped = place(fleet, load_catalog())
    # (stages left, free counts before, after)
    assert calls == [(4, 203, 127), (2, 152, 91), (1, 85, 72)]  # on the fixture catalog (tests/conftest.py)
    monkeypatch.setattr(joint, "DOMINANCE_STAGES", frozenset())
    calls.clear()
    kept = place(fleet, load_catalog())
    assert calls == []
    assert dropped.to_output() == kept.to_output() and dropped.ties_exact and dropped.objective_exact


def _lexicographic_value(a: Assignment, stages, selection) -> tuple:
    """The stages' values of `selection` with each class's workloads taking its options in order (the position
    stage as Σ weight × place)."""
    selection = a.selection(a.counts(selection))
    return tuple(sum(a.weights[w] * a.places[a.offsets[a.klass[w]] + p] for w, p in enumerate(selection))
                 if isinstance(s, str) else a.value(s, selection) for s in stages)


def test_dropping_keeps_the_minimum_and_moves_every_placement_to_one_no_worse():
    """Random classes, quotas, caps, stages left and counts already fixed to 0, enumerated: the lexicographic minimum
    within the result is the one within `upper`, and `moved` takes every feasible placement within `upper` to a
    feasible one within the result that is no worse."""
    dropped = 0
    for seed in range(80):
        rng = random.Random(seed)
        regions = ["us-east-1", "us-west-2", "eu-north-1", "ca-central-1"]
        kinds = [[_option(rng.choice(regions), rng.choice([80, 90, 100, 120]), rng.choice([40, 45, 50, 60]),
                          gpus=rng.choice([1, 8]), nodes=rng.choice([1, 2])) for _ in range(rng.randint(2, 5))]
                 for _ in range(2)]
        groups = [Group(f"quota aws {r}", "q", rng.choice([2, 8, 16]), "GPUs", "gpus", ("aws", r))
                  for r in rng.sample(regions, 2)]
        a = Assignment([kinds[rng.randrange(2)] for _ in range(rng.randint(2, 4))], groups)
        stages = _stages(a)[rng.randrange(3):]
        rows = _cap(a, rng.choice([200, 300, 400]) * 100) if rng.random() < 0.7 else []
        upper = a.upper.copy()
        upper[[j for j in range(a.size) if rng.random() < 0.2]] = 0.0
        fixed, onto = a.drop_dominated(stages, rows, upper)
        dropped += int((fixed > 0).sum() < (upper > 0).sum())
        feasible = [list(s) for s in itertools.product(*(range(len(c)) for c in a.choices))
                    if a.satisfies(list(s), rows)]
        inside = lambda s, bound: all(bound[c] > 0 for c in a.columns(s))  # noqa: E731
        assert (min((_lexicographic_value(a, stages, s) for s in feasible if inside(s, upper)), default=None) ==
                min((_lexicographic_value(a, stages, s) for s in feasible if inside(s, fixed)), default=None)), seed
        for s in (s for s in feasible if inside(s, upper)):
            m = a.moved(s, onto)
            assert inside(m, fixed) and a.satisfies(m, rows), (seed, s, m)
            assert _lexicographic_value(a, stages, m) <= _lexicographic_value(a, stages, s), (seed, s, m)
    assert dropped == 63  # of 80: the properties are not checked on nothing
