"""Shared fixtures: every test gets its own PostgreSQL database, created and dropped here."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import psycopg
import pytest

# Test settings are fixed before pantau is imported so that config picks them up. State (Airflow
# metadata, GX project, outputs) lives in a throwaway folder, never in the checkout's .pantau/.
_STATE = tempfile.mkdtemp(prefix="pantau-test-")
atexit.register(shutil.rmtree, _STATE, ignore_errors=True)
os.environ.setdefault("PANTAU_HOME", _STATE)
os.environ.setdefault("AIRFLOW_HOME", os.path.join(_STATE, "airflow"))
os.environ.setdefault("PANTAU_TASK_RETRIES", "0")
os.environ.setdefault("PANTAU_PII_KEY", "test-only-pii-key-0123456789abcdef")
os.environ.setdefault("PANTAU_AS_OF", "2025-10-27")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from pantau import config, warehouse  # noqa: E402 - settings above must come first
from pantau.orchestration import airflow_local  # noqa: E402 - settings above must come first

# Airflow reads its configuration once, at its first import (any test may trigger it): point it
# at the project's DAG folder and the throwaway metadata database before that can happen.
airflow_local.configure()


def _server_dsn() -> str:
    return config.with_database(config.warehouse_dsn(), "postgres")


@pytest.fixture
def make_database() -> Iterator:
    """Factory: `make_database()` returns the DSN of a new, bootstrapped, uniquely named database."""
    created: list[str] = []

    def _make(bootstrap: bool = True) -> str:
        name = f"pantau_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_server_dsn(), autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        created.append(name)
        dsn = config.with_database(config.warehouse_dsn(), name)
        if bootstrap:
            warehouse.bootstrap(dsn)
        return dsn

    yield _make
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def warehouse_db(make_database, monkeypatch) -> str:
    """A fresh bootstrapped warehouse, exported as PANTAU_WAREHOUSE_DSN for code under test."""
    dsn = make_database()
    monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", dsn)
    config.warehouse_dsn.cache_clear()
    yield dsn
    config.warehouse_dsn.cache_clear()
