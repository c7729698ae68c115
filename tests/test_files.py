"""gpufleet.files: every hostile or broken file is refused with file, line or field path, and a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpufleet.errors import Problem, UserError
from gpufleet.files import (CONFIG_MAX_BYTES, load_json, load_plan_json, load_yaml, parse_json, read_text)

H = "test"


def problems(call, *args, **kwargs) -> list[Problem]:
    with pytest.raises(UserError) as caught:
        call(*args, heading=H, **kwargs)
    assert caught.value.heading == H
    return caught.value.problems


def write(tmp_path: Path, data: bytes | str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_core_schema_values_as_the_pulumi_cli_reads_them(tmp_path):
    path = write(tmp_path, "a: yes\nb: 017\nc: 0x1f\nd: 1:30\ne: true\nf: 2.5\ng: ~\nh: =\ni: 2001-12-14\n"
                           "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n")
    assert load_yaml(path, heading=H) == {"a": "yes", "b": 17, "c": 31, "d": "1:30", "e": True, "f": 2.5,
                                          "g": None, "h": "=", "i": "2001-12-14", "base": {"x": 1},
                                          "m": {"x": 1, "y": 2}}


def test_a_byte_that_is_not_utf8_is_named_with_line_and_column(tmp_path):
    path = write(tmp_path, b"config:\n  a: \"\xc3\x28\"\n")
    assert problems(load_yaml, path) == [Problem(f"{path}:2:7", "not UTF-8 text: byte 0xc3 (invalid continuation byte)")]


def test_byte_order_marks_are_read(tmp_path):
    assert load_yaml(write(tmp_path, "\ufeffa: 1\n".encode()), heading=H) == {"a": 1}
    assert load_json(write(tmp_path, '{"a": 1}'.encode("utf-16"), "f.json"), heading=H) == {"a": 1}


def test_a_character_yaml_forbids(tmp_path):
    path = write(tmp_path, b"a: 1\nb: \"\x00\"\n")
    assert problems(load_yaml, path) == [Problem(f"{path}:2:5", "invalid YAML: special characters are not allowed", "#x0000")]


def test_a_file_over_the_limit_is_refused_after_reading_the_limit(tmp_path):
    path = write(tmp_path, "a: " + "x" * CONFIG_MAX_BYTES)
    assert problems(read_text, path) == [Problem(str(path), "file is larger than the 1 MiB gpufleet reads")]
    assert problems(read_text, Path("/dev/zero"), what="stack file") == [
        Problem("/dev/zero", "stack file is larger than the 1 MiB gpufleet reads")]


def test_a_missing_file_and_a_directory(tmp_path):
    assert problems(read_text, tmp_path / "nope.yaml") == [
        Problem(str(tmp_path / "nope.yaml"), "cannot read file: No such file or directory")]
    assert problems(read_text, tmp_path, what="plan file") == [Problem(str(tmp_path), "cannot read plan file: Is a directory")]


def test_tags_outside_the_core_schema_and_scalars_that_are_not_what_their_tag_says(tmp_path):
    path = write(tmp_path, "a: !!binary aGVsbG8=\nb: !!python/object:os.system x\nc: !foo [1]\nd: !!int abc\n"
                           "e: !!bool maybe\nf: !!float x\ng: !!set {x}\n")
    core = ("!!str", "!!int", "!!float", "!!bool", "!!null", "!!seq", "!!map")
    assert problems(load_yaml, path) == [
        Problem(f"{path}:1:4: a", "unsupported YAML tag", "!!binary", core),
        Problem(f"{path}:2:4: b", "unsupported YAML tag", "!!python/object:os.system", core),
        Problem(f"{path}:3:4: c", "unsupported YAML tag", "!foo", core),
        Problem(f"{path}:4:4: d", "not an integer", "abc"),
        Problem(f"{path}:5:4: e", "not a boolean", "maybe", ("true", "false")),
        Problem(f"{path}:6:4: f", "not a number", "x"),
        Problem(f"{path}:7:4: g", "unsupported YAML tag", "!!set", core),
    ]


def test_numbers_that_are_not_finite_or_out_of_range_name_their_field(tmp_path):
    path = write(tmp_path, "budgets:\n  usd: .inf\n  co2: .nan\n  gpus: [1, 9007199254740993, -1e999]\n  n: "
                 + "9" * 5000 + "\n")
    out_of_range = "is out of range (numbers are limited to ±2^53 = ±9,007,199,254,740,992)"
    assert problems(load_yaml, path) == [
        Problem(f"{path}:2:8: budgets.usd", "must be a finite number", ".inf"),
        Problem(f"{path}:3:8: budgets.co2", "must be a finite number", ".nan"),
        Problem(f"{path}:4:13: budgets.gpus[1]", out_of_range, 9007199254740993),
        Problem(f"{path}:4:31: budgets.gpus[2]", "must be a finite number", "-1e999"),
        Problem(f"{path}:5:6: budgets.n", "is out of range (an integer too long to read)", "an integer of 5000 digits"),
    ]


def test_duplicate_keys_name_both_lines(tmp_path):
    path = write(tmp_path, "config:\n  k: 1\n  j: 2\n  k: 3\n")
    assert problems(load_yaml, path) == [Problem(f"{path}:2:3: config.k", "duplicate key (also on line 4)", "k")]


def test_billion_laughs_is_refused_before_it_is_expanded(tmp_path):
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 12))
    path = write(tmp_path, text)
    assert problems(load_yaml, path) == [Problem(f"{path}:6:5", "invalid YAML: aliases expand to more than 100,000 values")]


def test_aliases_that_nest_too_deep_when_expanded(tmp_path):
    path = write(tmp_path, "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 80)))
    assert problems(load_yaml, path) == [
        Problem(f"{path}:64:6", "invalid YAML: aliases expand to nesting deeper than 64 levels")]


def test_a_recursive_alias(tmp_path):
    path = write(tmp_path, "a: &a [1, *a]\n")
    assert problems(load_yaml, path) == [Problem(f"{path}:1:4", "invalid YAML: an alias refers to a node that contains it")]


def test_deep_nesting_is_refused_without_recursion(tmp_path):
    path = write(tmp_path, "a: " + "[" * 100_000 + "]" * 100_000)
    assert problems(load_yaml, path) == [Problem(f"{path}:1:67", "invalid YAML: nested deeper than 64 levels")]
    deep_json = write(tmp_path, "[" * 100_000 + "]" * 100_000, "f.json")
    assert problems(load_json, deep_json) == [Problem(str(deep_json), "nested deeper than 64 levels")]
    assert problems(load_json, write(tmp_path, "[" * 70 + "]" * 70, "g.json")) == [
        Problem(f"{tmp_path / 'g.json'}: " + "[0]" * 65, "nested deeper than 64 levels")]


def test_complex_keys_and_bad_merges(tmp_path):
    path = write(tmp_path, "? [a]\n: 1\n")
    assert problems(load_yaml, path) == [Problem(f"{path}:1:3", "a mapping key must be a plain scalar, not a list or mapping")]
    path = write(tmp_path, "a: {<<: 1}\n")
    assert problems(load_yaml, path) == [
        Problem(f"{path}:1:9", "invalid YAML: expected a mapping or list of mappings for merging, but found scalar")]


def test_json_refuses_nan_infinity_duplicates_and_unusable_numbers():
    assert problems(parse_json, '{"a": NaN}', "f.json") == [Problem("f.json", "invalid JSON: NaN is not a JSON number")]
    assert problems(parse_json, '{"a": 1, "b": 2, "a": 3}', "f.json") == [
        Problem("f.json", "duplicate key in a JSON object (which one counts is unclear)", "a")]
    assert problems(parse_json, '{"x": {"y": [1e999]}, "z": ' + "1" * 5000 + "}", "c", prefix=("gpufleet:fleet",)) == [
        Problem("c: gpufleet:fleet.x.y[0]", "must be a finite number", float("inf")),
        Problem("c: gpufleet:fleet.z", "is out of range (an integer too long to read)", "an integer of 5000 digits"),
    ]


def test_plans_keep_large_figures_for_the_report_to_judge_but_not_infinite_ones(tmp_path):
    assert load_plan_json(write(tmp_path, '{"usd": 1e26}', "p.json"), heading=H) == {"usd": 1e26}
    path = write(tmp_path, '{"usd": 1e999}', "q.json")
    assert problems(load_plan_json, path) == [Problem(f"{path}: usd", "must be a finite number", float("inf"))]
