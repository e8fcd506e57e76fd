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
-- Where each file came from (pantau.ingest.sources); null channel: dropped in the landing folder
-- before origins were recorded. Added in place so existing ledgers upgrade on the next bootstrap.
alter table audit.load_ledger add column if not exists origin_channel text;     -- landing | sftp | imap
alter table audit.load_ledger add column if not exists origin_source text;      -- e.g. sftp:sftp_kanim:/out
alter table audit.load_ledger add column if not exists origin_sender text;      -- e-mail From address
alter table audit.load_ledger add column if not exists origin_message_id text;  -- e-mail Message-ID
alter table audit.load_ledger add column if not exists origin_remote_path text; -- SFTP path / attachment name
alter table audit.load_ledger add column if not exists origin_remote_mtime timestamptz;

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


# Fetching from agency sources (pantau.ingest.sources) and feedback to agencies (pantau.feedback).
SOURCES_DDL = """
-- One row per item taken from a remote source (an SFTP file, an e-mail attachment, a message
-- without one). status 'landing': the bytes are being moved into the landing zone (a run that
-- died here is redone); 'landed': the file is in the landing zone and the source may forget it.
create table if not exists audit.source_fetches (
    fetch_id        bigint generated always as identity primary key,
    source          text not null,          -- registry source key, e.g. imap:imap_tim_poa:INBOX
    channel         text not null check (channel in ('sftp', 'imap')),
    remote_key      text not null,          -- what identifies the item at the source
    feed            text not null,          -- feed folder it was landed in (_surel: not routable)
    landed_file     text not null,          -- relative to the landing zone, = load_ledger.source_file
    file_sha256     text not null,
    file_bytes      bigint not null,
    sender          text,
    message_id      text,
    remote_path     text,
    remote_mtime    timestamptz,
    status          text not null check (status in ('landing', 'landed')),
    fetched_at      timestamptz not null default now(),
    unique (source, remote_key)
);
create index if not exists source_fetches_landed on audit.source_fetches (landed_file, file_sha256);

-- Every e-mail sent to an agency about one of its files (pantau.feedback): receipts, rejections,
-- quarantines; a failed attempt is kept and retried by the next run, the load is never affected.
create table if not exists audit.feedback (
    feedback_id     bigint generated always as identity primary key,
    batch_id        text not null,
    feed            text not null,
    kind            text not null check (kind in ('receipt', 'rejection', 'quarantine')),
    recipients      text[] not null,
    subject         text not null,
    status          text not null check (status in ('sent', 'failed')),
    detail          text,
    attempted_at    timestamptz not null default now()
);
create index if not exists feedback_batch on audit.feedback (batch_id);
"""

