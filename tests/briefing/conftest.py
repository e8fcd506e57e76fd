"""Fixtures of the briefing tests: a database per test (prefix `pantau_brief_`) holding the marts,
audit rows and raw PII of briefing_data.py, copied from a template built once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from briefing_data import REF, create_marts, create_region_seeds, insert_audit, insert_raw_pii

from pantau import config, warehouse

DB_PREFIX = "pantau_brief_"  # this suite's databases; dropped after each test


@pytest.fixture
def make_database(make_database) -> Callable[..., str]:
    """Like the shared fixture, with this suite's own database prefix."""

    def _make(bootstrap: bool = True, prefix: str = DB_PREFIX, template: str | None = None) -> str:
        return make_database(bootstrap=bootstrap, prefix=prefix, template=template)

    return _make


def _build_briefing_template(dsn: str) -> None:
    warehouse.bootstrap(dsn)
    with psycopg.connect(dsn) as conn:
        create_marts(conn)
        create_region_seeds(conn)
        insert_audit(conn)
        insert_raw_pii(conn)


@pytest.fixture
def briefing_db(make_database, template_database, tmp_path: Path, monkeypatch) -> str:
    """A bootstrapped warehouse with the marts, audit rows and raw PII above; output in tmp_path."""
    template = template_database("briefing", _build_briefing_template)
    dsn = make_database(template=template)
    monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", dsn)
    config.warehouse_dsn.cache_clear()
    monkeypatch.setenv("PANTAU_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("PANTAU_AS_OF", REF)
    monkeypatch.delenv("PANTAU_SUPPRESS_BELOW", raising=False)
    yield dsn
    config.warehouse_dsn.cache_clear()
