"""GPU capacity in a resource type no reader reads (gpufleet.readers.declared): a cloud's resource that names a
GPU instance type in an instance-type field is GPU capacity of a node count not known, never "not assessed"."""

import pytest

from gpufleet.estimate import estimate_plan
from gpufleet.estimate.plan import FREE, NOT_ASSESSED, UNPRICED
from gpufleet.readers.views import views_from_states

URN = "urn:pulumi:prod::p::"


def plan(type_, inputs, provider=None):
    """The estimate of one resource of `type_` whose default provider has the stack config `provider`."""
    package = type_.split(":", 1)[0]
    state = {"urn": f"{URN}{type_}::r", "type": type_, "inputs": inputs,
             "provider": f"{URN}pulumi:providers:{package}::default::id-1"}
    config = {f"{package}:{k}": v for k, v in (provider or {}).items()}
    return estimate_plan(views_from_states([state], config=config)), state["urn"]


@pytest.mark.parametrize("type_, inputs, provider, where, itype, path", [
    ("azure-native:batch:Pool", {"vmSize": "Standard_ND96isr_H100_v5"}, {"location": "swedencentral"},
     ("azure", "swedencentral"), "Standard_ND96isr_H100_v5", "vmSize"),
    # any case, a display name, the Python spelling of a dict the SDK could not translate
    ("azure-native:machinelearningservices:OnlineDeployment",
     {"location": "East US", "properties": {"instance_type": "standard_nc24ads_a100_v4"}}, None,
     ("azure", "eastus"), "Standard_NC24ads_A100_v4", "properties.instance_type"),
    # SageMaker's "ml." names the same hardware
    ("aws:sagemaker/space:Space", {"spaceSettings": {"jupyterLabAppSettings": {"defaultResourceSpec": {
        "instanceType": "ml.p4d.24xlarge"}}}}, {"region": "us-east-1"},
     ("aws", "us-east-1"), "p4d.24xlarge", "spaceSettings.jupyterLabAppSettings.defaultResourceSpec.instanceType"),
    # a zone names its region; a list of types is read entry by entry
    ("gcp:dataproc/cluster:Cluster", {"region": "asia-south1-b", "clusterConfig": {"workerConfig": {
        "machineType": ["n2-standard-8", "g2-standard-48"]}}}, None,
     ("gcp", "asia-south1"), "g2-standard-48", "clusterConfig.workerConfig.machineType[1]"),
], ids=["azure-batch-pool", "azure-ml-online-deployment", "sagemaker-space", "gcp-dataproc"])
def test_a_gpu_type_in_an_unread_type_is_capacity_of_unknown_count(type_, inputs, provider, where, itype, path):
    est, urn = plan(type_, inputs, provider)
    e = est.resources[urn]
    assert ((e.cloud, e.region), e.instance_type, e.nodes, e.gpus, e.monthly_usd) == (where, itype, None, None, None)
    assert e.derivation["instance_type"] == f"{itype} at {path}"
    assert e.derivation["nodes"] == f"unknown: gpufleet does not read {type_}: how many of them it runs is not known"
    assert e.derivation["monthly_usd"] == "unknown: node count not known at preview"
    assert (est.assessments[urn].kind, est.unpriced) == (UNPRICED, [urn])


@pytest.mark.parametrize("type_, inputs, kind", [
    ("azure-native:batch:Pool", {"vmSize": "Standard_D4s_v5"}, NOT_ASSESSED),  # a CPU size
    ("aws:sagemaker/space:Space", {"spaceSettings": {"instanceType": "ml.m5.large"}}, NOT_ASSESSED),
    # a GPU type as a value, not in an instance-type field: a parameter is known free
    ("aws:ssm/parameter:Parameter", {"name": "gpu-type", "value": "p5.48xlarge"}, FREE),
    ("gcp:vertex/aiEndpoint:AiEndpoint", {"displayName": "p5.48xlarge"}, NOT_ASSESSED),
])
def test_an_unread_type_without_a_gpu_type_is_assessed_as_before(type_, inputs, kind):
    est, urn = plan(type_, inputs)
    assert (est.resources, est.assessments[urn].kind) == ({}, kind)


def test_a_type_outside_the_clouds_is_not_read_for_gpus():
    est, urn = plan("example:index:Thing", {"instanceType": "p5.48xlarge"})
    assert (est.resources, est.assessments[urn].kind) == ({}, NOT_ASSESSED)
