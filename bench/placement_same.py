"""Check: two trees of gpufleet place seeded random fleets identically.

A change to the placement solver must not change where anything goes. This places the random fleets
of `bench/placement.py` (sizes × objectives × seeds, defaults 10/30/100 × cost/carbon/balanced × 4) with
the gpufleet of `--repo` (default: this tree) and prints one line per fleet: its key, the hash of
`Placement.to_output()` without `ties_exact`, `objective_exact` and `objective_gap` (a solver that proves
more may say so), and whether every stage is proven (both flags).

Usage:
  python bench/placement_same.py > after.txt
  python bench/placement_same.py --sizes 1000 --objectives balanced --bench-seeds 1 2 3 > after.txt
      # bench/placement.py's fleets (`--seed S`: random.Random(S + size)), keyed SIZE/OBJECTIVE/bS
  python bench/placement_same.py --repo BEFORE_DIR > before.txt   # the same fleets, the other tree
  python bench/placement_same.py --compare before.txt after.txt    # exit 1 when a placement differs

The fleets come from the placed tree's `bench/placement.py` (its `random_fleet`, its catalog), so the
two trees see the same workloads as long as neither changes those. Only fleets proven in both runs (every stage) are compared: an
unproven stage may keep any solution found, and a tie stage any that is optimal for the stages before it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OBJECTIVES = ["cost", "carbon", "balanced"]
FLEET = re.compile(r"^\d+/[a-z]+/b?\d+ ")


def hashes(repo: Path, sizes: list[int], seeds: int, objectives: list[str] = OBJECTIVES,
           bench_seeds: list[int] | None = None) -> list[str]:
    sys.path.insert(0, str(repo / "bench"))
    from placement import random_fleet  # noqa: PLC0415 - the tree's bench/placement.py (puts the tree first)

    from gpufleet.catalog import load_catalog  # noqa: PLC0415 - from the tree under test
    from gpufleet.placement import PlacementError, place  # noqa: PLC0415

    assert Path(sys.modules["gpufleet"].__file__).resolve().is_relative_to(repo), "placing with another tree"
    catalog = load_catalog()
    lines = []
    for n in sizes:
        for objective in objectives:
            fleets = [(f"b{s}", s + n) for s in bench_seeds] if bench_seeds else [(str(s), 1000 * s + n) for s in range(seeds)]
            for seed, rng in fleets:
                fleet = random_fleet(random.Random(rng), n, objective)
                cpu = time.process_time()
                try:
                    output = place(fleet, catalog).to_output()
                except PlacementError as e:
                    lines.append(f"{n}/{objective}/{seed} infeasible:{hashlib.sha256(str(e).encode()).hexdigest()[:16]} -")
                    continue
                # proven in every stage; a tree from before `objective_exact` proves its objective stage always
                exact = output.pop("ties_exact") and output.pop("objective_exact", True)
                output.pop("objective_gap", None)
                digest = hashlib.sha256(json.dumps(output, sort_keys=True).encode()).hexdigest()[:16]
                lines.append(f"{n}/{objective}/{seed} {digest} {'yes' if exact else 'no'}")
                print(f"{lines[-1]}  (place() {time.process_time() - cpu:.2f} CPU s)", file=sys.stderr)
    return lines


def compare(before: Path, after: Path) -> int:
    def read(path: Path) -> dict[str, str]:  # HiGHS may print its own lines to stdout: only ours count
        return dict(line.split(" ", 1) for line in path.read_text().splitlines() if FLEET.match(line))

    old, new = read(before), read(after)
    same = differ = unproven = 0
    for key in old.keys() & new.keys():
        (h1, e1), (h2, e2) = old[key].split(), new[key].split()
        if "no" in (e1, e2):
            unproven += 1
            print(f"{key}: not proven ({e1} -> {e2}), not compared")
        elif h1 == h2:
            same += 1
        else:
            differ += 1
            print(f"{key}: DIFFERENT placement {h1} -> {h2}")
    print(f"{same} identical, {differ} different, {unproven} not compared, "
          f"{len(old.keys() ^ new.keys())} in one file only")
    return 1 if differ or old.keys() != new.keys() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="the gpufleet tree to place with")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--objectives", nargs="+", choices=OBJECTIVES, default=OBJECTIVES)
    parser.add_argument("--bench-seeds", type=int, nargs="+", metavar="S",
                        help="instead of --seeds: bench/placement.py's fleets for --seed S")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    print("\n".join(hashes(args.repo.resolve(), args.sizes, args.seeds, args.objectives, args.bench_seeds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
