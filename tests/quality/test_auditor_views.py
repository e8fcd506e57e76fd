"""The auditors' views on real gate results: a briefing traced to its files and checks, files held
back with what they failed, and the agency scorecard; readable by the auditor role only."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pantau import roles
from pantau.quality import validate_raw_batch
from pantau.quality.suites import load_suite
from pantau.registry import feeds

from .batches import break_rows, clean_rows, insert_batch

FEED = "polri_laporan"  # weekly: a file more than 7 days after the previous one is late


@pytest.fixture(scope="module")
def trail(gate):
    """Three polri files through the real gate 1 (two accepted, one rejected), one quarantined
    file, received on set dates, and two briefings: one recording its inputs, one not."""
    dsn, _ = gate
    suite = load_suite(feeds()[FEED].suite)
    not_null = next(e for e in suite.blocking if e.type == "expect_column_values_to_not_be_null")
    good_1, sha_1 = insert_batch(dsn, FEED, clean_rows(FEED))
    good_2, _ = insert_batch(dsn, FEED, clean_rows(FEED))
    bad, bad_sha = insert_batch(dsn, FEED, break_rows(FEED, not_null))
    for batch in (good_1, good_2, bad):
        validate_raw_batch(FEED, batch)
    quarantined = f"q-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "error_code) values (%s, %s, 'polri_laporan/rusak.xlsx', %s, 10, 'quarantined', "
            "'FORMAT_TIDAK_DIKENAL')",
            (quarantined, FEED, f"sha-{quarantined}"),
        )
        received = {
            good_1: "2025-10-01 09:00+07",
            good_2: "2025-10-06 09:00+07",  # 5 days later: on time
            bad: "2025-10-20 09:00+07",  # 14 days later: late
            quarantined: "2025-10-21 09:00+07",  # 1 day later: on time
        }
        for batch, at in received.items():
            conn.execute("update audit.load_ledger set received_at = %s where batch_id = %s", (at, batch))
        conn.execute(
            "insert into audit.briefings (briefing_id, region_code, meeting_date, pdf_path, pdf_sha256, "
            "data_cutoff, quality_status, input_batches) values "
            "('brief-recorded', '36', '2025-10-27', 'a.pdf', 'pdf-sha-1', '2025-10-26', 'validated', %s), "
            "('brief-unrecorded', '36', '2025-10-27', 'b.pdf', 'pdf-sha-2', '2025-10-26', 'validated', "
            "null)",
            (json.dumps({FEED: [good_1]}),),
        )
    return {
        "dsn": dsn,
        "good": (good_1, good_2),
        "sha_1": sha_1,
        "bad": bad,
        "bad_sha": bad_sha,
        "quarantined": quarantined,
        "not_null": not_null.description,
        "checks": len(suite.expectations),
    }


def _trace(dsn: str, briefing_id: str) -> dict[str, dict]:
    with psycopg.connect(dsn) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute("select * from audit.briefing_trace where briefing_id = %s", (briefing_id,))
        return {row["batch_id"]: row for row in cur.fetchall()}


def test_a_briefing_is_traced_to_the_files_it_used_and_their_checks(trail):
    rows = _trace(trail["dsn"], "brief-recorded")
    good_1 = trail["good"][0]
    used = {batch for batch, row in rows.items() if row["role"] == "used"}
    assert used == {good_1}  # exactly what the briefing recorded, not every accepted file
    row = rows[good_1]
    assert row["file_sha256"] == trail["sha_1"] and row["file_status"] == "accepted"
    assert row["source_file"] == f"{FEED}/{good_1}.csv" and row["agency"] == feeds()[FEED].agency
    assert row["checks_run"] == row["checks_passed"] == trail["checks"]
    assert row["checks_failed_blocking"] == 0 and row["failed_checks"] is None
    assert row["check_run_id"].startswith(f"gate1__{FEED}__{good_1}__")
    assert row["pdf_sha256"] == "pdf-sha-1" and row["briefing_quality_status"] == "validated"


def test_held_back_files_show_the_checks_they_failed_or_why_they_were_quarantined(trail):
    rows = _trace(trail["dsn"], "brief-recorded")
    rejected = rows[trail["bad"]]
    assert rejected["role"] == "held_back" and rejected["file_status"] == "rejected"
    assert rejected["file_sha256"] == trail["bad_sha"]
    assert rejected["checks_failed_blocking"] == 1
    assert rejected["failed_checks"] == [f"blocking: {trail['not_null']}"]
    quarantined = rows[trail["quarantined"]]
    assert quarantined["role"] == "held_back" and quarantined["file_status"] == "quarantined"
    assert quarantined["error_code"] == "FORMAT_TIDAK_DIKENAL" and quarantined["checks_run"] == 0


def test_a_briefing_without_recorded_inputs_used_every_file_accepted_before_it(trail):
    rows = _trace(trail["dsn"], "brief-unrecorded")
    used = {batch for batch, row in rows.items() if row["role"] == "used"}
    assert set(trail["good"]) <= used
    assert trail["bad"] not in used and trail["quarantined"] not in used


def test_the_latest_validation_of_a_batch_is_the_one_traced(trail):
    """Revalidating a batch (a recovered run) replaces what the trail shows, it does not add to it."""
    dsn = trail["dsn"]
    good_1 = trail["good"][0]
    result = validate_raw_batch(FEED, good_1, run_id=f"rerun-{uuid.uuid4().hex[:6]}")
    row = _trace(dsn, "brief-recorded")[good_1]
    assert row["check_run_id"] == result.run_id and row["checks_run"] == trail["checks"]


def test_agency_scorecard_counts_files_timeliness_and_failed_checks(trail):
    with psycopg.connect(trail["dsn"]) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(
            "select * from audit.agency_scorecard where agency = %s and period_month = '2025-10-01'",
            (feeds()[FEED].agency,),
        )
        (row,) = cur.fetchall()
    assert row["feeds"] == [FEED]
    assert row["files_received"] == 4
    assert row["files_on_time"] == 3  # the rejected file came 14 days after the previous one
    assert (row["files_accepted"], row["files_rejected"], row["files_quarantined"]) == (2, 1, 1)
    assert row["expectations_failed"] == 1 and row["warnings_failed"] == 0


def test_only_auditors_read_the_views(trail):
    dsn = trail["dsn"]
    auditor, reader = f"pantau_dq_aud_{uuid.uuid4().hex[:6]}", f"pantau_dq_rdr_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(dsn) as conn:
        roles.create_login_user(conn, auditor, roles.AUDITOR)
        roles.create_login_user(conn, reader, roles.READER)
    try:
        with psycopg.connect(make_conninfo(dsn, user=auditor)) as conn:
            for view in ("briefing_trace", "agency_scorecard", "batch_quality"):
                assert conn.execute(f"select count(*) from audit.{view}").fetchone()[0] > 0
        with (
            psycopg.connect(make_conninfo(dsn, user=reader)) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute("select * from audit.briefing_trace")
    finally:
        with psycopg.connect(dsn) as conn:
            roles.drop_login_user(conn, auditor)
            roles.drop_login_user(conn, reader)
