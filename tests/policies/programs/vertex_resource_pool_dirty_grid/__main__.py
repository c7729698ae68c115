"""The pulumi-gcp `vertex.AiDeploymentResourcePool` example, with GPUs: 4 to 8 replicas of a3-highgpu-8g
(8 H100 each) in us-central1 (412.72 gCO2e/kWh). gpufleet has no reader for the type: it was "not
assessed" and passed prod (found by review14c)."""

import pulumi_gcp as gcp

gcp.vertex.AiDeploymentResourcePool(
    "llm",
    name="llm-pool",
    region="us-central1",
    dedicated_resources={
        "machine_spec": {"machine_type": "a3-highgpu-8g", "accelerator_type": "NVIDIA_H100_80GB",
                         "accelerator_count": 8},
        "min_replica_count": 4,
        "max_replica_count": 8,
    },
)
