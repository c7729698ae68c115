"""gpufleet-required-tags: every taggable resource carries the owner tags (team, cost-center, environment):
AWS and Azure tags, GCP labels, OCI freeform tags, CoreWeave tags (and a CKS NodePool's labels). Which types take them, and where, comes from the cloud adapters; a
resource of a cloud no adapter knows is never passed silently."""

from __future__ import annotations

import json

from pulumi_policy import Severity

from gpufleet.clouds import UNTAGGED_PACKAGES, owner_tags_adapter
from gpufleet.clouds.adapter import CloudAdapter
from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import as_list, get, is_unknown, join, plain

NAME = "gpufleet-required-tags"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _provider_defaults(args, cloud: CloudAdapter) -> dict:
    """Tags or labels the resource's provider adds to every resource (`aws:defaultTags`,
    `gcp:defaultLabels` in stack config arrive as JSON text)."""
    entry = cloud.provider_default_tags
    own_provider = args.provider is not None and args.provider.resource_type in {
        f"pulumi:providers:{package}" for package in cloud.packages}
    if entry is None or not own_provider:
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
    cloud = owner_tags_adapter(args.resource_type)
    if cloud is None:
        # A resource on its own package's provider (not a component: a multi-language one comes with the
        # provider its children would run on, another package's) of a cloud gpufleet does not know.
        package = args.resource_type.split(":", 1)[0]
        if args.provider is not None and args.provider.resource_type == f"pulumi:providers:{package}" and \
                package not in UNTAGGED_PACKAGES:
            findings.cannot_verify(f"owner tags: no cloud adapter knows {args.resource_type}, so whether it takes "
                                   "tags is unknown")
        return
    path = cloud.owner_tags_path(args.resource_type)
    if path is None:
        return
    required = list(config["required_tags"])
    props = plain(args.props)
    tags = get(props, *path)
    dotted = ".".join(path)
    if is_unknown(tags):
        findings.cannot_verify(f"{dotted}: not known at preview")
        return
    if isinstance(tags, list):  # an auto scaling group's list of {key, value, propagateAtLaunch}
        tags = {get(t, "key"): get(t, "value") for t in tags}
    own = tags if isinstance(tags, dict) else {}
    defaults = _provider_defaults(args, cloud)
    missing = _missing({**defaults, **own}, required)
    if missing:
        present = join(sorted(k for k, v in {**defaults, **own}.items() if v not in (None, ""))) or "none"
        noun, where = ("label", dotted) if "abel" in path[-1] else ("tag", "its tags" if path == ("tags",) else dotted)
        on_provider = (f", or once for all resources on the provider ({cloud.provider_default_tags[2]})"
                       if cloud.provider_default_tags else "")
        rules = f"; {cloud.owner_tag_rules}" if cloud.owner_tag_rules else ""
        findings.violation(
            f"missing required {noun}(s) {join(missing)} ({dotted} present: {present}). Fix: add "
            f"{join(f'{k}=…' for k in missing)} to {where}{on_provider}{rules}."
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
