"""The briefing PDF end to end: real PostgreSQL, real WeasyPrint, text read back with pypdf."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import psycopg
import pytest
from briefing_data import EXPECTED, PII_NAMES, PII_PASSPORTS, has, letters, pdf_pages, pdf_text
from pypdf import PdfReader

from pantau.briefing import BriefingDataError, render_briefing

BANTEN = ("36", date(2025, 10, 30))
KOTA_SERANG = ("36.73", date(2025, 10, 28))


@pytest.fixture
def banten(briefing_db):
    return render_briefing(*BANTEN, strict=True)


def test_banten_briefing_figures(banten):
    text = pdf_text(banten.path)
    assert banten.path.name == "briefing_36_2025-10-30_id.pdf"
    assert banten.render_warnings == []
    # Headline numbers
    assert has(text, f"{EXPECTED['banten_total']} Orang asing berada di wilayah")
    assert has(
        text,
        f"{EXPECTED['banten_nationalities']} kewarganegaraan · "
        f"{EXPECTED['banten_regions_with_foreigners']} dari {EXPECTED['banten_regions']} "
        "kabupaten/kota dengan orang asing",
    )
    assert has(text, f"{EXPECTED['banten_open_findings']} Temuan terbuka")
    # Per kab/kota: present, open findings
    assert has(text, f"Kabupaten Tangerang {EXPECTED['kab_tangerang']} 1")
    assert has(text, f"Kota Cilegon {EXPECTED['kota_cilegon']} 1")
    assert has(text, "Kabupaten Lebak 0 0")
    assert has(text, "tidak teridentifikasi 7 0")
    assert has(text, f"Jumlah {EXPECTED['banten_total']} {EXPECTED['banten_open_findings']}")
    # Nationalities
    assert has(text, f"Korea Selatan (KOR) {EXPECTED['korea']}")
    assert has(text, f"Tiongkok (CHN) {EXPECTED['china']}")
    # Other province, superseded and future runs are not counted
    assert "Palangka Raya" not in text
    assert "5.000" not in text and "9.999" not in text and "6.290" not in text
    # Findings by type: new, continuing, open, resolved
    assert has(text, "Melebihi izin tinggal (overstay) OVERSTAY Kantor Imigrasi 1 1 2 0")
    assert has(text, "Izin tinggal segera berakhir IZIN_SEGERA_BERAKHIR Kantor Imigrasi 0 0 0 1")
    assert has(text, "Jumlah 2 2 4 1")
    # Data quality: the latest TKA file was rejected; its blocking check is listed
    assert has(text, "Status kualitas data masukan: ada batch ditolak")
    assert has(text, "disnaker_tka tka_2025-10.xlsx")
    assert has(text, "ditolak 215 0 expect_column_values_to_not_be_null (no_paspor) [memblokir] ×3")
    assert has(text, "tidak ada kiriman")  # masyarakat_laporan sent nothing
    # Kalimantan Tengah's later files in the same warehouse are not Banten's
    assert has(text, "imigrasi_izin_tinggal izin_2025-10.csv")
    assert "izin_62" not in text and "tka_62" not in text
    # A warning that passed on rerun is not reported
    assert "expect_column_values_to_be_in_set" not in text


def test_every_page_has_marking_page_number_and_timestamp(banten):
    pages = pdf_pages(banten.path)
    assert banten.page_count == len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert "TERBATAS" in letters(page), f"page {number} has no classification marking"
        assert f"Halaman {number} dari {len(pages)}" in flat, f"page {number} has no page number"
        assert re.search(r"Dibuat \d{1,2} \w+ 2\d{3} \d{2}\.\d{2} WIB", flat), (
            f"page {number} has no timestamp"
        )
        assert "Batas data 27 Oktober 2025" in flat


def test_pdf_metadata_and_bookmarks(banten):
    reader = PdfReader(banten.path)
    assert "Rakor Tim POA Provinsi Banten" in reader.metadata.title
    assert reader.trailer["/Root"]["/Lang"] == "id"
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    for heading in (
        "Ringkasan",
        "Orang asing menurut kabupaten/kota",
        "Temuan menurut jenis",
        "Metodologi dan sumber",
    ):
        assert heading in titles


def test_chart_is_vector(banten):
    """pygal's SVG is drawn as PDF paths and text, not embedded as a raster image."""
    reader = PdfReader(banten.path)
    images = [image for page in reader.pages for image in page.images]
    assert images == []
    text = pdf_text(banten.path)
    assert has(text, "Orang asing per kabupaten/kota")  # the chart title, drawn as text


def test_no_personal_data_in_pdf(banten):
    raw = pdf_text(banten.path)
    squeezed = raw.replace(" ", "")
    for secret in PII_NAMES + PII_PASSPORTS:
        assert secret not in raw
        assert secret.replace(" ", "") not in squeezed


