"""Database roles, proven by logging in: each group reads what it should and nothing more.

One warehouse is built the way a deployment runs it: the administrator bootstraps it, the files
are loaded by a `pantau_loader` login, and the real `dbt build` runs as a `pantau_transformer`
login. Marts that dbt creates after the bootstrap must be readable by the reader, auditor and
officer through default privileges alone (the bootstrap is not rerun after dbt).
tests/test_no_pii_in_marts.py scans the same warehouse.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from pantau import config, roles, warehouse
from pantau.ingest.loader import load_file
from pantau.registry import feeds
from pantau_dev.generate import generate

PROVINCE = "36"
SEED = 11
SCALE = 0.03


@dataclass
class RoleWarehouse:
    dsn: str  # the administrator's
    users: dict[str, str]  # group role -> LOGIN user in it
    landing: Path
    target: Path  # dbt's target/ of the build (manifest.json)
    dbt_output: str = ""
    notes: dict = field(default_factory=dict)

    def dsn_as(self, group: str) -> str:
        return psycopg.conninfo.make_conninfo(self.dsn, user=self.users[group])


_BUILT: dict[str, RoleWarehouse] = {}


def build_role_warehouse(tmp_root: Path) -> RoleWarehouse:
    """Bootstrap, load as the loader, `dbt build` as the transformer. Built once per process and
    shared by this module and test_no_pii_in_marts.py; drop_role_warehouse() removes it."""
    if "built" in _BUILT:
        return _BUILT["built"]
    tag = uuid.uuid4().hex[:8]
    name = f"pantau_test_roles_{tag}"
    dsn = config.with_database(config.warehouse_dsn(), name)
    users = {group: f"pantau_test_{tag}_{group.removeprefix('pantau_')}" for group in roles.GROUPS}
    built = RoleWarehouse(dsn, users, tmp_root / "landing", tmp_root / "target")
    _BUILT["built"] = built
    warehouse.bootstrap(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for group, user in users.items():
            roles.create_login_user(conn, user, group)

    generate(PROVINCE, built.landing, seed=SEED, scale=SCALE)
    loader = built.dsn_as(roles.LOADER)
    files = [
        (spec, path) for name, spec in feeds().items() for path in sorted((built.landing / name).glob("*"))
    ]
    # A hundred small files: loaded four at a time (each load is its own connection and batch).
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda item: load_file(*item, landing=built.landing, dsn=loader), files))
    assert [outcome.status for outcome in outcomes] == ["loaded"] * len(files), outcomes
    # Gate 1 is stood in for by accepting every loaded batch (what it does with clean files);
    # the loader may do this: it writes the audit schema.
    with psycopg.connect(loader, autocommit=True) as conn:
        conn.execute("update audit.load_ledger set status = 'accepted' where status = 'loaded'")

    saved = dict(os.environ)
    try:
        os.environ["PANTAU_WAREHOUSE_DSN"] = built.dsn_as(roles.TRANSFORMER)
        config.warehouse_dsn.cache_clear()
        config.export_tool_env()
        project = str(config.DBT_PROJECT_DIR)
        result = subprocess.run(
            # Models and seeds: dbt's own tests run in tests/dbt; here what matters is who builds.
            [str(Path(sys.executable).with_name("dbt")), "build", "--exclude", "resource_type:test",
             "resource_type:unit_test", "--project-dir", project,
             "--profiles-dir", project, "--target-path", str(built.target),
             "--log-path", str(tmp_root / "logs")],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()
    built.dbt_output = result.stdout
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return built


def drop_role_warehouse() -> None:
    built = _BUILT.pop("built", None)
    if built is None:
        return
    warehouse.drop_database(built.dsn)
    server = config.with_database(built.dsn, "postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        for user in built.users.values():
            roles.drop_login_user(conn, user)


@pytest.fixture(scope="session")
def role_warehouse(tmp_path_factory: pytest.TempPathFactory):
    try:
        yield build_role_warehouse(tmp_path_factory.mktemp("roles"))
    finally:
        drop_role_warehouse()


def _can_read(dsn: str, relation: str) -> bool:
    """True when `select` works; False on permission denied (any other error fails the test)."""
    with psycopg.connect(dsn) as conn:
        try:
            conn.execute(f"select * from {relation} limit 1").fetchall()
        except errors.InsufficientPrivilege:
            return False
        return True


def _relations(dsn: str, schema: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s order by 1",
            (schema,),
        ).fetchall()
    return [f"{schema}.{name}" for (name,) in rows]


# What each group may read, schema by schema (every table and view in the schema is tried).
MAY_READ = {
    roles.LOADER: {"raw", "audit"},
    roles.TRANSFORMER: {"raw", "audit", "staging", "intermediate", "marts", "restricted"},
    roles.READER: {"marts"},
    roles.AUDITOR: {"audit", "marts"},
    roles.OFFICER: {"restricted", "marts"},
}


def test_each_role_reads_exactly_its_schemas(role_warehouse: RoleWarehouse) -> None:
    relations = {schema: _relations(role_warehouse.dsn, schema) for schema in warehouse.SCHEMAS}
    # Every schema holds something, or the test would prove nothing about it.
    assert all(relations.values()), {schema: len(found) for schema, found in relations.items()}
    assert "marts.fct_findings" in relations["marts"]
    assert "restricted.restricted_finding_subjects" in relations["restricted"]
    # The loader also reads the reference seeds (gate 1 resolves values against them), no more.
    seeds = {f"staging.{path.stem}" for path in (config.DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    assert "staging.regions" in seeds and seeds <= set(relations["staging"])
    wrong = []
    for group, allowed in MAY_READ.items():
        dsn = role_warehouse.dsn_as(group)
        for schema, names in relations.items():
            for relation in names:
                may = schema in allowed or (group == roles.LOADER and relation in seeds)
                if _can_read(dsn, relation) != may:
                    wrong.append((group, relation, "denied" if may else "read"))
    assert wrong == []


def test_the_officer_sees_names_and_the_reader_does_not(role_warehouse: RoleWarehouse) -> None:
    query = "select person_name, passport_norm from restricted.restricted_finding_subjects"
    with psycopg.connect(role_warehouse.dsn_as(roles.OFFICER)) as conn:
        subjects = conn.execute(query).fetchall()
    assert subjects and all(name and passport for name, passport in subjects)
    denied = pytest.raises(errors.InsufficientPrivilege, match="permission denied for schema restricted")
    with psycopg.connect(role_warehouse.dsn_as(roles.READER)) as conn, denied:
        conn.execute(query)


def test_dbt_objects_belong_to_the_transformer_group(role_warehouse: RoleWarehouse) -> None:
    with psycopg.connect(role_warehouse.dsn) as conn:
        owners = conn.execute(
            "select distinct nspname, pg_get_userbyid(relowner) from pg_class"
            " join pg_namespace on pg_namespace.oid = relnamespace"
            " where nspname = any(%s) and relkind in ('r', 'v', 'm')",
            (list(roles.DBT_SCHEMAS),),
        ).fetchall()
    assert sorted(owners) == [(schema, roles.TRANSFORMER) for schema in sorted(roles.DBT_SCHEMAS)]


def test_writes_are_limited_to_each_roles_own_layer(role_warehouse: RoleWarehouse) -> None:
    attempts = {
        # The loader writes raw and audit rows but cannot touch what dbt builds or create tables.
        roles.LOADER: [
            ("insert into audit.dq_results (run_id, suite, expectation, severity, success)"
             " values ('roles-test', 'raw__x', 'probe', 'warning', true)", True),
            ("delete from audit.dq_results where run_id = 'roles-test'", True),
            ("update raw.imigrasi_apoa set kabupaten_kota = kabupaten_kota where false", True),
            ("delete from marts.fct_findings where false", False),
            ("create table marts.loader_probe (x int)", False),
            ("create table raw.loader_probe (x int)", False),
        ],
        # dbt reads raw and the ledger but never changes them.
        roles.TRANSFORMER: [
            ("create table marts.transformer_probe (x int)", True),
            ("drop table marts.transformer_probe", True),
            ("update raw.imigrasi_apoa set kabupaten_kota = kabupaten_kota where false", False),
            ("update audit.load_ledger set status = status where false", False),
        ],
        roles.READER: [
            ("delete from marts.fct_findings where false", False),
            ("create table marts.reader_probe (x int)", False),
        ],
        roles.AUDITOR: [("update audit.load_ledger set status = status where false", False)],
        roles.OFFICER: [("delete from marts.dim_regions where false", False)],
    }  # fmt: skip
    wrong = []
    for group, statements in attempts.items():
        with psycopg.connect(role_warehouse.dsn_as(group), autocommit=True) as conn:
            for statement, allowed in statements:
                try:
                    conn.execute(statement)
                    succeeded = True
                except errors.InsufficientPrivilege:
                    succeeded = False
                if succeeded != allowed:
                    wrong.append((group, statement, succeeded))
    assert wrong == []


def test_tables_created_later_by_the_administrator_are_covered(role_warehouse: RoleWarehouse) -> None:
    # The demo runs dbt as the administrator: default privileges for that role apply too.
    with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
        conn.execute("create table marts.later_probe as select 1 as x")
        conn.execute("create view restricted.later_probe as select 1 as x")
        conn.execute("create table raw.later_probe (x int)")
    try:
        assert _can_read(role_warehouse.dsn_as(roles.READER), "marts.later_probe")
        assert not _can_read(role_warehouse.dsn_as(roles.READER), "restricted.later_probe")
        assert _can_read(role_warehouse.dsn_as(roles.OFFICER), "restricted.later_probe")
        with psycopg.connect(role_warehouse.dsn_as(roles.LOADER), autocommit=True) as conn:
            conn.execute("insert into raw.later_probe values (1)")
    finally:
        with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
            conn.execute("drop table marts.later_probe; drop view restricted.later_probe")
            conn.execute("drop table raw.later_probe")


def test_a_login_without_a_group_cannot_connect(role_warehouse: RoleWarehouse) -> None:
    stranger = f"pantau_test_{uuid.uuid4().hex[:8]}_stranger"
    server = config.with_database(role_warehouse.dsn, "postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login").format(sql.Identifier(stranger)))
    try:
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(psycopg.conninfo.make_conninfo(role_warehouse.dsn, user=stranger)).close()
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            roles.drop_login_user(conn, stranger)


def _all_at_once(work, arguments: list) -> list[BaseException]:
    """Run work(argument) in one thread per argument, released together; the exceptions raised."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(arguments))

    def run(argument) -> None:
        try:
            start.wait()
            work(argument)
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def _ensure_roles(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        roles.ensure_roles(conn)


def test_role_setup_is_idempotent_under_concurrency(make_database) -> None:
    """Bootstraps of several databases sharing the cluster-wide roles at once, then concurrent
    role set-ups of one database, all succeed; group roles racing into existence are tolerated."""
    databases = [make_database(bootstrap=False) for _ in range(3)]
    assert _all_at_once(warehouse.bootstrap, databases) == []
    assert _all_at_once(_ensure_roles, [databases[0]] * 4) == []

    tag = uuid.uuid4().hex[:8]
    names = tuple(f"pantau_test_{tag}_group{n}" for n in range(3))

    def create(dsn: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            roles.create_group_roles(conn, names)

    try:
        assert _all_at_once(create, databases + databases) == []
    finally:
        with psycopg.connect(databases[0], autocommit=True) as conn:
            found = conn.execute("select rolname from pg_roles where rolname = any(%s)", (list(names),))
            created = sorted(name for (name,) in found.fetchall())
            for name in created:
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))
    assert created == sorted(names)
