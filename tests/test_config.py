"""Fleet configuration: every problem at once, with path, bad value, allowed values and suggestion."""

import copy

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.errors import UserError

VALID = {
    "environment": "dev",
    "owner": {"team": "ml-platform", "cost-center": "cc-1234"},
    "candidates": [{"cloud": "aws", "regions": ["us-west-2", "eu-north-1"]}],
    "workloads": [{"name": "train", "gpu": "H100", "gpu_count": 16, "utilization_percent": 60}],
}


def problems(raw):
    with pytest.raises(UserError) as e:
        parse_fleet(raw)
    return [p.render() for p in e.value.problems]


def test_valid_fleet_and_documented_defaults():
    fleet = parse_fleet(VALID)
    w = fleet.workloads[0]
    assert (fleet.objective, fleet.max_cost_premium_percent, w.capacity, w.hours_per_month, w.kind) == (
        "balanced", 10.0, "on-demand", 730.0, "training")
    assert w.always_on and w.utilization == 0.6
    assert fleet.owner_tags == {"team": "ml-platform", "cost-center": "cc-1234", "environment": "dev"}
    assert fleet.candidate_regions() == [("aws", "us-west-2"), ("aws", "eu-north-1")]


def test_every_problem_reported_at_once_with_paths():
    raw = copy.deepcopy(VALID)
    raw["budget"] = {}
    raw["candidates"].append({"cloud": "azur", "regions": ["eastus"]})
    raw["candidates"][0]["regions"][1] = "eu-nort-1"
    raw["workloads"].append({"name": "train", "gpu": "H10", "gpu_count": -1, "utilisation_percent": 50,
                             "capacity": "spto"})
    assert problems(raw) == [
        "gpufleet:fleet.budget: unknown key (got 'budget'); did you mean 'budgets'?; allowed: budgets, "
        "candidates, enable_gpu_software, environment, max_cost_premium_percent, objective, owner, quotas, replacement_threshold_percent, sites, tags, workloads",
        "gpufleet:fleet.candidates[0].regions[1]: unknown aws region (got 'eu-nort-1'); did you mean "
        "'eu-north-1'?; allowed: ap-east-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, "
        "ap-southeast-2, ap-southeast-3, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-south-2, "
        "… (21 in all)",
        "gpufleet:fleet.candidates[1].cloud: Input should be 'aws', 'azure', 'gcp', 'oci', 'coreweave' or 'owned' (got "
        "'azur'); did you mean 'azure'?; allowed: aws, azure, gcp, oci, coreweave, owned",
        "gpufleet:fleet.workloads[1].capacity: Input should be 'on-demand', 'spot' or 'reserved' (got "
        "'spto'); did you mean 'spot'?; allowed: on-demand, spot, reserved",
        "gpufleet:fleet.workloads[1].gpu: unknown GPU model (got 'H10'); did you mean 'H100'?; allowed: A10, "
        "A100, A100-40GB, A100-80GB, A10G, B200, B200 (GB200 superchip), B300, H100, H100 (NC v5 variant), "
        "H200, L4, … (17 in all)",
        "gpufleet:fleet.workloads[1].gpu_count: Input should be greater than 0 (got -1)",
        "gpufleet:fleet.workloads[1].name: duplicate workload name (also workloads[0]) (got 'train')",
        "gpufleet:fleet.workloads[1].utilisation_percent: unknown key (got 'utilisation_percent'); did you "
        "mean 'utilization_percent'?; allowed: capacity, data_locality, data_residency, gpu, gpu_count, "
        "high_bandwidth_fabric, hours_per_month, instance_type, kind, name, needed_until, reservation, "
        "… (15 in all)",
        "gpufleet:fleet.workloads[1].utilization_percent: required key is missing",
    ]


