"""CoreWeave components under the recording engine: a VPC with the prefixes CKS takes, a CKS cluster whose
API server is not public, GPU node pools as CoreWeave's NodePool custom resource through a Kubernetes
provider for the new cluster, a versioned bucket with a lifecycle configuration; the CoreWeave preflight."""

import pulumi
import pytest
from components_testing import TAGS, missing_owner_tags

from gpufleet.components import GpuCluster
from gpufleet.components.preflight import plan_cluster, plan_gpu_node_group
from gpufleet.clouds.coreweave import declare as cw_declare

NODE_POOL = "kubernetes:compute.coreweave.com/v1alpha1:NodePool"


def rendered(result):
    return [p.render() for p in result[1]]


@pytest.fixture(scope="module")
def barcelona(recorder):
    def program():
        GpuCluster("bcn", {
            "cloud": "coreweave", "region": "EU-SOUTH-03", "tags": TAGS, "kubernetes_version": "1.34",
            "node_groups": [{"workload": "tune", "gpu": "H200", "gpu_count": 16, "enable_fabric": True,
                             "scale_to_zero": True, "hours_per_month": 300}],
            "storage": [{"workload": "tune", "enable_hot_tier": False, "object_capacity_tib": 20}],
        }, pulumi.ResourceOptions(providers=[cw_declare.provider("EU-SOUTH-03")]))
    return recorder(program)


def test_barcelona_declares_exactly_the_vpc_cks_node_pool_and_bucket(barcelona):
    assert [(r.type, r.name) for r in barcelona.resources if not r.type.startswith("gpufleet:")] == [
        ("pulumi:providers:coreweave", "coreweave-EU-SOUTH-03"),
        ("coreweave:index/networkingVpc:NetworkingVpc", "bcn-network-vpc"),
        ("coreweave:index/cksCluster:CksCluster", "bcn-cks"),
        ("pulumi:providers:kubernetes", "bcn-tune-kubernetes"),
        (NODE_POOL, "bcn-tune-node-pool"),
        ("coreweave:index/objectStorageBucket:ObjectStorageBucket", "bcn-tune-storage-objects"),
        ("coreweave:index/objectStorageBucketVersioning:ObjectStorageBucketVersioning", "bcn-tune-storage-versioning"),
        ("coreweave:index/objectStorageBucketLifecycleConfiguration:ObjectStorageBucketLifecycleConfiguration",
         "bcn-tune-storage-lifecycle"),
    ]
    assert missing_owner_tags(barcelona.resources) == []
    assert list(barcelona.run.invokes) == []  # CoreWeave needs no lookup


def test_barcelona_cks_cluster_is_not_public_and_takes_its_ranges_from_the_vpc(barcelona):
    vpc = barcelona.one("coreweave:index/networkingVpc:NetworkingVpc").inputs
    assert (vpc["zone"], vpc["ingress"], vpc["vpcPrefixes"]) == ("EU-SOUTH-03A", {"disablePublicServices": True}, [
        {"name": "pod-cidr", "value": "10.0.0.0/18"}, {"name": "service-cidr", "value": "10.0.64.0/18"},
        {"name": "internal-lb-cidr", "value": "10.0.128.0/18"}])
    cks = barcelona.one("coreweave:index/cksCluster:CksCluster").inputs
    assert cks == {"name": "bcn", "zone": "EU-SOUTH-03A", "vpcId": "bcn-network-vpc-id", "version": "v1.34",
                   "public": False, "podCidrName": "pod-cidr", "serviceCidrName": "service-cidr",
                   "internalLbCidrNames": ["internal-lb-cidr"]}


