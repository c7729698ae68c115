"""Task tests record the task's program in-process under the test run's "warnings are errors": the provider
SDKs' own import-time deprecation warnings are not ours, so their submodules are imported first."""

import importlib
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    for _module in ("pulumi_aws.ec2", "pulumi_aws.eks", "pulumi_aws.fsx", "pulumi_aws.iam", "pulumi_aws.s3",
                    "pulumi_aws.vpc", "pulumi_azure_native.authorization", "pulumi_azure_native.compute",
                    "pulumi_azure_native.containerservice", "pulumi_azure_native.network",
                    "pulumi_azure_native.resources", "pulumi_azure_native.storage",
                    "pulumi_azure_native.storagecache", "pulumi_kubernetes.batch.v1", "pulumi_kubernetes.helm.v3",
                    "pulumi_kubernetes.apiextensions"):
        getattr(importlib.import_module(_module), "Provider", None)  # lazily loaded: an attribute runs the import
