"""Offline answers to the GCP lookups programs commonly make, registered by the GCP adapter: derived
from the lookup's arguments and the provider's configuration only, the same on every run."""

import dataclasses
import json
import warnings

import pulumi
import pulumi_gcp as gcp
import pytest

from gpufleet.offline import record
from gpufleet.offline.runner import ProgramError

# pulumi-gcp warns about its own deprecated resources when a submodule loads; load them first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    gcp.compute.get_zones, gcp.organizations.get_project, gcp.organizations.get_iam_policy  # noqa: B018 - lazily loaded: an attribute runs the import

CONFIG = {"gcp:project": "ml-platform-prod", "gcp:region": "europe-west4", "gcp:zone": "europe-west4-b"}


def lookups():
    config = gcp.organizations.get_client_config()
    project = gcp.organizations.get_project()
    zones = gcp.compute.get_zones()
    account = gcp.compute.get_default_service_account()
    image = gcp.compute.get_image(family="cos-stable", project="cos-cloud")
    network = gcp.compute.get_network(name="default")
    subnet = gcp.compute.get_subnetwork(name="default", region="us-east4")
    pulumi.export("answers", {
        "config": [config.project, config.region, config.zone],
        "project": [project.project_id, project.number, project.name],
        "zones": zones.names,
        "account": [account.email, account.member],
        "image": [image.name, image.self_link, image.family],
        "network": [network.id, network.self_link],
        "subnet": [subnet.id, subnet.region],
    })


def test_common_gcp_lookups_are_answered_offline_and_stably():
    first = record(lookups, config=CONFIG).outputs["answers"]
    assert first == record(lookups, config=CONFIG).outputs["answers"]
    number = first["project"][1]
    assert len(number) == 12 and number.isdigit()
    assert first == {
        "config": ["ml-platform-prod", "europe-west4", "europe-west4-b"],
        "project": ["ml-platform-prod", number, "ml-platform-prod"],
        "zones": ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
        "account": [f"{number}-compute@developer.gserviceaccount.com",
                    f"serviceAccount:{number}-compute@developer.gserviceaccount.com"],
        "image": ["cos-stable-offline", "https://www.googleapis.com/compute/v1/projects/cos-cloud/global/images/"
                  "cos-stable-offline", "cos-stable"],
        "network": ["projects/ml-platform-prod/global/networks/default",
                    "https://www.googleapis.com/compute/v1/projects/ml-platform-prod/global/networks/default"],
        "subnet": ["projects/ml-platform-prod/regions/us-east4/subnetworks/default", "us-east4"],
    }


def test_a_lookup_that_needs_a_project_names_the_setting_to_add():
    with pytest.raises(ProgramError, match=r"offline preview cannot answer invoke 'gcp:compute/getZones:getZones': "
                                           r"gcp:compute/getZones:getZones needs the GCP provider's project: set "
                                           r"`gcp:project` in the stack configuration, or pass it to the lookup"):
        record(lambda: gcp.compute.get_zones(region="us-east4"), config={})


def test_the_client_config_without_a_project_names_the_setting_instead_of_answering_none():
    # A GpuCluster builds its workload pool from this project: None would preview as "None.svc.id.goog".
    with pytest.raises(ProgramError, match=r"offline preview cannot answer invoke "
                                           r"'gcp:organizations/getClientConfig:getClientConfig': "
                                           r"gcp:organizations/getClientConfig:getClientConfig needs the GCP "
                                           r"provider's project: set `gcp:project` in the stack configuration"):
        record(lambda: gcp.organizations.get_client_config(), config={"gcp:region": "us-east4"})


def test_an_iam_policy_document_is_computed_from_its_bindings_so_policies_see_public_members():
    def program():
        policy = gcp.organizations.get_iam_policy(bindings=[
            {"role": "roles/storage.objectViewer", "members": ["user:b@example.com", "allUsers"]},
            {"role": "roles/storage.admin", "members": ["group:ops@example.com"]}])
        pulumi.export("policy", policy.policy_data)
    outputs = record(program, config=CONFIG).outputs
    assert json.loads(outputs["policy"]) == {"bindings": [
        {"members": ["group:ops@example.com"], "role": "roles/storage.admin"},
        {"members": ["allUsers", "user:b@example.com"], "role": "roles/storage.objectViewer"}]}


