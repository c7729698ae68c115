"""Shared by tests/policies: recorded runs built by hand or by running the corpus, and verdicts.

Hand-built runs are what the offline runner records (`RecordedResource`, wire names, provider
references); they go through the same protocol messages as a real preview.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpufleet.offline import load_stack, run_program
from gpufleet.offline.project import StackSettings
from gpufleet.offline.runner import ProgramRun, RecordedResource
from gpufleet.policy.inprocess import analyze_in_process, load_policy_config
from gpufleet.policy.protocol import UNKNOWN

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
PROGRAMS = Path(__file__).resolve().parent / "programs"
PACKAGES = {"aws": ("region", "us-west-2"), "azure-native": ("location", "westus2"), "gcp": ("region", "europe-west4")}

__all__ = ["UNKNOWN", "PACK", "PROGRAMS", "Ref", "build_run", "corpus_run", "res", "verdicts"]


@dataclass(frozen=True)
class Ref:
    """An input that is another resource's id, with the property dependency the SDK records."""

    target: "Res"
    field: str | None = None  # None: the id itself; else a dict {field: id}


@dataclass
class Res:
    type: str
    name: str
    inputs: dict
    protect: bool = False
    retain_on_delete: bool = False
    provider: "Res | None" = None


def res(type_: str, name: str, inputs: dict | None = None, **options: Any) -> Res:
    return Res(type_, name, dict(inputs or {}), **options)


def _urn(stack: str, project: str, r: Res) -> str:
    return f"urn:pulumi:{stack}::{project}::{r.type}::{r.name}"


def build_run(*resources: Res, stack: str = "prod", project: str = "policy-tests",
              config: dict[str, str] | None = None, provider_inputs: dict[str, dict] | None = None) -> ProgramRun:
    """A recorded run of `resources` with a default provider per package (aws in us-west-2, azure-native
    in westus2, gcp in europe-west4 unless `provider_inputs` says otherwise) and an id per custom resource."""
    urn = functools.partial(_urn, stack, project)
    records: list[RecordedResource] = [RecordedResource(
        urn=f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}", type="pulumi:pulumi:Stack",
        name=f"{project}-{stack}", custom=False, parent=None, provider=None, inputs={}, dependencies=[],
        property_dependencies={}, protect=False, retain_on_delete=False, delete_before_replace=False, aliases=[],
        id=None)]
    defaults: dict[str, str] = {}
    for r in resources:
        package = r.type.split(":", 1)[0]
        if r.provider is None and package in PACKAGES and package not in defaults:
            key, value = PACKAGES[package]
            inputs = {key: value, "version": "1"} | (provider_inputs or {}).get(package, {})
            purn = f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::default_1"
            defaults[package] = f"{purn}::default-{package}-id"
            records.append(RecordedResource(purn, f"pulumi:providers:{package}", "default_1", True, None, None,
                                            inputs, [], {}, False, False, False, [], f"default-{package}-id"))

    def resolve(value: Any, key: str, deps: dict[str, list[str]]) -> Any:
        if isinstance(value, Ref):
            deps.setdefault(key, []).append(urn(value.target))
            rid = f"{value.target.name}-id"
            return {value.field: rid} if value.field else rid
        if isinstance(value, dict):
            return {k: resolve(v, key, deps) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, key, deps) for v in value]
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    for r in resources:
        deps: dict[str, list[str]] = {}
        inputs = {k: resolve(v, k, deps) for k, v in r.inputs.items()}
        custom = ":" in r.type and not r.type.startswith("gpufleet:")
        provider = (f"{urn(r.provider)}::{r.provider.name}-id" if r.provider
                    else defaults.get(r.type.split(":", 1)[0]))
        records.append(RecordedResource(
            urn=urn(r), type=r.type, name=r.name, custom=custom, parent=None, provider=provider if custom else None,
            inputs=inputs, dependencies=sorted({u for us in deps.values() for u in us}),
            property_dependencies={k: deps.get(k, []) for k in sorted(inputs)}, protect=r.protect,
            retain_on_delete=r.retain_on_delete, delete_before_replace=False, aliases=[],
            id=f"{r.name}-id" if custom else None))
    settings = StackSettings(project=project, project_dir=ROOT, stack=stack, config=dict(config or {}),
                             secret_keys=frozenset(), main=ROOT / "__main__.py")
    return ProgramRun(settings=settings, resources=records, outputs={})


def verdicts(run: ProgramRun, policy: str, level: str = "mandatory", **properties: Any) -> list[tuple]:
    """(policy, level, resource name or None, message) of every diagnostic when only `policy` is enabled."""
    config = {"all": "disabled", policy: {"enforcementLevel": level, **properties}}
    found = analyze_in_process(PACK, run, config, project=run.settings.project, stack=run.settings.stack,
                               stack_config=run.settings.config)
    return [(v.policy, v.level, v.urn.rsplit("::", 1)[-1] if v.urn else None, v.message) for v in found]


@functools.cache
def corpus_run(name: str) -> ProgramRun:
    """A corpus program run offline (once per test session); its only stack file names the environment."""
    directory = PROGRAMS / name
    stack = next(p.name.split(".")[1] for p in directory.glob("Pulumi.*.yaml"))
    return run_program(load_stack(directory, stack))


def environment_config(environment: str) -> dict:
    return load_policy_config(PACK / f"{environment}.json")
