"""The pulumi-azure-native `machinelearningservices.Compute` examples ("Create an AML Compute", "Create a
ComputeInstance Compute"), with GPU sizes: a training cluster of Standard_ND96isr_H100_v5 (8 H100 each)
that keeps 20 nodes warm and scales to 80 (640 H100), and a data scientist's compute instance on
Standard_NC24ads_A100_v4, in the workspace's region (eastus)."""

import pulumi_azure_native as azure_native

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}

azure_native.machinelearningservices.Compute(
    "training",
    compute_name="h100-training",
    location="eastus",
    resource_group_name="ml-rg",
    workspace_name="ml-workspace",
    properties={
        "compute_type": "AmlCompute",
        "properties": {
            "enable_node_public_ip": False,
            "isolated_network": False,
            "os_type": azure_native.machinelearningservices.OsType.LINUX,
            "remote_login_port_public_access": azure_native.machinelearningservices.RemoteLoginPortPublicAccess.DISABLED,
            "scale_settings": {"max_node_count": 80, "min_node_count": 20, "node_idle_time_before_scale_down": "PT30M"},
            "vm_priority": azure_native.machinelearningservices.VmPriority.DEDICATED,
            "vm_size": "STANDARD_ND96ISR_H100_V5",
        },
    },
    tags=TAGS,
)
azure_native.machinelearningservices.Compute(
    "notebook",
    compute_name="a100-notebook",
    location="eastus",
    resource_group_name="ml-rg",
    workspace_name="ml-workspace",
    properties={
        "compute_type": "ComputeInstance",
        "properties": {
            "application_sharing_policy": azure_native.machinelearningservices.ApplicationSharingPolicy.PERSONAL,
            "compute_instance_authorization_type": azure_native.machinelearningservices.ComputeInstanceAuthorizationType.PERSONAL,
            "enable_node_public_ip": False,
            "vm_size": "STANDARD_NC24ADS_A100_V4",
        },
    },
    tags=TAGS,
)
