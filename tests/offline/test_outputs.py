"""The stack's outputs, shown as `pulumi preview` shows them under "Outputs:" for a new stack
(pulumi/pulumi pkg/backend/display/object_diff.go), and in the plan's `gpufleet.outputs`."""

import json
from pathlib import Path

from gpufleet.cli import main
from gpufleet.offline.outputs import output_lines
from gpufleet.preview import preview
from gpufleet.report.plans import read_plan

PROGRAMS = Path(__file__).resolve().parent / "programs"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2"}


def test_outputs_are_shown_last_line_for_line_as_pulumi_preview_shows_them(summary) -> None:
    lines = summary("exports")
    assert lines[lines.index("Policies: not run (--no-policies)"):] == [
        "Policies: not run (--no-policies)",
        "Outputs:",
        "    dbPassword  : [secret]",  # a `secure:` config value: never its ciphertext, never a placeholder
        '    instanceType: "g6.xlarge"',
        "    ip          : [unknown]",  # the address of an instance being created
        "    nodes       : {",
        "        count: 2",
        "        id   : [unknown]",
        "        note : <null>",
        "        ratio: 0.5",
        "        spot : false",
        "        tags : {}",
        "        zones: [",
        '            [0]: "eu-north-1a"',
        '            [1]: "eu-north-1b"',
        "        ]",
        "    }",
        "    policy      : (json) {",  # JSON text is shown decoded, as the CLI does
        "        Statement: []",
        '        Version  : "2012-10-17"',
        "    }",
        "",  # the CLI ends the decoded value's line and then its own
        '    quoted      : "say \\"hi\\"\\tthen\\nleave \\u202e"',  # Go's %q: one line, no control character
        "    summary     : [unknown]",
        "    token       : [secret]"]  # Output.secret: not shown either
    # "" and [] are left out, as the CLI leaves them out; None never reaches the engine
    assert not any(line.lstrip().startswith(("empty", "none", "nothing")) for line in lines)
    assert not any("hunter2" in line or "CIPHERTEXT" in line or "not-shown-either" in line for line in lines)


def test_the_plan_has_the_outputs_with_secrets_hidden_and_unknowns_as_the_engine_sends_them() -> None:
    plan = preview(PROGRAMS / "exports", "dev", policy_pack=None).to_json()
    assert plan["gpufleet"]["outputs"] == {
        "dbPassword": "[secret]", "empty": "", "instanceType": "g6.xlarge", "ip": UNKNOWN,
        "nodes": {"count": 2, "id": UNKNOWN, "note": None, "ratio": 0.5, "spot": False, "tags": {},
                  "zones": ["eu-north-1a", "eu-north-1b"]},
        "none": [], "policy": '{"Version": "2012-10-17", "Statement": []}', "quoted": 'say "hi"\tthen\nleave \u202e',
        "summary": UNKNOWN, "token": "[secret]"}
    # `pulumi preview --json` has no outputs in its steps (its JSON display skips the outputs event): nor has ours
    stack = next(s for s in plan["steps"] if s["newState"]["type"] == "pulumi:pulumi:Stack")
    assert "outputs" not in stack["newState"]


def test_a_program_without_exports_has_no_outputs_section(summary) -> None:
    lines = summary("logs_an_error")
    assert "Outputs:" not in lines
    assert lines[-1] == "Policies: not run (--no-policies)"


def test_numbers_are_printed_as_go_prints_them() -> None:
    assert output_lines({"a": 8.0, "b": 1e21, "c": 0.1, "d": 1234567.5, "e": 1e-05, "f": -2.5, "g": 0.0001,
                         "h": float("inf")}) == [
        "    a: 8", "    b: 1000000000000000000000", "    c: 0.1", "    d: 1.2345675e+06", "    e: 1e-05",
        "    f: -2.5", "    g: 0.0001", "    h: +Inf"]


def test_strings_are_quoted_as_go_quotes_them() -> None:
    assert output_lines({"s": 'a"b\\c\x01\x7f\x85é中\U0001F600\u200b'}) == [
        '    s: "a\\"b\\\\c\\x01\\x7f\\u0085é中\U0001F600\\u200b"']


def test_names_are_padded_to_the_longest_and_internal_and_empty_ones_left_out() -> None:
    assert output_lines({"__internal": "x", "a": "", "bb": [], "ccc": {}, "d": "x"}) == [
        '    d         : "x"']  # the width counts every name, as the CLI's maxKey does
    assert output_lines({}) == []
    assert output_lines({"gone": None, "empty": ""}) == []


