"""Component tests run their programs under the offline engine's recorder (`gpufleet.offline.record`)."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable

import pytest
from components_testing import Declared

from gpufleet.offline import record

# The provider SDKs warn about their own deprecated resources when a submodule is imported; the test
# run's "warnings are errors" is for warnings our code causes, so the submodules are imported first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    for _module in ("pulumi_aws.ec2", "pulumi_aws.eks", "pulumi_aws.fsx", "pulumi_aws.iam", "pulumi_aws.s3",
                    "pulumi_aws.vpc", "pulumi_azure_native.authorization", "pulumi_azure_native.compute",
                    "pulumi_azure_native.containerservice", "pulumi_azure_native.network",
                    "pulumi_azure_native.resources", "pulumi_azure_native.storage",
                    "pulumi_azure_native.storagecache", "pulumi_gcp.compute", "pulumi_gcp.container",
                    "pulumi_gcp.lustre", "pulumi_gcp.organizations", "pulumi_gcp.projects", "pulumi_gcp.serviceaccount",
                    "pulumi_gcp.servicenetworking", "pulumi_gcp.storage", "pulumi_oci.containerengine",
                    "pulumi_oci.core", "pulumi_oci.identity", "pulumi_oci.lustre", "pulumi_oci.objectstorage"):
        getattr(importlib.import_module(_module), "Provider", None)  # lazily loaded: an attribute runs the import

# The components read the subscription (Azure) or the project (GCP) from the client config and the AKS
# kubeconfig (exec format, no credential); on OCI the availability domains, OKE node images,
# the Oracle Services Network, the OKE kubeconfig and the Object Storage namespace; nothing else.
EXPECTED_INVOKES = {"azure-native:authorization:getClientConfig",
                    "azure-native:containerservice:listManagedClusterUserCredentials",
                    "gcp:organizations/getClientConfig:getClientConfig",
                    "oci:Identity/getAvailabilityDomains:getAvailabilityDomains",
                    "oci:ContainerEngine/getNodePoolOption:getNodePoolOption",
                    "oci:ContainerEngine/getClusterKubeConfig:getClusterKubeConfig",
                    "oci:Core/getServices:getServices",
                    "oci:ObjectStorage/getNamespace:getNamespace"}


def _record(program: Callable[[], None], **options) -> Declared:
    run = record(program, **options)
    assert set(run.invokes) <= EXPECTED_INVOKES, f"unexpected invokes {sorted(set(run.invokes) - EXPECTED_INVOKES)}"
    return Declared(run)


@pytest.fixture(scope="session")
def recorder() -> Callable[..., Declared]:
    """`recorder(program, config=, project=, stack=)`: what `program` declares (see `Declared`)."""
    return _record
