"""Run the policy pack as the Pulumi CLI does: its own process, driven over the Analyzer gRPC protocol.

The pack is started as `python -u -m pulumi.policy <engine address> .` in its folder, with the stack's
PULUMI_* variables in its environment; it prints the port it serves on. `pulumi.policy` parses the
engine address but never calls the engine (pulumi-policy 1.21: its runtime settings get no engine), so
no Engine service is needed here. As the engine, `Remediate` and `Analyze` go to the pack while the program
runs (`judge_while_running`), `AnalyzeStack` after it. This is the reference path; `inprocess` is the
fast path.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import grpc
from pulumi.runtime.proto import analyzer_pb2_grpc

from gpufleet.errors import Problem, UserError
from gpufleet.policy.protocol import (ComponentProviders, Pipeline, Session, Unimplemented, open_session,
                                      pack_environment)
from gpufleet.policy.violations import Violation

if TYPE_CHECKING:
    from gpufleet.offline import ProgramRun, RecordedResource

# As the engine dials analyzers: up to 400 MB messages (large stacks in one AnalyzeStack call).
_MAX_MESSAGE_BYTES = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                    ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES)]
ENGINE_ADDRESS = "127.0.0.1:0"  # never dialled by pulumi.policy
STARTUP_TIMEOUT_SECONDS = 60.0
# Linux limits one environment string ("NAME=value") to 32 pages (MAX_ARG_STRLEN), and the stack's whole
# configuration reaches the pack as one: PULUMI_CONFIG, as the Pulumi CLI passes it.
MAX_ENVIRONMENT_STRING_BYTES = 32 * 4096
CALL_TIMEOUT_SECONDS = 600.0
# Resources in flight while the program runs: enough that the pack always has the next call queued while
# it answers one. The judging threads share this process's interpreter lock with the program, which holds
# it while it runs: a thread whose answer came back waits for its turn (up to the interpreter's 5 ms switch
# interval), so with few in flight the pack idles while the program runs and judges the rest after it; with
# 8, more threads get a turn at each switch (at 1,000 node groups the pack's work left after the run fell
# from 1.9-2.6 s with 4 to 1.0-1.7 s with 8; docs/benchmarks.md). More only queue up in the pack's server.
WINDOW = 8


class PolicyPackError(Exception):
    """The policy pack failed to start, or failed while analysing (its stderr is in the message)."""


class _GrpcClient:
    """The Analyzer stub, with gRPC errors turned into what `run_session` expects."""

    def __init__(self, channel: grpc.Channel, stderr: Callable[[], str]) -> None:
        self._stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        self._stderr = stderr

    def _call(self, method: str, request: Any, optional: bool = False) -> Any:
        try:
            return getattr(self._stub, method)(request, timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as e:
            if optional and e.code() == grpc.StatusCode.UNIMPLEMENTED:
                raise Unimplemented(method) from None
            raise PolicyPackError(f"policy pack failed in {method}: {e.code().name}: {e.details()}"
                                  f"{self._stderr()}") from None

    def Handshake(self, request):  # noqa: N802 - gRPC method names
        return self._call("Handshake", request, optional=True)

    def ConfigureStack(self, request):  # noqa: N802
        return self._call("ConfigureStack", request, optional=True)

    def GetAnalyzerInfo(self, request):  # noqa: N802
        return self._call("GetAnalyzerInfo", request)

    def Configure(self, request):  # noqa: N802
        return self._call("Configure", request)

    def Remediate(self, request):  # noqa: N802
        return self._call("Remediate", request)

    def Analyze(self, request):  # noqa: N802
        return self._call("Analyze", request)

    def AnalyzeStack(self, request):  # noqa: N802
        return self._call("AnalyzeStack", request)


class _WhileRunning:
    """The pack judging resources while the program runs, as the engine calls `Remediate` and `Analyze`
    when it registers each resource: a thread waits for the pack, configures it, then judges the recorded
    resources (`put`, from the recorder) with up to `WINDOW` of them in flight (`protocol.Pipeline`), so
    that the pack works while the program runs and never waits for a round trip. What went wrong is kept
    for `PolicyPackProcess.analyze` to raise after the run: an error of the pack's start or configuration,
    as is; one on a resource, in the run's order (`Session.finish`)."""

    def __init__(self, pack: "PolicyPackProcess", policy_config: dict[str, Any], secret_keys: frozenset[str],
                 config_source: str) -> None:
        self.pack = pack
        self.policy_config, self.config_source = policy_config, config_source
        self.secret_keys = secret_keys
        self.session: Session | None = None
        self.error: BaseException | None = None
        self._records: queue.SimpleQueue[RecordedResource | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._judge, name="gpufleet-policy-pack", daemon=True)
        self._thread.start()

    def put(self, record: RecordedResource) -> None:
        self._records.put(record)

    def _judge(self) -> None:
        pack = self.pack
        try:
            channel = pack.start()._channel
            assert channel is not None
            session = open_session(_GrpcClient(channel, pack._stderr_tail), self.policy_config,
                                   pack_dir=pack.pack_dir, project=pack.project, stack=pack.stack,
                                   stack_config=pack.stack_config, secret_keys=self.secret_keys,
                                   engine_address=ENGINE_ADDRESS, config_source=self.config_source)
            self.session = session
            Pipeline(session, WINDOW).run(self._records)
        except BaseException as exc:  # noqa: BLE001 - raised by `analyze`, after the run
            self.error = exc

    def on_its_thread(self) -> bool:
        return self._thread is threading.current_thread()

    def end(self, timeout: float | None = None) -> None:
        """No more resources: wait until those given are judged (`timeout`: for a pack being stopped)."""
        self._records.put(None)
        self._thread.join(timeout)


