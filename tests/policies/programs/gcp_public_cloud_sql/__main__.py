"""Written as the Cloud SQL examples are (pulumi-gcp docs, sql.DatabaseInstance), with the public IP
authorized for every address ("0.0.0.0/0", the quick way to let any client connect)."""

import pulumi_gcp as gcp

gcp.sql.DatabaseInstance(
    "experiments",
    database_version="POSTGRES_16",
    region="europe-west4",
    settings={
        "tier": "db-custom-2-7680",
        "user_labels": {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"},
        "ip_configuration": {
            "ipv4_enabled": True,
            "authorized_networks": [{"name": "office", "value": "203.0.113.0/24"},
                                    {"name": "anywhere", "value": "0.0.0.0/0"}],
        },
    },
    deletion_protection=True,
)
