"""No personal data in the marts: not as a column, not as a value, not inside a sentence.

Scans the warehouse tests/test_roles.py builds from generated files (loaded by the loader role,
built by the transformer role): every column of every table and view in schema `marts`, every
distinct value, against every name and passport number the agencies sent (read back from the
raw tables). The same scan over the restricted schema must find them, or the scan proves nothing.
Also: `pantau run` refuses to start without PANTAU_PII_KEY.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from test_roles import RoleWarehouse, build_role_warehouse, drop_role_warehouse

from pantau import config
from pantau.registry import feeds

# On the worker that builds test_roles.py's warehouse (built once per process): see there.
pytestmark = [pytest.mark.xdist_group("role_warehouse"), pytest.mark.slow]

# Column names that announce personal data, whatever the model's author called them.
PII_COLUMN_NAME = re.compile(r"^nama|paspor|passport|alamat|address|birth|lahir|person_name|_name$")
# `_name` columns that name places, countries, KBLI sections and employers, not people.
NOT_A_PERSON = {
    "region_name",
    "province_name",
    "name_en",
    "name_id",
    "country_name",
    "employer_name",
    "kbli_section_name",
    "lodging_name",  # the hotel (a business); guests are person keys, and the value scan still runs
}
# Raw columns holding a person's name or passport (feeds.yml marks them pii); free text and
# addresses are checked as whole values only (see identities()).
NAME_COLUMNS = {"nama", "nama_tamu", "nama_tka", "nama_peneliti"}
PASSPORT_COLUMNS = {"no_paspor"}
WHOLE_VALUE_COLUMNS = {"alamat"}
MIN_PASSPORT_LENGTH = 6  # shorter strings are not passport numbers (and match too much)
MAX_NGRAM = 6


@pytest.fixture(scope="session")
def role_warehouse(tmp_path_factory: pytest.TempPathFactory):
    try:
        yield build_role_warehouse(tmp_path_factory.mktemp("roles"))
    finally:
        drop_role_warehouse()


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _passport_key(text: str) -> str:
    return "".join(_tokens(text))


@dataclass
class Identities:
    names: set[str]  # tokens joined by one space, case-folded
    passports: set[str]  # alphanumerics only, case-folded (the staging normalisation)
    whole_values: set[str]  # any personal value, case-folded, spaces collapsed

    def leaks_in(self, value: str) -> list[str]:
        """The personal values found in one mart value (as a whole, or inside a longer text)."""
        folded = " ".join(value.casefold().split())
        found = [folded] if folded in self.whole_values else []
        tokens = _tokens(value)
        for size in range(1, MAX_NGRAM + 1):
            for start in range(len(tokens) - size + 1):
                gram = tokens[start : start + size]
                if size > 1 and " ".join(gram) in self.names:
                    found.append(" ".join(gram))
                if size <= 3 and "".join(gram) in self.passports:
                    found.append("".join(gram))
        return found


def identities(dsn: str) -> Identities:
    """Every name and passport number in the raw tables, in the forms a leak could take."""
    pii_columns = {
        feed.name: [column.name for column in feed.columns if column.pii] for feed in feeds().values()
    }
    names: set[str] = set()
    passports: set[str] = set()
    whole: set[str] = set()
    with psycopg.connect(dsn) as conn:
        for table, columns in pii_columns.items():
            for column in columns:
                if column not in NAME_COLUMNS | PASSPORT_COLUMNS | WHOLE_VALUE_COLUMNS:
                    continue
                values = conn.execute(
                    sql.SQL("select distinct {} from {} where {} is not null").format(
                        sql.Identifier(column), sql.Identifier("raw", table), sql.Identifier(column)
                    )
                ).fetchall()
                for (value,) in values:
                    folded = " ".join(value.casefold().split())
                    if column in PASSPORT_COLUMNS:
                        key = _passport_key(value)
                        if len(key) >= MIN_PASSPORT_LENGTH:
                            passports.add(key)
                            whole.update({folded, key})
                    else:
                        whole.add(folded)
                        if column in NAME_COLUMNS and len(_tokens(value)) > 1:
                            names.add(" ".join(_tokens(value)))
    return Identities(names, passports, whole)


def relations(conn: psycopg.Connection, schema: str) -> dict[str, list[str]]:
    """Tables, views and materialised views of a schema with their columns."""
    rows = conn.execute(
        "select cls.relname, att.attname from pg_class as cls"
        " join pg_namespace as nsp on nsp.oid = cls.relnamespace"
        " join pg_attribute as att on att.attrelid = cls.oid"
        " where nsp.nspname = %s and cls.relkind in ('r', 'v', 'm', 'p', 'f')"
        " and att.attnum > 0 and not att.attisdropped order by cls.relname, att.attnum",
        (schema,),
    ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def scan(dsn: str, schema: str, people: Identities) -> tuple[int, list[tuple[str, str, str]]]:
    """(values scanned, [(table, column, personal value found)]) over every column of `schema`."""
    scanned = 0
    leaks: list[tuple[str, str, str]] = []
    with psycopg.connect(dsn) as conn:
        for table, columns in relations(conn, schema).items():
            for column in columns:
                values = conn.execute(
                    sql.SQL("select distinct {col}::text from {table} where {col} is not null").format(
                        col=sql.Identifier(column), table=sql.Identifier(schema, table)
                    )
                ).fetchall()
                scanned += len(values)
                for (value,) in values:
                    leaks += [(table, column, leak) for leak in people.leaks_in(value)]
    return scanned, leaks


def pii_tagged_columns(target: Path) -> set[str]:
    """Column names the dbt project tags `pii` anywhere (sources, staging, restricted)."""
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = list(manifest["nodes"].values()) + list(manifest["sources"].values())
    return {
        name
        for node in nodes
        for name, column in node.get("columns", {}).items()
        if "pii" in (column.get("tags") or []) or "pii" in (column.get("config", {}).get("tags") or [])
    }


def test_no_mart_column_is_named_for_personal_data(role_warehouse: RoleWarehouse) -> None:
    tagged = pii_tagged_columns(role_warehouse.target)
    raw_pii = {column.name for feed in feeds().values() for column in feed.columns if column.pii}
    assert {"person_name", "passport_norm", "guest_name"} <= tagged  # the manifest was read
    with psycopg.connect(role_warehouse.dsn) as conn:
        marts = relations(conn, "marts")
    assert "fct_findings" in marts and len(marts) >= 5, sorted(marts)
    offending = sorted(
        (table, column)
        for table, columns in marts.items()
        for column in columns
        if column in tagged
        or column in raw_pii
        or (PII_COLUMN_NAME.search(column) and column not in NOT_A_PERSON)
    )
    assert offending == []


def test_no_mart_value_is_a_name_or_passport_from_the_input(role_warehouse: RoleWarehouse) -> None:
    people = identities(role_warehouse.dsn)
    assert len(people.names) > 100 and len(people.passports) > 100, (
        len(people.names),
        len(people.passports),
    )
    scanned, leaks = scan(role_warehouse.dsn, "marts", people)
    assert scanned > 500  # every distinct value of every column, not a sample
    assert leaks == []


def test_the_scan_finds_personal_data_where_it_is(role_warehouse: RoleWarehouse) -> None:
    """The detector can fail: the restricted views carry names and passports, and it says so."""
    people = identities(role_warehouse.dsn)
    _, leaks = scan(role_warehouse.dsn, "restricted", people)
    columns = {column for _, column, _ in leaks}
    assert {"person_name", "passport_norm"} <= columns
    # And inside a sentence, in any case and spacing, as a mart's `detail` could carry it.
    name, passport = sorted(people.names)[0], sorted(people.passports)[0]
    sentence = f"Kasus: {name.title()}  (paspor {passport.upper()}) terlihat di Kota Serang."
    assert sorted(people.leaks_in(sentence)) == sorted([name, passport])
    assert people.leaks_in("Kota Serang, 12 orang, CHN, 2025-10-27") == []


def test_pantau_run_refuses_to_start_without_the_pii_key(tmp_path: Path) -> None:
    """Exit code 2 and the ConfigError's message, before anything is created or loaded."""
    landing = tmp_path / "landing"
    (landing / "imigrasi_apoa").mkdir(parents=True)
    waiting = landing / "imigrasi_apoa" / "apoa_36_2025-10-27.csv"
    waiting.write_text("id,nama_tamu,no_paspor\nAPOA1,SOME ONE,X1234567\n")
    database = f"pantau_test_nokey_{uuid.uuid4().hex[:8]}"
    base = {name: value for name, value in os.environ.items() if name not in {"PANTAU_PII_KEY", "PGOPTIONS"}}
    base.update(
        PANTAU_HOME=str(tmp_path / "home"),
        PANTAU_WAREHOUSE_DSN=config.with_database(config.warehouse_dsn(), database),
    )
    pantau = Path(sys.executable).with_name("pantau")
    for key in (None, "too-short"):
        env = dict(base) if key is None else {**base, "PANTAU_PII_KEY": key}
        result = subprocess.run(
            [str(pantau), "run", "--landing", str(landing)],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 2, (key, result.stdout[-2000:], result.stderr[-2000:])
        assert "PANTAU_PII_KEY is not set" in result.stderr
        assert "secrets.token_hex" in result.stderr  # says how to make one
    assert waiting.exists()  # nothing was loaded or archived
    with psycopg.connect(config.with_database(config.warehouse_dsn(), "postgres")) as conn:
        created = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
    assert created is None  # the warehouse was not even bootstrapped


def test_pii_key_is_required_by_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PANTAU_PII_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="PANTAU_PII_KEY is not set"):
        config.pii_key()
    monkeypatch.setenv("PANTAU_PII_KEY", "x" * 16)
    assert config.pii_key() == "x" * 16
