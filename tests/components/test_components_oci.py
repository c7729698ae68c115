"""Oracle Cloud components under the recording engine: a private OKE cluster with an OKE GPU node pool
and an RDMA cluster network, File Storage with Lustre and a bucket with lifecycle, every taggable
resource tagged; the OCI preflight rules and the compartment setting."""

import base64

import pulumi
import pytest
from components_testing import TAGS, missing_owner_tags

from gpufleet.components import GpuCluster
from gpufleet.components.preflight import plan_cluster, plan_gpu_node_group
from gpufleet.clouds.oci import declare as oci_declare
from gpufleet.clouds.oci import offline as oci_offline
from gpufleet.clouds.oci.facts import DEFAULT_KUBERNETES_VERSION, FILE_SYSTEM
from gpufleet.errors import UserError

COMPARTMENT = "ocid1.compartment.oc1..aaaaexample"
CLUSTER_NETWORK = "oci:Core/clusterNetwork:ClusterNetwork"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"


def rendered(result):
    return [p.render() for p in result[1]]


@pytest.fixture(scope="module")
def london(recorder):
    """16 H100 for training on the RDMA fabric, 8 for serving without, Lustre and a bucket for training; no
    `kubernetes_version`: the named default."""
    def program():
        GpuCluster("lon", {
            "cloud": "oci", "region": "uk-london-1", "tags": TAGS, "compartment_id": COMPARTMENT,
            "node_groups": [
                {"workload": "train", "gpu": "H100", "gpu_count": 16, "enable_fabric": True, "utilization_percent": 80},
                {"workload": "serve", "gpu": "H100", "gpu_count": 8, "capacity_type": "spot", "zone": "AD-2"}],
            "storage": [{"workload": "train", "object_capacity_tib": 10, "cool_after_days": 14}],
        }, pulumi.ResourceOptions(providers=[oci_declare.provider("uk-london-1")]))
    return recorder(program)


def test_london_declares_exactly_the_oke_cluster_its_pools_the_cluster_network_and_storage(london):
    names = [(r.type, r.name) for r in london.resources if not r.type.startswith("gpufleet:")]
    assert names == [
        ("pulumi:providers:oci", "oci-uk-london-1"),
        ("oci:Core/vcn:Vcn", "lon-network-vcn"),
        ("oci:Core/serviceGateway:ServiceGateway", "lon-network-services"),
        ("oci:Core/routeTable:RouteTable", "lon-network-routes"),
        ("oci:Core/securityList:SecurityList", "lon-network-internal"),
        ("oci:Core/subnet:Subnet", "lon-network-nodes"),
        ("oci:Core/subnet:Subnet", "lon-network-control-plane"),
        ("oci:Core/subnet:Subnet", "lon-network-file-system"),
        ("oci:ContainerEngine/cluster:Cluster", "lon-oke"),
        ("oci:ContainerEngine/nodePool:NodePool", "lon-system"),
        ("oci:Core/instanceConfiguration:InstanceConfiguration", "lon-train-instance-configuration"),
        ("oci:Core/clusterNetwork:ClusterNetwork", "lon-train-cluster-network"),
        ("oci:ContainerEngine/nodePool:NodePool", "lon-serve-node-pool"),
        ("oci:ObjectStorage/bucket:Bucket", "lon-train-storage-objects"),
        ("oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy", "lon-train-storage-lifecycle"),
        ("oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem", "lon-train-storage-lustre"),
    ]
    assert missing_owner_tags(london.resources) == []
    # everything but the lifecycle policy (which belongs to its bucket) is created in the compartment
    assert [r.name for r in london.resources if r.type.startswith("oci:")
            and r.inputs.get("compartmentId") != COMPARTMENT] == ["lon-train-storage-lifecycle"]
    # every lookup was answered by the OCI adapter's offline answers, none by placeholders
    assert set(london.run.lookups.values()) == {"plausible offline answer"}


