"""gpufleet's Pulumi program: place the stack's workloads, then declare one GpuCluster per cloud and region.

Configuration is one typed value, `gpufleet:fleet` (gpufleet/config.py). Placement decides each
workload's cloud, region and instance type in plain Python before anything is declared; the
components then preflight every cluster and declare them with one explicit provider per cloud and
region. A mistake in the configuration is reported as a list of problems, never a traceback.
"""

import pulumi

from gpufleet.components.fleet import declare_fleet, hot_tier_advisories
from gpufleet.catalog import load_catalog
from gpufleet.clouds import component_clouds
from gpufleet.config import parse_fleet
from gpufleet.errors import UserError
from gpufleet.placement.lock import (not_locked_warning, parse_lock, place_with_lock, placement_output,
                                     recommend)


class FleetError(UserError, pulumi.RunError):
    """A mistake in the stack's fleet. As a `RunError` the Pulumi CLI prints it without a traceback;
    as a `UserError` `gpufleet preview` reports it as a configuration error (exit 2)."""


def main() -> None:
    catalog = load_catalog()
    config = pulumi.Config("gpufleet")
    try:
        fleet = parse_fleet(config.require_object("fleet"), catalog)
        catalog = fleet.catalog(catalog)  # the stack's owned sites, as regions priced from their own figures
        lock = parse_lock(config.get_object("placement"))
        placed = place_with_lock(fleet, catalog, lock, component_clouds(), pulumi.get_stack())
        recommendation = recommend(fleet, catalog, placed, component_clouds())
        clusters = declare_fleet(fleet, placed, catalog)
    except UserError as error:
        raise FleetError(error.problems, heading=error.heading) from None
    for note in placed.placement.proof_notes():  # first: a preview shows only its first diagnostics
        pulumi.log.warn(f"placement: {note}")
    for name in placed.unlocked:
        pulumi.log.warn(not_locked_warning(name, pulumi.get_stack()))
    if recommendation is not None:
        pulumi.log.info(f"recommendation: {recommendation.text(pulumi.get_stack())}")
    advisories = hot_tier_advisories(fleet, placed, pulumi.get_stack())
    for note in advisories:
        pulumi.log.warn(f"advisory: {note}")
    pulumi.export("placement", placement_output(pulumi.get_stack(), placed, recommendation, catalog.data_description,
                                                advisories))
    pulumi.export("clusters", {
        name: {"cluster_name": c.cluster_name, "cluster_id": c.cluster_id, "network_id": c.network_id,
               "fabric": c.fabric, "bandwidth_gbps_per_node": c.bandwidth_gbps_per_node,
               "node_groups": c.node_groups, "storage": c.storage}
        for name, c in clusters.items()
    })


main()
