"""Lodging staging reads each distinct date, region and nationality text once and joins the result
back (stg_imigrasi__lodging_reports); these tests hold it to what the per-row SQL it replaced gave:
the date function, the matching key and the key tables applied to every raw row. Real dbt builds,
full and incremental, on awkward values."""

from __future__ import annotations

from pathlib import Path

import psycopg
import raw_rows
from conftest import build

# Every date shape the date function reads, impossible dates and times, blanks and NULL.
DATES = [
    "27/10/2025",
    "7/8/2025",
    "27-10-2025",
    "27.10.2025",
    "27/10/2025 08:15",
    "27/10/2025, 08.15.30",
    "2025-10-27",
    "2025-10-27T08:15:00+07:00",
    "2025-10-27 08:15:00.123456Z",
    "45957",
    "45957.5",
    "27 Okt 2025",
    "27 October 2025",
    "27-Oct-2025",
    "5 Mei 2025",
    "17 Agustus 2025",
    " 07/08/2025 ",
    "07/08/2025",
    "29/02/2024",
    "31/02/2025",
    "29/02/2025",
    "00/07/2025",
    "15/13/2025",
    "32/01/2025 10:15:00",
    "27/10/2025 25:00",
    "27/10-2025",
    "10000",
    "2101-01-01",
    "besok",
    "",
    "   ",
    None,
]

# Alias spellings, codes, ambiguous bare names, unknown names, blanks and NULL.
REGIONS = [
    "KAB. SERANG",
    "Kab Serang",
    "kab.serang",
    "serang (kota)",
    "Kota  Serang",
    "Serang",
    " SERANG ",
    "Palangka Raya",
    "Palangkaraya",
    "Kotim",
    "36.04",
    "3604",
    "Banjar",
    "Kota Antah Berantah",
    "",
    "  ",
    None,
]

COUNTRIES = [
    "RRT",
    "R.R.T.",
    "Tiongkok",
    "china",
    "Korea",
    "KOR",
    "Korea Selatan",
    "USA",
    "Atlantis",
    "",
    None,
]

BATCHES = {
    "b-apoa-odd-1": ("imigrasi_apoa", "accepted", "2025-10-26 12:00+07"),
    "b-apoa-odd-2": ("imigrasi_apoa", "accepted", "2025-10-27 12:00+07"),
}

# The per-row reference: each raw row read by the date function and resolved through the key
# tables by its matching key, as staging did row by row (region_raw/country_raw: macro clean_text).
DISAGREEING = """
with expected as (
    select
        raw_rows._batch_id as batch_id,
        raw_rows._row_number as source_row_number,
        staging.parse_date(raw_rows.tanggal_lahir) as birth_date,
        staging.parse_date(raw_rows.tanggal_masuk) as check_in_date,
        staging.parse_date(raw_rows.tanggal_keluar) as check_out_date,
        nullif(regexp_replace(btrim(raw_rows.kabupaten_kota), '\\s+', ' ', 'g'), '') as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,
        nullif(regexp_replace(btrim(raw_rows.kewarganegaraan), '\\s+', ' ', 'g'), '') as country_raw,
        country_keys.country_code
    from raw.imigrasi_apoa as raw_rows
    left join staging.stg_reference__region_keys as region_keys
        on region_keys.match_key = staging.text_key(raw_rows.kabupaten_kota)
    left join staging.stg_reference__country_keys as country_keys
        on country_keys.match_key = staging.text_key(raw_rows.kewarganegaraan)
)
select staged.lodging_report_key
from staging.stg_imigrasi__lodging_reports as staged
left join expected
    on staged.batch_id = expected.batch_id and staged.source_row_number = expected.source_row_number
where (
    staged.birth_date, staged.check_in_date, staged.check_out_date, staged.region_raw, staged.region_code,
    staged.province_code, staged.is_region_ambiguous, staged.country_raw, staged.country_code
) is distinct from (
    expected.birth_date, expected.check_in_date, expected.check_out_date, expected.region_raw,
    expected.region_code, expected.province_code, expected.is_region_ambiguous, expected.country_raw,
    expected.country_code
)
"""


def _insert_batch(dsn: str, batch: str, shift: int, ids: list[str]) -> None:
    """One APOA batch: row i carries the i-th id and every list cycled from a different offset, so
    each text appears in each column."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        raw_rows.insert_ledger(conn, {batch: BATCHES[batch]})
        for number, report_id in enumerate(ids, start=1):
            i = number + shift
            conn.execute(
                "insert into raw.imigrasi_apoa (id_laporan, nama_penginapan, kabupaten_kota, nama_tamu,"
                " no_paspor, kewarganegaraan, tanggal_lahir, tanggal_masuk, tanggal_keluar, tujuan_kunjungan,"
                " _batch_id, _source_file, _row_number)"
                " values (%s, 'Hotel Uji', %s, 'Tamu Uji', %s, %s, %s, %s, %s, 'WISATA', %s, %s, %s)",
                (
                    report_id,
                    REGIONS[i % len(REGIONS)],
                    f"X{number:07d}",
                    COUNTRIES[i % len(COUNTRIES)],
                    DATES[i % len(DATES)],
                    DATES[(i + 7) % len(DATES)],
                    DATES[(i + 13) % len(DATES)],
                    batch,
                    f"imigrasi_apoa/{batch}.csv",
                    number,
                ),
            )


def _query(dsn: str, query: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


def test_staging_reads_each_text_as_the_per_row_sql_did(loaded_warehouse: str, tmp_path: Path) -> None:
    rows = len(DATES) * 2
    _insert_batch(loaded_warehouse, "b-apoa-odd-1", 0, [f"APOA-ODD-{n:04d}" for n in range(rows)])
    selection = ["build", "--select", "+stg_imigrasi__lodging_reports", "--exclude-resource-type", "test"]
    build(tmp_path / "full", *selection, "--exclude-resource-type", "unit_test")
    assert _query(loaded_warehouse, DISAGREEING) == []

    # Incremental run: new reports and corrections (same id, other case) of the first batch.
    ids = [f"APOA-ODD-{n:04d}" for n in range(rows, rows + len(REGIONS))] + ["apoa-odd-0001", "apoa-odd-0002"]
    _insert_batch(loaded_warehouse, "b-apoa-odd-2", 5, ids)
    build(tmp_path / "incremental", *selection, "--exclude-resource-type", "unit_test")
    assert _query(loaded_warehouse, DISAGREEING) == []

    # The cases are there: each version of every odd report staged once, from the newer batch
    # when corrected; dates read and unread, regions resolved, ambiguous and unknown.
    staged = _query(
        loaded_warehouse,
        "select count(*), count(*) filter (where batch_id = 'b-apoa-odd-2'),"
        " count(distinct check_in_date), count(*) filter (where check_in_date is null),"
        " count(distinct region_code), count(*) filter (where is_region_ambiguous),"
        " count(*) filter (where region_raw is not null and province_code is null),"
        " count(distinct country_code)"
        " from staging.stg_imigrasi__lodging_reports where lodging_report_key like 'APOA-ODD-%'",
    )
    total, from_second, dates_read, dates_unread, regions, ambiguous, unknown, countries = staged[0]
    assert (total, from_second) == (rows + len(REGIONS), len(REGIONS) + 2)
    assert dates_read >= 5 and dates_unread > 0
    assert regions >= 4 and ambiguous > 0 and unknown > 0 and countries >= 3
