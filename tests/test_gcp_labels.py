"""GCP label rules: owner tags that cannot be labels are refused; gpufleet's own values made label-safe."""

from gpufleet.clouds.gcp.labels import label_problems, label_value


def test_owner_tags_that_break_the_label_rules_are_named():
    tags = {"team": "ml-platform", "cost-center": "CC-4012", "Environment": "prod", "owner": "a" * 64, "ok_1": "x_y-2"}
    assert [p.render() for p in label_problems("fleet.tags", tags)] == [
        "fleet.tags.cost-center: not a GCP label value: at most 63 lowercase letters, digits, '_' or '-' "
        "(got 'CC-4012')",
        "fleet.tags.Environment: not a GCP label key: start with a lowercase letter, then at most 62 lowercase "
        "letters, digits, '_' or '-' (got 'Environment')",
        f"fleet.tags.owner: not a GCP label value: at most 63 lowercase letters, digits, '_' or '-' (got '{'a' * 64}')",
    ]
    assert label_problems("t", {"team": "ml", "cost-center": "cc-1", "environment": "prod", "é-team": "équipe"}) == []


def test_derived_values_are_made_label_safe_and_stay_distinct_when_cut():
    assert label_value("Cost: cheapest region — $542,755/month") == "cost-cheapest-region-542-755-month"
    long_a, long_b = "x" * 80 + "a", "x" * 80 + "b"
    assert len(label_value(long_a)) == 63 and label_value(long_a) != label_value(long_b)
