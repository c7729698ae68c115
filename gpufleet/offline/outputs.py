"""A stack's outputs (`pulumi.export`) as `pulumi preview` prints them under "Outputs:" for a new stack.

The CLI's rules (pulumi/pulumi `pkg/backend/display/object_diff.go`: `getResourceOutputsPropertiesString`,
`printObject`, `printPropertyValueRecurse`, `printPrimitivePropertyValue`; `progress.go` `printOutputs`):

- one line per output, sorted by name, indented four spaces, names padded to the longest name
  (`ami    : "ami-0123"`); outputs that are null, "", [] or {} are left out, as are names starting
  with "__" (internal);
- strings quoted as Go's `%q` does (escapes for quotes, backslashes and unprintable characters); a
  string that is a whole JSON value (or a multi-line YAML 1.2 document) that is a list or a mapping is
  shown decoded after "(json) " / "(yaml) " (text that would nest more than 100 levels below "Outputs:",
  or YAML whose aliases expand past 100,000 values, is shown as the text it is: never a hang or a crash);
- whole numbers without a fraction (`8`, not `8.0`), other numbers as Go's `%g`; `true`/`false`;
  `<null>` inside a value;
- a value unknown at preview (the id of a resource being created, an `apply` on it) is `[unknown]`,
  a secret `[secret]`, never its value (`--show-secrets` does not exist offline);
- lists and mappings in full, nested four spaces a level (`[0]: …` for list items), as the CLI
  prints them by default (`--show-full-output` is on by default: nothing is cut).

Older CLIs printed an unknown value as `output<string>` whatever its type; the CLI prints `[unknown]`
since pulumi/pulumi#19204, as it prints a secret `[secret]`.
"""

from __future__ import annotations

import json
import math
import sys
from decimal import Decimal
from typing import Any

from gpufleet import pulumi_private as _sdk
from gpufleet.errors import UserError
from gpufleet.files import PLAN_MAX_DEPTH, compose_yaml, yaml_value
from gpufleet.offline.plan import depth, shown_value

INDENT = "    "
UNKNOWN_SHOWN = "[unknown]"
SECRET_SHOWN = "[secret]"

# How deep a value is shown decoded: printing recurses (a few Python frames a level), and Python's stack, unlike
# Go's, is bounded. JSON or YAML text that would nest deeper (over 100 levels, counted from the top of the output) is shown as its text, quoted.
MAX_SHOWN_DEPTH = 100
_RECURSION_LIMIT = 50_000  # three frames a level of nesting
_PLAN_OUTPUT_LEVEL = 3  # the plan document, its `gpufleet` object, its `outputs`
# Text is decoded (JSON, YAML) only up to this nesting, checked before the decoder's C code recurses;
# deeper text is shown as the string it is (the CLI's decoders go deeper: 10,000 levels for JSON).
_MAX_DECODED_DEPTH = PLAN_MAX_DEPTH

# Go's strconv.Quote short escapes.
_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
                  '"': '\\"', "\\": "\\\\"}


def output_lines(outputs: dict[str, Any]) -> list[str]:
    """The lines under "Outputs:" for `outputs` (wire values, as the recording monitor received them);
    none when the CLI would print no "Outputs:" section."""
    keys = sorted(outputs)  # Go sorts the UTF-8 bytes: the same order as code points
    width = _key_width(keys)
    parts: list[str] = []
    # A value nests as deep as the program made it (the SDK serializes thousands of levels on the program's
    # thread): printed whole, by Python-to-Python calls, which use no C stack.
    saved_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved_limit, _RECURSION_LIMIT))
    try:
        for key in keys:
            value = outputs[key]
            if key.startswith("__") or not _printed_at_top(value):
                continue
            _title(parts, key, width, 1)
            _value_line(parts, value, 1)
    finally:
        sys.setrecursionlimit(saved_limit)
    return "".join(parts).splitlines()


