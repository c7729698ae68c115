"""An AKS cluster with an A100 pool and a T4 pool (Azure docs style), kubeconfig exported from a lookup
that depends on the cluster (unknown at preview)."""

import pulumi
from pulumi_azure_native import resources, containerservice

rg = resources.ResourceGroup("aks-rg")
cluster = containerservice.ManagedCluster("aks",
    resource_group_name=rg.name,
    dns_prefix="gpuaks",
    identity=containerservice.ManagedClusterIdentityArgs(type="SystemAssigned"),
    agent_pool_profiles=[containerservice.ManagedClusterAgentPoolProfileArgs(
        name="system", mode="System", count=2, vm_size="Standard_D4s_v5", os_type="Linux")])
gpu = containerservice.AgentPool("gpupool",
    resource_group_name=rg.name, resource_name_=cluster.name,
    count=2, vm_size="Standard_NC24ads_A100_v4", mode="User", os_type="Linux",
    node_taints=["sku=gpu:NoSchedule"])
t4 = containerservice.AgentPool("t4pool",
    resource_group_name=rg.name, resource_name_=cluster.name,
    count=3, vm_size="Standard_NC8as_T4_v3", mode="User", os_type="Linux")
creds = containerservice.list_managed_cluster_user_credentials_output(resource_group_name=rg.name, resource_name=cluster.name)
pulumi.export("kubeconfig", creds.kubeconfigs[0].value)
