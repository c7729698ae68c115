import pulumi_kubernetes as k8s

gpu = k8s.core.v1.ResourceRequirementsArgs(limits={"nvidia.com/gpu": "1"})
pod = k8s.core.v1.PodSpecArgs(containers=[k8s.core.v1.ContainerArgs(name="serve", image="vllm/vllm-openai", resources=gpu)])
template = k8s.core.v1.PodTemplateSpecArgs(metadata={"labels": {"app": "serve"}}, spec=pod)

k8s.apps.v1.Deployment("serve", spec=k8s.apps.v1.DeploymentSpecArgs(
    replicas=2, selector={"match_labels": {"app": "serve"}}, template=template))
k8s.batch.v1.Job("train", spec=k8s.batch.v1.JobSpecArgs(parallelism=4, template=k8s.core.v1.PodTemplateSpecArgs(
    spec=k8s.core.v1.PodSpecArgs(restart_policy="Never", containers=[k8s.core.v1.ContainerArgs(
        name="train", image="nvcr.io/nvidia/pytorch:24.05-py3",
        resources=k8s.core.v1.ResourceRequirementsArgs(limits={"nvidia.com/gpu": 8}))]))))
k8s.apps.v1.DaemonSet("probe", spec=k8s.apps.v1.DaemonSetSpecArgs(
    selector={"match_labels": {"app": "serve"}}, template=template))
k8s.core.v1.Service("serve", spec=k8s.core.v1.ServiceSpecArgs(type="LoadBalancer", selector={"app": "serve"},
                                                              ports=[k8s.core.v1.ServicePortArgs(port=80)]))
k8s.core.v1.Namespace("ml")
