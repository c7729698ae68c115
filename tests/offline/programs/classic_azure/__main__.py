import pulumi
import pulumi_aws as aws
import pulumi_azure as azure

group = azure.core.ResourceGroup("rg", location="eastus")
cluster = azure.containerservice.KubernetesCluster(
    "aks", resource_group_name=group.name, location=group.location, dns_prefix="gpu",
    default_node_pool=azure.containerservice.KubernetesClusterDefaultNodePoolArgs(
        name="gpu", vm_size="Standard_ND96asr_v4", node_count=2),
    identity=azure.containerservice.KubernetesClusterIdentityArgs(type="SystemAssigned"))
azure.containerservice.KubernetesClusterNodePool(
    "inference", kubernetes_cluster_id=cluster.id, vm_size="Standard_NC24ads_A100_v4", node_count=3)
azure.compute.LinuxVirtualMachine(
    "workstation", resource_group_name=group.name, location="eastus", size="Standard_NC24ads_A100_v4",
    admin_username="ml", network_interface_ids=["nic-1"],
    admin_ssh_keys=[azure.compute.LinuxVirtualMachineAdminSshKeyArgs(username="ml", public_key="ssh-ed25519 AAAA")],
    os_disk=azure.compute.LinuxVirtualMachineOsDiskArgs(caching="ReadWrite", storage_account_type="Premium_LRS"))

# No aws:region anywhere: the type is known, the price is not.
aws.ec2.Instance("trainer", instance_type="p5.48xlarge", ami="ami-0123456789abcdef0",
                 opts=pulumi.ResourceOptions(provider=aws.Provider("noregion", skip_region_validation=True)))
