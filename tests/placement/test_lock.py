"""The placement lock: parsed with exact errors, honoured whatever the catalog says, and recommended
against only when a fresh placement is materially better."""

import re
from pathlib import Path

import pytest
import yaml

from gpufleet.catalog import load_catalog
from gpufleet.catalog.load import DATA_DIR, load_catalog_from
from gpufleet.errors import UserError
from gpufleet.placement import place
from gpufleet.placement.lock import (
    PlacementLock,
    cluster_names,
    lock_document,
    parse_lock,
    place_with_lock,
    placement_output,
    recommend,
)
from gpufleet.stacks import load_fleet

PROJECT = Path(__file__).parent / "project"
CLOUDS = ("aws", "azure")


def _fleet():
    return load_fleet(PROJECT, "prod")[1]


def _locked(fleet, catalog=None):
    catalog = catalog or load_catalog()
    placement = place(fleet, catalog, clouds=CLOUDS)
    return parse_lock(lock_document(placement, cluster_names(fleet, placement, PlacementLock()), catalog.version))


def _overlay(tmp_path: Path, offers: str) -> Path:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n" + offers)
    return overlay


def test_a_lock_round_trips_and_names_clusters_by_their_first_workload():
    fleet = _fleet()
    lock = _locked(fleet)
    assert {n: (e.cloud, e.region, e.instance_type, e.cluster) for n, e in lock.workloads.items()} == {
        "pretrain": ("aws", "eu-north-1", "p5.48xlarge", "prod-pretrain"),
        "finetune": ("aws", "us-west-2", "p5.48xlarge", "prod-finetune"),
        "serve": ("aws", "us-west-2", "g6.xlarge", "prod-finetune"),
    }
    assert {e.catalog for e in lock.workloads.values()} == {load_catalog().version}
    placed = place_with_lock(fleet, load_catalog(), lock, CLOUDS, "prod")
    assert placed.locked == {"pretrain", "finetune", "serve"} and placed.unlocked == []
    assert placed.placement.decisions["pretrain"].reason == (
        f"locked: 64 H100 on 8 p5.48xlarge in aws eu-north-1 (catalog {load_catalog().version})")


def test_a_locked_workload_never_moves_when_the_catalog_changes(tmp_path):
    fleet = _fleet()
    lock = _locked(fleet)
    # p5 in us-west-2 becomes nearly free: a fresh placement would move pretrain there.
    cheap = load_catalog_from(DATA_DIR, _overlay(tmp_path, "aws,p5.48xlarge,us-west-2,1.0\n"))
    placed = place_with_lock(fleet, cheap, lock, CLOUDS, "prod")
    assert {n: d.chosen.region for n, d in placed.placement.decisions.items()} == {
        "pretrain": "eu-north-1", "finetune": "us-west-2", "serve": "us-west-2"}
    rec = recommend(fleet, cheap, placed, CLOUDS)
    assert rec is not None and [(n, a.region, a.instance_type, b.region, b.instance_type) for n, a, b in rec.moves] == [
        ("pretrain", "eu-north-1", "p5.48xlarge", "us-west-2", "p5.48xlarge"),
        ("serve", "us-west-2", "g6.xlarge", "eu-north-1", "g6.xlarge")]
    out = placement_output("prod", placed, rec, cheap.data_description)
    assert out["not_locked"] == [] and out["workloads"]["pretrain"]["locked"] is True
    assert out["recommendation"]["text"] == (
        f"re-placing would cut cost by {rec.saving_percent:.1f} % ({-rec.saving_monthly_usd:+,.2f} USD/month, "
        f"{-rec.saving_monthly_kgco2e:+,.0f} kgCO2e/month): pretrain aws eu-north-1 p5.48xlarge -> aws us-west-2 "
        "p5.48xlarge; serve aws us-west-2 g6.xlarge "
        "-> aws eu-north-1 g6.xlarge. Not applied: review with `gpufleet place prod`, adopt with `gpufleet place prod --lock`.")
    assert rec.figure == "monthly_usd" and rec.saving_percent > 50
    assert out["recommendation"]["moves"][0]["to"]["region"] == "us-west-2"


