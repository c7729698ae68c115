"""Oracle Cloud product facts and what gpufleet does not provide on OCI, and why."""

from __future__ import annotations

from gpufleet.clouds.adapter import Feature

UNSUPPORTED: dict[Feature, str] = {
    Feature.COMPONENTS: (
        "gpufleet reads, prices and polices OCI programs (OKE node pools, instances, instance pools, RDMA "
        "cluster networks, Object Storage) and places workloads on OCI shapes, but its components do not "
        "declare OCI clusters yet: declare OKE with pulumi-oci"
    ),
}
