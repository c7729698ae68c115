"""Policy-config files: read, located per environment, and reconciled as the Pulumi CLI does."""

import json

import pytest

from gpufleet.errors import UserError
from gpufleet.policy.config import reconcile
from gpufleet.policy.inprocess import default_policy_config_path, effective_config, load_policy_config
from pack_helpers import PACK

POLICIES = [
    {"name": "a-budget", "enforcementLevel": "advisory", "required": [],
     "properties": {"monthly_usd": {"type": "number", "exclusiveMinimum": 0, "default": 100.0}}},
    {"name": "b-tags", "enforcementLevel": "advisory", "required": [],
     "properties": {"keys": {"type": "array", "items": {"type": "string"}, "default": ["team"]}}},
]


def test_environment_files_by_name():
    assert default_policy_config_path(PACK, "prod") == PACK / "prod.json"


def test_unknown_environment_names_the_files_there_are():
    with pytest.raises(UserError) as e:
        default_policy_config_path(PACK, "prdo")
    assert e.value.render() == (
        "invalid policy configuration: 1 problem(s)\n"
        f"  - {PACK / 'prdo.json'}: no policy configuration for environment 'prdo' (the stack's name); choose "
        "one with --policy-config FILE, or skip policies with --no-policies; did you mean "
        "'prod'?; allowed: dev, prod, staging")


def test_missing_file(tmp_path):
    with pytest.raises(UserError) as e:
        load_policy_config(tmp_path / "nope.json")
    assert str(tmp_path / "nope.json") in e.value.render() and "cannot read policy configuration" in e.value.render()


@pytest.mark.parametrize("text, message", [
    ('{"all": "mandatory",}', "invalid JSON: Expecting property name enclosed in double quotes"),
    ('["mandatory"]', "must be a JSON object of policy names to settings (got 'list')"),
    ('{"all": "mandatroy"}', "not a valid enforcement level (got 'mandatroy'); did you mean 'mandatory'?"),
    ('{"x": {"enforcementLevel": "strict"}}', "x.enforcementLevel: not a valid enforcement level (got 'strict')"),
    ('{"x": 3}', "x: must be an enforcement level or an object (got 'int')"),
])
def test_invalid_file(tmp_path, text, message):
    path = tmp_path / "env.json"
    path.write_text(text)
    with pytest.raises(UserError) as e:
        load_policy_config(path)
    assert message in e.value.render()


def test_empty_file_is_no_configuration(tmp_path):
    (tmp_path / "env.json").write_text("\n")
    assert load_policy_config(tmp_path / "env.json") == {}


def test_reconcile_starts_from_schema_defaults():
    assert reconcile(POLICIES, {}, {}) == {"a-budget": ("advisory", {"monthly_usd": 100.0}),
                                           "b-tags": ("advisory", {"keys": ["team"]})}


def test_reconcile_all_then_each_policy():
    given = {"all": "mandatory", "b-tags": {"enforcementLevel": "disabled", "keys": ["team", "owner"]},
             "a-budget": {"monthly_usd": 5}}
    assert reconcile(POLICIES, {}, given) == {
        "a-budget": ("mandatory", {"monthly_usd": 5}),
        "b-tags": ("disabled", {"keys": ["team", "owner"]}),
        "all": ("mandatory", {}),  # the CLI sends it along too
    }


def test_reconcile_reports_every_schema_problem_and_unknown_policy():
    given = {"a-budget": {"monthly_usd": -1}, "b-tags": {"keys": ["team", 7]}, "a-budgte": "mandatory"}
    with pytest.raises(UserError) as e:
        reconcile(POLICIES, {}, given, "prod.json")
    assert e.value.render() == (
        "invalid policy configuration: 3 problem(s)\n"
        "  - prod.json: a-budgte: no such policy in the pack; did you mean 'a-budget'?; allowed: a-budget, b-tags\n"
        "  - prod.json: a-budget.monthly_usd: must be greater than 0 (got -1)\n"
        "  - prod.json: b-tags.keys[1]: must be of type string (got 7)")


def test_the_pack_rejects_a_wrong_threshold_type():
    with pytest.raises(UserError) as e:
        effective_config(PACK, {"gpufleet-stack-gpu-quota": {"max_gpus": "many"}})
    assert "gpufleet-stack-gpu-quota.max_gpus: must be of type integer (got 'many')" in e.value.render()


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_environment_files_are_valid_json_for_the_cli(environment):
    doc = json.loads((PACK / f"{environment}.json").read_text())
    assert doc["all"] in ("advisory", "mandatory")
    effective_config(PACK, doc)  # raises on any unknown policy or invalid threshold


def test_a_misspelt_threshold_is_refused_with_the_allowed_names():
    given = {"a-budget": {"monthy_usd": 20000}}
    with pytest.raises(UserError) as e:
        reconcile(POLICIES, {}, given, "dev.json")
    assert e.value.render() == (
        "invalid policy configuration: 1 problem(s)\n"
        "  - dev.json: a-budget.monthy_usd: no such threshold in this policy; did you mean 'monthly_usd'?; "
        "allowed: monthly_usd")


def test_the_pack_refuses_an_unknown_threshold_naming_the_file():
    with pytest.raises(UserError) as e:
        effective_config(PACK, {"gpufleet-stack-gpu-quota": {"max_pue": 1.4}}, "prod.json")
    assert e.value.render() == (
        "invalid policy configuration: 1 problem(s)\n"
        "  - prod.json: gpufleet-stack-gpu-quota.max_pue: no such threshold in this policy; did you mean "
        "'max_gpus'?; allowed: max_gpus")
