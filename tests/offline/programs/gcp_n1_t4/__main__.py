"""An N1 VM with two T4s attached (guestAccelerators), as GCP's GPU docs create one: the machine type
has no GPUs of its own, the attached ones are counted."""

import pulumi
import pulumi_gcp as gcp

vm = gcp.compute.Instance("t4-vm", machine_type="n1-standard-8", zone="us-central1-a",
    boot_disk=gcp.compute.InstanceBootDiskArgs(initialize_params=gcp.compute.InstanceBootDiskInitializeParamsArgs(
        image="projects/deeplearning-platform-release/global/images/family/common-cu121")),
    guest_accelerators=[gcp.compute.InstanceGuestAcceleratorArgs(type="nvidia-tesla-t4", count=2)],
    scheduling=gcp.compute.InstanceSchedulingArgs(on_host_maintenance="TERMINATE"),
    network_interfaces=[gcp.compute.InstanceNetworkInterfaceArgs(network="default")])
pulumi.export("name", vm.name)
