"""Gate 2 on the published marts: sound marts pass, each blocking check catches its breakage.

The marts are created here as plain tables with the columns each suite's contract check names
(the columns dbt publishes), filled with a few sound rows, so the gate is tested on its own; the
dbt tests build the real ones. Every blocking expectation of every marts suite must have a
breakage below: a new blocking check without one fails `test_each_blocking_mart_check_...`.
"""

from __future__ import annotations

import csv
import hashlib

import psycopg
import pytest
from psycopg import sql

from pantau import config
from pantau.quality import validate_marts
from pantau.quality.marts import mart_suite_names, validate_mart
from pantau.quality.suites import ExpectationSpec, load_suite
from pantau.registry import feeds

from .batches import SECRET_PASSPORT

PERSONS = [hashlib.sha256(f"person-{i}".encode()).hexdigest() for i in range(7)]
MART_SUITES = mart_suite_names()


def _columns(suite_name: str) -> list[str]:
    entry = next(
        e for e in load_suite(suite_name).expectations if e.type == "expect_table_columns_to_match_set"
    )
    return list(entry.kwargs["column_set"])


def _table(suite_name: str) -> str:
    return str(load_suite(suite_name).meta["table"]).split(".", 1)[1]


def _type(column: str) -> str:
    if column.endswith("_count") or column in ("week_number", "version_number"):
        return "bigint"
    if column.endswith(("_date", "_month")):
        return "date"
    if column.endswith("_at"):
        return "timestamptz"
    if column.startswith("is_"):
        return "boolean"
    return "text"


def _value(column: str):
    """A sound value for any mart column, by its name."""
    values = {
        "person_key": PERSONS[0],
        "region_code": "36.04",
        "province_code": "36",
        "country_code": "CHN",
        "suspected_country_code": "CHN",
    }
    if column in values:
        return values[column]
    return {"bigint": 1, "date": "2025-10-27", "timestamptz": "2025-10-27 08:00+07", "boolean": True}.get(
        _type(column), "x"
    )


# Rows the reconciling marts need; every other mart gets one row of `_value`s.
SOUND_ROWS: dict[str, list[tuple]] = {
    # 7 persons: 3 + 2 in Banten and 2 whose kab/kota is unresolved.
    "fct_foreigners_present": [
        ("2025-10-27", "36.04", "36", "CHN", 3),
        ("2025-10-27", "36.72", "36", "KOR", 2),
        ("2025-10-27", None, "36", "JPN", 2),
    ],
    "fct_foreigners_present_by_permit": [
        ("2025-10-27", "36.04", "36", "CHN", "ITAS", "bekerja", 2),
        ("2025-10-27", "36.04", "36", "CHN", "ITK", "kunjungan", 1),
        ("2025-10-27", "36.72", "36", "KOR", "ITAS", "bekerja", 2),
        ("2025-10-27", None, "36", "JPN", "ITAP", "keluarga", 2),
    ],
    "fct_findings": [
        (
            "f1",
            PERSONS[0],
            "OVERSTAY",
            None,
            "36.04",
            "36",
            "Kantor Imigrasi",
            "tinggi",
            None,
            "Laporan penginapan setelah izin tinggal berakhir",
            "baru",
            "2025-10-01",
            "2025-10-20",
            "2025-10-27",
            None,
            "2025-10-27",
        ),
        (
            "f2",
            None,
            "LONJAKAN_KEDATANGAN",
            "KOR",
            "36.72",
            "36",
            "Kantor Imigrasi",
            "sedang",
            None,
            "Kedatangan KOR 3x rata-rata",
            "selesai",
            "2025-09-01",
            "2025-09-08",
            "2025-09-10",
            "2025-10-27",
            "2025-10-27",
        ),
    ],
    "dim_regions": [
        ("36", "Banten", "provinsi", "36", "Banten"),
        ("36.04", "Kabupaten Serang", "kabupaten", "36", "Banten"),
        ("36.72", "Kota Cilegon", "kota", "36", "Banten"),
    ],
    "dim_countries": [("CHN", "China", "Tiongkok"), ("KOR", "South Korea", "Korea Selatan")],
}


def _finding_catalogue_rows() -> list[tuple]:
    """marts.dim_finding_types as dbt publishes it: the seed's rows, in the suite's column order."""
    columns = _columns("marts__dim_finding_types")
    seed = config.PROJECT_ROOT / "dbt_project" / "seeds" / "finding_types.csv"
    with seed.open(encoding="utf-8") as handle:
        return [tuple(row[c] for c in columns) for row in csv.DictReader(handle)]