def test_secrets_and_unknowns_inside_values_and_resource_references() -> None:
    ref = {"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e",
           "urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", "id": UNKNOWN, "packageVersion": "7.51.1"}
    assert output_lines({"list": [SECRET, UNKNOWN, [], None, True], "bucket": ref}) == [
        "    bucket: {",
        '        URN: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b"',
        "        ID : [unknown]",
        '        PackageVersion: "7.51.1"',
        "    }",
        "    list  : [",
        "        [0]: [secret]",
        "        [1]: [unknown]",
        "        [2]: []",
        "        [3]: <null>",
        "        [4]: true",
        "    ]"]


def test_yaml_text_that_spans_lines_is_shown_decoded_and_one_line_text_is_not() -> None:
    assert output_lines({"k": "apiVersion: v1\nclusters:\n- name: c\n", "one": "a: b", "num": "12"}) == [
        "    k  : (yaml) {",
        '        apiVersion: "v1"',
        "        clusters  : [",
        "            [0]: {",
        '                name: "c"',
        "            }",
        "        ]",
        "    }",
        "",
        '    num: "12"',  # JSON, but not a list or a mapping: shown as the text it is
        '    one: "a: b"']


def test_json_text_nested_past_the_shown_depth_is_shown_as_text_not_an_internal_error() -> None:
    # 900 levels of JSON text (which the program's json.dumps writes) stopped the preview with a RecursionError
    deep = "[" * 900 + "1" + "]" * 900
    assert output_lines({"deep": deep}) == [f"    deep: \"{deep}\""]
    at_limit = "[" * 99 + "]" * 99  # 99 levels under the output's own level: shown decoded, as the CLI shows it
    lines = output_lines({"k": at_limit})
    assert lines[0] == "    k: (json) [" and lines[98] == "    " * 99 + "[0]: []" and len(lines) == 198
    assert output_lines({"k": "[" + at_limit + "]"}) == [f"    k: \"[{at_limit}]\""]

def test_an_output_named_in_additional_secret_outputs_is_a_secret_as_the_engine_returns_it(summary) -> None:
    # The input is plain; the engine marks the output secret, and whatever is derived from it stays secret.
    lines = summary("additional_secret_outputs")
    assert lines[lines.index("Outputs:"):] == [
        "Outputs:",
        "    plainTags: {",
        '        team: "ml"',
        "    }",
        "    tags     : [secret]",
        "    token    : [secret]"]
    plan = preview(PROGRAMS / "additional_secret_outputs", "dev", policy_pack=None).to_json()
    assert plan["gpufleet"]["outputs"] == {"plainTags": {"team": "ml"}, "tags": "[secret]", "token": "[secret]"}


