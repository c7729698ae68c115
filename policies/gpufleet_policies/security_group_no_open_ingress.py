"""gpufleet-security-group-no-open-ingress: nothing is open to the whole internet beyond the ports
the environment documents as needed (AWS security groups, Azure NSGs, GCP VPC firewall rules)."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import as_list, get, is_unknown, join, number, plain

NAME = "gpufleet-security-group-no-open-ingress"

AWS_WORLD = {"0.0.0.0/0", "::/0"}
AZURE_WORLD = {"*", "0.0.0.0/0", "::/0", "Internet", "Any"}
ALL_PORTS = (0, 65535)


def _aws_ports(rule: dict) -> tuple[int, int] | None:
    """The port range an AWS rule opens; None when unknown."""
    protocol = str(get(rule, "protocol") or get(rule, "ipProtocol") or "")
    if protocol in ("-1", "all"):
        return ALL_PORTS
    lo, hi = number(get(rule, "fromPort")), number(get(rule, "toPort"))
    if lo is None or hi is None:
        return None
    if lo == -1:  # ICMP "all types"
        return ALL_PORTS
    return int(lo), int(hi)


def _azure_ranges(rule: dict) -> list[tuple[int, int]] | None:
    texts = [get(rule, "destinationPortRange")] + as_list(get(rule, "destinationPortRanges"))
    out = []
    for text in (t for t in texts if t is not None):
        if is_unknown(text):
            return None
        text = str(text)
        if text == "*":
            out.append(ALL_PORTS)
            continue
        lo, _, hi = text.partition("-")
        try:
            out.append((int(lo), int(hi or lo)))
        except ValueError:
            return None
    return out


def _opened(ranges: list[tuple[int, int]], allowed: set[int]) -> list[str]:
    """The ranges not wholly within the allowed ports, as text."""
    bad = []
    for lo, hi in ranges:
        if hi - lo > 1024 or any(p not in allowed for p in range(lo, hi + 1)):
            bad.append("all ports" if (lo, hi) == ALL_PORTS else str(lo) if lo == hi else f"{lo}-{hi}")
    return bad


def _aws_rules(type_: str, props: dict) -> list[tuple[str, dict, list]]:
    """(path, rule, world sources) of ingress rules open to the internet."""
    if type_ in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        rules = [(f"ingress[{i}]", r) for i, r in enumerate(as_list(props.get("ingress")))]
    elif type_ == "aws:ec2/securityGroupRule:SecurityGroupRule":
        rules = [("rule", props)] if props.get("type") == "ingress" else []
    elif type_ == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        cidrs = [c for c in (props.get("cidrIpv4"), props.get("cidrIpv6")) if c is not None]
        return [("rule", props, [c for c in cidrs if c in AWS_WORLD or is_unknown(c)])]
    else:
        return []
    out = []
    for path, rule in rules:
        sources = as_list(get(rule, "cidrBlocks")) + as_list(get(rule, "ipv6CidrBlocks"))
        for key in ("cidrBlocks", "ipv6CidrBlocks"):
            if is_unknown(get(rule, key)):
                sources.append(get(rule, key))
        out.append((path, rule, [s for s in sources if s in AWS_WORLD or is_unknown(s)]))
    return out


def _azure_rules(type_: str, props: dict) -> list[tuple[str, dict, list]]:
    if type_ == "azure-native:network:NetworkSecurityGroup":
        rules = [(f"securityRules[{i}]", get(r, "properties") if isinstance(get(r, "properties"), dict) else r)
                 for i, r in enumerate(as_list(props.get("securityRules")))]
    elif type_ == "azure-native:network:SecurityRule":
        rules = [("rule", props)]
    else:
        return []
    out = []
    for path, rule in rules:
        if get(rule, "direction") != "Inbound" or get(rule, "access") != "Allow":
            continue
        sources = [get(rule, "sourceAddressPrefix")] + as_list(get(rule, "sourceAddressPrefixes"))
        out.append((path, rule, [s for s in sources if s in AZURE_WORLD or is_unknown(s)]))
    return out


GCP_FIREWALL = "gcp:compute/firewall:Firewall"


def _gcp_ranges(rule: dict) -> list[tuple[int, int]] | None:
    """Ports a GCP firewall rule allows: every `allows` entry; no ports (or protocol all) means all ports."""
    allows = rule.get("allows")
    if is_unknown(allows):
        return None
    out = []
    for allow in as_list(allows):
        ports = get(allow, "ports")
        if is_unknown(ports) or is_unknown(get(allow, "protocol")):
            return None
        if not ports:
            out.append(ALL_PORTS)
            continue
        for text in ports:
            lo, _, hi = str(text).partition("-")
            try:
                out.append((int(lo), int(hi or lo)))
            except ValueError:
                return None
    return out


def _gcp_rules(type_: str, props: dict) -> list[tuple[str, dict, list]]:
    """A GCP ingress rule that allows traffic; with no source at all GCP applies 0.0.0.0/0."""
    if type_ != GCP_FIREWALL or props.get("direction") not in (None, "INGRESS") or props.get("disabled") is True \
            or not props.get("allows"):
        return []
    ranges = props.get("sourceRanges")
    if is_unknown(ranges):
        return [("sourceRanges", props, [ranges])]
    sources = [s for s in as_list(ranges) if s in AWS_WORLD or is_unknown(s)]
    if ranges is None and not props.get("sourceTags") and not props.get("sourceServiceAccounts"):
        sources = ["0.0.0.0/0 (no source given)"]
    return [("sourceRanges", props, sources)]


def check(args, config, findings) -> None:
    allowed = {int(p) for p in config["allowed_public_ports"]}
    props = plain(args.props)
    shown_allowed = join(sorted(allowed)) or "none"
    for path, rule, world in (_aws_rules(args.resource_type, props) + _azure_rules(args.resource_type, props)
                              + _gcp_rules(args.resource_type, props)):
        if not world:
            continue
        if any(is_unknown(s) for s in world):
            findings.cannot_verify(f"{path}: source address not known at preview")
            continue
        if args.resource_type == GCP_FIREWALL:
            ranges = _gcp_ranges(rule)
        elif args.resource_type.startswith("azure-native:"):
            ranges = _azure_ranges(rule)
        else:
            ranges = [r] if (r := _aws_ports(rule)) else None
        if ranges is None:
            findings.cannot_verify(f"{path}: ports not known at preview")
            continue
        bad = _opened(ranges, allowed)
        if bad:
            findings.violation(
                f"{path} allows inbound {join(bad)} from {join(sorted(set(world)))} (the whole internet); only "
                f"port(s) {shown_allowed} may be open to the internet here. Fix: restrict the source to known "
                "CIDRs or security groups, or document the port in allowed_public_ports."
            )


POLICY = resource_policy(
    NAME,
    "No security group, network security group or VPC firewall rule admits traffic from 0.0.0.0/0 (or ::/0, "
    "Internet, *) except on the ports listed in allowed_public_ports.",
    check,
    area="safety",
    severity=Severity.HIGH,
    remediation="Restrict sources to known CIDRs or security groups; list a port in allowed_public_ports only "
                "when it must be public.",
    properties={"allowed_public_ports": {"type": "array", "items": {"type": "integer"}, "default": [443],
                                         "description": "ports that may be open to the internet"}},
)
