"""The registry's regional managed instance group with an autoscaler, from a template with A100s: the
autoscaler costs nothing itself (the group's VMs are billed), so it is known free, not "not assessed"."""

import pulumi_gcp as gcp

tmpl = gcp.compute.InstanceTemplate("a2", machine_type="a2-highgpu-2g",
    disks=[gcp.compute.InstanceTemplateDiskArgs(source_image="projects/deeplearning-platform-release/global/images/family/common-cu123",
                                                auto_delete=True, boot=True)],
    network_interfaces=[gcp.compute.InstanceTemplateNetworkInterfaceArgs(network="default")],
    scheduling=gcp.compute.InstanceTemplateSchedulingArgs(on_host_maintenance="TERMINATE"))
mig = gcp.compute.RegionInstanceGroupManager("a2", region="us-central1", base_instance_name="a2", target_size=3,
    versions=[gcp.compute.RegionInstanceGroupManagerVersionArgs(instance_template=tmpl.self_link_unique, name="primary")])
gcp.compute.RegionAutoscaler("a2", region="us-central1", target=mig.id,
    autoscaling_policy=gcp.compute.RegionAutoscalerAutoscalingPolicyArgs(max_replicas=6, min_replicas=1))
