"""Readers of owned capacity: the GPU ResourceQuota gpufleet declares in a site's namespace is the
capacity the estimator prices from the site's figures.

A quota carries, as annotations, the site (`gpufleet.io/site`: the region), the site's instance type
(`gpufleet.io/instance-type`: "dc-berlin/8xH100") and GPUs per node; its nodes are the quota's
`requests.nvidia.com/gpu` over GPUs per node. A quota without them is any other namespace's limit:
not capacity (the same type stays free). A quota reserves nothing: jobs use 0 to all of its GPUs, so
its hours are the `gpufleet-hours-per-month` label's, never raised to a month.
"""

from __future__ import annotations

import math
from typing import Any

from gpufleet.clouds.owned.facts import (ANNOTATION_GPUS_PER_NODE, ANNOTATION_INSTANCE_TYPE, ANNOTATION_SITE,
                                         GPU_QUOTA)
from gpufleet.readers.base import Capacity, Graph, ResourceReader, Scaling, count, duty
from gpufleet.readers.views import ResourceView, get_known, value_at

CLOUD = "owned"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
_GPUS_PATH = f"spec.hard.{GPU_QUOTA}"


def _whole(value: Any) -> int | None:
    """A Kubernetes quantity of whole GPUs ("16" or 16); None when unknown or not whole."""
    if isinstance(value, str) and value.isascii() and value.isdigit():  # not "٥" or "²", which isdigit() takes
        return int(value)
    return count(value) if isinstance(value, int) else None


def _site(inputs: dict[str, Any]) -> dict[str, Any] | None:
    annotations = get_known(inputs, "metadata", "annotations")
    if not isinstance(annotations, dict) or ANNOTATION_SITE not in annotations:
        return None
    return annotations


class SiteQuota(ResourceReader):
    type, cloud, is_capacity = RESOURCE_QUOTA, CLOUD, True

    def _nodes(self, inputs: dict[str, Any], annotations: dict[str, Any]) -> int | None:
        gpus = _whole(value_at(inputs, "spec", "hard", GPU_QUOTA))
        per_node = _whole(annotations.get(ANNOTATION_GPUS_PER_NODE))
        return None if gpus is None or not per_node else math.ceil(gpus / per_node)

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity | None:
        annotations = _site(view.inputs)
        if annotations is None:
            return None
        hours, utilization, notes = duty(get_known(view.inputs, "metadata", "labels"))
        site, itype = annotations.get(ANNOTATION_SITE), annotations.get(ANNOTATION_INSTANCE_TYPE)
        return Capacity(CLOUD, site if isinstance(site, str) else None, itype if isinstance(itype, str) else None,
                        self._nodes(view.inputs, annotations), "on-demand", hours, utilization, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        annotations = _site(inputs)
        if annotations is None:
            return []
        return [(f"metadata.annotations.{ANNOTATION_INSTANCE_TYPE}", annotations.get(ANNOTATION_INSTANCE_TYPE))]

    def scaling(self, inputs: dict[str, Any]) -> Scaling | None:
        annotations = _site(inputs)
        if annotations is None:
            return None
        return Scaling(0, self._nodes(inputs, annotations), _GPUS_PATH, _GPUS_PATH)


READERS: list[ResourceReader] = [SiteQuota()]
