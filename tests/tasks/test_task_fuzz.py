"""Property test: whatever a task file contains, reading, validating, placing and sizing it either gives a
plan or one `UserError` listing problems — never another exception. Bounded and derandomised (the hostile
suite's "ci" profile); the dry run itself is covered by the example tests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpufleet.catalog import load_catalog
from gpufleet.clouds import component_clouds
from gpufleet.errors import UserError
from gpufleet.tasks.model import read_task
from gpufleet.tasks.plan import plan_task
from tests.hostile.fuzz_inputs import mutated, text_mutated, yaml_text

EXAMPLE = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "tasks" / "train-30xh100.yaml").read_text())
CATALOG = load_catalog()
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)

task_files = st.one_of(mutated(EXAMPLE).map(yaml_text).map(str.encode),
                       mutated(EXAMPLE).map(yaml_text).flatmap(text_mutated))


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(task_files)
def test_any_task_file_is_planned_or_refused_with_problems(tmp_path, data):
    path = tmp_path / "TASK.yaml"
    path.write_bytes(data)
    try:
        plan = plan_task(read_task(path, CATALOG), CATALOG, component_clouds(), NOW)
    except UserError as e:
        assert e.problems and all(p.path for p in e.problems)
        return
    assert plan.size.provisioned_gpus >= plan.task.gpu_count
    assert plan.size.workers * plan.size.gpus_per_worker == plan.task.gpu_count
