"""The catalog keeps every reference row, its provenance, and unknowns as None."""

import csv
from fractions import Fraction
from pathlib import Path

import pytest

from catalog_fixture import shipped_data_dir

from gpufleet.catalog import load as catalog_load
from gpufleet.catalog.load import CatalogDataError, load_catalog_from

# The catalog's own tests check the shipped data (or a stand-in for it: tests/test_catalog_split.py).
DATA_DIR = shipped_data_dir()

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog_from(DATA_DIR)


def _count(path: Path) -> int:
    with path.open(newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_every_reference_row_is_kept(catalog):
    """The reference rows, plus the per-cloud supplements beside them (regions.oci.csv, ...)."""
    assert _count(DATA_DIR / "regions.csv") == 68
    assert len(catalog.regions) == 68 + 6 + 9  # oci, coreweave
    assert _count(DATA_DIR / "instance_types.csv") == 36
    assert len(catalog.instance_types) == 36 + 5 + 5 + 32 + 13 + 15  # oci, coreweave; aws, azure, gcp types counted
    assert _count(DATA_DIR / "offers.csv") == 290
    assert len(catalog.offers) == 290 + 30 + 16 + 8 + 64 + 25  # oci, coreweave, aws (g6e.12xlarge; g5/g6/g4dn), gcp (g2, a2-highgpu-2g)
    assert {c for c, _ in catalog.regions} == {"aws", "azure", "gcp", "oci", "coreweave"}


def test_hybrid_cloud_rows_carry_their_sources(catalog):
    r = catalog.region("oci", "us-ashburn-1")
    assert (r.grid_gco2e_per_kwh, r.grid_year, r.pue, r.pue_year, r.country) == (396.25, "2023", 1.56, "2024", "US")
    assert "US-MIDA-PJM" in r.grid_source and "FALLBACK" in r.pue_source and "Uptime Institute" in r.pue_source
    assert catalog.region("oci", "us-phoenix-1").grid_gco2e_per_kwh is None  # no zone with a value: unknown
    cw = catalog.region("coreweave", "US-EAST-04")
    assert (cw.grid_gco2e_per_kwh, cw.latitude, cw.longitude) == (396.25, None, None)
    h100 = catalog.instance_type("BM.GPU.H100.8")
    assert (h100.cloud, h100.gpu_model, h100.gpu_count, h100.vcpus, h100.memory_gib, h100.interconnect,
            h100.gpu_tdp_watts) == ("oci", "H100", 8, 224, 2048, "RDMA", 700)
    assert catalog.offer("oci", "BM.GPU.H100.8", "uk-london-1").usd_per_hour == 80.0
    offer = catalog.offer("coreweave", "gd-8xh100ib-i128", "US-EAST-04")
    assert offer.usd_per_hour == 49.24 and "coreweave.com/pricing" in offer.price_source
    assert catalog.offer("coreweave", "b200-8x", "US-EAST-04") is None  # not listed in that zone


# Reference columns gpufleet corrected, row by row (data/SOURCES.md, "Corrections"): everything else is verbatim.
CORRECTED = {
    "offers.csv": lambda row: {"source"} if row["cloud"] == "gcp" else set(),  # the prices are S7's
    "regions.csv": lambda row: {"pue_year"} if "DatacenterDynamics Dec-2024" in row["pue_source"] else set(),
    "instance_types.csv": lambda row: {"tdp_source"} if row["gpu_model"] in ("H100", "L40S") else set(),
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/ reference data not beside this checkout")
@pytest.mark.parametrize("ours, theirs", [("regions.csv", "regions.csv"), ("instance_types.csv", "gpu_skus.csv"),
                                          ("offers.csv", "sku_regions.csv")])
def test_data_files_keep_the_reference_but_its_documented_corrections(ours, theirs):
    mine, reference = _rows(DATA_DIR / ours), _rows(REFERENCE / theirs)
    assert len(mine) == len(reference)
    for row, ref in zip(mine, reference):
        changed = {k for k in ref if row[k] != ref[k]}
        assert changed == CORRECTED[ours](ref) & changed, (ours, ref)


def test_common_gpu_sizes_carry_their_prices_and_sources(catalog):
    """Read row by row from S4 and S7 (SOURCES.md, "Common GPU sizes priced"): programs of other teams use these."""
    offers = {(o.cloud, o.instance_type, o.region): o for o in catalog.offers}
    s4 = "skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv @00148f2a"
    for key, price in [(("aws", "g5.2xlarge", "us-east-1"), 1.212), (("aws", "g5.48xlarge", "eu-central-1"), 20.3681),
                       (("aws", "g6.12xlarge", "eu-central-1"), 5.75429), (("aws", "g4dn.8xlarge", "eu-west-1"), 2.426)]:
        offer = offers[key]
        assert (offer.usd_per_hour, offer.price_source, offer.list_complete) == (price, s4, "no"), key
    assert ("aws", "g6.4xlarge", "eu-west-1") not in offers  # S4 has no such row: unknown, not borrowed
    g2 = offers["gcp", "g2-standard-8", "us-central1"]  # 0.853624271 in S7 @0166a59e, rounded like the S7 rows
    assert (g2.usd_per_hour, g2.price_date[:10]) == (0.85362, "2025-03-06")
    assert g2.price_source.startswith("Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml @0166a59e")
    assert offers["gcp", "a2-highgpu-2g", "europe-west4"].usd_per_hour == 7.49594
    assert ("gcp", "a2-highgpu-2g", "us-east4") not in offers  # S5 lists no A100 host there


def test_blob_hot_prices_in_eastus_carry_their_meter_and_date_and_no_other_region_borrows_them(catalog):
    """SOURCES.md, "Azure Blob Hot in eastus": Azure Retail Prices API rows, identified by meterId, as saved in
    public copies (2026-10-03; the LRS price also read 2026-09-25 and 2026-08-10)."""
    price = catalog.prices.service_price
    lrs, zrs = price("azure", "blob", "Hot-Standard_LRS", "eastus"), price("azure", "blob", "Hot-Standard_ZRS", "eastus")
    assert (lrs.usd_per_unit, lrs.unit, lrs.price_date[:10]) == (0.0208, "GB-month", "2026-10-03")
    assert "meterId 272492b3-1c92-4a5f-bee9-52a8e10ca514" in lrs.source
    assert (zrs.usd_per_unit, zrs.unit, zrs.price_date[:10]) == (0.026, "GB-month", "2026-10-03")
    assert "meterId da71cc90-624a-4006-8936-0718046ad8ab" in zrs.source
    for region in ("eastus2", "westus", "westeurope", "*"):  # one region's meter is not another's
        assert price("azure", "blob", "Hot-Standard_LRS", region) is None, region


def test_ebs_prices_carry_their_region_and_source_and_no_region_borrows_another_s(catalog):
    """SOURCES.md, "EBS volumes in us-east-1 and eu-north-1"."""
    price = catalog.prices.service_price
    assert [price("aws", "ebs", t, "us-east-1").usd_per_unit for t in ("gp2", "gp3", "io1", "io2", "st1", "sc1",
                                                                       "standard")] == \
        [0.10, 0.08, 0.125, 0.125, 0.045, 0.015, 0.05]
    assert price("aws", "ebs-iops", "io2", "us-east-1").unit == "IOPS-month"
    north = price("aws", "ebs", "gp3", "eu-north-1")
    assert (north.usd_per_unit, north.unit, north.price_date[:10]) == (0.0836, "GiB-month", "2026-10-01")
    assert "'EUN1-EBS:VolumeUsage.gp3'" in north.source
    assert price("aws", "ebs", "gp2", "eu-north-1") is None and price("aws", "ebs", "gp3", "eu-west-1") is None
    assert price("aws", "ebs-iops", "gp3", "us-east-1") is None  # the golden's gp3 region is ambiguous: not taken
    assert {catalog.impact.storage_service("aws", "ebs", t).medium for t in ("gp2", "gp3", "io1", "io2")} == {"ssd"}
    assert catalog.impact.storage_service("aws", "ebs", "sc1").replication_factor == 2


def test_provenance_every_price_has_a_dated_source(catalog):
    for o in catalog.offers:
        assert o.price_source and o.price_date, o
    assert all(p.source and p.price_date for p in catalog.prices.instance.values())
    assert all(p.source and p.price_date for p in catalog.prices.service.values())
    gcp = catalog.offer("gcp", "a3-highgpu-8g", "us-central1")
    assert gcp.price_source.startswith("Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml @fd66b26")
    assert gcp.price_date.startswith("2026-07-30")
    assert "undated" not in Path(catalog_load.__file__).read_text()  # dates come from the data, not code


def test_provenance_pue_rows_have_years_and_tdp_rows_are_sourced(catalog):
    assert all(r.pue_year for r in catalog.regions.values() if r.pue is not None)
    assert catalog.region("gcp", "europe-west9").pue_year == "2024"
    for it in catalog.instance_types.values():
        assert (it.gpu_tdp_watts is None) == (it.tdp_source == "")
    assert catalog.instance_type("p5.48xlarge").tdp_source.startswith("NVIDIA H100 Tensor Core GPU datasheet")


def test_bill_tables_load_with_their_sources(catalog):
    spot = catalog.prices.instance_price("aws", "g6e.2xlarge", "eu-north-1", "spot")
    assert (spot.usd_per_hour, spot.kind) == (0.9035, "spot")
    cb = catalog.prices.instance_price("aws", "p5.48xlarge", "us-east-1", "capacity-block")
    assert cb.usd_per_hour == 39.33 and "Capacity Blocks" in cb.source
    eks = catalog.prices.service_price("aws", "eks-control-plane", "standard", "eu-north-1")
    assert (eks.region, eks.usd_per_unit, eks.unit) == ("*", 0.10, "cluster-hour")
    assert catalog.prices.hosts["m7i.xlarge"].vcpus == 4
    assert catalog.impact.embodied["p5.48xlarge"].platform_kgco2e == 5700
    assert catalog.impact.platform["Standard_ND96isr_H100_v5"].calibrated_on == "p5.48xlarge"
    assert catalog.impact.storage_service("aws", "s3", "STANDARD").replication_factor == 3


def test_a_price_row_without_a_date_is_refused(tmp_path):
    for f in DATA_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (tmp_path / "service_prices.csv").read_text()
    (tmp_path / "service_prices.csv").write_text(text.replace("2024-06-07 (ms.date of the article)", ""))
    with pytest.raises(CatalogDataError, match=r"service_prices.csv:4: price_date required"):
        load_catalog_from(tmp_path)


def test_region_facts_carry_source_and_year(catalog):
    r = catalog.region("aws", "eu-north-1")
    assert (r.grid_gco2e_per_kwh, r.grid_year, r.pue, r.pue_year, r.country) == (24.71, "2023", 1.10, "2024", "SE")
    assert "Electricity Maps" in r.grid_source and "GSF" in r.grid_source
    assert (r.latitude, r.longitude) == (59.3294, 18.0686)


def test_unknowns_stay_unknown_never_zero(catalog):
    assert catalog.region("azure", "westus3").grid_gco2e_per_kwh is None
    assert catalog.region("azure", "norwayeast").grid_gco2e_per_kwh is None
    assert catalog.offer("aws", "p5e.48xlarge", "us-east-2").usd_per_hour is None
    assert catalog.instance_type("p6-b300.48xlarge").gpu_tdp_watts is None
    assert catalog.instance_type("Standard_NC40ads_H100_v5").gpu_memory_gib is None
    assert catalog.region("azure", "westus").latitude is None  # GSF's "westus" row is in Washington


def test_instance_type_specs_and_efa(catalog):
    p5 = catalog.instance_type("p5.48xlarge")
    assert (p5.gpu_model, p5.gpu_count, p5.vcpus, p5.memory_gib, p5.network_gbps, p5.interconnect,
            p5.gpu_tdp_watts, p5.max_efa_interfaces) == ("H100", 8, 192, 2048, 3200, "EFA", 700, 32)
    assert "torchx" in p5.efa_source
    assert catalog.instance_type("p5en.48xlarge").max_efa_interfaces == 16
    assert catalog.instance_type("p5.4xlarge").max_efa_interfaces is None
    nd = catalog.instance_type("Standard_ND96isr_H100_v5")
    assert (nd.gpu_count, nd.interconnect, nd.high_bandwidth) == (8, "InfiniBand", True)
    assert catalog.instance_type("g6.xlarge").high_bandwidth is False


def test_gpu_queries(catalog):
    names = [it.name for it in catalog.instance_types_for_gpu("H100", ("aws", "azure"))]
    assert names == ["p5.48xlarge", "p5.4xlarge", "Standard_NC40ads_H100_v5", "Standard_NC80adis_H100_v5",
                     "Standard_ND96isr_H100_v5"]
    assert [it.name for it in catalog.instance_types_for_gpu("a100-80gb", ("azure",))] == [
        "Standard_NC24ads_A100_v4", "Standard_NC48ads_A100_v4", "Standard_NC96ads_A100_v4",
        "Standard_ND96amsr_A100_v4"]
    assert "RTX PRO 6000" in catalog.gpu_models()


def test_power_curve_is_the_measured_h200(catalog):
    curve = catalog.gpu_power
    assert curve.points == ((0.0, 120.0), (0.25, 323.9), (0.5, 484.2), (0.75, 619.2), (1.0, 691.2))
    assert curve.watts(0.6, 700) == pytest.approx(484.2 + (619.2 - 484.2) * 0.4)
    assert curve.watts(1.0, 400) == pytest.approx(691.2 * 400 / 700)
    with pytest.raises(ValueError):
        curve.watts(1.2, 700)


def test_did_you_mean_checks(catalog):
    p = catalog.check_region("r", "aws", "eu-nort-1")
    assert (p.message, p.value, p.suggestion, len(p.allowed)) == ("unknown aws region", "eu-nort-1", "eu-north-1", 21)
    assert catalog.check_region("r", "aws", "eu-north-1") is None
    # another cloud's region is said to be one, without a "did you mean" among this cloud's
    p = catalog.check_region("r", "aws", "eastus")
    assert (p.message, p.value, p.suggestion, p.allowed) == (
        "is a region of azure, not of aws", "eastus", None, tuple(catalog.region_names("aws")))
    assert catalog.check_gpu("g", "H10").suggestion == "H100"
    assert catalog.check_instance_type("i", "aws", "p5.48xlrge").suggestion == "p5.48xlarge"


def test_malformed_data_is_refused(tmp_path):
    for f in DATA_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (tmp_path / "offers.csv").read_text().replace("p5.48xlarge,us-west-2,55.04", "p5.48xlarge,us-west-2,cheap")
    (tmp_path / "offers.csv").write_text(text)
    with pytest.raises(CatalogDataError, match=r"offers.csv:\d+: column 'on_demand_usd_per_hour' is not a plain decimal number "
                       r"\(ASCII digits, an optional sign, decimal point and exponent: 8, 55.04, 1.5e3\): 'cheap'"):
        load_catalog_from(tmp_path)


def test_machine_families_carry_the_fabric_networks_with_sources(catalog):
    mega = catalog.machine_family(catalog.instance_type("a3-megagpu-8g"))
    assert (mega.name, mega.fabric, mega.fabric_networks, mega.fabric_network_mtu, mega.fabric_network_profile,
            mega.extra_host_networks, mega.compact_placement) == ("a3-megagpu", "GPUDirect-TCPXO", 8, 8244, None, 0, True)
    assert "gpu_direct.tf" in mega.fabric_source and mega.retrieved.startswith("2026-11-30")
    high = catalog.machine_family(catalog.instance_type("a3-highgpu-8g"))
    assert (high.fabric, high.fabric_networks, high.fabric_network_mtu) == ("GPUDirect-TCPX", 4, 8244)
    for name in ("a3-ultragpu-8g", "a4-highgpu-8g"):
        rdma = catalog.machine_family(catalog.instance_type(name))
        assert (rdma.fabric, rdma.fabric_networks, rdma.fabric_network_mtu, rdma.fabric_network_profile,
                rdma.extra_host_networks) == ("GPUDirect-RDMA (RoCE)", 8, 8896, "vpc-roce", 1)
    edge = catalog.machine_families[("gcp", "a3-edgegpu")]
    assert (edge.fabric_networks, edge.fabric_network_mtu) == (None, None)  # unknown, never 0
    assert catalog.machine_family(catalog.instance_type("p5.48xlarge")) is None


def test_every_gcp_instance_type_has_a_family_whose_fabric_matches(catalog):
    for it in (it for it in catalog.instance_types.values() if it.cloud == "gcp"):
        family = catalog.machine_family(it)
        assert family is not None, it.name
        assert family.fabric == it.interconnect or not it.high_bandwidth, it.name


def test_a_family_contradicting_the_instance_types_is_a_data_error(tmp_path):
    for f in DATA_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (tmp_path / "machine_families.csv").read_text().replace("a3-megagpu,GPUDirect-TCPXO", "a3-megagpu,EFA")
    (tmp_path / "machine_families.csv").write_text(text)
    with pytest.raises(CatalogDataError, match="a3-megagpu says 'EFA', instance_types.csv gives a3-megagpu-8g "
                                               "'GPUDirect-TCPXO'"):
        load_catalog_from(tmp_path)


def test_an_overlay_overrides_and_adds_rows_and_changes_the_version(tmp_path):

    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour,source\n"
                                         "aws,p5.48xlarge,eu-north-1,40.5,negotiated 2026-11\n"
                                         "aws,p5.48xlarge,eu-central-1,41,negotiated 2026-11\n")
    shipped = load_catalog_from(DATA_DIR)
    overlaid = load_catalog_from(DATA_DIR, tmp_path)
    offer = overlaid.offer("aws", "p5.48xlarge", "eu-north-1")
    assert (offer.usd_per_hour, offer.price_source) == (40.5, "negotiated 2026-11")
    assert overlaid.offer("aws", "p5.48xlarge", "eu-central-1").usd_per_hour == 41.0
    assert len(overlaid.offers) == len(shipped.offers) + 1
    assert overlaid.version != shipped.version and len(overlaid.version) == 12
    assert overlaid.data_description == f"shipped data + overlay {tmp_path} (1 rows replaced, 1 added)"
    assert load_catalog_from(DATA_DIR).version == shipped.version  # the same data, the same version


def test_a_bad_overlay_lists_every_problem(tmp_path):
    from gpufleet.errors import UserError

    (tmp_path / "offer.csv").write_text("x\n")
    (tmp_path / "regions.csv").write_text("cloud,region,grid_gco2e\naws,us-west-2,1\n")
    (tmp_path / "host_power.csv").write_text("cpu_min_w_per_vcpu\n1\n")
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [p.render() for p in e.value.problems] == [
        f"--catalog {tmp_path}/host_power.csv (header): key columns are missing (got 'cloud'); allowed: cloud",
        f"--catalog {tmp_path}/offer.csv: not a catalog data file (got 'offer.csv'); did you mean 'offers.csv'?; "
        "allowed: regions.csv, region_locations.csv, instance_types.csv, efa_interfaces.csv, offers.csv, "
        "host_power.csv, machine_families.csv, instance_prices.csv, service_prices.csv, host_types.csv, embodied.csv, "
        "platform_power.csv, … (14 in all)",
        f"--catalog {tmp_path}/regions.csv (header): unknown column (got 'grid_gco2e'); did you mean "
        "'grid_gco2e_per_kwh'?; allowed: cloud, region, location, grid_gco2e_per_kwh, grid_source, grid_year, "
        "cfe_percent, pue, pue_source, pue_year, em_zone, ccf_grid_gco2e_per_kwh, … (13 in all)",
    ]
    (tmp_path / "offer.csv").unlink()
    (tmp_path / "host_power.csv").unlink()
    (tmp_path / "regions.csv").write_text("cloud,region,pue\naws,us-west-2,-1\n")
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "GPUFLEET_CATALOG")
    assert [p.render() for p in e.value.problems] == [
        f"GPUFLEET_CATALOG {tmp_path}: overlay {tmp_path}/regions.csv:2: column 'pue' is negative: '-1'"]
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path / "missing", "--catalog")
    assert [p.render() for p in e.value.problems] == [f"--catalog: not a directory (got '{tmp_path}/missing')"]