def test_archive_row_matches_file(banten, briefing_db):
    on_disk = hashlib.sha256(banten.path.read_bytes()).hexdigest()
    assert banten.sha256 == on_disk
    with psycopg.connect(briefing_db) as conn:
        row = conn.execute(
            "select briefing_id, region_code, meeting_date, language, pdf_path, pdf_sha256, data_cutoff, "
            "quality_status, input_batches from audit.briefings"
        ).fetchall()
    assert len(row) == 1
    briefing_id, region, meeting_date, language, path, sha, cutoff, status, batches = row[0]
    assert (briefing_id, region, meeting_date, language) == (
        "briefing_36_2025-10-30_id",
        "36",
        BANTEN[1],
        "id",
    )
    assert path == str(banten.path.resolve())
    assert sha == on_disk
    assert cutoff == date(2025, 10, 27) == banten.data_cutoff
    assert status == banten.quality_status == "batch_rejected"
    assert batches["imigrasi_izin_tinggal"] == ["b-izin-1", "b-izin-2"]
    assert "b-tka-2" not in batches["disnaker_tka"]


def test_rerender_replaces_archive_row(banten, briefing_db):
    again = render_briefing(*BANTEN, strict=True)
    assert again.path == banten.path
    with psycopg.connect(briefing_db) as conn:
        rows = conn.execute("select pdf_sha256 from audit.briefings").fetchall()
    assert rows == [(again.sha256,)]
    assert hashlib.sha256(again.path.read_bytes()).hexdigest() == again.sha256


def test_kota_briefing_is_restricted_to_its_region(briefing_db):
    result = render_briefing(*KOTA_SERANG, strict=True)
    text = pdf_text(result.path)
    assert has(text, f"{EXPECTED['kota_serang_total']} Orang asing berada di wilayah")
    assert has(text, "2 kewarganegaraan")
    assert has(text, "1 Temuan terbuka")
    assert has(text, "Kota Serang 15 1")
    assert "Kabupaten Tangerang" not in text and "Kota Cilegon" not in text
    # Its finding types only (every type is still defined in the methodology)
    assert has(text, "SKTT_TERLAMBAT Dukcapil 1 0 1 0") and not has(text, "OVERSTAY Kantor Imigrasi")


def test_english_briefing(briefing_db):
    result = render_briefing(*BANTEN, language="en", strict=True)
    text = pdf_text(result.path)
    assert result.path.name == "briefing_36_2025-10-30_en.pdf"
    assert has(text, f"{EXPECTED['banten_total_en']} Foreigners present")
    assert has(text, "Page 1 of") and has(text, "RESTRICTED")
    assert has(text, "Input data quality: a batch was rejected")
    assert PdfReader(result.path).trailer["/Root"]["/Lang"] == "en"


def test_small_counts_suppressed(briefing_db, monkeypatch):
    monkeypatch.setenv("PANTAU_SUPPRESS_BELOW", "10")
    result = render_briefing(*KOTA_SERANG, strict=True)
    text = pdf_text(result.path)
    assert has(text, "India (IND) < 10")
    assert has(text, "Tiongkok (CHN) 12")
    assert has(text, "< 10 Temuan terbuka")  # one open finding
    assert has(text, "ditampilkan sebagai “< 10”")


def test_cutoff_defaults_to_meeting_minus_lead_days(briefing_db, monkeypatch):
    monkeypatch.delenv("PANTAU_AS_OF")
    result = render_briefing(*KOTA_SERANG, strict=True)  # 2025-10-28, lead_days 1
    assert result.data_cutoff == date(2025, 10, 27)


def test_mart_built_after_cutoff_is_an_error(briefing_db, monkeypatch):
    monkeypatch.setenv("PANTAU_AS_OF", "2025-09-01")
    with pytest.raises(BriefingDataError, match="after the briefing's cut-off"):
        render_briefing(*BANTEN, strict=True)


def test_changes_since_previous_meeting(briefing_db, monkeypatch):
    """January's Banten meeting compares with October's cut-off (2025-10-27)."""
    monkeypatch.setenv("PANTAU_AS_OF", "2026-01-26")
    with psycopg.connect(briefing_db) as conn:
        conn.execute(
            "insert into marts.fct_findings (finding_id, finding_code, region_code, responsible_agency, "
            "first_seen_date, status, resolved_date, reference_date) values "
            "('f1', 'OVERSTAY', '36.03', 'Kantor Imigrasi', '2025-10-20', 'selesai', '2025-12-01', "
            "'2026-01-26'),"
            "('f7', 'LOKASI_BERBEDA', '36.04', 'Disnakertrans', '2025-12-15', 'baru', null, '2026-01-26')"
        )
    result = render_briefing("36", date(2026, 1, 29), strict=True)
    text = pdf_text(result.path)
    assert has(text, "Perubahan sejak rapat sebelumnya (30 Oktober 2025)")
    # f7 new; f2, f3, f4 continuing (first seen before 27 Oct); f1 resolved in December; f5 resolved before
    assert has(text, "1 temuan baru")
    assert has(text, "3 temuan berlanjut")
    assert has(text, "1 temuan selesai")
    # The marts' latest run at or before the cut-off is 2025-11-30: the PDF says so
    assert has(text, "data mart dihitung per 30 November 2025")
    assert has(text, "9.999")  # Kabupaten Tangerang, as of that run


