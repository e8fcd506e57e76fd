"""SQL the gate-1 checks share: a date parser in the warehouse and reference fragments for queries.

`audit.pantau_parse_date(text)` reads a date exactly as dbt's `parse_date` macro does
(dbt_project/macros/parse_date.sql, docs/contracts.md "Normalisation rules"): NULL for anything
else, impossible dates and years outside 1900..2100 included. It is a function so that the checks
stay readable; they call it once per distinct value, never per row. `pantau.warehouse.bootstrap`
creates it (in `audit`, which the loader that runs gate 1 can use).

Check queries (`expect_query_check_to_pass`, see `gx_expectations`) may name these fragments,
expanded when a suite is read (`expand`):

- `{region_keys}`: (match_key, is_unique) -- every spelling a region can be written as: dbt's key
  table `staging.stg_reference__region_keys`, read as it is (is_unique false: an ambiguous bare
  name such as SERANG). The rule lives in that model only; gate 1 does not re-derive it;
- `{country_keys}`: (match_key, country_code) -- dbt's `staging.stg_reference__country_keys`, its
  resolved keys only (an ambiguous spelling such as KOREA counts as unresolved);
- `{passport_patterns}`: (country_code, pattern) from `passport_patterns.csv` beside this file;
- `{text_key:<expr>}`: dbt's normalise_text_key (upper case, letters and digits only);
- `{feed}`: the suite's feed name as a SQL string literal.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

PASSPORT_PATTERNS_FILE = Path(__file__).with_name("passport_patterns.csv")

PARSE_DATE_DDL = r"""
create or replace function audit.pantau_parse_date(raw text) returns date
language plpgsql immutable parallel safe as $fn$
-- Same formats and same NULLs as dbt's parse_date macro (gate 1 judges what dbt will read).
declare
    value text := btrim(raw);
    m text[];
    y int;
    mo int;
    d int;
begin
    if value is null or value = '' then
        return null;
    end if;
    -- fast paths for the formats nearly every file uses, as in the macro
    if value ~ '^\d\d[/.-]\d\d[/.-]\d{4}$' and substr(value, 3, 1) = substr(value, 6, 1) then
        y := substr(value, 7, 4); mo := substr(value, 4, 2); d := substr(value, 1, 2);
    elsif value ~ '^\d{4}-\d\d-\d\d$' then
        y := substr(value, 1, 4); mo := substr(value, 6, 2); d := substr(value, 9, 2);
    elsif value ~ '^\d{5}$' then
        return case when value::int between 20000 and 80000 then date '1899-12-30' + value::int end;
    else
        m := regexp_match(value, '^(\d{4})-(\d{1,2})-(\d{1,2})'
            || '(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$');
    end if;
    if y is not null then
        null;
    elsif m is not null then
        y := m[1]; mo := m[2]; d := m[3];
    else
        m := regexp_match(value, '^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})'
            || '(?:,?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$');
        if m is not null then
            if m[2] <> m[4] then
                return null;
            end if;
            y := m[5]; mo := m[3]; d := m[1];
        else
            m := regexp_match(value, '^(\d{5})(?:\.\d+)?$');
            if m is not null then
                if m[1]::int between 20000 and 80000 then
                    return date '1899-12-30' + m[1]::int;
                end if;
                return null;
            end if;
            m := regexp_match(lower(value), '^(\d{1,2})(?:\s+|-|\s*\.\s*)([a-z]+)\.?(?:\s+|-)(\d{4})$');
            if m is null then
                return null;
            end if;
            mo := case m[2]
                when 'jan' then 1 when 'januari' then 1 when 'january' then 1
                when 'feb' then 2 when 'peb' then 2 when 'februari' then 2 when 'pebruari' then 2
                when 'february' then 2
                when 'mar' then 3 when 'maret' then 3 when 'march' then 3
                when 'apr' then 4 when 'april' then 4
                when 'mei' then 5 when 'may' then 5
                when 'jun' then 6 when 'juni' then 6 when 'june' then 6
                when 'jul' then 7 when 'juli' then 7 when 'july' then 7
                when 'agu' then 8 when 'agt' then 8 when 'ags' then 8 when 'agus' then 8
                when 'agustus' then 8 when 'aug' then 8 when 'august' then 8
                when 'sep' then 9 when 'sept' then 9 when 'september' then 9
                when 'okt' then 10 when 'oct' then 10 when 'oktober' then 10 when 'october' then 10
                when 'nov' then 11 when 'nop' then 11 when 'november' then 11 when 'nopember' then 11
                when 'des' then 12 when 'dec' then 12 when 'desember' then 12 when 'december' then 12
            end;
            if mo is null then
                return null;
            end if;
            y := m[3]; d := m[1];
        end if;
    end if;
    if y not between 1900 and 2100 or mo not between 1 and 12 or d < 1
        or d > extract(day from make_date(y, mo, 1) + interval '1 month' - interval '1 day') then
        return null;
    end if;
    return make_date(y, mo, d);
end
$fn$;
"""


def install(conn) -> None:
    """Create (or replace) the SQL functions gate 1 uses; called by `pantau.warehouse.bootstrap`."""
    conn.execute(PARSE_DATE_DDL)


def text_key(expr: str) -> str:
    """dbt's normalise_text_key: upper case, every character that is not a letter or digit dropped."""
    return f"nullif(regexp_replace(upper(({expr})::text), '[^[:alnum:]]+', '', 'g'), '')"


# dbt's key tables (models/staging/reference), the one definition of region and country matching.
REGION_KEYS_TABLE = "staging.stg_reference__region_keys"
COUNTRY_KEYS_TABLE = "staging.stg_reference__country_keys"

REGION_KEYS = f"(select match_key, region_code is not null as is_unique from {REGION_KEYS_TABLE})"

COUNTRY_KEYS = f"(select match_key, country_code from {COUNTRY_KEYS_TABLE} where country_code is not null)"


@cache
def passport_patterns() -> tuple[tuple[str, str], ...]:
    """(country_code, pattern) rows of passport_patterns.csv (lines starting with # are notes)."""
    with PASSPORT_PATTERNS_FILE.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        if None in row or not row.get("note"):  # a comma in an unquoted pattern splits it
            name = PASSPORT_PATTERNS_FILE.name
            raise ValueError(f"{name}: malformed row {row!r} (quote patterns containing commas)")
        code, pattern = row["country_code"].strip(), row["pattern"].strip()
        re.compile(pattern)  # a broken pattern fails here, naming itself, not in PostgreSQL
        rows.append((code, pattern))
    return tuple(rows)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def passport_patterns_sql() -> str:
    values = ", ".join(f"({_literal(code)}, {_literal(pattern)})" for code, pattern in passport_patterns())
    return f"(values {values}) as passport_patterns (country_code, pattern)"


_TEXT_KEY = re.compile(r"\{text_key:([^{}]+)\}")


def expand(query: str, *, feed: str | None) -> str:
    """Replace the fragments named in the module docstring; `{batch}` is left for the metric."""
    query = _TEXT_KEY.sub(lambda m: text_key(m.group(1).strip()), query)
    fragments = {
        "{region_keys}": REGION_KEYS,
        "{country_keys}": COUNTRY_KEYS,
        "{passport_patterns}": passport_patterns_sql(),
    }
    if feed is not None:
        fragments["{feed}"] = _literal(feed)
    for name, text in fragments.items():
        query = query.replace(name, text)
    return query
