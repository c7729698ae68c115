"""Owned sites in the stack config: figures only with their source, GPUs by catalog model, a way into the
cluster; candidates name sites; every mistake reported at once with path, value, allowed and "did you mean"."""

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.errors import UserError
from tests.owned.sites import SITE, fleet


def problems(raw):
    with pytest.raises(UserError) as e:
        parse_fleet(raw)
    return [p.render() for p in e.value.problems]


def test_a_site_is_a_region_of_the_owned_cloud_priced_from_its_own_figures():
    parsed = parse_fleet(fleet())
    catalog = parsed.catalog(load_catalog())
    region = catalog.region("owned", "dc-north")
    assert (region.country, region.grid_gco2e_per_kwh, region.grid_source, region.grid_year, region.pue,
            region.pue_source) == ("SE", 28, "site figure: supplier disclosure", "2025", 1.2, "site figure: site meters")
    it = catalog.instance_type("dc-north/8xH100")
    # The GPU's rated power is the catalog's H100 (every rated H100 row says 700 W); the host is not described.
    assert (it.cloud, it.gpu_model, it.gpu_count, it.gpu_tdp_watts, it.vcpus, it.memory_gib) == (
        "owned", "H100", 8, 700.0, None, None)
    offer = catalog.offer("owned", "dc-north/8xH100", "dc-north")
    assert (offer.usd_per_hour, offer.price_source) == (
        8 * 1.85, "8 GPUs × 1.85 USD/GPU-hour amortised (site figure: 4-year amortisation)")
    assert catalog.version != load_catalog().version and parsed.catalog(catalog) is catalog


def test_a_figure_without_its_source_is_refused():
    site = {**SITE, "grid_gco2e_per_kwh": 28, "pue": {"value": 1.2, "year": 2025}}
    assert problems(fleet(sites=[site])) == [
        "gpufleet:fleet.sites[0].grid_gco2e_per_kwh: a figure needs its source: write {value: 28, source: ..., "
        "year: ...} (got 28)",
        "gpufleet:fleet.sites[0].pue.source: required key is missing",
    ]


def test_every_site_mistake_at_once():
    site = {**SITE, "country": "Sweden", "gpus": [{"gpu": "H10", "count": 20, "gpus_per_node": 8}],
            "cluster": {}, "gpu_sofware": "none"}
    raw = fleet(sites=[site, SITE], candidates=[{"cloud": "owned", "regions": ["dc-nort"]}])
    assert problems(raw) == [
        "gpufleet:fleet.candidates[0].regions[0]: unknown site (the regions of owned are the stack's `sites:`) "
        "(got 'dc-nort'); did you mean 'dc-north'?; allowed: dc-north",
        "gpufleet:fleet.sites[0].cluster: name a `context` of your kubeconfig or a `kubeconfig_secret` stack "
        "config key",
        "gpufleet:fleet.sites[0].country: must be an ISO 3166-1 alpha-2 country code: two upper-case letters (SE, "
        "DE) (got 'Sweden')",
        "gpufleet:fleet.sites[0].gpu_sofware: unknown key (got 'gpu_sofware'); did you mean 'gpu_software'?; "
        "allowed: cluster, country, gpu_software, gpus, grid_gco2e_per_kwh, latitude, location, longitude, "
        "name, pue, usd_per_gpu_hour",
        "gpufleet:fleet.sites[0].gpus[0]: count (20) must be a whole number of nodes of gpus_per_node (8)",
        "gpufleet:fleet.sites[0].gpus[0].gpu: unknown GPU model (got 'H10'); did you mean 'H100'?; allowed: "
        "A10, A100, A100-40GB, A100-80GB, A10G, B200, B200 (GB200 superchip), B300, H100, H100 (NC v5 variant), "
        "H200, L4, … (17 in all)",
        "gpufleet:fleet.sites[1].name: duplicate site name (also sites[0]) (got 'dc-north')",
    ]


def test_a_region_of_another_cloud_under_owned_is_said_to_be_one():
    raw = fleet(candidates=[{"cloud": "owned", "regions": ["dc-north", "us-west-2"]}])
    assert problems(raw) == [
        "gpufleet:fleet.candidates[0].regions[1]: is a region of aws, not a site (the regions of owned are the "
        "stack's `sites:`) (got 'us-west-2'); allowed: dc-north"]


@pytest.mark.parametrize("change, expected", [
    ({"pue": {"value": 0.9, "source": "m", "year": 2025}},
     "gpufleet:fleet.sites[0]: pue.value (0.9) must be at least 1.0 (facility energy / IT energy)"),
    ({"usd_per_gpu_hour": {"value": 0, "source": "free?", "year": 2025}},
     "gpufleet:fleet.sites[0]: usd_per_gpu_hour.value must be more than 0 (an unknown price is not free)"),
    ({"gpus": [{"gpu": "H100", "count": 8, "gpus_per_node": 8}, {"gpu": "h100", "count": 16, "gpus_per_node": 8}]},
     "gpufleet:fleet.sites[0]: gpus[1] lists h100 with 8 per node again (also gpus[0]): give each model and node "
     "size once, with all its GPUs"),
    ({"grid_gco2e_per_kwh": {"value": 28, "source": " ", "year": 2025}},
     "gpufleet:fleet.sites[0].grid_gco2e_per_kwh.source: must be text, not only spaces (got ' ')"),
    ({"country": "se"},  # the rule's fix is offered when it keeps the rule
     "gpufleet:fleet.sites[0].country: must be an ISO 3166-1 alpha-2 country code: two upper-case letters (SE, DE) "
     "(got 'se'); did you mean 'SE'?"),
])
def test_one_site_mistake_one_exact_problem(change, expected):
    assert problems(fleet(sites=[{**SITE, **change}])) == [expected]


def test_the_kubeconfig_is_named_as_a_secret_config_key_never_written_in_the_site():
    site = {**SITE, "cluster": {"kubeconfig_secret": "dcNorthKubeconfig", "kubeconfig": "apiVersion: v1"}}
    assert problems(fleet(sites=[site])) == [
        "gpufleet:fleet.sites[0].cluster.kubeconfig: unknown key (got 'kubeconfig'); did you mean "
        "'kubeconfig_secret'?; allowed: context, kubeconfig_secret",
        "gpufleet:fleet.sites[0].cluster.kubeconfig_secret: must be a stack config key written namespace:key "
        "(letters, digits, '_', '.' and '-' either side of one ':'), whose value is a secret (got 'dcNorthKubeconfig')",
    ]
