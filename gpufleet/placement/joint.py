"""Place a fleet: every workload's options, the joint MILP over shared constraints, and the reasons."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Sequence

from gpufleet.catalog import Catalog
from gpufleet.clouds import cloud_names, site_cloud
from gpufleet.config import CONFIG_KEY, Fleet
from gpufleet.errors import Problem
from gpufleet.placement.explain import Explainer, infeasible_problems, left_out_note
from gpufleet.placement.model import (CAP_FROM_BOUND, CAP_FROM_FOUND, ConstraintUse, Option, Placement,
                                      PlacementError, total)
from gpufleet.placement.options import KnownOffers, cents, grams, known, needs_known, order_key, workload_options
from gpufleet.placement.solve import POSITION, Assignment, Group, Minimum, Row, prune_dominated

_HEADING = "no feasible placement"
_JOINT_HEADING = "no feasible placement (each change below alone would make one)"
# Branch-and-bound nodes a tie-break stage may use (deterministic limits, unlike a time limit): started
# from the placement so far, then, if that is not proven, again with a cutoff row (Assignment._tie_break).
# Started from the placement so far, the tie stages of bench/placement.py's balanced fleets at 1,000
# workloads (seeds 1-16) need up to a few thousand nodes (seed 6's node stage: 7,158 with HiGHS on two
# threads); the cutoff solve rarely proves what the first did not, but is the fallback when HiGHS returns
# another solution than the one it proved (docs/benchmarks.md#placement).
TIE_NODE_LIMIT = 10_000
CUTOFF_NODE_LIMIT = 1_000
# Nodes the objective stage's core may use (Assignment._objective): from HiGHS's root placement on the program
# with offer totals; then over a reduced basis of its lattice (lattice.py); then plainly. Balanced's objective
# stage (least carbon under the cost cap) is a knapsack over the cap: on bench/placement.py's balanced fleets at
# 1,000 workloads (seeds 1-48) the first search proves 45 within 14,870 nodes; seeds 8, 22 and 32 it does not
# (nor did the plain search prove 8 and 22 in 30,000 nodes, nor HiGHS on the whole program 22 in 300 s), and the
# lattice search proves them in 43, 5 and 657 nodes. On many other cores it is the slower one (alone, with
# HiGHS's default options, it proved 41 of the 48 within 30,000 nodes, 31 within 2,000, 33 within 5,000; on
# small fleets it often fails where the others prove in a fraction of a second; its nodes cost ~1 ms, a dense
# program), so it comes second, within 2,000 nodes. Stopping keeps a preview from running for minutes; the
# placement then says so (`objective_exact`, with its gap).
OBJECTIVE_NODE_LIMITS = (20_000, 2_000, 30_000)
# Tie-break stages solved with an integer total per offer (Assignment._offer_totals): balanced's other figure
# (USD) and position stages. Under the cost cap and the fixed carbon total, the placements tied there differ
# by trades that keep each offer's nodes, which the LP relaxation makes fractionally; branching on offer
# totals rules them out (seeds 1-16 at 1,000 workloads: seed 13's position stage 5.7 -> 0.7 s, seed 9's
# 5.4 -> 1.1 s). Not the node stage (seed 6: 7,551 -> 11,827 nodes, over TIE_NODE_LIMIT), nor cost or
# carbon, whose tie stages are proven at the root from the placement so far and whose root only grows with
# the offer columns (cost, seeds 1-16: 2.9 -> 8.4 s in all) (docs/benchmarks.md#placement).
OFFER_TOTALS_STAGES = frozenset({2, 3})
# Stages whose core drops the options dominated there (Assignment.drop_dominated; 0: the objective stage's first
# search, on offer totals — its second, plain search keeps the whole core, so the two still fail on different
# fleets). bench/placement.py's balanced fleets at 1,000 workloads, seeds 1-48: the first search proves seeds 9
# and 17 in 8,941 and 11,847 nodes (it stopped at 20,000 on both), seed 37's position stage takes 245 nodes
# instead of 1,150, seed 26's 0.94 s (122 nodes) instead of 3.70 s (101). Not the node stage: seed 13's went from 6,849 to
# 9,829 nodes, near TIE_NODE_LIMIT (docs/benchmarks.md#placement).
DOMINANCE_STAGES = frozenset({0, 2, 3})


def shared_groups(fleet: Fleet, catalog: Catalog, locked: Sequence[Option] = ()) -> list[Group]:
    """Region quotas of candidate regions, the GPUs of candidate owned sites (by model), then the fleet's
    GPU quota, USD and carbon budgets; each with what the `locked` options use of it. A budget a locked option's
    figure is unknown for is left out: what it leaves cannot be known."""
    candidates = set(fleet.candidate_regions())
    groups = [
        Group(f"quota {q.cloud} {q.region}", f"{CONFIG_KEY}.quotas[{i}]", q.gpus, "GPUs", "gpus", (q.cloud, q.region))
        for i, q in enumerate(fleet.quotas)
        if (q.cloud, q.region) in candidates
    ]
    host = site_cloud()
    for it, i, j, site, entry in fleet.site_gpu_types(catalog):
        if host is not None and (host.name, site.name) in candidates:
            groups.append(Group(f"site {site.name} {entry.gpu}", f"{CONFIG_KEY}.sites[{i}].gpus[{j}].count",
                                entry.count, "GPUs", "gpus", (host.name, site.name), it))
    b = fleet.budgets
    path = f"{CONFIG_KEY}.budgets"
    if b.gpu_quota is not None:
        groups.append(Group("budget gpu_quota", f"{path}.gpu_quota", b.gpu_quota, "GPUs", "gpus"))
    if b.monthly_usd is not None:
        groups.append(Group("budget monthly_usd", f"{path}.monthly_usd", b.monthly_usd, "USD", "monthly_usd"))
    if b.monthly_tco2e is not None:
        groups.append(Group("budget monthly_tco2e", f"{path}.monthly_tco2e", b.monthly_tco2e * 1000, "kgCO2e",
                            "monthly_kgco2e"))
    return [g for g in (_with_locked(g, locked) for g in groups) if g is not None]


def _with_locked(group: Group, locked: Sequence[Option]) -> Group | None:
    """`group` with what the locked options use of it; None when one of their figures is unknown."""
    uses = [getattr(o, group.figure) for o in locked if group.applies(o)]
    if any(u is None for u in uses):
        return None
    return dataclasses.replace(group, locked=float(sum(uses))) if uses else group


def _needed_figures(fleet: Fleet) -> dict[str, str]:
    """Figure -> what needs it (the objective, a budget). Options where one is unknown are left out."""
    out = {f: f"the {fleet.objective} objective" for f in needs_known(fleet.objective)}
    if fleet.budgets.monthly_usd is not None:
        out.setdefault("monthly_usd", "the monthly_usd budget")
    if fleet.budgets.monthly_tco2e is not None:
        out.setdefault("monthly_kgco2e", "the monthly_tco2e budget")
    return out


def _stages(a: Assignment, objective: str) -> list:
    """The tie-break rule's stages: objective, nodes and other figure (integer vectors), then position.

    The position stage (`POSITION`) weighs an option's place in its workload's order by 2n − i, where
    i is the workload's place by name (the weights `_position` gives the Assignment): when two
    workloads could swap regions at equal totals, the one first by name gets its better-ranked option.
    """
    usd = a.vector(lambda o: cents(o.monthly_usd) if o.monthly_usd is not None else -1)
    kg = a.vector(lambda o: grams(o.monthly_kgco2e) if o.monthly_kgco2e is not None else -1)
    primary, other = (usd, kg) if objective == "cost" else (kg, usd)
    other = other.copy()
    for start, end in zip(a.offsets[:-1], a.offsets[1:]):  # unknown other figure: worse than any known
        block = other[start:end]
        block[block < 0] = block.max() + 1 if block.max() >= 0 else 0
    nodes = a.vector(lambda o: o.nodes)
    return [primary, nodes, other, POSITION]


def _kinds(fleet: Fleet) -> tuple[list[int], list[int]]:
    """Each workload's kind, and each kind's first workload: workloads of one kind differ only in their name.

    The key is every field of the workload but its name, so a field that options, their order or the
    explanations read can only tell workloads apart, never merge them; the rest of what they read (the
    fleet's candidates, quotas and budgets, the catalog, the clouds) is the same for every workload.
    Its options are worked out once per kind, on the first workload (they carry its name), and each
    workload's decision is given its own name (`Explainer`).
    """
    by_key: dict[str, int] = {}
    kinds, first = [], []
    for i, w in enumerate(fleet.workloads):
        key = json.dumps(w.model_dump(mode="json", exclude={"name"}), sort_keys=True)
        k = by_key.setdefault(key, len(first))
        if k == len(first):
            first.append(i)
        kinds.append(k)
    return kinds, first


def _position(names: list[str], ordered: list[list[Option]], pruned: list[list[Option]]) -> tuple[list, list]:
    """Each kind's kept options' places in its whole order, and each workload's weight 2n − i."""
    by_name = {name: i for i, name in enumerate(sorted(names))}
    n = len(names)
    places = []
    for options, kept in zip(ordered, pruned):
        place = {id(o): p for p, o in enumerate(options)}
        places.append([place[id(o)] for o in kept])
    return places, [2 * n - by_name[name] for name in names]


def place(fleet: Fleet, catalog: Catalog, clouds: tuple[str, ...] | None = None,
          locked: Sequence[Option] = ()) -> Placement:
    """The exact joint placement of the fleet's workloads by its objective, explained.

    `clouds` restricts placement to the clouds the program can build (None: all). `locked`: workloads placed
    already (a lock's, not in `fleet.workloads`); the others get what they leave of each quota and budget, and
    each constraint's use counts them.
    """
    clouds = cloud_names() if clouds is None else tuple(clouds)
    catalog = fleet.catalog(catalog)
    objective = fleet.objective
    needed = _needed_figures(fleet)
    offers = KnownOffers()
    kinds, first = _kinds(fleet)
    workloads = [workload_options(fleet, i, catalog, clouds, offers) for i in first]  # per kind
    problems: list[Problem] = []
    ranked, choices, notes = [], [], []  # per kind: allowed options in the tie-break order, those eligible, notes
    for wo in workloads:
        ranked.append(sorted(wo.allowed, key=lambda o: order_key(o, objective)))
        left_out = [o for o in wo.allowed if not known(o, tuple(needed))]
        unknown = {id(o) for o in left_out}
        choices.append([o for o in ranked[-1] if id(o) not in unknown] if left_out else ranked[-1])
        why = " and ".join(dict.fromkeys(needed[f] for o in left_out for f in needed if getattr(o, f) is None))
        note = left_out_note(left_out, tuple(needed), why) if left_out else None
        notes.append((note,) if note else ())
    for i, k in enumerate(kinds):  # every workload's own problem, with its own path
        if not workloads[k].allowed:
            problems.append(workload_options(fleet, i, catalog, clouds, offers).no_option_problem())
        elif not choices[k]:
            problems.append(Problem(f"{CONFIG_KEY}.workloads[{i}]", f"workload {fleet.workloads[i].name!r}: no option with "
                                    f"known figures: {notes[k][0]}"))
    if problems:
        raise PlacementError(problems, heading=_HEADING)

    groups = shared_groups(fleet, catalog, locked)
    pruned = prune_dominated(choices, groups, ("monthly_usd",) if objective == "balanced" else ())
    places, weights = _position([w.name for w in fleet.workloads], choices, pruned)
    # workloads of one kind share their lists (Assignment keys each shared list once)
    a = Assignment([pruned[k] for k in kinds], groups, [places[k] for k in kinds], weights)
    stages = _stages(a, objective)
    rows: list[Row] = []
    cap = cap_cents = None
    cheapest = None
    bases = [("cheapest", None)]  # balanced: what the cost cap is taken from, in cents, in the order tried
    if objective == "balanced":
        cost_stage = stages[2]
        cheapest = a.minimise([cost_stage], objective_node_limits=OBJECTIVE_NODE_LIMITS, dominance=DOMINANCE_STAGES)
        if cheapest.selection is None:
            raise PlacementError(infeasible_problems(a), heading=_JOINT_HEADING)
        found = a.value(cost_stage, cheapest.selection)
        bases = [("cheapest", found)]
        if not cheapest.objective_exact:
            # taken from the true cheapest's proven lower bound (never over the premium), or, if no placement is
            # found under that within the limits (or no bound is known), from the cheapest found (which may be
            # over it: the proof note says so)
            bases = [(CAP_FROM_FOUND, found)]
            if cheapest.objective_gap is not None:
                bases.insert(0, (CAP_FROM_BOUND, found - cheapest.objective_gap))
    for basis, base in bases:
        cap_rows = list(rows)
        if base is not None:
            cap_cents = math.floor(round(base * (1 + fleet.max_cost_premium_percent / 100), 6))
            cap_rows.append((stages[2], cap_cents + 0.5))
        best = a.minimise(stages, cap_rows, tie_node_limits=(TIE_NODE_LIMIT, CUTOFF_NODE_LIMIT),
                          offer_totals=OFFER_TOTALS_STAGES if objective == "balanced" else frozenset(),
                          objective_node_limits=OBJECTIVE_NODE_LIMITS, objective_whole=basis != CAP_FROM_BOUND,
                          dominance=DOMINANCE_STAGES)
        if best.selection is not None:
            break
    selection = best.selection
    if selection is None:
        raise PlacementError(infeasible_problems(a), heading=_JOINT_HEADING)
    chosen = [a.choices[w][p] for w, p in enumerate(selection)]
    if cap_cents is not None:
        cap = ConstraintUse(f"cost cap ({basis} + {fleet.max_cost_premium_percent:g} %)",
                            f"{CONFIG_KEY}.max_cost_premium_percent", sum(o.monthly_usd for o in chosen),
                            cap_cents / 100, "USD")
    explainer = Explainer(catalog, objective, ranked, choices, chosen, groups, workloads, kinds, cap, cap_cents)
    decisions = {w.name: explainer.decision(i, w.name, notes[kinds[i]]) for i, w in enumerate(fleet.workloads)}
    return Placement(
        objective=objective,
        decisions=decisions,
        total_monthly_usd=total([o.monthly_usd for o in chosen]),
        total_monthly_kwh=total([o.monthly_kwh for o in chosen]),
        total_monthly_kgco2e=total([o.monthly_kgco2e for o in chosen]),
        constraints=tuple(explainer.constraint_uses()),
        ties_exact=best.ties_exact,
        **_objective_proof(objective, best, cheapest),
        cap_basis=basis if cap_cents is not None else None,
    )


def _objective_proof(objective: str, best: Minimum, cheapest: Minimum | None) -> dict:
    """`objective_exact` and `objective_gap` (USD for cost, kgCO2e otherwise) of a placement. When balanced's
    cheapest placement is not proven, its cost cap is not the one asked for (the cap's name says what it was
    taken from), so how far the carbon total is from that optimum is not known."""
    if cheapest is not None and not cheapest.objective_exact:
        return {"objective_exact": False, "objective_gap": None}
    if best.objective_exact:
        return {"objective_exact": True, "objective_gap": 0.0}
    unit = 100 if objective == "cost" else 1000  # cents, grams
    return {"objective_exact": False,
            "objective_gap": None if best.objective_gap is None else best.objective_gap / unit}

