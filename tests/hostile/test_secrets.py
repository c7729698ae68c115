"""Secrets stay secret: a secret instance type and region are priced and judged, and shown as [secret]
in the terminal, the JSON plan, policy messages and the report."""

from __future__ import annotations

import json
from pathlib import Path

from gpufleet.cli import main
from gpufleet.secrets import SECRET_MARK, SECRET_SIG, Redactor, secret_values

PROGRAM = Path(__file__).parent / "programs" / "secret_instance_type"
URN = "urn:pulumi:prod::secret-gpus::aws:ec2/instance:Instance::"
SECRETS = ("p5.48xlarge", "us-east-1")


def secret(value: object) -> dict:
    return {SECRET_SIG: SECRET_MARK, "value": value}


def test_secret_values_are_found_wherever_they_are_wrapped():
    inputs = {"instanceType": secret("p5.48xlarge"), "tags": {"team": "ml", "owner": secret({"name": "ana"})},
              "ports": [secret(443), 80], "plain": "us-west-2", "placeholder": secret("[secret]")}
    assert secret_values(inputs) == {"p5.48xlarge", "ana", "443"}


def test_a_secret_is_replaced_where_it_stands_as_a_whole_token():
    redactor = Redactor({"p5.48xlarge", "4"})
    assert redactor.text("4 × p5.48xlarge in us-east-1; p5.48xlarge-pool, 1.4 h, 40179.2 USD") == \
        "[secret] × [secret] in us-east-1; p5.48xlarge-pool, 1.4 h, 40179.2 USD"
    assert redactor.value({"p5.48xlarge": ["p5.48xlarge", 4, {"x": "4"}]}) == {"[secret]": ["[secret]", 4, {"x": "[secret]"}]}
    assert redactor.touches("[secret] nodes") and not redactor.touches("p5.48xlarge-pool")
    assert not Redactor() and Redactor().text("p5.48xlarge") == "p5.48xlarge"


def test_secret_type_and_region_are_priced_judged_and_never_shown(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    assert main(["preview", "prod", "--program", str(PROGRAM), "--json", str(plan)]) == 1  # judged: dirty grid
    terminal = capsys.readouterr().out
    text = plan.read_text()
    assert not any(s in terminal or s in text for s in SECRETS)
    # and their root volumes (the AMI's: no rootBlockDevice), in the secret region
    assert ("4 estimate(s) depend on a secret value, shown as [secret]: gpu-0, gpu-0.rootBlockDevice, gpu-1, "
            "gpu-1.rootBlockDevice") in " ".join(terminal.split())

    g = json.loads(text)["gpufleet"]
    assert g["totals"]["gpus"] == 16 and g["totals"]["monthly_usd"] == 80358.4  # priced all the same
    e = g["estimates"][URN + "gpu-0"]
    assert (e["region"], e["instance_type"], e["nodes"], e["gpus"], e["monthly_usd"], e["depends_on_secret"]) == (
        "[secret]", "[secret]", 1, 8, 40179.2, True)
    assert [(v["policy"], v["level"], v["urn"]) for v in g["violations"]] == [
        ("gpufleet-gpu-region-max-grid-intensity", "mandatory", URN + "gpu-0"),
        ("gpufleet-gpu-region-max-grid-intensity", "mandatory", URN + "gpu-1"),
        ("gpufleet-gpu-always-on-idle-waste", "advisory", URN + "gpu-0"),
        ("gpufleet-gpu-always-on-idle-waste", "advisory", URN + "gpu-1"),
    ]
    assert g["violations"][0]["message"].startswith(
        "gpu-0 puts 8 GPUs ([secret]) in aws [secret], whose grid emits 396.25 gCO2e/kWh (2023), over the limit "
        "of 300 gCO2e/kWh.")

    assert main(["report", str(plan)]) == 0
    report = capsys.readouterr().out
    assert "[secret]" in report and not any(s in report for s in SECRETS)