def test_overlay_files_are_read_bounded_and_refused_with_file_line_and_field(tmp_path, monkeypatch):
    from gpufleet.catalog import overlay
    from gpufleet.catalog.load import DATA_DIR, load_catalog_from
    from gpufleet.errors import UserError

    def problems() -> list[str]:
        with pytest.raises(UserError) as e:
            load_catalog_from(DATA_DIR, tmp_path, "--catalog")
        return [p.render() for p in e.value.problems]

    monkeypatch.setattr(overlay, "MAX_OVERLAY_BYTES", 1024)
    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n" + "aws,x,y,1\n" * 200)
    assert problems() == [f"{tmp_path}/offers.csv: catalog overlay file is larger than the 1 KiB gpufleet reads"]
    monkeypatch.undo()
    (tmp_path / "offers.csv").write_bytes(b"cloud,instance_type,region,on_demand_usd_per_hour\naws,p5.48xlarge,\xe9u,1\n")
    assert problems() == [f"{tmp_path}/offers.csv:2:17: not UTF-8 text: byte 0xe9 (invalid continuation byte)"]
    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour,notes\n"
                                         "aws,p5.48xlarge,us-west-2,1,ok\n" f"aws,p5.48xlarge,us-east-1,1,{'x' * 200_000}\n")
    assert problems() == [f"overlay {tmp_path}/offers.csv:3: not a CSV file: field larger than field limit (131072)"]
    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n"
                                         "aws,p5.48xlarge,us-west-2,inf\n")
    assert problems() == [f"--catalog {tmp_path}: overlay {tmp_path}/offers.csv:2: column 'on_demand_usd_per_hour' "
                          "must be a finite number: 'inf'"]
    (tmp_path / "offers.csv").unlink()
    (tmp_path / "instance_prices.csv").write_text("cloud,instance_type,region,kind,usd_per_hour,source,price_date\n"
                                                  "aws,p5.48xlarge,eu-north-1,negotiated,NaN,contract,2026-11-01\n")
    assert problems() == [f"--catalog {tmp_path}: overlay {tmp_path}/instance_prices.csv:2: column 'usd_per_hour' "
                          "must be a finite number: 'NaN'"]
    # two rows for one key: the last silently won (a review found $55/h then $1/h priced p5 at $1/h)
    (tmp_path / "instance_prices.csv").unlink()
    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n"
                                         "aws,p5.48xlarge,eu-north-1,55\n" "aws,p5.48xlarge,us-west-2,50\n"
                                         "aws,p5.48xlarge,eu-north-1,1\n")
    assert problems() == [f"overlay {tmp_path}/offers.csv:4: duplicate row (same cloud, instance_type, region as "
                          "line 2) (got 'aws, p5.48xlarge, eu-north-1')"]


