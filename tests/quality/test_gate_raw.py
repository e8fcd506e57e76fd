"""Gate 1 in PostgreSQL: good batches pass, each blocking expectation catches its own breakage."""

from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import sql

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


def test_regexes_matched_per_distinct_value_count_the_rows_a_per_row_check_counts(gate):
    """`distinct_values: true` checks (one grouped query for all of them) report what the per-row
    regex reports: every failing row counted, NULLs neither failing nor checked, another column's
    bad value not leaking in, and the failing rows sampled by their file row numbers."""
    dsn, _ = gate
    feed = "imigrasi_apoa"
    suite = load_suite(feeds()[feed].suite)
    grouped = [e for e in suite.expectations if e.distinct_values]
    assert {e.kwargs["column"] for e in grouped} == {"jenis_kelamin", "tujuan_kunjungan", "indeks_visa"}
    rows = clean_rows(feed, 8)
    rows[0]["jenis_kelamin"] = "X"
    rows[1]["jenis_kelamin"] = "X"  # one distinct value, two rows
    rows[4]["jenis_kelamin"] = "laki laki perempuan"
    rows[5]["jenis_kelamin"] = None
    rows[6]["tujuan_kunjungan"] = "JALAN-JALAN"
    batch_id, _ = insert_batch(dsn, feed, rows)
    result = validate_raw_batch(feed, batch_id)
    assert result.accepted, result.failed_blocking  # warnings only
    with psycopg.connect(dsn) as conn:
        recorded = {
            description: (expectation, success, unexpected_count, observed, sample)
            for description, expectation, success, unexpected_count, observed, sample in conn.execute(
                "select expectation_config ->> 'description', expectation, success, unexpected_count, "
                "observed_value, unexpected_sample from audit.dq_results where batch_id = %s",
                (batch_id,),
            )
        }
        for entry in grouped:
            column, regex = entry.kwargs["column"], entry.kwargs["regex"]
            per_row = conn.execute(
                sql.SQL(
                    "select count(*) filter (where {col} is not null and not ({col} ~ %s)), count({col}) "
                    "from raw.imigrasi_apoa where _batch_id = %s"
                ).format(col=sql.Identifier(column)),
                (regex, batch_id),
            ).fetchone()
            expectation, success, unexpected_count, observed, sample = recorded[entry.description]
            assert expectation == "expect_column_values_to_match_regex"  # the public type, as in the suite
            assert unexpected_count == per_row[0], (column, observed)
            assert success == (per_row[0] == 0)
            if per_row[0]:
                assert [r["_row_number"] for r in sample] == {
                    "jenis_kelamin": [1, 2, 5],
                    "tujuan_kunjungan": [7],
                }[column]
    sex = next(e for e in grouped if e.kwargs["column"] == "jenis_kelamin")
    assert recorded[sex.description][2:4] == (3, "3 unexpected of 8 rows (42.86%)")  # of 7 non-null


def test_the_batch_is_found_without_listing_every_batch_of_the_feed(gate):
    """GX finds a column-value batch by listing every distinct `_batch_id` of raw.<feed>, a scan
    of the feed's whole history; Pantau's data source probes the named batch's rows instead
    (gx_datasource). An empty batch is still no batch: see the row-count checks above."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    dsn, _ = gate
    statements: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    insert_batch(dsn, "polri_laporan", clean_rows("polri_laporan"))  # history: another batch
    batch_id, _ = insert_batch(dsn, "polri_laporan", clean_rows("polri_laporan"))
    event.listen(Engine, "before_cursor_execute", watch)
    try:
        assert validate_raw_batch("polri_laporan", batch_id).accepted
    finally:
        event.remove(Engine, "before_cursor_execute", watch)
    assert any("raw.polri_laporan" in s for s in statements), "GX's statements were not seen"
    listing = [s for s in statements if re.search(r"distinct\W*_batch_id", s, re.IGNORECASE)]
    assert listing == []
