"""The briefing's sections (DESIGN.md "Briefing", issue 6 item 3) read back from the PDF text."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import psycopg
import pytest
from briefing_data import EXPECTED, has, pdf_text

from pantau.briefing import render_briefing
from pantau.briefing.quality import load_quality

BANTEN = ("36", date(2025, 10, 30))
KOTA_SERANG = ("36.73", date(2025, 10, 28))


@pytest.fixture
def banten_text(briefing_db) -> str:
    return pdf_text(render_briefing(*BANTEN, strict=True).path)


def test_summary_headlines_and_developments(banten_text):
    text = banten_text
    assert has(text, f"{EXPECTED['banten_total']} Orang asing berada di wilayah")
    assert has(text, "4 Temuan terbuka 2 baru, 1 selesai")
    assert has(text, f"{EXPECTED['workers_total']} Tenaga kerja asing aktif")
    assert has(
        text,
        f"{EXPECTED['arrivals_last_week']} Kedatangan tamu asing, 7 hari terakhir "
        f"rata-rata 12 minggu sebelumnya: {EXPECTED['arrivals_baseline']}/minggu",
    )
    # Three developments, most important first: findings, then the rejected file, then arrivals
    assert has(
        text,
        "Terdeteksi 2 temuan baru, terbanyak Melebihi izin tinggal (overstay) (1), untuk "
        "ditindaklanjuti oleh Kantor Imigrasi. 2 di antaranya berprioritas tinggi.",
    )
    assert has(text, "Berkas terakhir dari Disnakertrans (disnaker_tka) ditolak pemeriksaan kualitas")
    assert has(
        text,
        "Kedatangan tamu asing di penginapan dalam 7 hari terakhir (35) 400,0% di atas rata-rata "
        "12 minggu sebelumnya (7,0 per minggu). Terbanyak dari Tiongkok (30).",
    )
    sentences = re.search(r"Perkembangan utama (.*?) Keadaan temuan", text).group(1)
    assert sentences.index("Terdeteksi") < sentences.index("Berkas terakhir") < sentences.index("Kedatangan")
    assert "orang asing memegang izin tinggal berlaku" not in sentences  # only three


def test_permit_type_and_purpose(banten_text):
    text = banten_text
    assert has(text, "Tujuan ITK ITAS ITAP Tidak diketahui Jumlah")
    assert has(text, f"Bekerja 0 {EXPECTED['bekerja_total']} 0 0 {EXPECTED['bekerja_total']}")
    assert has(text, "Kunjungan 237 0 0 0 237")
    assert has(text, "Lainnya 0 0 0 7 7")  # no permit type recognised
    assert has(
        text, f"Jumlah {EXPECTED['itk_total']} {EXPECTED['itas_total']} 87 7 {EXPECTED['banten_total']}"
    )


def test_arrivals_trend(banten_text):
    assert has(banten_text, "Kedatangan tamu asing per minggu")  # the SVG chart's title, as text
    assert has(banten_text, "Tiongkok (CHN) 30 2,0")
    assert has(banten_text, "Korea Selatan (KOR) 5 5,0")


def test_foreign_workers(banten_text):
    text = banten_text
    assert has(text, f"Industri {EXPECTED['industri']} 95,1%")
    assert has(text, "Pertanian dan maritim 2 1,0%")
    assert has(text, f"Jumlah {EXPECTED['workers_total']}")
    assert has(text, "Kota Cilegon 75 36,6%")  # by work location
    assert has(text, "tidak teridentifikasi 2 1,0%")
    assert has(text, "C – Industri Pengolahan 195")  # KBLI section
    assert has(text, "PT Baja Pesisir Makmur Kabupaten Serang Industri 150")  # both sites, main one shown
    assert has(text, "4 dari 4 pemberi kerja")
    assert "PT Sawit Kahayan" not in text  # Kalimantan Tengah's


def test_follow_up_per_agency(banten_text):
    text = banten_text
    assert has(text, "Tindak lanjut per instansi")
    assert has(text, "Kantor Imigrasi (2 temuan terbuka)")
    assert has(text, "Melebihi izin tinggal (overstay) Kota Cilegon tinggi 0 1 0 01/08/2025")
    assert has(text, "Melebihi izin tinggal (overstay) Kabupaten Tangerang tinggi 1 0 0 20/10/2025")
    assert has(text, "Izin tinggal segera berakhir Kabupaten Tangerang tinggi 0 0 1 –")
    assert has(text, "Disnakertrans (1 temuan terbuka)")
    assert has(text, "TKA tanpa ITAS kerja Kabupaten Serang tinggi 0 1 0 01/09/2025")
    assert has(text, "Dukcapil (1 temuan terbuka)")


def test_freshness_and_scorecard(banten_text):
    text = banten_text
    assert has(text, "Kesegaran data per sumber")
    assert has(text, "imigrasi_izin_tinggal tiap 31 hari 27/10/2025 tepat waktu")
    assert has(text, "masyarakat_laporan sewaktu-waktu – tepat waktu")  # ad hoc: never late
    assert has(text, "Kartu nilai per instansi Semua berkas yang diterima.")
    # Disnakertrans: 2 files (one rejected), 425 rows, 1 blocking check failed, its feed on time
    assert has(text, "Disnakertrans 2 1 1 425 0 1/0 1/1")
    # Kantor Imigrasi: two permit files of Banten's; the warning re-run passed, so no failed check
    assert has(text, "Kantor Imigrasi 2 2 0 1.612 2 0/0 1/1")
    assert "izin_62" not in text


def test_methodology_cutoff_and_definitions(banten_text):
    text = banten_text
    assert has(
        text,
        "Batas data 27 Oktober 2025: semua angka dihitung per tanggal acuan 27 Oktober 2025",
    )
    assert has(text, "Definisi temuan")
    assert has(text, "SKTT terlambat (> 14 hari) SKTT_TERLAMBAT Pemegang ITAS tanpa SKTT lebih dari 14 hari")
    assert has(text, "Polri (Intelkam) (polri_laporan, tiap 7 hari)")


def test_kota_briefing_sections(briefing_db):
    text = pdf_text(render_briefing(*KOTA_SERANG, strict=True).path)
    assert has(text, "Penelitian 0 12 0 12")  # ITK, ITAS, (no ITAP column values) ...
    assert has(text, "Tidak ada tenaga kerja asing dengan RPTKA aktif pada tanggal acuan.")
    assert has(text, "0 Tenaga kerja asing aktif")
    assert has(text, "0 Kedatangan tamu asing, 7 hari terakhir")
    # Two developments only: nothing to say about arrivals or workers
    assert has(text, "Terdeteksi 1 temuan baru, terbanyak SKTT terlambat (> 14 hari) (1)")
    assert has(
        text,
        "15 orang asing memegang izin tinggal berlaku; terbanyak di Kota Serang (100,0%), dan "
        "kewarganegaraan terbanyak Tiongkok (12).",
    )
    assert "Kabupaten Serang" not in text


def test_sections_without_their_marts_say_so(briefing_db):
    """Every mart but dim_regions missing: each section says the data is not available."""
    with psycopg.connect(briefing_db) as conn:
        for table in (
            "fct_foreigners_present",
            "fct_findings",
            "dim_countries",
            "fct_foreigners_present_by_permit",
            "fct_foreign_workers_active",
            "fct_lodging_arrivals_weekly",
        ):
            conn.execute(f"drop table marts.{table}")
    result = render_briefing(*BANTEN, strict=True)
    text = pdf_text(result.path)
    for mart in (
        "fct_foreigners_present",
        "fct_findings",
        "fct_foreigners_present_by_permit",
        "fct_foreign_workers_active",
        "fct_lodging_arrivals_weekly",
    ):
        assert has(text, f"Data tidak tersedia: mart {mart} belum ada (atau belum lengkap)"), mart
    assert has(text, "– Orang asing berada di wilayah data tidak tersedia")
    assert has(text, "Kesegaran data per sumber")  # the audit tables still answer
    assert result.page_count >= 3


def test_optional_marts_missing_keep_the_rest(briefing_db):
    with psycopg.connect(briefing_db) as conn:
        conn.execute("drop table marts.fct_foreign_workers_active")
        conn.execute("drop table marts.fct_lodging_arrivals_weekly")
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    assert has(text, f"{EXPECTED['banten_total']} Orang asing berada di wilayah")
    assert has(text, "Data tidak tersedia: mart fct_foreign_workers_active belum ada")
    assert has(text, "– Tenaga kerja asing aktif data tidak tersedia")
    assert has(text, "Kunjungan 237 0 0 0 237")
    # The developments fall back to presence when arrivals are unknown
    assert has(
        text, "2.805 orang asing memegang izin tinggal berlaku; terbanyak di Kabupaten Tangerang (60,2%)"
    )


def test_mart_with_other_columns_reads_as_absent(briefing_db):
    with psycopg.connect(briefing_db) as conn:
        conn.execute("alter table marts.fct_foreign_workers_active rename column sector to sektor")
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    assert has(text, "Data tidak tersedia: mart fct_foreign_workers_active belum ada (atau belum lengkap)")
    assert has(text, "Kunjungan 237 0 0 0 237")  # the rest of the snapshot still reads


def test_changes_since_previous_meeting_in_headlines(briefing_db, monkeypatch):
    """January's meeting: the presence mart kept October's run, so the headline shows the change."""
    monkeypatch.setenv("PANTAU_AS_OF", "2026-01-26")
    text = pdf_text(render_briefing("36", date(2026, 1, 29), strict=True).path)
    # 2025-11-30 run (9.999, the latest at or before the cut-off) against 27 October's 2.805
    assert has(text, "9.999 Orang asing berada di wilayah +7.194 sejak rapat sebelumnya")
    # Findings: no new and none resolved since October
    assert has(text, "Temuan terbuka ±0 sejak rapat sebelumnya")
    # Freshness three months on: monthly and weekly feeds are missing, the quarterly one on time
    assert has(text, "polri_laporan tiap 7 hari 27/10/2025 tidak ada")
    assert has(text, "kesbangpol_penelitian tiap 92 hari 27/10/2025 tepat waktu")
    # The scorecard counts the files received since October's briefing was due: none
    assert has(text, "Berkas yang diterima sejak penyusunan briefing sebelumnya (27 Oktober 2025).")
    assert has(text, "Disnakertrans 0 0 0 0 0 0/0 0/1")
    assert has(text, "Kiriman data dari") or has(text, "Berkas terakhir dari")


def test_change_from_the_previous_briefing_when_marts_keep_one_run(briefing_db, monkeypatch):
    """dbt rebuilds the marts: only the latest run is left. The change is then taken from the
    figures kept beside October's PDF."""
    october = render_briefing(*BANTEN, strict=True)
    figures = json.loads(october.path.with_suffix(".json").read_text())
    assert figures["present"] == 2805 and figures["workers"] == 205 and figures["open_findings"] == 4
    with psycopg.connect(briefing_db) as conn:
        conn.execute("delete from marts.fct_foreigners_present where reference_date <> '2025-11-30'")
        conn.execute("update marts.fct_foreign_workers_active set worker_count = worker_count + 10")
    monkeypatch.setenv("PANTAU_AS_OF", "2026-01-26")
    text = pdf_text(render_briefing("36", date(2026, 1, 29), strict=True).path)
    assert has(text, "9.999 Orang asing berada di wilayah +7.194 sejak rapat sebelumnya")
    assert has(text, "255 Tenaga kerja asing aktif +50 sejak rapat sebelumnya")  # 5 Banten rows, +10 each


