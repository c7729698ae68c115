"""The GKE example "with a separately managed node pool": its control plane has a public endpoint."""

import pulumi_gcp as gcp

LABELS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}

primary = gcp.container.Cluster(
    "primary",
    location="europe-west4",
    remove_default_node_pool=True,
    initial_node_count=1,
    resource_labels=LABELS,
)
gcp.container.NodePool(
    "primary-nodes",
    cluster=primary.id,
    location="europe-west4",
    node_count=1,
    node_config={"machine_type": "e2-standard-4", "resource_labels": LABELS,
                 "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"]},
)
