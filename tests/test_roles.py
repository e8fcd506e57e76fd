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

# The role warehouse is built once per process and shared with test_no_pii_in_marts.py: both
# modules run on one worker (xdist group), and its build (loader, dbt) takes minutes.
pytestmark = [pytest.mark.xdist_group("role_warehouse"), pytest.mark.slow]

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
    # The loader also reads the reference seeds and dbt's key tables (gate 1 resolves values
    # through them), no more.
    seeds = {f"staging.{path.stem}" for path in (config.DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    seeds |= {
        f"staging.{path.stem}" for path in (config.DBT_PROJECT_DIR / "models/staging/reference").glob("*.sql")
    }
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


# ----- row scopes: one warehouse, many provinces (access.login_scopes, macros/row_scope.sql) -----
SCOPED_TABLES = ("marts.fct_findings", "marts.fct_foreigners_present", "marts.fct_lodging_stays")


def _scoped_login(role_warehouse: RoleWarehouse, label: str, group: str, scopes) -> str:
    name = f"{role_warehouse.users[group]}_{label}"
    with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
        roles.create_login_user(conn, name, group, scopes=scopes)
    return psycopg.conninfo.make_conninfo(role_warehouse.dsn, user=name)


def _codes(dsn: str, relation: str, column: str = "region_code") -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {code for (code,) in conn.execute(f"select distinct {column} from {relation}").fetchall()}


@pytest.fixture(scope="module")
def scoped(role_warehouse: RoleWarehouse):
    """Logins scoped to Banten, to Kalimantan Tengah (no rows here), to two kab/kota that have
    findings in this warehouse (`here` and `there`), and a national one."""
    with psycopg.connect(role_warehouse.dsn) as conn:
        codes = conn.execute(
            "select region_code from marts.fct_findings where region_code like '36.%%'"
            " group by 1 order by count(*) desc, 1 limit 2"
        ).fetchall()
    assert len(codes) == 2, "the test warehouse needs findings in two kab/kota"
    here, there = (code for (code,) in codes)
    logins = {
        "national": _scoped_login(role_warehouse, "nasional", roles.READER, None),
        "banten": _scoped_login(role_warehouse, "prov36", roles.READER, ["36"]),
        "kalteng": _scoped_login(role_warehouse, "prov62", roles.READER, ["62"]),
        "here": _scoped_login(role_warehouse, "kabhere", roles.READER, [here]),
        "there": _scoped_login(role_warehouse, "kabthere", roles.READER, [there]),
        "officer_here": _scoped_login(role_warehouse, "offhere", roles.OFFICER, [here]),
    }
    yield {**logins, "codes": (here, there)}
    with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
        for dsn in logins.values():
            roles.drop_login_user(conn, psycopg.conninfo.conninfo_to_dict(dsn)["user"])


def test_each_login_sees_its_own_province_or_kab_kota(role_warehouse: RoleWarehouse, scoped) -> None:
    here, there = scoped["codes"]
    everything = {table: _codes(role_warehouse.dsn, table) for table in SCOPED_TABLES}
    for table in SCOPED_TABLES:
        assert len(everything[table]) > 2, table  # several kab/kota, or the test proves nothing
        assert _codes(scoped["national"], table) == everything[table], table
        assert _codes(scoped["banten"], table) == everything[table], table
        assert _codes(scoped["kalteng"], table) == set(), table
        assert _codes(scoped["here"], table) <= {here}, table
        assert _codes(scoped["there"], table) <= {there}, table
    assert _codes(scoped["here"], "marts.fct_findings") == {here}
    assert _codes(scoped["there"], "marts.fct_findings") == {there}
    # labels stay readable by everyone
    assert there in _codes(scoped["here"], "marts.dim_regions")


def test_a_kab_kota_login_cannot_read_another_kab_kotas_findings(role_warehouse, scoped) -> None:
    here, there = scoped["codes"]
    query = "select count(*) from marts.fct_findings where region_code = %s"
    with psycopg.connect(role_warehouse.dsn) as conn:
        assert conn.execute(query, (there,)).fetchone()[0] > 0
    with psycopg.connect(scoped["here"]) as conn:
        assert conn.execute(query, (there,)).fetchone()[0] == 0
        # nor by switching to the group role: the scope follows the login
        conn.execute("set role pantau_reader")
        assert conn.execute(query, (there,)).fetchone()[0] == 0
    # the restricted view (names, passports) is filtered the same way for an officer
    restricted = "restricted.restricted_finding_subjects"
    assert _codes(scoped["officer_here"], restricted) <= {here}
    assert _codes(role_warehouse.dsn, restricted) - {here}


def test_a_reader_login_without_a_scope_sees_no_rows(role_warehouse: RoleWarehouse) -> None:
    """Fail closed: a reader made by hand (no row in access.login_scopes) reads nothing."""
    stranger = f"pantau_test_{uuid.uuid4().hex[:8]}_unscoped"
    with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login").format(sql.Identifier(stranger)))
        conn.execute(sql.SQL("grant pantau_reader to {}").format(sql.Identifier(stranger)))
    try:
        dsn = psycopg.conninfo.make_conninfo(role_warehouse.dsn, user=stranger)
        assert _codes(dsn, "marts.fct_findings") == set()
        # a scope cannot be granted by the reader itself
        with psycopg.connect(dsn) as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute("insert into access.login_scopes values (current_user, null)")
    finally:
        with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
            roles.drop_login_user(conn, stranger)


def test_briefing_figures_and_status_under_scoped_logins(
    role_warehouse: RoleWarehouse, scoped, monkeypatch
) -> None:
    """Auditor logins (marts + audit) scoped to a kab/kota read the briefing's figures and run
    `pantau status`: the Banten figures read by a kab/kota login hold only that kab/kota's
    findings, the national login's all of them."""
    from datetime import date

    from pantau import report
    from pantau.briefing.data import load_marts

    here, _ = scoped["codes"]
    national = _scoped_login(role_warehouse, "audnas", roles.AUDITOR, None)
    local = _scoped_login(role_warehouse, "audhere", roles.AUDITOR, [here])
    try:
        figures = {}
        for name, dsn in (("national", national), ("local", local)):
            with psycopg.connect(dsn) as conn:
                figures[name] = load_marts(conn, "36", date(2025, 10, 27), findings_since=None, language="id")
        assert {row.region_code for row in figures["local"].findings} == {here}
        assert len({row.region_code for row in figures["national"].findings}) > 1
        assert figures["local"].totals != figures["national"].totals
        monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", local)
        config.warehouse_dsn.cache_clear()
        assert report.status()  # loads and quality: per file, not scoped
    finally:
        config.warehouse_dsn.cache_clear()
        with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
            for dsn in (national, local):
                roles.drop_login_user(conn, psycopg.conninfo.conninfo_to_dict(dsn)["user"])


def test_a_whole_briefing_renders_under_a_kab_kota_briefing_login(role_warehouse, scoped, tmp_path) -> None:
    """A kab/kota Tim POA's briefing service: a reader login scoped to its kab/kota with the
    briefing service's grants (pantau serve and docker-compose give the same) renders that
    kab/kota's briefing end to end (marts, audit views, reference names, the archive row)."""
    from pantau.briefing import render_briefing

    here, _ = scoped["codes"]
    dsn = _scoped_login(role_warehouse, "briefhere", roles.READER, [here])
    user = psycopg.conninfo.conninfo_to_dict(dsn)["user"]
    try:
        with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
            roles.grant_briefing_service(conn, user)
        result = render_briefing(here, "2025-10-30", dsn=dsn, out_dir=tmp_path, strict=False)
        assert result.path.exists() and result.page_count > 0
        with psycopg.connect(role_warehouse.dsn) as conn:
            (archived,) = conn.execute(
                "select count(*) from audit.briefings where region_code = %s and pdf_sha256 = %s",
                (here, result.sha256),
            ).fetchone()
        assert archived == 1
    finally:
        with psycopg.connect(role_warehouse.dsn, autocommit=True) as conn:
            for statement in (
                "revoke all on all tables in schema audit from {}",
                "revoke all on all tables in schema staging from {}",
                "revoke usage on schema audit from {}",
                "revoke usage on schema staging from {}",
            ):
                conn.execute(sql.SQL(statement).format(sql.Identifier(user)))
            roles.drop_login_user(conn, user)