def test_london_cluster_endpoint_is_private_and_subnets_take_no_public_ip(london):
    cluster = london.one("oci:ContainerEngine/cluster:Cluster").inputs
    assert cluster["endpointConfig"] == {"subnetId": "lon-network-control-plane-id", "isPublicIpEnabled": False}
    assert (cluster["type"], cluster["name"], cluster["vcnId"], cluster["clusterPodNetworkOptions"]) == (
        "ENHANCED_CLUSTER", "lon", "lon-network-vcn-id", [{"cniType": "FLANNEL_OVERLAY"}])
    assert cluster["kubernetesVersion"] == "v1.34.2"  # facts.DEFAULT_KUBERNETES_VERSION, never looked up
    subnets = {r.name: r.inputs for r in london.of_type("oci:Core/subnet:Subnet")}
    assert {n: (s["cidrBlock"], s["prohibitPublicIpOnVnic"], s["prohibitInternetIngress"], s["routeTableId"])
            for n, s in subnets.items()} == {
        "lon-network-nodes": ("10.0.0.0/18", True, True, "lon-network-routes-id"),
        "lon-network-control-plane": ("10.0.64.0/18", True, True, "lon-network-routes-id"),
        "lon-network-file-system": ("10.0.128.0/18", True, True, "lon-network-routes-id"),
    }
    security = london.one("oci:Core/securityList:SecurityList").inputs
    assert security["ingressSecurityRules"] == [{"protocol": "all", "source": "10.0.0.0/16", "sourceType": "CIDR_BLOCK",
                                                 "description": "from within the VCN only"}]


def test_london_training_runs_on_an_rdma_cluster_network_of_self_managed_oke_nodes(london):
    network = london.one(CLUSTER_NETWORK).inputs
    assert network["instancePools"][0]["instanceConfigurationId"] == "lon-train-instance-configuration-id"
    assert network["instancePools"][0]["size"] == 2  # 16 GPUs / 8 per BM.GPU.H100.8
    assert network["placementConfiguration"]["primarySubnetId"] == "lon-network-nodes-id"
    domain = network["placementConfiguration"]["availabilityDomain"]
    assert domain.endswith(":UK-LONDON-1-AD-1")
    launch = london.named("lon-train-instance-configuration").inputs["instanceDetails"]["launchDetails"]
    assert (launch["shape"], launch["availabilityDomain"], launch["createVnicDetails"]["assignPublicIp"],
            launch["sourceDetails"]["bootVolumeSizeInGbs"]) == ("BM.GPU.H100.8", domain, False, "200")
    script = base64.b64decode(launch["metadata"]["user_data"]).decode()
    assert script.startswith("#!/usr/bin/env bash\nbash /etc/oke/oke-install.sh --apiserver-endpoint ")
    assert '--node-labels=gpufleet.io/workload=train,gpufleet.io/gpu=H100,gpufleet.io/fabric=rdma,' \
           'gpufleet.io/capacity=on-demand"' in script
    assert network["freeformTags"] == {**TAGS, "gpufleet-workload": "train", "gpufleet-utilization-percent": "80"}
    assert "preemptibleInstanceConfig" not in launch


def test_london_serving_pool_is_an_oke_node_pool_of_preemptible_gpu_nodes_in_ad_2(london):
    pool = london.named("lon-serve-node-pool").inputs
    assert (pool["nodeShape"], pool["clusterId"], pool["kubernetesVersion"]) == ("BM.GPU.H100.8", "lon-oke-id", "v1.34.2")
    details = pool["nodeConfigDetails"]
    assert (details["size"], details["isPvEncryptionInTransitEnabled"]) == (1, True)
    placement = details["placementConfigs"][0]
    assert placement["availabilityDomain"].endswith(":UK-LONDON-1-AD-2")
    assert placement["preemptibleNodeConfig"] == {"preemptionAction": {"type": "TERMINATE", "isPreserveBootVolume": False}}
    assert pool["nodeSourceDetails"]["sourceType"] == "IMAGE" and pool["nodeSourceDetails"]["bootVolumeSizeInGbs"] == "200"
    system = london.named("lon-system").inputs
    assert (system["nodeShape"], system["nodeShapeConfig"], system["nodeConfigDetails"]["size"]) == (
        "VM.Standard.E5.Flex", {"ocpus": 2, "memoryInGbs": 16}, 2)
    # the GPU pool runs OKE's GPU image for the cluster's version, the system pool the plain one
    assert pool["nodeSourceDetails"]["imageId"] != system["nodeSourceDetails"]["imageId"]
    assert {label["key"]: label["value"] for label in pool["initialNodeLabels"]} == {
        "gpufleet.io/workload": "serve", "gpufleet.io/gpu": "H100", "gpufleet.io/fabric": "none",
        "gpufleet.io/capacity": "spot"}


