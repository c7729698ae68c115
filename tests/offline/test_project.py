"""load_stack: the configuration a program sees, and every mistake reported with its file."""

from pathlib import Path

import pytest

from gpufleet.errors import Problem, UserError
from gpufleet.offline import StackSettings, load_stack, run_program

PROGRAMS = Path(__file__).resolve().parent / "programs"
CONFIG_DEMO = PROGRAMS / "config_demo"


@pytest.fixture
def tmp_project(tmp_path: Path) -> Path:
    """An empty project directory, as load_stack names it (symlinks resolved)."""
    return tmp_path.resolve()


def problems_of(project_dir: Path, stack: str) -> list[Problem]:
    with pytest.raises(UserError) as caught:
        load_stack(project_dir, stack)
    return caught.value.problems


def test_config_is_namespaced_and_stringified_as_the_language_host_does() -> None:
    assert load_stack(CONFIG_DEMO, "dev") == StackSettings(
        project="config-demo",
        project_dir=CONFIG_DEMO,
        stack="dev",
        config={
            "config-demo:replicas": "3",
            "config-demo:enablePublic": "yes",  # YAML 1.2, as the CLI reads it: not a boolean
            "config-demo:debug": "false",
            "config-demo:ratio": "0.50",  # scalars keep their text as written
            "config-demo:schedule": "1:30",  # not YAML 1.1's sexagesimal 90
            "config-demo:legacyName": "kept",
            "azure-native:location": "westeurope",
            "config-demo:sizes": "[1,2]",
            "config-demo:owner": '{"name":"ml-platform","token":"[secret]"}',
        },
        secret_keys=frozenset({"config-demo:owner"}),
        main=CONFIG_DEMO / "__main__.py",
        stack_file=CONFIG_DEMO / "stacks" / "Pulumi.dev.yaml",
    )


def test_the_program_reads_that_config_through_pulumi_config() -> None:
    run = run_program(load_stack(CONFIG_DEMO, "dev"))
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    assert run.outputs == {
        "replicas": 3.0,  # stack outputs travel as a protobuf Struct: every number is a float
        "enablePublic": "yes",
        "debug": False,
        "ratio": 0.5,
        "legacyName": "kept",
        "sizes": [1.0, 2.0],
        "owner": {**secret, "value": {"name": "ml-platform", "token": "[secret]"}},
        "location": "westeurope",
        "project": "config-demo",
        "stack": "dev",
    }


def test_a_qualified_stack_name_reads_the_short_stack_file() -> None:
    assert load_stack(CONFIG_DEMO, "acme/config-demo/prod").config == {"config-demo:replicas": "9"}


def test_a_missing_stack_lists_the_stacks_and_suggests_the_closest() -> None:
    assert problems_of(CONFIG_DEMO, "prdo") == [
        Problem(
            path=str(CONFIG_DEMO / "stacks" / "Pulumi.prdo.yaml"),
            message="no configuration for stack 'prdo'",
            allowed=("broken", "dev", "prod"),
            suggestion="prod",
        )
    ]


def test_broken_yaml_names_file_line_and_column() -> None:
    assert problems_of(CONFIG_DEMO, "broken") == [
        Problem(
            path=f"{CONFIG_DEMO / 'stacks' / 'Pulumi.broken.yaml'}:3:12",
            message="invalid YAML: mapping values are not allowed here",
        )
    ]


def test_a_missing_project_file(tmp_project: Path) -> None:
    assert problems_of(tmp_project, "dev") == [
        Problem(path=str(tmp_project / "Pulumi.yaml"), message="no Pulumi project here (Pulumi.yaml not found)")
    ]


def test_every_problem_in_the_project_file_at_once(tmp_project: Path) -> None:
    (tmp_project / "Pulumi.yaml").write_text("runtime: nodejs\nmain: 3\n")
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.yaml'}: name", message="the project name is required and must be a string"),
        Problem(
            path=f"{tmp_project / 'Pulumi.yaml'}: runtime",
            message="only Python programs can be previewed offline",
            value="nodejs",
            allowed=("python",),
        ),
        Problem(path=f"{tmp_project / 'Pulumi.yaml'}: main", message="must be a relative path string", value=3),
    ]


def test_config_that_is_not_a_mapping(tmp_project: Path) -> None:
    (tmp_project / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_project / "Pulumi.dev.yaml").write_text("config:\n  - aws:region\n")
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.dev.yaml'}: config", message="must be a mapping of keys to values", value="list")
    ]


def test_every_bad_key_at_once(tmp_project: Path) -> None:
    (tmp_project / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_project / "Pulumi.dev.yaml").write_text("config:\n  a:b:c: 1\n  p:x: 1\n  x: 2\n  'with space': 3\n")
    bad_key = "configuration keys must look like `name` or `namespace:name`"
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.dev.yaml'}: config", message=bad_key, value="a:b:c"),
        Problem(path=f"{tmp_project / 'Pulumi.dev.yaml'}: config.x", message="duplicate configuration key 'p:x'"),
        Problem(path=f"{tmp_project / 'Pulumi.dev.yaml'}: config", message=bad_key, value="with space"),
    ]


