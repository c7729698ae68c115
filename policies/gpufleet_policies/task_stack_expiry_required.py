"""gpufleet-task-stack-expiry-required: a short-lived task's resources carry the time they expire.

`gpufleet run` tags every taggable resource of a task stack with `gpufleet-task` and
`gpufleet-expires-at` (ISO 8601 with a time zone) and annotates the task's Kubernetes Job likewise;
`gpufleet tasks --reap` destroys stacks past their expiry. A task resource without a readable expiry
could run, and bill, forever: that is what this policy flags.
"""

from __future__ import annotations

from datetime import datetime

from pulumi_policy import Severity

from gpufleet.clouds import owner_tags_path
from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import as_list, get, is_unknown, plain

NAME = "gpufleet-task-stack-expiry-required"
TAG_TASK = "gpufleet-task"
TAG_EXPIRES_AT = "gpufleet-expires-at"
JOB = "kubernetes:batch/v1:Job"
JOB_TASK_LABEL = "gpufleet.io/task"
JOB_EXPIRES_ANNOTATION = "gpufleet.io/expires-at"


def _is_time(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        # extended (2026-11-30T13:00:00Z) or basic format, also in lower case as GCP labels need (20261130t130000z)
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _judge(marks: object, where: str, key: str, expected: str, findings) -> None:
    """`marks` are a task resource's tags (or the Job's annotations); `key` must hold a time with a zone."""
    if is_unknown(marks):
        findings.cannot_verify(f"{where}: not known at preview")
        return
    value = get(marks, key) if isinstance(marks, dict) else None
    if is_unknown(value):
        findings.cannot_verify(f"{where}.{key}: not known at preview")
    elif value in (None, ""):
        findings.violation(f"a task resource without an expiry: {where} has no {key!r}, so nothing frees it if its "
                           f"runner dies. Fix: run tasks with `gpufleet run`, or set {key} to {expected}.")
    elif not _is_time(value):
        findings.violation(f"a task resource with an unreadable expiry: {where}.{key} is {value!r}, not an ISO 8601 "
                           f"time with a time zone. Fix: set it to {expected}.")


def check(args, config, findings) -> None:
    props = plain(args.props)
    expected = "e.g. 2026-11-30T13:00:00Z"
    if args.resource_type == JOB:
        labels = get(props, "metadata", "labels")
        if isinstance(labels, dict) and get(labels, JOB_TASK_LABEL) not in (None, ""):
            _judge(get(props, "metadata", "annotations"), "metadata.annotations", JOB_EXPIRES_ANNOTATION, expected,
                   findings)
        return
    path = owner_tags_path(args.resource_type)  # from the cloud's adapter: AWS/Azure tags, GCP labels
    if path is None:
        return
    tags = get(props, *path)
    if isinstance(tags, list):  # an AWS Auto Scaling group's {key, value, propagateAtLaunch} list
        tags = {get(t, "key"): get(t, "value") for t in as_list(tags)}
    if isinstance(tags, dict) and get(tags, TAG_TASK) not in (None, ""):
        _judge(tags, ".".join(path), TAG_EXPIRES_AT, expected, findings)


POLICY = resource_policy(
    NAME,
    "Resources of a short-lived task stack (tag gpufleet-task, or a Job labelled gpufleet.io/task) carry their "
    "expiry (gpufleet-expires-at / gpufleet.io/expires-at, ISO 8601 with a time zone), so expired stacks are reaped.",
    check,
    area="cost",
    severity=Severity.HIGH,
    remediation="Run tasks with `gpufleet run` (it sets the expiry), and reap expired stacks with "
                "`gpufleet tasks --reap`.",
)
