"""Every file gpufleet reads, read safely and within bounds: one place for hostile or broken input.

Stack files, `Pulumi.yaml`, policy configurations, plans for the report, catalog overlays and task
files come from people and tools we do not control. Whatever their bytes, reading them either returns
plain data (dicts, lists, strings, finite numbers, booleans, None) or raises a `UserError` (exit 2)
naming the file, the line and column or the field path, what is wrong and what is allowed. Never a
traceback, never unbounded time or memory:

- size: a file is read up to its limit and no further (so `/dev/zero` or a 10 GB file is refused
  after reading the limit, not swallowed);
- text: UTF-8 (a UTF-8 byte-order mark is allowed; UTF-16 with a mark is read too, as PowerShell's
  `>` writes it); a byte that is not text is reported with its line and column;
- YAML: the 1.2 core schema the Pulumi CLI reads (Go, yaml.v3); nesting, the values a document
  holds once its aliases are expanded ("billion laughs") and recursive aliases are bounded; a tag
  outside the core schema (`!foo`, `!!python/object`, `!!binary`, `!!set`, …) and duplicate keys are
  refused with their line;
- JSON: nesting bounded; `NaN`/`Infinity` and duplicate keys refused;
- numbers: not finite, or beyond ±2^53 in configuration, is refused with the field path. Pulumi
  carries every number as a float64 (a protobuf `Value`), which stops being exact past 2^53; no count,
  size, price or budget of a fleet comes near it.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from gpufleet.errors import Problem, UserError

KIB = 1024
MIB = 1024 * KIB
CONFIG_MAX_BYTES = 1 * MIB  # stack and project files, policy configurations, task files, catalog overlays
PLAN_MAX_BYTES = 100 * MIB  # `pulumi preview --json` of a very large stack stays well below this
MAX_DEPTH = 64  # configuration nests a handful of levels; deeper is not configuration
PLAN_MAX_DEPTH = 128  # resource inputs in a plan (Kubernetes manifests, policy documents) nest deeper
MAX_VALUES = 100_000  # values in one YAML document once its aliases are expanded
MAX_MAGNITUDE = 2**53  # the largest integer a float64 holds exactly
_MAX_INT_DIGITS = 4300  # Python's limit for reading an integer from text (sys.get_int_max_str_digits)


def _where(path: Path | str, line: int | None = None, column: int | None = None) -> str:
    return f"{path}:{line}:{column}" if line is not None else str(path)


def _refuse(where: str, message: str, value: object = None, *, heading: str,
            allowed: tuple[str, ...] = ()) -> UserError:
    return UserError([Problem(where, message, value, allowed)], heading=heading)


# --- bytes and text ---------------------------------------------------------------------------------


def read_bytes(path: Path, *, heading: str, max_bytes: int = CONFIG_MAX_BYTES, what: str = "file") -> bytes:
    """At most `max_bytes` of the file; a larger or unreadable file is a `UserError` naming it (and `what` it is)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise _refuse(str(path), f"cannot read {what}: {exc.strerror or exc}", heading=heading) from None
    if len(data) > max_bytes:
        raise _refuse(str(path), f"{what} is larger than the {_size(max_bytes)} gpufleet reads", heading=heading)
    return data


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB else f"{n // KIB} KiB"


def decode(data: bytes, path: Path | str, *, heading: str) -> str:
    """UTF-8 text (with or without a byte-order mark), or UTF-16 with one; else the first bad byte's line."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _refuse(str(path), f"not valid UTF-16 text: {exc.reason}", heading=heading) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _refuse(_where(path, line, column), f"not UTF-8 text: byte 0x{data[exc.start]:02x} ({exc.reason})",
                      heading=heading) from None


def read_text(path: Path, *, heading: str, max_bytes: int = CONFIG_MAX_BYTES, what: str = "file") -> str:
    """The file's text, bounded and decoded (see `decode`)."""
    return decode(read_bytes(path, heading=heading, max_bytes=max_bytes, what=what), path, heading=heading)


# --- numbers ------------------------------------------------------------------------------------------


class _LongInteger(float):
    """An integer literal too long to parse (Python stops at 4,300 digits): kept as its length only."""

    digits: int


def _long_integer(digits: int) -> _LongInteger:
    value = _LongInteger(math.inf)
    value.digits = digits
    return value


