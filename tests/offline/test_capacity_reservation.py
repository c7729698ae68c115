"""An On-Demand Capacity Reservation (`aws.ec2.CapacityReservation`) under the recording monitor: billed at
the On-Demand rate for every reserved instance, used or not; the part that capacity targeting it runs in
is priced where that capacity is declared, never twice (issue #14)."""

from pathlib import Path

from gpufleet.preview import preview

PROGRAM = Path(__file__).resolve().parent / "programs" / "aws_odcr"
ODCR = "urn:pulumi:dev::aws-odcr::aws:ec2/capacityReservation:CapacityReservation::h100-odcr"
NODES = "urn:pulumi:dev::aws-odcr::aws:eks/nodeGroup:NodeGroup::h100"
RATE = 55.04  # the fixture catalog's on-demand p5.48xlarge price in us-west-2


def test_the_reservation_is_recorded_and_its_unused_instance_priced_at_the_on_demand_rate_all_month():
    plan = preview(PROGRAM, "dev", policy_pack=None).to_json()
    reservation = next(s for s in plan["steps"] if s["urn"] == ODCR)
    assert reservation["newState"]["inputs"] == {
        "availabilityZone": "us-west-2a", "endDate": "2027-01-31T00:00:00Z", "endDateType": "limited",
        "instanceCount": 4, "instanceMatchCriteria": "targeted", "instancePlatform": "Linux/UNIX",
        "instanceType": "p5.48xlarge"}
    estimates = plan["gpufleet"]["estimates"]
    odcr = estimates[ODCR]
    assert {k: odcr[k] for k in ("region", "instance_type", "nodes", "capacity_type", "hours_per_month", "gpus",
                                 "price_kind", "monthly_usd")} == {
        "region": "us-west-2", "instance_type": "p5.48xlarge", "nodes": 1, "capacity_type": "reserved",
        "hours_per_month": 730.0, "gpus": 8, "price_kind": "on-demand", "monthly_usd": round(1 * RATE * 730, 2)}
    assert odcr["derivation"]["nodes"] == (
        "1 of 4 reserved instances unused: 3 run in it all month (h100 3), priced where they are declared")
    assert odcr["derivation"]["hours_per_month"] == (
        "730 h: a capacity reservation is billed every hour it exists, used or not (tags cannot lower it); it ends "
        "2027-01-31T00:00:00Z: a full month's rate while it exists (not prorated)")
    assert (estimates[NODES]["nodes"], estimates[NODES]["gpus"]) == (3, 24)
    # 4 reserved instances, 3 of them used: 4 × the rate, not 7 ×.
    assert plan["gpufleet"]["totals"]["gpus"] == 32
    assert plan["gpufleet"]["totals"]["monthly_usd"] == round(4 * RATE * 730, 2)
    # the nodes' root volumes: the launch template maps none, so they are the AMI's (size and type unknown)
    assert plan["gpufleet"]["unpriced"] == [f"{NODES}.launchTemplate.blockDeviceMappings"]
