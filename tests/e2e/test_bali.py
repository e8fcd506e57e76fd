"""A province beyond the pilots, by data alone: Bali (51, WITA) end to end.

Generated Bali files (kab/kota from the reference seeds, magnitudes from Bali's tourism profile)
go through the same Airflow DAGs, gates and dbt build as Banten, with no code change, in the same
run and warehouse (conftest.py); then a province briefing and a kab/kota briefing (Kota Denpasar)
are rendered from a calendar that holds only Bali meetings, with their times in WITA, and
nothing of Banten's.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from pypdf import PdfReader

from pantau import config
from pantau.briefing.formatting import Formatter
from pantau.briefing.labels import labels_for
from pantau.calendar import load_meetings

pytestmark = pytest.mark.xdist_group("e2e")

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


@pytest.fixture
def bali(pipeline, tmp_path):
    """The package's pipeline run, with Bali's ground truth and a calendar of Bali meetings."""
    (tmp_path / "calendar.csv").write_text(CALENDAR, encoding="utf-8")
    return {
        **pipeline,
        "truth": pipeline["truths"][PROVINCE],
        "files": pipeline["files"][PROVINCE],
        "calendar": tmp_path / "calendar.csv",
    }


@pytest.mark.slow
def test_bali_runs_through_every_dag_and_gate(bali) -> None:
    assert bali["summary"].dag_states and set(bali["summary"].dag_states.values()) == {"success"}
    statuses = dict(
        query(
            bali["dsn"],
            "select status, count(*) from audit.load_ledger where source_file = any(%s) group by status",
            bali["files"],
        )
    )
    expected_files = sum(feed["files"] for feed in bali["truth"]["feeds"].values())
    assert statuses.get("accepted", 0) == expected_files, statuses
    # Every Bali kab/kota spelling was known to gate 1 (no region check failed), while the same
    # check did fail on Banten's files, whose generator writes a few bare ambiguous "Serang"s.
    failed = dict(
        query(
            bali["dsn"],
            "select l.source_file = any(%s), count(*) from audit.dq_results r join audit.load_ledger l "
            "using (batch_id) where not r.success and r.expectation_config::text like %s group by 1",
            bali["files"],
            "%region_unknown%",
        )
    )
    assert failed.get(True, 0) == 0 and failed.get(False, 0) > 0, failed


@pytest.mark.slow
def test_bali_marts_match_the_ground_truth(bali) -> None:
    rows = query(
        bali["dsn"],
        "select region_code, country_code, foreigner_count from marts.fct_foreigners_present "
        "where province_code = %s",
        PROVINCE,
    )
    got = {(region, country): count for region, country, count in rows}
    expected = {(p["region_code"], p["country_code"]): p["count"] for p in bali["truth"]["present"]}
    assert got == expected
    assert {region for region, _ in got} <= {f"51.{n:02d}" for n in range(1, 100)}
    # Bali's findings are Bali's: every one in a Bali region is counted for province 51.
    findings = query(
        bali["dsn"], "select distinct province_code from marts.fct_findings where region_code like '51.%%'"
    )
    assert findings == [("51",)]


@pytest.mark.slow
def test_province_and_kab_kota_briefings_in_wita(bali) -> None:
    from pantau.briefing import render_briefing

    calendar = bali["calendar"]
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
