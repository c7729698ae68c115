"""The pack itself: its files, policy names and metadata, and the environment configuration files."""

import ast
import importlib
import re

import pytest
import yaml

from gpufleet.policy.config import validate
from gpufleet.policy.inprocess import effective_config, load_pack
from pack_helpers import PACK, ROOT, environment_config

NAMES = {
    "cost": ["gpufleet-stack-monthly-cost-budget", "gpufleet-stack-gpu-quota", "gpufleet-node-group-max-gpus",
             "gpufleet-gpu-instance-types-allowed", "gpufleet-nonprod-gpu-spot-or-scale-to-zero",
             "gpufleet-gpu-unpriced", "gpufleet-gpu-capacity-reservation-expected",
             "gpufleet-capacity-reservation-expiring", "gpufleet-capacity-reservation-expired",
             "gpufleet-task-stack-expiry-required"],
    "sustainability": ["gpufleet-gpu-region-max-grid-intensity", "gpufleet-stack-monthly-carbon-budget",
                       "gpufleet-gpu-region-max-pue", "gpufleet-gpu-always-on-idle-waste"],
    "safety": ["gpufleet-required-tags", "gpufleet-storage-encryption-at-rest", "gpufleet-storage-no-public-access",
               "gpufleet-kubernetes-private-endpoint", "gpufleet-instance-imdsv2-required",
               "gpufleet-storage-protected-or-retained", "gpufleet-object-storage-lifecycle-rules",
               "gpufleet-security-group-no-open-ingress", "gpufleet-placement-locked"],
}
ALL = [n for names in NAMES.values() for n in names]
pack = load_pack(PACK)


def test_the_pack_has_exactly_the_policies_of_the_issue_in_order():
    assert [p.name for p in pack.POLICIES] == ALL


@pytest.mark.parametrize("name", ALL)
def test_one_kebab_case_policy_per_module_with_metadata(name):
    module = importlib.import_module(f"gpufleet_policies.{name.removeprefix('gpufleet-').replace('-', '_')}")
    policy = module.POLICY
    assert module.NAME == policy.name == name
    assert re.fullmatch(r"gpufleet(-[a-z0-9]+)+", name)
    assert policy.description and policy.severity is not None and policy.remediation_steps and policy.tags
    properties = policy.config_schema.properties if policy.config_schema else {}
    for prop, schema in properties.items():
        assert "default" in schema and schema.get("description"), prop
        assert validate({"properties": properties}, {prop: schema["default"]}) == []


def test_main_only_constructs_the_policy_pack():
    tree = ast.parse((PACK / "__main__.py").read_text())
    statements = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))
                  and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    # The pack's process first sets its collector for one preview, has pulumi-policy convert and
    # deserialize each message once and configure its runtime once (gpufleet_policies._process).
    assert [s.value.func.id for s in statements if isinstance(s.value, ast.Call)] == \
        ["collector_for_one_preview", "parse_each_message_once", "share_read_only_properties",
         "configure_runtime_once", "PolicyPack"]
    assert len(statements) == 5


def test_pulumi_policy_yaml_runs_python_in_the_project_virtualenv():
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert (PACK / project["runtime"]["options"]["virtualenv"] / "bin" / "python").exists()
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])
    requirements = (PACK / "requirements.txt").read_text().split()
    assert "-e" in requirements and "pulumi-policy==1.21.0" in requirements


def levels(environment):
    return {name: level for name, (level, _) in effective_config(PACK, environment_config(environment)).items()}


def test_dev_is_advisory_everywhere():
    assert set(levels("dev").values()) == {"advisory"}


def test_staging_blocks_data_exposure_and_advises_on_the_rest():
    mandatory = {n for n, level in levels("staging").items() if level == "mandatory"}
    assert mandatory == {"gpufleet-required-tags", "gpufleet-storage-encryption-at-rest",
                         "gpufleet-storage-no-public-access", "gpufleet-kubernetes-private-endpoint",
                         "gpufleet-instance-imdsv2-required", "gpufleet-security-group-no-open-ingress",
                         "gpufleet-placement-locked"}
    assert set(levels("staging").values()) == {"mandatory", "advisory"}


def test_prod_is_mandatory_except_the_documented_exceptions():
    not_mandatory = {n: level for n, level in levels("prod").items() if level != "mandatory"}
    assert not_mandatory == {
        "gpufleet-nonprod-gpu-spot-or-scale-to-zero": "disabled",
        "gpufleet-gpu-unpriced": "advisory",
        "gpufleet-capacity-reservation-expiring": "advisory",
        "gpufleet-gpu-always-on-idle-waste": "advisory",
        "gpufleet-storage-protected-or-retained": "advisory",
        "gpufleet-object-storage-lifecycle-rules": "advisory",
    }


@pytest.mark.parametrize("environment, thresholds", [
    ("dev", {"monthly_usd": 20000, "max_gpus": 16, "max_gpus_per_node_group": 8, "max_grid_gco2e_per_kwh": 450,
             "monthly_tco2e": 2, "max_pue": 1.5, "max_gpus_without_reservation": 64}),
    ("staging", {"monthly_usd": 150000, "max_gpus": 64, "max_gpus_per_node_group": 32, "max_grid_gco2e_per_kwh": 300,
                 "monthly_tco2e": 10, "max_pue": 1.4, "max_gpus_without_reservation": 64}),
    ("prod", {"monthly_usd": 500000, "max_gpus": 512, "max_gpus_per_node_group": 128, "max_grid_gco2e_per_kwh": 300,
              "monthly_tco2e": 50, "max_pue": 1.4, "max_gpus_without_reservation": 64}),
])
def test_environment_thresholds(environment, thresholds):
    config = effective_config(PACK, environment_config(environment))
    found = {k: v for _, props in config.values() for k, v in props.items() if k in thresholds}
    assert found == thresholds


def test_dev_allows_only_single_gpu_instance_types():
    from gpufleet.catalog import load_catalog

    catalog = load_catalog()
    allowed = effective_config(PACK, environment_config("dev"))["gpufleet-gpu-instance-types-allowed"][1]
    assert sorted(allowed["allowed_instance_types"]) == sorted(
        n for n, it in catalog.instance_types.items() if it.gpu_count == 1)


def test_docs_describe_every_policy_and_the_cli_commands():
    text = (ROOT / "docs" / "policies.md").read_text()
    for name in ALL:
        assert f"`{name}`" in text, name
    for command in ("pulumi preview --policy-pack policies --policy-pack-config policies/prod.json",
                    "pulumi policy publish", "pulumi policy enable", "gpufleet preview prod"):
        assert command in text, command