class PolicyPackProcess:
    """A running policy pack for one stack (its PULUMI_* environment is fixed at start).

    `analyze` may be called several times, e.g. with different policy configurations, as `Configure`
    replaces the pack's configuration each time; `judge_while_running` lets the first one begin while
    the program runs.
    """

    def __init__(self, pack_dir: Path, *, project: str, stack: str, stack_config: dict[str, str]) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.stack_config = project, stack, dict(stack_config)
        self._process: subprocess.Popen | None = None
        self._channel: grpc.Channel | None = None
        self._stderr: deque[str] = deque(maxlen=60)
        self._drains: list[threading.Thread] = []
        self._while_running: _WhileRunning | None = None
        self._closing = threading.Lock()

    def _stderr_tail(self) -> str:
        text = "".join(self._stderr).strip()
        return f"\n--- policy pack stderr ---\n{text}" if text else ""

    def start(self) -> "PolicyPackProcess":
        """Launch the pack (unless `launch` did) and wait until it serves."""
        if self._process is None:
            self._launch()
        self._connect()
        return self

    def launch(self) -> None:
        """Start the pack's process without waiting for it, so that its imports overlap with other work
        (the program's run). Whatever would keep it from starting is left for `start` to raise."""
        try:
            self._launch()
        except PolicyPackError:  # a configuration the pack cannot take (UserError) is said before the run
            self._process = None

    def _launch(self) -> None:
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir}: not a policy pack (no PulumiPolicy.yaml)")
        env = {**os.environ, **pack_environment(project=self.project, stack=self.stack,
                                                 stack_config=self.stack_config)}
        if not self.stack_config:
            env.pop("PULUMI_CONFIG", None)
        config_bytes = len(f"PULUMI_CONFIG={env.get('PULUMI_CONFIG', '')}".encode()) + 1
        if config_bytes > MAX_ENVIRONMENT_STRING_BYTES:
            sizes = sorted(((len(json.dumps({k: v})) - 2, k) for k, v in self.stack_config.items()), reverse=True)
            largest = ", ".join(f"{k} {n:,}" for n, k in sizes[:3])
            raise UserError([Problem(f"stack {self.stack!r}", f"configuration too large for a policy pack: "
                                     f"{config_bytes:,} bytes (largest: {largest}), where the pack receives it in "
                                     f"one environment variable (PULUMI_CONFIG) of at most "
                                     f"{MAX_ENVIRONMENT_STRING_BYTES:,} (as the Pulumi CLI passes it); --fast-policies "
                                     "runs the pack in this process, without that variable")],
                            heading="invalid stack configuration")
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."],
                cwd=self.pack_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )
        except OSError as exc:
            raise PolicyPackError(f"policy pack {self.pack_dir} could not be started: {exc}") from None
        self._drain_in_background(self._process.stderr)

    def _connect(self) -> None:
        port = self._read_port()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_CHANNEL_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=STARTUP_TIMEOUT_SECONDS)
        except grpc.FutureTimeoutError:
            self.close()
            raise PolicyPackError(f"policy pack {self.pack_dir} did not answer on port {port}") from None

    def _drain_in_background(self, stream) -> None:
        """Keep reading a pipe of the pack (its stderr is kept for error messages), so it never blocks."""

        def drain() -> None:
            for line in stream:
                self._stderr.append(line)

        thread = threading.Thread(target=drain, daemon=True)
        thread.start()
        self._drains.append(thread)

    def _read_port(self) -> int:
        process = self._process
        assert process is not None and process.stdout is not None
        result: dict[str, str] = {}

        def read() -> None:
            result["line"] = process.stdout.readline()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        self._drains.append(reader)
        reader.join(STARTUP_TIMEOUT_SECONDS)
        line = result.get("line", "").strip()
        if not (line.isascii() and line.isdigit()):  # isdigit() alone takes "²", which int() refuses
            exited = process.poll() is not None
            self.close()
            why = f"printed {line!r}" if line else "exited" if exited else "timed out"
            raise PolicyPackError(f"policy pack {self.pack_dir} did not start ({why}; expected its port)"
                                  f"{self._stderr_tail()}")
        self._drain_in_background(process.stdout)
        return int(line)

    def judge_while_running(self, policy_config: dict[str, Any], *, secret_keys: frozenset[str],
                            config_source: str = "policy configuration") -> Callable[[RecordedResource], None] | None:
        """Start judging resources as the program records them (the engine's order of calls); the
        recorder's `on_record`, or None when the pack was not launched (`analyze` then starts it, and
        raises what keeps it from starting). The next `analyze` with the same configuration finishes it."""
        if self._process is None:
            return None
        self._while_running = _WhileRunning(self, policy_config, frozenset(secret_keys), config_source)
        return self._while_running.put

    def analyze(self, run: ProgramRun, policy_config: dict[str, Any],
                component_providers: ComponentProviders | None = None,
                config_source: str = "policy configuration") -> list[Violation]:
        session = None
        judged, self._while_running = self._while_running, None
        if judged is not None:
            judged.end()
            if (judged.policy_config, judged.config_source, judged.secret_keys) == \
                    (policy_config, config_source, run.settings.secret_keys):
                if judged.error is not None:
                    raise judged.error
                session = judged.session
        if session is None:
            if self._channel is None:
                self.start()
            assert self._channel is not None
            session = open_session(_GrpcClient(self._channel, self._stderr_tail), policy_config,
                                   pack_dir=self.pack_dir, project=self.project, stack=self.stack,
                                   stack_config=self.stack_config, secret_keys=run.settings.secret_keys,
                                   engine_address=ENGINE_ADDRESS, config_source=config_source)
        return session.finish(run, component_providers)

    def close(self) -> None:
        judged = self._while_running
        if judged is not None and judged.on_its_thread():
            judged = None  # the pack did not start: `analyze` raises why
        else:
            self._while_running = None
        with self._closing:  # from the main thread and, when the pack does not start, the judging thread
            self._close()
        if judged is not None:
            judged.end(timeout=5)  # its calls fail at once now that the channel is closed

    def _close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None:
            for thread in self._drains:  # the pipes reach end-of-file once the process is gone
                thread.join(timeout=5)
            for stream in (self._process.stdout, self._process.stderr):
                if stream is not None:
                    stream.close()
            self._process = None

    def __enter__(self) -> "PolicyPackProcess":
        return self.start() if self._channel is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()


def analyze_over_grpc(pack_dir: Path, run: ProgramRun, policy_config: dict[str, Any], *, project: str,
                      stack: str, stack_config: dict[str, str],
                      component_providers: ComponentProviders | None = None,
                      config_source: str = "policy configuration") -> list[Violation]:
    """Start the pack, drive it through a preview of `run` over gRPC, stop it: the violations, sorted
    (mandatory first). An invalid `policy_config` raises `UserError`; a broken pack `PolicyPackError`."""
    with PolicyPackProcess(pack_dir, project=project, stack=stack, stack_config=stack_config) as pack:
        return pack.analyze(run, policy_config, component_providers, config_source=config_source)