@pytest.mark.parametrize("mutate, expected", [
    (lambda r: r["workloads"][0].update(gpu_count="many"),
     ["gpufleet:fleet.workloads[0].gpu_count: is not a plain decimal number (ASCII digits, an optional sign, decimal "
      "point and exponent: 8, 55.04, 1.5e3) (got 'many')"]),
    (lambda r: r["workloads"][0].update(instance_type="p5.48xlrge"),
     ["gpufleet:fleet.workloads[0].instance_type: unknown GPU instance type (got 'p5.48xlrge'); did you mean "
      "'p5.48xlarge'?; allowed: BM.GPU.A100-v2.8, BM.GPU.B200.8, BM.GPU.H100.8, BM.GPU.H200.8, "
      "BM.GPU.L40S.4, Standard_NC12s_v3, Standard_NC16as_T4_v3, Standard_NC24ads_A100_v4, Standard_NC24rs_v3, "
      "Standard_NC24s_v3, Standard_NC40ads_H100_v5, Standard_NC48ads_A100_v4, … (106 in all)"]),
    (lambda r: r["workloads"][0].update(instance_type="p4d.24xlarge"),
     ["gpufleet:fleet.workloads[0].instance_type: p4d.24xlarge has A100-40GB GPUs, not H100 (got 'p4d.24xlarge')"]),
    (lambda r: r["workloads"][0].update(instance_type="Standard_NV6ads_A10_v5"),
     ["gpufleet:fleet.workloads[0].instance_type: Standard_NV6ads_A10_v5 is a partition of one GPU (1/6 of an A10); "
      "a workload needs whole GPUs: pin a type with whole GPUs, or leave the choice to placement (got "
      "'Standard_NV6ads_A10_v5')"]),
    (lambda r: r["workloads"][0].update(capacity="reserved"),
     ["gpufleet:fleet.workloads[0]: capacity 'reserved' needs a `reservation` (kind, id, zone)"]),
    (lambda r: r["workloads"][0].update(data_residency=["EU", "SEE"]),
     None),
    (lambda r: r["workloads"][0].update(utilization_percent=120),
     ["gpufleet:fleet.workloads[0].utilization_percent: Input should be less than or equal to 100 (got 120)"]),
    (lambda r: r.pop("owner"), ["gpufleet:fleet.owner: required key is missing"]),
    # a string where a list belongs is one type error, not one "unknown region" per character
    (lambda r: r["candidates"][0].update(regions="us-west-2"),
     ["gpufleet:fleet.candidates[0].regions: Input should be a valid list (got 'us-west-2')"]),
    (lambda r: r["workloads"][0].update(data_residency="EU"),
     ["gpufleet:fleet.workloads[0].data_residency: Input should be a valid list (got 'EU')"]),
    # a list or mapping where its type is the mistake is shown (short JSON, or in words when long), and
    # pydantic's own class names ("or instance of Workload") are not (review6)
    (lambda r: r["workloads"][0].update(gpu_count=[8]),
     ["gpufleet:fleet.workloads[0].gpu_count: Input should be a valid integer (got [8])"]),
    (lambda r: r["workloads"][0].update(gpu={"model": "H100"}),
     ['gpufleet:fleet.workloads[0].gpu: Input should be a valid string (got {"model": "H100"})']),
    (lambda r: r.update(objective={"value": "cost"}),  # a choice wrapped in a mapping
     ['gpufleet:fleet.objective: Input should be \'carbon\', \'cost\' or \'balanced\' (got {"value": "cost"}); '
      "allowed: carbon, cost, balanced"]),
    (lambda r: r.update(objective=None),  # `objective:` left empty
     ["gpufleet:fleet.objective: Input should be 'carbon', 'cost' or 'balanced' (got null); allowed: carbon, cost, "
      "balanced"]),
    (lambda r: r["workloads"][0].update(gpu=None),
     ["gpufleet:fleet.workloads[0].gpu: Input should be a valid string (got null)"]),
    (lambda r: r.update(workloads=[[dict(w) for w in r["workloads"]]]),
     ["gpufleet:fleet.workloads[0]: Input should be a valid dictionary (got a list of 1 item(s))"]),
    (lambda r: r["workloads"][0].update(storage={"cold_after_days": 90, "archive_after_days": 30}),
     ["gpufleet:fleet.workloads[0].storage: archive_after_days (30) must be greater than cold_after_days (90)"]),
])
def test_one_mistake_one_exact_problem(mutate, expected):
    raw = copy.deepcopy(VALID)
    mutate(raw)
    got = problems(raw)
    if expected is None:  # residency: unknown code suggests the closest country code
        assert len(got) == 1 and got[0].startswith(
            "gpufleet:fleet.workloads[0].data_residency[1]: unknown country code or group (got 'SEE'); did you mean 'SE'?")
    else:
        assert got == expected


def test_problems_in_the_order_of_the_file():
    """Indexes compare as numbers: workloads[9] before workloads[10] (a 300-workload file listed [100] after [0])."""
    raw = copy.deepcopy(VALID)
    raw["workloads"] = [{"name": f"w{i}", "gpu": "H100", "gpu_count": 1} for i in range(12)]
    assert problems(raw) == [f"gpufleet:fleet.workloads[{i}].utilization_percent: required key is missing"
                             for i in range(12)]