def test_no_recommendation_below_the_threshold(tmp_path):
    fleet = _fleet()
    lock = _locked(fleet)
    cheap = load_catalog_from(DATA_DIR, _overlay(tmp_path, "aws,p5.48xlarge,us-west-2,1.0\n"))
    placed = place_with_lock(fleet, cheap, lock, CLOUDS, "prod")
    saving = recommend(fleet, cheap, placed, CLOUDS).saving_percent
    strict = fleet.model_copy(update={"replacement_threshold_percent": saving + 0.01})
    assert recommend(strict, cheap, placed, CLOUDS) is None
    placed = place_with_lock(fleet, load_catalog(), lock, CLOUDS, "prod")
    assert recommend(fleet, load_catalog(), placed, CLOUDS) is None


def test_unlocked_workloads_are_placed_around_the_locked_ones():
    fleet = _fleet()
    full = _locked(fleet)
    partial = PlacementLock(workloads={"pretrain": full.workloads["pretrain"]})
    placed = place_with_lock(fleet, load_catalog(), partial, CLOUDS, "prod")
    assert placed.locked == {"pretrain"} and placed.unlocked == ["finetune", "serve"]
    # The quota of eu-north-1 (64 GPUs) is used by the locked pretrain: finetune goes elsewhere.
    assert placed.placement.decisions["finetune"].chosen.region == "us-west-2"
    assert placed.clusters == {"pretrain": "prod-pretrain", "finetune": "prod-finetune", "serve": "prod-finetune"}


def test_a_stale_or_malformed_lock_is_a_configuration_error_listing_every_problem():
    fleet = _fleet()
    raw = lock_document(place(fleet, load_catalog(), clouds=CLOUDS), {"pretrain": "prod-a", "finetune": "prod-b",
                                                                      "serve": "prod-b"}, "v1")
    raw["workloads"]["pretrain"]["region"] = "eu-nort-1"
    raw["workloads"]["finetune"]["instance_type"] = "p4d.24xlarge"
    raw["workloads"]["gone"] = dict(raw["workloads"]["serve"], cluster="prod-c")  # and a second name for a site
    with pytest.raises(UserError) as e:
        place_with_lock(fleet, load_catalog(), parse_lock(raw), CLOUDS, "prod")
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:placement.workloads.pretrain.region: unknown aws region (got 'eu-nort-1'); did you mean "
        "'eu-north-1'?; allowed: " + ", ".join(load_catalog().region_names("aws")[:12]) + ", … (21 in all)",
        "gpufleet:placement.workloads.finetune.instance_type: stale: the workload now asks for H100, p4d.24xlarge "
        "has A100-40GB; run `gpufleet place prod --lock` to review a new placement (got 'p4d.24xlarge')",
        "gpufleet:placement.workloads.gone: no workload of this name in gpufleet:fleet; remove it or run "
        "`gpufleet place prod --lock` to review a new placement (got 'gone'); allowed: "
        "pretrain, finetune, serve",
        "gpufleet:placement: workloads in aws us-west-2 name different clusters; one cluster per cloud and region "
        "(got 'prod-b, prod-c')",
    ]
    raw["workloads"]["pretrain"]["region"] = "westeurope"  # a region of another cloud is said to be one
    with pytest.raises(UserError) as e:
        place_with_lock(fleet, load_catalog(), parse_lock(raw), CLOUDS, "prod")
    assert e.value.problems[0].render() == (
        "gpufleet:placement.workloads.pretrain.region: is a region of azure, not of aws (got 'westeurope'); allowed: "
        + ", ".join(load_catalog().region_names("aws")[:12]) + ", … (21 in all)")
    with pytest.raises(UserError) as e:  # a cluster name is a rule in words, not a regular expression
        parse_lock({"workloads": {"pretrain": dict(raw["workloads"]["serve"], cluster="Prod_B")}})
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:placement.workloads.pretrain.cluster: must be 1 to 49 characters: lower-case letters, digits and "
        "'-', starting with a letter (got 'Prod_B'); did you mean 'prod-b'?"]
    with pytest.raises(UserError) as e:
        parse_lock({"workloads": {"pretrain": {"cloud": "aws", "region": "x"}}, "extra": 1})
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:placement.workloads.pretrain.instance_type: required key is missing",
        "gpufleet:placement.workloads.pretrain.cluster: required key is missing",
        "gpufleet:placement.workloads.pretrain.catalog: required key is missing",
        "gpufleet:placement.extra: unknown key (got 'extra'); allowed: not_proven, workloads",
    ]
    # as the fleet's: a value of the wrong type is shown, an unknown key of a workload's entry gets "did you mean"
    with pytest.raises(UserError) as e:
        parse_lock({"workloads": {"pretrain": {"cloud": "aws", "region": "x", "instance_type": ["p5.48xlarge"],
                                               "cluster": "c", "catalog": "k", "hot_tb": 2}}})
    assert [p.render() for p in e.value.problems] == [
        'gpufleet:placement.workloads.pretrain.instance_type: Input should be a valid string (got ["p5.48xlarge"])',
        "gpufleet:placement.workloads.pretrain.hot_tb: unknown key (got 'hot_tb'); did you mean 'hot_tib'?; allowed: "
        "catalog, cloud, cluster, hot_throughput_mb_s_per_tib, hot_tib, instance_type, region",
    ]


