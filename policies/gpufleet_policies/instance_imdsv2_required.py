"""gpufleet-instance-imdsv2-required: instances and launch templates require IMDSv2 session tokens."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import get, is_unknown, plain

NAME = "gpufleet-instance-imdsv2-required"

TYPES = {
    "aws:ec2/instance:Instance",
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/launchConfiguration:LaunchConfiguration",
}


def check(args, config, findings) -> None:
    if args.resource_type not in TYPES:
        return
    props = plain(args.props)
    options = props.get("metadataOptions")
    if options is None and props.get("launchTemplate") is not None:
        return  # the launch template it starts from decides, and is checked itself
    tokens = get(options, "httpTokens")
    endpoint = get(options, "httpEndpoint")
    if is_unknown(tokens) or is_unknown(endpoint):
        findings.cannot_verify("metadataOptions: not known at preview")
    elif tokens != "required" and endpoint != "disabled":
        shown = "not set (default: optional, IMDSv1 allowed)" if tokens is None else repr(tokens)
        findings.violation(
            f"metadataOptions.httpTokens is {shown}: IMDSv1 lets any process or SSRF read the instance's "
            "credentials. Fix: metadata_options={'http_tokens': 'required', 'http_put_response_hop_limit': 2}."
        )


POLICY = resource_policy(
    NAME,
    "EC2 instances, spot requests, launch templates and launch configurations require IMDSv2 "
    "(metadataOptions.httpTokens 'required') or disable the metadata endpoint.",
    check,
    area="safety",
    severity=Severity.HIGH,
    remediation="Set metadataOptions.httpTokens to 'required' (hop limit 2 for containers).",
)