def test_hostile_text_in_outputs_is_shown_as_text_never_a_hang_or_a_crash() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(  # 9^10 values once its aliases are expanded
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefghi", "bcdefghij"))
    deep_json = "[" * 100_000 + "]" * 100_000  # its decoder's C code would overflow the stack
    lines = output_lines({"bomb": bomb, "deep": deep_json, "recursive": "a: &a\n  b: *a\n"})
    assert lines == [f"    bomb     : {json.dumps(bomb)}", f"    deep     : \"{deep_json}\"",
                     '    recursive: "a: &a\\n  b: *a\\n"']


def test_values_nested_thousands_of_levels_deep_are_printed_whole() -> None:
    value: object = "leaf"
    for _ in range(3000):
        value = {"a": value}
    lines = output_lines({"deep": value})
    assert (len(lines), lines[0], lines[3000], lines[-1]) == (6001, "    deep: {", " " * 12004 + 'a: "leaf"', "    }")


def test_yaml_is_read_as_the_cli_reads_it_yaml_1_2_with_keys_that_are_numbers_as_text() -> None:
    assert output_lines({"k": "yes: no\n1: 2024-01-01\n"}) == [
        "    k: (yaml) {", "        1  : \"2024-01-01\"", '        yes: "no"', "    }", ""]
    assert output_lines({"k": "true: x\nb: y\n"}) == ['    k: "true: x\\nb: y\\n"']  # a boolean key: not decoded


def test_an_output_deeper_than_a_plan_file_holds_is_said_so_in_the_plan_and_shown_whole_in_the_terminal(
        tmp_path, summary) -> None:
    program = tmp_path / "deep"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: deep\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text(
        "import pulumi\nv = 'leaf'\nfor _ in range(1500):\n    v = {'a': v}\n"
        "pulumi.export('deep', v)\npulumi.export('fits', [[['x']]])\n")
    plan = preview(program, "dev", policy_pack=None).to_json()["gpufleet"]["outputs"]
    # it was exit 4 (RecursionError) whatever the command's options
    assert plan == {"deep": "(nested 1,500 levels deep: deeper than a plan file holds (125); shown in full by the "
                            "terminal)", "fits": [[["x"]]]}
    written = tmp_path / "plan.json"
    assert main(["preview", "dev", "--program", str(program), "--no-policies", "--json", str(written)]) == 0
    assert read_plan(written).stack == "dev"  # a plan gpufleet writes, gpufleet reads
    lines = summary(str(program))
    assert lines[lines.index("Outputs:") + 1:][:2] == ["    deep: {", "        a: {"]
    assert lines[-7:] == ["    fits: [", "        [0]: [", "            [0]: [", '                [0]: "x"',
                          "            ]", "        ]", "    ]"]


def _program(tmp_path: Path, body: str) -> Path:
    program = tmp_path / "numbers"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: numbers\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text(body)
    return program


def test_a_number_that_is_not_finite_is_the_programs_failure_when_policies_run_not_an_internal_error(
        tmp_path, capsys) -> None:
    # pulumi_policy turns properties into JSON, which has no inf or NaN: the pack failed, and that was exit 4
    program = _program(tmp_path, "import pulumi\npulumi.export('ok', 1.5)\npulumi.export('limits', {'max': [2, float('inf')]})\n")
    for options in ([], ["--fast-policies"]):
        assert main(["preview", "dev", "--program", str(program), *options]) == 3
        assert capsys.readouterr().err == (
            "error: the Pulumi program failed: pulumi:pulumi:Stack 'numbers-dev': output limits.max[1] is not a finite "
            "number (inf or NaN), which a policy pack cannot read (JSON has none; `pulumi preview --policy-pack` fails "
            "on it too): make it a finite number or a string, or preview with --no-policies\n")
    assert main(["preview", "dev", "--program", str(program), "--no-policies"]) == 0  # as the CLI without a pack
    capsys.readouterr()
    # nor can a plan file hold it (Python's json wrote `Infinity`, which JSON readers refuse): said, not written
    written = tmp_path / "plan.json"
    assert main(["preview", "dev", "--program", str(program), "--no-policies", "--json", str(written)]) == 3
    assert capsys.readouterr().err == (
        "error: the Pulumi program failed: the plan's gpufleet.outputs.limits.max[1] is not a finite number (inf or "
        "NaN), which a plan file cannot hold (JSON has none; `pulumi preview --json` fails on it too): make it a "
        "finite number or a string, or preview without --json\n")
    assert not written.exists()


def test_a_resource_input_that_is_not_finite_is_named_by_resource_and_path_and_a_secret_one_too(tmp_path, capsys) -> None:
    program = _program(tmp_path, (
        "import pulumi\nimport pulumi_aws as aws\n"
        "aws.cloudwatch.MetricAlarm('busy', comparison_operator='GreaterThanThreshold', evaluation_periods=1,\n"
        "                           threshold=pulumi.Output.secret(float('nan')))\n"))
    assert main(["preview", "dev", "--program", str(program), "--fast-policies"]) == 3
    # the whole message: where, never the (secret) value itself
    assert capsys.readouterr().err == (
        "error: the Pulumi program failed: aws:cloudwatch/metricAlarm:MetricAlarm 'busy': input threshold is not a "
        "finite number (inf or NaN), which a policy pack cannot read (JSON has none; `pulumi preview --policy-pack` "
        "fails on it too): make it a finite number or a string, or preview with --no-policies\n")


def test_an_input_deeper_than_a_plan_file_holds_is_the_programs_failure_not_an_internal_error(tmp_path, capsys) -> None:
    # reading it after the run overflowed Python's stack: exit 4 (RecursionError) from 500 levels on
    def program(levels: int, secret: bool = False) -> Path:
        folder = tmp_path / f"deep{levels}{'s' if secret else ''}"
        folder.mkdir()
        (folder / "Pulumi.yaml").write_text("name: deep\nruntime: python\n")
        (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
        (folder / "__main__.py").write_text(
            f"import pulumi\nimport pulumi_aws as aws\nv = {{'Version': '2012-10-17'}}\nfor _ in range({levels - 1}):\n"
            f"    v = {{'a': v}}\naws.iam.Policy('p', policy={'pulumi.Output.secret(v)' if secret else 'v'})\n")
        return folder

    for levels in (124, 3000):
        assert main(["preview", "dev", "--program", str(program(levels)), "--no-policies"]) == 3
        assert capsys.readouterr().err == (
            f"error: the Pulumi program failed: aws:iam/policy:Policy 'p': input 'policy' nests {levels:,} levels "
            "deep, deeper than a plan file holds (123); policy documents and manifests nest a few: flatten it, or "
            "pass it as a JSON string\n")
    written = tmp_path / "plan.json"
    assert main(["preview", "dev", "--program", str(program(123)), "--no-policies", "--json", str(written)]) == 0
    assert read_plan(written).stack == "dev"  # the deepest a plan holds: gpufleet writes it, gpufleet reads it
    # a secret's wrapper is not a level (the plan shows the secret as one string): it was refused at 123
    assert main(["preview", "dev", "--program", str(program(123, secret=True)), "--no-policies"]) == 0
