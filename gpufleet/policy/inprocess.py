"""The fast path: the same pack's policies, evaluated in this process.

The pack's own pulumi-policy servicer is driven with the very messages the gRPC path sends
(`protocol.run_session`), only without the process and the transport, so verdicts are the same
(tests/policies prove it on the corpus). Stack configuration reaches the policies through the same
PULUMI_* variables the engine gives a pack process, set for the duration of the call.
"""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator

from google.protobuf import empty_pb2

from gpufleet.policy.config import default_policy_config_path, load_policy_config, reconcile
from gpufleet.policy.protocol import Unimplemented, initial_config, pack_environment, policy_infos, run_session
from gpufleet.policy.violations import Violation

if TYPE_CHECKING:
    from gpufleet.offline import ProgramRun

__all__ = ["analyze_in_process", "default_policy_config_path", "effective_config", "load_pack", "load_policy_config"]

PACKAGE = "gpufleet_policies"
PACK_VERSION = "0.0.1"  # what a Python PolicyPack reports; the CLI shows PulumiPolicy.yaml's version


def load_pack(pack_dir: Path) -> ModuleType:
    """The pack's policy package (`<pack>/gpufleet_policies`), imported as the pack process imports it."""
    pack_dir = str(Path(pack_dir).resolve())
    if pack_dir not in sys.path:
        sys.path.insert(0, pack_dir)
    module = importlib.import_module(PACKAGE)
    where = Path(module.__file__).resolve().parent.parent
    if str(where) != pack_dir:
        raise ImportError(f"{PACKAGE} was already imported from {where}, not from {pack_dir}")
    return module


class _Client:
    """The pack's servicer called directly (gRPC context None)."""

    def __init__(self, servicer: Any) -> None:
        self._servicer = servicer

    def Handshake(self, request):  # noqa: N802 - gRPC method names
        raise Unimplemented("Handshake")  # pulumi-policy 1.21 does not implement it

    def __getattr__(self, method: str):
        target = getattr(self._servicer, method)
        return lambda request: target(request, None)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    keys = ("PULUMI_ORGANIZATION", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_CONFIG")
    saved = {k: os.environ.get(k) for k in keys}
    try:
        for k in keys:
            if k in values:
                os.environ[k] = values[k]
            else:
                os.environ.pop(k, None)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _servicer(pack: ModuleType) -> Any:
    from pulumi_policy.policy import _PolicyAnalyzerServicer  # pinned pulumi-policy==1.21.0

    class InProcessServicer(_PolicyAnalyzerServicer):
        def _configure_runtime_settings(self) -> None:
            """The pack process sets the Pulumi runtime's config from PULUMI_CONFIG; in this process that
            global state belongs to the offline preview, so it is left alone (policies read the variables)."""

    return InProcessServicer(pack.PACK_NAME, PACK_VERSION, pack.POLICIES, pack.ENFORCEMENT_LEVEL, None,
                             pack.DESCRIPTION)


def analyze_in_process(pack_dir: Path, run: ProgramRun, policy_config: dict[str, Any], *, project: str,
                       stack: str, stack_config: dict[str, str]) -> list[Violation]:
    """The pack's verdicts on `run`, evaluated in this process: same messages, same order, same result."""
    pack = load_pack(pack_dir)
    env = pack_environment(project=project, stack=stack, stack_config=stack_config)
    with _environment(env):
        return run_session(_Client(_servicer(pack)), run, policy_config, pack_dir=Path(pack_dir).resolve(),
                           project=project, stack=stack, stack_config=stack_config)


def effective_config(pack_dir: Path, policy_config: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each policy's (enforcement level, properties) after the CLI's reconciliation of `policy_config`
    with the pack's defaults — what `Configure` receives. Raises `UserError` for an invalid config."""
    info = _servicer(load_pack(pack_dir)).GetAnalyzerInfo(empty_pb2.Empty(), None)
    return {name: value for name, value in reconcile(policy_infos(info), initial_config(info), policy_config).items()
            if name != "all"}
