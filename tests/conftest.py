"""Shared fixtures: every test gets its own PostgreSQL database, created and dropped here.

The suite runs under pytest-xdist (`make test`): each worker process has its own state folder
(Airflow metadata SQLite, GX project, outputs); template databases are built once per run, by
the first worker that needs one, and a test's database is a copy of a template
(`create database ... template`), not bootstrapped again.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

# Test settings are fixed before pantau is imported so that config picks them up. State (Airflow
# metadata, GX project, outputs) lives in a throwaway folder, never in the checkout's .pantau/.
# xdist workers inherit the controller's environment: a worker whose PANTAU_HOME is the one the
# controller made here gets its own, so no two processes share a SQLite file or a GX project.
_STATE = tempfile.mkdtemp(prefix="pantau-test-")
atexit.register(shutil.rmtree, _STATE, ignore_errors=True)
_PER_PROCESS = (
    "PANTAU_HOME",
    "AIRFLOW_HOME",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
)
_inherited = os.environ.get("PANTAU_HOME") == os.environ.get("_PANTAU_TEST_STATE")
if os.environ.get("PYTEST_XDIST_WORKER") and _inherited:
    for _name in _PER_PROCESS:
        os.environ.pop(_name, None)
os.environ.setdefault("PANTAU_HOME", _STATE)
os.environ["_PANTAU_TEST_STATE"] = os.environ["PANTAU_HOME"]
# One id for the whole run, controller and workers alike: names the templates they share.
_RUN = os.environ.setdefault("_PANTAU_TEST_RUN", uuid.uuid4().hex[:8])
_TEMPLATES: set[str] = set()  # shared templates this process knows are ready
os.environ.setdefault("AIRFLOW_HOME", os.path.join(_STATE, "airflow"))
os.environ.setdefault("PANTAU_TASK_RETRIES", "0")
# dag.test() runs one DAG at a time: the warehouse's wait for a quiet landing zone would only stall.
os.environ.setdefault("PANTAU_QUIET_MAX_SECONDS", "0")
os.environ.setdefault("PANTAU_PII_KEY", "test-only-pii-key-0123456789abcdef")
os.environ.setdefault("PANTAU_AS_OF", "2025-10-27")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# dbt writes every event of each invocation, at debug level, to the log path's dbt.log. No test
# reads those files (run_dbt collects dbt's messages through a callback and prints them when a
# build fails), and writing them took about a sixth of a full build's CPU (bench/RESULTS.md).
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")

from pantau import config, roles, warehouse  # noqa: E402 - settings above must come first
from pantau.orchestration import airflow_local  # noqa: E402 - settings above must come first

# Airflow reads its configuration once, at its first import (any test may trigger it): point it
# at the project's DAG folder and the throwaway metadata database before that can happen.
airflow_local.configure()


# Scheduling under `--dist loadgroup --no-loadscope-reorder` (Makefile `test`). A test that uses a
# module-scoped fixture (a dbt-built warehouse, a GX project) runs on the worker that holds its
# module; tests of an `xdist_group` (sharing a session fixture) run on one worker; every other test
# goes to whichever worker is free. Work is handed out in collection order, the slow groups first,
# so that the long runs start at once and the short tests fill both workers at the end.
_SHARED_SCOPES = ("module", "class", "package")


def _unit(item: pytest.Item) -> str:
    """The xdist work unit `item` belongs to (its group, else the test itself)."""
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0]) if mark else item.nodeid


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks (its hook renames the node ids)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        fixtures = getattr(item, "_fixtureinfo", None)
        definitions = fixtures.name2fixturedefs.values() if fixtures else ()
        if any(d.scope in _SHARED_SCOPES for defs in definitions for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    slow_units = {_unit(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: _unit(item) not in slow_units)  # stable: the order within a unit stays


def pytest_collection_finish(session: pytest.Session) -> None:
    """A worker under `--dist loadgroup` must hand xdist node ids that carry their group
    (`...@group`): without them every test is scheduled alone, and a module's expensive fixture
    is built once per worker that runs one of its tests (pytest 9.2 with xdist 3.8 did that
    silently: pytest-dev/pytest-xdist#1386)."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or not getattr(session.config.option, "loadgroup", False):
        return
    lost = [i.nodeid for i in session.items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid]
    if lost:
        message = (
            f"--dist loadgroup is not grouping: {len(lost)} grouped tests have no @group in their "
            f"node id (first: {lost[0]}); check the pytest / pytest-xdist pair in uv.lock"
        )
        print(message, file=sys.__stderr__, flush=True)  # xdist shows a worker's error only as a crash
        raise pytest.UsageError(message)


def _server_dsn() -> str:
    return config.with_database(config.warehouse_dsn(), "postgres")


def create_database(prefix: str, template: str | None = None) -> str:
    """A new, uniquely named database (a copy of `template` when given); returns its name."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
    return name


def drop_databases(names: list[str]) -> None:
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        for name in names:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def template_database() -> Iterator[Callable[[str, Callable[[str], None]], str]]:
    """Factory: `template_database(key, build)` returns the name of a database built once per
    test run by `build(dsn)`, to be copied with `create database ... template`.
    The builder must close its connections: PostgreSQL copies only a template nobody is using."""
    yield shared_template


def shared_template(key: str, build: Callable[[str], None]) -> str:
    """The database `pantau_tpl_<key>_<run>`, built by `build(dsn)` by the first worker that asks
    (the others wait on a PostgreSQL advisory lock, then copy it); dropped when the run ends."""
    name = f"pantau_tpl_{key}_{_RUN}"
    if name in _TEMPLATES:
        return name
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(hashtext(%s))", (name,))
        try:
            ready = conn.execute(
                "select shobj_description(oid, 'pg_database') = 'ready' from pg_database where datname = %s",
                (name,),
            ).fetchone()
            if not (ready and ready[0]):  # absent, or a build that failed half-way
                conn.execute(f'drop database if exists "{name}" with (force)')
                conn.execute(f'create database "{name}"')
                build(config.with_database(config.warehouse_dsn(), name))
                conn.execute(f"comment on database \"{name}\" is 'ready'")
        finally:
            conn.execute("select pg_advisory_unlock(hashtext(%s))", (name,))
    _TEMPLATES.add(name)
    return name


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The shared templates go when the whole run ends: in the controller (or the only process)."""
    if hasattr(session.config, "workerinput"):
        return
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        names = conn.execute(
            "select datname from pg_database where datname like %s", (f"pantau\\_tpl\\_%\\_{_RUN}",)
        ).fetchall()
    drop_databases([name for (name,) in names])


@pytest.fixture
def make_database(template_database) -> Iterator:
    """Factory: `make_database()` returns the DSN of a new, bootstrapped, uniquely named database
    (a copy of a template bootstrapped once per session), `make_database(bootstrap=False)` an
    empty one, `make_database(template=name)` a copy of another template (see template_database)."""
    created: list[str] = []

    def _make(bootstrap: bool = True, prefix: str = "pantau_test_", template: str | None = None) -> str:
        if template is None and bootstrap:
            template = template_database("bootstrap", warehouse.bootstrap)
        name = create_database(prefix, template)
        created.append(name)
        dsn = config.with_database(config.warehouse_dsn(), name)
        if template is not None:
            # CONNECT is granted on the database itself, which a copy does not inherit.
            with psycopg.connect(dsn, autocommit=True) as conn:
                roles.ensure_roles(conn)
        return dsn

    yield _make
    drop_databases(created)


@pytest.fixture
def warehouse_db(make_database, monkeypatch) -> str:
    """A fresh bootstrapped warehouse, exported as PANTAU_WAREHOUSE_DSN for code under test."""
    dsn = make_database()
    monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", dsn)
    config.warehouse_dsn.cache_clear()
    yield dsn
    config.warehouse_dsn.cache_clear()
