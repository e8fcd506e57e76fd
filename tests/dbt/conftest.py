"""Fixtures for the dbt tests: warehouses holding the hand-written raw batches of raw_rows.py."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import raw_rows
from dbt_cli import run_dbt

from pantau import config, warehouse


@pytest.fixture
def tool_env() -> Iterator[None]:
    """export_tool_env() writes os.environ directly: put it back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def loaded_warehouse(warehouse_db: str, tool_env: None) -> str:
    raw_rows.load_all(warehouse_db)
    config.export_tool_env()
    return warehouse_db


def build(work_dir: Path, *args: str, **env: str) -> None:
    """`dbt build` (or the command given in args) must succeed; env adds variables for this run."""
    result = run_dbt(list(args) or ["build"], work_dir, extra_env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One warehouse, loaded and built once, shared by the read-only tests of a module."""
    server = config.with_database(config.warehouse_dsn(), "postgres")
    name = f"pantau_dbt_test_{uuid.uuid4().hex[:10]}"
    dsn = config.with_database(config.warehouse_dsn(), name)
    saved = dict(os.environ)
    try:
        warehouse.bootstrap(dsn)
        raw_rows.load_all(dsn)
        os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
        config.warehouse_dsn.cache_clear()
        config.export_tool_env()
        build(tmp_path_factory.mktemp("dbt"))
        yield dsn
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
