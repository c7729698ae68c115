"""Preflight of a cluster on an owned site: the site comes with the arguments, is checked like the stack's,
and its region is the site; storage tiers and reservations are refused there."""

from gpufleet.components.preflight import plan_cluster
from tests.owned.sites import SITE

TAGS = {"team": "ml-platform", "cost-center": "cc-4012", "environment": "prod"}
FACTS = {k: v for k, v in SITE.items() if k != "cluster"}


def rendered(result):
    return [p.render() for p in result[1]]


def args(**changes):
    return {"cloud": "owned", "region": "dc-north", "tags": TAGS, "site": FACTS,
            "node_groups": [{"workload": "train", "gpu": "H100", "gpu_count": 16}], **changes}


def test_a_cluster_on_a_site_plans_whole_nodes_of_the_sites_gpus():
    plan, problems = plan_cluster(args(), "c")
    assert problems == []
    group = plan.node_groups[0]
    assert (group.instance.name, group.nodes, group.gpus, group.zone, group.fabric) == (
        "dc-north/8xH100", 2, 16, "dc-north", "none")


def test_site_mistakes_are_reported_with_the_components_paths():
    assert rendered(plan_cluster(args(site=None), "c")) == [
        "c.region: unknown owned region (got 'dc-north')",
        "c.site: required on owned: the owned site the cluster is"]
    assert rendered(plan_cluster(args(region="dc-south"), "c")) == [
        "c.region: unknown owned region (got 'dc-south'); did you mean 'dc-north'?; allowed: dc-north",
        "c.region: must be the site's name (got 'dc-south'); allowed: dc-north"]
    assert rendered(plan_cluster(args(site={**FACTS, "pue": 1.2}), "c")) == [
        "c.region: unknown owned region (got 'dc-north')",
        "c.site.pue: a figure needs its source: write {value: 1.2, source: ..., year: ...} (got 1.2)"]


def test_storage_tiers_and_reservations_are_refused_on_a_site():
    reserved = args(node_groups=[{"workload": "train", "gpu": "H100", "gpu_count": 16, "capacity_type": "reserved",
                                  "reservation": {"kind": "capacity-block", "id": "cr-1", "zone": "dc-north"}}])
    assert rendered(plan_cluster(reserved, "c")) == [
        "c.node_groups[train].reservation.kind: unknown owned reservation kind (got 'capacity-block')",
        "c.node_groups[train].capacity_type: an owned site's GPUs are the site's: nothing to reserve (got "
        "'reserved'); allowed: on-demand, spot"]
    objects = args(storage=[{"workload": "train", "enable_hot_tier": False, "object_capacity_tib": 10}])
    assert rendered(plan_cluster(objects, "c")) == [
        "c.storage[train]: no storage tiers on an owned site: an owned site's storage is the site's own: placement "
        "keeps workloads with `storage` off owned sites and preflight refuses storage tiers there"]
    hot = args(storage=[{"workload": "train", "object_capacity_tib": 10}])
    assert rendered(plan_cluster(hot, "c")) == [
        "c.storage[train].enable_hot_tier: owned has no hot-tier file system product (got True); allowed: false"]