def test_main_may_name_a_directory(tmp_project: Path) -> None:
    (tmp_project / "Pulumi.yaml").write_text("name: p\nruntime:\n  name: python\nmain: src/\n")
    (tmp_project / "Pulumi.dev.yaml").write_text("")
    (tmp_project / "src").mkdir()
    (tmp_project / "src" / "__main__.py").write_text("")
    settings = load_stack(tmp_project, "dev")
    assert (settings.main, settings.config) == (tmp_project / "src" / "__main__.py", {})


def test_a_missing_entry_file(tmp_project: Path) -> None:
    (tmp_project / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: app.py\n")
    (tmp_project / "Pulumi.dev.yaml").write_text("config: {}\n")
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.yaml'}: main", message=f"program entry file not found: {tmp_project / 'app.py'}")
    ]


PROJECT_CONFIG = Path(__file__).resolve().parent / "programs" / "project_config"


def test_project_level_values_and_defaults_apply_unless_the_stack_sets_the_key() -> None:
    settings = load_stack(PROJECT_CONFIG, "dev")
    assert settings.config == {
        "aws:region": "eu-west-1",
        "project-config:instanceType": "p5.48xlarge",
        "project-config:nodeCount": "4",
        "project-config:owner": "ml-platform",
    }
    run = run_program(settings)
    assert run.outputs == {"instanceType": "p5.48xlarge", "nodeCount": 4.0, "owner": "ml-platform", "zone": "eu-west-1a"}


def test_a_stack_value_of_the_wrong_declared_type_is_a_configuration_error() -> None:
    with pytest.raises(UserError) as caught:
        load_stack(PROJECT_CONFIG, "bad")
    assert [(p.path, p.message, p.value) for p in caught.value.problems] == [(
        f"{PROJECT_CONFIG / 'Pulumi.bad.yaml'}: config.project-config:nodeCount",
        "must be of type 'integer' (declared in Pulumi.yaml)", "many")]


def test_number_and_boolean_keys_in_a_structured_value_become_strings_as_in_json(tmp_project: Path) -> None:
    # found by review14b's fuzzing: `1: x` beside `a: y` ended in an internal error (sorting mixed keys)
    (tmp_project / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_project / "__main__.py").write_text("")
    (tmp_project / "Pulumi.dev.yaml").write_text("config:\n  p:ports:\n    443: https\n    true: t\n    a: b\n")
    assert load_stack(tmp_project, "dev").config["p:ports"] == '{"443":"https","a":"b","true":"t"}'
    (tmp_project / "Pulumi.dev.yaml").write_text("config:\n  p:ports:\n    443: https\n    '443': http\n")
    assert problems_of(tmp_project, "dev") == [Problem(
        path=f"{tmp_project / 'Pulumi.dev.yaml'}:3", value="443",
        message="duplicate key in a configuration value once keys are strings (a number or boolean key and "
                "the same text as a string)")]


def test_a_project_name_the_pulumi_cli_refuses_is_refused_with_its_rule(tmp_project: Path) -> None:
    # pulumi/pulumi sdk/go/common/tokens/project.go ValidateProjectName: [A-Za-z0-9_.-], at most 100 bytes
    (tmp_project / "Pulumi.yaml").write_text('name: "my project!"\nruntime: python\n')
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.yaml'}: name", value="my project!", suggestion="my_project_",
                message="project names may only contain alphanumerics, hyphens, underscores, and periods, as the "
                        "Pulumi CLI requires")]
    (tmp_project / "Pulumi.yaml").write_text('name: "gpu/fleet\\u00fc"\nruntime: python\n')
    assert problems_of(tmp_project, "dev")[0].suggestion == "gpu_fleet__"  # per byte, as the CLI's IntoQName
    (tmp_project / "Pulumi.yaml").write_text(f"name: {'a' * 101}\nruntime: python\n")
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.yaml'}: name", value="a" * 101,
                message="project names are limited to 100 characters, as the Pulumi CLI requires")]
    (tmp_project / "Pulumi.yaml").write_text(f"name: {'é' * 60}\nruntime: python\n")
    assert problems_of(tmp_project, "dev") == [
        Problem(path=f"{tmp_project / 'Pulumi.yaml'}: name", value="é" * 60,
                message="project names are limited to 100 characters, as the Pulumi CLI requires (it counts bytes "
                        "in UTF-8: this name has 120)")]


def test_project_names_the_pulumi_cli_accepts_are_accepted(tmp_project: Path) -> None:
    for name in ("9lives", "a" * 100, "-x", ".hidden", "my_project-2.0"):
        (tmp_project / "Pulumi.yaml").write_text(f"name: '{name}'\nruntime: python\n")
        assert not any(p.path.endswith(": name") for p in problems_of(tmp_project, "dev")), name
