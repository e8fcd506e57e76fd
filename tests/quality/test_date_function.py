"""The warehouse's one date reader, `staging.parse_date`: what it reads, compared with a Python
reference (datetime.strptime over the accepted formats); that it is the only date rule in the
repository; and that gate 1 reports, per column and row, every date it cannot read."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pantau import config, report, warehouse
from pantau.quality import validate_raw_batch

from .batches import clean_rows, insert_batch

# ----- a Python reference ----------------------------------------------------------------------
# docs/contracts.md, "Normalisation rules", written independently of the SQL: strptime decides
# whether day, month, year and time of day exist.
DMY_FORMATS = [
    f"%d{sep}%m{sep}%Y{time}"
    for sep in "/-."
    for time in ("", " %H:%M", " %H.%M", " %H:%M:%S", " %H.%M.%S", " %H:%M.%S", " %H.%M:%S")
]
DMY_FORMATS += [f.replace(" %H", ", %H") for f in DMY_FORMATS if " %H" in f]
ISO_FORMATS = ["%Y-%m-%d"] + [
    f"%Y-%m-%d{sep}%H:%M{rest}{zone}"
    for sep in (" ", "T")
    for rest in ("", ":%S", ":%S.%f")
    for zone in ("", "%z")
]
MONTHS = {
    **dict.fromkeys(["jan", "januari", "january"], 1),
    **dict.fromkeys(["feb", "peb", "februari", "pebruari", "february"], 2),
    **dict.fromkeys(["mar", "maret", "march"], 3),
    **dict.fromkeys(["apr", "april"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["jun", "juni", "june"], 6),
    **dict.fromkeys(["jul", "juli", "july"], 7),
    **dict.fromkeys(["agu", "agt", "ags", "agus", "agustus", "aug", "august"], 8),
    **dict.fromkeys(["sep", "sept", "september"], 9),
    **dict.fromkeys(["okt", "oct", "oktober", "october"], 10),
    **dict.fromkeys(["nov", "nop", "november", "nopember"], 11),
    **dict.fromkeys(["des", "dec", "desember", "december"], 12),
}
EXCEL_EPOCH = date(1899, 12, 30)


def _strptime(value: str) -> date | None:
    # strptime also takes " 7" for a day and "5" for a minute; the contract's fields do not.
    tail = re.search(r"\d{4}(.*)$", value)
    if re.search(r"[/.-] ", value) or (tail and re.search(r"(?<!:\d\d)[:.]\d(?!\d)", tail.group(1))):
        return None
    for fmt in DMY_FORMATS + ISO_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def reference_parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    value = text.strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", value):  # an Excel serial: its own range, not the year range
        serial = int(value.split(".")[0])
        return EXCEL_EPOCH + timedelta(days=serial) if 20000 <= serial <= 80000 else None
    found = _strptime(value)
    named = re.fullmatch(r"(\d{1,2})(?:\s+|-|\s*\.\s*)([a-zA-Z]+)\.?(?:\s+|-)(\d{4})", value)
    if found is None and named and named.group(2).lower() in MONTHS:
        day, month, year = named.group(1), MONTHS[named.group(2).lower()], named.group(3)
        try:
            found = datetime.strptime(f"{day} {month} {year}", "%d %m %Y").date()
        except ValueError:
            found = None
    if found is not None and not 1900 <= found.year <= 2100:
        return None
    return found


# ----- the function, in a warehouse bootstrap made (dbt has never run on it) ------------------


@pytest.fixture(scope="module")
def conn(gate):
    dsn, _ = gate
    with psycopg.connect(dsn, autocommit=True) as connection:
        yield connection


def parse(conn, text: str | None) -> date | None:
    return conn.execute("select staging.parse_date(%s)", (text,)).fetchone()[0]


ACCEPTED = {
    "27/10/2025": date(2025, 10, 27),
    "7/3/2025": date(2025, 3, 7),
    "27-10-2025": date(2025, 10, 27),
    "2025-10-27": date(2025, 10, 27),
    "27.10.2025": date(2025, 10, 27),
    "45957": date(2025, 10, 27),
    "45957.5": date(2025, 10, 27),
    "27 Okt 2025": date(2025, 10, 27),
    "27 October 2025": date(2025, 10, 27),
    "27-Oct-2025": date(2025, 10, 27),
    " 27/10/2025  ": date(2025, 10, 27),
    "2025-10-27 14:03:22": date(2025, 10, 27),
    "2025-10-27T14:03:22.5+07:00": date(2025, 10, 27),
    "27/10/2025 14:03": date(2025, 10, 27),
    "27/10/2025, 14.03": date(2025, 10, 27),
    "29/02/2024": date(2024, 2, 29),
}
# Not dates, and dates of a shape Pantau reads that do not exist (the cases of issue 10).
UNREADABLE = [
    "", "-", "belum ada", "2025", "10/2025", "27 10", "N/A", "31/12/25", "tanggal 27/10/2025",
    "12/03-2025", "01/01/1850", "31/02/2025", "29/02/2025", "00/07/2025", "15/13/2025",
    "32/01/2025 10:15:00", "27/10/2025 25:00", "31 Juni 2025",
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), ACCEPTED.items())
def test_the_function_reads_every_contract_format(conn, text, expected):
    assert parse(conn, text) == expected == reference_parse_date(text)


@pytest.mark.parametrize("text", UNREADABLE)
def test_the_function_reads_no_date_from_what_is_not_one(conn, text):
    assert parse(conn, text) is None and reference_parse_date(text) is None


_SEPARATORS = st.sampled_from("/-.")
_TIMES = st.one_of(
    st.just(""),
    st.builds(
        lambda lead, h, m, s, sep1, sep2: f"{lead}{h}{sep1}{m:02d}" + ("" if s is None else f"{sep2}{s:02d}"),
        st.sampled_from([" ", ", ", "  "]),
        st.integers(0, 29),
        st.integers(0, 69),
        st.none() | st.integers(0, 69),
        st.sampled_from(":."),
        st.sampled_from(":."),
    ),
)


def _day_month(n: int, pad: bool) -> str:
    return f"{n:02d}" if pad else str(n)


_DMY = st.builds(
    lambda d, m, y, pad_d, pad_m, sep1, sep2, time: (
        f"{_day_month(d, pad_d)}{sep1}{_day_month(m, pad_m)}{sep2}{y}{time}"
    ),
    st.integers(0, 35),
    st.integers(0, 14),
    st.integers(1890, 2110),
    st.booleans(),
    st.booleans(),
    _SEPARATORS,
    _SEPARATORS,
    _TIMES,
)
_ISO = st.builds(
    lambda y, m, d, time: f"{y}-{m:02d}-{d:02d}{time}",
    st.integers(1890, 2110),
    st.integers(0, 14),
    st.integers(0, 35),
    st.sampled_from(
        ["", " 10:15", "T10:15:00", "T23:59:59.123456Z", " 24:00", "T10:15:00+07:00", "T10:15:00+0700"]
    ),
)
_NAMED = st.builds(
    lambda d, name, y, sep: f"{d}{sep}{name}{sep}{y}",
    st.integers(0, 35),
    st.sampled_from([*MONTHS, "Okt", "MEI", "smarch", "foo"]),
    st.integers(1890, 2110),
    st.sampled_from([" ", "-"]),
)
_SERIAL = st.builds(str, st.integers(10000, 99999))
_REAL_DATES = st.builds(
    lambda day, fmt: day.strftime(fmt),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.sampled_from(["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d-%b-%Y"]),
)
_NOISE = st.text(alphabet="0123456789/-. Tabj", max_size=14)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_REAL_DATES, _DMY, _ISO, _NAMED, _SERIAL, _NOISE))
def test_the_function_agrees_with_the_python_reference(conn, text):
    assert parse(conn, text) == reference_parse_date(text), text


# ----- one definition -------------------------------------------------------------------------

_DATE_RULE = re.compile(
    r"\bmake_date\s*\(|\bto_date\s*\(|create\s+(or\s+replace\s+)?function\s+[\w.]*parse_date", re.I
)
UDF_FILE = config.DBT_PROJECT_DIR / "macros" / "udfs" / "parse_date_udf.sql"


def test_the_date_rule_is_written_once():
    """Every layer reads dates with the one function: no other SQL in the dbt project, the suites
    or the package builds a date from text or defines a date function (a second copy fails here)."""
    places = [
        *config.DBT_PROJECT_DIR.glob("models/**/*.sql"),
        *config.DBT_PROJECT_DIR.glob("macros/**/*.sql"),
        *config.DBT_PROJECT_DIR.glob("snapshots/**/*.sql"),
        *config.EXPECTATIONS_DIR.glob("*.yml"),
        *(config.PROJECT_ROOT / "src" / "pantau").rglob("*.py"),
        *(config.PROJECT_ROOT / "src" / "pantau").rglob("*.sql"),
    ]
    offending = [
        str(path.relative_to(config.PROJECT_ROOT))
        for path in places
        if path != UDF_FILE
        and "generator" not in path.parts  # the synthetic data's independent oracle (dev tooling)
        and _DATE_RULE.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []
    assert _DATE_RULE.search(UDF_FILE.read_text(encoding="utf-8"))


def test_staging_and_the_bootstrap_use_that_definition():
    """dbt's parse_date macro is a call of the function; the bootstrap installs exactly the SQL
    of dbt's on-run-start macro (rendered from the same files)."""
    import jinja2
    import yaml

    macro = (config.DBT_PROJECT_DIR / "macros" / "parse_date.sql").read_text(encoding="utf-8")
    rendered = jinja2.Environment().from_string(macro).module.parse_date("rows.tanggal")
    assert str(rendered).strip() == "staging.parse_date((rows.tanggal)::text)"
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert "{{ install_udfs() }}" in project["on-run-start"]
    assert "create or replace function staging.parse_date(raw_value text)" in warehouse.udfs_sql()


