"""The generator: deterministic, laid out as the landing contract says, and honest about its truth."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from pantau.registry import feeds
from pantau_dev.generate import generate
from pantau_dev.generator import oracle

R = date(2025, 10, 27)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_arguments_give_byte_identical_files(tmp_path):
    first = generate("36", tmp_path / "a" / "landing", seed=3, scale=0.05)
    second = generate("36", tmp_path / "b" / "landing", seed=3, scale=0.05)
    assert first == second
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    third = generate("36", tmp_path / "c" / "landing", seed=4, scale=0.05)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")
    assert third["seed"] == 4


def test_layout_is_one_folder_per_feed_with_province_in_every_name(generated):
    landing, truths = generated
    known = set(feeds())
    for path in landing.rglob("*"):
        if path.is_file():
            assert path.parent.parent == landing
            assert path.parent.name in known
            assert "_36_" in path.name or "_62_" in path.name
    # the truth lives beside the landing zone, not in it
    for province in truths:
        truth_file = landing.parent / f"ground_truth_{province}.json"
        assert json.loads(truth_file.read_text(encoding="utf-8")) == truths[province]
    assert not list(landing.rglob("ground_truth*"))


def test_two_provinces_share_a_landing_zone_without_overwriting(generated):
    landing, truths = generated
    for province, truth in truths.items():
        for feed_name, counts in truth["feeds"].items():
            files = [p for p in (landing / feed_name).iterdir() if f"_{province}_" in p.name]
            assert len(files) == counts["files"], (province, feed_name)


@pytest.mark.parametrize("province", ["36", "62"])
def test_row_counts_match_the_files(generated, province):
    landing, truths = generated
    for feed_name, counts in truths[province]["feeds"].items():
        rows = oracle.read_feed(landing, feed_name, province)
        assert len(rows) == counts["rows"], feed_name


@pytest.mark.parametrize("province", ["36", "62"])
def test_present_counts_match_the_files(generated, province):
    landing, truths = generated
    records = oracle.load(landing, province)
    assert oracle.present(records) == truths[province]["present"]
    unresolved = [p for p in truths[province]["present"] if p["region_code"] is None]
    assert unresolved, "a few permits carry a bare ambiguous region name on purpose"


def _truth_findings(truth: dict, codes: set[str]) -> list[dict]:
    keys = ("finding_code", "region_code", "passport_norm", "country_code")
    return sorted(
        ({k: f[k] for k in keys} for f in truth["findings"] if f["finding_code"] in codes),
        key=oracle.finding_key,
    )


@pytest.mark.parametrize("province", ["36", "62"])
def test_planted_overstays_satisfy_the_rule_and_nothing_else_does(generated, province):
    landing, truths = generated
    records = oracle.load(landing, province)
    found = [f for f in oracle.findings(records) if f["finding_code"] == "OVERSTAY"]
    assert found == _truth_findings(truths[province], {"OVERSTAY"})
    assert len(found) >= 3
    # and each one really is: a sighting after the latest permit expiry
    for finding in found:
        who = (finding["passport_norm"], finding["country_code"])
        expiry = max(p["berakhir"] for p in records.permits if p["person"] == who)
        sightings = [r["masuk"] for r in records.lodging if r["person"] == who]
        sightings += [r["tanggal"] for r in records.police if r["person"] == who]
        assert any(expiry < day <= R for day in sightings)


@pytest.mark.parametrize("province", ["36", "62"])
def test_arrival_surges_are_planted_in_earlier_weeks_too(generated, province):
    """Two planted surges, each in its own calendar week: the week before the reference date and
    one ten weeks earlier (found whenever its data arrives); no accidental one in any other week."""
    landing, truths = generated
    records = oracle.load(landing, province)
    found = [f for f in oracle.findings(records) if f["finding_code"] == "LONJAKAN_KEDATANGAN"]
    assert found == _truth_findings(truths[province], {"LONJAKAN_KEDATANGAN"})
    assert len({f["region_code"] for f in found}) == len(found) == 2
    planted = sorted(
        f["period_start"] for f in truths[province]["findings"] if f["finding_code"] == "LONJAKAN_KEDATANGAN"
    )
    assert planted == ["2025-08-11", "2025-10-20"]


@pytest.mark.parametrize("province", ["36", "62"])
def test_expiring_visit_permits_are_findings(generated, province):
    """IZIN_SEGERA_BERAKHIR covers visit permits (ITK): the background's visitors ending within 30
    days of the reference date are in the truth, beside the planted ITAS/ITAP."""
    _, truths = generated
    expiring = [f for f in truths[province]["findings"] if f["finding_code"] == "IZIN_SEGERA_BERAKHIR"]
    visits = [f for f in expiring if "visit permit (ITK)" in f["note"]]
    assert visits and len(visits) < len(expiring) * 10


def test_rejects_unknown_province(tmp_path):
    with pytest.raises(ValueError, match="unknown province"):
        generate("99", tmp_path / "landing")


@pytest.mark.parametrize("province", ["36", "62"])
def test_findings_in_the_files_are_exactly_the_planted_ones(generated, province):
    """The oracle applies every finding rule to the files: nothing accidental, nothing missing."""
    landing, truths = generated
    truth = truths[province]
    found = oracle.findings(oracle.load(landing, province))
    codes = {f["finding_code"] for f in truth["findings"]}
    assert found == _truth_findings(truth, codes)
    assert codes == {
        "OVERSTAY",
        "TKA_TANPA_ITAS",
        "ITAS_KERJA_TANPA_RPTKA",
        "SKTT_TERLAMBAT",
        "LOKASI_BERBEDA",
        "IZIN_SEGERA_BERAKHIR",
        "PENELITI_TANPA_PEMBERITAHUAN",
        "LONJAKAN_KEDATANGAN",
        "LAPORAN_MASYARAKAT_TIDAK_COCOK",
    }
    for finding in truth["findings"]:
        assert finding["note"]
        if finding["finding_code"] in ("LONJAKAN_KEDATANGAN", "LAPORAN_MASYARAKAT_TIDAK_COCOK"):
            assert finding["passport_norm"] is None and finding["period_start"] <= finding["period_end"]
        else:
            assert finding["passport_norm"] and finding["country_code"]


@pytest.mark.parametrize("province", ["36", "62"])
def test_the_same_people_appear_across_agencies(generated, province):
    landing, _ = generated
    records = oracle.load(landing, province)
    permit_holders = {p["person"] for p in records.permits}
    workers = {t["person"] for t in records.tka}
    with_sktt = {s["person"] for s in records.sktt}
    researchers = {n["person"] for n in records.research}
    lodgers = {r["person"] for r in records.lodging}
    police = {r["person"] for r in records.police if r["person"]}
    assert len(workers & permit_holders) >= 0.95 * len(workers)
    assert len(with_sktt & permit_holders) == len(with_sktt)
    assert researchers and researchers <= permit_holders
    assert len(lodgers & permit_holders) > 20
    assert police & permit_holders


def test_files_carry_the_real_world_mess(generated):
    landing, _ = generated
    izin = sorted((landing / "imigrasi_izin_tinggal").glob("*_36_*"))
    encodings = set()
    for path in izin:
        try:
            path.read_bytes().decode("utf-8")
            encodings.add("utf-8")
        except UnicodeDecodeError:
            encodings.add("cp1252")
    assert encodings == {"utf-8", "cp1252"}
    headers = {p.read_bytes().split(b"\r\n", 1)[0] for p in izin}
    assert len(headers) > 1, "header wording varies from file to file"
    assert {p.suffix for p in (landing / "imigrasi_apoa").iterdir()} == {".csv", ".jsonl"}
    tka = sorted((landing / "disnaker_tka").glob("*_36_*"))
    assert {p.suffix for p in tka} == {".xlsx", ".csv"}

    # mixed date formats inside one column of one file
    dates = [r["tanggal_terbit"] for r in oracle.read_file(izin[3], "imigrasi_izin_tinggal")]
    shapes = {("iso" if "-" in d else "text" if " " in d else "slash") for d in dates}
    assert {"slash", "iso"} <= shapes or {"slash", "text"} <= shapes
    assert all(oracle.parse_date(d) for d in dates)

    # birth dates no calendar has (31 February, month 13, day 0) in some months' exports, and only there
    from pantau_dev.generator.immigration import IMPOSSIBLE_BIRTH_DATES, IMPOSSIBLE_BIRTH_MONTHS

    impossible = {
        int(path.stem[-2:]): sum(
            r["tanggal_lahir"] in IMPOSSIBLE_BIRTH_DATES
            for r in oracle.read_file(path, "imigrasi_izin_tinggal")
        )
        for path in izin
    }
    assert {month for month, count in impossible.items() if count} == set(IMPOSSIBLE_BIRTH_MONTHS)

    # spreadsheets: a title block with a merged title above the header, the registry's sheet name,
    # and dates as real cells, serial numbers and text
    from python_calamine import CalamineWorkbook

    kinds = set()
    covers = lower = data_merges = 0
    kbli_as_number = False
    for path in (p for p in tka if p.suffix == ".xlsx"):
        book = CalamineWorkbook.from_path(str(path))
        assert "TKA" in book.sheet_names
        sheet = book.get_sheet_by_name("TKA")
        rows = sheet.to_python(skip_empty_area=False)
        first = next(row for row in rows if any(row))
        assert str(first[0]).startswith("DAFTAR TENAGA KERJA ASING")
        lower += first is not rows[0]  # the recap starts a few rows down the sheet
        data_merges += any(r1 > r0 for (r0, _), (r1, _) in sheet.merged_cell_ranges)  # employer over workers
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
            assert any(b"<mergeCell " in archive.read(n) for n in sheets)
            kbli_as_number |= b'formatCode="00000"' in archive.read("xl/styles.xml")
        covers += len(book.sheet_names) > 1
        for record in oracle.read_file(path, "disnaker_tka"):
            kinds.add(type(record["tanggal_mulai"]).__name__)
    assert {"date", "float", "str"} <= kinds
    assert covers, "some workbooks have a cover sheet before the data sheet"
    assert lower and data_merges and kbli_as_number, "empty top rows, merged employers, KBLI 00000"

    # regions and countries spelled many ways; a few bare "Serang"/"Tangerang" left unresolved
    izin_rows = [r for p in izin for r in oracle.read_file(p, "imigrasi_izin_tinggal")]
    assert len({r["kabupaten_kota"] for r in izin_rows}) > 20
    assert {"Serang", "SERANG", "Tangerang", "TANGERANG"} & {r["kabupaten_kota"] for r in izin_rows}
    china = {
        r["kewarganegaraan"].strip()
        for r in izin_rows
        if oracle.Resolver().country(r["kewarganegaraan"]) == "CHN"
    }
    assert len(china) >= 3
    assert any(r["nama"].endswith(" ") for r in izin_rows), "trailing spaces"


@pytest.mark.parametrize(
    "feed_name", ["imigrasi_izin_tinggal", "imigrasi_apoa", "disnaker_tka", "dukcapil_sktt"]
)
def test_exact_duplicate_rows_are_present_and_counted(generated, feed_name):
    landing, truths = generated
    rows = oracle.read_feed(landing, feed_name, "36")
    lines = [tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows]
    assert len(lines) > len(set(lines))
    assert len(rows) == truths["36"]["feeds"][feed_name]["rows"]


AMBIGUOUS = {"SERANG", "TANGERANG", "KOTAWARINGIN"}
REGION_COLUMNS = {
    "imigrasi_izin_tinggal": "kabupaten_kota",
    "imigrasi_apoa": "kabupaten_kota",
    "disnaker_tka": "lokasi_kerja",
    "dukcapil_sktt": "kabupaten_kota",
    "polri_laporan": "kabupaten_kota",
    "kesbangpol_penelitian": "lokasi",
    "masyarakat_laporan": "kabupaten_kota",
}
COUNTRY_COLUMNS = {"masyarakat_laporan": "kewarganegaraan_dugaan"}


@pytest.mark.skipif(not (oracle.sp.SEEDS_DIR / "region_aliases.csv").exists(), reason="seeds not written yet")
@pytest.mark.parametrize("feed_name", sorted(REGION_COLUMNS))
def test_every_spelling_resolves_with_the_warehouse_seeds(generated, feed_name):
    """Only the deliberate bare ambiguous names stay unresolved; everything else is in the seeds."""
    landing, _ = generated
    resolver = oracle.Resolver(seeds_only=True)
    unresolved_regions, unresolved_countries = set(), set()
    for record in oracle.read_feed(landing, feed_name):
        for part in str(record.get(REGION_COLUMNS[feed_name]) or "").split(";"):
            if part.strip() and resolver.region(part) is None and part.strip().upper() not in AMBIGUOUS:
                unresolved_regions.add(part)
        country = record.get(COUNTRY_COLUMNS.get(feed_name, "kewarganegaraan"))
        if country and str(country).strip() and resolver.country(country) is None:
            unresolved_countries.add(country)
    assert not unresolved_regions
    assert not unresolved_countries


def test_the_pipeline_reader_accepts_every_generated_file(generated):
    """The ingest readers (pantau.ingest) parse every file, with the row counts of the truth."""
    readers = pytest.importorskip("pantau.ingest.readers")
    from pantau.registry import feed

    landing, truths = generated
    for province, truth in truths.items():
        for feed_name, counts in truth["feeds"].items():
            good = problems = 0
            for path in sorted((landing / feed_name).glob(f"*_{province}_*")):
                for _, values in readers.open_file(path, feed(feed_name)).rows:
                    if isinstance(values, list):
                        good += 1
                    else:
                        problems += 1
            assert (good, problems) == (counts["rows"], 0), (province, feed_name)


def test_rerun_replaces_only_its_own_province(tmp_path):
    landing = tmp_path / "landing"
    generate("62", landing, seed=1, scale=0.05)
    other = {p for p in landing.rglob("*") if p.is_file()}
    generate("36", landing, seed=1, scale=0.05)
    stale = landing / "polri_laporan" / "polri_36_2099-01-05.csv"
    stale.write_text("left over from an earlier run\n")
    foreign = landing / "polri_laporan" / "kiriman_polres.csv"
    foreign.write_text("not ours\n")
    truth = generate("36", landing, seed=2, scale=0.05)
    assert not stale.exists()
    assert foreign.exists()
    assert other <= {p for p in landing.rglob("*") if p.is_file()}
    for feed_name, counts in truth["feeds"].items():
        assert len(list((landing / feed_name).glob("*_36_*"))) == counts["files"]
