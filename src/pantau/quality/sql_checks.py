"""SQL the gate-1 checks share: dates read by the warehouse's one date function, and reference
fragments for queries.

Dates are read by `staging.parse_date(text)`, the function dbt's staging reads them with (defined
once in dbt_project/macros/udfs/parse_date_udf.sql; installed by dbt's on-run-start and by
`pantau.warehouse.bootstrap`): NULL for anything else, impossible dates and years outside
1900..2100 included. The checks call it once per distinct value, never per row.

Check queries (`expect_query_check_to_pass`, see `gx_expectations`) may name these fragments,
expanded when a suite is read (`expand`):

- `{region_keys}`: (match_key, is_unique) -- every spelling a region can be written as: dbt's key
  table `staging.stg_reference__region_keys`, read as it is (is_unique false: an ambiguous bare
  name such as SERANG). The rule lives in that model only; gate 1 does not re-derive it;
- `{country_keys}`: (match_key, country_code) -- dbt's `staging.stg_reference__country_keys`, its
  resolved keys only (an ambiguous spelling such as KOREA counts as unresolved);
- `{passport_patterns}`: (country_code, pattern) from `passport_patterns.csv` beside this file;
- `{text_key:<expr>}`: the warehouse's matching key, `staging.text_key` (dbt's normalise_text_key);
- `{unreadable_date:<expr>}`: true when the value is written but `staging.parse_date` reads NULL;
- `{date_measures:birth=<col>;start=<col>;end=<col>}`: the date check query (see `date_measures`);
- `{feed}`: the suite's feed name as a SQL string literal.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

PASSPORT_PATTERNS_FILE = Path(__file__).with_name("passport_patterns.csv")

# The warehouse's one date reader (dbt_project/macros/udfs/parse_date_udf.sql): dbt's parse_date
# macro calls it in staging, gate 1 here; dbt's on-run-start and pantau.warehouse.bootstrap install it.
PARSE_DATE = "staging.parse_date"


def unreadable_date(expr: str) -> str:
    """True for a value that is written (not empty after trimming) but is no date the warehouse reads."""
    return f"(nullif(btrim(({expr})::text), '') is not null and {PARSE_DATE}(({expr})::text) is null)"


def date_measures(birth: str | None, start: str, end: str | None) -> str:
    """The date check query of a raw suite (`{date_measures:birth=..;start=..;end=..}`), one scan:
    each distinct value is read once by PARSE_DATE, then counted by the rows carrying it.

    Measures: `unreadable:<column>` for each date column (written, but no date), `birth_date`
    (unreadable or in the future), `date_in_future` (start after today + 1 day) and
    `end_before_start`.
    """
    has_birth = birth is not None
    birth_col = birth or "null::text"
    end_col = end or "null::text"
    if has_birth:
        counted = (
            f"select {birth_col} as birth, {start} as a, {end_col} as e, grouping({birth_col}) as is_event, "
            f"count(*) as n from {{batch}} as b group by grouping sets (({birth_col}), ({start}"
            + (f", {end_col}" if end else "")
            + "))"
        )
    else:
        group = f"{start}, {end_col}" if end else start
        counted = (
            f"select null::text as birth, {start} as a, {end_col} as e, 1 as is_event, count(*) as n "
            f"from {{batch}} as b group by {group}"
        )
    written = "nullif(btrim(counted.{0}), '') is not null"
    measures = [
        "select 'birth_date' as measure,"
        " coalesce(sum(n) filter (where is_event = 0 and has_birth), 0) as checked,"
        " coalesce(sum(n) filter (where is_event = 0 and has_birth"
        " and (birth_d is null or birth_d > current_date)), 0) as unexpected from dated",
        "select 'date_in_future', coalesce(sum(n) filter (where is_event = 1 and a_d is not null), 0),"
        " coalesce(sum(n) filter (where is_event = 1 and a_d > current_date + 1), 0) from dated",
        "select 'end_before_start',"
        " coalesce(sum(n) filter (where is_event = 1 and a_d is not null and e_d is not null), 0),"
        " coalesce(sum(n) filter (where is_event = 1 and e_d < a_d), 0) from dated",
    ]
    for column, alias, event in ((birth, "birth", 0), (start, "a", 1), (end, "e", 1)):
        if column is None:
            continue
        measures.append(
            f"select {_literal('unreadable:' + column)},"
            f" coalesce(sum(n) filter (where is_event = {event} and has_{alias}), 0),"
            f" coalesce(sum(n) filter (where is_event = {event} and has_{alias} and {alias}_d is null), 0)"
            " from dated"
        )
    return f"""with counted as ({counted}),
parsed as (
    select value, {PARSE_DATE}(value) as d
    from (select birth from counted union select a from counted union select e from counted) as v (value)
    where value is not null
),
dated as (
    select counted.is_event, counted.n,
        {written.format("birth")} as has_birth,
        {written.format("a")} as has_a,
        {written.format("e")} as has_e,
        birth.d as birth_d, a.d as a_d, e.d as e_d
    from counted
    left join parsed as birth on birth.value = counted.birth
    left join parsed as a on a.value = counted.a
    left join parsed as e on e.value = counted.e
)
""" + "\nunion all\n".join(measures)


def text_key(expr: str) -> str:
    """dbt's matching key: a call of the warehouse function staging.text_key (the one definition,
    dbt_project/macros/udfs/text_key_udf.sql, as staging's normalise_text_key calls it)."""
    return f"staging.text_key(({expr})::text)"


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
_UNREADABLE_DATE = re.compile(r"\{unreadable_date:([^{}]+)\}")
_DATE_MEASURES = re.compile(r"\{date_measures:([^{}]+)\}")


def _date_measures_fragment(match: re.Match) -> str:
    parts = dict(part.strip().split("=", 1) for part in match.group(1).split(";"))
    unknown = set(parts) - {"birth", "start", "end"}
    if unknown or "start" not in parts:
        raise ValueError(f"{match.group(0)}: name start= and optionally birth=, end= (got {sorted(parts)})")
    return date_measures(parts.get("birth"), parts["start"], parts.get("end"))


def expand(query: str, *, feed: str | None) -> str:
    """Replace the fragments named in the module docstring; `{batch}` is left for the metric."""
    query = _TEXT_KEY.sub(lambda m: text_key(m.group(1).strip()), query)
    query = _UNREADABLE_DATE.sub(lambda m: unreadable_date(m.group(1).strip()), query)
    query = _DATE_MEASURES.sub(_date_measures_fragment, query)
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
