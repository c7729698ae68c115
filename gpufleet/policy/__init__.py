"""gpufleet's policy pack driver: run `policies/` over the engine's Analyzer protocol (`analyzer`),
or in-process (`inprocess`), and report `Violation`s."""

from gpufleet.policy.violations import Violation, sort_violations

__all__ = ["Violation", "sort_violations"]
