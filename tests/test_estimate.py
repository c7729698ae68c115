"""The estimator reads resources' wire inputs (and their providers') the same way for every plan format."""

from fractions import Fraction

import pytest

from gpufleet.estimate import UNKNOWN, ResourceView, estimate_plan
from gpufleet.readers.base import ONE, Scaling
from gpufleet.readers.views import views_from_states

URN = "urn:pulumi:dev::p::"
GIB = 1.073741824


def view(type_, name, inputs, provider=None, id_=None):
    return ResourceView(f"{URN}{type_}::{name}", type_, inputs, provider or {}, id_)


def test_four_p5_instances_in_us_west_2_from_cli_preview_states():
    provider = {"urn": f"{URN}pulumi:providers:aws::default_7_51_1", "type": "pulumi:providers:aws",
                "inputs": {"region": "us-west-2"}}
    states = [provider] + [
        {"urn": f"{URN}aws:ec2/instance:Instance::gpu-{i}", "type": "aws:ec2/instance:Instance",
         "inputs": {"instanceType": "p5.48xlarge", "ami": "ami-0"}, "provider": f"{provider['urn']}::04da6b54"}
        for i in range(4)
    ]
    plan = estimate_plan(views_from_states(states)).to_json()
    assert plan["totals"]["gpus"] == 32
    assert plan["totals"]["monthly_usd"] == 160_716.80
    # their root volumes are the AMI's (no rootBlockDevice): billed, size and type unknown, listed unpriced
    assert plan["unpriced"] == [f"{URN}aws:ec2/instance:Instance::gpu-{i}.rootBlockDevice" for i in range(4)]
    assert plan["partial_totals"] == ["monthly_usd", "monthly_kwh", "monthly_kgco2e"]
    e = plan["estimates"][f"{URN}aws:ec2/instance:Instance::gpu-0"]
    assert (e["cloud"], e["region"], e["instance_type"], e["nodes"], e["hours_per_month"], e["utilization"]) == (
        "aws", "us-west-2", "p5.48xlarge", 1, 730.0, 1.0)
    assert e["derivation"]["utilization"] == "assumed 100% GPU duty (upper bound): no gpufleet-utilization-percent tag"


