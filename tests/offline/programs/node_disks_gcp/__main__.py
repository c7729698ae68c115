"""GCP capacity whose nodes get persistent disks no disk resource declares: an instance's boot disk (the
registry's Instance example) and a GKE node pool's boot disks (GKE's default size)."""

import pulumi_gcp as gcp

gcp.compute.Instance("l4", machine_type="g2-standard-8", zone="europe-west4-a",
    boot_disk=gcp.compute.InstanceBootDiskArgs(initialize_params=gcp.compute.InstanceBootDiskInitializeParamsArgs(
        image="projects/deeplearning-platform-release/global/images/family/common-cu123", size=200, type="pd-ssd")),
    network_interfaces=[gcp.compute.InstanceNetworkInterfaceArgs(network="default")])
cluster = gcp.container.Cluster("gke", location="us-central1-a", remove_default_node_pool=True, initial_node_count=1)
gcp.container.NodePool("a100", cluster=cluster.id, location="us-central1-a", node_count=2,
    node_config=gcp.container.NodePoolNodeConfigArgs(machine_type="a2-highgpu-1g"))
