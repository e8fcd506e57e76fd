"""Fixtures for the gate tests: one warehouse and one GX project per test module.

Each test validates its own batch (own `_batch_id`), so batches never see each other and the
expensive parts (database, GX context, declared suites) are set up once per module. Databases
carry this area's prefix, `pantau_dq_`, and are dropped afterwards. The reference seeds gate 1
resolves regions, countries and visa codes against are loaded into `staging`, as `dbt seed` does.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pantau import config, warehouse
from pantau.quality import gx_project

# The dbt seeds gate 1 resolves values against (docs/contracts.md, "Reference seeds").
REFERENCE_SEEDS = ("regions", "region_aliases", "countries", "country_aliases", "visa_index_codes")


def load_reference_seeds(dsn: str) -> None:
    """The seed files dbt loads into `staging`, loaded the same way (one table per CSV, text columns).

    `dbt seed` itself is exercised in tests/dbt; here it would cost half a minute per module.
    """
    with psycopg.connect(dsn) as conn:
        for name in REFERENCE_SEEDS:
            path = config.DBT_PROJECT_DIR / "seeds" / f"{name}.csv"
            with path.open(encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle))
            columns = ", ".join(f'"{column}" text' for column in header)
            conn.execute(f'drop table if exists staging."{name}"')
            conn.execute(f'create table staging."{name}" ({columns})')
            with conn.cursor().copy(f'copy staging."{name}" from stdin (format csv, header true)') as copy:
                copy.write(path.read_bytes())


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
        load_reference_seeds(dsn)
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
