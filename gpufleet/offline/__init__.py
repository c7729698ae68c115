"""Offline `pulumi preview`: run a Pulumi Python program without the CLI or cloud credentials.

`load_stack` reads the project and stack configuration, `run_program` runs the program under a
recording mock engine (`record` runs a Python callable under the same engine), and `preview_json`
renders what it recorded as `pulumi preview --json` does.
"""

from gpufleet.offline.plan import preview_json
from gpufleet.offline.project import StackSettings, load_stack
from gpufleet.offline.runner import ProgramError, ProgramRun, RecordedResource, record, run_program

__all__ = [
    "ProgramError",
    "ProgramRun",
    "RecordedResource",
    "StackSettings",
    "load_stack",
    "preview_json",
    "record",
    "run_program",
]