def test_eks_node_group_uses_desired_size_tags_and_launch_template():
    lt = view("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "p4d.24xlarge"}, id_="lt-123")
    ng = view("aws:eks/nodeGroup:NodeGroup", "ng", {
        "scalingConfig": {"desiredSize": 3.0, "minSize": 0.0, "maxSize": 3.0},  # numbers arrive as floats
        "launchTemplate": {"id": "lt-123", "version": "1"},
        "capacityType": "SPOT", "region": "eu-north-1",
        "tags": {"gpufleet-utilization-percent": "50", "gpufleet-hours-per-month": "100"}})
    e = estimate_plan([lt, ng]).resources[ng.urn]
    assert (e.instance_type, e.nodes, e.capacity_type, e.region, e.hours, e.utilization, e.gpus) == (
        "p4d.24xlarge", 3, "spot", "eu-north-1", 100.0, 0.5, 24)
    assert e.monthly_usd == pytest.approx(3 * 23.71569 * 100) and e.price_kind == "on-demand"
    node_w = 8 * 484.2 * 400 / 700 + 96 * (0.74 + 0.5 * (3.5 - 0.74)) + 1152 * GIB * 0.392
    kwh = 3 * node_w * 100 / 1000 * 1.10
    assert e.monthly_kwh == pytest.approx(kwh)
    assert e.monthly_kgco2e == pytest.approx(kwh * 24.71 / 1000)
    assert e.derivation["monthly_usd"].startswith(
        "3 × 23.7157 USD/h × 100 h (no Spot price for p4d.24xlarge in aws eu-north-1 in the catalog: on-demand list")
    assert e.derivation["monthly_usd"].endswith("shown as the upper bound)")


def test_aks_agent_pool_finds_location_through_its_cluster():
    cluster = view("azure-native:containerservice:ManagedCluster", "aks",
                   {"resourceName": "aks-prod", "location": "East US 2"})
    pool = view("azure-native:containerservice:AgentPool", "gpu",
                {"resourceName": "aks-prod", "vmSize": "Standard_ND96isr_H100_v5", "count": 2})
    plan = estimate_plan([cluster, pool])
    e = plan.resources[pool.urn]
    assert (e.cloud, e.region, e.nodes, e.gpus, e.monthly_usd) == ("azure", "eastus2", 2, 16, pytest.approx(2 * 98.32 * 730))
    # the control plane's tier (no sku: Free) is priced at the catalog's sourced figure, 0 USD
    c = plan.resources[cluster.urn]
    # its nodes' OS disks (AKS picks managed or Ephemeral, the size by vCPUs) have no sourced price: listed
    assert (plan.unpriced, c.region, c.monthly_usd, c.monthly_kwh, c.price_kind) == (
        [f"{pool.urn}.osDisk"], "eastus2", 0.0, None, "list")
    assert c.derivation["monthly_usd"].startswith("1 cluster (Free tier) × 0 USD/cluster-hour × 730 h (list price, "
                                                  "MicrosoftDocs/azure-aks-docs")


def test_unknowns_are_unpriced_with_reasons_not_zero():
    views = [
        view("aws:ec2/instance:Instance", "later", {"instanceType": UNKNOWN}, {"region": "us-east-1"}),
        view("aws:ec2/instance:Instance", "cpu", {"instanceType": "m5.large"}, {"region": "us-east-1"}),
        view("aws:ec2/instance:Instance", "noregion", {"instanceType": "p5.48xlarge"}),
        view("aws:ec2/instance:Instance", "laterregion", {"instanceType": "p5.48xlarge", "region": UNKNOWN},
             {"region": "us-east-1"}),
        view("aws:fsx/lustreFileSystem:LustreFileSystem", "fsx", {"storageCapacity": 2400}),
        view("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"}),
        view("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", {"vpcEndpointType": "Interface"}),
        view("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"}),
    ]
    plan = estimate_plan(views)
    roots = {f"{views[i].urn}.rootBlockDevice" for i in range(4)}  # the AMI's root volumes: unpriced too
    assert plan.unpriced == [u for i in (0, 1, 2, 3, 4, 6)
                             for u in (views[i].urn, *([f"{views[i].urn}.rootBlockDevice"] if i < 4 else []))]
    d = {u.rsplit("::", 1)[1]: plan.resources[u].derivation["monthly_usd"] for u in plan.unpriced if u not in roots}
    assert d == {
        "later": "unknown: instance type not known at preview",
        "cpu": "unknown: m5.large is not in the catalog (GPU types: instance_types.csv, CPU hosts: host_types.csv)",
        "noregion": "unknown: region not known at preview",
        "laterregion": "unknown: region not known at preview",  # not the provider's region
        "fsx": "unknown: fsx-lustre SCRATCH_1: region not known at preview",
        "ecr": "unknown: vpc-interface-endpoint endpoint-AZ: region not known at preview",
    }
    # GPUs follow from the type alone: the two p5.48xlarge without a known region hold 8 each.
    assert plan.total("monthly_usd") == 0.0 and plan.gpus == 16
    assert [plan.resources[views[i].urn].gpus for i in (0, 1, 2, 3)] == [None, None, 8, 8]


