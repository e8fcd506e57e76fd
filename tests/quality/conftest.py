"""Fixtures for the gate tests: one warehouse and one GX project per test module.

Each test validates its own batch (own `_batch_id`), so batches never see each other and the
expensive parts (database, GX context, declared suites) are set up once per module. Databases
carry this area's prefix, `pantau_dq_`, and are dropped afterwards. The reference seeds gate 1
resolves regions, countries and visa codes against, and dbt's key tables built from them, are built
once per session by the real dbt into a template database that every module's database copies.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from dbt_cli import run_dbt

from pantau import config, runner, warehouse
from pantau.quality import gx_project


def build_reference(dsn: str, work_dir: Path) -> None:
    """The reference seeds and dbt's key tables, built by the real dbt as the pipeline builds them."""
    saved = dict(os.environ)
    try:
        os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
        config.warehouse_dsn.cache_clear()
        config.export_tool_env()
        for command in runner.reference_build_commands():
            result = run_dbt(command, work_dir)
            assert result.returncode == 0, result.stdout[-4000:]
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()


def _build_reference_template(dsn: str) -> None:
    warehouse.bootstrap(dsn)
    with tempfile.TemporaryDirectory(prefix="dbt_reference_") as work_dir:
        build_reference(dsn, Path(work_dir))


@pytest.fixture(scope="session")
def reference_template(template_database) -> str:
    """A database holding only the reference tables, built once per run; modules copy it."""
    return template_database("dq_reference", _build_reference_template)


def _server_dsn() -> str:
    return config.with_database(config.warehouse_dsn(), "postgres")


@pytest.fixture(scope="module")
def gx_dsn(reference_template) -> Iterator[str]:
    name = f"pantau_dq_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        conn.execute(f'create database "{name}" template "{reference_template}"')
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
