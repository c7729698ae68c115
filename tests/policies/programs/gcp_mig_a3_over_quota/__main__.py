"""The pulumi-gcp `compute.InstanceTemplate` and `compute.InstanceGroupManager` examples, with an
accelerator-optimised machine type: 80 a3-highgpu-8g (640 H100). Found by review14b: neither type was
read ("not assessed"), so the group passed prod with no violation."""

import pulumi_gcp as gcp

template = gcp.compute.InstanceTemplate(
    "a3",
    machine_type="a3-highgpu-8g",
    disks=[{"source_image": "projects/deeplearning-platform-release/global/images/family/common-cu121",
            "auto_delete": True, "boot": True}],
    network_interfaces=[{"network": "default"}],
    scheduling={"on_host_maintenance": "TERMINATE"},
)
gcp.compute.InstanceGroupManager(
    "a3",
    zone="us-west1-b",
    base_instance_name="a3",
    target_size=80,
    versions=[{"instance_template": template.self_link_unique, "name": "primary"}],
)
