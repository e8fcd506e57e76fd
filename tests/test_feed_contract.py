"""The feed contract is defined once, in src/pantau/feeds.yml; the dbt side must agree with it.

dbt needs its own copy in the six `_<source>__sources.yml` files (columns, their order, `pii`
tags) and in each staging model's deduplication key. These tests fail on any difference, so a
change to feeds.yml that is not carried to dbt (or the reverse) cannot go unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pantau import config
from pantau.registry import feeds

STAGING = config.DBT_PROJECT_DIR / "models" / "staging"
# The lineage columns the loader adds to every raw table, after the feed's own (warehouse.raw_table_ddl).
LINEAGE = ["_batch_id", "_source_file", "_row_number", "_loaded_at"]
# Names a staging dedup key may use besides the feed's columns: the fallback for a row without a key.
KEY_FALLBACK = {"batch_id", "source_row_number"}


def raw_sources() -> dict[str, tuple[Path, dict]]:
    """Every table of schema `raw` declared in a staging sources file: name -> (file, table)."""
    found: dict[str, tuple[Path, dict]] = {}
    for path in sorted(STAGING.glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            if source.get("schema") != "raw":
                continue
            for table in source["tables"]:
                assert table["name"] not in found, f"{table['name']} declared twice"
                found[table["name"]] = (path, {**table, "_source": source["name"]})
    return found


def test_raw_tables_in_dbt_are_exactly_the_feeds():
    assert sorted(raw_sources()) == sorted(feeds())


def test_lineage_columns_are_the_loaders():
    from pantau import warehouse

    ddl = warehouse.raw_table_ddl(next(iter(feeds().values())))
    text = ddl if isinstance(ddl, str) else ddl.as_string(None)
    positions = [text.index(column) for column in LINEAGE]
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", list(feeds()))
def test_source_columns_order_and_pii_tags_match_the_registry(name):
    feed = feeds()[name]
    path, table = raw_sources()[name]
    columns = table["columns"]
    where = f"{path.relative_to(config.PROJECT_ROOT)}: {name}"
    assert [c["name"] for c in columns] == [*feed.column_names, *LINEAGE], where
    tagged = [c["name"] for c in columns if "pii" in (c.get("config", {}).get("tags") or c.get("tags") or [])]
    assert tagged == [c.name for c in feed.columns if c.pii], where
    assert f"Natural key: {', '.join(feed.natural_key)}." in table["description"], where
    assert f"Agency: {feed.agency}." in table["description"], where


def _top_level_items(select_list: str) -> list[str]:
    """Split a select list at its top-level commas (not inside parentheses or quotes)."""
    items, depth, quoted, current = [], 0, False, []
    for char in select_list:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _definitions(sql: str) -> dict[str, str]:
    """alias -> expression, for every `<expression> as <alias>` item of every select list."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    found: dict[str, str] = {}
    for select_list in re.findall(r"\bselect\b(.*?)\bfrom\b", text, flags=re.S | re.I):
        for item in _top_level_items(select_list):
            match = re.fullmatch(r"(.*\S)\s+as\s+(\w+)", item, flags=re.S | re.I)
            if match:
                found.setdefault(match.group(2), match.group(1))
    return found


def raw_columns_of(expression: str, definitions: dict[str, str], seen: frozenset = frozenset()) -> set[str]:
    """The raw feed columns an expression is built from, following aliases back to `accepted_rows`."""
    columns = set(re.findall(r"accepted_rows\.(\w+)", expression))
    for name in set(re.findall(r"\b(\w+)\b", re.sub(r"accepted_rows\.\w+", "", expression))):
        if name in definitions and name not in seen and name not in KEY_FALLBACK:
            columns |= raw_columns_of(definitions[name], definitions, seen | {name})
    return columns


def dedup_key(sql: str) -> str:
    """The expression a staging model deduplicates on: recency_rank's argument, or the partition."""
    match = re.search(r"recency_rank\((['\"])(.*?)\1\)", sql, flags=re.S) or re.search(
        r"row_number\(\)\s+over\s*\(\s*partition by\s+()([\w.]+)", sql, flags=re.S | re.I
    )
    assert match, "no deduplication key found"
    return match.group(2)


def staging_model_of(name: str) -> Path:
    calls = [
        path
        for path in STAGING.glob("*/stg_*.sql")
        if re.search(rf"source\(\s*'\w+'\s*,\s*'{name}'\s*\)", path.read_text(encoding="utf-8"))
    ]
    assert len(calls) == 1, f"{name}: expected one staging model reading the source, found {calls}"
    return calls[0]


@pytest.mark.parametrize("name", list(feeds()))
def test_staging_deduplicates_on_the_registry_natural_key(name):
    path = staging_model_of(name)
    sql = path.read_text(encoding="utf-8")
    key = dedup_key(sql).split(".")[-1] if "(" not in dedup_key(sql) else dedup_key(sql)
    used = raw_columns_of(key, _definitions(sql))
    assert used == set(feeds()[name].natural_key), f"{path.name} deduplicates on {sorted(used)}"


def test_the_key_checker_reads_what_it_is_given():
    sql = """
    renamed as (select
        {{ clean_text('accepted_rows.no_izin') }} as permit_number,
        md5(coalesce(accepted_rows.a, '') || '|' || accepted_rows.b) as pair_id,
        accepted_rows._batch_id as batch_id
    from accepted_rows),
    keyed as (select coalesce(upper(pair_id), batch_id || ':' || source_row_number::text) as pair_key
    from renamed)
    """
    definitions = _definitions(sql)
    assert raw_columns_of("upper(renamed.permit_number)", definitions) == {"no_izin"}
    assert raw_columns_of("pair_key", definitions) == {"a", "b"}
