"""Every use of the Pulumi Python SDK's private API, in one place.

Pinned to pulumi==3.272.0 (see pyproject.toml). These are internals of the SDK's language runtime
(`pulumi.runtime.settings`, `pulumi.runtime.rpc`); check each one when the pin moves. Also
version-sensitive, in runner.py: the `MockMonitor` methods it overrides (`make_urn`,
`RegisterResource`, `Invoke`, `RegisterResourceOutputs`) and `register_stack_transformation`,
which it uses to see the order resources are constructed in.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc, set_mocks, settings
from pulumi.runtime.mocks import MockMonitor, Mocks

# The wire protocol's secret wrapper: {SIG_KEY: SECRET_SIG, "value": …}.
SIG_KEY = rpc._special_sig_key  # "4dabf18193072939515e22adb298388d"
SECRET_SIG = rpc._special_secret_sig  # "1b47061264138c4ac30d75fd1eb44270"


def install_mocks(
    mocks: Mocks, monitor: MockMonitor, logger: logging.Logger, project: str, stack: str, root_directory: str
) -> None:
    """`set_mocks` for a whole program run in the current context, without its root stack.

    `set_mocks` registers a `Stack` itself when there is none, and `run_in_stack` then refuses to
    create the program's own ("Only one root Pulumi Stack may be active at once"). A placeholder
    root hides the first, then the slot is cleared for the second.
    """
    settings.ROOT.set(object())  # type: ignore[arg-type]
    set_mocks(mocks, project=project, stack=stack, preview=True, monitor=monitor, logger=logger, organization="organization")
    settings.ROOT.set(None)
    # MockSettings leaves these unset. `outputs` and `lock` otherwise fall back to process-wide
    # defaults shared by every run: a failed run's pending tasks would leak into the next.
    settings.SETTINGS.outputs = set()
    settings.SETTINGS.lock = threading.Lock()
    settings.SETTINGS.root_directory = root_directory


def plain(value: struct_pb2.Value | struct_pb2.Struct) -> Any:
    """A protobuf `Struct`/`Value` as plain data, exactly as sent: unknowns stay the sentinel
    string, secrets and resource references stay signature maps, numbers are floats."""
    if isinstance(value, struct_pb2.Struct):
        return {key: plain(value.fields[key]) for key in sorted(value.fields)}
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return plain(value.struct_value)
    if kind == "list_value":
        return [plain(item) for item in value.list_value.values]
    if kind == "null_value" or kind is None:
        return None
    return getattr(value, kind)


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def wrap_secret(value: Any) -> dict:
    return {SIG_KEY: SECRET_SIG, "value": value}


def unwrap_secrets(value: Any) -> Any:
    """`value` with every secret wrapper replaced by what it holds."""
    if is_secret(value):
        return unwrap_secrets(value["value"])
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value
