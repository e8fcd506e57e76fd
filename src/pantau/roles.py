"""Database roles: who may read and write which warehouse schema.

Five NOLOGIN group roles; people and services log in as LOGIN users that are members of one:

- `pantau_loader`: the ingest service. Reads and writes `raw` and `audit`; reads the reference
  seeds in `staging` (gate 1 resolves regions, countries and visa codes against them).
- `pantau_transformer`: dbt. Reads `raw` and `audit`; creates and owns `staging`, `intermediate`,
  `marts` and `restricted`; records gate 2's results in `audit.dq_results`.
- `pantau_reader`: briefing consumers and BI tools. `marts` only.
- `pantau_auditor`: `audit` and `marts`.
- `pantau_officer`: authorised follow-up. `restricted` (case-level views with names) and `marts`.

Roles are cluster-wide but privileges live in each database: `ensure_roles` creates the group
roles once per server (tolerating another database's bootstrap doing it at the same moment) and
grants them this database's schemas only. CONNECT to the database is revoked from PUBLIC and
granted to the groups, so a LOGIN user with no group cannot open the warehouse at all.

Row scopes (one warehouse, many provinces): `access.login_scopes` maps a login to the province
(`51`) or kab/kota (`51.71`) it may see; a row with a NULL scope makes the login national. The marts
with region columns carry a row-level security policy and the restricted views a filter, both
written once in dbt (macros/row_scope.sql) over the functions in ACCESS_SQL. A reader or officer
login with no mapping sees no rows (fail closed); `create_login_user` maps national unless told
a scope. Superusers, table owners (dbt) and the loader/transformer/auditor groups are not scoped.

Tables created later are covered by default privileges, for objects created by
`pantau_transformer` (dbt as a transformer login, whose session role is the group: see
`create_login_user`) and by the role running the bootstrap (dbt run by the administrator, as in
the demo and the tests).
"""

from __future__ import annotations

import psycopg
from psycopg import errors, sql

LOADER = "pantau_loader"
TRANSFORMER = "pantau_transformer"
READER = "pantau_reader"
AUDITOR = "pantau_auditor"
OFFICER = "pantau_officer"
GROUPS = (LOADER, TRANSFORMER, READER, AUDITOR, OFFICER)

# Schemas dbt builds into (the transformer creates and owns what is in them).
DBT_SCHEMAS = ("staging", "intermediate", "marts", "restricted")
# Schema -> groups that may read every table and view in it.
READERS: dict[str, tuple[str, ...]] = {
    "raw": (LOADER, TRANSFORMER),
    "audit": (LOADER, TRANSFORMER, AUDITOR),
    "staging": (TRANSFORMER,),
    "intermediate": (TRANSFORMER,),
    "marts": (TRANSFORMER, READER, AUDITOR, OFFICER),
    "restricted": (TRANSFORMER, OFFICER),
}
# Schemas the loader writes (rows only: the tables themselves come from pantau.warehouse).
LOADER_WRITES = ("raw", "audit")
# Members of these groups act as the group (SET ROLE at login), so what they create is owned by
# the group and the group's default privileges apply to it.
ACTS_AS_GROUP = (TRANSFORMER,)

# Serialises concurrent bootstraps of one database: concurrent GRANTs on the same object fail
# with "tuple concurrently updated". Advisory locks are per database, which is what is wanted.
_GRANT_LOCK = 0x70616E746175  # "pantau"


def ensure_roles(conn: psycopg.Connection) -> None:
    """Create the group roles if missing and grant them this database's schemas. Idempotent.

    Needs a superuser (or CREATEROLE and membership in the groups) connected to the warehouse
    database; the schemas must exist. Runs in its own transaction.
    """
    create_group_roles(conn)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_GRANT_LOCK,))
        conn.execute(_grants_sql(conn))
    ensure_access(conn)


def create_group_roles(conn: psycopg.Connection, names: tuple[str, ...] = GROUPS) -> None:
    """NOLOGIN roles `names`, created if missing; safe when other sessions create them too."""
    with conn.transaction():
        found = conn.execute("select rolname from pg_roles where rolname = any(%s)", (list(names),))
        existing = {name for (name,) in found.fetchall()}
    for group in names:
        if group in existing:
            continue
        try:
            with conn.transaction():
                conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(group)))
        except (errors.DuplicateObject, errors.UniqueViolation):
            # Another database's bootstrap created it between our look-up and now.
            pass


