"""Azure lookups answered offline (client configuration, also the classic provider's, resource groups,
AKS user credentials, access tokens, storage account keys) and the Azure `name` a preview knows of
a resource."""

from __future__ import annotations

import base64
import functools
import importlib
import json
import re

from gpufleet.clouds.offline import Answer, NotEmulated, ProviderConfig, digest
from gpufleet.pulumi_private import init_parameters

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "00000000-0000-0000-0000-000000000001"
CLIENT_ID = "00000000-0000-0000-0000-000000000002"
OBJECT_ID = "00000000-0000-0000-0000-000000000003"


def _client_config(token: str, args: dict, provider: ProviderConfig) -> dict:
    return {
        "clientId": provider.get("clientId") or CLIENT_ID,
        "objectId": OBJECT_ID,
        "subscriptionId": provider.get("subscriptionId") or SUBSCRIPTION_ID,
        "tenantId": provider.get("tenantId") or TENANT_ID,
    }


def _resource_group(token: str, args: dict, provider: ProviderConfig) -> dict:
    location = provider.get("location")
    if not location:
        raise NotEmulated("the group's location is the cloud's to say")
    name = args["resourceGroupName"]
    subscription = provider.get("subscriptionId") or SUBSCRIPTION_ID
    return {
        "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
        "name": name,
        "location": location,
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
        "tags": {},
    }


def _aks_user_credentials(token: str, args: dict, provider: ProviderConfig) -> dict:
    """An exec-format kubeconfig naming the cluster, as AKS returns it base64-encoded; no credential."""
    name = args.get("resourceName") or "cluster"
    config = json.dumps({"apiVersion": "v1", "kind": "Config", "current-context": name,
                         "clusters": [{"name": name, "cluster": {"server": f"https://{name}.offline.invalid:443"}}],
                         "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
                         "users": [{"name": name, "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                                    "command": "kubelogin"}}}]}, sort_keys=True)
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(config.encode()).decode()}]}


def _client_token(token: str, args: dict, provider: ProviderConfig) -> dict:
    return {"token": "offline-preview-access-token"}


def _storage_account_keys(token: str, args: dict, provider: ProviderConfig) -> dict:
    """Two full-permission keys, as an account has; deterministic, plainly not real."""
    account = args.get("accountName")
    return {"keys": [{"keyName": name, "permissions": "FULL",
                      "value": base64.b64encode(f"offline-preview-{name}-{digest(account, name, length=24)}".encode()).decode()}
                     for name in ("key1", "key2")]}


def _classic_client_config(token: str, args: dict, provider: ProviderConfig) -> dict:
    config = _client_config(token, args, provider)
    return {**config, "id": f"clientConfigs/clientId={config['clientId']};objectId={OBJECT_ID};"
                            f"subscriptionId={config['subscriptionId']};tenantId={config['tenantId']}"}


ANSWERS: dict[str, Answer] = {
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:resources:getResourceGroup": _resource_group,
    "azure-native:containerservice:listManagedClusterUserCredentials": _aks_user_credentials,
    "azure-native:authorization:getClientToken": _client_token,
    "azure-native:storage:listStorageAccountKeys": _storage_account_keys,
    "azure:core/getClientConfig:getClientConfig": _classic_client_config,  # the classic provider's
}


def _name(type_: str, logical_name: str, inputs: dict) -> str:
    """Azure-native resources output their Azure `name`, mostly given as `<type>Name` (ResourceGroup:
    `resourceGroupName`). Without a name input the provider would auto-name; we use the logical name."""
    kind = type_.rsplit(":", 1)[-1]
    own = kind[:1].lower() + kind[1:] + "Name"
    for key in (own, "name"):
        if isinstance(inputs.get(key), str):
            return inputs[key]
    # `resourceName` is the resource's own name only for types without a `<type>Name` input
    # (ManagedCluster); for child resources (AgentPool, which has `agentPoolName`) it names the parent.
    if isinstance(inputs.get("resourceName"), str) and not _takes_input(type_, own):
        return inputs["resourceName"]
    return logical_name


@functools.cache
def _takes_input(type_: str, wire_name: str) -> bool:
    """Whether the azure-native SDK's class for `type_` has the input `wire_name` (camelCase)."""
    module, kind = type_.split(":")[1:]
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), kind)
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower()
    return snake in init_parameters(cls)


def preview_state(type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str) -> dict:
    return {"name": _name(type_, name, inputs)}