def number_problem(value: float, *, limit: float | None = MAX_MAGNITUDE) -> str | None:
    """Why a number cannot be used (None when it can)."""
    if isinstance(value, _LongInteger):
        return "is out of range (an integer too long to read)"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if limit is not None and abs(value) > limit:
        return f"is out of range (numbers are limited to ±2^53 = ±{MAX_MAGNITUDE:,})"
    return None


# A number written as text (a catalog cell, a tag, a label): ASCII digits with an optional sign, decimal
# point and exponent. Python's float() takes more — "5_5" is 55, "٥" (an Arabic-Indic digit) is 5, and so is
# any Unicode decimal digit — none of which a person means as a number in a data file.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NON_FINITE = re.compile(r"[-+]?(?:nan|inf|infinity)", re.IGNORECASE)
PLAIN_NUMBER = "a plain decimal number (ASCII digits, an optional sign, decimal point and exponent: 8, 55.04, 1.5e3)"


def text_number(text: str) -> float:
    """`text` (ASCII spaces around it aside) as a finite number within ±2^53; ValueError saying why not."""
    stripped = text.strip(" \t")
    if not _PLAIN_NUMBER.fullmatch(stripped):  # a catalog load reads ~1,600 numbers: one match each
        raise ValueError("must be a finite number" if _NON_FINITE.fullmatch(stripped) else f"is not {PLAIN_NUMBER}")
    value = float(stripped)
    problem = number_problem(value)  # "1e999" is a plain number too large for a float
    if problem:
        raise ValueError(problem)
    return value


def plain_number(text: str) -> float | None:
    """`text` as a number as `text_number` reads it, None when it is not one."""
    try:
        return text_number(text)
    except ValueError:
        return None


