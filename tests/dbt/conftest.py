"""Fixtures for the dbt tests: warehouses holding the hand-written raw batches of raw_rows.py."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import raw_rows
from dbt_cli import run_dbt

from pantau import config, roles, warehouse


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


def _build_warehouse(dsn: str) -> None:
    """Bootstrap, load the hand-written batches and `dbt build` everything (data and unit tests too)."""
    saved = dict(os.environ)
    try:
        warehouse.bootstrap(dsn)
        raw_rows.load_all(dsn)
        os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
        config.warehouse_dsn.cache_clear()
        config.export_tool_env()
        with tempfile.TemporaryDirectory(prefix="dbt_built_") as work_dir:
            build(Path(work_dir))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()


@pytest.fixture(scope="module")
def built_warehouse(template_database) -> Iterator[str]:
    """One warehouse, loaded and built once per run; each module reads its own copy."""
    server = config.with_database(config.warehouse_dsn(), "postgres")
    name = f"pantau_dbt_test_{uuid.uuid4().hex[:10]}"
    dsn = config.with_database(config.warehouse_dsn(), name)
    saved = dict(os.environ)
    try:
        template = template_database("dbt_built", _build_warehouse)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'create database "{name}" template "{template}"')
        # CONNECT is granted on the database itself, which a copy does not inherit.
        with psycopg.connect(dsn, autocommit=True) as conn:
            roles.ensure_roles(conn)
        os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
        config.warehouse_dsn.cache_clear()
        config.export_tool_env()
        yield dsn
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
