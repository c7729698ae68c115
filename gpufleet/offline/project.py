"""Read a Pulumi project and one stack's configuration the way the Pulumi CLI hands it to a program.

The language host gives a Python program a flat map of fully-qualified keys ("ns:key") to strings:
structured values are JSON strings, numbers and booleans their text. We build the same map from
`Pulumi.yaml` and `Pulumi.<stack>.yaml`, without the CLI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.files import PLAN_MAX_BYTES, PLAN_MAX_DEPTH, compose_yaml, load_json, read_text, yaml_value

# What a `secure:` value becomes offline. Ciphertext cannot be decrypted without the CLI and
# must never be shown, so programs see this opaque string, wrapped as a secret.
SECRET_PLACEHOLDER = "[secret]"

_HEADING = "cannot read Pulumi files"


@dataclass(frozen=True)
class StackSettings:
    project: str
    project_dir: Path
    stack: str
    config: dict[str, str]
    secret_keys: frozenset[str]
    main: Path
    # Outputs of other stacks the program reads through `StackReference`, by the name it gives
    # ("org/project/stack"), as the user passed them; a stack not here has unknown outputs.
    stack_references: dict[str, dict] = field(default_factory=dict)
    stack_file: Path | None = None  # where the configuration was read (`gpufleet place --lock` writes there)


# Pulumi's config key forms: "name", "ns:name" and the legacy "ns:config:name".
_NAME = r"[A-Za-z0-9_.\-/]+"
_KEY = re.compile(rf"^(?:(?P<ns>{_NAME}):(?:config:)?)?(?P<name>{_NAME})$")


def _compose(path: Path) -> yaml.Node | None:
    """The file's checked YAML node tree (None when empty); every problem names file and line."""
    return compose_yaml(read_text(path, heading=_HEADING), path, heading=_HEADING)


def _construct(node: yaml.Node | None, path: Path) -> object:
    return yaml_value(node, path, heading=_HEADING)


def _find(directory: Path, stem: str) -> Path | None:
    for suffix in (".yaml", ".yml"):
        candidate = directory / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _existing_stacks(config_dir: Path) -> list[str]:
    names = {p.name[len("Pulumi.") : -len(p.suffix)] for p in config_dir.glob("Pulumi.*.y*ml") if p.suffix in (".yaml", ".yml")}
    return sorted(names)


def _is_secure(value: object) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _strip_secrets(value: object) -> tuple[object, bool]:
    """Replace every `{secure: …}` inside `value` by the placeholder; say whether there was one."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        found = False
        out = {}
        for k, v in value.items():
            out[k], secret = _strip_secrets(v)
            found = found or secret
        return out, found
    if isinstance(value, list):
        items = [_strip_secrets(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _config_value(node: yaml.Node, path: Path) -> tuple[str, bool]:
    """A stack config value as the CLI passes it to programs, and whether it is secret.

    Scalars keep their text as written (`3`, `0.50`, `yes`); maps and lists become JSON, with any
    `secure:` value inside replaced by the placeholder."""
    if isinstance(node, yaml.ScalarNode):
        return ("" if node.tag == "tag:yaml.org,2002:null" else node.value), False
    value, secret = _strip_secrets(_construct(node, path))
    if isinstance(value, str):  # the whole value was `{secure: …}`
        return value, secret
    return json.dumps(_string_keys(value, node, path), separators=(",", ":"), sort_keys=True), secret


def _string_keys(value: object, node: yaml.Node, path: Path) -> object:
    """`value` with every mapping key a string, as JSON has them: `1: x` is `"1": x` (a mix of number
    and string keys cannot be sorted). Two keys that become the same string are refused, as duplicates."""
    if isinstance(value, list):
        return [_string_keys(v, node, path) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, object] = {}
    for k, v in value.items():
        key = k if isinstance(k, str) else json.dumps(k)
        if key in out:
            raise UserError([Problem(path=f"{path}:{node.start_mark.line + 1}", value=key,
                                     message="duplicate key in a configuration value once keys are strings "
                                             "(a number or boolean key and the same text as a string)")],
                            heading=_HEADING)
        out[key] = _string_keys(v, node, path)
    return out


# The Pulumi CLI refuses any other project name (pulumi/pulumi sdk/go/common/tokens/project.go
# `ValidateProjectName`, with `IsName` of names.go: `[A-Za-z0-9_.-]`, at most 100 bytes); its messages.
_PROJECT_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_PROJECT_NAME_MAX_BYTES = 100


def _project_name_problem(path: Path, name: str) -> Problem | None:
    """What the CLI would say of the project's name, if anything: the name is in every URN."""
    if (size := len(name.encode("utf-8"))) > _PROJECT_NAME_MAX_BYTES:
        # The CLI counts bytes: a name of 60 "é" is 120 of them.
        counted = "" if size == len(name) else f" (it counts bytes in UTF-8: this name has {size})"
        return Problem(path=f"{path}: name", value=name,
                       message=f"project names are limited to {_PROJECT_NAME_MAX_BYTES} characters, as the Pulumi CLI "
                               f"requires{counted}")
    if not _PROJECT_NAME.fullmatch(name):
        # The CLI's own repair of a name (tokens.IntoQName): each byte it does not allow becomes "_".
        repaired = "".join(chr(b) if _PROJECT_NAME.fullmatch(chr(b)) else "_" for b in name.encode("utf-8"))
        return Problem(path=f"{path}: name", value=name, suggestion=repaired,
                       message="project names may only contain alphanumerics, hyphens, underscores, and periods, as "
                               "the Pulumi CLI requires")
    return None


