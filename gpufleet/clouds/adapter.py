"""What a cloud adapter is: one class per cloud that owns everything cloud-specific.

This module holds the low half every layer may use (readers, product facts as data); the cloud's
Pulumi half (declaring resources, preflight rules) is imported only by the components. See
docs/clouds.md for adding a cloud.
"""

from __future__ import annotations

import re
from typing import ClassVar

from gpufleet.readers.base import ResourceReader


class CloudAdapter:
    """A cloud, as gpufleet knows it. Subclasses set the class attributes; they are never instantiated."""

    name: ClassVar[str]
    """The cloud's name in the catalog, fleet configs and estimates ("aws")."""
    readers: ClassVar[tuple[ResourceReader, ...]] = ()
    """One reader per resource type of the cloud's provider that gpufleet reads."""
    gpu_type_pattern: ClassVar[str | None] = None
    """Instance type names of the cloud's GPU families (a regex matched at the start), for types the
    catalog does not list."""

    @classmethod
    def is_gpu_type_name(cls, name: str) -> bool:
        return cls.gpu_type_pattern is not None and re.match(cls.gpu_type_pattern, name) is not None
