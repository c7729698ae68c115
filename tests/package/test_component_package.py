"""components/ as a multi-language Pulumi component package: its schema, its plugin host, its version."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import NotRequired

import grpc
import pulumi
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from gpufleet.components import COMPONENTS, GpuNodeGroup, GpuNodeGroupArgs

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _schema_script():
    spec = importlib.util.spec_from_file_location("component_schema", REPO / "scripts" / "component_schema.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_schema_is_the_one_the_components_generate():
    script = _schema_script()
    assert script.generate() == (REPO / "components" / "schema.json").read_text()
    done = subprocess.run([sys.executable, "scripts/component_schema.py", "--check"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (0, "components/schema.json is up to date\n", "")


def test_the_schema_check_fails_when_a_components_arguments_or_outputs_change(monkeypatch):
    script = _schema_script()
    committed = (REPO / "components" / "schema.json").read_text()
    monkeypatch.setitem(GpuNodeGroupArgs.__annotations__, "max_unavailable_nodes", NotRequired[int])
    changed_args = script.generate()
    assert changed_args != committed
    assert '+        "maxUnavailableNodes": {' in script.difference(committed, changed_args)
    monkeypatch.undo()
    monkeypatch.setitem(GpuNodeGroup.__annotations__, "monthly_usd", pulumi.Output[float])
    changed_outputs = script.generate()
    assert '+        "monthlyUsd": {' in script.difference(committed, changed_outputs)
    monkeypatch.undo()
    assert script.generate() == committed


def test_the_schema_names_every_public_component_under_the_package_name():
    schema = json.loads((REPO / "components" / "schema.json").read_text())
    assert (schema["name"], schema["version"]) == ("gpufleet", PYPROJECT["project"]["version"])
    assert sorted(schema["resources"]) == sorted(f"gpufleet:index:{c.__name__}" for c in COMPONENTS)
    assert schema["resources"]["gpufleet:index:GpuNodeGroup"]["requiredInputs"] == [
        "cloud", "clusterName", "gpuCount", "nodeSubnetId", "region", "tags", "workload"]


def test_the_plugin_host_serves_the_schema_over_the_provider_protocol(tmp_path):
    """What `pulumi package add` does: start `python components/ <engine>` and ask for the schema."""
    host = subprocess.Popen([sys.executable, str(REPO / "components"), "127.0.0.1:1"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = host.stdout.readline().strip()
        assert port.isdigit(), host.stderr.read() if host.poll() is not None else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=120).schema)
            version = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30).version
    finally:
        host.terminate()
        host.communicate(timeout=30)
    assert served == json.loads((REPO / "components" / "schema.json").read_text())
    assert version == PYPROJECT["project"]["version"]


def test_plugin_files_declare_python_and_pin_what_gpufleet_pins():
    assert yaml.safe_load((REPO / "components" / "PulumiPlugin.yaml").read_text()) == {"runtime": "python"}
    requirements = [line for line in (REPO / "components" / "requirements.txt").read_text().splitlines()
                    if line and not line.startswith("#")]
    assert requirements == PYPROJECT["project"]["dependencies"]


def test_components_stay_importable_from_python_without_starting_a_host():
    done = subprocess.run([sys.executable, "-c", "import gpufleet.components, gpufleet.components.__main__; "
                           "print(sorted(c.__name__ for c in gpufleet.components.COMPONENTS))"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout) == (0, "['GpuCluster', 'GpuNodeGroup', 'GpuSoftwareStack', 'HighBandwidthNetwork', 'StorageTiers']\n")


def test_the_version_is_semantic_and_has_a_changelog_section():
    version = PYPROJECT["project"]["version"]
    assert SEMVER.match(version)
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n")
    assert "## [Unreleased]\n" in changelog
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)


def test_the_plugin_host_answers_invalid_arguments_per_property_over_grpc(tmp_path):
    """What another language's program sees when a component refuses its arguments: gRPC INVALID_ARGUMENT
    with one `InputPropertiesError.PropertyError` per property (wire path, reason), not an opaque error
    around a Python stack (the SDK wraps a component's exception in `ComponentInitError`)."""
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import errors_pb2, status_pb2

    inputs = struct_pb2.Struct()
    inputs.update({"cloud": "aws", "region": "us-west-2",
                   "tags": {"team": "", "cost-center": "cc-1", "environment": "dev"},
                   "nodeGroups": [{"workload": "serve", "gpu": "L4", "gpuCount": 1},
                                  {"workload": "w", "instanceType": "p5.48xlarge", "gpuCount": 0}]})
    host = subprocess.Popen([sys.executable, str(REPO / "components"), "127.0.0.1:1"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = host.stdout.readline().strip()
        assert port.isdigit(), host.stderr.read() if host.poll() is not None else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            try:
                stub.Construct(provider_pb2.ConstructRequest(
                    project="other-team", stack="dev", type="gpufleet:index:GpuCluster", name="prod",
                    inputs=inputs, dryRun=True), timeout=120)
            except grpc.RpcError as e:
                error = e
            else:
                raise AssertionError("Construct accepted invalid arguments")
    finally:
        host.terminate()
        host.communicate(timeout=30)
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "GpuCluster prod: invalid arguments")
    status = status_pb2.Status.FromString(dict(error.trailing_metadata())["grpc-status-details-bin"])
    details = errors_pb2.InputPropertiesError()
    assert [d.Unpack(details) for d in status.details] == [True]
    assert [(e.property_path, e.reason) for e in details.errors] == [
        ("tags.team", "required tag is missing or empty"),
        ("nodeGroups[1].gpuCount", "must be a whole number of at least 1 (got 0)"),
    ]  # and the first pool's `gpuCount: 1`, a double on the wire (1.0), is the whole number it means