def _project_dir(tmp_path, config: dict) -> str:
    (tmp_path / "Pulumi.yaml").write_text("name: gcp-lookups\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(json.dumps({"config": config}))
    (tmp_path / "__main__.py").write_text(
        "import pulumi, pulumi_gcp as gcp\n"
        "zones = gcp.compute.get_zones(region='us-east4', project='named-in-the-call')\n"
        "pulumi.export('zones', zones.names)\n"
        "pulumi.export('pool', f'{gcp.organizations.get_client_config().project}.svc.id.goog')\n")
    return str(tmp_path)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_preview_without_gcp_project_is_a_configuration_error_naming_it(tmp_path, capsys):
    from gpufleet.cli import main

    assert main(["preview", "dev", "--program", _project_dir(tmp_path, {"gcp:region": "us-east4"}),
                 "--no-policies"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the stack configuration lacks gcp:project: __main__.py:4: offline preview cannot "
                          "answer invoke 'gcp:organizations/getClientConfig:getClientConfig': "), err


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_gpufleets_own_gcp_stack_without_a_project_names_the_setting_and_its_file_never_gpufleets_code(
        capsys, monkeypatch):
    """The repository's gcp-staging stack with its `gcp:project` left out: the error pointed at
    gpufleet/offline/runner.py:784, a file of gpufleet's own (the repository, the project, holds the package)."""
    from pathlib import Path

    from gpufleet import preview as preview_module
    from gpufleet.cli import main
    from gpufleet.clouds.gcp.facts import PROJECT_ENVIRONMENT

    for variable in PROJECT_ENVIRONMENT:  # the provider would take the project from there
        monkeypatch.delenv(variable, raising=False)
    load_stack = preview_module.load_stack

    def without_the_project(program_dir, stack):
        settings = load_stack(program_dir, stack)
        return dataclasses.replace(settings, config={k: v for k, v in settings.config.items() if k != "gcp:project"})

    monkeypatch.setattr(preview_module, "load_stack", without_the_project)
    repo = Path(__file__).resolve().parents[1]
    assert main(["preview", "gcp-staging", "--program", str(repo), "--no-policies"]) == 2
    line = next(n for n, text in enumerate((repo / "__main__.py").read_text().splitlines(), 1)
                if "declare_fleet(" in text and "=" in text)  # where the program declares the clusters
    assert capsys.readouterr().err == (
        f"error: the stack configuration lacks gcp:project: __main__.py:{line}: offline preview cannot answer invoke "
        "'gcp:organizations/getClientConfig:getClientConfig': gcp:organizations/getClientConfig:getClientConfig needs "
        "the GCP provider's project: set `gcp:project` in the stack configuration, or pass it to the lookup (in "
        "stacks/Pulumi.gcp-staging.yaml under `config:`, or with `pulumi config set gcp:project <value> --stack "
        "gcp-staging`)\n")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_program_that_does_not_need_the_project_previews_without_it(tmp_path):
    # The same lookups, the project given where they need it: nothing asks for `gcp:project`.
    project = tmp_path / "p"
    project.mkdir()
    _project_dir(project, {"gcp:region": "us-east4"})
    (project / "__main__.py").write_text(
        "import pulumi, pulumi_gcp as gcp\n"
        "zones = gcp.compute.get_zones(region='us-east4', project='named-in-the-call')\n"
        "pulumi.export('zones', zones.names)\n")
    from gpufleet.cli import main

    plan = tmp_path / "plan.json"
    assert main(["preview", "dev", "--program", str(project), "--no-policies", "--json", str(plan)]) == 0
    assert json.loads(plan.read_text())["gpufleet"]["lookups"] == {
        "gcp:compute/getZones:getZones": "plausible offline answer"}