def test_gate_1_uses_the_function_staging_uses(gate):
    """Drift test: change what staging.parse_date reads and gate 1's verdict follows it."""
    dsn, _ = gate
    rows = clean_rows("polri_laporan")
    rows[1]["tanggal"] = "31/02/2025"
    batch_id, _ = insert_batch(dsn, "polri_laporan", rows)
    validate_raw_batch("polri_laporan", batch_id)
    assert _unreadable_rows(dsn, batch_id) == {"tanggal": [2]}
    with psycopg.connect(dsn, autocommit=True) as connection:
        body = connection.execute(
            "select pg_get_functiondef('staging.parse_date(text)'::regprocedure)"
        ).fetchone()[0]
        connection.execute(
            "create or replace function staging.parse_date(raw_value text) returns date "
            "language sql immutable as $$ select date '2025-02-28' $$"
        )
    try:
        validate_raw_batch("polri_laporan", batch_id)
        assert _unreadable_rows(dsn, batch_id) == {}
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(body)


# ----- gate 1: every unreadable date, per column, with its row -------------------------------


def _unreadable_rows(dsn: str, batch_id: str) -> dict[str, list[int]]:
    """column -> file row numbers of the failed unreadable-date warning of the batch's latest run."""
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "select expectation_config ->> 'column', unexpected_count, unexpected_sample "
            "from audit.batch_latest_checks where batch_id = %s and not success and severity = 'warning' "
            "and expectation_config ->> 'measure' like 'unreadable:%%'",
            (batch_id,),
        ).fetchall()
    found = {}
    for column, count, sample in rows:
        found[column] = [row["_row_number"] for row in sample]
        assert count == len(found[column])
    return found