# The row-scope mapping and the three functions the policies call (security definer: readers
# cannot read the mapping itself). `session_user`, so that SET ROLE to a group escapes nothing.
ACCESS_SQL = """
create schema if not exists access;
create table if not exists access.login_scopes (
    login text not null,
    scope_code text,  -- PP (province), PP.KK (kab/kota), NULL (national)
    constraint login_scopes_code check (scope_code ~ '^[0-9]{2}([.][0-9]{2})?$')
);
create unique index if not exists login_scopes_unique
    on access.login_scopes (login, coalesce(scope_code, ''));
revoke all on access.login_scopes from public;

create or replace function access.sees_all_rows() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp as $fn$
    select case
        when (select rolsuper from pg_roles where rolname = session_user) then true
        when exists (select 1 from access.login_scopes where login = session_user)
            then exists (select 1 from access.login_scopes where login = session_user and scope_code is null)
        -- not mapped: services and auditors see all; readers and officers nothing (fail closed)
        else not (pg_has_role(session_user, 'pantau_reader', 'member')
            or pg_has_role(session_user, 'pantau_officer', 'member'))
    end
$fn$;

create or replace function access.scoped_region_codes() returns text[]
language sql stable security definer set search_path = pg_catalog, pg_temp as $fn$
    select coalesce(array_agg(scope_code), '{}') from access.login_scopes
    where login = session_user and scope_code like '%.%'
$fn$;

create or replace function access.scoped_province_codes() returns text[]
language sql stable security definer set search_path = pg_catalog, pg_temp as $fn$
    select coalesce(array_agg(scope_code), '{}') from access.login_scopes
    where login = session_user and scope_code not like '%.%'
$fn$;
"""


def ensure_access(conn: psycopg.Connection) -> None:
    """The row-scope schema, mapping and functions (idempotent), usable by every group."""
    groups = sql.SQL(", ").join(map(sql.Identifier, GROUPS))
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_GRANT_LOCK,))
        conn.execute(ACCESS_SQL)
        conn.execute(sql.SQL("grant usage on schema access to {}").format(groups))
        conn.execute(sql.SQL("grant execute on all functions in schema access to {}").format(groups))


def set_login_scope(conn: psycopg.Connection, name: str, scopes: list[str | None]) -> None:
    """What `name` may see: province codes, kab/kota codes, or [None] for national."""
    with conn.transaction():
        conn.execute("delete from access.login_scopes where login = %s", (name,))
        for scope in scopes:
            conn.execute("insert into access.login_scopes (login, scope_code) values (%s, %s)", (name, scope))


def _grants_sql(conn: psycopg.Connection) -> sql.Composed:
    ident = sql.Identifier
    database = conn.info.dbname
    creators = [ident(TRANSFORMER)]
    current = conn.execute("select current_user").fetchone()[0]
    if current != TRANSFORMER:
        creators.append(ident(current))
    statements: list[sql.Composable] = [
        sql.SQL("revoke connect on database {} from public").format(ident(database)),
        sql.SQL("grant connect on database {} to {}").format(
            ident(database), sql.SQL(", ").join(map(ident, GROUPS))
        ),
    ]
    for schema in DBT_SCHEMAS:
        statements.append(
            sql.SQL("grant usage, create on schema {} to {}").format(ident(schema), ident(TRANSFORMER))
        )
    for schema, groups in READERS.items():
        grantees = sql.SQL(", ").join(map(ident, groups))
        statements += [
            sql.SQL("grant usage on schema {} to {}").format(ident(schema), grantees),
            sql.SQL("grant select on all tables in schema {} to {}").format(ident(schema), grantees),
        ]
        for creator in creators:
            statements.append(
                sql.SQL(
                    "alter default privileges for role {} in schema {} grant select on tables to {}"
                ).format(creator, ident(schema), grantees)
            )
    # Gate 2 runs after dbt as the transformer and records its results (pantau.quality.marts).
    statements += [
        sql.SQL("grant insert, delete on audit.dq_results to {}").format(ident(TRANSFORMER)),
        sql.SQL("grant usage on all sequences in schema audit to {}").format(ident(TRANSFORMER)),
    ]
    loader = ident(LOADER)
    # Gate 1 reads the reference seeds in staging (granted table by table by dbt's seed post-hook,
    # macro grant_reference_to_loader); nothing else there.
    statements.append(sql.SQL("grant usage on schema staging to {}").format(loader))
    for schema in LOADER_WRITES:
        statements += [
            sql.SQL("grant select, insert, update, delete on all tables in schema {} to {}").format(
                ident(schema), loader
            ),
            # update: the CSV fast path positions raw.<feed>__row_seq at the header row (setval)
            sql.SQL("grant usage, select, update on all sequences in schema {} to {}").format(
                ident(schema), loader
            ),
        ]
        for creator in creators[1:]:  # raw and audit tables come from the bootstrap, not dbt
            statements += [
                sql.SQL(
                    "alter default privileges for role {} in schema {} "
                    "grant select, insert, update, delete on tables to {}"
                ).format(creator, ident(schema), loader),
                sql.SQL(
                    "alter default privileges for role {} in schema {} "
                    "grant usage, select, update on sequences to {}"
                ).format(creator, ident(schema), loader),
            ]
    return sql.SQL(";\n").join(statements)


