"""A province beyond the pilots, by data alone: Bali (51, WITA) end to end.

Generated Bali files (kab/kota from the reference seeds, magnitudes from Bali's tourism profile)
go through the same Airflow DAGs, gates and dbt build as Banten, with no code change; then a
province briefing and a kab/kota briefing (Kota Denpasar) are rendered from a calendar that holds
only Bali meetings, with their times in WITA.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from pypdf import PdfReader

from pantau import config, runner
from pantau.briefing.formatting import Formatter
from pantau.briefing.labels import labels_for
from pantau.calendar import load_meetings
from pantau_dev.generate import generate

PROVINCE = "51"
CALENDAR = "\n".join(
    [
        "meeting_id,region_code,level,meeting_date,meeting_time,timezone,lead_days,title,venue,recipients",
        "bali-2025-10-30,51,provinsi,2025-10-30,09:30,Asia/Makassar,3,Rakor Tim POA Provinsi Bali,"
        '"Kantor Kesbangpol Provinsi Bali, Denpasar",kesbangpol@baliprov.example',
        "denpasar-2025-10-29,51.71,kota,2025-10-29,13:00,Asia/Makassar,2,Rakor Tim POA Kota Denpasar,"
        "Ruang Rapat Kesbangpol Kota Denpasar,kesbangpol@denpasarkota.example",
        "jayapura-2025-10-30,91.71,kota,2025-10-30,10:00,Asia/Jayapura,2,Rakor Tim POA Kota Jayapura,"
        "Kesbangpol Kota Jayapura,kesbangpol@jayapurakota.example",
        "",
    ]
)


def query(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def test_meeting_times_are_in_each_regions_own_zone(tmp_path: Path) -> None:
    (tmp_path / "calendar.csv").write_text(CALENDAR, encoding="utf-8")
    meetings = {m.meeting_id: m for m in load_meetings(tmp_path / "calendar.csv")}
    fmt = Formatter(labels_for("id"))
    bali, jayapura = meetings["bali-2025-10-30"], meetings["jayapura-2025-10-30"]
    assert fmt.clock(bali.starts_at) == "09.30 WITA"
    assert fmt.clock(jayapura.starts_at) == "10.00 WIT"
    # 09:30 WITA is 01:30 UTC; the briefing is due three days before, at the same local time
    assert bali.starts_at.astimezone(ZoneInfo("UTC")).time() == time(1, 30)
    assert bali.briefing_due_at == datetime(2025, 10, 27, 9, 30, tzinfo=ZoneInfo("Asia/Makassar"))
    # the calendar's zone is the region's own, as the reference seed says
    regions = dict(query_seed_timezones())
    assert (regions["51"], regions["51.71"], regions["91.71"]) == (
        bali.timezone,
        "Asia/Makassar",
        jayapura.timezone,
    )


def query_seed_timezones():
    import csv

    with (config.DBT_PROJECT_DIR / "seeds" / "regions.csv").open(encoding="utf-8") as handle:
        return [(row["region_code"], row["timezone"]) for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def bali(tmp_path_factory):
    root = tmp_path_factory.mktemp("bali")
    landing = root / "landing"
    truth = generate(PROVINCE, landing, seed=51, scale=float(os.environ.get("PANTAU_E2E_SCALE", "0.05")))
    (root / "calendar.csv").write_text(CALENDAR, encoding="utf-8")
    dsn = config.with_database(config.warehouse_dsn(), f"pantau_e2e_bali_{os.getpid()}")
    saved = {
        k: os.environ.get(k)
        for k in ("PANTAU_WAREHOUSE_DSN", "PANTAU_OUTPUT_DIR", "PANTAU_SETTLE_SECONDS", "PANTAU_AS_OF")
    }
    os.environ.update(
        PANTAU_WAREHOUSE_DSN=dsn,
        PANTAU_OUTPUT_DIR=str(root / "output"),
        PANTAU_SETTLE_SECONDS="0",
        PANTAU_AS_OF=truth["reference_date"],
    )
    config.warehouse_dsn.cache_clear()
    from pantau import warehouse

    warehouse.drop_database(dsn)
    summary = runner.run_pipeline(landing)
    yield {"dsn": dsn, "truth": truth, "summary": summary, "root": root}
    warehouse.drop_database(dsn)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    config.warehouse_dsn.cache_clear()


@pytest.mark.slow
def test_bali_runs_through_every_dag_and_gate(bali) -> None:
    assert bali["summary"].dag_states and set(bali["summary"].dag_states.values()) == {"success"}
    statuses = dict(query(bali["dsn"], "select status, count(*) from audit.load_ledger group by status"))
    expected_files = sum(feed["files"] for feed in bali["truth"]["feeds"].values())
    assert statuses.get("accepted", 0) == expected_files, statuses
    # every Bali kab/kota spelling was known to gate 1 (no region check failed)
    failed = query(
        bali["dsn"],
        "select count(*) from audit.dq_results where not success and expectation_config::text like %s",
        "%region_unknown%",
    )[0][0]
    assert failed == 0


@pytest.mark.slow
def test_bali_marts_match_the_ground_truth(bali) -> None:
    rows = query(
        bali["dsn"], "select region_code, country_code, foreigner_count from marts.fct_foreigners_present"
    )
    got = {(region, country): count for region, country, count in rows}
    expected = {(p["region_code"], p["country_code"]): p["count"] for p in bali["truth"]["present"]}
    assert got == expected
    assert {region for region, _ in got} <= {f"51.{n:02d}" for n in range(1, 100)}
    findings = query(bali["dsn"], "select distinct province_code from marts.fct_findings")
    assert findings == [("51",)]


@pytest.mark.slow
def test_province_and_kab_kota_briefings_in_wita(bali) -> None:
    from pantau.briefing import render_briefing

    calendar = bali["root"] / "calendar.csv"
    province = render_briefing(PROVINCE, date(2025, 10, 30), calendar_path=calendar)
    city = render_briefing("51.71", date(2025, 10, 29), calendar_path=calendar)
    for result, name, clock in ((province, "Bali", "09.30 WITA"), (city, "Denpasar", "13.00 WITA")):
        text = "\n".join(page.extract_text() for page in PdfReader(result.path).pages)
        assert name in text and clock in text, name
        assert "WIB" not in text  # every timestamp of a Bali briefing is in Bali's zone
        assert "WITA" in text.split(clock, 1)[1] or text.count("WITA") > 1  # generated-at too
    total = query(
        bali["dsn"],
        "select sum(foreigner_count) from marts.fct_foreigners_present where region_code = '51.71'",
    )[0][0]
    city_text = "\n".join(page.extract_text() for page in PdfReader(city.path).pages)
    assert f"{total:,}".replace(",", ".") in city_text