def test_no_previous_briefing_no_change(briefing_db, monkeypatch):
    with psycopg.connect(briefing_db) as conn:
        conn.execute("delete from marts.fct_foreigners_present where reference_date <> '2025-11-30'")
    monkeypatch.setenv("PANTAU_AS_OF", "2026-01-26")
    text = pdf_text(render_briefing("36", date(2026, 1, 29), strict=True).path)
    assert has(text, "9.999 Orang asing berada di wilayah 4 Temuan terbuka")  # nothing to compare with


def test_freshness_follows_the_audit_view(briefing_db):
    """For one province's files judged now, the briefing's freshness equals audit.feed_freshness."""
    with psycopg.connect(briefing_db) as conn:
        conn.execute("delete from audit.load_ledger where batch_id like '%%62'")
        conn.execute(
            "update audit.load_ledger set validated_at = now() - make_interval(hours => case feed "
            "when 'imigrasi_izin_tinggal' then 40 * 24 when 'polri_laporan' then 20 * 24 "
            "when 'imigrasi_apoa' then 30 else 12 end)"
        )
        view = dict(conn.execute("select feed, freshness_status from audit.feed_freshness").fetchall())
        quality = load_quality(conn, None, as_of=datetime.now(UTC))
    ours = {f.feed: f.status for f in quality.freshness}
    assert ours == view
    assert view["imigrasi_izin_tinggal"] == view["imigrasi_apoa"] == "terlambat"
    assert view["polri_laporan"] == "tidak ada" and view["dukcapil_sktt"] == "tepat waktu"


