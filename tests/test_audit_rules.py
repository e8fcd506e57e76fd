"""One definition per audit rule: the latest gate-1 run of a batch, "on time", the scorecard, the
briefing's quality status codes; and the briefing reads no raw table."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import psycopg
import pytest

from pantau import config, report
from pantau.briefing.quality import QUALITY_STATUSES, load_quality
from pantau.registry import feeds

SRC = config.PROJECT_ROOT / "src" / "pantau"


def test_no_briefing_module_reads_raw():
    """The briefing reads marts and audit views only: no `raw.<table>`, no raw identifier, no
    registry raw_table, anywhere under src/pantau/briefing."""
    reads_raw = re.compile(r"""\braw\s*\.\s*\w|["']raw["']|raw_table|_batch_id\b|_row_number\b""")
    offending = {
        str(path.relative_to(SRC)): reads_raw.findall(path.read_text(encoding="utf-8"))
        for path in (SRC / "briefing").rglob("*.py")
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_each_audit_rule_is_written_once():
    """The latest run per batch and the freshness rule live in src/pantau/audit_views only; Python
    and the other views call them (a second copy, like the three of issue 10, fails here)."""
    latest_run = re.compile(r"validated_at\s+desc", re.I)
    freshness = re.compile(r"make_interval\(days\s*=>\s*(2\s*\*\s*)?\w*cadence", re.I)
    places = [*SRC.rglob("*.py"), *SRC.rglob("*.sql"), *config.EXPECTATIONS_DIR.glob("*.yml")]
    assert sorted(p.name for p in places if latest_run.search(p.read_text(encoding="utf-8"))) == [
        "20_batch_latest_run.sql"
    ]
    assert sorted(p.name for p in places if freshness.search(p.read_text(encoding="utf-8"))) == [
        "10_freshness.sql"
    ]


def _ledger(conn, batch_id: str, feed: str, status: str, days_ago: float) -> None:
    conn.execute(
        "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
        "received_at, loaded_at, validated_at) values (%s, %s, %s, %s, 1, %s, "
        "now() - make_interval(secs => %s), now() - make_interval(secs => %s), "
        "now() - make_interval(secs => %s))",
        (batch_id, feed, f"{feed}/{batch_id}.csv", f"sha-{batch_id}", status, *[days_ago * 86400] * 3),
    )


def test_status_briefing_and_scorecard_agree_on_time(warehouse_db, monkeypatch):
    """A constructed month: a daily feed fresh, a weekly one late, a monthly one rejected only, an
    ad-hoc one silent. `pantau status`, the briefing's freshness and scorecard, and
    audit.agency_scorecard say the same of each feed and agency."""
    monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", warehouse_db)
    config.warehouse_dsn.cache_clear()
    now = datetime.now(UTC)
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        _ledger(conn, "apoa-1", "imigrasi_apoa", "accepted", 0.2)  # daily, fresh
        _ledger(conn, "polri-1", "polri_laporan", "accepted", 0.3)  # weekly: an older good file...
        conn.execute(
            "update audit.load_ledger set validated_at = now() - interval '10 days' "
            "where batch_id = 'polri-1'"
        )
        _ledger(conn, "sktt-1", "dukcapil_sktt", "rejected", 0.1)  # monthly: nothing accepted
        status = report.status()["freshness"]
        briefing = load_quality(conn, None, as_of=now)
        cur = conn.execute(
            "select agency, feeds_scheduled, feeds_on_time from audit.agency_scorecard "
            "where period_month = date_trunc('month', now())::date"
        )
        scorecard = {agency: (scheduled, on_time) for agency, scheduled, on_time in cur.fetchall()}
    config.warehouse_dsn.cache_clear()

    ours = {f.feed: f.status for f in briefing.freshness}
    assert ours == status
    assert status["imigrasi_apoa"] == "tepat waktu"
    assert status["polri_laporan"] == "terlambat"
    assert status["dukcapil_sktt"] == "tidak ada"
    assert status["masyarakat_laporan"] == "tepat waktu"  # ad hoc: never late
    shown = {score.agency: (score.feeds_scheduled, score.feeds_on_time) for score in briefing.agencies}
    assert scorecard  # one row per agency that sent a file this month
    for agency, counts in scorecard.items():
        assert shown[agency] == counts, agency
    registry = feeds()
    agency = registry["imigrasi_apoa"].agency
    expected_on_time = sum(
        1
        for f in registry.values()
        if f.agency == agency and f.cadence_days is not None and status[f.name] == "tepat waktu"
    )
    assert scorecard[agency][1] == expected_on_time


def test_a_batch_has_one_latest_run_whatever_reads_it(warehouse_db):
    """Two gate-1 runs of one batch recorded in the same instant: every reader takes the same one
    (the tie-break on result_id that one of the three copies once lacked)."""
    with psycopg.connect(warehouse_db) as conn:
        _ledger(conn, "b-1", "polri_laporan", "rejected", 0)
        conn.execute(
            "insert into audit.dq_results (run_id, batch_id, suite, expectation, expectation_config, "
            "severity, success, validated_at) values "
            "('run-a', 'b-1', 'raw__polri_laporan', 'expect_x', '{\"description\": \"A / A\"}', "
            "'blocking', false, '2025-10-01 10:00+00'), "
            "('run-b', 'b-1', 'raw__polri_laporan', 'expect_y', '{\"description\": \"B / B\"}', "
            "'blocking', false, '2025-10-01 10:00+00')"
        )
        latest = conn.execute("select run_id from audit.batch_latest_run where batch_id = 'b-1'").fetchone()[
            0
        ]
        quality = conn.execute(
            "select failed_checks from audit.batch_quality where batch_id = 'b-1'"
        ).fetchone()[0]
        briefing = load_quality(conn, None)
    assert latest == "run-b"
    assert quality == ["blocking: B / B"]
    (row,) = [f for f in briefing.feeds if f.feed == "polri_laporan"]
    assert [c.description for c in row.failed_checks] == ["B / B"]


def test_briefing_quality_statuses_are_stored_as_codes(warehouse_db):
    """audit.briefings.quality_status holds the codes of QUALITY_STATUSES (words are labels only)."""
    with psycopg.connect(warehouse_db) as conn:
        check = conn.execute(
            "select pg_get_constraintdef(oid) from pg_constraint "
            "where conname = 'briefings_quality_status_check'"
        ).fetchone()[0]
        assert set(re.findall(r"'(\w+)'", check)) == set(QUALITY_STATUSES)
        assert all(re.fullmatch(r"[a-z_]+", status) for status in QUALITY_STATUSES)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "insert into audit.briefings (briefing_id, region_code, meeting_date, pdf_path, pdf_sha256, "
                "data_cutoff, quality_status) values ('x', '36', '2025-10-30', 'x.pdf', 'x', '2025-10-27', "
                "'tervalidasi')"
            )
