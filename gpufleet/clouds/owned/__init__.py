"""Owned capacity (pulumi-kubernetes 4): GPUs in the owner's own sites, each an existing Kubernetes cluster
described in the stack (`sites:`). Placement treats a site as a region of this cloud within its GPUs;
the components declare what code can on a cluster whose hardware they do not create: a namespace, a GPU
ResourceQuota and Kueue queues (and the GPU operator or device plugin when the site asks for it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.owned import facts, preflight
from gpufleet.clouds.owned.readers import READERS
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.clouds.plans import NodeGroupPlan, StoragePlan


class Owned(CloudAdapter):
    name = "owned"
    title = "Owned sites"
    readers = tuple(READERS)
    declare_module = "gpufleet.clouds.owned.declare"
    unsupported = facts.UNSUPPORTED
    hosts_sites = True

    def default_zone(self, region: str) -> str:
        return preflight.default_zone(region)

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return preflight.zone_problem(path, region, zone)

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]:
        return preflight.node_group_problems(plan, path)

    def storage_problems(self, plan: StoragePlan, path: str) -> list[Problem]:
        return preflight.storage_problems(plan, path)
