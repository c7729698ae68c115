"""Aliases recorded by the offline engine: the same as the SDK's own path gives, without its Output chains."""

import contextlib
import warnings

import pulumi

from gpufleet import pulumi_private
from gpufleet.offline import record
from gpufleet.offline import runner

with warnings.catch_warnings():  # the provider SDKs' import-time deprecation notices
    warnings.simplefilter("ignore", DeprecationWarning)
    from pulumi_azure_native import containerservice

VERSION_ALIASES = "azure-native:containerservice/v"


class Pools(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gpufleet:test:Pools", name, None, opts)
        containerservice.AgentPool(f"{name}-gpu", resource_group_name="rg", resource_name_="aks",
                                   vm_size="Standard_ND96isr_H100_v5", count=1, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def program() -> None:
    containerservice.AgentPool("top", resource_group_name="rg", resource_name_="aks",
                               vm_size="Standard_NC24ads_A100_v4", count=2)
    pools = Pools("nested", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-nested")]))
    containerservice.AgentPool("renamed", resource_group_name="rg", resource_name_="aks",
                               vm_size="Standard_NC24ads_A100_v4", opts=pulumi.ResourceOptions(aliases=[
                                   pulumi.Alias(name="old", parent=pools),
                                   pulumi.Alias(name="older", stack="prod", project=pulumi.Output.from_input("p")),
                                   "urn:pulumi:test::test::azure-native:containerservice:AgentPool::oldest",
                                   pulumi.Output.from_input(pulumi.Alias(name="from-an-output"))]))


def test_agent_pools_record_the_aliases_of_the_sdks_own_path(monkeypatch):
    fast = record(program)
    monkeypatch.setattr(pulumi_private, "aliases_without_output_chains", contextlib.nullcontext)
    assert runner._sdk.aliases_without_output_chains is contextlib.nullcontext
    sdk = record(program)
    assert [(r.urn, r.aliases) for r in fast.resources] == [(r.urn, r.aliases) for r in sdk.resources]
    assert fast.resources == sdk.resources
    by_name = {r.name: r for r in fast.resources}
    versions = [a for a in by_name["top"].aliases if a.get("spec", {}).get("type", "").startswith(VERSION_ALIASES)]
    assert len(versions) > 100 and versions[0] == {
        "spec": {"type": "azure-native:containerservice/v20190201:AgentPool", "parentUrn": ""}}
    assert by_name["renamed"].aliases[:4] == [
        {"spec": {"name": "old", "parentUrn": by_name["nested"].urn}},
        {"spec": {"name": "older", "stack": "prod", "project": "p", "parentUrn": ""}},
        {"urn": "urn:pulumi:test::test::azure-native:containerservice:AgentPool::oldest"},
        {"spec": {"name": "from-an-output", "parentUrn": ""}},
    ]
    assert by_name["nested"].aliases == [{"spec": {"name": "old-nested", "parentUrn": ""}}]


def test_a_resources_own_alias_urns_are_the_sdks_when_awaited():
    """`Resource._aliases` (read only by an engine without alias specs) still resolve to the SDK's URNs."""
    seen: dict[str, dict[int, str]] = {"lazy": {}, "sdk": {}}

    def capture() -> None:
        parent = Pools("p", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-p")]))
        aliases = [pulumi.Alias(name="old"), pulumi.Alias(type_="azure-native:containerservice/v20190201:AgentPool"),
                   "urn:pulumi:test::test::some:type::x"]
        pool = containerservice.AgentPool("pool", resource_group_name="rg", resource_name_="aks",
                                          opts=pulumi.ResourceOptions(parent=parent, aliases=aliases))
        for i, (alias, lazy) in enumerate(zip(aliases, pool._aliases)):  # the program's aliases come first
            sdk = pulumi_private._SDK_COLLAPSE_ALIAS_TO_URN(alias, "pool", pool._type, parent)
            pulumi.Output.from_input(lazy).apply(lambda urn, i=i: seen["lazy"].__setitem__(i, urn))
            sdk.apply(lambda urn, i=i: seen["sdk"].__setitem__(i, urn))

    record(capture)
    assert seen["lazy"] == seen["sdk"] and len(seen["sdk"]) == 3
    assert seen["sdk"] == {
        0: "urn:pulumi:test::test::gpufleet:test:Pools$azure-native:containerservice:AgentPool::old",
        1: "urn:pulumi:test::test::gpufleet:test:Pools$azure-native:containerservice/v20190201:AgentPool::pool",
        2: "urn:pulumi:test::test::some:type::x"}
