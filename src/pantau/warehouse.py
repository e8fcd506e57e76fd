"""Warehouse set-up: database, schemas, audit tables and one raw table per registered feed.

Idempotent: safe to call before every run. dbt owns staging/intermediate/marts contents; this
module owns what exists before dbt runs (raw, audit) and the schemas themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

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

-- The registry's view of each feed (refreshed from feeds.yml on every bootstrap).
create table if not exists audit.feeds (
    feed            text primary key,
    agency          text not null,
    cadence_days    integer           -- null: ad hoc, never late
);

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
-- quality_status is a code (pantau.briefing.quality.QUALITY_STATUSES); the briefing's labels say it
-- in words. Rows archived before it was a code carried the Indonesian words: translated once here.
update audit.briefings set quality_status = case quality_status
        when 'mart gagal validasi' then 'mart_failed'
        when 'tidak ada data' then 'no_data'
        when 'belum divalidasi' then 'not_validated'
        when 'ada batch ditolak' then 'batch_rejected'
        when 'ada peringatan' then 'warnings'
        when 'tidak lengkap' then 'incomplete'
        when 'tervalidasi' then 'validated'
    end
where quality_status in ('mart gagal validasi', 'tidak ada data', 'belum divalidasi', 'ada batch ditolak',
    'ada peringatan', 'tidak lengkap', 'tervalidasi');
do $$
begin
    if not exists (select from pg_constraint where conname = 'briefings_quality_status_check') then
        alter table audit.briefings add constraint briefings_quality_status_check check (quality_status in (
            'mart_failed', 'no_data', 'not_validated', 'batch_rejected', 'warnings', 'incomplete', 'validated'
        ));
    end if;
end
$$;
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

# The views over the audit tables (issue 5; docs/contracts.md, "Auditor views"): one .sql file
# each under audit_views/, run in name order on every bootstrap (columns may be appended, never
# renamed or dropped); readable by pantau_auditor like every table in `audit`.
AUDIT_VIEWS_DIR = Path(__file__).with_name("audit_views")


# Where a feed names the kab/kota of a row, in order of preference; a value may list several
# regions separated by ';' (research notifications).
REGION_COLUMNS = ("kabupaten_kota", "lokasi_kerja", "lokasi")


def batch_region_names_view() -> sql.Composed:
    """`audit.batch_region_names` (batch_id, region_name): every region name each raw batch's rows
    give, from the feeds in the registry. audit.batch_regions resolves them to codes, so the
    briefing can tell one province's files from another's without reading `raw`."""
    parts = []
    for feed in feeds().values():
        column = next((c for c in REGION_COLUMNS if c in feed.column_names), None)
        if column is not None:
            # Distinct (batch, value) first: a batch repeats a handful of region values over
            # thousands of rows, and each briefing reads this view (3x faster at scale 1).
            parts.append(
                sql.SQL(
                    "select raw_rows.batch_id, btrim(part.name) as region_name "
                    "from (select distinct _batch_id as batch_id, {column} as names from {table}) "
                    "as raw_rows "
                    "cross join lateral unnest(string_to_array(raw_rows.names, ';')) as part (name)"
                ).format(table=sql.Identifier("raw", feed.name), column=sql.Identifier(column))
            )
    if not parts:
        parts.append(sql.SQL("select null::text as batch_id, null::text as region_name where false"))
    return sql.SQL("create or replace view audit.batch_region_names as\n{}").format(
        sql.SQL("\nunion\n").join(parts)
    )


def audit_views_sql() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(AUDIT_VIEWS_DIR.glob("*.sql")))


# Lineage of a row COPY writes (pantau.ingest.fastcsv) comes from column defaults: the batch and
# file from transaction-local settings, the row number from a per-feed sequence the loader positions
# at the header row. Without the settings an INSERT fails (NULL into NOT NULL) instead of writing
# rows no batch owns: current_setting errors in a session that never set them, and gives '' (made
# NULL by nullif) in one that set them in an earlier transaction.
#
# COPY plans its column defaults once per statement (expression_planner), folding what is immutable
# to a constant; reading the two settings per row cost COPY about 0.1-0.2 s of server CPU per 1M
# rows. RAW_LINEAGE_FOLD is declared immutable so that it is folded, and gives the setting only
# while the loader's COPY is planned: the loader turns `pantau.copy_lineage` on (transaction-local)
# right before that COPY and off right after it, so no other statement is planned meanwhile and no
# cached plan (a prepared INSERT, a PL/pgSQL function) can keep a folded batch. Planned anywhere
# else it gives NULL and the default reads the setting per row, as before.
RAW_LINEAGE_FOLD = "raw.copy_lineage"
RAW_LINEAGE_FOLD_SWITCH = "pantau.copy_lineage"
RAW_LINEAGE_FOLD_DDL = f"""
create or replace function {RAW_LINEAGE_FOLD}(setting text) returns text
language sql immutable parallel safe
as $$ select case when current_setting('{RAW_LINEAGE_FOLD_SWITCH}', true) = 'on'
    then nullif(current_setting(setting), '') end $$