# Service logins (pantau serve, docker-compose.yml): beyond its group, what each service needs.
# The briefing reads the marts as a reader, plus the audit trail its quality section reports and
# the region reference it names places with, and archives its PDFs in audit.briefings.
BRIEFING_READS_REFERENCE = ("staging.regions", "staging.region_aliases")


def grant_briefing_service(conn: psycopg.Connection, login: str) -> None:
    """What the briefing service may do beyond `pantau_reader`. Idempotent; after the bootstrap
    and the reference seeds (tables that do not exist yet are skipped)."""
    user = sql.Identifier(login)
    statements = [
        sql.SQL("grant usage on schema audit to {}").format(user),
        sql.SQL("grant select on all tables in schema audit to {}").format(user),
        sql.SQL("grant insert, update on audit.briefings to {}").format(user),
    ]
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_GRANT_LOCK,))
        for statement in statements:
            conn.execute(statement)
        for table in BRIEFING_READS_REFERENCE:
            if conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()[0]:
                schema, name = table.split(".")
                conn.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), user))
                conn.execute(sql.SQL("grant select on {} to {}").format(sql.Identifier(schema, name), user))


_OWNER_CHANGE = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "S": "sequence"}


def hand_dbt_schemas_to_transformer(conn: psycopg.Connection) -> int:
    """Give `pantau_transformer` what dbt built in its schemas under another role (dbt run by the
    administrator, as `pantau run` does), so that transformer logins can replace it. Returns how
    many objects changed hands."""
    rows = conn.execute(
        "select c.relkind, n.nspname, c.relname from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = any(%s) and c.relkind = any(%s) "
        "and pg_get_userbyid(c.relowner) <> %s "
        "and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i'))",
        (list(DBT_SCHEMAS), list(_OWNER_CHANGE), TRANSFORMER),
    ).fetchall()
    for kind, schema, name in rows:
        conn.execute(
            sql.SQL("alter {} {} owner to {}").format(
                sql.SQL(_OWNER_CHANGE[kind]), sql.Identifier(schema, name), sql.Identifier(TRANSFORMER)
            )
        )
    return len(rows)


def create_login_user(
    conn: psycopg.Connection,
    name: str,
    group: str,
    *,
    password: str | None = None,
    scopes: list[str | None] | None = None,
) -> None:
    """A LOGIN user that is a member of `group` (one of GROUPS). Idempotent; updates the password.

    `scopes`: the provinces / kab/kota the login sees (access.login_scopes); default national.

    Without a password the user can log in only where pg_hba.conf trusts the connection (local
    tests). Transformer logins start their sessions as the group, so dbt's tables are owned by
    `pantau_transformer` and every later transformer login can replace them.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown group role {group!r}; expected one of {', '.join(GROUPS)}")
    user = sql.Identifier(name)
    with conn.transaction():
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create role {} login inherit").format(user))
        if password is not None:
            conn.execute(sql.SQL("alter role {} password {}").format(user, sql.Literal(password)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), user))
        if group in ACTS_AS_GROUP:
            conn.execute(sql.SQL("alter role {} set role = {}").format(user, sql.Literal(group)))
    set_login_scope(conn, name, scopes if scopes is not None else [None])


def drop_login_user(conn: psycopg.Connection, name: str) -> None:
    """Remove a LOGIN user made by create_login_user; refuses the group roles themselves."""
    if name in GROUPS:
        raise ValueError(f"{name} is a group role; drop LOGIN users only")
    with conn.transaction():
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
        if conn.execute("select to_regclass('access.login_scopes')").fetchone()[0]:
            conn.execute("delete from access.login_scopes where login = %s", (name,))
