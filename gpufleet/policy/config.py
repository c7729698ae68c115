"""Policy-pack configuration files, read and reconciled the way the Pulumi CLI does.

A file is what `pulumi preview --policy-pack-config FILE` accepts: `{"all": LEVEL, "<policy>": LEVEL |
{"enforcementLevel": LEVEL, <property>: value}}`. Before `Configure`, the CLI starts from each policy's
defaults (its enforcement level and the `default` of every config-schema property), applies the pack's
initial config, then the file ("all" first, then each policy), and validates each policy's properties
against its schema (pulumi/pulumi `ReconcilePolicyPackConfig`). We do the same, with two additions: a
policy name the pack does not have is an error here (the CLI ignores it silently, which would let a typo
switch off a mandatory policy), and so is a threshold name the policy's schema does not declare (the
CLI's schema has no `additionalProperties: false`, so a misspelt `monthly_usd` would leave the default
in force). Being stricter than the CLI cannot break a configuration the CLI accepts as intended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.files import parse_json, read_text

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
HEADING = "invalid policy configuration"


def default_policy_config_path(pack_dir: Path, environment: str, fleet_environment: str | None = None) -> Path:
    """`<pack>/<environment>.json` (the stack's name), else `<pack>/<fleet_environment>.json` (the
    environment its `gpufleet:fleet` names: stack `gcp-staging` of environment `staging`); an environment
    without a file is an error naming the ones there are."""
    path = Path(pack_dir) / f"{environment}.json"
    if path.is_file():
        return path
    if fleet_environment and (fleet := Path(pack_dir) / f"{fleet_environment}.json").is_file():
        return fleet
    existing = sorted(p.stem for p in Path(pack_dir).glob("*.json"))
    raise UserError([Problem(str(path), f"no policy configuration for environment {environment!r} (the stack's "
                             "name); choose one with --policy-config FILE, or skip policies with --no-policies",
                             allowed=tuple(existing), suggestion=did_you_mean(environment, existing))],
                    heading=HEADING)


def load_policy_config(path: Path) -> dict[str, Any]:
    """Read a policy-config file; a missing, unreadable or malformed file is a `UserError` naming it."""
    path = Path(path)
    text = read_text(path, heading=HEADING, what="policy configuration")
    if not text.strip():
        return {}  # as the CLI: an empty file is no configuration
    doc = parse_json(text, str(path), heading=HEADING)
    if not isinstance(doc, dict):
        raise UserError([Problem(str(path), "must be a JSON object of policy names to settings",
                                 type(doc).__name__)], heading=HEADING)
    problems = []
    for name, value in doc.items():
        level = value if isinstance(value, str) else value.get("enforcementLevel") if isinstance(value, dict) else None
        if not isinstance(value, (str, dict)):
            problems.append(Problem(f"{path}: {name}", "must be an enforcement level or an object",
                                    type(value).__name__))
        elif level is not None and level not in LEVELS:
            problems.append(Problem(f"{path}: {name}.enforcementLevel", "not a valid enforcement level", level,
                                    LEVELS, did_you_mean(level, LEVELS)))
    if problems:
        raise UserError(problems, heading=HEADING)
    return doc


def _split(value: Any) -> tuple[str | None, dict[str, Any]]:
    if isinstance(value, str):
        return value, {}
    props = dict(value)
    return props.pop("enforcementLevel", None), props


def reconcile(policies: list[dict[str, Any]], initial: dict[str, Any], given: dict[str, Any],
              source: str = "policy configuration") -> dict[str, tuple[str, dict[str, Any]]]:
    """Each policy's (enforcement level, properties) as the CLI sends them to `Configure`.

    `policies`: `{"name", "enforcementLevel", "properties": {prop: schema}, "required": [...]}` from
    `GetAnalyzerInfo`; `initial`: the pack's initial config; `given`: the file's content.
    """
    result: dict[str, tuple[str, dict[str, Any]]] = {}
    for p in policies:
        defaults = {k: s["default"] for k, s in p["properties"].items() if isinstance(s, dict) and "default" in s}
        result[p["name"]] = (p["enforcementLevel"], defaults)
    known = [p["name"] for p in policies]
    problems = [Problem(f"{source}: {name}", "no such policy in the pack", allowed=tuple(sorted(known)),
                        suggestion=did_you_mean(name, known))
                for name in given if name != "all" and name not in known]
    for layer in (initial, given):
        if "all" in layer:
            level, _ = _split(layer["all"])
            if level in LEVELS:
                result = {k: (level, props) for k, (_, props) in result.items()}
        for name, value in layer.items():
            level, props = _split(value)
            old_level, old_props = result.get(name, (None, {}))
            result[name] = (level if level in LEVELS else old_level, {**old_props, **props})
    schemas = {p["name"]: p for p in policies}
    for name, (_, props) in sorted(result.items()):
        if name in schemas:
            problems += [Problem(f"{source}: {name}.{path}", message, value, allowed, suggestion)
                         for path, message, value, allowed, suggestion in validate(schemas[name], props)]
    if problems:
        raise UserError(problems, heading=HEADING)
    return result


_TYPES = {"number": (int, float), "integer": (int, float), "string": (str,), "boolean": (bool,),
          "array": (list,), "object": (dict,)}


def _check(schema: dict[str, Any], value: Any, path: str) -> list[tuple[str, str, Any]]:
    """The subset of JSON Schema the pack's config schemas use (type, bounds, enum, items, minItems, and
    an object's required, properties and additionalProperties: a malformed `workload_limits` exception is
    an error here, not an exception silently left unapplied)."""
    kind = schema.get("type")
    if kind in _TYPES:
        ok = isinstance(value, _TYPES[kind]) and not (kind in ("number", "integer") and isinstance(value, bool))
        if ok and kind == "integer":
            ok = float(value).is_integer()
        if not ok:
            return [(path, f"must be of type {kind}", value)]
    out = []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((path, f"must be at least {schema['minimum']:g}", value))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append((path, f"must be greater than {schema['exclusiveMinimum']:g}", value))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((path, f"must be at most {schema['maximum']:g}", value))
    if "enum" in schema and value not in schema["enum"]:
        out.append((path, f"must be one of {', '.join(map(str, schema['enum']))}", value))
    if isinstance(value, list) and isinstance(schema.get("minItems"), (int, float)) and len(value) < schema["minItems"]:
        out.append((path, f"must have at least {schema['minItems']:g} item(s)", value))  # a float over gRPC
    if isinstance(value, dict):
        out += [(f"{path}.{key}", "required property is missing", None)
                for key in schema.get("required", []) if key not in value]
        for key, item in sorted(value.items()):
            if isinstance(schema.get("properties"), dict) and isinstance(schema["properties"].get(key), dict):
                out += _check(schema["properties"][key], item, f"{path}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            out += _check(schema["items"], item, f"{path}[{i}]")
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in sorted(value.items()):
            out += _check(schema["additionalProperties"], item, f"{path}.{key}")
    return out


def validate(policy: dict[str, Any], props: dict[str, Any]) -> list[tuple[str, str, Any, tuple[str, ...], str | None]]:
    """(path, message, value, allowed names, suggestion) for each problem with a policy's properties."""
    problems = [(name, "required property is missing", None, (), None) for name in policy.get("required", [])
                if name not in props]
    known = sorted(policy["properties"])
    for name, value in sorted(props.items()):
        schema = policy["properties"].get(name)
        if schema is None:
            message = "no such threshold in this policy" if known else "this policy has no thresholds"
            problems.append((name, message, None, tuple(known), did_you_mean(name, known)))
            continue
        problems += [(*problem, (), None) for problem in _check(schema, value, name)]
    return problems
