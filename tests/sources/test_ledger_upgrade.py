"""An existing warehouse (ledger without origin columns) is upgraded in place by the bootstrap."""

from __future__ import annotations

import psycopg

from pantau import warehouse

OLD_LEDGER = """
create schema audit;
create table audit.load_ledger (
    batch_id text primary key, feed text not null, source_file text not null, file_sha256 text not null,
    file_bytes bigint not null, status text not null, row_count integer not null default 0,
    reject_count integer not null default 0, error_code text, error_detail jsonb, archive_path text,
    received_at timestamptz not null default now(), loaded_at timestamptz, validated_at timestamptz
);
insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, row_count)
values ('dukcapil_sktt-0123456789abcdef', 'dukcapil_sktt', 'dukcapil_sktt/lama.csv', 'ab', 10, 'accepted', 3);
"""


def test_bootstrap_adds_origin_columns_and_keeps_rows(make_database):
    dsn = make_database(bootstrap=False)
    with psycopg.connect(dsn) as conn:
        conn.execute(OLD_LEDGER)
    warehouse.bootstrap(dsn)
    warehouse.bootstrap(dsn)  # and again: idempotent
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select batch_id, status, row_count, origin_channel, origin_sender, origin_message_id, "
            "origin_remote_path, origin_remote_mtime from audit.load_ledger"
        ).fetchone()
        tables = conn.execute(
            "select to_regclass('audit.source_fetches') is not null, "
            "to_regclass('audit.feedback') is not null"
        ).fetchone()
    assert row == ("dukcapil_sktt-0123456789abcdef", "accepted", 3, None, None, None, None, None)
    assert tables == (True, True)