# The auditors' trail over the audit tables (issue 5; docs/contracts.md, "Auditor views"). Views
# only, replaced on every bootstrap (columns may be appended, never renamed or dropped); readable
# by pantau_auditor like every table in `audit`.
AUDIT_VIEWS_DDL = """
-- Each batch's latest gate-1 run: how many checks ran, passed and failed, and which failed.
create or replace view audit.batch_quality as
with latest_run as (
    select distinct on (batch_id) batch_id, run_id
    from audit.dq_results
    where batch_id is not null
    order by batch_id, validated_at desc, result_id desc
)
select
    results.batch_id,
    results.run_id,
    max(results.validated_at) as checked_at,
    count(*) as checks_run,
    count(*) filter (where results.success) as checks_passed,
    count(*) filter (where not results.success and results.severity = 'blocking') as checks_failed_blocking,
    count(*) filter (where not results.success and results.severity = 'warning') as checks_failed_warning,
    array_agg(
        results.severity || ': '
            || coalesce(results.expectation_config ->> 'description', results.expectation)
        order by results.severity, results.result_id
    ) filter (where not results.success) as failed_checks
from latest_run
inner join audit.dq_results as results using (batch_id, run_id)
group by results.batch_id, results.run_id;

-- From a briefing to its files and their checks. role 'used': the accepted batches the briefing
-- recorded as its inputs (input_batches), or, for a briefing that recorded none, every batch
-- accepted before it was generated. role 'held_back': every rejected or quarantined file received
-- before it was generated (whatever its region), with the checks it failed or its error code.
create or replace view audit.briefing_trace as
with recorded_inputs as (
    select briefings.briefing_id, inputs.feed, batch.batch_id
    from audit.briefings
    cross join lateral jsonb_each(
        case when jsonb_typeof(briefings.input_batches) = 'object' then briefings.input_batches else '{}' end
    ) as inputs (feed, batch_ids)
    cross join lateral jsonb_array_elements_text(
        case when jsonb_typeof(inputs.batch_ids) = 'array' then inputs.batch_ids else '[]' end
    ) as batch (batch_id)
),
traced as (
    select briefing_id, feed, batch_id, 'used' as role
    from recorded_inputs
    union
    select briefings.briefing_id, ledger.feed, ledger.batch_id, 'used'
    from audit.briefings
    inner join audit.load_ledger as ledger
        on ledger.status = 'accepted'
        and coalesce(ledger.validated_at, ledger.loaded_at, ledger.received_at) <= briefings.generated_at
    where briefings.input_batches is null
    union
    select briefings.briefing_id, ledger.feed, ledger.batch_id, 'held_back'
    from audit.briefings
    inner join audit.load_ledger as ledger
        on ledger.status in ('rejected', 'quarantined') and ledger.received_at <= briefings.generated_at
)
select
    briefings.briefing_id,
    briefings.region_code,
    briefings.meeting_date,
    briefings.data_cutoff,
    briefings.generated_at as briefing_generated_at,
    briefings.quality_status as briefing_quality_status,
    briefings.pdf_sha256,
    traced.role,
    traced.feed,
    feeds.agency,
    traced.batch_id,
    ledger.source_file,
    ledger.file_sha256,
    ledger.status as file_status,
    ledger.row_count,
    ledger.reject_count,
    ledger.error_code,
    ledger.received_at,
    ledger.validated_at,
    quality.run_id as check_run_id,
    coalesce(quality.checks_run, 0) as checks_run,
    coalesce(quality.checks_passed, 0) as checks_passed,
    coalesce(quality.checks_failed_blocking, 0) as checks_failed_blocking,
    coalesce(quality.checks_failed_warning, 0) as checks_failed_warning,
    quality.failed_checks
from traced
inner join audit.briefings as briefings using (briefing_id)
left join audit.load_ledger as ledger on ledger.batch_id = traced.batch_id
left join audit.feeds as feeds on feeds.feed = traced.feed
left join audit.batch_quality as quality on quality.batch_id = traced.batch_id;

-- Per agency (feeds.yml `agency`) and month of receipt (session time zone): files received, on
-- time, accepted, rejected, quarantined, and gate-1 checks failed (each batch's latest run). A file
-- is on time when its feed is ad hoc, when it is the feed's first, or when it arrived within the
-- feed's cadence_days of the feed's previous file.
create or replace view audit.agency_scorecard as
with files as (
    select
        ledger.batch_id,
        ledger.feed,
        ledger.status,
        ledger.received_at,
        coalesce(feeds.agency, ledger.feed) as agency,
        feeds.cadence_days,
        lag(ledger.received_at) over (
            partition by ledger.feed order by ledger.received_at, ledger.batch_id
        ) as previous_received_at
    from audit.load_ledger as ledger
    left join audit.feeds as feeds on feeds.feed = ledger.feed
)
select
    files.agency,
    date_trunc('month', files.received_at)::date as period_month,
    array_agg(distinct files.feed) as feeds,
    count(*) as files_received,
    count(*) filter (
        where files.cadence_days is null
        or files.previous_received_at is null
        or files.received_at - files.previous_received_at <= make_interval(days => files.cadence_days)
    ) as files_on_time,
    count(*) filter (where files.status = 'accepted') as files_accepted,
    count(*) filter (where files.status = 'rejected') as files_rejected,
    count(*) filter (where files.status = 'quarantined') as files_quarantined,
    coalesce(sum(quality.checks_failed_blocking), 0)::bigint as expectations_failed,
    coalesce(sum(quality.checks_failed_warning), 0)::bigint as warnings_failed
from files
left join audit.batch_quality as quality on quality.batch_id = files.batch_id
group by files.agency, date_trunc('month', files.received_at)::date;
"""