PLAIN = "is not a plain decimal number (ASCII digits, an optional sign, decimal point and exponent: 8, 55.04, 1.5e3)"
FLOOR = ("must be at least 0.001 USD/h (an instance is never free; leave an offer's price empty when it is "
         "unknown)")


@pytest.mark.parametrize("cell, why", [
    ("0", FLOOR), ("-0", FLOOR), ("0.0", FLOOR), ("1e-300", FLOOR), ("0.0009", FLOOR),  # would price capacity away
    ("٥", PLAIN), ("5_5", PLAIN), ("５", PLAIN), ("5.5.5", PLAIN), ("1,5", PLAIN), ("0x10", PLAIN),  # float() takes the first 3
], ids=["zero", "minus-zero", "zero-point-zero", "subnormal", "below-the-floor", "arabic-indic-digit", "underscore",
        "fullwidth-digit", "two-points", "decimal-comma", "hex"])
def test_an_overlay_instance_price_is_a_plain_number_of_at_least_a_tenth_of_a_cent(tmp_path, cell, why):
    from gpufleet.catalog.load import DATA_DIR, load_catalog_from
    from gpufleet.errors import UserError

    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n"
                                         f'aws,p5.48xlarge,us-west-2,"{cell}"\n')
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [p.render() for p in e.value.problems] == [
        f"--catalog {tmp_path}: overlay {tmp_path}/offers.csv:2: column 'on_demand_usd_per_hour' {why}: '{cell}'"]
    (tmp_path / "offers.csv").unlink()
    (tmp_path / "instance_prices.csv").write_text("cloud,instance_type,region,kind,usd_per_hour,source,price_date\n"
                                                  f'aws,p5.48xlarge,us-west-2,negotiated,"{cell}",contract,2026-11-01\n')
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [p.render() for p in e.value.problems] == [
        f"--catalog {tmp_path}: overlay {tmp_path}/instance_prices.csv:2: column 'usd_per_hour' "
        f"{why}: '{cell}'"]


