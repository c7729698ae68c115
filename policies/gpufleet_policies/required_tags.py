"""gpufleet-required-tags: every taggable resource carries the owner tags (team, cost-center, environment):
AWS and Azure tags, GCP labels."""

from __future__ import annotations

import json

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._taggable import owner_tags_path
from gpufleet_policies._values import as_list, get, is_unknown, join, plain

NAME = "gpufleet-required-tags"
ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


# provider type -> (its input holding defaults for every resource, the path to the map inside it, as configured)
PROVIDER_DEFAULTS = {
    "pulumi:providers:aws": ("defaultTags", ("tags",), "aws:defaultTags"),
    "pulumi:providers:gcp": ("defaultLabels", (), "gcp:defaultLabels"),
}


def _provider_defaults(args) -> dict:
    """Tags or labels the resource's provider adds to every resource (`aws:defaultTags`,
    `gcp:defaultLabels` in stack config arrive as JSON text)."""
    entry = PROVIDER_DEFAULTS.get(args.provider.resource_type) if args.provider is not None else None
    if entry is None:
        return {}
    key, path, _ = entry
    default = get(plain(args.provider.props), key)
    if isinstance(default, str) and not is_unknown(default):
        try:
            default = json.loads(default)
        except ValueError:
            return {}
    tags = get(default, *path)
    return tags if isinstance(tags, dict) else {}


def _missing(tags: dict, required: list[str]) -> list[str]:
    return [k for k in required if tags.get(k) in (None, "")]


def check(args, config, findings) -> None:
    path = owner_tags_path(args.resource_type)
    if path is None:
        return
    required = list(config["required_tags"])
    props = plain(args.props)
    tags = get(props, *path)
    dotted = ".".join(path)
    if is_unknown(tags):
        findings.cannot_verify(f"{dotted}: not known at preview")
        return
    if args.resource_type == ASG:  # a list of {key, value, propagateAtLaunch}
        tags = {get(t, "key"): get(t, "value") for t in as_list(tags)}
    own = tags if isinstance(tags, dict) else {}
    defaults = _provider_defaults(args)
    missing = _missing({**defaults, **own}, required)
    if missing:
        present = join(sorted(k for k, v in {**defaults, **own}.items() if v not in (None, ""))) or "none"
        if path == ("tags",):
            findings.violation(
                f"missing required tag(s) {join(missing)} (tags present: {present}). Fix: add "
                f"{join(f'{k}=…' for k in missing)} to its tags, or once for all resources on the provider "
                "(aws:defaultTags)."
            )
        else:
            findings.violation(
                f"missing required label(s) {join(missing)} ({dotted} present: {present}). Fix: add "
                f"{join(f'{k}=…' for k in missing)} to {dotted}, or once for all resources on the provider "
                "(gcp:defaultLabels); label values are lower-case letters, digits, '_' and '-'."
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
    "Every taggable resource (its provider SDK takes `tags`, or on GCP `labels`) carries the required owner "
    "tags; an AWS provider's defaultTags and a GCP provider's defaultLabels count.",
    check,
    area="safety",
    severity=Severity.MEDIUM,
    remediation="Add team, cost-center and environment tags (GCP labels), or set them on the provider's "
                "defaultTags (GCP defaultLabels).",
    properties={"required_tags": {"type": "array", "items": {"type": "string"},
                                  "default": ["team", "cost-center", "environment"],
                                  "description": "tag keys every taggable resource must carry"}},
)
