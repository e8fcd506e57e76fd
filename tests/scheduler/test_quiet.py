"""The warehouse's quiet-moment rule (pantau.quiet): busy while files wait or batches are
ungated, quiet otherwise, and never waiting past its maximum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from pantau import quiet


def test_busy_while_files_wait_or_batches_are_ungated(tmp_path, warehouse_db, monkeypatch):
    monkeypatch.setenv("PANTAU_SETTLE_SECONDS", "0")
    assert quiet.busy(tmp_path) == []
    (tmp_path / "polri_laporan").mkdir()
    (tmp_path / "polri_laporan" / "laporan.csv").write_text("x\n")
    assert quiet.busy(tmp_path) == ["polri_laporan: 1 file(s) waiting"]
    (tmp_path / "polri_laporan" / "laporan.csv").unlink()
    with psycopg.connect(warehouse_db) as conn:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status) "
            "values ('b1', 'polri_laporan', 'polri_laporan/laporan.csv', 'ab', 2, 'loaded')"
        )
    assert quiet.busy(tmp_path) == ["1 batch(es) loaded, not yet gated"]

    now = datetime(2025, 10, 27, 12, tzinfo=UTC)
    monkeypatch.setenv("PANTAU_QUIET_MAX_SECONDS", "600")
    assert not quiet.ready_to_build(now - timedelta(seconds=599), now=now, landing=tmp_path)
    assert quiet.ready_to_build(now - timedelta(seconds=600), now=now, landing=tmp_path)
    with psycopg.connect(warehouse_db) as conn:
        conn.execute("update audit.load_ledger set status = 'accepted'")
    assert quiet.ready_to_build(now, now=now, landing=tmp_path)