def test_files_held_back_are_listed_even_when_a_good_file_followed(briefing_db):
    """A rejected Disnaker file, then an accepted one: the rejected file is no longer the feed's
    latest, yet the quality section still names it with the check it failed; a quarantined file
    is named with its error code. Both concern every briefing (no rows place them elsewhere)."""
    with psycopg.connect(briefing_db) as conn:
        conn.execute(
            "update audit.dq_results set expectation_config = expectation_config || %s "
            "where batch_id = 'b-tka-2' and not success",
            (json.dumps({"description": "Nomor paspor wajib diisi / passport number is required"}),),
        )
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "row_count, reject_count, received_at, error_code) values "
            "('b-tka-3', 'disnaker_tka', 'disnaker_tka/tka_2025-10_perbaikan.xlsx', md5('b-tka-3'), 1000, "
            " 'accepted', 215, 0, timestamptz '2025-10-27 10:00+07', null), "
            "('b-q-1', 'polri_laporan', 'polri_laporan/laporan.pdf', md5('b-q-1'), 1000, "
            " 'quarantined', 0, 0, timestamptz '2025-10-27 10:05+07', 'BUKAN_TABEL')"
        )
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    held = text.split("Berkas yang ditahan")[1].split("Pemeriksaan mart")[0]
    assert has(held, "disnaker_tka tka_2025-10.xlsx 27/10/2025 ditolak Nomor paspor wajib diisi")
    assert has(held, "(no_paspor) [memblokir] ×3")
    assert has(held, "polri_laporan laporan.pdf 27/10/2025 dikarantina BUKAN_TABEL")
    assert "perbaikan" not in held  # accepted files are not held back
    english = pdf_text(render_briefing(*BANTEN, language="en", strict=True).path)
    assert has(english.split("Files held back")[1], "rejected passport number is required (no_paspor)")


