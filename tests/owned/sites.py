"""A fleet with one owned site, shared by the owned-capacity tests."""

import copy

SITE = {
    "name": "dc-north", "country": "SE",
    "grid_gco2e_per_kwh": {"value": 28, "source": "supplier disclosure", "year": 2025},
    "pue": {"value": 1.2, "source": "site meters", "year": 2025},
    "usd_per_gpu_hour": {"value": 1.85, "source": "4-year amortisation", "year": 2025},
    "gpus": [{"gpu": "H100", "count": 32, "gpus_per_node": 8}],
    "cluster": {"context": "dc-north-admin"},
}
FLEET = {
    "environment": "prod",
    "owner": {"team": "ml-platform", "cost-center": "cc-4012"},
    "objective": "carbon",
    "candidates": [{"cloud": "owned", "regions": ["dc-north"]}, {"cloud": "azure", "regions": ["westus"]}],
    "sites": [SITE],
    "workloads": [{"name": "train", "gpu": "H100", "gpu_count": 32, "utilization_percent": 85}],
}


def fleet(**changes) -> dict:
    raw = copy.deepcopy(FLEET)
    raw.update(copy.deepcopy(changes))
    return raw