def plan_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs as the plan file holds them (`gpufleet.outputs`): as `pulumi stack output --json` shows
    them (secrets "[secret]", unknowns the unknown sentinel). An output nested deeper than a plan file may
    be (plan readers refuse it: `files.PLAN_MAX_DEPTH`) is said to be so, in words, instead: the terminal
    shows it whole."""
    room = PLAN_MAX_DEPTH - _PLAN_OUTPUT_LEVEL
    return {key: shown_value(value) if (levels := depth(value)) <= room else
            f"(nested {levels:,} levels deep: deeper than a plan file holds ({room}); shown in full by the terminal)"
            for key, value in outputs.items()}


def _printed_at_top(value: Any) -> bool:
    """`shouldPrintPropertyValue`: nulls, empty strings, lists and mappings only clutter the section."""
    return not (value is None or value == "" or value == [] or value == {})


def _key_width(keys: list[str]) -> int:
    # Go's `len` counts bytes, its `%-Ns` pads runes: a non-ASCII name pads a little wider, as there.
    return max((len(key.encode("utf-8")) for key in keys), default=0)


def _title(parts: list[str], key: str, width: int, indent: int) -> None:
    # A name is printed raw by the CLI; a line break in it would start a line that is not one.
    parts.append(INDENT * indent + key.replace("\n", "\\n").ljust(width) + ": ")


def _value_line(parts: list[str], value: Any, indent: int) -> None:
    _value(parts, value, indent)
    parts.append("\n")


def _value(parts: list[str], value: Any, indent: int) -> None:
    if _sdk.is_secret(value):
        parts.append(SECRET_SHOWN)
    elif _sdk.is_resource_reference(value):
        parts.append("{\n")
        _title(parts, "URN", 3, indent + 1)
        parts.append(_go_quote(str(value.get("urn", ""))) + "\n")
        _title(parts, "ID", 3, indent + 1)
        _value_line(parts, value.get("id"), indent + 1)
        _title(parts, "PackageVersion", 3, indent + 1)
        parts.append(_go_quote(str(value.get("packageVersion", ""))) + "\n")
        parts.append(INDENT * indent + "}")
    elif isinstance(value, list):
        if not value:
            parts.append("[]")
            return
        parts.append("[\n")
        for i, item in enumerate(value):
            parts.append(INDENT * indent + f"{INDENT}[{i}]: ")
            _value_line(parts, item, indent + 1)
        parts.append(INDENT * indent + "]")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        parts.append("{\n")
        keys = sorted(value)
        width = _key_width(keys)
        for key in keys:
            if not key.startswith("__"):
                _title(parts, key, width, indent + 1)
                _value_line(parts, value[key], indent + 1)
        parts.append(INDENT * indent + "}")
    else:
        _primitive(parts, value, indent)


def _primitive(parts: list[str], value: Any, indent: int) -> None:
    if value is None:
        parts.append("<null>")
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        parts.append(_go_number(float(value)))
    elif value == _sdk.UNKNOWN:
        parts.append(UNKNOWN_SHOWN)
    elif isinstance(value, str):
        decoded = _decoded(value)
        if decoded is not None and indent + depth(decoded[1]) <= MAX_SHOWN_DEPTH:
            kind, data = decoded
            parts.append(f"({kind}) ")
            _value_line(parts, data, indent)  # the CLI ends the decoded value's line, then its own: a blank line
        else:
            parts.append(_go_quote(value))
    else:
        parts.append(_go_quote(str(value)))


def _go_number(x: float) -> str:
    """Go's `%.f` for a whole number (no exponent, however large), `%g` otherwise."""
    if math.isnan(x) or math.isinf(x) or x != math.trunc(x):
        return _go_g(x)
    return f"{x:.0f}"


def _go_g(x: float) -> str:
    """Go's `%g` (shortest digits; an exponent from 1e+06 and below 1e-04)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "0"
    _sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exponent, int)
    at = len(digits) + exponent - 1  # the decimal exponent of the first digit
    if -4 <= at < 6:
        return format(Decimal(repr(x)).normalize(), "f")
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if x < 0 else ''}{mantissa}e{'+' if at >= 0 else '-'}{abs(at):02d}"


def _go_quote(text: str) -> str:
    """Go's `strconv.Quote`: printable characters as they are, the rest escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("out of range")  # Go cannot hold it in a float64: not JSON to the CLI
    return value


def _refuse(_constant: str) -> float:
    raise ValueError("not JSON")  # NaN, Infinity: Python's extension, not JSON


def _decoded(text: str) -> tuple[str, Any] | None:
    """`decodeValue`: a string that is, whole, a JSON (or, when it spans lines, a YAML) list or mapping."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{") and _nesting(stripped) <= _MAX_DECODED_DEPTH:
        try:
            data = json.loads(stripped, parse_int=_finite, parse_float=_finite, parse_constant=_refuse)
        except ValueError:
            data = None
        else:
            return ("json", data) if isinstance(data, (list, dict)) else None
    elif stripped[:1] not in ("[", "{") and _is_json_scalar(stripped):
        return None  # JSON, but not a list or a mapping: the CLI stops there, as here
    if "\n" not in stripped and "\r" not in stripped:
        return None
    try:
        # YAML 1.2 core schema, as the CLI's yaml.v3; aliases' expansion and nesting bounded (a bomb is text)
        data = _plain_yaml(yaml_value(compose_yaml(stripped, "output", heading="output"), "output", heading="output"))
    except (UserError, ValueError):
        return None
    return ("yaml", data) if isinstance(data, (list, dict)) else None


def _is_json_scalar(text: str) -> bool:
    try:
        json.loads(text, parse_int=_finite, parse_float=_finite, parse_constant=_refuse)
    except ValueError:
        return False
    return True


def _nesting(text: str) -> int:
    """How deep JSON text's brackets nest (outside its strings), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _plain_yaml(value: Any) -> Any:
    """A YAML document as the CLI's decoder keeps it: mapping keys that are numbers become their text;
    any other key that is not text, and it is not decoded at all."""
    if isinstance(value, list):
        return [_plain_yaml(item) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int, float)):
                raise ValueError("a key that is not text or a number")
            out[key if isinstance(key, str) else str(key) if isinstance(key, int) else _go_g(key)] = _plain_yaml(item)
        return out
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
