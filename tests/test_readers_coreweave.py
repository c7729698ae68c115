"""A CoreWeave NodePool's region: from a region label on the pool, else from the plan's CKS cluster when
they are all in one zone, else unknown with the reason and the fix (its spec and CoreWeave's provider
configuration name no zone)."""

from gpufleet.estimate import ResourceView, estimate_plan

URN = "urn:pulumi:dev::p::"
POOL = "kubernetes:compute.coreweave.com/v1alpha1:NodePool"
CKS = "coreweave:index/cksCluster:CksCluster"
FIX = "label the pool `gpufleet.io/region: <region>` (e.g. US-EAST-04) to price it"


def pool(labels=None):
    metadata = {"name": "h100", **({"labels": labels} if labels is not None else {})}
    return ResourceView(f"{URN}{POOL}::h100", POOL, {
        "apiVersion": "compute.coreweave.com/v1alpha1", "kind": "NodePool", "metadata": metadata,
        "spec": {"computeClass": "default", "instanceType": "gd-8xh100ib-i128", "targetNodes": 4}})


def cks(name, zone):
    return ResourceView(f"{URN}{CKS}::{name}", CKS, {"name": name, "zone": zone, "vpcId": "vpc"})


def where(*views):
    e = estimate_plan(list(views)).to_json()["estimates"][f"{URN}{POOL}::h100"]
    return e["region"], e["gpus"], e["derivation"].get("region"), e["derivation"]["monthly_usd"]


def test_a_pool_without_a_cks_cluster_in_the_plan_says_why_its_region_is_unknown():
    why = ("a NodePool names no zone (it runs in its CKS cluster's), and the plan declares no CKS cluster nor does "
           f"CoreWeave's provider configuration name a zone; {FIX}")
    assert where(pool()) == (None, 32, why, f"unknown: region not known at preview ({why})")


def test_several_cluster_zones_or_an_unknown_zone_leave_it_unknown_naming_them():
    why = f"the plan's CKS clusters are in EU-SOUTH-03A, US-EAST-04A and a NodePool does not say which it joins; {FIX}"
    assert where(pool(), cks("a", "US-EAST-04A"), cks("b", "EU-SOUTH-03A")) == (
        None, 32, why, f"unknown: region not known at preview ({why})")
    unknown_zone = f"the zone of the plan's CKS cluster is not known at preview; {FIX}"
    assert where(pool(), cks("a", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"))[2] == unknown_zone


def test_the_region_comes_from_the_pools_labels_else_the_one_zone_of_the_plans_clusters():
    assert where(pool({"gpufleet.io/region": "EU-SOUTH-03"}), cks("a", "US-EAST-04A"))[:3] == ("EU-SOUTH-03", 32, None)
    assert where(pool({"topology.kubernetes.io/region": "US-EAST-04"}))[:3] == ("US-EAST-04", 32, None)
    assert where(pool({"topology.kubernetes.io/zone": "US-EAST-04A"}))[:3] == ("US-EAST-04", 32, None)
    assert where(pool(), cks("a", "US-EAST-04A"), cks("b", "US-EAST-04A"))[:3] == ("US-EAST-04", 32, None)
