"""Offline answers to the GCP lookups programs commonly make: the client config, the project, zones,
the Compute Engine default service account, images, networks and subnetworks, and IAM policy documents.

Like every offline answer, each is derived only from the lookup's arguments and the provider's
configuration (`gcp:project`, `gcp:region`, `gcp:zone`), so a preview never changes between runs; the
figures that only the cloud knows (a project's number, an image's id) are stable placeholders made
from those inputs. A lookup that needs a project when none is configured is refused with the setting
to add, as the provider itself would fail. Results use wire (camelCase) names.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from gpufleet.clouds.offline import MissingSetting as StackSettingMissing

# Zone letters offline: a convention, not a fact about the region (see docs/offline-preview.md).
ZONE_LETTERS = ("a", "b", "c")


class MissingSetting(StackSettingMissing):
    """The lookup needs a provider setting the stack does not configure."""

    def __init__(self, token: str, setting: str) -> None:
        super().__init__(f"{token} needs the GCP provider's {setting}: set `gcp:{setting}` in the stack "
                         "configuration, or pass it to the lookup", f"gcp:{setting}")
        self.token = token


def _digits(*parts: object, length: int) -> str:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()
    return str(int(digest, 16))[:length]


def _project(token: str, args: dict, provider: dict, key: str = "project") -> str:
    project = args.get(key) or provider.get("project")
    if not project:
        raise MissingSetting(token, "project")
    return project


def _region(token: str, args: dict, provider: dict) -> str:
    region = args.get("region") or provider.get("region")
    if not region:
        zone = provider.get("zone")
        if zone:
            return zone.rsplit("-", 1)[0]
        raise MissingSetting(token, "region")
    return region


def project_number(project: str) -> str:
    """A stable 12-digit stand-in for the project's number (only the cloud knows the real one)."""
    return _digits("project-number", project, length=12)


def client_config(token: str, args: dict, provider: dict) -> dict[str, Any]:
    # Offline there is no gcloud default project to fall back on: without `gcp:project` the answer would
    # carry None into every name built from it (a workload pool "None.svc.id.goog").
    project = _project(token, args, provider)
    return {"id": f"projects/{project}/regions/{provider.get('region')}/zones/{provider.get('zone')}",
            "project": project, "region": provider.get("region"), "zone": provider.get("zone"),
            "accessToken": "offline-preview-no-token", "defaultLabels": provider.get("defaultLabels") or {}}


def project(token: str, args: dict, provider: dict) -> dict[str, Any]:
    project_id = _project(token, args, provider, key="projectId")
    return {"id": f"projects/{project_id}", "projectId": project_id, "name": project_id,
            "number": project_number(project_id), "labels": {}, "effectiveLabels": {}, "pulumiLabels": {},
            "autoCreateNetwork": True}


def zones(token: str, args: dict, provider: dict) -> dict[str, Any]:
    project_id, region = _project(token, args, provider), _region(token, args, provider)
    return {"id": f"projects/{project_id}/regions/{region}", "project": project_id, "region": region,
            "names": [f"{region}-{letter}" for letter in ZONE_LETTERS], "status": args.get("status")}


def default_service_account(token: str, args: dict, provider: dict) -> dict[str, Any]:
    project_id = _project(token, args, provider)
    email = f"{project_number(project_id)}-compute@developer.gserviceaccount.com"
    return {"id": f"projects/{project_id}/serviceAccounts/{email}", "email": email, "project": project_id,
            "name": f"projects/{project_id}/serviceAccounts/{email}", "member": f"serviceAccount:{email}",
            "displayName": "Compute Engine default service account",
            "uniqueId": _digits("service-account", email, length=21)}


def image(token: str, args: dict, provider: dict) -> dict[str, Any]:
    image_project = args.get("project") or _project(token, args, provider)
    family = args.get("family")
    name = args.get("name") or (f"{family}-offline" if family else f"image-{_digits(args.get('filter'), length=8)}")
    image_id = _digits("image", image_project, name, length=19)
    link = f"https://www.googleapis.com/compute/v1/projects/{image_project}/global/images/{name}"
    return {"id": f"projects/{image_project}/global/images/{name}", "name": name, "family": family,
            "project": image_project, "selfLink": link, "imageId": image_id, "status": "READY",
            "filter": args.get("filter"), "mostRecent": args.get("mostRecent"), "labels": {}, "licenses": []}


def network(token: str, args: dict, provider: dict) -> dict[str, Any]:
    project_id, name = _project(token, args, provider), args["name"]
    path = f"projects/{project_id}/global/networks/{name}"
    return {"id": path, "name": name, "project": project_id, "description": "looked up offline",
            "selfLink": f"https://www.googleapis.com/compute/v1/{path}", "subnetworksSelfLinks": [],
            "numericId": _digits("network", path, length=19), "networkProfile": args.get("networkProfile")}


def subnetwork(token: str, args: dict, provider: dict) -> dict[str, Any]:
    link = args.get("selfLink")
    if link:  # ".../projects/P/regions/R/subnetworks/N"
        parts = link.split("/")
        project_id, region, name = parts[parts.index("projects") + 1], parts[parts.index("regions") + 1], parts[-1]
    else:
        project_id, region, name = _project(token, args, provider), _region(token, args, provider), args["name"]
    path = f"projects/{project_id}/regions/{region}/subnetworks/{name}"
    return {"id": path, "name": name, "project": project_id, "region": region, "description": "looked up offline",
            "selfLink": f"https://www.googleapis.com/compute/v1/{path}",
            "subnetworkId": int(_digits("subnetwork", path, length=18)), "secondaryIpRanges": []}


def iam_policy(token: str, args: dict, provider: dict) -> dict[str, Any]:
    # A pure function of its arguments in the provider too (no API call): the IAM policy document, so
    # policies read the real members (a public `allUsers` binding) rather than an unverifiable stand-in.
    bindings = [{**({"condition": b["condition"]} if b.get("condition") else {}),
                 "members": sorted(b.get("members") or []), "role": b["role"]}
                for b in sorted(args.get("bindings") or [], key=lambda b: b["role"])]
    document = {"auditConfigs": args["auditConfigs"]} if args.get("auditConfigs") else {}
    document["bindings"] = bindings
    policy_data = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return {"id": _digits("iam-policy", policy_data, length=10), "policyData": policy_data,
            "bindings": args.get("bindings") or [], "auditConfigs": args.get("auditConfigs") or []}


ANSWERS: dict[str, Callable[[str, dict, dict], dict[str, Any]]] = {
    "gcp:organizations/getClientConfig:getClientConfig": client_config,
    "gcp:organizations/getProject:getProject": project,
    "gcp:compute/getZones:getZones": zones,
    "gcp:compute/getDefaultServiceAccount:getDefaultServiceAccount": default_service_account,
    "gcp:compute/getImage:getImage": image,
    "gcp:compute/getNetwork:getNetwork": network,
    "gcp:compute/getSubnetwork:getSubnetwork": subnetwork,
    "gcp:organizations/getIAMPolicy:getIAMPolicy": iam_policy,
}
