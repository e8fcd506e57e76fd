"""The suite files themselves: complete, consistent with the registry, regexes that mean what they say.

No database here; `test_gate_raw.py` runs the same suites in PostgreSQL.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from pantau import config
from pantau.quality.suites import SEVERITIES, SuiteError, load_suite, parse_suite
from pantau.registry import feeds

FEEDS = sorted(feeds())


def test_every_feed_has_its_suite_file():
    names = {p.stem for p in config.EXPECTATIONS_DIR.glob("raw__*.yml")}
    assert names == {feeds()[f].suite for f in FEEDS}


@pytest.mark.parametrize("feed", FEEDS)
def test_suite_matches_the_registry(feed):
    spec = feeds()[feed]
    suite = load_suite(spec.suite)
    assert suite.feed == feed
    columns = set(spec.column_names)
    for entry in suite.expectations:
        assert entry.severity in SEVERITIES
        assert " / " in entry.description, f"{entry.description!r}: Indonesian / English"
        assert set(entry.columns) <= columns, f"{entry.description}: unknown column"
    blocking = suite.blocking
    not_null = {e.kwargs["column"] for e in blocking if e.type == "expect_column_values_to_not_be_null"}
    assert not_null == set(spec.required_columns)
    assert any(e.type == "expect_table_row_count_to_be_between" for e in blocking)
    conflict = [e for e in blocking if e.type == "unexpected_rows_expectation"]
    assert len(conflict) == 1 and "{batch}" in conflict[0].kwargs["unexpected_rows_query"]
    for key in spec.natural_key:
        assert key in conflict[0].kwargs["unexpected_rows_query"]


@pytest.mark.parametrize("feed", FEEDS)
def test_blocking_value_checks_tolerate_a_minority_of_bad_values(feed):
    """A blocking format/domain check only rejects a batch when most values fail (`mostly`)."""
    suite = load_suite(feeds()[feed].suite)
    for entry in suite.blocking:
        if entry.type == "expect_column_values_to_match_regex":
            assert entry.kwargs.get("mostly", 1) <= 0.5, entry.description
    duplicates = [e for e in suite.expectations if "baris ganda" in e.description]
    assert [e.severity for e in duplicates] == ["warning"], "duplicate rows warn, never block"
    query = duplicates[0].kwargs["unexpected_rows_query"]
    key = feeds()[feed].natural_key
    assert query.startswith(f"select _row_number, {', '.join(key)} from {{batch}}")


@pytest.mark.parametrize("feed", FEEDS)
def test_key_checks_sort_bytes_and_skip_the_comparison_when_no_key_repeats(feed):
    """Both natural-key checks first ask whether any key repeats, sorting in the C collation
    (the warehouse's C.UTF-8 sorts through strcoll, several times slower on a large batch)."""
    suite = load_suite(feeds()[feed].suite)
    queries = [
        e.kwargs["unexpected_rows_query"]
        for e in suite.expectations
        if e.type == "unexpected_rows_expectation"
    ]
    assert len(queries) == 2
    for query in queries:
        assert 'collate "C") from {batch})' in query
        assert "having count(*) > 1" in query


@pytest.mark.parametrize("feed", FEEDS)
def test_every_date_column_is_checked_through_the_date_function(feed):
    """Each date column has a check counting the values the warehouse's date function reads as
    NULL (blocking when most fail, for required columns; a warning for any), with row samples.
    What the function accepts is tested against the function itself (test_date_function.py)."""
    spec = feeds()[feed]
    suite = load_suite(spec.suite)
    dates = {c for c in spec.column_names if c.startswith(("tanggal", "berlaku", "waktu"))}
    unreadable = [e for e in suite.expectations if str(e.kwargs.get("measure", "")).startswith("unreadable:")]
    assert {e.kwargs["column"] for e in unreadable} == dates
    for entry in unreadable:
        column = entry.kwargs["column"]
        assert entry.kwargs["measure"] == f"unreadable:{column}"
        assert "staging.parse_date" in entry.kwargs["check_query"]
        assert (
            "staging.parse_date" in entry.kwargs["rows_query"] and "_row_number" in entry.kwargs["rows_query"]
        )
    warnings = {
        e.kwargs["column"] for e in unreadable if e.severity == "warning" and "mostly" not in e.kwargs
    }
    assert warnings == dates  # any unreadable date is reported
    blocking = {e.kwargs["column"] for e in unreadable if e.severity == "blocking"}
    assert blocking == dates & set(spec.required_columns)
    assert all(e.kwargs["mostly"] <= 0.5 for e in unreadable if e.severity == "blocking")


# Anything that reads a date on its own instead of calling the warehouse's date function.
_OWN_DATE_RULE = re.compile(
    r"make_date\(|to_date\(|\\d\{1,2\}\[/|\[0-9\]\{1,2\}\[/|function\s+\S*parse_date", re.I
)


def test_no_suite_reads_dates_on_its_own():
    """One date rule: suites call the date function (through pantau.quality.sql_checks), they do
    not carry a date pattern of their own (the regex once pasted into all seven raw suites)."""
    for path in config.EXPECTATIONS_DIR.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert not _OWN_DATE_RULE.search(text), path.name
        data = yaml.safe_load(text)
        assert "date" not in (data.get("patterns") or {}), path.name


def _regex(feed: str, column: str) -> str:
    suite = load_suite(feeds()[feed].suite)
    return next(
        e.kwargs["regex"]
        for e in suite.expectations
        if e.kwargs.get("column") == column and "regex" in e.kwargs
    )


@pytest.mark.parametrize(
    ("feed", "column", "good", "bad"),
    [
        (
            "imigrasi_izin_tinggal",
            "jenis_izin",
            ["ITAS", "itas ", " Itap", "ITK", "KITAS"],
            ["ITX", "VISA", "ITAS ITAP"],
        ),
        (
            "imigrasi_izin_tinggal",
            "jenis_kelamin",
            ["L", "p", "M", "F", "Laki-laki", "PEREMPUAN "],
            ["X", "LP"],
        ),
        (
            "imigrasi_izin_tinggal",
            "indeks_visa",
            ["C312", "e23", "B211A", "E28A", "VOA"],
            ["312", "C", "C3122XX"],
        ),
        (
            "imigrasi_apoa",
            "tujuan_kunjungan",
            ["WISATA", "bisnis ", "Penelitian", "lainnya"],
            ["JALAN-JALAN", ""],
        ),
        (
            "disnaker_tka",
            "sektor",
            ["JASA", "industri", "Pertanian dan Maritim", "PERTANIAN & MARITIM"],
            ["TAMBANG"],
        ),
        ("disnaker_tka", "status", ["BARU", "perpanjangan", "Jangka Pendek", "JANGKA_PENDEK"], ["LAMA"]),
        (
            "polri_laporan",
            "jenis",
            ["STM", "kriminal", "PELANGGARAN_KEIMIGRASIAN", "Gangguan Ketertiban"],
            ["RAZIA"],
        ),
        (
            "imigrasi_apoa",
            "no_paspor",
            ["E1234567", "ek 1234567", "123456789", "AB-123.456"],
            ["TIDAK ADA", "-", "ABC"],
        ),
    ],
)
def test_domain_patterns_are_tolerant_but_not_blind(feed, column, good, bad):
    pattern = _regex(feed, column)
    for value in good:
        assert re.search(pattern, value), f"{column}: {value!r} should be accepted"
    for value in bad:
        assert not re.search(pattern, value), f"{column}: {value!r} should be refused"


def test_malformed_suites_are_refused(tmp_path):
    path = tmp_path / "raw__x.yml"
    path.write_text("expectations:\n  - type: expect_table_row_count_to_be_between\n    severity: fatal\n")
    with pytest.raises(SuiteError, match="severity"):
        parse_suite(path)
    path.write_text(
        "expectations:\n  - type: expect_table_row_count_to_be_between\n    kwargs: {min_value: 1}\n"
        "    severity: blocking\n"
    )
    with pytest.raises(SuiteError, match="description"):
        parse_suite(path)


def test_importing_the_gates_does_not_import_great_expectations():
    """DAG files import pantau.quality; GX takes seconds to import and must wait for the task."""
    code = "import sys, pantau.quality; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_only_regex_checks_may_be_matched_per_distinct_value(tmp_path):
    path = tmp_path / "raw__x.yml"
    path.write_text(
        "expectations:\n  - type: expect_column_values_to_not_be_null\n    distinct_values: true\n"
        "    kwargs: {column: a}\n    severity: blocking\n    description: a wajib / a is required\n"
    )
    with pytest.raises(SuiteError, match="distinct_values"):
        parse_suite(path)