def _project(project_dir: Path) -> tuple[Path, dict]:
    path = _find(project_dir, "Pulumi")
    if path is None:
        raise UserError(
            [Problem(path=str(project_dir / "Pulumi.yaml"), message="no Pulumi project here (Pulumi.yaml not found)")],
            heading=_HEADING,
        )
    doc = _construct(_compose(path), path)
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise UserError([Problem(path=str(path), message="must be a mapping with `name` and `runtime`")], heading=_HEADING)
    if not isinstance(doc.get("name"), str) or not doc["name"]:
        problems.append(Problem(path=f"{path}: name", message="the project name is required and must be a string", value=doc.get("name")))
    elif (bad_name := _project_name_problem(path, doc["name"])) is not None:
        problems.append(bad_name)
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        problems.append(Problem(path=f"{path}: runtime", message="only Python programs can be previewed offline", value=runtime_name, allowed=("python",)))
    for key in ("main", "stackConfigDir"):
        if key in doc and not isinstance(doc[key], str):
            problems.append(Problem(path=f"{path}: {key}", message="must be a relative path string", value=doc[key]))
    if problems:
        raise UserError(problems, heading=_HEADING)
    return path, doc


def _main_file(project_dir: Path, project_file: Path, main: str | None) -> Path:
    if main is None:
        entry = project_dir / "__main__.py"
    else:
        entry = (project_dir / main).resolve()
        if entry.is_dir():
            entry = entry / "__main__.py"
    if not entry.is_file():
        where = f"{project_file}: main" if main is not None else str(project_file)
        raise UserError([Problem(path=where, message=f"program entry file not found: {entry}")], heading=_HEADING)
    return entry


