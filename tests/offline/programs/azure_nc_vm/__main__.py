"""A VM from the Azure docs' GPU tutorial: Standard_NC6s_v3 (1 V100), which the catalog counts
but can neither price nor power-rate: every total is unknown, never 0."""

import pulumi
from pulumi_azure_native import resources, network, compute

rg = resources.ResourceGroup("rg", location="eastus")
vnet = network.VirtualNetwork("vnet", resource_group_name=rg.name,
    address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
subnet = network.Subnet("subnet", resource_group_name=rg.name, virtual_network_name=vnet.name, address_prefix="10.0.1.0/24")
nic = network.NetworkInterface("nic", resource_group_name=rg.name,
    ip_configurations=[network.NetworkInterfaceIPConfigurationArgs(name="ipconfig", subnet=network.SubnetArgs(id=subnet.id))])
vm = compute.VirtualMachine("gpu-vm", resource_group_name=rg.name,
    hardware_profile=compute.HardwareProfileArgs(vm_size="Standard_NC6s_v3"),
    network_profile=compute.NetworkProfileArgs(network_interfaces=[compute.NetworkInterfaceReferenceArgs(id=nic.id, primary=True)]),
    os_profile=compute.OSProfileArgs(computer_name="gpuvm", admin_username="azureuser",
        linux_configuration=compute.LinuxConfigurationArgs(disable_password_authentication=True,
            ssh=compute.SshConfigurationArgs(public_keys=[compute.SshPublicKeyArgs(key_data="ssh-rsa AAAA", path="/home/azureuser/.ssh/authorized_keys")]))),
    storage_profile=compute.StorageProfileArgs(image_reference=compute.ImageReferenceArgs(
        publisher="microsoft-dsvm", offer="ubuntu-hpc", sku="2204", version="latest")))
pulumi.export("vm_id", vm.id)
