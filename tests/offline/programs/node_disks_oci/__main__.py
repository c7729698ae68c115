"""OCI capacity whose nodes get boot volumes no volume resource declares: an OKE node pool's (the registry's
NodePool example, its boot volume size set) and an instance's (the image's size)."""

import pulumi_oci as oci

compartment = "ocid1.compartment.oc1..aaaaexample"
oci.containerengine.NodePool("h100", cluster_id="ocid1.cluster.oc1..c", compartment_id=compartment, name="h100",
    node_shape="BM.GPU.H100.8",
    node_config_details=oci.containerengine.NodePoolNodeConfigDetailsArgs(size=2, placement_configs=[
        oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs(availability_domain="AD-1",
                                                                         subnet_id="ocid1.subnet.oc1..s")]),
    node_source_details=oci.containerengine.NodePoolNodeSourceDetailsArgs(
        source_type="IMAGE", image_id="ocid1.image.oc1..i", boot_volume_size_in_gbs="200"))
oci.core.Instance("a100", availability_domain="AD-1", compartment_id=compartment, shape="BM.GPU4.8",
    source_details=oci.core.InstanceSourceDetailsArgs(source_type="image", source_id="ocid1.image.oc1..i"),
    create_vnic_details=oci.core.InstanceCreateVnicDetailsArgs(subnet_id="ocid1.subnet.oc1..s"))
