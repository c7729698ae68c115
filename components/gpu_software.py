"""`GpuSoftwareStack`: what a GPU job needs inside Kubernetes — GPU and fabric device plugins, and queues.

Declared with pulumi-kubernetes through the Kubernetes provider the caller passes (`opts.providers`);
chart versions are pinned in the catalog (`gpufleet/catalog/data/gpu_software_charts.csv`, sourced).

- NVIDIA: nothing where the cloud runs the GPU device plugin itself (its adapter's
  `runs_gpu_device_plugin`, GKE); only the NVIDIA device plugin where the node image carries the
  driver (`node_image_has_gpu_driver`); elsewhere the NVIDIA GPU operator, which installs the driver too.
- Fabric: the AWS EFA device plugin for EFA; the NVIDIA network operator for InfiniBand.
- Kueue, and per GPU node group a ResourceFlavor (its nodes, tolerating the GPU taint), a ClusterQueue
  with the group's GPUs and memory as quota, and a LocalQueue jobs name, so jobs wait for capacity.
"""

from typing import Any, Optional

import pulumi
import pulumi_kubernetes as kubernetes

from gpufleet.catalog.charts import HelmChart, load_charts
from gpufleet.clouds import adapter

from gpufleet.components.args import GpuSoftwareStackArgs
from gpufleet.components.tags import label_value

KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta1"  # served by the pinned Kueue 0.14
WORKLOAD_LABEL = "gpufleet.io/workload"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
FABRIC_CHARTS = {"EFA": "aws-efa-k8s-device-plugin", "InfiniBand": "network-operator"}
# The EFA plugin runs only on nodes with EFA interfaces, which carry the GPU taint (values as in
# aws-samples and eks-charts examples: nodeSelector on the EKS EFA label, GPU toleration).
FABRIC_VALUES: dict[str, dict[str, Any]] = {
    "EFA": {"nodeSelector": {"vpc.amazonaws.com/efa.present": "true"}, "tolerations": [GPU_TOLERATION]},
    "InfiniBand": {},
}
# GPU feature discovery labels the GPU nodes the device plugin's default affinity selects (AWS EKS
# user guide, "Install Kubernetes device plugin for GPUs": --set gfd.enabled=true).
DEVICE_PLUGIN_VALUES = {"gfd": {"enabled": True}}


def _release(name: str, chart: HelmChart, values: dict[str, Any], opts: pulumi.ResourceOptions) -> kubernetes.helm.v3.Release:
    return kubernetes.helm.v3.Release(
        name,
        name=chart.release,
        chart=chart.chart,
        version=chart.version,
        repository_opts={"repo": chart.repository} if chart.repository else None,
        namespace=chart.namespace,
        create_namespace=True,
        values=values,
        opts=opts,
    )


class GpuSoftwareStack(pulumi.ComponentResource):
    """Helm releases for the GPU and fabric device plugins (or operators) and Kueue, and one Kueue
    ClusterQueue per GPU node group. Pass the cluster's Kubernetes provider in `opts.providers`."""

    gpu_release: pulumi.Output[Optional[str]]
    """Helm release name of the NVIDIA device plugin or GPU operator; none where the cloud runs the device
    plugin itself (GKE)."""
    fabric_release: pulumi.Output[Optional[str]]
    """Helm release name of the EFA device plugin or network operator; none without a fabric."""
    queues: pulumi.Output[dict[str, str]]
    """By workload: the LocalQueue name jobs put in their `kueue.x-k8s.io/queue-name` label."""

    def __init__(self, name: str, args: GpuSoftwareStackArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("gpufleet:index:GpuSoftwareStack", name, None, opts)
        charts = load_charts()
        child = pulumi.ResourceOptions(parent=self)
        cloud = adapter(args["cloud"])
        plugin = args.get("gpu_plugin")
        gpu = None
        if plugin is None and cloud is not None and cloud.runs_gpu_device_plugin:
            pass  # a second device plugin would advertise the same GPUs twice
        elif plugin == "device-plugin" or (plugin is None and cloud is not None and cloud.node_image_has_gpu_driver):
            gpu = _release(f"{name}-nvidia-device-plugin", charts["nvidia-device-plugin"], DEVICE_PLUGIN_VALUES, child)
        else:
            gpu = _release(f"{name}-gpu-operator", charts["gpu-operator"], {}, child)
        fabric = None
        if args["fabric"] in FABRIC_CHARTS:
            key = FABRIC_CHARTS[args["fabric"]]
            fabric = _release(f"{name}-{key}", charts[key], FABRIC_VALUES[args["fabric"]], child)

        queues: dict[str, str] = {}
        if args.get("enable_queues", True):
            kueue = _release(f"{name}-kueue", charts["kueue"], {}, child)
            namespace = args.get("queue_namespace") or "default"
            after_kueue = pulumi.ResourceOptions(parent=self, depends_on=[kueue])  # the CRDs come with the chart
            for queue in args["queues"]:
                queues[queue["workload"]] = self._queue(name, queue, namespace, after_kueue)

        self.gpu_release = gpu.name if gpu else pulumi.Output.from_input(None)
        self.fabric_release = fabric.name if fabric else pulumi.Output.from_input(None)
        self.queues = pulumi.Output.from_input(queues)
        self.register_outputs({"gpu_release": self.gpu_release, "fabric_release": self.fabric_release,
                               "queues": self.queues})

    @staticmethod
    def _queue(name: str, queue: Any, namespace: str, opts: pulumi.ResourceOptions) -> str:
        workload = label_value(queue["workload"])
        flavor = kubernetes.apiextensions.CustomResource(
            f"{name}-{workload}-flavor", api_version=KUEUE_API_VERSION, kind="ResourceFlavor",
            metadata={"name": workload},
            spec={"nodeLabels": {WORKLOAD_LABEL: workload}, "tolerations": [GPU_TOLERATION]}, opts=opts)
        kubernetes.apiextensions.CustomResource(
            f"{name}-{workload}-cluster-queue", api_version=KUEUE_API_VERSION, kind="ClusterQueue",
            metadata={"name": workload},
            spec={
                "namespaceSelector": {},  # any namespace's LocalQueue may point here
                "resourceGroups": [{
                    "coveredResources": ["nvidia.com/gpu", "memory"],
                    "flavors": [{"name": workload, "resources": [
                        {"name": "nvidia.com/gpu", "nominalQuota": queue["gpus"]},
                        {"name": "memory", "nominalQuota": f"{queue['memory_gib']:g}Gi"},
                    ]}],
                }],
            },
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[flavor])))
        kubernetes.apiextensions.CustomResource(
            f"{name}-{workload}-local-queue", api_version=KUEUE_API_VERSION, kind="LocalQueue",
            metadata={"name": workload, "namespace": namespace}, spec={"clusterQueue": workload}, opts=opts)
        return workload
