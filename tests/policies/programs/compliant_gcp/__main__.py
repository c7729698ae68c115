"""Everything right on GCP: a private GKE endpoint, an L4 pool that scales to zero in a clean region,
a bucket with uniform access, public access prevention, lifecycle and protection, SSH only from the
VPC, owner labels on everything that takes labels."""

import pulumi
import pulumi_gcp as gcp

LABELS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}

network = gcp.compute.Network("gpu-net", auto_create_subnetworks=False)
subnet = gcp.compute.Subnetwork("gpu-nodes", network=network.id, region="europe-west4", ip_cidr_range="10.0.0.0/20",
                                private_ip_google_access=True)
gcp.compute.Firewall("allow-ssh-internal", network=network.name, allows=[{"protocol": "tcp", "ports": ["22"]}],
                     source_ranges=["10.0.0.0/8"])
cluster = gcp.container.Cluster(
    "gke",
    location="europe-west4",
    network=network.id,
    subnetwork=subnet.id,
    remove_default_node_pool=True,
    initial_node_count=1,
    private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": True,
                            "master_ipv4_cidr_block": "172.16.0.0/28"},
    resource_labels=LABELS,
)
gcp.container.NodePool(
    "l4",
    cluster=cluster.id,
    location="europe-west4",
    node_locations=["europe-west4-a"],
    initial_node_count=1,
    autoscaling={"min_node_count": 0, "max_node_count": 4},
    node_config={
        "machine_type": "g2-standard-4",
        "guest_accelerators": [{"type": "nvidia-l4", "count": 1,
                                "gpu_driver_installation_config": {"gpu_driver_version": "LATEST"}}],
        "resource_labels": LABELS,
    },
)
bucket = gcp.storage.Bucket(
    "datasets",
    location="EUROPE-WEST4",
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    labels=LABELS,
    lifecycle_rules=[{"condition": {"age": 30}, "action": {"type": "SetStorageClass", "storage_class": "COLDLINE"}}],
    opts=pulumi.ResourceOptions(protect=True),
)
gcp.storage.BucketIAMMember("datasets-trainers", bucket=bucket.name, role="roles/storage.objectViewer",
                            member="serviceAccount:trainer@ml-platform-prod.iam.gserviceaccount.com")
# Project roles to named principals only; Cloud SQL reachable on its private IP, and on its public IP from
# one office range only.
gcp.projects.IAMMember("trainer-log-writer", project="ml-platform-prod", role="roles/logging.logWriter",
                       member="serviceAccount:trainer@ml-platform-prod.iam.gserviceaccount.com")
gcp.projects.IAMBinding("platform-viewers", project="ml-platform-prod", role="roles/viewer",
                        members=["group:ml-platform@example.com"])
gcp.sql.DatabaseInstance(
    "experiments",
    database_version="POSTGRES_16",
    region="europe-west4",
    settings={
        "tier": "db-custom-2-7680",
        "user_labels": LABELS,
        "ip_configuration": {"ipv4_enabled": True, "private_network": network.id,
                             "authorized_networks": [{"name": "office", "value": "203.0.113.0/24"}]},
    },
    deletion_protection=True,
)