def test_a_lock_on_a_type_placement_leaves_out_is_refused_naming_the_lock_entry():
    """Placement never offers these (preflight would refuse them); a lock written by hand or by an older gpufleet
    gets the lock's field and the fix, not the node group's preflight path."""
    fleet = _fleet()
    raw = lock_document(place(fleet, load_catalog(), clouds=CLOUDS), {"pretrain": "prod-a", "finetune": "prod-b",
                                                                      "serve": "prod-b"}, "v1")
    raw["workloads"]["finetune"]["instance_type"] = "p5.4xlarge"  # finetune asks for the fabric
    raw["workloads"]["pretrain"].update(cloud="gcp", region="europe-west2", instance_type="a3-edgegpu-8g")
    with pytest.raises(UserError) as e:
        place_with_lock(fleet, load_catalog(), parse_lock(raw), ("aws", "azure", "gcp"), "prod")
    fix = "run `gpufleet place prod --lock` to review a new placement"
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:placement.workloads.pretrain.instance_type: no GKE accelerator type is known for its machine family, "
        f"so its node pool cannot be declared; {fix} (got 'a3-edgegpu-8g')",
        "gpufleet:placement.workloads.finetune.instance_type: the workload asks for a high-bandwidth fabric and "
        f"gpufleet does not attach p5.4xlarge's fabric; {fix} (got 'p5.4xlarge')",
    ]
    raw["workloads"]["pretrain"]["instance_type"] = "a3-highgpu-4g"  # 4 H100 without a fabric; pretrain asks for it
    raw["workloads"]["finetune"]["instance_type"] = "p5.48xlarge"
    with pytest.raises(UserError) as e:
        place_with_lock(fleet, load_catalog(), parse_lock(raw), ("aws", "azure", "gcp"), "prod")
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:placement.workloads.pretrain.instance_type: the workload asks for a high-bandwidth fabric and "
        f"a3-highgpu-4g has no high-bandwidth fabric; {fix} (got 'a3-highgpu-4g')"]


def test_place_lock_writes_only_the_lock_into_the_stack_file(tmp_path, capsys):
    from gpufleet.cli import main

    root = Path(__file__).resolve().parents[2]
    for name in ("Pulumi.yaml", "__main__.py"):
        (tmp_path / name).write_text((root / name).read_text())
    (tmp_path / "stacks").mkdir()
    # The committed lock, as the catalog in use would write it (its version changes with every data refresh).
    locked = re.sub(r"catalog: \w+", f"catalog: {load_catalog().version}", (root / "stacks" / "Pulumi.prod.yaml").read_text())
    start = locked.index("  gpufleet:placement:")
    stack_file = tmp_path / "stacks" / "Pulumi.prod.yaml"
    stack_file.write_text(locked[:start])  # the same file, comments and all, before it was locked
    assert main(["place", "prod", "--program", str(tmp_path), "--lock"]) == 0
    assert stack_file.read_text() == locked  # the lock block is added, nothing else changes
    assert main(["place", "prod", "--program", str(tmp_path), "--lock"]) == 0
    assert stack_file.read_text() == locked  # locking again replaces the block in place
    out = capsys.readouterr().out.splitlines()
    assert out[-5:] == [
        "locked pretrain: aws eu-north-1 p5.48xlarge, cluster prod-pretrain, hot tier 32.8125 TiB at 1000 MB/s/TiB "
        "(unchanged)",
        "locked finetune: aws eu-north-1 p5.48xlarge, cluster prod-pretrain, hot tier 16.4062 TiB at 1000 MB/s/TiB "
        "(unchanged)",
        "locked chat-serving: azure eastus Standard_ND96isr_H100_v5, cluster prod-chat-serving (unchanged)",
        "locked batch-embed: aws eu-north-1 g6e.2xlarge, cluster prod-pretrain (unchanged)",
        f"wrote gpufleet:placement to {stack_file} (catalog {load_catalog().version}: "
        f"{load_catalog().data_description})",
    ]