def test_a_vpc_endpoint_without_a_type_is_a_free_gateway_endpoint():
    plan = estimate_plan([view("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"serviceName": "com.amazonaws.us-east-1.s3"})])
    assert (plan.resources, [a.kind for a in plan.assessments.values()]) == ({}, ["free"])


def test_secret_wrapped_inputs_are_read_and_gcp_zone_maps_to_region():
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "a3-highgpu-8g"}
    states = [{"urn": f"{URN}gcp:compute/instance:Instance::vm", "type": "gcp:compute/instance:Instance",
               "inputs": {"machineType": secret, "zone": "us-central1-a"}}]
    e = estimate_plan(views_from_states(states)).resources[f"{URN}gcp:compute/instance:Instance::vm"]
    assert (e.region, e.instance_type, e.gpus, e.monthly_usd) == ("us-central1", "a3-highgpu-8g", 8, pytest.approx(88.49 * 730))


def test_default_provider_region_comes_from_config_when_cli_shows_no_provider_step():
    # `pulumi preview --json` omits default-provider steps; their settings are in `config`.
    states = [{"urn": f"{URN}aws:ec2/instance:Instance::gpu", "type": "aws:ec2/instance:Instance",
               "inputs": {"instanceType": "p5.48xlarge"},
               "provider": f"{URN}pulumi:providers:aws::default_7_51_1::04da6b54-80e4-46f7-96ec-b56ff0331ba9"}]
    views = views_from_states(states, config={"aws:region": "eu-north-1", "gpufleet:fleet": "{}"})
    assert views[0].provider_inputs == {"region": "eu-north-1"}
    assert estimate_plan(views).resources[states[0]["urn"]].monthly_usd == pytest.approx(58.8928 * 730)
    # an explicit (non-default) provider missing from the states gives no region: unpriced, not guessed
    states[0]["provider"] = f"{URN}pulumi:providers:aws::aws-west::id"
    assert estimate_plan(views_from_states(states, config={"aws:region": "eu-north-1"})).unpriced == [
        states[0]["urn"], f"{states[0]['urn']}.rootBlockDevice"]


def test_totals_are_the_sum_of_the_reported_rounded_rows():
    # 3 × g6.xlarge in us-east-1 = 3 × 587.504 USD: each row is reported as 587.50, so the total is 1,762.50
    views = [view("aws:ec2/instance:Instance", f"g{i}", {"instanceType": "g6.xlarge",
                                                         "rootBlockDevice": {"volumeSize": 8, "volumeType": "gp3"}},
                  {"region": "us-east-1"}) for i in range(3)]
    plan = estimate_plan(views).to_json()
    rows = [e["monthly_usd"] for e in plan["estimates"].values()]
    # each instance, then its 8 GiB gp3 root volume: 8 × 0.08 USD/GiB-month (us-east-1) = 0.64
    assert rows == [587.5, 0.64, 587.5, 0.64, 587.5, 0.64]
    assert plan["totals"]["monthly_usd"] == 1764.42 == round(sum(rows), 2)


def test_a_launch_template_whose_id_is_unknown_at_preview_is_not_guessed():
    # `pulumi preview --json` of a new template: the node group's launchTemplate.id is unknown and no
    # template has an id yet; the node group must not take the first template's instance type.
    small = view("aws:ec2/launchTemplate:LaunchTemplate", "lt-l4", {"instanceType": "g6.xlarge"})
    big = view("aws:ec2/launchTemplate:LaunchTemplate", "lt-h100", {"instanceType": "p5.48xlarge"})
    ng = view("aws:eks/nodeGroup:NodeGroup", "ng", {
        "scalingConfig": {"desiredSize": 4}, "launchTemplate": {"id": UNKNOWN, "version": UNKNOWN}},
        {"region": "us-west-2"})
    e = estimate_plan([small, big, ng]).resources[ng.urn]
    assert (e.instance_type, e.monthly_usd) == (None, None)
    assert e.derivation["monthly_usd"] == "unknown: instance type not known at preview"


@pytest.mark.parametrize("count", [-3, float("inf"), float("nan")])
def test_a_count_that_is_not_a_finite_non_negative_number_is_unknown(count):
    ng = view("aws:eks/nodeGroup:NodeGroup", "ng", {
        "instanceTypes": ["p5.48xlarge"], "scalingConfig": {"desiredSize": count}}, {"region": "us-west-2"})
    plan = estimate_plan([ng])
    # its nodes' EKS-made root volumes (20 GiB by default) are as many as its nodes: unknown too
    assert (plan.gpus, plan.total("monthly_usd"), plan.unpriced) == (0, 0.0, [ng.urn, f"{ng.urn}.diskSize"])



def test_malformed_states_give_unknowns_not_a_crash():
    # a hand-made or damaged plan file: wrong types are unknown, never a traceback
    states = [{"urn": f"{URN}aws:ec2/instance:Instance::a", "type": "aws:ec2/instance:Instance",
               "inputs": "p5.48xlarge", "provider": 5, "id": 7},
              {"urn": 5, "type": ["x"], "inputs": {"instanceType": "p5.48xlarge"}}]
    views = views_from_states(states, config={"aws:region": "us-west-2"})
    assert [(v.urn, v.type, v.inputs, v.provider_inputs, v.id) for v in views] == [
        (f"{URN}aws:ec2/instance:Instance::a", "aws:ec2/instance:Instance", {}, {}, None),
        ("", "", {"instanceType": "p5.48xlarge"}, {}, None)]
    assert estimate_plan(views).unpriced == [f"{URN}aws:ec2/instance:Instance::a",
                                             f"{URN}aws:ec2/instance:Instance::a.rootBlockDevice"]


def test_aks_gpu_pools_declared_inline_are_estimated_where_the_cluster_is():
    # every pool in agentPoolProfiles is capacity like a separate agent pool, CPU pools too
    cluster = view("azure-native:containerservice:ManagedCluster", "aks", {
        "location": "eastus", "tags": {"gpufleet-hours-per-month": "365"},
        "agentPoolProfiles": [{"name": "system", "vmSize": "Standard_D4s_v5", "count": 1},
                              {"name": "h100", "vmSize": "Standard_ND96isr_H100_v5", "count": 2,
                               "enableAutoScaling": True, "minCount": 0, "maxCount": 2}]},  # backs the tag's hours
        {"location": "swedencentral"})
    # a separate pool whose cluster Azure names (unknown at preview) is found through its dependency
    pool = ResourceView(f"{URN}azure-native:containerservice:AgentPool::more", "azure-native:containerservice:AgentPool",
                        {"resourceName": UNKNOWN, "vmSize": "Standard_ND96isr_H100_v5", "count": 1},
                        {"location": "swedencentral"}, dependencies={"resourceName": (cluster.urn,)})
    plan = estimate_plan([cluster, pool])
    inline = plan.resources[f"{cluster.urn}.agentPoolProfiles[h100]"]
    assert (inline.type, inline.region, inline.nodes, inline.gpus, inline.hours, inline.monthly_usd) == (
        "azure-native:containerservice:AgentPool", "eastus", 2, 16, 365.0, pytest.approx(2 * 98.32 * 365))
    assert (plan.resources[pool.urn].region, plan.resources[pool.urn].gpus) == ("eastus", 8)
    system = plan.resources[f"{cluster.urn}.agentPoolProfiles[system]"]
    disks = [f"{inline.urn}.osDisk", f"{system.urn}.osDisk", f"{pool.urn}.osDisk"]  # each pool's OS disks
    assert sorted(plan.resources) == sorted([cluster.urn, inline.urn, system.urn, pool.urn, *disks])
    # Standard_D4s_v5 is not among the catalog's CPU hosts: unpriced, said so (never 0)
    assert sorted(plan.unpriced) == sorted([system.urn, *disks])
    assert system.derivation["monthly_usd"].startswith("unknown: Standard_D4s_v5 is not in the catalog")


def test_autoscaling_group_gpu_types_in_a_mixed_instances_policy():
    lt = view("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"imageId": "ami-0"}, id_="lt-1")
    asg = view("aws:autoscaling/group:Group", "asg", {"desiredCapacity": 2, "mixedInstancesPolicy": {
        "instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 0},
        "launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": "lt-1"},
                           "overrides": [{"instanceType": "p5.48xlarge"}, {"instanceType": "p4d.24xlarge"}]}}},
        {"region": "us-west-2"})
    e = estimate_plan([lt, asg]).resources[asg.urn]
    assert (e.instance_type, e.nodes, e.gpus, e.capacity_type) == ("p5.48xlarge", 2, 16, "spot")
    assert e.derivation["instance_type"] == "first of 2 override instance types priced"
    # without overrides, the type is the launch template's
    lt = view("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "g6.xlarge"}, id_="lt-1")
    del asg.inputs["mixedInstancesPolicy"]["launchTemplate"]["overrides"]
    e = estimate_plan([lt, asg]).resources[asg.urn]
    assert (e.instance_type, e.gpus, e.capacity_type) == ("g6.xlarge", 2, "spot")


def test_databases_and_endpoints_are_listed_as_unpriced_not_left_out():
    views = [view("aws:rds/instance:Instance", "db", {"instanceClass": "db.r6g.large"}, {"region": "us-east-1"}),
             view("aws:sagemaker/endpoint:Endpoint", "serve", {}, {"region": "us-east-1"}),
             view("azure-native:cosmosdb:DatabaseAccount", "cosmos", {"location": "eastus"})]
    plan = estimate_plan(views)
    assert plan.unpriced == [v.urn for v in views]
    assert plan.resources[views[1].urn].derivation == {  # an endpoint without its configuration in the plan
        "hours_per_month": "assumed always on (730 h): no gpufleet-hours-per-month tag",
        "utilization": "assumed 100% GPU duty (upper bound): no gpufleet-utilization-percent tag",
        "instance_type": "SageMaker instance type not known",
        "nodes": "initial instance count of the production variant",
        "monthly_usd": "unknown: instance type, node count not known at preview",
        "monthly_kwh": "unknown: instance type, node count not known at preview",
        # its GPUs too: not "no GPUs" (review6)
        "gpus": "unknown: instance type not known at preview (GPUs per node) × a node count not known at preview"}


def test_sagemaker_capacity_is_counted_on_its_hardware_and_left_unpriced():
    config = view("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg", {"productionVariants": [
        {"variantName": "cpu", "instanceType": "ml.m5.xlarge", "initialInstanceCount": 1},
        {"variantName": "gpu", "instanceType": "ml.p4d.24xlarge", "initialInstanceCount": 2}]})
    endpoint = ResourceView(f"{URN}aws:sagemaker/endpoint:Endpoint::llm", "aws:sagemaker/endpoint:Endpoint",
                            {"endpointConfigName": UNKNOWN}, {"region": "us-east-1"},
                            dependencies={"endpointConfigName": (config.urn,)})
    notebook = view("aws:sagemaker/notebookInstance:NotebookInstance", "nb", {"instanceType": "ml.g5.xlarge"},
                    {"region": "us-east-1"})
    plan = estimate_plan([config, endpoint, notebook])
    e = plan.resources[endpoint.urn]
    assert (e.instance_type, e.nodes, e.gpus, e.monthly_usd, e.monthly_kwh is not None) == ("p4d.24xlarge", 2, 16, None, True)
    assert e.derivation["instance_type"] == "ml.p4d.24xlarge (SageMaker) runs on p4d.24xlarge"
    assert e.derivation["nodes"] == ("initial instance count of the production variant (of 2 variants, the first "
                                     "with GPUs; any other GPU variant is counted on its own)")
    assert e.derivation["monthly_usd"] == ("unknown: SageMaker bills ml.p4d.24xlarge at its own rate, which the "
                                           "catalog does not have; GPUs, energy and carbon are those of the same "
                                           "hardware, p4d.24xlarge")
    assert (plan.resources[notebook.urn].instance_type, plan.resources[notebook.urn].gpus) == ("g5.xlarge", 1)
    assert config.urn not in plan.resources  # a configuration runs nothing


def test_a_new_launch_template_is_found_through_the_property_dependency():
    # As `pulumi preview --json` prints it: the template's id is unknown, propertyDependencies name it.
    lt = {"urn": f"{URN}aws:ec2/launchTemplate:LaunchTemplate::gpu", "type": "aws:ec2/launchTemplate:LaunchTemplate",
          "inputs": {"instanceType": "p5.48xlarge"}}
    other = {"urn": f"{URN}aws:ec2/launchTemplate:LaunchTemplate::cpu", "type": "aws:ec2/launchTemplate:LaunchTemplate",
             "inputs": {"instanceType": "m7i.large"}}
    ng = {"urn": f"{URN}aws:eks/nodeGroup:NodeGroup::gpu", "type": "aws:eks/nodeGroup:NodeGroup",
          "inputs": {"launchTemplate": {"id": UNKNOWN, "version": "$Latest"}, "region": "us-west-2",
                     "scalingConfig": {"desiredSize": 4, "minSize": 0, "maxSize": 4}},
          "propertyDependencies": {"launchTemplate": [lt["urn"]]}}
    e = estimate_plan(views_from_states([other, lt, ng])).resources[ng["urn"]]
    assert (e.instance_type, e.gpus, e.monthly_usd) == ("p5.48xlarge", 32, pytest.approx(160_716.80))
    ng.pop("propertyDependencies")
    assert estimate_plan(views_from_states([other, lt, ng])).unpriced == [ng["urn"]]  # never a guess


def test_capacity_block_node_group_is_priced_at_the_capacity_block_price():
    ng = view("aws:eks/nodeGroup:NodeGroup", "pretrain", {
        "instanceTypes": ["p5.48xlarge"], "capacityType": "CAPACITY_BLOCK", "scalingConfig": {"desiredSize": 16}},
        {"region": "us-east-1"})
    e = estimate_plan([ng]).resources[ng.urn]
    assert (e.capacity_type, e.price_kind, e.gpus) == ("reserved", "capacity-block", 128)
    assert e.monthly_usd == pytest.approx(16 * 39.33 * 730)
    on_demand = estimate_plan([view("aws:eks/nodeGroup:NodeGroup", "od", {
        "instanceTypes": ["p5.48xlarge"], "scalingConfig": {"desiredSize": 16}}, {"region": "us-east-1"})])
    assert next(iter(on_demand.resources.values())).monthly_usd == pytest.approx(16 * 55.04 * 730)


def test_spot_node_group_costs_less_than_the_same_on_demand_group():
    def group(name, **extra):
        return view("aws:eks/nodeGroup:NodeGroup", name, {
            "instanceTypes": ["g6e.2xlarge"], "scalingConfig": {"desiredSize": 8}, **extra}, {"region": "eu-north-1"})
    spot, on_demand = group("spot", capacityType="SPOT"), group("od")
    plan = estimate_plan([spot, on_demand])
    s, o = plan.resources[spot.urn], plan.resources[on_demand.urn]
    assert (s.price_kind, o.price_kind) == ("spot", "on-demand")
    assert s.monthly_usd == pytest.approx(8 * 0.9035 * 730)
    assert o.monthly_usd == pytest.approx(8 * 2.37822 * 730)
    assert s.monthly_usd < o.monthly_usd


def test_azure_ml_compute_clusters_and_instances_are_gpu_capacity_at_their_vm_sizes_price():
    from gpufleet.clouds import reader_for

    ml = "azure-native:machinelearningservices:Compute"
    cluster = view(ml, "train", {"location": "eastus", "properties": {"computeType": "AmlCompute", "properties": {
        "vmSize": "STANDARD_ND96ISR_H100_V5", "vmPriority": "Dedicated",
        "scaleSettings": {"minNodeCount": 2.0, "maxNodeCount": 80.0}}}})
    low_priority = view(ml, "sweep", {"properties": {"computeType": "AmlCompute", "computeLocation": "East US 2",
                                                     "properties": {"vmSize": "Standard_NC24ads_A100_v4",
                                                                    "vmPriority": "LowPriority",
                                                                    "scaleSettings": {"maxNodeCount": 4.0}}}},
                        {"location": "westeurope"})
    instance = view(ml, "notebook", {"location": "eastus", "properties": {
        "computeType": "ComputeInstance", "properties": {"vmSize": "Standard_NC24ads_A100_v4"}}})
    attached = view(ml, "aks", {"location": "eastus", "properties": {"computeType": "Kubernetes", "resourceId": "/x"}})
    plan = estimate_plan([cluster, low_priority, instance, attached])
    rows = {u.rsplit("::", 1)[1]: (e.instance_type, e.region, e.nodes, e.gpus, e.capacity_type,
                                   round(e.monthly_usd, 2)) for u, e in plan.resources.items()}
    assert rows == {
        # the catalog's spelling of the size; priced at its minimum nodes: 2 x $98.32/h x 730 h
        "train": ("Standard_ND96isr_H100_v5", "eastus", 2, 16, "on-demand", 143_547.20),
        "sweep": ("Standard_NC24ads_A100_v4", "eastus2", 0, 0, "spot", 0.0),  # no minNodeCount: Azure's default 0
        "notebook": ("Standard_NC24ads_A100_v4", "eastus", 1, 1, "on-demand", 2_681.29),
    }
    assert plan.resources[cluster.urn].derivation["nodes"] == (
        "minimum node count of the compute cluster (it scales to maxNodeCount while jobs run)")
    assert attached.urn not in plan.resources  # attaches capacity declared elsewhere
    reader = reader_for(ml)
    assert reader.instance_types(cluster.inputs) == [("properties.properties.vmSize", "Standard_ND96isr_H100_v5")]
    assert reader.scaling(cluster.inputs) == Scaling(2, 80, "properties.properties.scaleSettings.minNodeCount",
                                                     "properties.properties.scaleSettings.maxNodeCount")
    assert reader.scaling(low_priority.inputs).min_nodes == 0
    assert (reader.scaling(instance.inputs), reader.scaling(attached.inputs), reader.instance_types(attached.inputs)) == (
        ONE, None, [])
    unknown_min = {"computeType": "AmlCompute", "properties": {"vmSize": "Standard_NC24ads_A100_v4",
                                                               "scaleSettings": {"minNodeCount": UNKNOWN}}}
    assert estimate_plan([view(ml, "u", {"location": "eastus", "properties": unknown_min})]).resources[
        f"{URN}{ml}::u"].nodes is None


def test_what_a_program_may_pass_as_a_size_or_a_count_is_unknown_not_a_crash():
    from gpufleet.clouds import reader_for

    pool = "azure-native:containerservice:AgentPool"
    empty = view(pool, "empty", {"vmSize": "", "count": 2}, {"location": "eastus"})
    numeric = view(pool, "numeric", {"vmSize": 96, "count": 2}, {"location": "eastus"})
    plan = estimate_plan([empty, numeric])
    assert [(e.instance_type, e.monthly_usd, e.derivation["monthly_usd"]) for e in plan.resources.values()
            if e.cloud is not None] == [  # the pools (each has a part for its OS disks, unpriced)
        ("", None, "unknown: instance type not known at preview"),
        (96, None, "unknown: instance type not known at preview")]
    # an infinite bound (a program's float("inf")) is no bound
    assert reader_for(pool).scaling({"enableAutoScaling": True, "minCount": 0, "maxCount": float("inf")}) == Scaling(
        0, None, "minCount", "maxCount")
    ml = view("azure-native:machinelearningservices:Compute", "odd", {"location": "eastus", "properties": {
        "computeType": "ComputeInstance", "computeLocation": 7, "properties": {"vmSize": "Standard_NC24ads_A100_v4"}}})
    assert estimate_plan([ml]).resources[ml.urn].region is None


def test_a_spot_fleet_request_is_gpu_capacity_in_instances_of_its_launch_specifications():
    """A review found 60 x p5.48xlarge in an `ec2.SpotFleetRequest` passed prod with no violation: the
    reader was missing. Weighted pools count at least target / largest weight instances."""
    from gpufleet.clouds import reader_for

    def fleet(name, **inputs):
        return view("aws:ec2/spotFleetRequest:SpotFleetRequest", name, inputs, {"region": "us-west-2"})

    spec = {"instanceType": "p5.48xlarge", "ami": "ami-0"}
    plain = fleet("plain", targetCapacity=60, launchSpecifications=[spec])
    weighted = fleet("weighted", targetCapacity=960, launchSpecifications=[{**spec, "weightedCapacity": "8"},
                                                                         {**spec, "weightedCapacity": "2"}])
    mixed = fleet("mixed", targetCapacity=4, onDemandTargetCapacity=1, launchSpecifications=[spec])
    bad_weight = fleet("bad", targetCapacity=4, launchSpecifications=[{**spec, "weightedCapacity": "lots"}])
    plan = estimate_plan([plain, weighted, mixed, bad_weight])
    rows = {v.urn.rsplit("::", 1)[1]: plan.resources[v.urn] for v in (plain, weighted, mixed, bad_weight)}
    assert {n: (e.instance_type, e.nodes, e.gpus, e.capacity_type) for n, e in rows.items()} == {
        "plain": ("p5.48xlarge", 60, 480, "spot"), "weighted": ("p5.48xlarge", 120, 960, "spot"),
        "mixed": ("p5.48xlarge", 4, 32, "on-demand"), "bad": ("p5.48xlarge", None, None, "spot")}
    assert rows["weighted"].derivation["nodes"] == ("target capacity in weighted units: at least 120 instances "
                                                    "(largest weight 8)")
    reader = reader_for("aws:ec2/spotFleetRequest:SpotFleetRequest")
    assert reader.scaling(weighted.inputs) == Scaling(120, 120, "targetCapacity", "targetCapacity")
    assert reader.scaling(bad_weight.inputs) == Scaling(None, None, "targetCapacity", "targetCapacity")
    assert reader.instance_types(weighted.inputs) == [("launchSpecifications[0].instanceType", "p5.48xlarge"),
                                                      ("launchSpecifications[1].instanceType", "p5.48xlarge")]
def test_a_gpu_type_the_catalog_counts_but_does_not_price_shows_its_gpus_and_why_the_price_is_unknown():
    vm = view("gcp:compute/instance:Instance", "llm", {"machineType": "g2-standard-24", "zone": "us-central1-a"})
    e = estimate_plan([vm]).resources[vm.urn]
    assert (e.instance_type, e.nodes, e.gpus, e.monthly_usd) == ("g2-standard-24", 1, 2, None)
    assert e.derivation["gpus"] == "1 × 2 L4"
    assert e.derivation["monthly_usd"] == "unknown: g2-standard-24 has no offer in gcp us-central1 in the catalog"
    assert e.monthly_kwh is not None  # L4 rated power is in the catalog: energy is estimated


@pytest.mark.parametrize("text", ["٥", "5_5", "１００", "²"], ids=["arabic-indic", "underscore", "fullwidth", "superscript"])
def test_numbers_in_tags_and_quantities_are_plain_decimal_numbers(text):
    """float() reads "٥" as 5 and "5_5" as 55; int() refuses "²", which str.isdigit() accepts (a crash)."""
    from gpufleet.clouds import reader_for

    ng = view("aws:eks/nodeGroup:NodeGroup", "ng", {
        "instanceTypes": ["p5.48xlarge"], "scalingConfig": {"desiredSize": 2, "minSize": 0, "maxSize": 2},
        "region": "us-west-2", "tags": {"gpufleet-hours-per-month": text, "gpufleet-object-tib": text}})
    e = estimate_plan([ng]).resources[ng.urn]
    assert (e.hours, e.utilization, e.derivation["utilization"]) == (
        730.0, 1.0, "gpufleet tags unreadable; assumed always on at 100% GPU duty (upper bound)")
    quota = {"metadata": {"annotations": {"gpufleet.io/site": "lab", "gpufleet.io/instance-type": "x",
                                          "gpufleet.io/gpus-per-node": "8"}},
             "spec": {"hard": {"requests.nvidia.com/gpu": text}}}
    assert reader_for("kubernetes:core/v1:ResourceQuota").scaling(quota) == Scaling(
        0, None, "spec.hard.requests.nvidia.com/gpu", "spec.hard.requests.nvidia.com/gpu")
    fleet = {"launchSpecifications": [{"instanceType": "p5.48xlarge", "weightedCapacity": text}], "targetCapacity": 4}
    assert reader_for("aws:ec2/spotFleetRequest:SpotFleetRequest").scaling(fleet) == Scaling(
        None, None, "targetCapacity", "targetCapacity")


def test_a_partition_of_a_gpu_counts_as_its_share_never_0_or_1():
    """Azure's NV A10 v5 sizes get 1/6, 1/3 or 1/2 of an A10 (nva10v5-series.md): exact shares, summed exactly."""
    cluster = view("azure-native:containerservice:ManagedCluster", "aks", {"resourceName": "vdi", "location": "eastus"})
    sixths = view("azure-native:containerservice:AgentPool", "sixths",
                  {"resourceName": "vdi", "vmSize": "Standard_NV6ads_A10_v5", "count": 6})
    third = view("azure-native:containerservice:AgentPool", "third",
                 {"resourceName": "vdi", "vmSize": "Standard_NV12ads_A10_v5", "count": 1})
    plan = estimate_plan([cluster, sixths, third])
    assert (plan.resources[sixths.urn].gpus, plan.resources[third.urn].gpus, plan.gpus) == (1, Fraction(1, 3),
                                                                                          Fraction(4, 3))
    assert plan.resources[sixths.urn].derivation["gpus"] == "6 × 1/6 A10 (a partition of one GPU each)"
    doc = plan.to_json()
    # the plan file writes whole counts as integers and shares with 4 decimals; the total is the exact sum
    assert (doc["estimates"][sixths.urn]["gpus"], doc["estimates"][third.urn]["gpus"], doc["totals"]["gpus"]) == (
        1, 0.3333, 1.3333)
    assert plan.resources[third.urn].monthly_kwh is None  # A10 rated power: not sourced


def test_an_azure_ml_compute_whose_compute_type_is_not_known_is_not_assessed_never_free():
    """A plain dict of snake_case keys reaches the plan untranslated (`compute_type`): it was counted free
    (review14c). It may run VMs, so its cost is unknown."""
    from gpufleet.estimate.plan import FREE, NOT_ASSESSED, Assessment

    ml = "azure-native:machinelearningservices:Compute"
    snake = view(ml, "snake", {"location": "eastus", "properties": {
        "compute_type": "ComputeInstance", "properties": {"vm_size": "Standard_NC24ads_A100_v4"}}})
    odd = view(ml, "odd", {"location": "eastus", "properties": {"computeType": "Gpu"}})
    attached = view(ml, "aks", {"location": "eastus", "properties": {"computeType": "AKS", "resourceId": "/x"}})
    plan = estimate_plan([snake, odd, attached])
    allowed = ("AmlCompute, ComputeInstance, AKS, Kubernetes, DataFactory, VirtualMachine, HDInsight, Databricks, "
               "DataLakeAnalytics, SynapseSpark (pass the SDK's AmlComputeArgs or ComputeInstanceArgs, not a plain dict)")
    assert plan.resources == {}
    assert plan.assessments == {
        snake.urn: Assessment(NOT_ASSESSED, ml, "properties.computeType is missing (properties has: compute_type, "
                              f"properties): whether it runs VMs is not known; allowed: {allowed}"),
        odd.urn: Assessment(NOT_ASSESSED, ml, "properties.computeType is 'Gpu', not an Azure ML compute type "
                            f"(properties has: computeType): whether it runs VMs is not known; allowed: {allowed}"),
        attached.urn: Assessment(FREE, ml),
    }
    assert plan.not_assessed == [snake.urn, odd.urn] and not plan.complete
