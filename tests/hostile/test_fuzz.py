"""Property tests: whatever a stack file, policy configuration, plan or catalog overlay contains, gpufleet exits 0, 1 or 2
with a message, never a traceback; 1 only when a mandatory policy is violated; in bounded time and memory.

The examples are derandomised, so CI is reproducible; for a deeper, random run (fresh seeds):
`HYPOTHESIS_PROFILE=deep .venv/bin/python -m pytest -q tests/hostile/test_fuzz.py`. A crash found
that way belongs in `corpus/` (see test_crash_corpus.py).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import resource
import shutil
import signal
import tempfile
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gpufleet.cli import main
from gpufleet.offline import load_stack, run_program
from gpufleet.catalog.overlay import KEYS
from tests.hostile.fuzz_inputs import json_text, mutated, overlay_csv, text_mutated, yaml_text

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "policies" / "programs"
PROD_STACK = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
PROD_POLICIES = json.loads((ROOT / "policies" / "prod.json").read_text())
HEAD_PLAN = json.loads((ROOT / "tests" / "report" / "fixtures" / "gpufleet-head.json").read_text())

_COMMON = dict(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("deep", **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(ci: int) -> int:
    """Examples per test: a few dozen in the suite, 25 times as many in the deep profile."""
    return ci * 25 if PROFILE == "deep" else ci

# Far above any real input (milliseconds to a second here): a guard against hangs and blow-ups, not a benchmark.
EXAMPLE_SECONDS = 60
TEST_MEMORY_GROWTH_MIB = 1024


@contextlib.contextmanager
def bounded():
    """Fail an example that runs past EXAMPLE_SECONDS."""

    def expire(signum, frame):
        raise TimeoutError(f"one input took over {EXAMPLE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(EXAMPLE_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def memory_stays_bounded():
    """The peak memory of the test process grows by less than TEST_MEMORY_GROWTH_MIB over a fuzz test."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    yield
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < TEST_MEMORY_GROWTH_MIB, f"peak memory grew by {grown:.0f} MiB"


def cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with bounded(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def assert_clean_refusal_or_success(code: int, out: str, err: str, allowed: set[int]) -> None:
    event(f"exit {code}")  # the mix of outcomes, shown by --hypothesis-show-statistics
    assert code in allowed, (code, err[-2000:])
    assert "Traceback" not in out + err
    if code == 2:
        # one heading line, then every problem, each on its own line
        assert re.match(r"^[^\n]+: \d+ problem\(s\)\n(  - [^\n]+\n(    [^\n]*\n)*)+", err), err[:2000]


@pytest.fixture(scope="module")
def project() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "stacks").mkdir()
        shutil.copy(ROOT / "Pulumi.yaml", directory)
        shutil.copy(ROOT / "__main__.py", directory)
        yield directory


stack_files = st.one_of(
    mutated(PROD_STACK, protect=2).map(yaml_text).flatmap(text_mutated),
    mutated(PROD_STACK, protect=2).map(yaml_text).map(str.encode),
)


@settings(max_examples=examples(120))
@given(stack_files)
def test_any_stack_file_is_placed_or_refused(project, data):
    (project / "stacks" / "Pulumi.case.yaml").write_bytes(data)
    assert_clean_refusal_or_success(*cli("place", "case", "--program", project, "--json"), allowed={0, 2})


@pytest.fixture(scope="module")
def dirty_grid_run():
    """A program with a mandatory violation in prod, run once: policy configurations are fuzzed against it."""
    program = PROGRAMS / "dirty_grid_prod"
    return program, run_program(load_stack(program, "prod"))


policy_files = st.one_of(mutated(PROD_POLICIES, protect=0).map(json_text).map(str.encode),
                         mutated(PROD_POLICIES, protect=1).map(json_text).flatmap(text_mutated))


@settings(max_examples=examples(30))
@given(policy_files)
def test_any_policy_configuration_is_applied_or_refused_and_exit_1_means_a_mandatory_violation(dirty_grid_run, data):
    program, run = dirty_grid_run
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "prod.json"
        config.write_bytes(data)
        with mock.patch("gpufleet.preview.run_program", return_value=run):
            code, out, err = cli("preview", "prod", "--program", program, "--policy-config", config, "--fast-policies")
    assert_clean_refusal_or_success(code, out, err, allowed={0, 1, 2})
    if code != 2:
        mandatory = re.search(r"Policy violations \(prod\): (\d+) mandatory", out)
        assert (code == 1) == bool(mandatory and int(mandatory[1]) > 0), out


plan_files = st.one_of(mutated(HEAD_PLAN, protect=1).map(json_text).map(str.encode),
                       mutated(HEAD_PLAN, protect=2).map(json_text).flatmap(text_mutated))


@settings(max_examples=examples(60))
@given(plan_files)
def test_any_plan_is_reported_or_refused(data):
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "prod.json"
        plan.write_bytes(data)
        assert_clean_refusal_or_success(*cli("report", plan), allowed={0, 2})


def _columns(name: str) -> list[str]:
    with (ROOT / "gpufleet" / "catalog" / "data" / name).open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


overlays = st.sampled_from(["offers.csv", "instance_types.csv", "instance_prices.csv", "regions.csv"]).flatmap(
    lambda name: st.tuples(st.just(name), overlay_csv(_columns(name), KEYS[name])))


@settings(max_examples=examples(40))
@given(overlays)
def test_any_catalog_overlay_is_used_or_refused(overlay):
    name, data = overlay
    # `--catalog` sets GPUFLEET_CATALOG for the process: the environment is restored after each input
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ):
        (Path(tmp) / name).write_bytes(data)
        assert_clean_refusal_or_success(*cli("place", "dev", "--program", ROOT, "--catalog", tmp), allowed={0, 2})
