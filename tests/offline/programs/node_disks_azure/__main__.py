"""Azure capacity whose nodes get managed disks no disk resource declares: a VM's OS and data disks (the
registry's VirtualMachine example), a scale set's OS disks, an AKS cluster's inline pool and a separate agent pool
(one Ephemeral: on the host, no disk)."""

import pulumi_azure_native as an

rg = an.resources.ResourceGroup("rg")
an.compute.VirtualMachine("nd", resource_group_name=rg.name,
    hardware_profile=an.compute.HardwareProfileArgs(vm_size="Standard_ND96isr_H100_v5"),
    network_profile=an.compute.NetworkProfileArgs(network_interfaces=[
        an.compute.NetworkInterfaceReferenceArgs(id="/subscriptions/s/nics/nic", primary=True)]),
    storage_profile=an.compute.StorageProfileArgs(
        image_reference=an.compute.ImageReferenceArgs(publisher="microsoft-dsvm", offer="ubuntu-hpc", sku="2204",
                                                      version="latest"),
        os_disk=an.compute.OSDiskArgs(create_option="FromImage", disk_size_gb=1024,
            managed_disk=an.compute.ManagedDiskParametersArgs(storage_account_type="Premium_LRS")),
        data_disks=[an.compute.DataDiskArgs(lun=0, create_option="Empty", disk_size_gb=2048,
            managed_disk=an.compute.ManagedDiskParametersArgs(storage_account_type="PremiumV2_LRS"))]))
an.compute.VirtualMachineScaleSet("a100", resource_group_name=rg.name,
    sku=an.compute.SkuArgs(name="Standard_NC24ads_A100_v4", tier="Standard", capacity=2),
    upgrade_policy=an.compute.UpgradePolicyArgs(mode="Manual"),
    virtual_machine_profile=an.compute.VirtualMachineScaleSetVMProfileArgs(
        storage_profile=an.compute.VirtualMachineScaleSetStorageProfileArgs(
            image_reference=an.compute.ImageReferenceArgs(publisher="microsoft-dsvm", offer="ubuntu-hpc", sku="2204",
                                                          version="latest"))))
aks = an.containerservice.ManagedCluster("aks", resource_group_name=rg.name, dns_prefix="gpu",
    identity=an.containerservice.ManagedClusterIdentityArgs(type="SystemAssigned"),
    agent_pool_profiles=[an.containerservice.ManagedClusterAgentPoolProfileArgs(
        name="system", mode="System", count=3, vm_size="Standard_D4ds_v5", os_type="Linux")])
an.containerservice.AgentPool("gpu", resource_group_name=rg.name, resource_name_=aks.name, agent_pool_name="gpu",
    vm_size="Standard_ND96isr_H100_v5", count=2, os_disk_size_gb=256, os_disk_type="Managed")
an.containerservice.AgentPool("eph", resource_group_name=rg.name, resource_name_=aks.name, agent_pool_name="eph",
    vm_size="Standard_ND96isr_H100_v5", count=1, os_disk_type="Ephemeral")