def test_the_price_floor_and_plain_numbers_that_stay_allowed(tmp_path):
    from gpufleet.catalog.load import DATA_DIR, load_catalog_from
    from gpufleet.errors import UserError

    (tmp_path / "offers.csv").write_text("cloud,instance_type,region,on_demand_usd_per_hour\n"
                                         "aws,p5.48xlarge,us-west-2,0.001\n" "aws,p5.48xlarge,us-east-1,+5.5e1\n"
                                         "aws,p5.48xlarge,eu-north-1,\n")
    catalog = load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [catalog.offer("aws", "p5.48xlarge", r).usd_per_hour for r in ("us-west-2", "us-east-1", "eu-north-1")] == [
        0.001, 55.0, None]  # an empty price is unknown, never 0
    (tmp_path / "offers.csv").unlink()
    (tmp_path / "instance_types.csv").write_text("instance_type,gpu_count\n" "p5.48xlarge,٨\n")
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [p.render() for p in e.value.problems] == [
        f"--catalog {tmp_path}: overlay {tmp_path}/instance_types.csv:2: column 'gpu_count' {PLAIN}: '٨'"]


def test_an_overlay_sets_a_negotiated_price_and_what_a_capacity_block_cost(tmp_path):
    from gpufleet.footprint import capacity_footprint

    (tmp_path / "instance_prices.csv").write_text(
        "cloud,instance_type,region,kind,usd_per_hour,source,price_date\n"
        "aws,p5.48xlarge,eu-north-1,negotiated,40.5,contract EDP-7,2026-11-01\n"
        "aws,p5.48xlarge,eu-north-1,capacity-block,31.2,cr-0f1e2d3c4b5a69788 purchase,2026-11-20\n")
    cat = load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    od = capacity_footprint(cat, "aws", "eu-north-1", "p5.48xlarge", 2)
    cb = capacity_footprint(cat, "aws", "eu-north-1", "p5.48xlarge", 16, capacity_type="capacity-block")
    assert (od.price_kind, od.monthly_usd) == ("negotiated", pytest.approx(2 * 40.5 * 730))
    assert (cb.price_kind, cb.monthly_usd) == ("capacity-block", pytest.approx(16 * 31.2 * 730))
    assert "cr-0f1e2d3c4b5a69788 purchase, 2026-11-20" in cb.derivation["monthly_usd"]


