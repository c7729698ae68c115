"""gpufleet-kubernetes-private-endpoint: Kubernetes API servers are not reachable from the internet."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import falsy, get, is_unknown, plain, truthy

NAME = "gpufleet-kubernetes-private-endpoint"

# type -> (input path, value that makes the endpoint private, what the cloud does when it is unset, fix)
RULES = {
    "aws:eks/cluster:Cluster": (("vpcConfig", "endpointPublicAccess"), False, "AWS default: public",
                                "vpcConfig.endpointPublicAccess False and endpointPrivateAccess True"),
    "azure-native:containerservice:ManagedCluster": (
        ("apiServerAccessProfile", "enablePrivateCluster"), True, "Azure default: public",
        "apiServerAccessProfile.enablePrivateCluster True"),
    "gcp:container/cluster:Cluster": (("privateClusterConfig", "enablePrivateEndpoint"), True,
                                      "GKE default: public", "privateClusterConfig.enablePrivateEndpoint True"),
    # OKE: the SDK documents isPublicIpEnabled as false by default, but a cluster without endpointConfig gets
    # OKE's legacy public endpoint (checked in `check`).
    "oci:ContainerEngine/cluster:Cluster": (("endpointConfig", "isPublicIpEnabled"), False, "OKE default: no public IP",
                                            "endpointConfig with a private subnet and isPublicIpEnabled False"),
    "coreweave:index/cksCluster:CksCluster": (("public",), False, None, "public False"),
}


def check(args, config, findings) -> None:
    rule = RULES.get(args.resource_type)
    if rule is None:
        return
    path, private_value, default, fix = rule
    props = plain(args.props)
    value = get(props, *path)
    dotted = ".".join(path)
    if args.resource_type == "oci:ContainerEngine/cluster:Cluster" and props.get("endpointConfig") is None:
        findings.violation("the Kubernetes API endpoint is public: endpointConfig is not set, so OKE gives the "
                           f"cluster its legacy public endpoint. Fix: {fix}.")
    elif value is None and default is None:  # the provider documents no default
        findings.cannot_verify(f"{dotted}: not set, and the provider documents no default. Fix: set {fix}.")
    elif is_unknown(value):
        findings.cannot_verify(f"{dotted}: not known at preview")
    elif not (falsy(value) if private_value is False else truthy(value)):
        shown = f"not set ({default})" if value is None else repr(value)
        findings.violation(f"the Kubernetes API endpoint is public: {dotted} is {shown}. Fix: {fix}.")


POLICY = resource_policy(
    NAME,
    "EKS, AKS, GKE, OKE and CKS clusters expose their Kubernetes API on private endpoints only.",
    check,
    area="safety",
    severity=Severity.HIGH,
    remediation="Make the API endpoint private (EKS endpointPublicAccess False, AKS enablePrivateCluster True) "
                "and reach it through the VPC/VNet, a bastion or a VPN.",
)