def test_barcelona_node_pool_is_coreweaves_custom_resource_on_the_new_clusters_provider(barcelona):
    pool = barcelona.one(NODE_POOL)
    assert (pool.inputs["apiVersion"], pool.inputs["kind"], pool.inputs["metadata"]["name"]) == (
        "compute.coreweave.com/v1alpha1", "NodePool", "bcn-tune")
    assert pool.inputs["spec"] == {
        "computeClass": "default", "instanceType": "gd-8xh200ib-i128", "targetNodes": 2, "autoscaling": True,
        "minNodes": 0, "maxNodes": 2, "nodeTaints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
        "nodeLabels": {"gpufleet.io/workload": "tune", "gpufleet.io/gpu": "H200", "gpufleet.io/fabric": "infiniband",
                       "gpufleet.io/capacity": "on-demand"}}
    assert pool.inputs["metadata"]["labels"] == {**TAGS, "gpufleet-workload": "tune", "gpufleet-hours-per-month": "300",
                                                "gpufleet.io/region": "EU-SOUTH-03"}
    assert pool.provider.split("::")[-2] == "bcn-tune-kubernetes"
    kube = barcelona.named("bcn-tune-kubernetes")
    assert kube.parent == barcelona.named("bcn-tune").urn  # the provider belongs to the node group


def test_barcelona_bucket_is_versioned_and_frees_abandoned_uploads(barcelona):
    bucket = barcelona.one("coreweave:index/objectStorageBucket:ObjectStorageBucket")
    assert (bucket.inputs["zone"], bucket.inputs["tags"]["gpufleet-object-tib"], bucket.protect) == ("EU-SOUTH-03A", "20", True)
    versioning = barcelona.named("bcn-tune-storage-versioning").inputs
    assert versioning == {"bucket": bucket.inputs["name"], "versioningConfiguration": {"status": "Enabled"}}
    lifecycle = barcelona.named("bcn-tune-storage-lifecycle").inputs
    assert lifecycle["rules"] == [{"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {"prefix": ""},
                                   "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}]


BASE = {"cloud": "coreweave", "region": "US-EAST-04", "workload": "w", "gpu": "H100", "gpu_count": 8,
        "cluster_name": "c", "node_subnet_id": "s", "tags": TAGS}


def test_coreweave_preflight_refuses_spot_bad_zones_and_a_hot_tier():
    assert rendered(plan_gpu_node_group({**BASE, "capacity_type": "spot", "zone": "US-EAST-04-a"}, "ng")) == [
        "ng.zone: not a zone of US-EAST-04: a zone is the region name and one capital letter, e.g. 'US-EAST-04A' "
        "(got 'US-EAST-04-a')",
        "ng.capacity_type: a CKS Node Pool's computeClass has one value, `default`, for on-demand and reserved "
        "instances (docs.coreweave.com, Node Pool reference): CoreWeave node pools take no Spot capacity (got 'spot'); "
        "allowed: on-demand",
    ]
    assert rendered(plan_cluster({"cloud": "coreweave", "region": "US-EAST-04", "tags": TAGS,
                                  "node_groups": [{"workload": "w", "gpu": "H100", "gpu_count": 8}],
                                  "storage": [{"workload": "w"}]}, "c")) == [
        "c.storage[w].enable_hot_tier: coreweave has no hot-tier file system product (got True); allowed: false"]


def test_two_coreweave_clusters_are_each_priced_in_their_own_region(recorder):
    """A node pool names no zone: the region label the components set prices it, even when the plan has a
    CKS cluster in each of two regions (the reader's only-cluster fallback cannot choose)."""
    from gpufleet.catalog import load_catalog
    from gpufleet.estimate import estimate_plan
    from gpufleet.preview import views_from_run

    def program():
        for region in ("EU-SOUTH-03", "US-EAST-04"):
            GpuCluster(region.lower(), {"cloud": "coreweave", "region": region, "tags": TAGS,
                                        "node_groups": [{"workload": "tune", "gpu": "H200", "gpu_count": 8}]},
                       pulumi.ResourceOptions(providers=[cw_declare.provider(region)]))

    run = recorder(program)
    estimate = estimate_plan(views_from_run(run.run), load_catalog())
    priced = {e.region: (e.instance_type, e.nodes, e.monthly_usd) for urn, e in estimate.resources.items()
              if urn.endswith("-node-pool")}
    assert priced == {"EU-SOUTH-03": ("gd-8xh200ib-i128", 1, 36821.2), "US-EAST-04": ("gd-8xh200ib-i128", 1, 36821.2)}