def test_storage_media_and_replicas_are_per_sku_and_an_overlay_names_the_sku(tmp_path):
    from gpufleet.errors import UserError

    shipped = load_catalog_from(DATA_DIR).impact
    # CCF (Azure): data stored is SSD; LRS/ZRS 3 replicas, GRS/GZRS 6 (RA- variants as GRS/GZRS)
    assert {sku: (svc.medium, svc.replication_factor) for (cloud, service, sku), svc in
            shipped.storage_services.items() if (cloud, service) == ("azure", "blob") and sku.startswith("Hot-")} == {
        "Hot-Standard_LRS": ("ssd", 3), "Hot-Standard_ZRS": ("ssd", 3), "Hot-Standard_GRS": ("ssd", 6),
        "Hot-Standard_RAGRS": ("ssd", 6), "Hot-Standard_GZRS": ("ssd", 6), "Hot-Standard_RAGZRS": ("ssd", 6),
        "Hot-Premium_LRS": ("ssd", 3), "Hot-Premium_ZRS": ("ssd", 3)}
    assert shipped.storage_service("aws", "s3", "GLACIER").replication_factor == 3  # "*": every SKU of S3
    assert shipped.storage_service("azure", "blob", "TransactionOptimized-Standard_LRS") is None
    (tmp_path / "storage_services.csv").write_text("cloud,service,sku,medium,replication_factor,source\n"
                                                   "azure,blob,Hot-Standard_LRS,hdd,2,our vendor 2026\n")
    overlaid = load_catalog_from(DATA_DIR, tmp_path).impact.storage_service("azure", "blob", "Hot-Standard_LRS")
    assert (overlaid.medium, overlaid.replication_factor, overlaid.source) == ("hdd", 2, "our vendor 2026")
    (tmp_path / "storage_services.csv").write_text("cloud,service,medium,replication_factor,source\n"
                                                   "azure,blob,hdd,2,our vendor 2026\n")
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [p.render() for p in e.value.problems] == [
        f"--catalog {tmp_path}/storage_services.csv (header): key columns are missing (got 'sku'); "
        "allowed: cloud, service, sku"]