"""


def _lineage_setting(name: str) -> str:
    return f"coalesce({RAW_LINEAGE_FOLD}('{name}'), nullif(current_setting('{name}'), ''))"


RAW_LINEAGE_DEFAULTS = {
    "_batch_id": _lineage_setting("pantau.batch_id"),
    "_source_file": _lineage_setting("pantau.source_file"),
    "_row_number": "nextval({sequence})",
}
# The row sequence hands its numbers out of a per-session cache: one read-modify-write of the
# sequence per 1,000 rows instead of per row. Safe because the sequence is only ever drawn from
# after a setval in the same session and transaction, under the feed's advisory lock
# (fastcsv._load_direct): setval throws away that session's cached numbers, so its next value is
# the position just set, and numbers another session cached are never drawn by that session
# without its own setval first.
RAW_ROW_SEQUENCE_CACHE = 1000


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
        "create sequence if not exists {sequence} cache {cache};\n"
        "create table if not exists {table} ({columns}, {lineage});\n"
        "create index if not exists {index} on {table} (_batch_id);\n"
        "create table if not exists {rejects} ("
        "_batch_id text not null, _source_file text not null, _row_number integer not null, "
        "error_code text not null, column_name text, expected text, found text, "
        "message_id text not null, message_en text not null, raw_record text, "
        "_loaded_at timestamptz not null default now());"
    ).format(
        sequence=raw_row_sequence(feed),
        cache=sql.Literal(RAW_ROW_SEQUENCE_CACHE),
        table=table,
        columns=sql.SQL(", ").join(columns),
        lineage=lineage,
        index=sql.Identifier(f"{feed.name}__batch"),
        rejects=rejects,
    )


def required_value_candidates(feed: Feed, columns: Mapping[str, sql.Composable]) -> sql.Composed:
    """The rows a required-value rule may act on (a blank row, a required value empty or only
    whitespace: pantau.ingest.rows), as a cheap superset: a required cell (every feed has one) that
    is NULL or does not start with a printable ASCII character. `columns` names each required
    column's cell, in raw.<feed> or in a stage (pantau.ingest.fastcsv)."""
    cells = [columns[name] for name in feed.required_columns]
    # Compared byte by byte (collation "C"), a text starts with a printable ASCII character (0x21
    # to 0x7E; in UTF-8 every other character starts with a byte outside them) exactly when it is
    # at least '!' and below E'\x7f'. As raw.<feed>'s index predicate this is evaluated for every
    # row COPY writes: two comparisons per cell cost COPY about half of `ascii(cell) not between 33
    # and 126`, which PostgreSQL evaluates as two ascii() calls and two comparisons. A NULL cell
    # compares as NULL, so it is asked for explicitly.
    return sql.SQL("({})").format(
        sql.SQL(" or ").join(
            [
                sql.SQL("""{cell} collate "C" < '!' or {cell} collate "C" >= E'\\x7f'""").format(cell=cell)
                for cell in cells
            ]
            + [sql.SQL("{} is null").format(cell) for cell in cells]
        )
    )


def ensure_required_check_index(conn: psycopg.Connection, feed: Feed) -> None:
    """A partial index on raw.<feed> of the rows `required_value_candidates` gives, filled as COPY
    writes them: the CSV fast path's rule pass then reads only those instead of the whole batch.
    Named after its predicate, so that a change of the feed's required columns replaces it."""
    predicate = required_value_candidates(feed, {name: sql.Identifier(name) for name in feed.column_names})
    digest = hashlib.sha256(predicate.as_string(conn).encode()).hexdigest()[:8]
    name = f"{feed.name}__required_check_{digest}"
    found = {
        row[0]
        for row in conn.execute(
            "select indexname from pg_indexes where schemaname = 'raw' and tablename = %s "
            "and indexname like %s",
            (feed.name, f"{feed.name}__required_check_%"),
        )
    }
    for stale in found - {name}:
        conn.execute(sql.SQL("drop index {}").format(sql.Identifier("raw", stale)))
    # Only when missing: CREATE INDEX locks out writers even when the index exists.
    if name not in found:
        conn.execute(
            sql.SQL("create index {} on {} (_batch_id) where {}").format(
                sql.Identifier(name), sql.Identifier("raw", feed.name), predicate
            )
        )


def ensure_raw_lineage_defaults(conn: psycopg.Connection, feed: Feed) -> None:
    """Set the lineage defaults on raw.<feed>, new or made by an older bootstrap. Only when one is
    missing: ALTER TABLE locks the table against reads, so a routine bootstrap must not run it.
    Likewise the row sequence's cache, altered only when an older bootstrap made it without, and
    the settings' defaults of an older bootstrap, which read them per row (no RAW_LINEAGE_FOLD)."""
    cache = conn.execute(
        "select cache_size from pg_sequences where schemaname = 'raw' and sequencename = %s",
        (f"{feed.name}__row_seq",),
    ).fetchone()[0]
    if cache != RAW_ROW_SEQUENCE_CACHE:
        conn.execute(
            sql.SQL("alter sequence {} cache {}").format(
                raw_row_sequence(feed), sql.Literal(RAW_ROW_SEQUENCE_CACHE)
            )
        )
    found = conn.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' and table_name = %s "
        "and column_name = any(%s) and column_default is not null "
        "and (column_name = '_row_number' or column_default like %s)",
        (feed.name, list(RAW_LINEAGE_DEFAULTS), f"%{RAW_LINEAGE_FOLD}(%"),
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