# Lineage of a row COPY writes (pantau.ingest.fastcsv) comes from column defaults: the batch and
# file from transaction-local settings, the row number from a per-feed sequence the loader positions
# at the header row. Without the settings an INSERT fails (NULL into NOT NULL) instead of writing
# rows no batch owns: current_setting errors in a session that never set them, and gives '' (made
# NULL by nullif) in one that set them in an earlier transaction.
RAW_LINEAGE_DEFAULTS = {
    "_batch_id": "nullif(current_setting('pantau.batch_id'), '')",
    "_source_file": "nullif(current_setting('pantau.source_file'), '')",
    "_row_number": "nextval({sequence})",
}


def raw_row_sequence(feed: Feed) -> sql.Identifier:
    return sql.Identifier("raw", f"{feed.name}__row_seq")


def raw_table_ddl(feed: Feed) -> sql.Composed:
    columns = [sql.SQL("{} text").format(sql.Identifier(name)) for name in feed.column_names]
    lineage = sql.SQL(
        "_batch_id text not null, _source_file text not null, "
        "_row_number integer not null, _loaded_at timestamptz not null default now()"
    )
    table = sql.Identifier("raw", feed.name)
    rejects = sql.Identifier("raw", f"{feed.name}__rejects")
    return sql.SQL(
        "create sequence if not exists {sequence};\n"
        "create table if not exists {table} ({columns}, {lineage});\n"
        "create index if not exists {index} on {table} (_batch_id);\n"
        "create table if not exists {rejects} ("
        "_batch_id text not null, _source_file text not null, _row_number integer not null, "
        "error_code text not null, column_name text, expected text, found text, "
        "message_id text not null, message_en text not null, raw_record text, "
        "_loaded_at timestamptz not null default now());"
    ).format(
        sequence=raw_row_sequence(feed),
        table=table,
        columns=sql.SQL(", ").join(columns),
        lineage=lineage,
        index=sql.Identifier(f"{feed.name}__batch"),
        rejects=rejects,
    )


def ensure_raw_lineage_defaults(conn: psycopg.Connection, feed: Feed) -> None:
    """Set the lineage defaults on raw.<feed>, new or made by an older bootstrap. Only when one is
    missing: ALTER TABLE locks the table against reads, so a routine bootstrap must not run it."""
    found = conn.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' and table_name = %s "
        "and column_name = any(%s) and column_default is not null",
        (feed.name, list(RAW_LINEAGE_DEFAULTS)),
    ).fetchone()[0]
    if found == len(RAW_LINEAGE_DEFAULTS):
        return
    sequence = raw_row_sequence(feed).as_string(conn)  # nextval's argument is a name, as text
    defaults = [
        sql.SQL("alter column {} set default {}").format(
            sql.Identifier(column), sql.SQL(expression.format(sequence=sql.Literal(sequence).as_string(conn)))
        )
        for column, expression in RAW_LINEAGE_DEFAULTS.items()
    ]
    conn.execute(
        sql.SQL("alter table {} {}").format(sql.Identifier("raw", feed.name), sql.SQL(", ").join(defaults))
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
        conn.execute(SOURCES_DDL)
        conn.execute(AUDIT_VIEWS_DDL)
        # Gate 1's date reader (audit.pantau_parse_date); imported here, pantau.quality imports this module.
        from pantau.quality import sql_checks

        sql_checks.install(conn)
        for feed in feeds().values():
            conn.execute(raw_table_ddl(feed))
            ensure_raw_lineage_defaults(conn, feed)
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
