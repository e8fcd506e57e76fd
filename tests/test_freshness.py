"""Per-feed freshness from cadence and the last accepted file: on time, late, missing."""

from __future__ import annotations

import psycopg


def freshness(dsn: str) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("select feed, freshness_status from audit.feed_freshness").fetchall())


def accept(dsn: str, feed: str, days_ago: float, batch: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "loaded_at, validated_at) values (%s, %s, 'f.csv', %s, 1, 'accepted', "
            "now() - make_interval(secs => %s), now() - make_interval(secs => %s))",
            (batch, feed, batch, days_ago * 86400, days_ago * 86400),
        )


def test_freshness_follows_cadence(warehouse_db):
    assert freshness(warehouse_db)["imigrasi_apoa"] == "tidak ada"  # nothing received yet
    assert freshness(warehouse_db)["masyarakat_laporan"] == "tepat waktu"  # ad hoc: never late
    accept(warehouse_db, "imigrasi_apoa", 0.5, "a")  # daily feed, half a day ago
    accept(warehouse_db, "polri_laporan", 10, "p")  # weekly feed, ten days ago
    accept(warehouse_db, "dukcapil_sktt", 70, "d")  # monthly feed, seventy days ago
    status = freshness(warehouse_db)
    assert status["imigrasi_apoa"] == "tepat waktu"
    assert status["polri_laporan"] == "terlambat"
    assert status["dukcapil_sktt"] == "tidak ada"


def test_rejected_files_do_not_count_as_fresh(warehouse_db):
    with psycopg.connect(warehouse_db) as conn:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "loaded_at) values ('r', 'imigrasi_apoa', 'x.csv', 'r', 1, 'rejected', now())"
        )
    assert freshness(warehouse_db)["imigrasi_apoa"] == "tidak ada"
