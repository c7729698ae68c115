"""A stack whose configuration cannot reach a policy pack is a configuration error, not an OSError."""

from __future__ import annotations

import pytest

from gpufleet.errors import Problem, UserError
from gpufleet.policy.analyzer import PolicyPackProcess
from gpufleet.preview import DEFAULT_POLICY_PACK, preview


def test_a_configuration_larger_than_one_environment_variable_is_refused_before_starting_the_pack():
    pack = PolicyPackProcess(DEFAULT_POLICY_PACK, project="p", stack="big", stack_config={"p:blob": "x" * 140_000})
    with pytest.raises(UserError) as caught:
        pack.start()
    assert caught.value.problems == [Problem(
        "stack 'big'", "configuration too large for a policy pack: 140,029 bytes (largest: p:blob 140,012), where the "
        "pack receives it in one environment variable (PULUMI_CONFIG) of at most 131,072 (as the Pulumi CLI passes "
        "it); --fast-policies runs the pack in this process, without that variable")]
    assert pack._process is None  # nothing was started


def test_a_preview_says_so_before_running_the_program(tmp_path):
    """It ran the program first (a locked 1,000-workload stack: ~20 s), then refused."""
    (tmp_path / "Pulumi.yaml").write_text("name: big\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(f"config:\n  big:blob: {'x' * 140_000}\n  big:small: y\n")
    (tmp_path / "__main__.py").write_text("open('ran', 'w').close()\n")
    with pytest.raises(UserError) as caught:
        preview(tmp_path, "dev")
    assert [p.message.split(" (largest")[0] for p in caught.value.problems] == [
        "configuration too large for a policy pack: 140,049 bytes"]
    assert "(largest: big:blob 140,014, big:small 16)" in caught.value.problems[0].message
    assert not (tmp_path / "ran").exists()
    assert preview(tmp_path, "dev", in_process_policies=True).run.resources  # no environment variable
