"""GPU capacity that scales to zero, written as the providers' docs declare it: an Azure ML compute cluster
(AmlCompute, 0 to 4 Standard_NC24ads_A100_v4), an EKS managed node group (desired 0, up to 4 p4d.24xlarge),
an AKS agent pool (autoscaling 0 to 4 Standard_NC24ads_A100_v4) and a GKE node pool (autoscaling 0 to 4
a2-highgpu-1g). Each runs no node until work arrives: 0 GPUs and 0 USD now, and the GPUs it can reach."""

import pulumi_aws as aws
import pulumi_azure_native as azure_native
import pulumi_gcp as gcp

azure_native.machinelearningservices.Compute(
    "aml",
    compute_name="a100-cluster",
    location="eastus",
    resource_group_name="ml-rg",
    workspace_name="ml-workspace",
    properties={
        "compute_type": "AmlCompute",
        "properties": {
            "vm_size": "Standard_NC24ads_A100_v4",
            "scale_settings": {"min_node_count": 0, "max_node_count": 4},
        },
    },
)
aws.eks.NodeGroup(
    "eks",
    cluster_name="ml",
    node_role_arn="arn:aws:iam::123456789012:role/eks-nodes",
    subnet_ids=["subnet-0123456789abcdef0"],
    instance_types=["p4d.24xlarge"],
    scaling_config={"min_size": 0, "desired_size": 0, "max_size": 4},
)
azure_native.containerservice.AgentPool(
    "aks",
    resource_group_name="ml-rg",
    resource_name_="ml-aks",
    vm_size="Standard_NC24ads_A100_v4",
    mode="User",
    enable_auto_scaling=True,
    count=0,
    min_count=0,
    max_count=4,
)
gcp.container.NodePool(
    "gke",
    cluster="ml",
    location="us-central1-a",
    initial_node_count=0,
    autoscaling={"min_node_count": 0, "max_node_count": 4},
    node_config={"machine_type": "a2-highgpu-1g"},
)
