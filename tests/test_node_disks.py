"""Boot and OS disks outside AWS: the disks a VM, scale set, node pool or managed instance group gives each
node without declaring a disk resource are one part each (`<resource>.<path>`, of the provider's disk type),
listed unpriced with their count, size and type (the catalog has no sourced Azure managed disk, Persistent
Disk or Block Volume price), never free and never left out. AWS's side is in test_bill.py."""

from gpufleet.estimate import ResourceView, estimate_plan

URN = "urn:pulumi:dev::p::"
AZ = "no sourced Azure managed disk price in the catalog"
PD = "no sourced Persistent Disk or Hyperdisk price in the catalog"
BV = "no sourced Block Volume price in the catalog"


def view(type_, name, inputs, provider=None, **more):
    return ResourceView(f"{URN}{type_}::{name}", type_, inputs, provider or {}, **more)


def unpriced_disks(views):
    """{part name: (type, why)} of every part standing for node disks, in plan order."""
    plan = estimate_plan(views)
    out = {}
    for urn in plan.unpriced:
        e = plan.resources[urn]
        if e.nodes is None and e.cloud is None and "." in urn.rsplit("::", 1)[1]:
            assert (e.monthly_usd, e.monthly_kwh) == (None, None)  # never 0
            out[urn.rsplit("::", 1)[1]] = (e.type, e.derivation["monthly_usd"].removeprefix("unknown: "))
    return out


def test_azure_native_vms_and_scale_sets_os_and_data_disks_are_listed_unpriced():
    nd = view("azure-native:compute:VirtualMachine", "nd", {
        "location": "eastus", "hardwareProfile": {"vmSize": "Standard_ND96isr_H100_v5"},
        "storageProfile": {"osDisk": {"createOption": "FromImage", "diskSizeGB": 1024,
                                      "managedDisk": {"storageAccountType": "Premium_LRS"}},
                           "dataDisks": [{"lun": 0, "createOption": "Empty", "diskSizeGB": 256,
                                          "managedDisk": {"storageAccountType": "PremiumV2_LRS"}},
                                         {"lun": 1, "createOption": "Attach", "managedDisk": {"id": "/disks/d"}}]}})
    bare = view("azure-native:compute:VirtualMachine", "bare", {
        "location": "eastus", "hardwareProfile": {"vmSize": "Standard_NC24ads_A100_v4"}})
    # an ephemeral OS disk is on the host ("just like a temporary disk"): no disk, no part
    eph = view("azure-native:compute:VirtualMachine", "eph", {
        "location": "eastus", "hardwareProfile": {"vmSize": "Standard_NC24ads_A100_v4"},
        "storageProfile": {"osDisk": {"createOption": "FromImage", "diffDiskSettings": {"option": "Local"}}}})
    vmss = view("azure-native:compute:VirtualMachineScaleSet", "ss", {
        "location": "eastus", "sku": {"name": "Standard_NC24ads_A100_v4", "capacity": 2},
        "virtualMachineProfile": {"storageProfile": {"osDisk": {"createOption": "FromImage"}}}})
    assert unpriced_disks([nd, bare, eph, vmss]) == {
        "nd.storageProfile.osDisk": ("azure-native:compute:Disk", f"1 × 1024 GB Premium_LRS managed OS disk(s): {AZ}"),
        "nd.storageProfile.dataDisks[0]": ("azure-native:compute:Disk",
                                           f"1 × 256 GB PremiumV2_LRS managed data disk(s): {AZ}"),
        "bare.storageProfile.osDisk": ("azure-native:compute:Disk", "1 × the image's size (diskSizeGB unset) managed "
                                       "OS disk(s) of a type Azure picks (managedDisk.storageAccountType unset): "
                                       f"{AZ}"),
        "ss.virtualMachineProfile.storageProfile.osDisk": (
            "azure-native:compute:Disk", "2 × the image's size (diskSizeGB unset) managed OS disk(s) of a type Azure "
            f"picks (managedDisk.storageAccountType unset): {AZ}")}