def test_no_spot_price_exceeds_the_on_demand_price_of_its_region(catalog):
    # S4's Spot prices are capped at on demand; a row above it would be a misread
    checked = 0
    for (cloud, name, region, kind), price in catalog.prices.instance.items():
        offer = catalog.offer(cloud, name, region)
        if kind == "spot" and offer is not None and offer.usd_per_hour is not None:
            assert price.usd_per_hour <= offer.usd_per_hour, (name, region)
            checked += 1
    assert checked >= 30  # g6e, p5, p5en, p6 and GCP a3 rows have both


def test_every_embodied_host_has_at_least_the_vcpus_of_its_instance(catalog):
    for name, embodied in catalog.impact.embodied.items():
        it = catalog.instance_type(name) or catalog.prices.hosts.get(name)
        assert it is not None and it.vcpus <= embodied.platform_vcpus, name


def test_common_gpu_types_are_counted_with_their_sources_even_without_a_price(catalog):
    """Types public programs use (g5/g6/g6e/p3, NC/NV, g2/a2) are known, to count their GPUs, priced or not."""
    specs = {name: (it.cloud, it.gpu_model, it.gpu_count, it.vcpus, it.memory_gib)
             for name in ("g5.12xlarge", "g6.2xlarge", "g6e.12xlarge", "p3.16xlarge", "Standard_NC6s_v3",
                          "Standard_NC64as_T4_v3", "Standard_NV72ads_A10_v5", "g2-standard-8", "g2-standard-24",
                          "a2-ultragpu-4g") if (it := catalog.instance_type(name))}
    assert specs == {
        "g5.12xlarge": ("aws", "A10G", 4, 48, 192), "g6.2xlarge": ("aws", "L4", 1, 8, 32),
        "g6e.12xlarge": ("aws", "L40S", 4, 48, 384), "p3.16xlarge": ("aws", "V100", 8, 64, 488),
        "Standard_NC6s_v3": ("azure", "V100", 1, 6, 112), "Standard_NC64as_T4_v3": ("azure", "T4", 4, 64, 440),
        "Standard_NV72ads_A10_v5": ("azure", "A10", 2, 72, 880), "g2-standard-8": ("gcp", "L4", 1, 8, 32),
        "g2-standard-24": ("gcp", "L4", 2, 24, 96), "a2-ultragpu-4g": ("gcp", "A100-80GB", 4, 48, 680)}
    for cloud in ("aws", "azure", "gcp"):
        for row in _rows(DATA_DIR / f"instance_types.{cloud}.csv"):
            assert row["cloud"] == cloud and "retrieved 2026-11-30" in row["spec_source"], row
    assert catalog.offered("Standard_NC6s_v3") == []  # counted, not priced: offers are the bill tables' to add
    # offers.csv already listed a few of these types; now that they are known, those rows price them
    assert catalog.offer("aws", "p3dn.24xlarge", "us-east-1").usd_per_hour == 31.212
    assert "docs.aws.amazon.com/batch/latest/userguide/gpu-jobs.html" in catalog.instance_type("g5.12xlarge").spec_source
    assert "ncv3-series.md" in catalog.instance_type("Standard_NC6s_v3").spec_source
    assert catalog.instance_type("Standard_NC6s_v3").gpu_tdp_watts is None  # V100 rated power: not sourced