def test_london_storage_lustre_on_a_capacity_step_and_a_private_bucket_that_archives(london):
    lustre = london.one("oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem")
    # 16 GPUs × 250 MB/s = 4,000 MB/s at 1000 MB/s per TB: 4 TB, below OCI's smallest size, 31,200
    assert (lustre.inputs["capacityInGbs"], lustre.inputs["performanceTier"], lustre.inputs["subnetId"],
            lustre.inputs["rootSquashConfiguration"]) == (31200, "MBPS_PER_TB_1000", "lon-network-file-system-id",
                                                          {"identitySquash": "ROOT"})
    bucket = london.one("oci:ObjectStorage/bucket:Bucket")
    assert (bucket.inputs["accessType"], bucket.inputs["versioning"], bucket.inputs["storageTier"]) == (
        "NoPublicAccess", "Enabled", "Standard")
    assert bucket.inputs["freeformTags"]["gpufleet-object-tib"] == "10"
    policy = london.one("oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy").inputs
    assert policy["bucket"] == bucket.inputs["name"] and policy["namespace"] == bucket.inputs["namespace"]
    assert [(r["target"], r["action"], r["timeAmount"], r["timeUnit"], r["isEnabled"]) for r in policy["rules"]] == [
        ("objects", "INFREQUENT_ACCESS", "14", "DAYS", True), ("objects", "ARCHIVE", "180", "DAYS", True),
        ("previous-object-versions", "INFREQUENT_ACCESS", "14", "DAYS", True),
        ("previous-object-versions", "ARCHIVE", "180", "DAYS", True)]
    assert [(r.protect, r.retain_on_delete) for r in (lustre, bucket)] == [(True, True), (True, True)]


def test_lustre_capacity_steps_follow_ocis_rules():
    steps = FILE_SYSTEM.tiers[1000]
    assert [steps.round_up(x) for x in (1, 31_200, 31_201, 124_800, 124_801, 200_000)] == [
        31_200, 31_200, 41_600, 124_800, 166_400, 208_000]
    assert [steps.is_valid(x) for x in (31_200, 41_600, 36_000, 166_400, 135_200)] == [True, True, False, True, False]
    assert steps.neighbours(130_000) == (124_800, 166_400)


BASE = {"cloud": "oci", "region": "uk-london-1", "workload": "w", "gpu": "H100", "gpu_count": 8, "cluster_name": "c",
        "node_subnet_id": "s", "tags": TAGS, "compartment_id": COMPARTMENT, "cluster_id": "ocid1.cluster",
        "kubernetes_version": "v1.33.1"}


def test_oci_preflight_refuses_what_oke_cannot_do_with_every_problem_at_once():
    assert rendered(plan_gpu_node_group({**BASE, "zone": "uk-london-1a", "scale_to_zero": True, "root_volume_gib": 40,
                                         "capacity_type": "spot", "spot_max_price_usd_per_hour": 40.0}, "ng")) == [
        "ng.zone: not an availability domain of uk-london-1: name it by its number, 'AD-1' to 'AD-3' (the "
        "tenancy-specific full name is looked up) (got 'uk-london-1a'); allowed: AD-1, AD-2, AD-3",
        "ng.spot_max_price_usd_per_hour: OCI preemptible capacity takes no price cap: preemptible instances are billed "
        "at the preemptible price and reclaimed when OCI needs the capacity (got 40.0)",
        "ng.scale_to_zero: an OKE node pool and an RDMA cluster network run the number of nodes they are given; "
        "scaling to zero needs the OKE Cluster Autoscaler add-on, which gpufleet does not declare (got True); "
        "allowed: false",
        "ng.root_volume_gib: OCI boot volumes are at least 50 GB (got 40)",
    ]


def test_a_node_group_given_a_minor_version_alone_is_refused_too():
    assert [p.path for p in plan_gpu_node_group({**BASE, "kubernetes_version": "1.33"}, "ng")[1]] == [
        "ng.kubernetes_version"]
    assert plan_gpu_node_group({**BASE, "kubernetes_version": "1.33.1"}, "ng")[1] == []


def test_oci_node_groups_need_the_compartment_cluster_id_version_and_with_the_fabric_the_kubeconfig():
    bare = {k: v for k, v in BASE.items() if k not in ("compartment_id", "cluster_id", "kubernetes_version")}
    assert rendered(plan_gpu_node_group({**bare, "enable_fabric": True}, "ng")) == [
        "ng.compartment_id: required on oci", "ng.cluster_id: required on oci", "ng.kubernetes_version: required on oci",
        "ng.cluster_kubeconfig: required on oci"]


