"""gpufleet-required-tags: every taggable resource carries the owner tags (team, cost-center, environment)."""

from __future__ import annotations

import json

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._taggable import is_taggable
from gpufleet_policies._values import as_list, get, is_unknown, join, plain

NAME = "gpufleet-required-tags"
ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _provider_default_tags(args) -> dict:
    """Tags an AWS provider adds to every resource (`defaultTags`, `aws:defaultTags` in stack config)."""
    if args.provider is None or not args.provider.resource_type.startswith("pulumi:providers:aws"):
        return {}
    default = get(plain(args.provider.props), "defaultTags")
    if isinstance(default, str) and not is_unknown(default):
        try:
            default = json.loads(default)
        except ValueError:
            return {}
    tags = get(default, "tags")
    return tags if isinstance(tags, dict) else {}


def _missing(tags: dict, required: list[str]) -> list[str]:
    return [k for k in required if tags.get(k) in (None, "")]


def check(args, config, findings) -> None:
    if not is_taggable(args.resource_type):
        return
    required = list(config["required_tags"])
    props = plain(args.props)
    tags = props.get("tags")
    if is_unknown(tags):
        findings.cannot_verify("tags: not known at preview")
        return
    if args.resource_type == ASG:  # a list of {key, value, propagateAtLaunch}
        tags = {get(t, "key"): get(t, "value") for t in as_list(tags)}
    own = tags if isinstance(tags, dict) else {}
    defaults = _provider_default_tags(args)
    missing = _missing({**defaults, **own}, required)
    if missing:
        present = join(sorted(k for k, v in {**defaults, **own}.items() if v not in (None, ""))) or "none"
        findings.violation(
            f"missing required tag(s) {join(missing)} (tags present: {present}). Fix: add "
            f"{join(f'{k}=…' for k in missing)} to its tags, or once for all resources on the provider "
            "(aws:defaultTags)."
        )
    if args.resource_type == LAUNCH_TEMPLATE:
        for i, spec in enumerate(as_list(props.get("tagSpecifications"))):
            spec_tags = get(spec, "tags")
            if is_unknown(spec_tags):
                findings.cannot_verify(f"tagSpecifications[{i}].tags: not known at preview")
                continue
            missing = _missing(spec_tags if isinstance(spec_tags, dict) else {}, required)
            if missing:
                findings.violation(
                    f"tagSpecifications[{i}] ({get(spec, 'resourceType') or 'resource'}) lacks {join(missing)}: "
                    "what the template launches is not attributed. Fix: add the required tags to its tags."
                )


POLICY = resource_policy(
    NAME,
    "Every taggable resource (its provider SDK takes `tags`) carries the required owner tags; an AWS "
    "provider's defaultTags count.",
    check,
    area="safety",
    severity=Severity.MEDIUM,
    remediation="Add team, cost-center and environment tags, or set them on the provider's defaultTags.",
    properties={"required_tags": {"type": "array", "items": {"type": "string"},
                                  "default": ["team", "cost-center", "environment"],
                                  "description": "tag keys every taggable resource must carry"}},
)