def test_gpu_types_public_programs_use_are_known_with_their_sources(catalog):
    """#16: programs using these types reported 0 GPUs. Each figure is the cited source's."""
    specs = {name: (it.cloud, it.gpu_model, it.gpu_count, it.gpu_memory_gib, it.vcpus, it.memory_gib)
             for name in ("gr6.4xlarge", "gr6f.4xlarge", "a3-highgpu-2g", "a3-highgpu-4g", "a3-edgegpu-8g",
                          "Standard_NV6ads_A10_v5", "Standard_NV12ads_A10_v5", "Standard_NV18ads_A10_v5",
                          "Standard_NV36ads_A10_v5", "Standard_NV36adms_A10_v5", "Standard_NV72ads_A10_v5")
             if (it := catalog.instance_type(name))}
    assert specs == {
        "gr6.4xlarge": ("aws", "L4", 1, 22, 16, 128), "gr6f.4xlarge": ("aws", "L4", Fraction(1, 2), 11, 16, 128),
        "a3-highgpu-2g": ("gcp", "H100", 2, 80, 52, 468), "a3-highgpu-4g": ("gcp", "H100", 4, 80, 104, 936),
        "a3-edgegpu-8g": ("gcp", "H100", 8, 80, 208, 1872),
        # nva10v5-series.md: "GPU partition" 1/6, 1/3, 1/2, 1, 1, 2 and GPU memory 4, 8, 12, 24, 24, 48 GiB
        "Standard_NV6ads_A10_v5": ("azure", "A10", Fraction(1, 6), 4, 6, 55),
        "Standard_NV12ads_A10_v5": ("azure", "A10", Fraction(1, 3), 8, 12, 110),
        "Standard_NV18ads_A10_v5": ("azure", "A10", Fraction(1, 2), 12, 18, 220),
        "Standard_NV36ads_A10_v5": ("azure", "A10", 1, 24, 36, 440),
        "Standard_NV36adms_A10_v5": ("azure", "A10", 1, 24, 36, 880),
        "Standard_NV72ads_A10_v5": ("azure", "A10", 2, 24, 72, 880)}
    assert [n for n, it in catalog.instance_types.items() if it.gpu_partition] == [
        "gr6f.4xlarge", "Standard_NV6ads_A10_v5", "Standard_NV12ads_A10_v5", "Standard_NV18ads_A10_v5"]
    assert "karpenter-provider-aws" in catalog.instance_type("gr6.4xlarge").spec_source
    assert "nva10v5-series.md @17107007" in catalog.instance_type("Standard_NV6ads_A10_v5").spec_source
    assert "sky/catalog/gcp_catalog.py @b9dd08e7" in catalog.instance_type("a3-highgpu-2g").spec_source
    # a workload asks for whole GPUs: partitions are no candidates for placement
    assert [it.name for it in catalog.instance_types_for_gpu("A10", ("azure",))] == [
        "Standard_NV36adms_A10_v5", "Standard_NV36ads_A10_v5", "Standard_NV72ads_A10_v5"]


