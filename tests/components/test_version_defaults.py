"""Version-like defaults (AMI types, node OS images, release channels, driver versions; Kubernetes
versions only where the cloud has no default: CKS, OKE) are named constants in the clouds' facts modules with their source, never
literals where resources are declared, and docs/clouds.md lists each with its value."""

import ast
import re
from pathlib import Path

from gpufleet.clouds.aws import facts as aws
from gpufleet.clouds.azure import facts as azure
from gpufleet.clouds.coreweave import facts as coreweave
from gpufleet.clouds.gcp import facts as gcp
from gpufleet.clouds.oci import facts as oci

ROOT = Path(__file__).resolve().parents[2]
VERSION_LIKE = re.compile(r"^(v?\d+\.\d+(\.\d+)?|AL2\w*|BOTTLEROCKET\w*|WINDOWS\w*|UBUNTU\w*|Ubuntu\w*|AzureLinux\w*|"
                          r"CBLMariner|Windows\d*|COS\w*|REGULAR|STABLE|RAPID|EXTENDED|LATEST|DEFAULT)$")
DEFAULTS = {
    "aws": {"GPU_AMI_TYPE": aws.GPU_AMI_TYPE, "SYSTEM_AMI_TYPE": aws.SYSTEM_AMI_TYPE, "ROOT_DEVICE": aws.ROOT_DEVICE,
            "LUSTRE_VERSION": aws.LUSTRE_VERSION},
    "azure": {"NODE_OS_SKU": azure.NODE_OS_SKU},
    "gcp": {"NODE_IMAGE_TYPE": gcp.NODE_IMAGE_TYPE, "GPU_DRIVER_VERSION": gcp.GPU_DRIVER_VERSION,
            "RELEASE_CHANNEL": gcp.RELEASE_CHANNEL},
    "oci": {"DEFAULT_KUBERNETES_VERSION": oci.DEFAULT_KUBERNETES_VERSION},
    "coreweave": {"DEFAULT_KUBERNETES_VERSION": coreweave.DEFAULT_KUBERNETES_VERSION},
}


def test_no_version_like_literal_where_resources_are_declared():
    files = [*sorted(ROOT.glob("gpufleet/clouds/*/declare.py")), *sorted((ROOT / "components").glob("*.py"))]
    assert len(files) > 10
    found = [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}" for path in files
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and VERSION_LIKE.match(node.value)]
    assert found == []


def test_the_pattern_catches_version_like_values_only():
    assert [bool(VERSION_LIKE.match(v)) for v in (
        "1.33", "AL2023_x86_64_NVIDIA", "AL2_x86_64_GPU", "COS_CONTAINERD", "UBUNTU_CONTAINERD", "Ubuntu", "AzureLinux",
        "REGULAR", "LATEST", "m7i.xlarge", "10.0.0.0/16", "kueue.x-k8s.io/v1beta1", "Standard_LRS")] == [
        True, True, True, True, True, True, True, True, True, False, False, False, False]


def test_each_default_is_documented_with_its_value():
    doc = (ROOT / "docs" / "clouds.md").read_text()
    section = doc[doc.index("## Version-like defaults"):]
    rows = {(cloud, name, value) for cloud, names in DEFAULTS.items() for name, value in names.items()}
    assert {r for r in rows if f"| {r[0]} | `{r[1]}` | `{r[2]}` |" not in section} == set()
    assert DEFAULTS["aws"]["GPU_AMI_TYPE"] == "AL2023_x86_64_NVIDIA"  # the EKS AMI type of GPU nodes