def test_place_lock_says_when_the_placement_it_locks_is_not_proven(tmp_path, capsys, monkeypatch):
    """A lock records where each workload goes, not whether that was proven: `--lock` says it."""
    import dataclasses

    from gpufleet.cli import main
    from gpufleet.commands import place as command

    root = Path(__file__).resolve().parents[2]
    for name in ("Pulumi.yaml", "__main__.py"):
        (tmp_path / name).write_text((root / name).read_text())
    (tmp_path / "stacks").mkdir()
    text = (root / "stacks" / "Pulumi.prod.yaml").read_text()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text(text[:text.index("  gpufleet:placement:")])
    real = command.place
    monkeypatch.setattr(command, "place", lambda *args, **kwargs: dataclasses.replace(
        real(*args, **kwargs), objective_exact=False, objective_gap=1.5))
    assert main(["place", "prod", "--program", str(tmp_path), "--lock"]) == 0
    note = ("Not proven optimal (balanced objective): the solver stopped at its node limits; the carbon total is at "
            "most 1.500 kgCO2e/month above the optimum")
    assert capsys.readouterr().out.splitlines()[-1] == note
    written = yaml.safe_load((tmp_path / "stacks" / "Pulumi.prod.yaml").read_text())["config"]["gpufleet:placement"]
    assert written["not_proven"] == [note]  # and the lock keeps it for every preview of the stack


def test_a_new_site_never_takes_a_cluster_name_another_site_has():
    """pretrain's lock names its cluster in us-east-1; placed afresh in eu-north-1 it is alone there, and its
    name stays with the cluster it named: eu-north-1's is numbered (found by a new user re-locking a moved workload:
    two regions' node groups named one cluster)."""
    fleet = _fleet()
    placement = place(fleet, load_catalog(), clouds=CLOUDS)
    lock = parse_lock({"workloads": {"pretrain": {"cloud": "aws", "region": "us-east-1", "instance_type": "p5.48xlarge",
                                                  "cluster": "prod-pretrain", "catalog": "v1"}}})
    assert {n: d.chosen.region for n, d in placement.decisions.items()} == {
        "pretrain": "eu-north-1", "finetune": "us-west-2", "serve": "us-west-2"}
    assert cluster_names(fleet, placement, lock) == {
        "pretrain": "prod-pretrain-2", "finetune": "prod-finetune", "serve": "prod-finetune"}
    taken = parse_lock({"workloads": {
        name: {"cloud": "aws", "region": region, "instance_type": "p5.48xlarge", "cluster": cluster, "catalog": "v1"}
        for name, region, cluster in [("pretrain", "us-east-1", "prod-pretrain"),
                                      ("finetune", "us-east-2", "prod-pretrain-2")]}})
    assert cluster_names(fleet, placement, taken) == {
        "pretrain": "prod-pretrain-3", "finetune": "prod-finetune", "serve": "prod-finetune"}


def test_a_lock_naming_one_cluster_in_two_regions_is_refused():
    fleet = _fleet()
    raw = lock_document(place(fleet, load_catalog(), clouds=CLOUDS), {"pretrain": "prod-a", "finetune": "prod-a",
                                                                      "serve": "prod-a"}, "v1")
    with pytest.raises(UserError) as e:
        place_with_lock(fleet, load_catalog(), parse_lock(raw), CLOUDS, "prod")
    assert [p.render() for p in e.value.problems] == [
        "gpufleet:placement: workloads in aws eu-north-1 and aws us-west-2 name the same cluster; one name per cloud "
        "and region; run `gpufleet place prod --lock` to review a new placement (got 'prod-a')"]