SOUND_ROWS["dim_finding_types"] = _finding_catalogue_rows()


@pytest.fixture
def marts(gate):
    """Every mart with a suite, sound; the persons they count; every feed fresh."""
    dsn, _ = gate
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "drop table if exists intermediate.int_stay_permits_filtered_to_valid; "
            "create table intermediate.int_stay_permits_filtered_to_valid (person_key text, region_code text)"
        )
        conn.cursor().executemany(
            "insert into intermediate.int_stay_permits_filtered_to_valid values (%s, null)",
            [(p,) for p in PERSONS],
        )
        for suite in MART_SUITES:
            table, columns = _table(suite), _columns(suite)
            target = sql.Identifier("marts", table)
            conn.execute(sql.SQL("drop table if exists {}").format(target))
            conn.execute(
                sql.SQL("create table {} ({})").format(
                    target,
                    sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_type(c))) for c in columns
                    ),
                )
            )
            rows = SOUND_ROWS.get(table, [tuple(_value(c) for c in columns)])
            conn.cursor().executemany(
                sql.SQL("insert into {} values ({})").format(
                    target, sql.SQL(", ").join(sql.Placeholder() * len(columns))
                ),
                rows,
            )
        # Every feed delivered just now: the freshness warnings stay quiet.
        conn.execute("delete from audit.load_ledger")
        conn.cursor().executemany(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "loaded_at, validated_at) values (%s, %s, %s, %s, 1, 'accepted', now(), now())",
            [(f"fresh-{f}", f, f"{f}/a.csv", f"sha-fresh-{f}") for f in feeds()],
        )
    return dsn


def test_every_mart_dbt_publishes_has_a_suite():
    models = {p.stem for p in (config.PROJECT_ROOT / "dbt_project" / "models" / "marts").rglob("*.sql")}
    missing = sorted(m for m in models if f"marts__{m}" not in MART_SUITES)
    assert missing == [], f"marts without a gate-2 suite: {missing}"


@pytest.mark.parametrize("suite_name", MART_SUITES)
def test_every_mart_suite_guards_personal_data(suite_name):
    suite = load_suite(suite_name)
    pii = next(e for e in suite.expectations if "data pribadi" in e.description)
    assert pii.severity == "blocking"
    query = pii.kwargs["unexpected_rows_query"]
    assert f"table_name = '{_table(suite_name)}'" in query
    registry_pii = {c.name for f in feeds().values() for c in f.columns if c.pii}
    assert all(f"'{name}'" in query for name in registry_pii)
    assert any(e.type == "expect_table_columns_to_match_set" for e in suite.expectations)


def test_sound_marts_pass(marts):
    results = validate_marts(run_id="gate2-sound")
    assert set(results) == set(MART_SUITES)
    for suite, result in results.items():
        assert result["accepted"], (suite, result["failed_blocking"])
        assert result["failed_warnings"] == [], (suite, result["failed_warnings"])
    with psycopg.connect(marts) as conn:
        rows = conn.execute(
            "select suite, count(*), bool_and(success) from audit.dq_results "
            "where run_id = 'gate2-sound' group by suite order by suite"
        ).fetchall()
    assert [r[0] for r in rows] == sorted(results) and all(r[2] for r in rows)


# Breakages named by a fragment of the check's description, per suite, for checks that are not
# one of the common kinds handled in `_breakage`.
SPECIFIC = {
    ("marts__fct_findings", "finding code is in the finding catalogue"): (
        "update marts.fct_findings set finding_code = 'ORANG_HILANG' where finding_id = 'f2'"
    ),
    ("marts__fct_findings", "agency and severity as in the finding catalogue"): (
        "update marts.fct_findings set responsible_agency = 'Dukcapil' where finding_id = 'f1'"
    ),
    ("marts__dim_finding_types", "upper-case code"): (
        "update marts.dim_finding_types set finding_code = 'overstay' where finding_code = 'OVERSTAY'"
    ),
    ("marts__fct_findings", "severity is tinggi"): "update marts.fct_findings set severity = 'parah'",
    ("marts__fct_findings", "status is baru"): "update marts.fct_findings set status = 'lama'",
    ("marts__fct_findings", "last seen is not before first seen"): (
        "update marts.fct_findings set last_seen_date = '2025-01-01' where finding_id = 'f1'"
    ),
    ("marts__fct_foreigners_present", "mart total equals persons"): (
        "update marts.fct_foreigners_present set foreigner_count = 4 where region_code = '36.04'"
    ),
    ("marts__fct_foreigners_present", "at least 1"): (
        "insert into marts.fct_foreigners_present values ('2025-10-27', '36.03', '36', 'IND', 0)"
    ),
    ("marts__fct_foreigners_present_by_permit", "adds up to fct_foreigners_present"): (
        "update marts.fct_foreigners_present_by_permit set foreigner_count = 3 where permit_type = 'ITAP'"
    ),
    ("marts__dim_regions", "a listed province"): (
        "insert into marts.dim_regions values ('62.01', 'Kotawaringin Barat', 'kabupaten', '62', 'Kalteng')"
    ),
    ("marts__dim_regions", "Kemendagri code"): "update marts.dim_regions set region_code = '36-04' "
    "where region_code = '36.04'",
    ("marts__dim_countries", "alpha-3"): "update marts.dim_countries set country_code = 'CN' "
    "where country_code = 'CHN'",
}


