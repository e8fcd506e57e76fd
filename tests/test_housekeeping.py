"""Housekeeping: quality results past retention are pruned; the ledger is kept."""

from __future__ import annotations

import psycopg

from pantau import pipeline


def test_quality_results_past_retention_are_pruned_and_ledger_kept(warehouse_db):
    with psycopg.connect(warehouse_db) as conn:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status) "
            "values ('b1', 'imigrasi_apoa', 'a.csv', 's1', 1, 'accepted')"
        )
        for days, name in ((800, "old"), (10, "recent")):
            conn.execute(
                "insert into audit.dq_results (run_id, batch_id, suite, expectation, severity, success, "
                "validated_at) values (%s, 'b1', 'raw__imigrasi_apoa', 'x', 'blocking', true, "
                "now() - make_interval(days => %s))",
                (name, days),
            )
    assert pipeline.prune_quality_results(retention_days=730) == 1
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("select run_id from audit.dq_results").fetchall() == [("recent",)]
        assert conn.execute("select count(*) from audit.load_ledger").fetchone()[0] == 1