_DECLARATION_KEYS = {"type", "default", "value", "description", "secret", "items"}
_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def _as_config_text(value: object) -> str:
    """A project-level value as the CLI hands it to programs: text for scalars, JSON otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _project_config(project_file: Path, project: str, declared: object) -> tuple[dict[str, str], dict[str, str]]:
    """`config:` of Pulumi.yaml as the CLI applies it: (values every stack gets unless it sets the
    key itself, declared types by key). An entry is a plain value, or a declaration with `type`,
    `default` or `value` (`value` for another namespace's key, such as `aws:region`)."""
    if declared is None:
        return {}, {}
    if not isinstance(declared, dict):
        raise UserError([Problem(path=f"{project_file}: config", message="must be a mapping of keys to values or declarations",
                                 value=type(declared).__name__)], heading=_HEADING)
    values: dict[str, str] = {}
    types: dict[str, str] = {}
    problems: list[Problem] = []
    for raw_key, entry in declared.items():
        match = _KEY.match(raw_key) if isinstance(raw_key, str) else None
        if match is None:
            problems.append(Problem(path=f"{project_file}: config", message="configuration keys must look like `name` or `namespace:name`", value=raw_key))
            continue
        key = f"{match['ns'] or project}:{match['name']}"
        if isinstance(entry, dict) and entry and set(entry) <= _DECLARATION_KEYS:
            kind = entry.get("type")
            if kind is not None and kind not in _TYPES:
                problems.append(Problem(path=f"{project_file}: config.{raw_key}.type", message="unknown configuration type",
                                        value=kind, allowed=tuple(_TYPES), suggestion=did_you_mean(str(kind), list(_TYPES))))
                continue
            if kind is not None:
                types[key] = kind
            value = entry.get("value", entry.get("default"))
            if value is not None:
                values[key] = _as_config_text(value)
        elif entry is not None:
            values[key] = _as_config_text(entry)
    if problems:
        raise UserError(problems, heading=_HEADING)
    return values, types


def _check_types(config: dict[str, str], types: dict[str, str], where: Path) -> None:
    """Values of declared keys must read as their type, as the CLI checks before the program runs."""
    problems = []
    for key, kind in sorted(types.items()):
        text = config.get(key)
        if text is None or text == SECRET_PLACEHOLDER:
            continue
        try:
            parsed = json.loads(text) if kind in ("integer", "boolean", "array", "object") else text
        except ValueError:
            parsed = None
        except RecursionError:  # a string of 100,000 "[" was an internal error (review14c)
            problems.append(Problem(path=f"{where}: config.{key}", message=f"must be of type {kind!r} (declared in "
                                    "Pulumi.yaml): nested too deeply to read", value=f"{len(text):,} characters"))
            continue
        if kind == "integer" and isinstance(parsed, bool) or not isinstance(parsed, _TYPES[kind]):
            problems.append(Problem(path=f"{where}: config.{key}", message=f"must be of type {kind!r} (declared in Pulumi.yaml)", value=text))
    if problems:
        raise UserError(problems, heading=_HEADING)


def load_stack(project_dir: Path, stack: str) -> StackSettings:
    """The project's name and entry file and the stack's configuration, as the CLI would pass them."""
    project_dir = Path(project_dir).resolve()
    project_file, doc = _project(project_dir)
    project = doc["name"]
    stack_name = stack.split("/")[-1]  # "org/project/stack" names the same Pulumi.<stack>.yaml
    config_dir = project_dir / doc["stackConfigDir"] if "stackConfigDir" in doc else project_dir

    stack_file = _find(config_dir, f"Pulumi.{stack_name}")
    existing = _existing_stacks(config_dir)
    # A project without any stack file is one whose stack has no configuration of its own yet (`pulumi
    # stack init` writes none): the project's config applies. With other stacks' files beside, a
    # missing one is more likely a misspelt stack name.
    if stack_file is None and existing:
        raise UserError(
            [
                Problem(
                    path=str(config_dir / f"Pulumi.{stack_name}.yaml"),
                    message=f"no configuration for stack {stack_name!r}",
                    allowed=tuple(existing),
                    suggestion=did_you_mean(stack_name, existing),
                )
            ],
            heading=_HEADING,
        )
    root = _compose(stack_file) if stack_file is not None else None
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise UserError([Problem(path=str(stack_file), message="must be a mapping")], heading=_HEADING)
    config_node = next((v for k, v in (root.value if root else []) if _construct(k, stack_file) == "config"), None)
    if config_node is not None and not isinstance(config_node, yaml.MappingNode):
        kind = type(_construct(config_node, stack_file)).__name__
        if kind != "NoneType":
            raise UserError(
                [Problem(path=f"{stack_file}: config", message="must be a mapping of keys to values", value=kind)], heading=_HEADING
            )
        config_node = None

    config: dict[str, str] = {}
    secret_keys: set[str] = set()
    problems: list[Problem] = []
    for key_node, value_node in config_node.value if config_node else []:
        raw_key = _construct(key_node, stack_file)
        match = _KEY.match(raw_key) if isinstance(raw_key, str) else None
        if match is None:
            problems.append(
                Problem(path=f"{stack_file}: config", message="configuration keys must look like `name` or `namespace:name`", value=raw_key)
            )
            continue
        key = f"{match['ns'] or project}:{match['name']}"
        if key in config:
            problems.append(Problem(path=f"{stack_file}: config.{raw_key}", message=f"duplicate configuration key {key!r}"))
            continue
        config[key], secret = _config_value(value_node, stack_file)
        if secret:
            secret_keys.add(key)
    if problems:
        raise UserError(problems, heading=_HEADING)
    project_values, declared_types = _project_config(project_file, project, doc.get("config"))
    config = {**project_values, **config}  # the stack's own values win
    _check_types(config, declared_types, stack_file or project_file)

    return StackSettings(
        project=project,
        project_dir=project_dir,
        stack=stack_name,
        config=config,
        secret_keys=frozenset(secret_keys),
        main=_main_file(project_dir, project_file, doc.get("main")),
        stack_file=stack_file,
    )


def read_stack_reference(option: str) -> tuple[str, dict]:
    """`NAME=FILE` of `--stack-reference`: the other stack's outputs, from `pulumi stack output
    --json` (a map of outputs) or `pulumi stack export` (its root stack's outputs)."""
    name, sep, file = option.partition("=")
    if not sep or not name or not file:
        raise UserError([Problem(path="--stack-reference", message="expected NAME=FILE, the name the program gives "
                                 "StackReference (org/project/stack) and that stack's outputs", value=option)], heading=_HEADING)
    # Within the bounds of a plan file (size, nesting, NaN/Infinity, duplicate keys), numbers within float64's
    # exact range as every Pulumi value: read raw, deep nesting was an internal error and a 400-digit number
    # failed the program (review14c).
    doc = load_json(Path(file), heading=_HEADING, max_bytes=PLAN_MAX_BYTES, max_depth=PLAN_MAX_DEPTH,
                    what=f"--stack-reference {name} file")
    if isinstance(doc, dict) and isinstance(doc.get("deployment"), dict):
        stacks = [r for r in doc["deployment"].get("resources") or [] if isinstance(r, dict) and r.get("type") == "pulumi:pulumi:Stack"]
        doc = stacks[0].get("outputs") if stacks else None
    if not isinstance(doc, dict):
        raise UserError([Problem(path=f"--stack-reference {name}", message=f"{file} holds no stack outputs: give the JSON of "
                                 "`pulumi stack output --json` or `pulumi stack export`")], heading=_HEADING)
    return name, doc
