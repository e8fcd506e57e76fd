"""Shared fixtures: every test gets its own PostgreSQL database, created and dropped here.

The suite runs under pytest-xdist (`-n auto` in pyproject.toml): each worker process has its own
state folder (Airflow metadata SQLite, GX project, outputs) and builds its template
databases once; a test's database is a copy of a template (`create database ... template`), not
bootstrapped again.
"""

from __future__ import annotations

import atexit
import os
import shutil
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
os.environ.setdefault("AIRFLOW_HOME", os.path.join(_STATE, "airflow"))
os.environ.setdefault("PANTAU_TASK_RETRIES", "0")
# dag.test() runs one DAG at a time: the warehouse's wait for a quiet landing zone would only stall.
os.environ.setdefault("PANTAU_QUIET_MAX_SECONDS", "0")
os.environ.setdefault("PANTAU_PII_KEY", "test-only-pii-key-0123456789abcdef")
os.environ.setdefault("PANTAU_AS_OF", "2025-10-27")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from pantau import config, roles, warehouse  # noqa: E402 - settings above must come first
from pantau.orchestration import airflow_local  # noqa: E402 - settings above must come first

# Airflow reads its configuration once, at its first import (any test may trigger it): point it
# at the project's DAG folder and the throwaway metadata database before that can happen.
airflow_local.configure()


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
    session (and worker) by `build(dsn)`, to be copied with `create database ... template`.
    The builder must close its connections: PostgreSQL copies only a template nobody is using."""
    built: dict[str, str] = {}

    def _template(key: str, build: Callable[[str], None]) -> str:
        if key not in built:
            name = create_database(f"pantau_tpl_{key}_")
            built[key] = name
            build(config.with_database(config.warehouse_dsn(), name))
        return built[key]

    yield _template
    drop_databases(list(built.values()))


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
