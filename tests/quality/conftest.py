"""Fixtures for the gate tests: one warehouse and one GX project per test module.

Each test validates its own batch (own `_batch_id`), so batches never see each other and the
expensive parts (database, GX context, declared suites) are set up once per module. Databases
carry this area's prefix, `pantau_dq_`, and are dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pantau import config, warehouse
from pantau.quality import gx_project


def _server_dsn() -> str:
    return config.with_database(config.warehouse_dsn(), "postgres")


@pytest.fixture(scope="module")
def gx_dsn() -> Iterator[str]:
    name = f"pantau_dq_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = config.with_database(config.warehouse_dsn(), name)
    try:
        warehouse.bootstrap(dsn)
        yield dsn
    finally:
        with psycopg.connect(_server_dsn(), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def gx_home(tmp_path_factory) -> Iterator[Path]:
    """A private GX project and output folder (Data Docs) for the module."""
    home = tmp_path_factory.mktemp("gx_home")
    patch = pytest.MonkeyPatch()
    patch.setattr(config, "STATE_DIR", home / "state")
    patch.setenv("PANTAU_OUTPUT_DIR", str(home / "output"))
    gx_project.reset_caches()
    yield home
    patch.undo()
    gx_project.reset_caches()


@pytest.fixture(scope="module")
def gate(gx_dsn, gx_home):
    """(dsn, home) with the warehouse exported as PANTAU_WAREHOUSE_DSN for code under test."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_WAREHOUSE_DSN", gx_dsn)
    config.warehouse_dsn.cache_clear()
    yield gx_dsn, gx_home
    patch.undo()
    config.warehouse_dsn.cache_clear()
