"""Offline answers to the OCI lookups programs commonly make: availability domains, images, OKE cluster
and node pool options, the cluster's kubeconfig, the tenancy, the Object Storage namespace and the
Oracle Services Network services.

Each answer is derived only from the lookup's arguments and the provider's configuration, so a preview
never changes between runs; what only OCI knows (a tenancy's domain prefix, an image's OCID, the
namespace) is a stable placeholder made from those inputs and says it was looked up offline. Results
use wire (camelCase) names.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from gpufleet.clouds.oci.facts import OKE_VERSIONS_OFFLINE
from gpufleet.clouds.offline import digest

OFFLINE = "looked up offline"
# Availability domains offline: a convention (three, as in OCI's larger regions), not a fact about the region.
DOMAINS = (1, 2, 3)


def _region(provider: dict) -> str:
    return provider.get("region") or "region-looked-up-offline"


def _ocid(kind: str, region: str, *parts: object) -> str:
    """A stable OCID-shaped placeholder ("ocid1.image.oc1.<region>.<digest>")."""
    return f"ocid1.{kind}.oc1.{region}.{digest(kind, region, *parts, length=24)}"


def availability_domains(token: str, args: dict, provider: dict) -> dict[str, Any]:
    compartment, region = args.get("compartmentId"), _region(provider)
    prefix = digest("tenancy-prefix", compartment, length=4)  # tenancy-specific ("Uocm"), unknown offline
    domains = [{"id": _ocid("availabilitydomain", region, compartment, n), "compartmentId": compartment,
                "name": f"{prefix}:{region.upper()}-AD-{n}"} for n in DOMAINS]
    return {"id": f"availability-domains-{digest(compartment, region, length=8)}", "compartmentId": compartment,
            "availabilityDomains": domains}


def _oke_image(region: str, version: str, gpu: bool) -> dict[str, str]:
    name = f"Oracle-Linux-8.10-Gen2-{'GPU-' if gpu else ''}{OFFLINE.replace(' ', '-')}-OKE-{version.lstrip('v')}"
    return {"sourceType": "IMAGE", "sourceName": name, "imageId": _ocid("image", region, name)}


def node_pool_option(token: str, args: dict, provider: dict) -> dict[str, Any]:
    region = _region(provider)
    versions = [v for v in OKE_VERSIONS_OFFLINE if args.get("nodePoolK8sVersion") in (None, v)]
    sources = [_oke_image(region, v, gpu) for v in versions for gpu in (False, True)]
    return {"id": args.get("nodePoolOptionId"), "nodePoolOptionId": args.get("nodePoolOptionId"),
            "compartmentId": args.get("compartmentId"), "kubernetesVersions": list(versions),
            "images": [s["sourceName"] for s in sources], "shapes": [], "sources": sources}


def cluster_option(token: str, args: dict, provider: dict) -> dict[str, Any]:
    return {"id": args.get("clusterOptionId"), "clusterOptionId": args.get("clusterOptionId"),
            "compartmentId": args.get("compartmentId"), "kubernetesVersions": list(OKE_VERSIONS_OFFLINE),
            "clusterPodNetworkOptions": [{"cniType": "FLANNEL_OVERLAY"}, {"cniType": "OCI_VCN_IP_NATIVE"}]}


def images(token: str, args: dict, provider: dict) -> dict[str, Any]:
    region = _region(provider)
    system = args.get("operatingSystem") or "Oracle Linux"
    version = args.get("operatingSystemVersion") or OFFLINE
    name = args.get("displayName") or f"{system}-{version}-{OFFLINE}".replace(" ", "-")
    image = {"id": _ocid("image", region, name, args.get("shape")), "displayName": name, "operatingSystem": system,
             "operatingSystemVersion": version, "compartmentId": args.get("compartmentId"), "state": "AVAILABLE",
             "baseImageId": "", "launchMode": "NATIVE", "sizeInMbs": "", "billableSizeInGbs": ""}
    return {"id": f"images-{digest(args, length=8)}", "compartmentId": args.get("compartmentId"), "images": [image],
            "operatingSystem": args.get("operatingSystem"), "operatingSystemVersion": args.get("operatingSystemVersion"),
            "shape": args.get("shape"), "displayName": args.get("displayName")}


def kube_config(token: str, args: dict, provider: dict) -> dict[str, Any]:
    """OKE's kubeconfig holds no credential: kubectl gets a token from the OCI CLI with the caller's own key."""
    cluster, region = args["clusterId"], _region(provider)
    name = f"cluster-{digest(cluster, length=11)}"
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": f"context-{name}",
        "clusters": [{"name": name, "cluster": {
            "server": f"https://{OFFLINE.replace(' ', '-')}.{name}:6443",
            "certificate-authority-data": digest("ca", cluster, length=32)}}],
        "contexts": [{"name": f"context-{name}", "context": {"cluster": name, "user": f"user-{name}"}}],
        "users": [{"name": f"user-{name}", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "oci",
            "args": ["ce", "cluster", "generate-token", "--cluster-id", cluster, "--region", region]}}}],
    }
    return {"id": cluster, "clusterId": cluster, "content": json.dumps(config, sort_keys=True),
            "endpoint": args.get("endpoint"), "tokenVersion": args.get("tokenVersion")}


def tenancy(token: str, args: dict, provider: dict) -> dict[str, Any]:
    tenancy_id = args.get("tenancyId") or provider.get("tenancyOcid")
    return {"id": tenancy_id, "tenancyId": tenancy_id, "name": OFFLINE, "description": OFFLINE,
            "homeRegionKey": OFFLINE, "freeformTags": {}, "definedTags": {}}


def namespace(token: str, args: dict, provider: dict) -> dict[str, Any]:
    value = f"ns{digest('namespace', args.get('compartmentId'), provider.get('tenancyOcid'), length=10)}"
    return {"id": value, "namespace": value, "compartmentId": args.get("compartmentId")}


def services(token: str, args: dict, provider: dict) -> dict[str, Any]:
    region = _region(provider)
    service = {"id": _ocid("service", region, "all-services"), "name": f"All services in Oracle Services Network ({OFFLINE})",
               "cidrBlock": f"all-{region}-services-in-oracle-services-network",
               "description": f"All services in Oracle Services Network ({OFFLINE})"}
    return {"id": f"services-{digest(region, length=8)}", "services": [service]}


ANSWERS: dict[str, Callable[[str, dict, dict], dict[str, Any]]] = {
    "oci:Identity/getAvailabilityDomains:getAvailabilityDomains": availability_domains,
    "oci:Identity/getTenancy:getTenancy": tenancy,
    "oci:Core/getImages:getImages": images,
    "oci:Core/getServices:getServices": services,
    "oci:ContainerEngine/getNodePoolOption:getNodePoolOption": node_pool_option,
    "oci:ContainerEngine/getClusterOption:getClusterOption": cluster_option,
    "oci:ContainerEngine/getClusterKubeConfig:getClusterKubeConfig": kube_config,
    "oci:ObjectStorage/getNamespace:getNamespace": namespace,
}
