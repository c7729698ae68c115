"""The inference team's stack: one EKS cluster with a serving and a batch GPU node group.

The components come from the gpufleet package (a pinned release, see requirements.txt), used directly
from Python.
The team builds the provider (components never do) and passes it down; the node groups' sizes come
from the stack configuration, so a pull request that changes them shows its cost and carbon delta in
the gpufleet report.
"""

import pulumi
import pulumi_aws as aws

from gpufleet.components import GpuCluster

config = pulumi.Config()
region = aws.config.region or "us-east-2"
provider = aws.Provider(f"aws-{region}", region=region)

cluster = GpuCluster(
    "inference",
    {
        "cloud": "aws",
        "region": region,
        "tags": {"team": "inference", "cost-center": "cc-7001", "environment": pulumi.get_stack()},
        "node_groups": [
            # Serving on L4, on demand, scaled down outside working hours.
            {"workload": "serving", "gpu": "L4", "gpu_count": config.require_int("serving_gpus"),
             "scale_to_zero": True, "utilization_percent": 60, "hours_per_month": 300},
            # Nightly batch evaluation on L40S Spot; the autoscaler frees the nodes when idle.
            {"workload": "batch", "gpu": "L40S", "instance_type": "g6e.2xlarge",
             "gpu_count": config.require_int("batch_gpus"), "capacity_type": "spot", "scale_to_zero": True,
             "hours_per_month": 120},
        ],
        "storage": [{"workload": "serving", "enable_hot_tier": False, "object_capacity_tib": 2}],
    },
    opts=pulumi.ResourceOptions(providers={"aws": provider}),
)

pulumi.export("cluster_name", cluster.cluster_name)
pulumi.export("node_groups", cluster.node_groups)
