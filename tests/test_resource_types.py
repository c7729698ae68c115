"""Every resource type gpufleet's tables name exists in the pinned provider SDKs, and every resource of
a plan is assessed: priced, unpriced with a reason, known free, or not assessed (issue #16)."""

import functools
import importlib.util
import re
from pathlib import Path

from gpufleet.clouds import adapters
from gpufleet.estimate import ResourceView, estimate_plan
from gpufleet.readers import kubernetes

PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "azure": "pulumi_azure", "gcp": "pulumi_gcp",
            "kubernetes": "pulumi_kubernetes", "eks": "pulumi_eks", "awsx": "pulumi_awsx", "oci": "pulumi_oci",
            "coreweave": "pulumi_coreweave"}
# Custom resources: declared through pulumi-kubernetes' CustomResource, so no SDK class registers them.
CUSTOM_RESOURCES = {"kubernetes:compute.coreweave.com/v1alpha1:NodePool",
                    # Kueue's custom resources (gpufleet's queues), declared as `apiextensions.CustomResource`
                    "kubernetes:kueue.x-k8s.io/v1beta1:ResourceFlavor", "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue",
                    "kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue"}
# How a generated SDK registers a resource class: super(...).__init__('<token>', resource_name, …)
_REGISTERED = re.compile(r"__init__\(\s*'([A-Za-z0-9_.-]+:[^']+)'")
URN = "urn:pulumi:dev::p::"


@functools.cache
def _registered_in(directory: Path) -> frozenset[str]:
    return frozenset(t for f in directory.glob("*.py") for t in _REGISTERED.findall(f.read_text(encoding="utf-8")))


def sdk_has(token: str) -> bool:
    """Whether the installed SDK of the token's package registers a resource class under `token`,
    read from its source (importing every module would take minutes)."""
    if token in CUSTOM_RESOURCES:
        return True
    package, module, _ = token.split(":")
    spec = importlib.util.find_spec(PACKAGES[package])
    root = Path(next(iter(spec.submodule_search_locations)))
    parts = module.split("/")
    # index: the package root; "lambda": lambda_; Kubernetes groups "rbac.authorization.k8s.io/v1": rbac/v1
    candidates = [root] if parts[0] == "index" else [root.joinpath(*parts), root / parts[0], root / f"{parts[0]}_",
                                                      root / parts[0].lower(),
                                                      root.joinpath(parts[0].split(".")[0], *parts[1:])]
    return any(d.is_dir() and token in _registered_in(d) for d in candidates)


def test_every_type_a_reader_names_exists_in_the_pinned_sdks() -> None:
    tokens = sorted({r.type for a in adapters() for r in a.readers} | {r.type for r in kubernetes.READERS})
    assert len(tokens) > 150
    assert [t for t in tokens if not sdk_has(t)] == []


def test_the_checker_rejects_tokens_the_sdks_do_not_have() -> None:
    assert [sdk_has(t) for t in ("azure-native:documentdb:DatabaseAccount", "azure-native:cache:Redis",
                                 "azure-native:cosmosdb:DatabaseAccount", "aws:lambda/function:Function")] == [
        False, False, True, True]


def view(type_: str, name: str, inputs: dict, **kw) -> ResourceView:
    return ResourceView(urn=f"{URN}{type_}::{name}", type=type_, inputs=inputs, provider_inputs={"region": "us-east-1"}, **kw)


def test_every_resource_is_priced_unpriced_free_or_not_assessed() -> None:
    views = [
        view("aws:ec2/instance:Instance", "gpu", {"instanceType": "p5.48xlarge"}),
        view("aws:redshift/cluster:Cluster", "warehouse", {"nodeType": "ra3.4xlarge"}),
        view("aws:ec2/vpc:Vpc", "vpc", {}),
        view("random:index/randomPet:RandomPet", "pet", {}),
        view("my:index:Fleet", "fleet", {}, custom=False),
        view("aws:mq/broker:Broker", "broker", {}),
        view("aws-apigateway:index:RestAPI", "api", {}, custom=False, remote=True),
        view("eks:index:Cluster", "eks", {"instanceType": "p4d.24xlarge", "desiredCapacity": 2}, custom=False, remote=True),
    ]
    plan = estimate_plan(views)
    assert [(a.kind, a.reason) for a in plan.assessments.values()] == [
        ("priced", ""),
        # the instance's root volume (no rootBlockDevice): the AMI's, billed, its size and type unknown
        ("unpriced", "ebs of unknown type: volume type (the instance declares no rootBlockDevice: the root volume's "
                     "size and type are the AMI's) not known at preview"),
        ("unpriced", "Redshift node hours and storage; no price in the catalog"),
        ("free", ""),
        ("free", ""),
        ("free", ""),  # a component: its children are assessed on their own
        ("not assessed", "gpufleet does not know this resource type: its cost is unknown"),
        ("not assessed", "multi-language component not expanded offline: its children's cost is unknown"),
        ("priced", ""),  # its default node group, read from its inputs
    ]
    assert plan.to_json()["assessment"] == {
        "priced": 2, "unpriced": 2, "free": 3, "not_assessed": 2, "complete": False,
        "not_assessed_types": {
            "aws-apigateway:index:RestAPI": {"count": 1, "why": "multi-language component not expanded offline: its children's cost is unknown"},
            "aws:mq/broker:Broker": {"count": 1, "why": "gpufleet does not know this resource type: its cost is unknown"},
        },
        "not_expanded": {
            f"{URN}aws-apigateway:index:RestAPI::api": "multi-language component not expanded offline: its children's cost is unknown",
            f"{URN}eks:index:Cluster::eks": ("multi-language component not expanded offline: what it runs is estimated "
                                             "from its inputs, its other children's cost is unknown"),
        },
    }
    assert plan.resources[f"{URN}eks:index:Cluster::eks"].gpus == 16


def _sdk_source(token: str) -> str:
    """The source of the SDK module that registers `token`."""
    package, module, _ = token.split(":")
    root = Path(next(iter(importlib.util.find_spec(PACKAGES[package]).submodule_search_locations)))
    folder = root / module.split("/")[0]
    return next(text for f in sorted(folder.glob("*.py")) if f"'{token}'" in (text := f.read_text(encoding="utf-8")))


def test_every_input_a_reader_flags_as_disruptive_is_an_argument_of_its_sdk_resource() -> None:
    """`replace_inputs`, `roll_inputs` and a template's `unversioned_inputs` name real arguments."""
    def snake(name: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

    named = [(r.type, path) for a in adapters() for r in a.readers
             for path in (*r.replace_inputs, *r.roll_inputs, *(r.unversioned_inputs or ()))]
    assert len(named) > 40
    missing = [(t, p) for t, p in named if f"    {snake(p.split('.')[0])}: " not in _sdk_source(t)]
    assert missing == []
    assert f"    {snake('notAnInput')}: " not in _sdk_source("aws:eks/nodeGroup:NodeGroup")
    # Inputs of inline parts are arguments of the type a part is a view of (an AKS profile is an AgentPool's).
    part_type = {"azure-native:containerservice:ManagedCluster": "azure-native:containerservice:AgentPool",
                 "gcp:container/cluster:Cluster": "gcp:container/nodePool:NodePool"}
    parts = [(r.type, path) for a in adapters() for r in a.readers
             for path in (*r.part_replace_inputs, *r.part_roll_inputs)]
    assert {t for t, _ in parts} == set(part_type)
    assert [(t, p) for t, p in parts if f"    {snake(p.split('.')[0])}: " not in _sdk_source(part_type[t])] == []