@pytest.mark.parametrize(("cell", "why"), [
    ("7/6", "gpu_count must be a whole number of GPUs or a partition of one GPU (a fraction below 1): '7/6'"),
    ("0", "gpu_count must be a whole number of GPUs or a partition of one GPU (a fraction below 1): '0'"),
    ("1/0", "column 'gpu_count' is not a whole number or a fraction like 1/6: '1/0'"),
    ("0.1667", "column 'gpu_count' is not a whole number or a fraction like 1/6: '0.1667'"),
    ("١/٦", "column 'gpu_count' is not a whole number or a fraction like 1/6: '١/٦'"),
    ("", "gpu_count, vcpus and memory_gib are required"),
])
def test_a_gpu_count_that_is_neither_whole_nor_a_partition_is_refused(tmp_path, cell, why):
    for f in DATA_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    path = tmp_path / "instance_types.azure.csv"
    path.write_text(path.read_text().replace("azure,Standard_NV6ads_A10_v5,A10,1/6,", f"azure,Standard_NV6ads_A10_v5,A10,{cell},"))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "Standard_NV6ads_A10_v5" in text)
    with pytest.raises(CatalogDataError) as e:
        load_catalog_from(tmp_path)
    assert str(e.value) == f"instance_types.azure.csv:{line}: {why}"


@pytest.mark.parametrize("name, text, why", [
    ("efa_interfaces.csv", "instance_type,max_efa_interfaces\np5.48xlarge,lots\n",
     f"column 'max_efa_interfaces' {PLAIN}: 'lots'"),  # int() raised: an internal error (exit 4)
    ("efa_interfaces.csv", "instance_type,max_efa_interfaces\np5.48xlarge,٣٢\n",
     f"column 'max_efa_interfaces' {PLAIN}: '٣٢'"),  # int() read it as 32
    ("instance_types.csv", "instance_type,gpu_count\np5.48xlarge,8.5\n", "column 'gpu_count' is not a whole number or a fraction like 1/6: '8.5'"),
    ("instance_types.csv", "instance_type,vcpus\np5.48xlarge,191.5\n", "column 'vcpus' is not a whole number: '191.5'"),
    ("embodied.csv", "instance_type,platform_vcpus\np5.48xlarge,191.5\n",
     "column 'platform_vcpus' is not a whole number: '191.5'"),
    ("host_types.csv", "instance_type,vcpus\nm7i.xlarge,3.5\n", "column 'vcpus' is not a whole number: '3.5'"),
], ids=["efa-word", "efa-arabic-indic", "gpu-count-fraction", "vcpus-fraction", "embodied-vcpus", "host-vcpus"])
def test_counts_in_an_overlay_are_whole_plain_numbers(tmp_path, name, text, why):
    """int() of a cell raised on a word and read "٣٢" as 32; int(float()) made 8.5 GPUs 8."""
    from gpufleet.catalog.load import DATA_DIR, load_catalog_from
    from gpufleet.errors import UserError

    (tmp_path / name).write_text(text)
    with pytest.raises(UserError) as e:
        load_catalog_from(DATA_DIR, tmp_path, "--catalog")
    assert [p.render() for p in e.value.problems] == [f"--catalog {tmp_path}: overlay {tmp_path}/{name}:2: {why}"]


def test_data_files_are_read_as_csv_dictreader_reads_them():
    """The catalog's CSV reading (every preview reads ~1,000 rows) gives what `csv.DictReader` gives: blank lines
    skipped, a short row's missing cells None, a long row's extra cells under None, each row's line (a quoted
    cell may span lines), and the line a malformed file stops at."""
    import io
    import random

    from gpufleet.catalog.overlay import WHERE, _csv_rows, _NotCsv

    def dict_reader(text: str) -> object:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            rows = [{**row, WHERE: f"t.csv:{reader.line_num}"} for row in reader]
        except csv.Error as e:
            return f"t.csv:{reader.reader.line_num}: not a CSV file: {e}"
        return list(reader.fieldnames or []), rows

    def ours(text: str) -> object:
        try:
            return _csv_rows(text, "t.csv")
        except _NotCsv as e:
            return str(e)

    pieces = ["a", "b", ",", '"', '""', "\n", "\r\n", "\r", "\n\n", " ", "\x00", "é"]
    rng = random.Random(17)
    texts = ["", "\n", "a,b\n\n\n1,2\n\n3\n1,2,3,4\n", 'a,b\n"x\ny",2\n', "\n\na,b\n1,2", "a\n\x00\n"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 24))) for _ in range(2_000)]
    assert [ours(t) for t in texts] == [dict_reader(t) for t in texts]
    assert ours('a,b\n"x\ny",2\n\n\n3\n') == (["a", "b"], [{"a": "x\ny", "b": "2", WHERE: "t.csv:3"},
                                                           {"a": "3", "b": None, WHERE: "t.csv:6"}])
