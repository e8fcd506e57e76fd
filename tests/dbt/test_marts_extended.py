"""The marts beyond the briefing's core (employers, permit history, agency facts, lodging stays,
daily presence): contents on the hand-written batches, incremental runs equal to a full rebuild,
and the documentation (dbt docs catalog, the briefing exposure)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest
import raw_rows
from conftest import build
from dbt_cli import run_dbt

from pantau import config

pytestmark = pytest.mark.slow  # dbt builds: minutes each

INCREMENTAL_PATH = ("+fct_foreigners_present_daily", "+dim_stay_permits")


def _rows(dsn: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()


def test_dim_employers_one_row_per_company(built_warehouse: str) -> None:
    rows = _rows(
        built_warehouse,
        "select employer_name, region_code, province_code, kbli_section_code, sector, worker_count,"
        " active_worker_count from marts.dim_employers order by employer_name",
    )
    assert rows == [
        ("PT Baja Serang", "36.04", "36", "C", "INDUSTRI", 1, 1),
        ("PT Sawit Kalteng", "62.02", "62", "A", "PERTANIAN_DAN_MARITIM", 1, 1),
    ]


def test_agency_facts_count_what_the_batches_hold(built_warehouse: str) -> None:
    assert _rows(
        built_warehouse,
        "select report_month::text, region_code, country_code, report_type, report_count,"
        " linked_person_report_count from marts.fct_police_reports_monthly order by report_type",
    ) == [
        ("2025-10-01", "36.02", "CHN", "GANGGUAN_KETERTIBAN", 1, 0),
        ("2025-10-01", "36.74", "JPN", "STM", 1, 1),
    ]
    # Mary Major's SKTT expires 2025-11-15: valid and expiring within 30 days of 2025-10-27.
    assert _rows(
        built_warehouse,
        "select region_code, country_code, valid_count, expiring_soon_count"
        " from marts.fct_residence_certificates order by region_code, country_code",
    ) == [
        ("36.02", "GBR", 1, 1),
        ("36.73", "KOR", 1, 0),
        ("62.71", "DEU", 1, 0),
        ("62.71", "NLD", 1, 0),
    ]
    # One notice listing Palangka Raya and Kotawaringin Timur counts in both.
    assert _rows(
        built_warehouse,
        "select region_code, country_code, active_notice_count, researcher_count"
        " from marts.fct_research_notices_active order by region_code",
    ) == [("62.02", "NLD", 1, 1), ("62.71", "NLD", 1, 1)]
    assert _rows(
        built_warehouse,
        "select report_month::text, region_code, suspected_country_code, report_count,"
        " estimated_person_count from marts.fct_community_reports_monthly",
    ) == [("2025-10-01", "36.73", "CHN", 1, 12)]


def test_daily_presence_agrees_with_the_reference_date_mart(built_warehouse: str) -> None:
    """On the reference date, the permit holders of the daily fact are fct_foreigners_present."""
    daily = _rows(
        built_warehouse,
        "select region_code, country_code, sum(permit_holder_count)::int"
        " from marts.fct_foreigners_present_daily where presence_date = %s and permit_holder_count > 0"
        " group by 1, 2 order by 1, 2",
        ("2025-10-27",),
    )
    present = _rows(
        built_warehouse,
        "select region_code, country_code, foreigner_count from marts.fct_foreigners_present order by 1, 2",
    )
    assert daily == present
    # The guest without a stay permit (APOA-0004, bare "Serang": province only) is a lodging guest.
    assert _rows(
        built_warehouse,
        "select region_code, province_code, country_code, permit_type, lodging_guest_count"
        " from marts.fct_foreigners_present_daily"
        " where presence_date = '2025-10-27' and lodging_guest_count > 0",
    ) == [(None, "36", "DEU", "TIDAK_DIKETAHUI", 1)]


def _state(dsn: str) -> dict[str, list[tuple]]:
    """What an incremental run must leave exactly as a full rebuild would (run timestamps aside)."""
    queries = {
        "staging": "select lodging_report_key, lodging_report_id, person_key, batch_id, check_in_date,"
        " check_out_date, region_code, country_code from staging.stg_imigrasi__lodging_reports order by 1",
        "stays": "select lodging_report_key, person_key, batch_id, region_code, country_code,"
        " present_from_date, present_to_date, night_count from marts.fct_lodging_stays order by 1",
        "daily": "select presence_date, region_code, province_code, country_code, permit_type,"
        " foreigner_count, permit_holder_count, lodging_guest_count from marts.fct_foreigners_present_daily"
        " order by 1, 2 nulls first, 3, 4 nulls first, 5",
    }
    return {name: _rows(dsn, query) for name, query in queries.items()}


def test_incremental_runs_equal_a_full_rebuild(loaded_warehouse: str, tmp_path: Path) -> None:
    models_only = ("--exclude", "resource_type:test", "resource_type:unit_test")
    # One target folder for the three runs (same settings): dbt reuses its partial parse.
    build(tmp_path, "build", "--select", *INCREMENTAL_PATH, *models_only)
    with psycopg.connect(loaded_warehouse, autocommit=True) as conn:
        raw_rows.insert_ledger(
            conn,
            {
                "b-apoa-2": ("imigrasi_apoa", "accepted", "2025-10-27 08:00+07"),
                "b-izin-3": ("imigrasi_izin_tinggal", "accepted", "2025-10-27 09:00+07"),
            },
        )
        conn.execute(
            "insert into raw.imigrasi_apoa (id_laporan, kabupaten_kota, no_paspor, kewarganegaraan,"
            " tanggal_masuk, tanggal_keluar, _batch_id, _source_file, _row_number) values"
            # correction: the guest stayed three nights longer
            " ('apoa-0001', 'Kota Cilegon', 'TZ1111111', 'JPN', '15/09/2025', '20/09/2025',"
            " 'b-apoa-2', 'a.csv', 1),"
            # late report of an earlier stay, still open
            " ('APOA-0005', 'Kab. Lebak', 'Q5550005', 'Malaysia', '2025-10-01', null,"
            " 'b-apoa-2', 'a.csv', 2),"
            # today's arrival
            " ('APOA-0006', 'Kota Serang', 'Q5550006', 'India', '27/10/2025', null, 'b-apoa-2', 'a.csv', 3)"
        )
        # Imigrasi corrects a permit: the spouse's ITAS ended on 15/10/2025, not 15/11/2025.
        conn.execute(
            "insert into raw.imigrasi_izin_tinggal (no_izin, jenis_izin, indeks_visa, kewarganegaraan,"
            " no_paspor, tanggal_terbit, tanggal_berakhir, kabupaten_kota, _batch_id, _source_file,"
            " _row_number) values ('2C21AB0010', 'ITAS', 'E31A', 'Inggris', 'GB5550010', '16/11/2024',"
            " '15/10/2025', 'Kab. Lebak', 'b-izin-3', 'b.csv', 1)"
        )
    build(tmp_path, "build", "--select", *INCREMENTAL_PATH, *models_only)
    incremental = _state(loaded_warehouse)

    # Only the days the new batches touched were rebuilt: the corrected stay (15..19 Sep), the
    # late open report (1..14 Oct), today's arrival and the permit's old and new validity.
    rebuilt = _rows(
        loaded_warehouse,
        "select min(presence_date)::text, count(distinct presence_date)"
        " from marts.fct_foreigners_present_daily"
        " where updated_at = (select max(updated_at) from marts.fct_foreigners_present_daily)",
    )
    total_days = _rows(
        loaded_warehouse, "select count(distinct presence_date) from marts.fct_foreigners_present_daily"
    )
    # the permit 16/11/2024 .. 15/11/2025 clipped to the 366-day window: 2024-10-27 is outside
    assert rebuilt[0][0] == "2024-11-16"
    assert rebuilt[0][1] < total_days[0][0] == 366

    assert ("APOA-0001", "apoa-0001") in {row[:2] for row in incremental["staging"]}
    stays = {row[0]: row for row in incremental["stays"]}
    assert (str(stays["APOA-0001"][6]), stays["APOA-0001"][7]) == ("2025-09-19", 5)  # last night, nights
    # Mary Major (GBR) is no longer counted after 15 Oct.
    assert not [row for row in incremental["daily"] if row[3] == "GBR" and str(row[0]) > "2025-10-15"]
    assert [row for row in incremental["daily"] if row[3] == "GBR" and str(row[0]) == "2025-10-15"]
    # The snapshot kept both versions of the corrected permit.
    assert _rows(
        loaded_warehouse,
        "select version_number, expiry_date::text, is_current_version from marts.dim_stay_permits"
        " where permit_number = '2C21AB0010' order by version_number",
    ) == [(1, "2025-11-15", False), (2, "2025-10-15", True)]

    build(tmp_path, "build", "--full-refresh", "--select", *INCREMENTAL_PATH, *models_only)
    assert _state(loaded_warehouse) == incremental


def test_docs_catalog_describes_every_mart_and_column(built_warehouse: str, tmp_path: Path) -> None:
    result = run_dbt(["docs", "generate"], tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    marts = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    in_catalog = {
        entry["metadata"]["name"]: entry
        for entry in catalog["nodes"].values()
        if entry["metadata"]["schema"] == "marts"
    }
    assert len(marts) >= 15 and set(marts) == set(in_catalog), set(marts) ^ set(in_catalog)
    undocumented = []
    for name, entry in in_catalog.items():
        node = marts[name]
        if not node["description"].strip():
            undocumented.append(name)
        described = {column: spec["description"].strip() for column, spec in node["columns"].items()}
        undocumented += [f"{name}.{column}" for column in entry["columns"] if not described.get(column)]
        # and nothing documented that the table does not have (a renamed column)
        undocumented += [
            f"{name}.{column} (no such column)" for column in described if column not in entry["columns"]
        ]
    assert undocumented == []


def test_briefing_exposure_lists_every_mart_the_briefing_reads(tmp_path: Path) -> None:
    result = run_dbt(["parse"], tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    exposure = manifest["exposures"]["exposure.pantau.pantau_briefing"]
    declared = {node.rsplit(".", 1)[-1] for node in exposure["depends_on"]["nodes"]}
    briefing = config.PROJECT_ROOT / "src" / "pantau" / "briefing"
    source = "\n".join(path.read_text() for path in briefing.glob("*.py"))
    read = set(re.findall(r"\bmarts\.((?:dim|fct)_\w+)", source))
    assert read, "found no mart the briefing reads: the pattern no longer matches its queries"
    assert read == declared, f"briefing reads {sorted(read)}, exposure declares {sorted(declared)}"
