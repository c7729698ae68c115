"""Fixtures of the report tests: run the `gpufleet` CLI in-process."""

from __future__ import annotations

import pytest

from gpufleet.cli import main


@pytest.fixture
def gpufleet_cli(capsys):
    """Run `gpufleet ARGS...` in-process: (exit code, stdout, stderr)."""

    def run(*args: object) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