NAME_RULE = "must be 1 to 24 characters: lower-case letters, digits and '-', starting with a letter"


def allowed_regions(cloud):
    names = load_catalog().region_names(cloud)
    return "allowed: " + ", ".join(names[:12]) + f", … ({len(names)} in all)"


@pytest.mark.parametrize("mutate, expected", [
    # a name's rule in words, not pydantic's regular expression; the fixed name when it keeps the rule
    (lambda r: r["workloads"][0].update(name="Train_1"),
     [f"gpufleet:fleet.workloads[0].name: {NAME_RULE} (got 'Train_1'); did you mean 'train-1'?"]),
    (lambda r: r.update(environment="Dev"),
     [f"gpufleet:fleet.environment: {NAME_RULE} (got 'Dev'); did you mean 'dev'?"]),
    (lambda r: r.update(environment="1-dev"), [f"gpufleet:fleet.environment: {NAME_RULE} (got '1-dev')"]),
    (lambda r: r["workloads"][0].update(name="T" + "x" * 24),
     [f"gpufleet:fleet.workloads[0].name: {NAME_RULE} (got '{'T' + 'x' * 24}')"]),
    # a region of another cloud is said to be one, wherever a region is given for a cloud
    (lambda r: r["candidates"][0]["regions"].append("eastus"),
     ["gpufleet:fleet.candidates[0].regions[2]: is a region of azure, not of aws (got 'eastus'); "
      + allowed_regions("aws")]),
    (lambda r: r.update(quotas=[{"cloud": "azure", "region": "us-west-2", "gpus": 8}]),
     ["gpufleet:fleet.quotas[0].region: is a region of aws, not of azure (got 'us-west-2'); "
      + allowed_regions("azure")]),
    (lambda r: r["workloads"][0].update(data_locality={"cloud": "gcp", "region": "eu-north-1"}),
     ["gpufleet:fleet.workloads[0].data_locality.region: is a region of aws, not of gcp (got 'eu-north-1'); "
      + allowed_regions("gcp")]),
    # placement would apply both quotas of a region, so the smaller one would silently win
    (lambda r: r.update(quotas=[{"cloud": "aws", "region": "us-west-2", "gpus": 8},
                                {"cloud": "aws", "region": "eu-north-1", "gpus": 8},
                                {"cloud": "aws", "region": "us-west-2", "gpus": 16}]),
     ["gpufleet:fleet.quotas[2]: a second quota for aws us-west-2 (also quotas[0]): give one quota per region"]),
])
def test_names_regions_and_quotas_one_exact_problem(mutate, expected):
    raw = copy.deepcopy(VALID)
    mutate(raw)
    assert problems(raw) == expected


def test_not_a_mapping():
    assert problems(["x"]) == ["gpufleet:fleet: must be a mapping of fleet settings (got 'list')"]


def test_residency_groups_expand():
    raw = copy.deepcopy(VALID)
    raw["workloads"][0]["data_residency"] = ["EU", "CH"]
    countries = parse_fleet(raw).workloads[0].residency_countries
    assert {"SE", "DE", "CH"} <= countries and "GB" not in countries and "NO" not in countries


PLAIN = "is not a plain decimal number (ASCII digits, an optional sign, decimal point and exponent: 8, 55.04, 1.5e3)"


@pytest.mark.parametrize("text", ["5_5", "٥", "１６", "16\u00a0"], ids=["underscore", "arabic-indic", "fullwidth", "nbsp"])
def test_numbers_written_as_text_are_plain_decimal_numbers(text):
    # pydantic (like float()) reads "5_5" as 55 and Unicode digits as digits; YAML 1.2 keeps 5_5 a string.
    raw = copy.deepcopy(VALID)
    raw["workloads"][0]["gpu_count"] = text
    raw["budgets"] = {"monthly_usd": text}
    assert problems(raw) == [f"gpufleet:fleet.budgets.monthly_usd: {PLAIN} (got {text!r})",
                             f"gpufleet:fleet.workloads[0].gpu_count: {PLAIN} (got {text!r})"]


def test_a_number_written_as_plain_text_is_still_read():
    raw = copy.deepcopy(VALID)
    raw["workloads"][0]["gpu_count"], raw["workloads"][0]["hours_per_month"] = "16", "100.5"
    assert (parse_fleet(raw).workloads[0].gpu_count, parse_fleet(raw).workloads[0].hours_per_month) == (16, 100.5)