def test_unknown_region_is_refused_with_the_fix(briefing_db):
    """Any date renders (a meeting not in the calendar is ad hoc, tests/briefing/test_ad_hoc.py);
    a region the warehouse does not know does not."""
    with pytest.raises(BriefingDataError, match=r"Region .99. is not in marts.dim_regions; add it"):
        render_briefing("99", date(2025, 10, 31))


def test_unknown_language(briefing_db):
    with pytest.raises(ValueError, match="language"):
        render_briefing(*BANTEN, language="fr")


def test_other_province_sees_only_its_own(briefing_db):
    result = render_briefing("62", date(2025, 10, 29), strict=True)
    text = pdf_text(result.path)
    assert has(text, "99 Orang asing berada di wilayah")
    assert has(text, "1 Temuan terbuka")
    assert has(text, "Kota Palangka Raya 99 1")
    assert "Banten" not in text and "Kabupaten Tangerang" not in text
    # Its own files: the latest permit file is Kalteng's; Banten's rejected TKA file is not shown
    assert has(text, "imigrasi_izin_tinggal izin_62_2025-10.csv")
    assert has(text, "disnaker_tka tka_62_2025-10.xlsx")
    assert "tka_2025-10.xlsx" not in text
    with psycopg.connect(briefing_db) as conn:
        (batches,) = conn.execute(
            "select input_batches from audit.briefings where briefing_id = %s", (result.briefing_id,)
        ).fetchone()
    # b-izin-1 names no region at all: counted for every province rather than hidden from all
    assert batches["imigrasi_izin_tinggal"] == ["b-izin-1", "b-izin-62"]
    assert batches["disnaker_tka"] == ["b-tka-1"]


def test_files_without_region_seeds_count_everywhere(briefing_db):
    """Before dbt has built its region key table, no file can be placed: all of them are shown."""
    with psycopg.connect(briefing_db) as conn:
        conn.execute("drop table staging.stg_reference__region_keys")
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    assert has(text, "imigrasi_izin_tinggal izin_62_2025-10.csv")


def test_all_feeds_accepted_is_tervalidasi(briefing_db):
    with psycopg.connect(briefing_db) as conn:
        conn.execute("update audit.load_ledger set status = 'accepted'")
        conn.execute("delete from audit.dq_results where not success")
        for feed in ("imigrasi_apoa", "masyarakat_laporan"):
            conn.execute(
                "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, "
                "status) values (%s, %s, 'x.csv', md5(%s), 1, 'accepted')",
                (f"b-{feed}-late", feed, feed),
            )
    result = render_briefing(*BANTEN, strict=True)
    assert result.quality_status == "validated"
    text = pdf_text(result.path)
    assert has(text, "Status kualitas data masukan: tervalidasi")
    assert not has(text, "ditolak 215")


def test_unresolved_region_finding_counts_for_its_province(briefing_db):
    """The real mart also carries province_code: a finding without a kab/kota is still the province's."""
    with psycopg.connect(briefing_db) as conn:
        conn.execute("alter table marts.fct_findings add column province_code text")
        conn.execute("update marts.fct_findings set province_code = left(region_code, 2)")
        conn.execute(
            "insert into marts.fct_findings (finding_id, finding_code, region_code, province_code, "
            "responsible_agency, first_seen_date, status, reference_date) values "
            "('f8', 'OVERSTAY', null, '36', 'Kantor Imigrasi', '2025-10-25', 'baru', '2025-10-27'),"
            "('f9', 'OVERSTAY', null, '62', 'Kantor Imigrasi', '2025-10-25', 'baru', '2025-10-27')"
        )
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    assert has(text, "5 Temuan terbuka")
    assert has(text, "tidak teridentifikasi 7 1")
    kota = pdf_text(render_briefing(*KOTA_SERANG, strict=True).path)
    assert has(kota, "1 Temuan terbuka")


def test_warehouse_without_marts_says_so(warehouse_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PANTAU_OUTPUT_DIR", str(tmp_path))
    with pytest.raises(BriefingDataError, match="marts are not built"):
        render_briefing(*BANTEN, strict=True)
    assert list(tmp_path.iterdir()) == []
