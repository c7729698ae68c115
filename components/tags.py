"""Tags and Kubernetes labels: the owner tags every taggable resource carries, made safe for each cloud.

Stack transforms are not applied under the offline engine (docs/PULUMI-OFFLINE.md), so every
component passes tags explicitly to every taggable child.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from gpufleet.readers.base import TAG_OBJECT_TIB  # the readers price an object store at the capacity declared

REQUIRED_TAG_KEYS = ("team", "cost-center", "environment")
TAG_WORKLOAD = "gpufleet-workload"
TAG_UTILIZATION = "gpufleet-utilization-percent"
TAG_HOURS = "gpufleet-hours-per-month"
MAX_TAG_VALUE_CHARS = 256  # AWS and Azure both

# AWS tag values allow letters, digits, whitespace and _ . : / = + - @ (Azure allows more).
_TAG_UNSAFE = re.compile(r"[^\w\s.:/=+\-@]")
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def tag_value(text: str) -> str:
    """`text` as a tag value both AWS and Azure accept: unsafe characters become spaces, ≤ 256 chars."""
    cleaned = re.sub(r"\s+", " ", _TAG_UNSAFE.sub(" ", text)).strip()
    return cleaned[:MAX_TAG_VALUE_CHARS].rstrip()


def number(value: float) -> str:
    """A number as a tag or label value: "85", "62.5"."""
    return f"{value:g}"


def workload_tags(owner: Mapping[str, str], workload: str) -> dict[str, str]:
    """Tags of a resource that belongs to one workload: the owner tags and the workload.

    Identity only, never a derived figure or explanation: a tag that follows a price or grid
    intensity would change the resource on every catalog refresh (and a launch template's tags roll
    its nodes). Placement figures and reasons go to the stack's outputs instead."""
    return {**owner, TAG_WORKLOAD: tag_value(workload)}


def label_value(text: str) -> str:
    """A Kubernetes label value: ≤ 63 characters of [A-Za-z0-9._-], alphanumeric at both ends."""
    return _LABEL_UNSAFE.sub("-", text).strip("-._")[:63].rstrip("-._")


def short_name(text: str, limit: int, *, alphanumeric: bool = False) -> str:
    """`text` cut to `limit` characters; when cut, the end is a hash so different texts stay different."""
    cleaned = re.sub(r"[^a-z0-9]" if alphanumeric else r"[^a-z0-9-]", "", text.lower())
    if len(cleaned) <= limit:
        return cleaned
    digest = hashlib.sha256(text.encode()).hexdigest()[:4]
    return cleaned[: limit - 4] + digest