def test_no_file_held_back(briefing_db):
    with psycopg.connect(briefing_db) as conn:
        conn.execute("delete from audit.load_ledger where status in ('rejected', 'quarantined')")
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    assert has(text, "Berkas yang ditahan Tidak ada berkas yang ditolak atau dikarantina dalam periode ini.")


def test_presence_trend_from_the_daily_fact(briefing_db):
    """Weekly points up to the cut-off, permit holders only, the briefing's own scope, gaps where
    the daily fact has no day; drawn as a chart with its caption."""
    from pantau.briefing.breakdowns import load_presence_trend
    from pantau.briefing.data import Region

    with psycopg.connect(briefing_db) as conn:
        conn.execute(
            "create table marts.fct_foreigners_present_daily (presence_date date, region_code text, "
            "province_code text, country_code text, permit_type text, permit_holder_count int, "
            "lodging_guest_count int)"
        )
        rows = [
            ("2025-10-27", "36.01", "36", "CHN", "ITAS", 40, 9),
            ("2025-10-27", "36.72", "36", "KOR", "ITK", 2, 0),
            ("2025-10-27", None, "36", "JPN", "ITAS", 1, 0),  # unresolved kab/kota: still Banten
            ("2025-10-27", "62.71", "62", "CHN", "ITAS", 500, 0),  # another province
            ("2025-10-26", "36.01", "36", "CHN", "ITAS", 999, 0),  # not a sampled weekday
            ("2025-10-20", "36.01", "36", "CHN", "ITAS", 30, 5),
            ("2025-10-13", "36.01", "36", "CHN", "ITAS", 0, 7),  # only lodging guests that day
            ("2025-11-03", "36.01", "36", "CHN", "ITAS", 77, 0),  # after the cut-off
        ]
        conn.cursor().executemany(
            "insert into marts.fct_foreigners_present_daily values (%s, %s, %s, %s, %s, %s, %s)", rows
        )
        banten = Region("36", "Banten", "provinsi", "36", "Banten")
        trend = load_presence_trend(conn, banten, date(2025, 10, 27))
        cilegon = load_presence_trend(
            conn, Region("36.72", "Kota Cilegon", "kota", "36", "Banten"), date(2025, 10, 27)
        )
    assert trend == [(date(2025, 10, 13), 0), (date(2025, 10, 20), 30), (date(2025, 10, 27), 43)]
    assert cilegon == [(date(2025, 10, 27), 2)]  # a single point: no chart
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    assert has(text, "hari yang sama pada 12 minggu sebelumnya")


def test_many_files_held_back_list_the_newest_and_count_the_rest(briefing_db):
    from pantau.briefing.render import HELD_BACK_SHOWN

    extra = HELD_BACK_SHOWN + 1  # with b-tka-2 already rejected: two more than are shown
    with psycopg.connect(briefing_db) as conn:
        for n in range(extra):
            conn.execute(
                "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, "
                "status, row_count, reject_count, received_at, error_code) values (%s, 'polri_laporan', "
                "%s, md5(%s), 10, 'quarantined', 0, 0, timestamptz '2025-10-27 11:00+07' "
                "+ make_interval(mins => %s), 'BERKAS_KOSONG')",
                (f"b-many-{n}", f"polri_laporan/kosong_{n:02d}.csv", f"b-many-{n}", n),
            )
    text = pdf_text(render_briefing(*BANTEN, strict=True).path)
    held = text.split("Berkas yang ditahan")[1].split("Pemeriksaan mart")[0]
    assert f"kosong_{extra - 1:02d}.csv" in held and "kosong_01.csv" in held  # the newest
    assert "kosong_00.csv" not in held and "tka_2025-10.xlsx" not in held  # the two oldest
    assert has(held, "… dan 2 berkas lain (lihat audit.load_ledger dan Data Docs).")
