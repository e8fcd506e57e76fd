"""Real `dbt build` (seeds, models, data tests, unit tests) on hand-written raw batches."""

from __future__ import annotations

import os
import re
from pathlib import Path

import psycopg
import pytest
import raw_rows
from conftest import build
from dbt_cli import run_dbt

pytestmark = pytest.mark.slow  # dbt builds: minutes each

AS_OF = "2025-10-27"
PII_COLUMN = re.compile(r"nama|name|paspor|passport|alamat|address|birth|lahir|uraian|description|activity")
ALLOWED_NAME_COLUMNS = {
    "region_name",
    "province_name",
    "name_en",
    "name_id",
    "employer_name",
    "employer_name_key",
    "kbli_section_name",
    "lodging_name",
}


def _rows(dsn: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()


def test_present_counts_by_region_and_country(built_warehouse: str) -> None:
    rows = _rows(
        built_warehouse,
        "select reference_date::text, region_code, province_code, country_code, foreigner_count"
        " from marts.fct_foreigners_present order by region_code nulls last, country_code",
    )
    assert rows == [
        (AS_OF, "36.01", "36", "AUS", 1),  # the later batch's corrected permit wins
        (AS_OF, "36.02", "36", "GBR", 1),
        (AS_OF, "36.03", "36", "USA", 1),  # two permits, one person, most recent permit's region
        (AS_OF, "36.04", "36", "CHN", 1),
        (AS_OF, "36.73", "36", "KOR", 1),
        (AS_OF, "62.71", "62", "DEU", 1),
        (AS_OF, "62.71", "62", "NLD", 1),
        (AS_OF, None, "36", "CHN", 1),  # bare "Serang": not guessed, but the province is known
    ]


def test_rejected_batch_never_reaches_staging_or_marts(built_warehouse: str) -> None:
    permits = _rows(built_warehouse, "select permit_number, batch_id from staging.stg_imigrasi__stay_permits")
    assert "2C21AB0009" not in {p for p, _ in permits}
    assert "b-izin-rejected" not in {b for _, b in permits}
    assert (
        _rows(built_warehouse, "select * from marts.fct_foreigners_present where country_code = 'MYS'") == []
    )
    # Deduplication: one row per permit number, from the latest accepted batch.
    assert len(permits) == len({p for p, _ in permits}) == 11
    assert dict(permits)["2C21AB0007"] == "b-izin-2"


def test_ambiguous_region_stays_unresolved(built_warehouse: str) -> None:
    rows = _rows(
        built_warehouse,
        "select region_raw, region_code, province_code, is_region_ambiguous"
        " from staging.stg_imigrasi__stay_permits where permit_number = '2C21AB0003'",
    )
    assert rows == [("Serang", None, "36", True)]
    resolved = dict(
        _rows(built_warehouse, "select permit_number, region_code from staging.stg_imigrasi__stay_permits")
    )
    assert resolved["2C21AB0001"] == "36.04"  # KAB. SERANG
    assert resolved["2C21AB0002"] == "36.73"  # Kota Serang
    assert resolved["1B11AB0004"] == "36.72"  # Cilegon
    assert resolved["2C21AB0005"] == "36.74"  # Kota Tangsel


def test_overstay_found_for_the_expired_visitor_only(built_warehouse: str) -> None:
    key = os.environ["PANTAU_PII_KEY"]
    rows = _rows(
        built_warehouse,
        "select finding_id, finding_code, region_code, responsible_agency, severity, person_key,"
        " first_seen_date::text, last_seen_date::text, status, resolved_date, reference_date::text, detail"
        " from marts.fct_findings where finding_code = 'OVERSTAY'",
    )
    assert len(rows) == 1
    finding = rows[0]
    expected_key = raw_rows.person_key("TZ1111111", "JPN", key)
    assert finding[1:11] == (
        "OVERSTAY",
        "36.74",  # the latest late record: police registration in Kota Tangsel
        "Kantor Imigrasi",
        "tinggi",
        expected_key,
        "2025-09-15",
        "2025-10-01",
        "baru",
        None,
        AS_OF,
    )
    assert "TZ1111111" not in finding[11] and "Sato" not in finding[11]
    # Authorised officers find the person behind the key in the restricted schema only.
    subjects = _rows(
        built_warehouse,
        "select passport_norm, person_name from restricted.restricted_finding_subjects where finding_id = %s",
        (finding[0],),
    )
    assert subjects == [("TZ1111111", "Sato Hiro")]


def test_every_finding_rule_on_the_hand_written_cases(built_warehouse: str) -> None:
    rows = _rows(
        built_warehouse,
        "select finding_code, region_code, province_code, responsible_agency, severity, employer_name,"
        " first_seen_date::text from marts.fct_findings order by 1, 2 nulls last",
    )
    assert rows == [
        # Kim Minjun: C312 work permit, no Disnaker record
        ("ITAS_KERJA_TANPA_RPTKA", "36.73", "36", "Disnakertrans", "sedang", None, "2025-03-01"),
        # Mary Major: ITAS expiring 2025-11-15
        ("IZIN_SEGERA_BERAKHIR", "36.02", "36", "Kantor Imigrasi", "rendah", None, "2025-10-16"),
        # Lurah's report of Chinese workers in Kota Serang; no agency record of CHN there
        ("LAPORAN_MASYARAKAT_TIDAK_COCOK", "36.73", "36", "Kesbangpol", "sedang", None, "2025-10-10"),
        ("OVERSTAY", "36.74", "36", "Kantor Imigrasi", "tinggi", None, "2025-09-15"),
        # Hans Forscher: E29 without a notification
        ("PENELITI_TANPA_PEMBERITAHUAN", "62.71", "62", "Kesbangpol", "sedang", None, "2025-08-01"),
        # ITAS holders without SKTT: Li Wei, Jane Roe, John Doe, and Zhang Min (bare "Serang")
        ("SKTT_TERLAMBAT", "36.01", "36", "Dukcapil", "sedang", None, "2025-04-16"),
        ("SKTT_TERLAMBAT", "36.03", "36", "Dukcapil", "sedang", None, "2025-06-16"),
        ("SKTT_TERLAMBAT", "36.04", "36", "Dukcapil", "sedang", None, "2025-02-16"),
        ("SKTT_TERLAMBAT", None, "36", "Dukcapil", "sedang", None, "2025-02-28"),
        # Ah Kow: active RPTKA, no stay permit at all
        ("TKA_TANPA_ITAS", "62.02", "62", "Kantor Imigrasi", "tinggi", "PT Sawit Kalteng", "2025-03-01"),
    ]


def test_marts_carry_no_personal_data(built_warehouse: str) -> None:
    columns = _rows(
        built_warehouse,
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'",
    )
    assert columns, "no marts were built"
    offending = [
        (table, column)
        for table, column in columns
        if PII_COLUMN.search(column) and column not in ALLOWED_NAME_COLUMNS
    ]
    assert offending == []
    # No value in any text column of any mart equals a passport number or a name from the input.
    with psycopg.connect(built_warehouse) as conn:
        for table, column in columns:
            found = conn.execute(
                f'select count(*) from marts."{table}" where "{column}"::text = any(%s)',
                (raw_rows.PASSPORTS_AND_NAMES,),
            ).fetchone()[0]
            assert found == 0, (table, column)


def test_staging_normalises_every_feed(built_warehouse: str) -> None:
    workers = _rows(
        built_warehouse,
        "select kbli_section_code, region_code, country_code, start_date::text, end_date::text"
        " from staging.stg_disnaker__foreign_workers order by rptka_number",
    )
    assert workers == [
        ("C", "36.04", "CHN", "2025-01-01", "2025-12-31"),
        ("A", "62.02", "MYS", "2025-03-01", "2026-02-28"),
    ]
    locations = _rows(
        built_warehouse,
        "select region_code from staging.stg_kesbangpol__research_locations order by location_number",
    )
    assert locations == [("62.71",), ("62.02",)]
    community = _rows(
        built_warehouse,
        "select reported_date::text, region_code, suspected_country_code, estimated_count"
        " from staging.stg_masyarakat__community_reports",
    )
    assert community == [("2025-10-10", "36.73", "CHN", 12)]
    police = _rows(
        built_warehouse,
        "select police_report_number, report_date::text, report_type, person_key is null"
        " from staging.stg_polri__police_reports order by 1",
    )
    assert police == [
        ("LP/002/X/2025", "2025-10-05", "GANGGUAN_KETERTIBAN", True),
        ("STM/001/X/2025", "2025-10-01", "STM", False),
    ]
    sktt = _rows(
        built_warehouse,
        "select country_code, region_code from staging.stg_dukcapil__residence_certificates"
        " order by sktt_number",
    )
    assert sktt == [("KOR", "36.73"), ("GBR", "36.02"), ("DEU", "62.71"), ("NLD", "62.71")]


def test_findings_persist_and_resolve_across_runs(loaded_warehouse: str, tmp_path: Path) -> None:
    # Models only (their tests run in the module-scoped build): this test is about state across runs.
    build(tmp_path / "first", "build", "--select", "+fct_findings", "--exclude", "resource_type:test",
          "resource_type:unit_test")  # fmt: skip
    built_warehouse = loaded_warehouse
    # The overstayer gets a new permit covering the sightings: the finding is resolved, not dropped.
    with psycopg.connect(built_warehouse, autocommit=True) as conn:
        raw_rows.insert_ledger(
            conn, {"b-izin-3": ("imigrasi_izin_tinggal", "accepted", "2025-11-02 08:00+07")}
        )
        conn.execute(
            "insert into raw.imigrasi_izin_tinggal (no_izin, jenis_izin, kewarganegaraan, no_paspor,"
            " tanggal_terbit, tanggal_berakhir, kabupaten_kota, _batch_id, _source_file, _row_number)"
            " values ('1B11AB0010', 'ITK', 'Jepang', 'TZ1111111', '2025-07-25', '2025-12-31', 'Cilegon',"
            " 'b-izin-3', 'b-izin-3.csv', 1)"
        )
    findings_only = ("run", "--select", "+fct_findings")
    # One target folder for the two runs with the same settings: the second reuses dbt's partial parse.
    build(tmp_path / "later", *findings_only, PANTAU_AS_OF="2025-11-03")
    overstay = (
        "select status, resolved_date::text, reference_date::text, first_seen_date::text"
        " from marts.fct_findings where finding_code = 'OVERSTAY'"
    )
    rows = _rows(built_warehouse, overstay)
    assert rows == [("selesai", "2025-11-03", "2025-11-03", "2025-09-15")]
    # Still detected a week later: continuing, first seen unchanged.
    assert _rows(
        built_warehouse,
        "select status, first_seen_date::text from marts.fct_findings where finding_code = 'TKA_TANPA_ITAS'",
    ) == [("berlanjut", "2025-03-01")]
    # Rerunning the same reference date changes nothing.
    build(tmp_path / "later", *findings_only, PANTAU_AS_OF="2025-11-03")
    assert _rows(built_warehouse, overstay) == rows


def test_build_fails_clearly_without_pii_key(warehouse_db: str, tool_env: None, tmp_path: Path) -> None:
    raw_rows.load_all(warehouse_db)
    os.environ.pop("PANTAU_PII_KEY", None)
    os.environ.pop("PGOPTIONS", None)
    from pantau import config

    config.export_tool_env()
    assert "PGOPTIONS" not in os.environ
    result = run_dbt(["build"], tmp_path)
    assert result.returncode != 0
    assert "PANTAU_PII_KEY is missing" in result.stdout
    # Nothing downstream of the hashed staging models was built.
    assert _rows(warehouse_db, "select to_regclass('marts.fct_findings')") == [(None,)]


def test_dbt_installs_the_date_function_and_staging_reads_dates_with_it(
    loaded_warehouse: str, tmp_path: Path
) -> None:
    """On a warehouse without the date function, dbt's on-run-start installs it (the same SQL the
    bootstrap installs), and staging's dates are exactly what it reads: calendar-impossible dates
    are NULL there, as gate 1 reports them (tests/quality/test_date_function.py)."""
    with psycopg.connect(loaded_warehouse, autocommit=True) as conn:
        conn.execute("drop function staging.parse_date(text)")
        conn.execute("drop function staging.parse_date_general(text)")
        raw_rows.insert_ledger(conn, {"b-polri-dates": ("polri_laporan", "accepted", "2025-10-26 10:00+07")})
        days = [
            "31/02/2025",
            "29/02/2025",
            "00/07/2025",
            "15/13/2025",
            "32/01/2025 10:15:00",
            "28/02/2025 10:15",
        ]
        for number, day in enumerate(days, start=1):
            report = f"LP/D{number}"
            conn.execute(
                "insert into raw.polri_laporan (no_laporan, tanggal, jenis, kabupaten_kota, kewarganegaraan,"
                " _batch_id, _source_file, _row_number) values (%s, %s, 'STM', 'Kab. Lebak', 'Japan',"
                " 'b-polri-dates', 'polri_laporan/b-polri-dates.csv', %s)",
                (report, day, number),
            )
    build(tmp_path, "build", "--select", "+stg_polri__police_reports", "--exclude", "resource_type:test")
    staged = dict(
        _rows(
            loaded_warehouse,
            "select police_report_number, report_date::text from staging.stg_polri__police_reports"
            " where police_report_number like 'LP/D%%'",
        )
    )
    assert staged == {
        "LP/D1": None,
        "LP/D2": None,
        "LP/D3": None,
        "LP/D4": None,
        "LP/D5": None,
        "LP/D6": "2025-02-28",
    }
    disagreeing = _rows(
        loaded_warehouse,
        "select raw_rows.no_laporan from raw.polri_laporan as raw_rows"
        " inner join staging.stg_polri__police_reports as staged"
        " on staged.police_report_number = upper(btrim(raw_rows.no_laporan))"
        " where staged.report_date is distinct from staging.parse_date(raw_rows.tanggal)",
    )
    assert disagreeing == []
    owner = _rows(
        loaded_warehouse, "select proowner::regrole::text from pg_proc where proname = 'parse_date'"
    )
    assert owner == [("postgres",)] or owner == [("pantau_transformer",)]
