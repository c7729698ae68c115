"""`gpufleet place STACK`: a fixture project's stacks, shown on one screen or as the stack output."""

import json
import shutil
from pathlib import Path

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.cli import main
from gpufleet.placement import place
from gpufleet.stacks import load_fleet

PROD_WORKLOADS = ["pretrain", "finetune", "serve"]

PROJECT = Path(__file__).parent / "project"


def test_place_shows_every_decision_and_why(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["place", "prod", "--program", str(PROJECT)]) == 0
    out = capsys.readouterr().out
    lines = [line.rstrip() for line in out.splitlines()]
    assert max(len(line) for line in lines) <= 80
    assert lines[:2] == ["Placement of stack prod — objective balanced: least carbon within +10 % of the",
                         "cheapest placement"]
    assert lines[2] == "Total: 426,642.37 USD/month · 63,716 kWh/month · 2,675 kgCO2e/month"
    assert "pretrain   aws eu-north-1    343,933.95          1,288" in lines
    assert "64 GPUs    8 × p5.48xlarge" in lines
    assert "  binding: residency US: excludes better aws eu-north-1 p5.48xlarge" in lines
    assert "  runner-up aws us-west-2 p5.48xlarge: -22,500 USD, +5,070 kg" in lines
    # finetune asks for the fabric: not on p5.4xlarge, whose EFA gpufleet does not attach (no interface count)
    i = lines.index("  binding: high-bandwidth fabric: excludes better aws us-west-2 p5.4xlarge (it")
    assert lines[i + 1] == "  has a fabric gpufleet does not attach)"
    assert lines[-6:] == [
        "quota aws eu-north-1: 64 of 64 GPUs (binding)",
        "budget monthly_usd: 426,642.37 of 1,000,000.00 USD",
        "cost cap (cheapest + 10 %): 426,642.37 of 444,556.22 USD",
        f"Catalog: {load_catalog().version} ({load_catalog().data_description})",
        "not locked: 3 workloads (pretrain, finetune, serve): `gpufleet place prod",
        "--lock` records this placement",
    ]
    assert len(lines) < 45  # about one screen


