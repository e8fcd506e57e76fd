"""Database roles: who may read and write which warehouse schema.

Five NOLOGIN group roles; people and services log in as LOGIN users that are members of one:

- `pantau_loader`: the ingest service. Reads and writes `raw` and `audit`; reads the reference
  seeds in `staging` (gate 1 resolves regions, countries and visa codes against them).
- `pantau_transformer`: dbt. Reads `raw` and `audit`; creates and owns `staging`, `intermediate`,
  `marts` and `restricted`.
- `pantau_reader`: briefing consumers and BI tools. `marts` only.
- `pantau_auditor`: `audit` and `marts`.
- `pantau_officer`: authorised follow-up. `restricted` (case-level views with names) and `marts`.

Roles are cluster-wide but privileges live in each database: `ensure_roles` creates the group
roles once per server (tolerating another database's bootstrap doing it at the same moment) and
grants them this database's schemas only. CONNECT to the database is revoked from PUBLIC and
granted to the groups, so a LOGIN user with no group cannot open the warehouse at all.

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


def create_login_user(
    conn: psycopg.Connection, name: str, group: str, *, password: str | None = None
) -> None:
    """A LOGIN user that is a member of `group` (one of GROUPS). Idempotent; updates the password.

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


def drop_login_user(conn: psycopg.Connection, name: str) -> None:
    """Remove a LOGIN user made by create_login_user; refuses the group roles themselves."""
    if name in GROUPS:
        raise ValueError(f"{name} is a group role; drop LOGIN users only")
    with conn.transaction():
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
