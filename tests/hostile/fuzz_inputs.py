"""Hypothesis strategies for hostile input files: a known-good document, mutated as a fuzzer would.

Structured mutations (on the parsed document): deleted keys, renamed keys, values replaced by wrong
types, huge, negative, NaN or infinite numbers, unicode and long strings, deep nesting, empty and list
documents. Text mutations (on the serialised bytes): unknown tags, alias bombs, bytes that are not
UTF-8, control characters, truncation. Catalog overlay CSVs: hostile cells, unknown columns, then the
same text mutations.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import yaml
from hypothesis import strategies as st

_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=10**6),
    st.integers(min_value=2**53 - 2, max_value=2**70) | st.integers(max_value=-1, min_value=-(2**64)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 0.0, -0.0, 1e308, 5e-324, 2**63, 730, 100.0, 1e26]),
    st.text(max_size=30),
    st.sampled_from(["aws", "azure", "gcp", "H100", "p5.48xlarge", "us-east-1", "mandatory", "disabled", "é🚀\u202e",
                     "@everyone", "<img src=x>", "\x00", "yes", "017", "1:30", "=", "~", "[secret]"]),
    st.integers(min_value=1000, max_value=200_000).map(lambda n: "x" * n),
)


def _nested(depth: int, leaf: object) -> object:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


HOSTILE_VALUES = st.one_of(
    _LEAF,
    st.lists(_LEAF, max_size=4),
    st.dictionaries(st.text(max_size=8), _LEAF, max_size=4),
    st.builds(_nested, st.integers(min_value=2, max_value=200), _LEAF),  # deeper: as text, below
)


def _same_type(value: object) -> st.SearchStrategy:
    """A value of the same JSON type: most mutations a person makes keep the type and change the value."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(min_value=-5, max_value=2**20) | st.sampled_from([0, 1, 2**53, -(2**53)])
    if isinstance(value, float):
        return st.floats(min_value=-1e6, max_value=1e9, allow_nan=False)
    if isinstance(value, str):
        return st.text(max_size=12) | st.just(value.upper()) | st.just(value + "-x")
    return HOSTILE_VALUES


def _paths(doc: object, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, here + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, here + (i,))
    return out


@st.composite
def mutated(draw: st.DrawFn, original: Any, protect: int = 0) -> Any:
    """`original` with one to three structural mutations (paths shorter than `protect` are kept)."""
    doc = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(doc) if len(p) > protect]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(["delete", "replace", "tweak", "tweak", "rename", "wrap"]))
        last = path[-1]
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = draw(HOSTILE_VALUES)
        elif op == "tweak":
            parent[last] = draw(_same_type(parent[last]))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12)) + "_"] = parent.pop(last)
        else:
            parent[last] = [parent[last]]
    return doc if draw(st.integers(min_value=0, max_value=19)) else draw(st.sampled_from([None, [], [doc], "text", 0]))


def _billion_laughs(levels: int) -> str:
    text = "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels):
        text += f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]\n"
    return text


@st.composite
def text_mutated(draw: st.DrawFn, text: str) -> bytes:
    """`text` as bytes, maybe damaged: a tag, an alias bomb, a bad byte, a control character, a cut."""
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        insert = draw(st.sampled_from([
            b"!foo ", b"!!binary ", b"!!python/object/apply:os.system ", b"!!int ", b"!!set ", b"&a ", b"*a ",
            b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\x1b[31m", b"\t", b"\r", b"'", b'"', b"{", b"[",
            b"\n<<: 1\n", b"\n" + _billion_laughs(9).encode(), "\ufeff".encode(), b"[" * 5000,
        ]))
        data = data[:at] + insert + data[at:]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    return data


def yaml_text(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def json_text(doc: Any) -> str:
    return json.dumps(doc, indent=1)  # NaN and Infinity as Python writes them: hostile on purpose


# Cells an overlay CSV may hold: numbers of every kind a float() reads, wrong types, text with CSV's own
# special characters, and ordinary values.
CSV_CELLS = st.one_of(
    st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1", "-0", "0", "1e308", "9" * 400, "1_000",
                     "0x10", "", " ", "eight", "true", '"', '""', ",", "\n", "\r", "aws", "azure", "p5.48xlarge",
                     "us-west-2", "yes", "no"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=30),
)


@st.composite
def overlay_csv(draw: st.DrawFn, columns: list[str], keys: tuple[str, ...]) -> bytes:
    """A catalog overlay file: some of `columns` (the keys usually among them, now and then an unknown
    column or a missing key), a few rows of hostile cells, then maybe damaged as bytes."""
    header = list(keys) + draw(st.lists(st.sampled_from(columns), max_size=4, unique=True))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        header = draw(st.permutations(header))[1:] + [draw(st.sampled_from(["price", "gpus", "Cloud", ""]))]
    rows = draw(st.lists(st.lists(CSV_CELLS, min_size=len(header), max_size=len(header) + 1), max_size=5))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return draw(text_mutated(buffer.getvalue()))