def _dotted(parts: tuple[object, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _walk(value: object, parts: tuple[object, ...] = ()) -> Iterator[tuple[tuple[object, ...], object]]:
    """Every value inside `value` with its path, iteratively (no recursion limit to hit)."""
    stack: list[tuple[tuple[object, ...], object]] = [(parts, value)]
    while stack:
        here, item = stack.pop()
        yield here, item
        if isinstance(item, dict):
            stack.extend((here + (k,), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((here + (i,), v) for i, v in reversed(list(enumerate(item))))


def check_data(value: object, where: str, *, heading: str, prefix: tuple[object, ...] = (),
               max_depth: int = MAX_DEPTH, limit: float | None = MAX_MAGNITUDE) -> None:
    """Raise a `UserError` listing every unusable number in `value`, and any nesting deeper than `max_depth`."""
    problems = []
    for parts, item in _walk(value, prefix):
        if len(parts) - len(prefix) > max_depth:
            problems.append(Problem(f"{where}: {_dotted(parts)}", f"nested deeper than {max_depth} levels"))
            break
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            if why := number_problem(item, limit=limit):
                problems.append(Problem(f"{where}: {_dotted(parts)}" if parts else where, why, _shown(item)))
    if problems:
        raise UserError(problems, heading=heading)


def _shown(value: object) -> object:
    """A bad value as it is shown in a message: a huge integer by its size, not its 4,000 digits."""
    if isinstance(value, _LongInteger):
        return f"an integer of {value.digits} digits"
    if isinstance(value, int) and abs(value) > 10**30:
        return f"an integer of {len(str(abs(value)))} digits"
    return value


# --- JSON ---------------------------------------------------------------------------------------------


def parse_json(text: str, where: str, *, heading: str, max_depth: int = MAX_DEPTH,
               limit: float | None = MAX_MAGNITUDE, prefix: tuple[object, ...] = ()) -> Any:
    """A JSON document from text: duplicate keys, NaN/Infinity, unusable numbers and deep nesting refused."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise ValueError(f"{name} is not a JSON number")

    def integer(text: str) -> int | float:
        return int(text) if len(text) <= _MAX_INT_DIGITS else _long_integer(len(text.lstrip("-")))

    inside = f": {_dotted(prefix)}" if prefix else ""  # JSON held in a field of another file
    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer)
    except json.JSONDecodeError as exc:
        raise _refuse(f"{where}{inside}:{exc.lineno}:{exc.colno}" if inside else f"{where}:{exc.lineno}:{exc.colno}",
                      f"invalid JSON: {exc.msg}", heading=heading) from None
    except ValueError as exc:  # a NaN or Infinity literal
        raise _refuse(where + inside, f"invalid JSON: {exc}", heading=heading) from None
    except RecursionError:
        raise _refuse(where + inside, f"nested deeper than {max_depth} levels", heading=heading) from None
    if duplicates:
        raise UserError([Problem(where + inside, "duplicate key in a JSON object (which one counts is unclear)", key)
                         for key in dict.fromkeys(duplicates)], heading=heading)
    check_data(doc, where, heading=heading, prefix=prefix, max_depth=max_depth, limit=limit)
    return doc


def load_json(path: Path, *, heading: str, max_bytes: int = CONFIG_MAX_BYTES, max_depth: int = MAX_DEPTH,
              limit: float | None = MAX_MAGNITUDE, what: str = "file") -> Any:
    """A JSON file, read within bounds (see `parse_json`)."""
    return parse_json(read_text(path, heading=heading, max_bytes=max_bytes, what=what), str(path), heading=heading,
                      max_depth=max_depth, limit=limit)


def load_plan_json(path: Path, *, heading: str) -> Any:
    """A plan (`pulumi preview --json`, gpufleet's `--json`): larger and deeper than configuration, and
    its figures are the report's to judge (absurd is shown as absurd), so only non-finite ones are refused."""
    return load_json(path, heading=heading, max_bytes=PLAN_MAX_BYTES, max_depth=PLAN_MAX_DEPTH, limit=None,
                     what="plan file")


# --- YAML ---------------------------------------------------------------------------------------------

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP, _MERGE = _CORE + "seq", _CORE + "map", _CORE + "merge"
_INT_TEXT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_TEXT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL_TEXT = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_CORE_SCHEMA = ("!!str", "!!int", "!!float", "!!bool", "!!null", "!!seq", "!!map")  # YAML 1.2 core schema


class Yaml12Loader(yaml.SafeLoader):
    """YAML with the 1.2 core schema, as the Pulumi CLI (Go, yaml.v3) reads it: `yes`, `on`, `1:30`,
    `017`, `=` and dates are plain strings, not YAML 1.1's booleans, sexagesimals, octals, values and
    timestamps. Composing counts nesting, so a deeply nested document is refused, not a RecursionError."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_YAML11_ONLY = {_BOOL, _INT, _FLOAT, _CORE + "timestamp", _CORE + "value"}
Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(_BOOL, _BOOL_TEXT, list("tTfF"))
# int before float: the float pattern matches integers too, and the first match wins.
Yaml12Loader.add_implicit_resolver(_INT, _INT_TEXT, list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(_FLOAT, _FLOAT_TEXT, list("-+.0123456789"))


def _construct_int(loader: Yaml12Loader, node: yaml.ScalarNode) -> int:
    text = node.value  # checked against _INT_TEXT (and its length bounded) before construction
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


Yaml12Loader.add_constructor(_INT, _construct_int)


def _mark(node: yaml.Node, path: Path | str) -> str:
    return _where(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _yaml_error(exc: yaml.YAMLError, path: Path | str, *, heading: str, text: str = "") -> UserError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow (NUL, most controls)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return _refuse(_where(path, line, column), f"invalid YAML: {exc.reason}", f"#x{exc.character:04x}",
                       heading=heading)
    mark = getattr(exc, "problem_mark", None)
    where = _where(path, mark.line + 1, mark.column + 1) if mark is not None else str(path)
    reason = getattr(exc, "problem", None) or str(exc)
    return _refuse(where, f"invalid YAML: {reason}", heading=heading)


def compose_yaml(text: str, path: Path | str, *, heading: str) -> yaml.Node | None:
    """The document's node tree (None when empty), checked: bounded expansion, core-schema tags only,
    valid scalars, usable numbers, no duplicate keys. Construct values from it with `yaml_value`."""
    try:
        loader = Yaml12Loader(text)  # checks every character first
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path, heading=heading, text=text) from None
    if node is not None:
        _check_expansion(node, path, heading=heading)
        problems = list(_node_problems(node, path))
        if problems:
            raise UserError(problems, heading=heading)
    return node


def _check_expansion(root: yaml.Node, path: Path | str, *, heading: str) -> None:
    """Values and depth of the document once aliases are expanded, counted once per node (linear)."""
    size: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) when expanded
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if not children_done:
            if id(node) in open_nodes:
                raise _refuse(_mark(node, path), "invalid YAML: an alias refers to a node that contains it",
                              heading=heading)
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
            continue
        open_nodes.discard(id(node))
        values = 1 + sum(size[id(c)][0] for c in children)
        depth = 1 + max((size[id(c)][1] for c in children), default=0)
        if values > MAX_VALUES or depth > MAX_DEPTH:
            what = f"more than {MAX_VALUES:,} values" if values > MAX_VALUES else f"nesting deeper than {MAX_DEPTH} levels"
            raise _refuse(_mark(node, path), f"invalid YAML: aliases expand to {what}", heading=heading)
        size[id(node)] = (values, depth)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _node_problems(root: yaml.Node, path: Path | str) -> Iterator[Problem]:
    """Unsupported tags, scalars that are not what their tag says, unusable numbers, duplicate keys."""
    stack: list[tuple[yaml.Node, tuple[object, ...]]] = [(root, ())]
    while stack:
        node, parts = stack.pop()
        where = _mark(node, path) + (f": {_dotted(parts)}" if parts else "")
        if isinstance(node, yaml.ScalarNode):
            if problem := _scalar_problem(node, where):
                yield problem
            continue
        if node.tag not in (_SEQ, _MAP):
            yield Problem(where, "unsupported YAML tag", _short_tag(node.tag), _CORE_SCHEMA)
            continue
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, parts + (i,)) for i, child in reversed(list(enumerate(node.value))))
            continue
        seen: dict[tuple[str, str], int] = {}
        for key, value in reversed(node.value):
            if not isinstance(key, yaml.ScalarNode):
                yield Problem(_mark(key, path), "a mapping key must be a plain scalar, not a list or mapping")
                continue
            if key.tag == _MERGE:
                stack.append((value, parts))
                continue
            identity = (key.tag, key.value)
            if identity in seen:
                yield Problem(_mark(key, path) + f": {_dotted(parts + (key.value,))}",
                              f"duplicate key (also on line {seen[identity]})", key.value)
            seen[identity] = key.start_mark.line + 1
            stack.append((key, parts + (key.value,)))
            stack.append((value, parts + (key.value,)))


def _yaml_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    return math.nan if lowered == ".nan" else float(text)


def _scalar_problem(node: yaml.ScalarNode, where: str) -> Problem | None:
    text = node.value
    if node.tag in (_STR, _NULL, _MERGE):
        return None
    if node.tag == _BOOL:
        return None if _BOOL_TEXT.match(text) else Problem(where, "not a boolean", text, ("true", "false"))
    if node.tag == _INT:
        if not _INT_TEXT.match(text):
            return Problem(where, "not an integer", text)
        if len(text) > _MAX_INT_DIGITS:
            return Problem(where, number_problem(_long_integer(len(text))), f"an integer of {len(text)} digits")
        why = number_problem(_construct_int(None, node))  # type: ignore[arg-type]
        return Problem(where, why, _shown(_construct_int(None, node))) if why else None  # type: ignore[arg-type]
    if node.tag == _FLOAT:
        if not _FLOAT_TEXT.match(text):
            return Problem(where, "not a number", text)
        why = number_problem(_yaml_float(text))
        return Problem(where, why, text) if why else None
    return Problem(where, "unsupported YAML tag", _short_tag(node.tag), _CORE_SCHEMA)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def yaml_value(node: yaml.Node | None, path: Path | str, *, heading: str) -> Any:
    """The plain value of a node checked by `compose_yaml`."""
    if node is None:
        return None
    loader = Yaml12Loader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:  # e.g. a merge key (`<<`) whose value is not a mapping
        raise _yaml_error(exc, path, heading=heading) from None
    finally:
        loader.dispose()


def load_yaml(path: Path, *, heading: str, max_bytes: int = CONFIG_MAX_BYTES) -> Any:
    """A YAML file's value, read within bounds and checked (see `compose_yaml`)."""
    text = read_text(path, heading=heading, max_bytes=max_bytes)
    return yaml_value(compose_yaml(text, path, heading=heading), path, heading=heading)
