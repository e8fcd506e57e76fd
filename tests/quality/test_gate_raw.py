"""Gate 1 in PostgreSQL: good batches pass, each blocking expectation catches its own breakage."""

from __future__ import annotations

import psycopg
import pytest

from pantau.quality import GateError, validate_raw_batch
from pantau.quality.suites import load_suite
from pantau.registry import feeds

from .batches import break_rows, clean_rows, insert_batch, messy_rows

FEEDS = sorted(feeds())

BLOCKING = [
    pytest.param(feed, index, id=f"{feed}-{index}-{entry.type.removeprefix('expect_')}")
    for feed in FEEDS
    for index, entry in enumerate(load_suite(feeds()[feed].suite).expectations)
    if entry.severity == "blocking"
]


def _ledger(dsn: str, batch_id: str) -> tuple[str, object]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select status, validated_at from audit.load_ledger where batch_id = %s", (batch_id,)
        ).fetchone()


@pytest.mark.parametrize("feed", FEEDS)
def test_clean_batch_passes_every_check(gate, feed):
    dsn, _ = gate
    batch_id, _ = insert_batch(dsn, feed, clean_rows(feed))
    result = validate_raw_batch(feed, batch_id)
    assert result.accepted, result.failed_blocking
    assert result.failed_blocking == [] and result.failed_warnings == []
    assert result.results_count == len(load_suite(feeds()[feed].suite).expectations)
    status, validated_at = _ledger(dsn, batch_id)
    assert status == "accepted" and validated_at is not None


@pytest.mark.parametrize("feed", FEEDS)
def test_realistic_mess_is_accepted_with_warnings_only(gate, feed):
    """Mixed date formats, trailing spaces, lower case, blanks, an exact duplicate row."""
    dsn, _ = gate
    rows = messy_rows(feed)
    batch_id, _ = insert_batch(dsn, feed, rows)
    result = validate_raw_batch(feed, batch_id)
    assert result.accepted, result.failed_blocking
    assert any("baris ganda" in w for w in result.failed_warnings), result.failed_warnings
    assert _ledger(dsn, batch_id)[0] == "accepted"
    with psycopg.connect(dsn) as conn:
        count, sample = conn.execute(
            "select unexpected_count, unexpected_sample from audit.dq_results "
            "where batch_id = %s and expectation_config ->> 'description' like '%%baris ganda%%'",
            (batch_id,),
        ).fetchone()
    assert count == 2  # the duplicated row and its original, found by their file row numbers
    assert [r["_row_number"] for r in sample] == [1, len(rows)]


@pytest.mark.parametrize(("feed", "index"), BLOCKING)
def test_each_blocking_expectation_rejects_its_broken_batch(gate, feed, index):
    dsn, _ = gate
    expectation = load_suite(feeds()[feed].suite).expectations[index]
    batch_id, _ = insert_batch(dsn, feed, break_rows(feed, expectation))
    result = validate_raw_batch(feed, batch_id)
    assert not result.accepted
    assert expectation.description in result.failed_blocking
    assert _ledger(dsn, batch_id)[0] == "rejected"


def test_only_the_named_batch_is_validated(gate):
    """A broken batch of the same feed next to a clean one does not leak into its verdict."""
    dsn, _ = gate
    feed = "polri_laporan"
    suite = load_suite(feeds()[feed].suite)
    not_null = next(e for e in suite.blocking if e.type == "expect_column_values_to_not_be_null")
    insert_batch(dsn, feed, break_rows(feed, not_null))
    clean_id, _ = insert_batch(dsn, feed, clean_rows(feed))
    assert validate_raw_batch(feed, clean_id).accepted


def test_unknown_or_foreign_batches_are_refused(gate):
    dsn, _ = gate
    with pytest.raises(GateError, match=r"not in audit\.load_ledger"):
        validate_raw_batch("polri_laporan", "no-such-batch")
    batch_id, _ = insert_batch(dsn, "dukcapil_sktt", clean_rows("dukcapil_sktt"))
    with pytest.raises(GateError, match="belongs to feed"):
        validate_raw_batch("polri_laporan", batch_id)