def _breakage(suite_name: str, entry: ExpectationSpec) -> str | None:
    """A statement that breaks exactly this check on the sound marts (None: no breakage known)."""
    table = sql.Identifier("marts", _table(suite_name)).as_string(None)
    for (suite, fragment), statement in SPECIFIC.items():
        if suite == suite_name and fragment in entry.description:
            return statement
    if "data pribadi" in entry.description:
        return f"alter table {table} add column no_paspor text"
    if entry.kwargs.get("column") == "person_key" and "HMAC" in entry.description:
        return f"update {table} set person_key = '{SECRET_PASSPORT}'"
    if "lies in its province" in entry.description:
        return f"update {table} set province_code = '62' where region_code = '36.04'"
    if "one reference date" in entry.description:
        return f"update {table} set reference_date = reference_date - 1 where region_code is null"
    if entry.type == "expect_column_values_to_be_between" and entry.kwargs.get("min_value") == 0:
        return f"update {table} set {entry.kwargs['column']} = -1"
    return None


BLOCKING = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in MART_SUITES
    for index, entry in enumerate(load_suite(name).expectations)
    if entry.severity == "blocking"
]


@pytest.mark.parametrize(("suite_name", "index"), BLOCKING)
def test_each_blocking_mart_check_catches_its_breakage(marts, suite_name, index):
    entry = load_suite(suite_name).expectations[index]
    statement = _breakage(suite_name, entry)
    assert statement is not None, f"{suite_name}: no breaking case for blocking check {entry.description!r}"
    with psycopg.connect(marts) as conn:
        conn.execute(statement)
    result = validate_mart(suite_name)
    assert not result.accepted
    assert entry.description in result.failed_blocking, result.failed_blocking


def test_a_stale_feed_is_a_warning_not_a_failure(marts):
    with psycopg.connect(marts) as conn:
        conn.execute(
            "update audit.load_ledger set validated_at = now() - interval '400 days' "
            "where feed = 'imigrasi_izin_tinggal'"
        )
    result = validate_mart("marts__fct_foreigners_present")
    assert result.accepted
    assert result.failed_warnings == [
        "Data sumber mart tepat waktu (per feed) / the mart's source feeds are fresh (per feed)"
    ]
    with psycopg.connect(marts) as conn:
        (sample,) = conn.execute(
            "select unexpected_sample from audit.dq_results where run_id = %s and not success",
            (result.run_id,),
        ).fetchone()
    assert sample[0]["feed"] == "imigrasi_izin_tinggal" and sample[0]["freshness_status"] == "tidak ada"


def test_a_required_mart_dbt_has_not_built_fails_the_gate(marts):
    with psycopg.connect(marts) as conn:
        conn.execute("drop table marts.fct_findings")
    result = validate_mart("marts__fct_findings")
    assert not result.accepted and result.failed_blocking == [
        "Mart sudah dibangun (dbt) / the mart has been built (dbt)"
    ]


def test_any_other_missing_mart_is_skipped_with_a_record(marts):
    with psycopg.connect(marts) as conn:
        conn.execute("drop table marts.fct_lodging_stays")
    result = validate_mart("marts__fct_lodging_stays", run_id="gate2-skip")
    assert result.accepted and result.failed_warnings == [
        "Mart belum dibangun, pemeriksaan dilewati / mart not built, its checks were skipped"
    ]
    with psycopg.connect(marts) as conn:
        rows = conn.execute(
            "select expectation, severity, observed_value from audit.dq_results where run_id = 'gate2-skip'"
        ).fetchall()
    assert rows == [("expect_table_to_exist", "warning", "missing: skipped")]