def test_place_json_is_the_stack_output(capsys):
    assert main(["place", "prod", "--program", str(PROJECT), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    _, fleet = load_fleet(PROJECT, "prod")
    assert out == json.loads(json.dumps(place(fleet, load_catalog(), clouds=("aws", "azure")).to_output()))
    assert {n: (w["cloud"], w["region"], w["instance_type"], w["nodes"]) for n, w in out["workloads"].items()} == {
        "pretrain": ("aws", "eu-north-1", "p5.48xlarge", 8),
        "finetune": ("aws", "us-west-2", "p5.48xlarge", 2),
        "serve": ("aws", "us-west-2", "g6.xlarge", 4),
    }


def test_infeasible_stack_exits_2_with_the_fix(capsys):
    assert main(["place", "tight", "--program", str(PROJECT)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "no feasible placement (each change below alone would make one): 1 problem(s)\n"
        "  - gpufleet:fleet.budgets.monthly_usd: budget monthly_usd: 100,000.00 USD < 321,433.60 USD needed for the "
        "cheapest feasible placement; raise it to at least 321,433.60 USD\n"
    )


def test_unknown_stack_exits_2_with_a_suggestion(capsys):
    assert main(["place", "prd", "--program", str(PROJECT)]) == 2
    assert "no configuration for stack 'prd'; did you mean 'prod'?; allowed: prod, tight" in capsys.readouterr().err


def test_the_repository_prod_stack_is_explained(capsys):
    repo = Path(__file__).resolve().parents[2]
    _, fleet = load_fleet(repo, "prod")
    placement = place(fleet, load_catalog(), clouds=("aws", "azure"))
    assert main(["place", "prod", "--program", str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Placement of stack prod — objective {fleet.objective}")
    rows = [line.split() for line in out.splitlines()]
    for name, d in placement.decisions.items():
        assert [name, d.chosen.cloud, d.chosen.region] == next(r[:3] for r in rows if r and r[0] == name)
        assert d.reason.startswith(f"{fleet.objective}: ")
    assert main(["place", "prod", "--program", str(repo), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(placement.to_output()))


def test_lock_and_json_do_not_combine(capsys, tmp_path):
    """--lock prints what it wrote; it used to ignore --json (stdout not JSON, no file) and exit 0."""
    for target in ("-", str(tmp_path / "placement.json")):
        assert main(["place", "prod", "--program", str(PROJECT), "--lock", "--json", target]) == 2
        captured = capsys.readouterr()
        assert (captured.out, captured.err) == ("", "usage error: 1 problem(s)\n  - --json: does not combine with "
                                                    f"--lock: place without --lock for the JSON, then lock (got '{target}')\n")
    assert not (tmp_path / "placement.json").exists()


def test_a_note_shared_by_many_workloads_is_shown_once(capsys, monkeypatch, tmp_path):
    """Workloads of one kind share their notes: at fleet scale the same note was printed once per workload."""
    for name in ("Pulumi.yaml", "__main__.py"):
        (tmp_path / name).write_text((PROJECT / name).read_text())
    (tmp_path / "stacks").mkdir()
    workloads = "".join(f"      - {{name: a{i}, gpu: H100, gpu_count: 2, utilization_percent: 50}}\n" for i in range(1, 8))
    (tmp_path / "stacks" / "Pulumi.many.yaml").write_text(
        "config:\n  gpufleet:fleet:\n    environment: many\n    owner: {team: t, cost-center: cc-1}\n"
        "    objective: carbon\n    candidates:\n      - {cloud: azure, regions: [eastus, westus3]}\n"
        f"    workloads:\n{workloads}")
    monkeypatch.setenv("COLUMNS", "1000")
    assert main(["place", "many", "--program", str(tmp_path)]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "not considered" in line]
    assert notes == [
        "a1, a2, a3, a4, a5 and 2 more: 4 option(s) not considered for the carbon objective, carbon unknown: H100 (NC "
        "v5 variant) rated power not in the catalog: azure eastus Standard_NC40ads_H100_v5, azure eastus "
        "Standard_NC80adis_H100_v5, azure westus3 Standard_NC40ads_H100_v5, azure westus3 Standard_NC80adis_H100_v5",
    ]


def _many_workloads_project(tmp_path: Path, names: list[str]) -> Path:
    """A project whose stack `many` has a 2-GPU H100 workload per name, placed on Azure by carbon."""
    for name in ("Pulumi.yaml", "__main__.py"):
        (tmp_path / name).write_text((PROJECT / name).read_text())
    (tmp_path / "stacks").mkdir(exist_ok=True)
    workloads = "".join(f"      - {{name: {n}, gpu: H100, gpu_count: 2, utilization_percent: 50}}\n" for n in names)
    (tmp_path / "stacks" / "Pulumi.many.yaml").write_text(
        "config:\n  gpufleet:fleet:\n    environment: many\n    owner: {team: t, cost-center: cc-1}\n"
        "    objective: carbon\n    candidates:\n      - {cloud: azure, regions: [eastus, westus3]}\n"
        f"    workloads:\n{workloads}")
    return tmp_path


def test_the_workloads_not_locked_are_one_line_and_the_locked_ones_one_each(capsys, monkeypatch, tmp_path):
    """At fleet scale `place` printed "NAME: not locked" once per workload after the catalog (300 lines at 300
    workloads, found by a new user): a workload the lock says something about keeps its line, the others are
    counted in one line that names the first few and the command that locks them."""
    monkeypatch.setenv("COLUMNS", "1000")
    locked = [f"a{i}" for i in range(1, 4)]
    project = _many_workloads_project(tmp_path, locked)
    assert main(["place", "many", "--program", str(project), "--lock", "--quiet"]) == 0
    stack_file = project / "stacks" / "Pulumi.many.yaml"
    added = "".join(f"      - {{name: b{i}, gpu: H100, gpu_count: 2, utilization_percent: 50}}\n" for i in range(1, 8))
    _edit(stack_file, "utilization_percent: 50}\n  gpufleet:placement:", "utilization_percent: 50}\n" + added.rstrip("\n")
          + "\n  gpufleet:placement:")
    capsys.readouterr()
    assert main(["place", "many", "--program", str(project), "--quiet"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    catalog = lines.index(f"Catalog: {load_catalog().version} ({load_catalog().data_description})")
    assert (lines[catalog + 1:], err) == ([
        "a1: locked here", "a2: locked here", "a3: locked here",
        "not locked: 7 workloads (b1, b2, b3, b4, b5 and 2 more): `gpufleet place many --lock` records this placement",
    ], "")


ONE_GPU_STACK = """config:
  gpufleet:fleet:
    environment: one
    owner: {team: ml-platform, cost-center: cc-1234}
    objective: cost
    candidates:
      - cloud: aws
        regions: [us-west-2, eu-north-1]
    quotas:
      - {cloud: aws, region: eu-north-1, gpus: 1}
    workloads:
      - {name: notebook, gpu: T4, gpu_count: 1, utilization_percent: 50, capacity: spot, data_residency: [SE, FI]}
"""


def test_one_gpu_reads_singular_and_the_reason_keeps_its_punctuation(capsys, monkeypatch, tmp_path):
    """It read "1 GPUs", "1 of 1 GPUs" and "within residency SE FI - … at the on-demand price no spot price in
    the catalog" (the reason written as a cloud tag value)."""
    monkeypatch.setenv("COLUMNS", "80")
    (tmp_path / "Pulumi.yaml").write_text("name: gpufleet\nruntime: python\n")
    (tmp_path / "__main__.py").write_text('"""Never run: `gpufleet place` reads the stack\'s configuration only."""\n')
    (tmp_path / "Pulumi.one.yaml").write_text(ONE_GPU_STACK)
    assert main(["place", "one", "--program", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert [line.rstrip() for line in captured.out.splitlines()] == [
        "Placement of stack one — objective cost: least cost",
        "Total: 407.34 USD/month · 51 kWh/month · 1 kgCO2e/month",
        "workload   placed            USD/month   kgCO2e/month",
        "─────────────────────────────────────────────────────",
        "notebook   aws eu-north-1       407.34              1",
        "1 GPU      1 × g4dn.xlarge",
        "notebook: cost: cheapest region for 1 T4 within residency SE, FI - 407.34",
        "USD/month at the on-demand price (no spot price in the catalog)",
        "  binding: residency SE, FI: excludes better aws us-west-2 g4dn.xlarge",
        "  fallbacks: none",
        "quota aws eu-north-1: 1 of 1 GPU",
        f"Catalog: {load_catalog().version} ({load_catalog().data_description})",
        "not locked: 1 workload (notebook): `gpufleet place one --lock` records this",
        "placement",
    ]


# --- a lock the preview refuses ---------------------------------------------------------------------------

FIX = ("`gpufleet preview prod` refuses this lock; `gpufleet place prod --lock` rewrites gpufleet:placement with this "
       "placement (or correct the lock by hand)\n")


def _locked_project(tmp_path: Path, capsys) -> Path:
    """A copy of the fixture project whose prod stack `gpufleet place prod --lock` locked."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    assert main(["place", "prod", "--program", str(project), "--lock"]) == 0
    capsys.readouterr()
    return project


def _edit(stack_file: Path, old: str, new: str) -> None:
    """Change the stack file by hand, as a user does: `old` occurs exactly once."""
    text = stack_file.read_text()
    assert text.count(old) == 1
    stack_file.write_text(text.replace(old, new))


def _allowed(names: list[str]) -> str:
    return ", ".join(names[:12]) + (f", … ({len(names)} in all)" if len(names) > 12 else "")


def _refused(*problems: str) -> str:
    return (f"invalid placement lock (gpufleet:placement): {len(problems)} problem(s)\n"
            + "".join(f"  - {p}\n" for p in problems) + FIX)


def _differs(name: str, where: str) -> str:
    return f"{name}: locked at {where}; this placement differs (adopt it with `gpufleet place prod --lock`)"


_CATALOG = load_catalog()
_AWS_TYPES = sorted(n for n, t in _CATALOG.instance_types.items() if t.cloud == "aws")
# name, the hand edit (old, new), what `place` says on stderr, its lock lines, what `--lock` says of each workload
STALE = [
    ("typo in a region", ("region: eu-north-1\n        instance_type", "region: eu-nort-1\n        instance_type"),
     _refused("gpufleet:placement.workloads.pretrain.region: unknown aws region (got 'eu-nort-1'); did you mean "
              f"'eu-north-1'?; allowed: {_allowed(_CATALOG.region_names('aws'))}"),
     [_differs("pretrain", "aws eu-nort-1 p5.48xlarge"),
      "finetune: locked here", "serve: locked here"],
     # the cluster keeps its name: the entry in an unknown region does not hold it (it was prod-pretrain-2)
     ["locked pretrain: aws eu-north-1 p5.48xlarge, cluster prod-pretrain (was aws eu-nort-1 p5.48xlarge)",
      "locked finetune: aws us-west-2 p5.48xlarge, cluster prod-finetune (unchanged)",
      "locked serve: aws us-west-2 g6.xlarge, cluster prod-finetune (unchanged)"]),
    ("typo in an instance type", ("instance_type: g6.xlarge", "instance_type: g6.xlarg"),
     _refused("gpufleet:placement.workloads.serve.instance_type: unknown aws GPU instance type (got 'g6.xlarg'); "
              f"did you mean 'g6.xlarge'?; allowed: {_allowed(_AWS_TYPES)}"),
     ["pretrain: locked here", "finetune: locked here", _differs("serve", "aws us-west-2 g6.xlarg")],
     ["locked pretrain: aws eu-north-1 p5.48xlarge, cluster prod-pretrain (unchanged)",
      "locked finetune: aws us-west-2 p5.48xlarge, cluster prod-finetune (unchanged)",
      "locked serve: aws us-west-2 g6.xlarge, cluster prod-finetune (was aws us-west-2 g6.xlarg)"]),
    ("a workload no longer in the fleet", ("    workloads:\n      pretrain:\n",
                                           "    workloads:\n      embed:\n        cloud: aws\n        region: us-west-2\n"
                                           "        instance_type: g6.xlarge\n        cluster: prod-finetune\n"
                                           "        catalog: v1\n      pretrain:\n"),
     _refused("gpufleet:placement.workloads.embed: no workload of this name in gpufleet:fleet; remove it or run "
              "`gpufleet place prod --lock` to review a new placement (got 'embed'); allowed: pretrain, finetune, "
              "serve"),
     ["pretrain: locked here", "finetune: locked here", "serve: locked here"],
     ["locked pretrain: aws eu-north-1 p5.48xlarge, cluster prod-pretrain (unchanged)",
      "locked finetune: aws us-west-2 p5.48xlarge, cluster prod-finetune (unchanged)",
      "locked serve: aws us-west-2 g6.xlarge, cluster prod-finetune (unchanged)",
      "removed embed: no workload of this name in gpufleet:fleet (was aws us-west-2 g6.xlarge)"]),
]


@pytest.mark.parametrize(("edit", "refusal", "status", "relocked"), [case[1:] for case in STALE],
                         ids=[case[0] for case in STALE])
def test_place_refuses_a_lock_the_preview_refuses_and_lock_rewrites_it(tmp_path, capsys, monkeypatch, edit, refusal,
                                                                       status, relocked):
    """`place` used to say only "this placement differs" and exit 0 where the preview exits 2 (found by a new
    user): it checks the lock as the program does, with the same words, still shows the placement (what `--lock`
    would write), and exits 2. `--lock` is the fix and works on such a stack."""
    monkeypatch.setenv("COLUMNS", "250")
    project = _locked_project(tmp_path, capsys)
    stack_file = project / "stacks" / "Pulumi.prod.yaml"
    _edit(stack_file, *edit)
    assert main(["place", "prod", "--program", str(project)]) == 2
    out, err = capsys.readouterr()
    assert err == refusal
    assert out.splitlines()[-3:] == status
    assert main(["place", "prod", "--program", str(project), "--json", "-"]) == 2
    out, err = capsys.readouterr()
    assert (sorted(json.loads(out)["workloads"]), err) == (sorted(PROD_WORKLOADS), refusal)
    assert main(["place", "prod", "--program", str(project), "--lock"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[:-1] == relocked and err == ""
    assert main(["place", "prod", "--program", str(project)]) == 0
    out, err = capsys.readouterr()
    assert (out.splitlines()[-3:], err) == ([f"{name}: locked here" for name in PROD_WORKLOADS], "")


# Not lock problems: the program keeps a locked workload where it is locked; `place` says it would place it elsewhere.
MOVED = [
    ("a region no longer a candidate", ("regions: [us-west-2, us-east-1, eu-north-1]", "regions: [us-east-1, eu-north-1]"),
     ["pretrain: locked here", _differs("finetune", "aws us-west-2 p5.48xlarge"),
      _differs("serve", "aws us-west-2 g6.xlarge")],
     ["locked pretrain: aws eu-north-1 p5.48xlarge, cluster prod-pretrain (unchanged)",
      "locked finetune: aws us-east-1 p5.48xlarge, cluster prod-serve (was aws us-west-2 p5.48xlarge)",
      "locked serve: aws us-east-1 g6.xlarge, cluster prod-serve (was aws us-west-2 g6.xlarge)"]),
    ("a quota cut below what the lock uses", ("region: eu-north-1\n        gpus: 64", "region: eu-north-1\n        gpus: 32"),
     [_differs("pretrain", "aws eu-north-1 p5.48xlarge"), "finetune: locked here",
      _differs("serve", "aws us-west-2 g6.xlarge"),
      # why pretrain would move, in the words the preview's constraint use has (and only when over)
      "As locked: quota aws eu-north-1: 64 of 32 GPUs, over by 32 (locked workloads)"],
     ["locked pretrain: aws us-west-2 p5.48xlarge, cluster prod-finetune (was aws eu-north-1 p5.48xlarge)",
      "locked finetune: aws us-west-2 p5.48xlarge, cluster prod-finetune (unchanged)",
      "locked serve: aws eu-north-1 g6.xlarge, cluster prod-pretrain (was aws us-west-2 g6.xlarge)"]),
]


@pytest.mark.parametrize(("edit", "status", "relocked"), [case[1:] for case in MOVED], ids=[case[0] for case in MOVED])
def test_a_lock_outside_the_candidates_or_over_a_quota_is_not_refused(tmp_path, capsys, monkeypatch, edit, status,
                                                                      relocked):
    """The program honours such a lock (the preview exits 0; the policy gpufleet-stack-gpu-quota flags a quota
    exceeded, mandatory in prod): `place` agrees, exits 0 and shows where the workload would go now."""
    monkeypatch.setenv("COLUMNS", "250")
    project = _locked_project(tmp_path, capsys)
    _edit(project / "stacks" / "Pulumi.prod.yaml", *edit)
    assert main(["place", "prod", "--program", str(project)]) == 0
    out, err = capsys.readouterr()
    assert (out.splitlines()[-len(status):], err) == (status, "")
    assert main(["place", "prod", "--program", str(project), "--lock"]) == 0
    out, err = capsys.readouterr()
    assert (out.splitlines()[:-1], err) == (relocked, "")


def test_place_and_the_preview_refuse_a_stale_lock_in_the_same_words(tmp_path, capsys):
    """gpufleet's own program and dev stack, locked by the command: the preview's refusal is `place`'s, word for
    word, naming the stack's own command (it said `gpufleet place STACK --lock`)."""
    repo = Path(__file__).resolve().parents[2]
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "stacks/Pulumi.dev.yaml"):
        shutil.copy(repo / name, project / name)
    assert main(["place", "dev", "--program", str(project), "--lock"]) == 0
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    _edit(stack_file, "region: us-west-2\n        instance_type", "region: us-wst-2\n        instance_type")
    _edit(stack_file, "    workloads:\n      notebooks:\n", "    workloads:\n      old:\n        cloud: aws\n"
          "        region: us-west-2\n        instance_type: g4dn.xlarge\n        cluster: dev-old\n        catalog: v1\n"
          "      notebooks:\n")
    capsys.readouterr()
    assert main(["preview", "dev", "--program", str(project), "--no-policies", "--quiet"]) == 2
    preview = capsys.readouterr()
    assert main(["place", "dev", "--program", str(project), "--quiet"]) == 2
    err = capsys.readouterr().err
    problems = [  # in the order of the keys (the engine passes the lock as JSON with sorted keys)
        "gpufleet:placement.workloads.notebooks.region: unknown aws region (got 'us-wst-2'); did you mean "
        f"'us-west-2'?; allowed: {_allowed(load_catalog().region_names('aws'))}",
        "gpufleet:placement.workloads.old: no workload of this name in gpufleet:fleet; remove it or run "
        "`gpufleet place dev --lock` to review a new placement (got 'old'); allowed: notebooks"]
    refusal = _refused(*problems).replace("prod", "dev")
    assert (preview.out, preview.err, err) == ("", refusal.removesuffix(FIX.replace("prod", "dev")), refusal)



def test_the_documented_synopsis_has_every_option_of_place():
    """README.md and docs/placement.md name each option `gpufleet place --help` has, and no other."""
    import argparse
    import re

    from gpufleet.commands import place as command

    parser = argparse.ArgumentParser(prog="gpufleet place")
    command.add_arguments(parser)
    options = set(re.findall(r"--[a-z][a-z-]*", parser.format_usage())) - {"--help"}
    assert options == {"--program", "--json", "--quiet", "--lock", "--catalog"}
    repo = Path(__file__).resolve().parents[2]
    for doc in ("README.md", "docs/placement.md"):
        synopses = re.findall(r"gpufleet place STACK((?: \[[^\]]+\])+)", (repo / doc).read_text())
        assert synopses, doc
        for synopsis in synopses:
            assert set(re.findall(r"--[a-z][a-z-]*", synopsis)) == options, (doc, synopsis)
