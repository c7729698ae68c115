"""gpufleet-task-stack-expiry-required: a compliant task resource, then one field changed per case."""

import pytest

from pack_helpers import UNKNOWN, build_run, res, verdicts

NAME = "gpufleet-task-stack-expiry-required"
TAGS = {"team": "ml", "cost-center": "cc-1", "environment": "dev", "gpufleet-task": "finetune"}
EXPIRES = "2026-11-30T13:00:00Z"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
JOB = "kubernetes:batch/v1:Job"
FIX = "Fix: run tasks with `gpufleet run`, or set {key} to e.g. 2026-11-30T13:00:00Z."


def job(labels, annotations):
    return res(JOB, "finetune-job", {"metadata": {"name": "finetune", "labels": labels, "annotations": annotations}})


@pytest.mark.parametrize("run", [
    build_run(res(NODE_GROUP, "ng", {"tags": {**TAGS, "gpufleet-expires-at": EXPIRES}})),
    build_run(res(NODE_GROUP, "ng", {"tags": {**TAGS, "gpufleet-expires-at": "2026-11-30T13:00:00+01:00"}})),
    build_run(res(NODE_GROUP, "ng", {"tags": {**TAGS, "gpufleet-expires-at": "20261130t130000z"}})),  # GCP-label form
    build_run(res(NODE_GROUP, "ng", {"tags": {"team": "ml", "cost-center": "cc-1", "environment": "dev"}})),
    build_run(res("aws:autoscaling/group:Group", "asg", {"tags": [
        {"key": "gpufleet-task", "value": "t"}, {"key": "gpufleet-expires-at", "value": EXPIRES}]})),
    build_run(job({"gpufleet.io/task": "finetune"}, {"gpufleet.io/expires-at": EXPIRES})),
    build_run(job({"app": "web"}, {})),
], ids=["tagged", "offset-zone", "gcp-label-form", "not-a-task", "asg-tag-list", "job", "job-not-a-task"])
def test_compliant(run):
    assert verdicts(run, NAME) == []


def test_task_resource_without_expiry():
    run = build_run(res(NODE_GROUP, "ng", {"tags": TAGS}))
    assert verdicts(run, NAME) == [(NAME, "mandatory", "ng",
                                    "a task resource without an expiry: tags has no 'gpufleet-expires-at', so nothing "
                                    "frees it if its runner dies. " + FIX.format(key="gpufleet-expires-at"))]


def test_expiry_without_a_time_zone_is_unreadable():
    run = build_run(res(NODE_GROUP, "ng", {"tags": {**TAGS, "gpufleet-expires-at": "2026-11-30T13:00:00"}}))
    assert verdicts(run, NAME) == [(NAME, "mandatory", "ng",
                                    "a task resource with an unreadable expiry: tags.gpufleet-expires-at is "
                                    "'2026-11-30T13:00:00', not an ISO 8601 time with a time zone. Fix: set it to "
                                    "e.g. 2026-11-30T13:00:00Z.")]


def test_task_job_without_expiry_annotation():
    run = build_run(job({"gpufleet.io/task": "finetune"}, {"other": "x"}))
    assert verdicts(run, NAME) == [(NAME, "mandatory", "finetune-job",
                                    "a task resource without an expiry: metadata.annotations has no "
                                    "'gpufleet.io/expires-at', so nothing frees it if its runner dies. "
                                    + FIX.format(key="gpufleet.io/expires-at"))]


def test_unknown_tags_cannot_be_verified():
    run = build_run(res(NODE_GROUP, "ng", {"tags": {**TAGS, "gpufleet-expires-at": UNKNOWN}}))
    assert verdicts(run, NAME) == [(NAME, "advisory", "ng",
                                    f"can't run policy '{NAME}' from policy pack 'gpufleet@v0.0.1' during preview: "
                                    "cannot verify tags.gpufleet-expires-at: not known at preview")]
