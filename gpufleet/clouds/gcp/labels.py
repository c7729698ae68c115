"""GCP labels: the owner tags as labels, and the rules labels must follow.

Requirements (Resource Manager docs, "Labels overview", Requirements for labels): keys and values
are at most 63 characters of lowercase letters, digits, underscores and dashes (international
characters are allowed too); keys start with a lowercase letter; a resource has at most 64 labels.
Owner tags are refused when they break these rules (silently rewriting "CC-4711" to "cc-4711" would
split one cost centre in two); values gpufleet derives itself (workload, placement reason) are made
label-safe.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from gpufleet.errors import Problem

MAX_LABEL_CHARS = 63
MAX_LABELS = 64
_KEY = re.compile(r"^[\w-]{0,62}$", re.UNICODE)
_VALUE = re.compile(r"^[\w-]{0,63}$", re.UNICODE)
_UNSAFE = re.compile(r"[^\w-]+", re.UNICODE)


def _lower_word(text: str) -> bool:
    return text == text.lower()


def key_ok(key: object) -> bool:
    return isinstance(key, str) and bool(key) and key[0].isalpha() and key[0].islower() \
        and _lower_word(key) and _KEY.match(key[1:]) is not None


def value_ok(value: object) -> bool:
    return isinstance(value, str) and _lower_word(value) and _VALUE.match(value) is not None


def label_problems(path: str, tags: Mapping[str, object]) -> list[Problem]:
    """Owner tags that cannot be GCP labels, each with the rule it breaks."""
    problems = []
    for key, value in tags.items():
        if not key_ok(key):
            problems.append(Problem(f"{path}.{key}", "not a GCP label key: start with a lowercase letter, then at "
                                    "most 62 lowercase letters, digits, '_' or '-'", key))
        elif not value_ok(value):
            problems.append(Problem(f"{path}.{key}", "not a GCP label value: at most 63 lowercase letters, digits, "
                                    "'_' or '-'", value))
    if len(tags) + 2 > MAX_LABELS:  # gpufleet adds its workload and placement labels
        problems.append(Problem(path, f"too many tags: GCP resources take at most {MAX_LABELS} labels, and gpufleet "
                                "adds two", len(tags)))
    return problems


def label_value(text: str) -> str:
    """`text` as a label value: lowercase, unsafe runs as '-', at most 63 characters (a cut text ends
    in a hash, so different texts stay different)."""
    cleaned = re.sub(r"-{2,}", "-", _UNSAFE.sub("-", text.lower())).strip("-")
    if len(cleaned) <= MAX_LABEL_CHARS:
        return cleaned
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"{cleaned[:MAX_LABEL_CHARS - 7].rstrip('-')}-{digest}"
