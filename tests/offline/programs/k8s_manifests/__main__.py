"""A manifest file (ConfigFile, decoded by the provider itself), a Helm chart and a kustomization
(rendered by helm and kustomize, which the offline preview does not run)."""

import pulumi_kubernetes as k8s

k8s.yaml.ConfigFile("nccl", file="job.yaml")
k8s.helm.v3.Chart("vllm", k8s.helm.v3.ChartOpts(
    chart="vllm-stack", fetch_opts=k8s.helm.v3.FetchOpts(repo="https://vllm-project.github.io/production-stack")))
k8s.kustomize.Directory("kueue", directory="https://github.com/kubernetes-sigs/kueue/config/default")
