"""Gate 2 on the published marts: a sound mart passes, each blocking check catches its breakage.

The marts are created here as plain tables with the columns dbt publishes (docs/contracts.md),
so the gate is tested on its own; the dbt tests build the real ones.
"""

from __future__ import annotations

import hashlib

import psycopg
import pytest

from pantau.quality import validate_marts
from pantau.quality.marts import mart_suite_names, validate_mart

from .batches import SECRET_PASSPORT

PERSONS = [hashlib.sha256(f"person-{i}".encode()).hexdigest() for i in range(7)]

MARTS_DDL = """
drop table if exists marts.fct_foreigners_present, marts.fct_findings,
    intermediate.int_stay_permits_filtered_to_valid;
create table intermediate.int_stay_permits_filtered_to_valid (person_key text, region_code text);
create table marts.fct_foreigners_present (
    reference_date date, region_code text, province_code text, country_code text, foreigner_count bigint);
create table marts.fct_findings (
    finding_id text, person_key text, finding_code text, region_code text, province_code text,
    responsible_agency text, severity text, employer_name text, detail text, status text,
    first_seen_date date, last_seen_date date, resolved_date date, reference_date date);
"""


@pytest.fixture
def marts(gate):
    """Sound marts: 7 persons, counted 3 + 2 in Banten and 2 unresolved; two findings."""
    dsn, _ = gate
    with psycopg.connect(dsn) as conn:
        conn.execute(MARTS_DDL)
        conn.cursor().executemany(
            "insert into intermediate.int_stay_permits_filtered_to_valid values (%s, null)",
            [(p,) for p in PERSONS],
        )
        conn.execute(
            "insert into marts.fct_foreigners_present values "
            "('2025-10-27', '36.04', '36', 'CHN', 3), ('2025-10-27', '36.72', '36', 'KOR', 2), "
            "('2025-10-27', null, '36', 'JPN', 2)"
        )
        conn.execute(
            "insert into marts.fct_findings values "
            "('f1', %s, 'OVERSTAY', '36.04', '36', 'Kantor Imigrasi', 'tinggi', null, "
            " 'Laporan penginapan setelah izin tinggal berakhir', 'baru', '2025-10-01', '2025-10-20', "
            " null, '2025-10-27'), "
            "('f2', null, 'LONJAKAN_KEDATANGAN', '36.72', '36', 'Kantor Imigrasi', 'sedang', null, "
            " 'Kedatangan KOR 3x rata-rata', 'selesai', '2025-09-01', '2025-09-08', '2025-10-27', "
            " '2025-10-27')",
            (PERSONS[0],),
        )
    return dsn


def test_every_published_mart_of_the_contract_has_a_suite():
    assert {"marts__fct_foreigners_present", "marts__fct_findings"} <= set(mart_suite_names())


def test_sound_marts_pass(marts):
    results = validate_marts(run_id="gate2-sound")
    assert set(results) == set(mart_suite_names())
    for suite, result in results.items():
        assert result["accepted"], (suite, result["failed_blocking"])
        assert result["failed_warnings"] == [], (suite, result["failed_warnings"])
    with psycopg.connect(marts) as conn:
        rows = conn.execute(
            "select suite, count(*), bool_and(success) from audit.dq_results "
            "where run_id = 'gate2-sound' group by suite order by suite"
        ).fetchall()
    assert [r[0] for r in rows] == sorted(results) and all(r[2] for r in rows)


BREAKAGES = {
    "no personal-data column": (
        "marts__fct_findings",
        "alter table marts.fct_findings add column no_paspor text",
    ),
    "person key is an HMAC": (
        "marts__fct_findings",
        f"update marts.fct_findings set person_key = '{SECRET_PASSPORT}' where finding_id = 'f1'",
    ),
    "finding code is a known one": (
        "marts__fct_findings",
        "update marts.fct_findings set finding_code = 'ORANG_HILANG' where finding_id = 'f2'",
    ),
    "last seen is not before first seen": (
        "marts__fct_findings",
        "update marts.fct_findings set last_seen_date = '2025-01-01' where finding_id = 'f1'",
    ),
    "mart total equals persons": (
        "marts__fct_foreigners_present",
        "update marts.fct_foreigners_present set foreigner_count = 4 where region_code = '36.04'",
    ),
    "lies in its province": (
        "marts__fct_foreigners_present",
        "update marts.fct_foreigners_present set province_code = '62' where region_code = '36.72'",
    ),
    "one reference date": (
        "marts__fct_foreigners_present",
        "update marts.fct_foreigners_present set reference_date = '2025-10-26' where region_code is null",
    ),
}


@pytest.mark.parametrize("check", sorted(BREAKAGES))
def test_each_blocking_mart_check_catches_its_breakage(marts, check):
    suite, statement = BREAKAGES[check]
    with psycopg.connect(marts) as conn:
        conn.execute(statement)
    result = validate_mart(suite)
    assert not result.accepted
    assert any(check in description for description in result.failed_blocking), result.failed_blocking


def test_a_mart_dbt_has_not_built_fails_the_gate(marts):
    with psycopg.connect(marts) as conn:
        conn.execute("drop table marts.fct_findings")
    result = validate_mart("marts__fct_findings")
    assert not result.accepted and result.failed_blocking == [
        "Mart sudah dibangun (dbt) / the mart has been built (dbt)"
    ]
