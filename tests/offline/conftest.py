"""Fixtures shared by the offline engine's tests."""

from pathlib import Path

import pytest

from gpufleet.cli import main

PROGRAMS = Path(__file__).resolve().parent / "programs"


@pytest.fixture
def summary(capsys, monkeypatch):
    """The terminal summary of a program under programs/ previewed with no policies, wide enough not to wrap."""
    monkeypatch.setenv("COLUMNS", "220")

    def run(name: str) -> list[str]:
        assert main(["preview", "dev", "--program", str(PROGRAMS / name), "--no-policies"]) == 0
        return [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    return run
