"""Findings of an independent new user's review (review6): programs written as users copy them from the
providers' registry docs, previewed as the README says, with what `pulumi preview` would show."""

from pathlib import Path

from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"


def test_what_the_program_logs_is_shown_as_pulumi_preview_shows_its_diagnostics(summary) -> None:
    lines = summary("logs_an_error")  # exit 0: an error the program logs does not fail a preview (pulumi#5085)
    at = lines.index("Diagnostics (the program's log): 3 message(s)")
    assert lines[at:at + 5] == [
        "Diagnostics (the program's log): 3 message(s)",
        "  info: sizing for 1 GPU",
        "  warning: no gpufleet-hours-per-month tag: assuming always on",
        "  error: quota request \\u001b[31mnot approved\\u001b[0m for g6 in eu-north-1",  # escaped, never a colour
        "Policies: not run (--no-policies)"]


def test_capacity_whose_instance_type_is_unknown_at_preview_has_unknown_gpus_never_none(summary) -> None:
    lines = summary("unknown_instance_type")
    assert "No GPU capacity in this plan." not in lines  # what it said, with "Total: 0 GPUs"
    assert lines[lines.index("GPU capacity (monthly)") - 2:lines.index("GPU capacity (monthly)") + 4] == [
        "GPU capacity of unknown size: 3 resource(s) whose GPU count is not known: gpu (instance type unknown in aws "
        "us-east-1), dyn (instance type unknown in aws us-east-1), asg (instance type unknown in aws us-east-1); the GPU",
        "totals leave them out.",
        "GPU capacity (monthly)",
        "where           instance type   capacity      nodes      GPUs       USD       kWh    kgCO2e",
        "───────────────────────────────────────────────────────────────────────────────────────────",
        "aws us-east-1   unknown         on-demand   unknown   unknown   unknown   unknown   unknown"]
    assert next(line for line in lines if line.startswith("Total:")).startswith(
        "Total: unknown GPUs · unknown USD/month · unknown kWh/month")
    plan = preview(PROGRAMS / "unknown_instance_type", "dev", policy_pack=None).to_json()["gpufleet"]["estimates"]
    urn = "urn:pulumi:dev::unknown-instance-type::"
    assert {name: (e["nodes"], e["gpus"], e["derivation"]["gpus"], e["derivation"].get("nodes"))
            for name, e in ((u.removeprefix(urn), e) for u, e in plan.items()) if "gpus" in e["derivation"]} == {
        "aws:eks/nodeGroup:NodeGroup::gpu": (None, None, "unknown: instance type not known at preview (GPUs per node) × "
                                            "a node count not known at preview", "desired size of the node group"),
        "aws:ec2/instance:Instance::dyn": (1, None, "unknown: instance type not known at preview (GPUs per node)", None),
        # its desired capacity is set, to another stack's value: not its minimum (it said "no desired capacity set")
        "aws:autoscaling/group:Group::asg": (None, None, "unknown: instance type not known at preview (GPUs per node) × "
                                             "a node count not known at preview", "desired capacity not known at preview")}


def test_volume_and_address_attachments_are_known_free_so_the_plan_is_complete() -> None:
    plan = preview(PROGRAMS / "volume_attachments", "dev", policy_pack=None).to_json()["gpufleet"]
    # they were "not assessed: gpufleet does not know this resource type", so no total was ever complete
    # priced: the instance, its declared root volume, the data volume, the address
    assert plan["assessment"] == {"priced": 4, "unpriced": 0, "free": 4, "not_assessed": 0, "complete": True,
                                  "not_assessed_types": {}, "not_expanded": {}}
    # 587.50 g6.xlarge + 0.64 its 8 GiB gp3 root (8 × 0.08) + 8.00 100 GiB gp3 + 3.65 the address
    assert plan["totals"]["monthly_usd"] == 599.79


def test_a_managed_instance_groups_autoscaler_is_known_free() -> None:
    plan = preview(PROGRAMS / "mig_autoscaler", "dev", policy_pack=None).to_json()["gpufleet"]
    # it was {"gcp:compute/regionAutoscaler:RegionAutoscaler": 1}: "not assessed", so the plan never complete
    assert (plan["assessment"]["not_assessed"], plan["assessment"]["not_assessed_types"]) == (0, {})
    assert plan["totals"]["gpus"] == 6  # 3 × a2-highgpu-2g


def test_a_money_total_that_leaves_out_a_resource_not_assessed_says_partial(summary) -> None:
    total = next(line for line in summary("beside_not_assessed") if line.startswith("Total:"))
    # it read "588.14 USD/month ·" (only the INCOMPLETE note at the end said so), while `gpufleet report` of the
    # same plan says "(partial)"; energy and carbon are those of capacity and storage only, so they stay whole
    assert total == ("Total: 1 GPU · 588.14 USD/month (partial) · 77 kWh/month · 30.6 kgCO2e/month operational + "
                     "1.0 kgCO2e/month embodied (INCOMPLETE: known items only; 1 not assessed below)")