def test_aks_pools_os_disks_are_listed_unpriced_at_their_size_or_aks_default_and_ephemeral_ones_are_not_disks():
    cluster = view("azure-native:containerservice:ManagedCluster", "aks", {
        "location": "eastus", "resourceName": "aks", "agentPoolProfiles": [
            {"name": "system", "vmSize": "Standard_D4ds_v5", "count": 2, "mode": "System"},
            {"name": "eph", "vmSize": "Standard_D4ds_v5", "count": 2, "osDiskType": "Ephemeral"}]})
    managed = view("azure-native:containerservice:AgentPool", "gpu", {
        "resourceName": "aks", "vmSize": "Standard_ND96isr_H100_v5", "count": 2, "osDiskSizeGB": 256,
        "osDiskType": "Managed"})
    default = view("azure-native:containerservice:AgentPool", "nc", {
        "resourceName": "aks", "vmSize": "Standard_NC24ads_A100_v4", "count": 1, "osDiskType": "Managed"})
    zero = view("azure-native:containerservice:AgentPool", "zero", {
        "resourceName": "aks", "vmSize": "Standard_ND96isr_H100_v5", "count": 0})
    unset = ("OS disk(s), managed (billed) unless AKS makes them Ephemeral (osDiskType unset: Ephemeral when the VM "
             "size's cache or temporary disk is larger than the OS disk)")
    # AKS concepts-storage: the default managed OS disk follows the vCPUs (4: 128 GB; 24: 512 GB)
    assert unpriced_disks([cluster, managed, default, zero]) == {
        "aks.agentPoolProfiles[system].osDisk": (
            "azure-native:compute:Disk", f"2 × 128 GB (osDiskSizeGB unset: AKS's default for 4 vCPUs) {unset}: {AZ}"),
        "gpu.osDisk": ("azure-native:compute:Disk", f"2 × 256 GB managed OS disk(s): {AZ}"),
        "nc.osDisk": ("azure-native:compute:Disk",
                      f"1 × 512 GB (osDiskSizeGB unset: AKS's default for 24 vCPUs) managed OS disk(s): {AZ}")}
    plan = estimate_plan([cluster, managed, zero])
    # parts of the cluster for its inline pools; Ephemeral: on the host, no disk; 0 nodes: no disk
    assert [u.rsplit("::", 1)[1] for u in plan.resources] == [
        "aks", "aks.agentPoolProfiles[system]", "aks.agentPoolProfiles[system].osDisk", "aks.agentPoolProfiles[eph]",
        "gpu", "gpu.osDisk", "zero"]
    assert plan.resources[f"{cluster.urn}.agentPoolProfiles[system].osDisk"].urn.startswith(cluster.urn)


def test_classic_azure_vm_and_node_pool_os_disks_are_listed_unpriced():
    vm = view("azure:compute/linuxVirtualMachine:LinuxVirtualMachine", "vm", {
        "location": "eastus", "size": "Standard_NC24ads_A100_v4",
        "osDisk": {"storageAccountType": "Premium_LRS", "diskSizeGb": 512, "caching": "ReadWrite"}})
    cluster = view("azure:containerservice/kubernetesCluster:KubernetesCluster", "aks", {
        "location": "eastus", "defaultNodePool": {"name": "system", "vmSize": "Standard_D4ds_v5", "nodeCount": 1,
                                                  "osDiskType": "Ephemeral"}})
    pool = view("azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool", "nd", {
        "vmSize": "Standard_ND96asr_v4", "nodeCount": 2}, dependencies={"kubernetesClusterId": (f"{URN}x",)})
    disk = "azure:compute/managedDisk:ManagedDisk"
    # pulumi-azure: a pool's os_disk_type "Defaults to `Managed`"
    assert unpriced_disks([vm, cluster, pool]) == {
        "vm.osDisk": (disk, f"1 × 512 GB Premium_LRS managed OS disk(s): {AZ}"),
        "nd.osDisk": (disk, f"2 × 1024 GB (osDiskSizeGb unset: AKS's default for 96 vCPUs) managed OS disk(s): {AZ}")}


def test_gcp_boot_disks_of_instances_node_pools_and_instance_templates_are_listed_unpriced():
    vm = view("gcp:compute/instance:Instance", "l4", {
        "machineType": "g2-standard-8", "zone": "europe-west4-a",
        "bootDisk": {"initializeParams": {"size": 200, "type": "pd-ssd"}}})
    attached = view("gcp:compute/instance:Instance", "att", {
        "machineType": "g2-standard-8", "zone": "europe-west4-a", "bootDisk": {"source": "projects/p/disks/d"}})
    pool = view("gcp:container/nodePool:NodePool", "a100", {
        "location": "us-central1-a", "nodeCount": 2, "nodeConfig": {"machineType": "a2-highgpu-1g"}})
    sized = view("gcp:container/nodePool:NodePool", "ssd", {
        "location": "us-central1-a", "nodeCount": 1,
        "nodeConfig": {"machineType": "a2-highgpu-1g", "diskSizeGb": 300, "diskType": "pd-ssd"}})
    tmpl = view("gcp:compute/instanceTemplate:InstanceTemplate", "a2", {"machineType": "a2-highgpu-2g", "disks": [
        {"boot": True, "sourceImage": "projects/x/global/images/family/y", "diskSizeGb": 500},
        {"source": "existing-disk"}, {"diskType": "local-ssd", "diskSizeGb": 375, "type": "SCRATCH"}]})
    mig = view("gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager", "a2", {
        "region": "us-central1", "targetSize": 3, "versions": [{"instanceTemplate": "x"}]},
        dependencies={"versions": (tmpl.urn,)})
    disk = "gcp:compute/disk:Disk"
    assert unpriced_disks([vm, attached, pool, sized, tmpl, mig]) == {
        "l4.bootDisk": (disk, f"1 × 200 GB pd-ssd boot disk(s): {PD}"),
        # pulumi-gcp 10.2.0 nodeConfig.diskSizeGb "Defaults to 100GB"
        "a100.nodeConfig.bootDisk": (disk, "2 × 100 GB (diskSizeGb unset: GKE's default) boot disk(s) of pd-balanced "
                                           f"or hyperdisk-balanced by machine type (diskType unset): {PD}"),
        "ssd.nodeConfig.bootDisk": (disk, f"1 × 300 GB pd-ssd boot disk(s): {PD}"),
        "a2.instanceTemplate.disks[0]": (disk, "3 × 500 GB boot disk(s) of the API's default type (diskType unset): "
                                               f"{PD}"),
        "a2.instanceTemplate.disks[2]": (disk, f"3 × 375 GB local-ssd disk(s): {PD}")}


