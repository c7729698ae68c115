"""The VPC firewall example for SSH, with the source left open to the whole internet."""

import pulumi_gcp as gcp

network = gcp.compute.Network("gpu-net", auto_create_subnetworks=False)
gcp.compute.Firewall(
    "allow-ssh",
    network=network.name,
    direction="INGRESS",
    allows=[{"protocol": "tcp", "ports": ["22"]}],
    source_ranges=["0.0.0.0/0"],
)