def test_the_compartment_setting_is_required_and_must_be_an_ocid():
    assert oci_declare.compartment_problem(None).render() == (
        "gpufleet:ociCompartmentOcid: required when a workload is placed on oci: the OCID of the compartment every "
        "OCI resource of the fleet is created in (set it with `pulumi config set gpufleet:ociCompartmentOcid "
        "ocid1.compartment.oc1..…`)")
    assert oci_declare.compartment_problem("my-compartment").render() == (
        "gpufleet:ociCompartmentOcid: not a compartment OCID (got 'my-compartment'); allowed: "
        "ocid1.compartment.oc1..<id>, ocid1.tenancy.oc1..<id>")
    assert oci_declare.compartment_problem(COMPARTMENT) is None


def test_declare_scope_without_the_setting_is_a_user_error(recorder):
    with pytest.raises(UserError) as raised:
        recorder(lambda: oci_declare.declare_scope("c", "uk-london-1", TAGS, pulumi.ResourceOptions()))
    assert [p.path for p in raised.value.problems] == ["gpufleet:ociCompartmentOcid"]


def test_the_kubernetes_version_is_the_argument_or_the_named_default_and_never_looked_up(london, recorder):
    """A version looked up at every run (the newest OKE offers) would upgrade the cluster when OKE releases one."""
    assert "oci:ContainerEngine/getClusterOption:getClusterOption" not in london.run.invokes
    assert DEFAULT_KUBERNETES_VERSION == "v1.34.2"

    def program():
        GpuCluster("fra", {"cloud": "oci", "region": "eu-frankfurt-1", "tags": TAGS, "compartment_id": COMPARTMENT,
                           "kubernetes_version": "1.33.1",
                           "node_groups": [{"workload": "serve", "gpu": "H100", "gpu_count": 8}]},
                   pulumi.ResourceOptions(providers=[oci_declare.provider("eu-frankfurt-1")]))
    declared = recorder(program)
    assert [(r.name, r.inputs["kubernetesVersion"]) for r in declared.resources
            if r.type in ("oci:ContainerEngine/cluster:Cluster", NODE_POOL)] == [
        ("fra-oke", "v1.33.1"), ("fra-system", "v1.33.1"), ("fra-serve-node-pool", "v1.33.1")]
    # each pool's image is the newest OKE image of that version (looked up), kept as deployed
    assert declared.named("fra-serve-node-pool").inputs["nodeSourceDetails"]["imageId"] == \
        oci_offline.node_pool_option("", {"nodePoolK8sVersion": "v1.33.1"}, {"region": "eu-frankfurt-1"})["sources"][1][
            "imageId"]


CLUSTER = {"cloud": "oci", "region": "uk-london-1", "tags": TAGS, "compartment_id": COMPARTMENT,
           "node_groups": [{"workload": "serve", "gpu": "H100", "gpu_count": 8}]}


def test_a_kubernetes_version_that_is_not_exact_is_refused_with_the_known_versions():
    allowed = "allowed: v1.31.10, v1.32.10, v1.33.1, v1.34.2"
    why = ("OKE takes an exact version, which the cluster keeps until you change it (a minor alone would follow OKE's "
           "newest patch and upgrade the cluster at a later run): one OKE offers, `oci ce cluster-options get "
           "--cluster-option-id all` lists them; OCI's docs listed these on 2026-11-30")
    assert rendered(plan_cluster({**CLUSTER, "kubernetes_version": "1.33"}, "c")) == [
        f"c.kubernetes_version: {why} (got '1.33'); did you mean 'v1.33.1'?; {allowed}"]
    assert rendered(plan_cluster({**CLUSTER, "kubernetes_version": "latest"}, "c")) == [
        f"c.kubernetes_version: {why} (got 'latest'); {allowed}"]
    assert rendered(plan_cluster({**CLUSTER, "kubernetes_version": "v1.29"}, "c")) == [
        f"c.kubernetes_version: {why} (got 'v1.29'); {allowed}"]
    # an exact version OKE released after the docs were read is the user's to name
    assert rendered(plan_cluster({**CLUSTER, "kubernetes_version": "v1.35.0"}, "c")) == []
    assert rendered(plan_cluster(CLUSTER, "c")) == []


def test_a_newer_oke_node_image_does_not_churn_the_node_pools_or_the_cluster_networks_hosts(london):
    """The image is looked up at every run: both OKE node pools and the instance configuration the RDMA
    cluster network launches from keep the deployed image id (a new one would replace the configuration)."""
    kept = {r.name: r.ignore_changes for r in london.resources if r.ignore_changes}
    assert kept == {"lon-system": ["nodeSourceDetails.imageId"],
                    "lon-train-instance-configuration": ["instanceDetails.launchDetails.sourceDetails.imageId"],
                    "lon-serve-node-pool": ["nodeSourceDetails.imageId"]}