def test_gate_1_flags_each_calendar_impossible_date_with_its_row(gate):
    """The dates of issue 10 used to pass gate 1 and become NULL in staging. Now each is counted in
    its column and sampled with its file row number and value: the batch is loaded (a minority
    of bad dates is a warning, docs/contracts.md) and the agency sees which cell to correct."""
    dsn, _ = gate
    rows = clean_rows("imigrasi_izin_tinggal", 12)
    bad = {
        2: ("tanggal_terbit", "31/02/2025"),
        4: ("tanggal_terbit", "29/02/2025"),
        6: ("tanggal_berakhir", "00/07/2025"),
        8: ("tanggal_berakhir", "15/13/2025"),
        10: ("tanggal_lahir", "32/01/2025 10:15:00"),
    }
    for row_number, (column, value) in bad.items():
        rows[row_number - 1][column] = value
    batch_id, _ = insert_batch(dsn, "imigrasi_izin_tinggal", rows)
    result = validate_raw_batch("imigrasi_izin_tinggal", batch_id)
    assert result.accepted
    assert _unreadable_rows(dsn, batch_id) == {
        "tanggal_terbit": [2, 4],
        "tanggal_berakhir": [6, 8],
        "tanggal_lahir": [10],
    }
    with psycopg.connect(dsn) as connection:
        samples = connection.execute(
            "select unexpected_sample from audit.batch_latest_checks where batch_id = %s "
            "and expectation_config ->> 'measure' = 'unreadable:tanggal_berakhir' and severity = 'warning'",
            (batch_id,),
        ).fetchone()[0]
    assert samples == [
        {"_row_number": 6, "tanggal_berakhir": "00/07/2025"},
        {"_row_number": 8, "tanggal_berakhir": "15/13/2025"},
    ]
    # Shown where the data engineer looks, to pass on to the agency: file, column, row, value.
    shown = report.format_status(report.status())
    source = f"imigrasi_izin_tinggal/{batch_id}.csv"
    assert (
        f"imigrasi_izin_tinggal: {source}: tanggal_berakhir: row 6: '00/07/2025', row 8: '15/13/2025'"
        in shown
    )
    assert (
        f"imigrasi_izin_tinggal: {source}: tanggal_terbit: row 2: '31/02/2025', row 4: '29/02/2025'" in shown
    )


def test_gate_1_rejects_a_file_whose_dates_mostly_do_not_exist(gate):
    dsn, _ = gate
    rows = clean_rows("polri_laporan", 6)
    for row in rows[:4]:
        row["tanggal"] = "30/02/2025"
    batch_id, _ = insert_batch(dsn, "polri_laporan", rows)
    result = validate_raw_batch("polri_laporan", batch_id)
    assert not result.accepted
    assert any("tanggal laporan terbaca" in d for d in result.failed_blocking)