def test_gke_cluster_pools_boot_disks_are_parts_of_the_cluster_cpu_pools_too():
    cluster = view("gcp:container/cluster:Cluster", "gke", {
        "location": "us-central1-a", "initialNodeCount": 1, "nodeConfig": {"machineType": "e2-standard-4"},
        "nodePools": [{"name": "gpu", "nodeCount": 2, "nodeConfig": {"machineType": "a2-highgpu-1g",
                                                                     "bootDisk": {"sizeGb": 200}}}]})
    plan = estimate_plan([cluster])
    assert [u.rsplit("::", 1)[1] for u in plan.resources] == [
        "gke", "gke.nodePools[default-pool].nodeConfig.bootDisk", "gke.nodePools[gpu]",
        "gke.nodePools[gpu].nodeConfig.bootDisk"]
    assert {u.rsplit("::", 1)[1]: plan.resources[u].derivation["monthly_usd"] for u in plan.unpriced
            if u.endswith("bootDisk")} == {
        "gke.nodePools[default-pool].nodeConfig.bootDisk": (
            "unknown: 1 × 100 GB (diskSizeGb unset: GKE's default) boot disk(s) of pd-balanced or hyperdisk-balanced "
            f"by machine type (diskType unset): {PD}"),
        "gke.nodePools[gpu].nodeConfig.bootDisk": (
            "unknown: 2 × 200 GB boot disk(s) of pd-balanced or hyperdisk-balanced by machine type (diskType unset): "
            f"{PD}")}


def test_oci_boot_volumes_of_instances_and_node_pools_are_listed_unpriced():
    inst = view("oci:Core/instance:Instance", "a10", {
        "shape": "VM.GPU.A10.1", "sourceDetails": {"sourceType": "image", "bootVolumeSizeInGbs": "100"}},
        {"region": "us-ashburn-1"})
    own = view("oci:Core/instance:Instance", "own", {
        "shape": "VM.GPU.A10.1", "sourceDetails": {"sourceType": "bootVolume", "sourceId": "ocid1.bootvolume.x"}},
        {"region": "us-ashburn-1"})
    pool = view("oci:ContainerEngine/nodePool:NodePool", "h100", {
        "nodeShape": "BM.GPU.H100.8", "nodeConfigDetails": {"size": 2}}, {"region": "us-ashburn-1"})
    config = view("oci:Core/instanceConfiguration:InstanceConfiguration", "cfg", {"instanceDetails": {
        "instanceType": "compute", "launchDetails": {"shape": "BM.GPU4.8", "sourceDetails": {
            "sourceType": "image", "bootVolumeSizeInGbs": "500"}}}}, {"region": "us-ashburn-1"})
    instance_pool = view("oci:Core/instancePool:InstancePool", "ip", {"size": 4, "instanceConfigurationId": "x"},
                         {"region": "us-ashburn-1"}, dependencies={"instanceConfigurationId": (config.urn,)})
    volume = "oci:Core/bootVolume:BootVolume"
    assert unpriced_disks([inst, own, pool, config, instance_pool]) == {
        "ip.instanceConfiguration.instanceDetails.launchDetails.sourceDetails.bootVolume": (
            volume, f"4 × 500 GB boot volume(s): {BV}"),
        "a10.sourceDetails.bootVolume": (volume, f"1 × 100 GB boot volume(s): {BV}"),
        "h100.nodeSourceDetails.bootVolume": (
            volume, f"2 × the image's size (nodeSourceDetails.bootVolumeSizeInGbs unset) boot volume(s): {BV}")}
