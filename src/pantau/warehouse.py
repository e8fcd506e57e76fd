"""Warehouse set-up: database, schemas, audit tables and one raw table per registered feed.

Idempotent: safe to call before every run. dbt owns staging/intermediate/marts contents; this
module owns what exists before dbt runs (raw, audit) and the schemas themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from pantau import config, roles
from pantau.registry import Feed, feeds

SCHEMAS = ("raw", "staging", "intermediate", "marts", "restricted", "audit")

AUDIT_DDL = """
create table if not exists audit.load_ledger (
    batch_id        text primary key,
    feed            text not null,
    source_file     text not null,          -- name as received, relative to the landing zone
    file_sha256     text not null,
    file_bytes      bigint not null,
    status          text not null,          -- loaded | accepted | rejected | quarantined
    row_count       integer not null default 0,
    reject_count    integer not null default 0,
    error_code      text,
    error_detail    jsonb,
    archive_path    text,
    received_at     timestamptz not null default now(),
    loaded_at       timestamptz,
    validated_at    timestamptz,
    constraint load_ledger_status_check
        check (status in ('loaded', 'accepted', 'rejected', 'quarantined'))
);
-- Exactly-once: the same bytes are loaded at most once, whatever the file is called.
create unique index if not exists load_ledger_loaded_sha256
    on audit.load_ledger (file_sha256) where status <> 'quarantined';
create index if not exists load_ledger_feed on audit.load_ledger (feed, received_at);

create table if not exists audit.dq_results (
    result_id           bigint generated always as identity primary key,
    run_id              text not null,
    batch_id            text,
    file_sha256         text,
    feed                text,
    suite               text not null,
    expectation         text not null,
    expectation_config  jsonb,
    severity            text not null check (severity in ('blocking', 'warning')),
    success             boolean not null,
    observed_value      text,
    unexpected_count    bigint,
    unexpected_sample   jsonb,
    validated_at        timestamptz not null default now()
);
create index if not exists dq_results_batch on audit.dq_results (batch_id);

-- The registry's view of each feed (refreshed from feeds.yml on every bootstrap) and freshness:
-- on time until one cadence has passed since the last accepted file, late until two, then missing.
create table if not exists audit.feeds (
    feed            text primary key,
    agency          text not null,
    cadence_days    integer           -- null: ad hoc, never late
);
create or replace view audit.feed_freshness as
with last_good as (
    select feed, max(coalesce(validated_at, loaded_at)) as last_accepted_at
    from audit.load_ledger
    where status = 'accepted'
    group by feed
)
select
    feeds.feed,
    feeds.agency,
    feeds.cadence_days,
    last_good.last_accepted_at,
    case
        when feeds.cadence_days is null then 'tepat waktu'
        when last_good.last_accepted_at is null then 'tidak ada'
        when now() - last_good.last_accepted_at <= make_interval(days => feeds.cadence_days)
            then 'tepat waktu'
        when now() - last_good.last_accepted_at <= make_interval(days => 2 * feeds.cadence_days)
            then 'terlambat'
        else 'tidak ada'
    end as freshness_status
from audit.feeds as feeds
left join last_good using (feed);

create table if not exists audit.briefings (
    briefing_id     text primary key,
    region_code     text not null,
    meeting_date    date not null,
    language        text not null default 'id',
    pdf_path        text not null,
    pdf_sha256      text not null,
    data_cutoff     date not null,
    quality_status  text not null,
    input_batches   jsonb,
    generated_at    timestamptz not null default now()
);
-- E-mail delivery of the archived PDF (pantau.delivery): sent, refused (why) or failed (SMTP error).
-- Re-rendering a briefing clears them: they describe the PDF the row names.
alter table audit.briefings add column if not exists delivery_status text
    check (delivery_status in ('sent', 'refused', 'failed'));
alter table audit.briefings add column if not exists delivery_detail text;
alter table audit.briefings add column if not exists delivered_to text[];
alter table audit.briefings add column if not exists delivered_at timestamptz;
"""


def raw_table_ddl(feed: Feed) -> sql.Composed:
    columns = [sql.SQL("{} text").format(sql.Identifier(name)) for name in feed.column_names]
    lineage = sql.SQL(
        "_batch_id text not null, _source_file text not null, "
        "_row_number integer not null, _loaded_at timestamptz not null default now()"
    )
    table = sql.Identifier("raw", feed.name)
    rejects = sql.Identifier("raw", f"{feed.name}__rejects")
    return sql.SQL(
        "create table if not exists {table} ({columns}, {lineage});\n"
        "create index if not exists {index} on {table} (_batch_id);\n"
        "create table if not exists {rejects} ("
        "_batch_id text not null, _source_file text not null, _row_number integer not null, "
        "error_code text not null, column_name text, expected text, found text, "
        "message_id text not null, message_en text not null, raw_record text, "
        "_loaded_at timestamptz not null default now());"
    ).format(
        table=table,
        columns=sql.SQL(", ").join(columns),
        lineage=lineage,
        index=sql.Identifier(f"{feed.name}__batch"),
        rejects=rejects,
    )


def ensure_database(dsn: str) -> None:
    """Create the target database if it does not exist (connects to `postgres` to do so)."""
    dbname = config.dsn_parts(dsn)["dbname"]
    with psycopg.connect(config.with_database(dsn, "postgres"), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def bootstrap(dsn: str | None = None) -> None:
    """Everything the loaders, dbt and the gates expect to exist."""
    dsn = dsn or config.warehouse_dsn()
    ensure_database(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create extension if not exists pgcrypto")
        for schema in SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        conn.execute(AUDIT_DDL)
        for feed in feeds().values():
            conn.execute(raw_table_ddl(feed))
            conn.execute(
                "insert into audit.feeds (feed, agency, cadence_days) values (%s, %s, %s) "
                "on conflict (feed) do update "
                "set agency = excluded.agency, cadence_days = excluded.cadence_days",
                (feed.name, feed.agency, feed.cadence_days),
            )
        # Last: the grants cover the tables created above (pantau.roles).
        roles.ensure_roles(conn)


@contextmanager
def connect(dsn: str | None = None, **kwargs) -> Iterator[psycopg.Connection]:
    with psycopg.connect(dsn or config.warehouse_dsn(), **kwargs) as conn:
        yield conn


def drop_database(dsn: str) -> None:
    """Drop a whole database (the demo's own, and tests'); refuses the maintenance databases."""
    dbname = config.dsn_parts(dsn)["dbname"]
    if dbname in {"postgres", "template0", "template1"}:
        raise ValueError(f"refusing to drop {dbname}")
    with psycopg.connect(config.with_database(dsn, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
