"""A stack whose configuration cannot reach a policy pack is a configuration error, not an OSError."""

from __future__ import annotations

import pytest

from gpufleet.errors import Problem, UserError
from gpufleet.policy.analyzer import PolicyPackProcess
from gpufleet.preview import DEFAULT_POLICY_PACK


def test_a_configuration_larger_than_one_environment_variable_is_refused_before_starting_the_pack():
    pack = PolicyPackProcess(DEFAULT_POLICY_PACK, project="p", stack="big", stack_config={"p:blob": "x" * 140_000})
    with pytest.raises(UserError) as caught:
        pack.start()
    assert caught.value.problems == [Problem(
        "stack 'big'", "configuration too large for a policy pack: 140,029 bytes, where the pack receives it in one "
        "environment variable (PULUMI_CONFIG) of at most 131,072")]
    assert pack._process is None  # nothing was started