_BOOTSTRAP_LOCK = 0x70616E746162  # per database, like pantau.roles' grant lock


def bootstrap(dsn: str | None = None) -> None:
    """Everything the loaders, dbt and the gates expect to exist.

    A service login (member of a pantau group role, pantau.roles) may not create anything: for
    it this only checks that the administrator has initialised the warehouse.
    """
    dsn = dsn or config.warehouse_dsn()
    if _is_service_login(dsn):
        with psycopg.connect(dsn) as conn:
            if not conn.execute("select to_regclass('audit.load_ledger') is not null").fetchone()[0]:
                raise config.ConfigError(
                    f"the warehouse {config.dsn_parts(dsn)['dbname']!r} is not initialised; run "
                    "`pantau serve` (or `python -c 'from pantau import warehouse; warehouse.bootstrap()'`) "
                    "once as its administrator"
                )
        return
    ensure_database(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # Under the scheduler several tasks bootstrap at once: concurrent DDL on one object fails
        # ("tuple concurrently updated"). One bootstrap at a time per database (session lock,
        # released when the connection closes).
        conn.execute("select pg_advisory_lock(%s)", (_BOOTSTRAP_LOCK,))
        conn.execute("create extension if not exists pgcrypto")
        for schema in SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        conn.execute(AUDIT_DDL)
        conn.execute(SOURCES_DDL)
        conn.execute(RAW_LINEAGE_FOLD_DDL)
        for feed in feeds().values():
            conn.execute(raw_table_ddl(feed))
            ensure_raw_lineage_defaults(conn, feed)
            ensure_required_check_index(conn, feed)
            conn.execute(
                "insert into audit.feeds (feed, agency, cadence_days) values (%s, %s, %s) "
                "on conflict (feed) do update "
                "set agency = excluded.agency, cadence_days = excluded.cadence_days",
                (feed.name, feed.agency, feed.cadence_days),
            )
        # The warehouse functions dbt owns (its role must exist first): gate 1 on a warehouse dbt
        # has never run on calls them, and so do the auditor views below.
        roles.create_group_roles(conn)
        install_udfs(conn)
        conn.execute(batch_region_names_view())
        conn.execute(audit_views_sql())
        # The grants cover the tables created above (pantau.roles).
        roles.ensure_roles(conn)


UDF_MACROS_DIR = config.DBT_PROJECT_DIR / "macros" / "udfs"
_UDF_LOCK = 0x70616E746175 + 1  # serialises concurrent bootstraps installing the functions


def udfs_sql() -> str:
    """The SQL of dbt's on-run-start macro `install_udfs`, rendered from the dbt project's own
    files (dbt_project/macros/udfs/): the definitions are plain Jinja, so the warehouse
    functions have one definition whether dbt or the bootstrap installs them."""
    import jinja2

    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(UDF_MACROS_DIR.glob("*.sql")))
    module = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text).module
    return str(module.install_udfs())


def install_udfs(conn: psycopg.Connection) -> None:
    """Install (when changed) the functions of `udfs_sql`, owned by dbt's role so a dbt run can
    replace them after an upgrade. Serialised with other bootstraps of this database."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_UDF_LOCK,))
        conn.execute(udfs_sql())
        conn.execute(
            sql.SQL(
                "do $owner$ begin if exists (select from pg_proc as proc "
                "inner join pg_namespace as namespace on namespace.oid = proc.pronamespace "
                "where namespace.nspname = 'staging' "
                "and proc.proname in ('parse_date', 'parse_date_general', 'text_key') "
                "and proc.proowner <> {role}::regrole) then "
                "alter function staging.parse_date(text) owner to {ident}; "
                "alter function staging.parse_date_general(text) owner to {ident}; "
                "alter function staging.text_key(text) owner to {ident}; "
                "end if; end $owner$"
            ).format(role=sql.Literal(roles.TRANSFORMER), ident=sql.Identifier(roles.TRANSFORMER))
        )


def _is_service_login(dsn: str) -> bool:
    """Whether the DSN's user is one of the service logins (not a superuser, member of a group)."""
    try:
        conn = psycopg.connect(dsn, autocommit=True)
    except psycopg.OperationalError:
        return False  # no database yet: only an administrator can go on (ensure_database)
    with conn:
        return conn.execute(
            "select not r.rolsuper and exists ("
            "  select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid"
            "  where m.member = r.oid and g.rolname = any(%s))"
            " from pg_roles r where r.rolname = session_user",
            (list(roles.GROUPS),),
        ).fetchone()[0]


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
