"""Fixtures of the briefing tests: a database per test (prefix `pantau_brief_`) holding the marts,
audit rows and raw PII of briefing_data.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from briefing_data import REF, create_marts, create_region_seeds, insert_audit, insert_raw_pii

from pantau import config, warehouse

DB_PREFIX = "pantau_brief_"  # this suite's databases; dropped after each test


@pytest.fixture
def make_database() -> Iterator:
    """Like the shared fixture, with this suite's own database prefix."""
    created: list[str] = []
    server = config.with_database(config.warehouse_dsn(), "postgres")

    def _make(bootstrap: bool = True) -> str:
        name = f"{DB_PREFIX}{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        created.append(name)
        dsn = config.with_database(config.warehouse_dsn(), name)
        if bootstrap:
            warehouse.bootstrap(dsn)
        return dsn

    yield _make
    with psycopg.connect(server, autocommit=True) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def briefing_db(warehouse_db: str, tmp_path: Path, monkeypatch) -> str:
    """A bootstrapped warehouse with the marts, audit rows and raw PII above; output in tmp_path."""
    monkeypatch.setenv("PANTAU_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("PANTAU_AS_OF", REF)
    monkeypatch.delenv("PANTAU_SUPPRESS_BELOW", raising=False)
    with psycopg.connect(warehouse_db) as conn:
        create_marts(conn)
        create_region_seeds(conn)
        insert_audit(conn)
        insert_raw_pii(conn)
    return warehouse_db
