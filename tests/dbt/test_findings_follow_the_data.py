"""Findings follow the data, not the day the pipeline ran (issue 11 item 3).

A year of hand-built agency batches, built by the real dbt twice: replayed in one run at the end
of the year, and in increments as the batches arrived (the July lodging file arriving only in
October). Both end with the same open findings; the late July surge is found, first seen the
week it happened.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
import raw_rows
from dbt_cli import run_dbt

from pantau import config

pytestmark = pytest.mark.slow

LODGING_COLUMNS = [
    "id_laporan",
    "nama_penginapan",
    "kabupaten_kota",
    "nama_tamu",
    "no_paspor",
    "kewarganegaraan",
    "tanggal_masuk",
    "tanggal_keluar",
    "tujuan_kunjungan",
]
PERMIT_COLUMNS = [
    "no_izin",
    "jenis_izin",
    "indeks_visa",
    "nama",
    "kewarganegaraan",
    "no_paspor",
    "tanggal_terbit",
    "tanggal_berakhir",
    "kabupaten_kota",
]
END = "2025-12-31"


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _guest(batch: str, report: str, region: str, country: str, passport: str, day: date) -> tuple:
    return (batch, report, "Hotel Uji", region, "Tamu Uji", passport, country, _dmy(day), "", "WISATA")


def _lodging() -> list[tuple]:
    rows = []
    # Two Korean guests a week in Kota Cilegon, January to June (the baseline) ...
    monday = date(2025, 1, 6)
    while monday < date(2025, 7, 1):
        for i in range(2):
            rows.append(
                _guest(
                    "apoa-h1", f"H1-{monday}-{i}", "Cilegon", "Korea Selatan", f"K{monday:%m%d}{i}", monday
                )
            )
        monday += timedelta(days=7)
    # ... fifteen in the week of 7 July: a surge, in a file that arrives only on 1 October.
    for i in range(15):
        rows.append(
            _guest(
                "apoa-jul",
                f"JUL-{i}",
                "Kota Cilegon",
                "KOR",
                f"M70{i:04d}",
                date(2025, 7, 7) + timedelta(i % 7),
            )
        )
    # Twelve Chinese guests in Kabupaten Serang in the week of 8 September, sent the week after.
    for i in range(12):
        rows.append(
            _guest(
                "apoa-sep",
                f"SEP-{i}",
                "Kab. Serang",
                "RRT",
                f"E90{i:04d}",
                date(2025, 9, 8) + timedelta(i % 5),
            )
        )
    return rows


PERMITS = [
    # A visit permit (ITK) expiring within 30 days of the end of the year.
    (
        "izin-q4",
        "1B11XX0001",
        "ITK",
        "B211A",
        "Uji Satu",
        "Australia",
        "PA000001",
        "20/12/2025",
        "15/01/2026",
        "Kota Cilegon",
    ),
    # An ITAS that expired in November: expiring in the November run, resolved at the end.
    (
        "izin-q3",
        "2C21XX0002",
        "ITAS",
        "E23",
        "Uji Dua",
        "Jepang",
        "TJ000002",
        "11/11/2024",
        "10/11/2025",
        "Kab. Serang",
    ),
]

# batch -> (feed, status, loaded_at): the order the files arrive in.
BATCHES = {
    "apoa-h1": ("imigrasi_apoa", "accepted", "2025-07-01 08:00+07"),
    "apoa-sep": ("imigrasi_apoa", "accepted", "2025-09-15 08:00+07"),
    "izin-q3": ("imigrasi_izin_tinggal", "accepted", "2025-09-15 09:00+07"),
    "apoa-jul": ("imigrasi_apoa", "accepted", "2025-10-01 08:00+07"),
    "izin-q4": ("imigrasi_izin_tinggal", "accepted", "2025-12-28 08:00+07"),
}
# Runs of the incremental history: (reference date, batches that have arrived by then).
INCREMENTS = [
    ("2025-07-01", ["apoa-h1"]),
    ("2025-09-15", ["apoa-sep", "izin-q3"]),
    ("2025-10-01", ["apoa-jul"]),
    ("2025-11-05", []),
    ("2025-12-28", ["izin-q4"]),
    (END, []),
]

OPEN_FINDINGS = """
select finding_id, finding_code, finding_subtype, region_code, responsible_agency, severity,
       first_seen_date::text, last_seen_date::text, detail
from marts.fct_findings where status <> 'selesai' order by finding_id
"""


def _load(dsn: str, batches: list[str]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        raw_rows.insert_ledger(conn, {b: BATCHES[b] for b in batches})
        raw_rows._insert(conn, "imigrasi_apoa", LODGING_COLUMNS, [r for r in _lodging() if r[0] in batches])
        raw_rows._insert(
            conn, "imigrasi_izin_tinggal", PERMIT_COLUMNS, [r for r in PERMITS if r[0] in batches]
        )


def _build(dsn: str, work_dir: Path, as_of: str) -> None:
    env = {"PANTAU_AS_OF": as_of, "PANTAU_PG_DBNAME": config.dsn_parts(dsn)["dbname"]}
    models = [
        "build",
        "--select",
        "+fct_findings",
        "--exclude",
        "resource_type:test",
        "resource_type:unit_test",
    ]
    result = run_dbt(models, work_dir, extra_env=env)
    assert result.returncode == 0, result.stdout[-6000:]


def _open_findings(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(OPEN_FINDINGS).fetchall()


def test_replay_in_one_run_equals_the_runs_as_data_arrived(make_database, tool_env, tmp_path: Path) -> None:
    config.export_tool_env()
    replay, increments = make_database(), make_database()

    _load(replay, list(BATCHES))
    _build(replay, tmp_path / "replay", END)

    for as_of, batches in INCREMENTS:  # one target/ folder, as a deployment's: dbt's partial parse is re-used
        _load(increments, batches)
        _build(increments, tmp_path / "increments", as_of)

    replayed = _open_findings(replay)
    assert _open_findings(increments) == replayed
    found = sorted(
        (code, subtype, region, first_seen) for _, code, subtype, region, _, _, first_seen, _, _ in replayed
    )
    assert found == [
        ("IZIN_SEGERA_BERAKHIR", "ITK", "36.72", "2025-12-20"),
        ("LONJAKAN_KEDATANGAN", "CHN", "36.04", "2025-09-08"),
        ("LONJAKAN_KEDATANGAN", "KOR", "36.72", "2025-07-07"),  # found though its file came in October
    ]
    with psycopg.connect(increments) as conn:
        learnt = conn.execute(
            "select detected_date::text from marts.fct_findings "
            "where finding_code = 'LONJAKAN_KEDATANGAN' and finding_subtype = 'KOR'"
        ).fetchone()
        # the expired ITAS was reported in November and is resolved, not silently dropped
        resolved = conn.execute(
            "select finding_subtype, status from marts.fct_findings "
            "where finding_code = 'IZIN_SEGERA_BERAKHIR' and status = 'selesai'"
        ).fetchall()
    assert learnt == ("2025-10-01",)  # when the team could know: the briefing counts it as new then
    assert resolved == [("ITAS", "selesai")]
