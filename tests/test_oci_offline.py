"""Offline answers to the OCI lookups programs make (pulumi-oci docs style), registered by the OCI adapter:
derived from the lookup's arguments and the provider's region only, the same on every run, and saying they
were looked up offline where only OCI knows the value."""

import pulumi
import pulumi_oci as oci

from gpufleet.clouds.oci.facts import OKE_VERSIONS_OFFLINE
from gpufleet.offline import record

CONFIG = {"oci:region": "uk-london-1"}
COMPARTMENT = "ocid1.compartment.oc1..aaaaexample"


def lookups():
    domains = oci.identity.get_availability_domains(compartment_id=COMPARTMENT)
    images = oci.core.get_images(compartment_id=COMPARTMENT, operating_system="Oracle Linux",
                                 operating_system_version="8", shape="BM.GPU.H100.8")
    node_pool = oci.containerengine.get_node_pool_option(node_pool_option_id="all", compartment_id=COMPARTMENT)
    cluster = oci.containerengine.get_cluster_option(cluster_option_id="all")
    tenancy = oci.identity.get_tenancy(tenancy_id="ocid1.tenancy.oc1..aaaaexample")
    namespace = oci.objectstorage.get_namespace(compartment_id=COMPARTMENT)
    services = oci.core.get_services()
    pulumi.export("answers", {
        "domains": [d.name for d in domains.availability_domains],
        "image": [images.images[0].display_name, images.images[0].operating_system, images.images[0].id],
        "node_pool": [node_pool.kubernetes_versions, [s.source_name for s in node_pool.sources][:2]],
        "cluster": cluster.kubernetes_versions,
        "tenancy": [tenancy.id, tenancy.name],
        "namespace": namespace.namespace,
        "services": [s.name for s in services.services],
    })


def test_oci_lookups_are_answered_offline_stably_and_say_so():
    run = record(lookups, config=CONFIG)
    first = run.outputs["answers"]
    assert first == record(lookups, config=CONFIG).outputs["answers"]
    prefix = first["domains"][0].split(":")[0]
    assert first["domains"] == [f"{prefix}:UK-LONDON-1-AD-{n}" for n in (1, 2, 3)]
    assert first["image"][:2] == ["Oracle-Linux-8-looked-up-offline", "Oracle Linux"]
    assert first["image"][2].startswith("ocid1.image.oc1.uk-london-1.")
    assert first["node_pool"] == [list(OKE_VERSIONS_OFFLINE), [
        "Oracle-Linux-8.10-Gen2-looked-up-offline-OKE-1.31.10", "Oracle-Linux-8.10-Gen2-GPU-looked-up-offline-OKE-1.31.10"]]
    assert first["cluster"] == list(OKE_VERSIONS_OFFLINE)
    assert first["tenancy"] == ["ocid1.tenancy.oc1..aaaaexample", "looked up offline"]
    assert first["namespace"].startswith("ns") and len(first["namespace"]) == 12
    assert first["services"] == ["All services in Oracle Services Network (looked up offline)"]
    assert set(run.lookups.values()) == {"plausible offline answer"}
