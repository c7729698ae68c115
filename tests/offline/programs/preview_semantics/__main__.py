"""What `pulumi preview` does with values that only exist once resources are created."""

import base64

import pulumi
import pulumi_aws as aws
from pulumi_azure_native import containerservice, managedidentity, resources

group = resources.ResourceGroup("rg", resource_group_name="rg-gpu")
# The id is the cloud's: unknown at preview, so this apply does not run (it would fail on a made-up id).
subscription = group.id.apply(lambda group_id: group_id.split("/")[2])

identity = managedidentity.UserAssignedIdentity("mi", resource_group_name=group.name)
cluster = containerservice.ManagedCluster(
    "aks",
    resource_group_name=group.name,
    dns_prefix="gpu",
    # A list of ids as input, a map of identities as output.
    identity=containerservice.ManagedClusterIdentityArgs(
        type=containerservice.ResourceIdentityType.USER_ASSIGNED, user_assigned_identities=[identity.id]),
    agent_pool_profiles=[containerservice.ManagedClusterAgentPoolProfileArgs(
        name="gpu", mode="System", count=2, vm_size="Standard_ND96asr_v4")],
)
# Depends on the cluster being created: the engine does not run it at preview; the result is unknown.
credentials = containerservice.list_managed_cluster_user_credentials_output(
    resource_group_name=group.name, resource_name=cluster.name)
kubeconfig = credentials.kubeconfigs[0].value.apply(lambda encoded: base64.b64decode(encoded).decode())

# `most_recent` as a string: the answer must still be a GetAmiResult the SDK accepts.
ami = aws.ec2.get_ami(most_recent="true", owners=["amazon"],
                      filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-*-x86_64"])])

pulumi.export("subscription", subscription)
pulumi.export("identity", cluster.identity)
pulumi.export("kubeconfig", kubeconfig)
pulumi.export("ami", ami.id)
