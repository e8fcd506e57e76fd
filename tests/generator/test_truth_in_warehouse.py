"""End to end: the warehouse finds exactly what the generator planted (slow: loader, GX, dbt)."""

from __future__ import annotations

import hashlib
import hmac
import os

import psycopg
import pytest
from dbt_cli import run_dbt

from pantau import config, transform
from pantau.registry import feeds
from pantau_dev.generate import generate

pytestmark = pytest.mark.slow


def _person_key(passport: str, country: str) -> str:
    key = os.environ["PANTAU_PII_KEY"].encode()
    return hmac.new(key, f"{passport}|{country}".encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def restore_environ():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_marts_reproduce_the_ground_truth(warehouse_db, restore_environ, tmp_path):
    from pantau.ingest.loader import load_file

    landing = tmp_path / "landing"
    truths = {province: generate(province, landing, seed=5, scale=0.1) for province in ("36", "62")}
    for feed_name, spec in feeds().items():
        for path in sorted((landing / feed_name).glob("*")):
            outcome = load_file(spec, path, landing=landing, dsn=warehouse_db)
            assert outcome.status == "loaded", (path.name, outcome)
    # Gate 1 (GX, seconds per batch: tests/quality covers it) is stood in for by accepting every
    # loaded batch, which is what the gate does with clean files; staging reads accepted batches only.
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        loaded = conn.execute(
            "select sum(row_count) from audit.load_ledger where status = 'loaded'"
        ).fetchone()[0]
        conn.execute("update audit.load_ledger set status = 'accepted' where status = 'loaded'")
    assert loaded == sum(c["rows"] for t in truths.values() for c in t["feeds"].values())

    os.environ["PANTAU_AS_OF"] = "2025-10-27"
    config.export_tool_env()
    # Built as the warehouse DAG builds (dbt's unit tests run in tests/dbt).
    result = run_dbt(["build", *transform.WAREHOUSE_BUILD_EXCLUDES], tmp_path)
    assert result.returncode == 0, result.stdout[-5000:]

    with psycopg.connect(warehouse_db) as conn:
        present = conn.execute(
            "select region_code, country_code, foreigner_count from marts.fct_foreigners_present"
        ).fetchall()
        found = conn.execute(
            "select finding_code, region_code, person_key from marts.fct_findings"
        ).fetchall()
    expected_present = {
        (row["region_code"], row["country_code"]): row["count"]
        for t in truths.values()
        for row in t["present"]
    }
    assert {(region, country): n for region, country, n in present} == expected_present
    expected = {
        (
            f["finding_code"],
            f["region_code"],
            _person_key(f["passport_norm"], f["country_code"]) if f["passport_norm"] else None,
        )
        for t in truths.values()
        for f in t["findings"]
    }
    assert set(found) == expected
    assert len(found) == len(expected)
