"""A few offending rows per failed check, with file row numbers, personal data masked.

GX is asked for counts only (partial_unexpected_count 0): fetching sample values inside GX
costs one extra scan per expectation even when nothing fails, which is what makes a large batch
slow. Pantau fetches samples itself, only for the checks that failed, at most SAMPLE_SIZE rows
each, with `_row_number` so an auditor can find the record in the archived file.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg import sql

from pantau import warehouse
from pantau.quality.masking import mask_value
from pantau.quality.outcomes import CheckOutcome

SAMPLE_SIZE = 5
# gx_expectations.QUERY_CHECK_TYPE, named here without importing great_expectations.
QUERY_CHECK_TYPE = "expect_query_check_to_pass"


def _batch_rows(schema: str, table: str, batch_id: str | None, *, alias: bool = True) -> sql.Composed:
    if batch_id is None:
        rows = sql.SQL("(select * from {})").format(sql.Identifier(schema, table))
    else:
        rows = sql.SQL("(select * from {} where _batch_id = {})").format(
            sql.Identifier(schema, table), sql.Literal(batch_id)
        )
    return sql.SQL("{} as batch").format(rows) if alias else rows


def sample_query(
    schema: str, table: str, batch_id: str | None, expectation: str, kwargs: dict[str, Any]
) -> sql.Composable | None:
    """The SQL returning the rows a failed check is about, or None when it has no row-level meaning."""
    column = kwargs.get("column")
    batch = _batch_rows(schema, table, batch_id)
    # Raw rows carry their file row number; mart rows have none.
    row_number = sql.SQL("_row_number, ") if schema == "raw" else sql.SQL("")
    order = sql.SQL("_row_number") if schema == "raw" else sql.SQL("1")
    limit = sql.Literal(SAMPLE_SIZE)
    if expectation == "unexpected_rows_expectation":
        # The suite's own query, on the same batch GX validated. As in GX, a query with a join
        # names its own alias for {batch}.
        query = str(kwargs["unexpected_rows_query"]).replace("{batch}", "{batch_rows}")
        rows = _batch_rows(schema, table, batch_id, alias=not re.search(r"\bjoin\b", query, re.IGNORECASE))
        return sql.SQL("select * from ({query}) as unexpected limit {limit}").format(
            query=sql.SQL(query).format(batch_rows=rows), limit=limit
        )
    if expectation == QUERY_CHECK_TYPE:
        # A measured check names its own sample query; `{batch}` is its batch, aliased by the query.
        query = kwargs.get("rows_query")
        if not query:
            return None
        rows = _batch_rows(schema, table, batch_id, alias=False)
        parts = [sql.SQL(part) for part in str(query).split("{batch}")]  # braces in regexes stay
        joined = sql.Composed([item for part in parts for item in (part, rows)][:-1])
        template = sql.SQL("select * from ({query}) as unexpected limit {limit}")
        return template.format(query=joined, limit=limit)
    if expectation in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        # Rows whose key occurs more than once in the batch.
        key = sql.SQL(", ").join(map(sql.Identifier, kwargs.get("column_list") or [column]))
        return sql.SQL(
            "select {row_number}{key} from {batch} where ({key}) in "
            "(select {key} from {inner} group by {key} having count(*) > 1) "
            "order by {key}, {order} limit {limit}"
        ).format(
            row_number=row_number,
            key=key,
            batch=batch,
            inner=_batch_rows(schema, table, batch_id),
            order=order,
            limit=limit,
        )
    if column is None:
        return None
    col = sql.Identifier(column)
    conditions = {
        "expect_column_values_to_not_be_null": sql.SQL("{col} is null").format(col=col),
        "expect_column_values_to_match_regex": sql.SQL("{col} is not null and not ({col} ~ {regex})").format(
            col=col, regex=sql.Literal(kwargs.get("regex", ""))
        ),
        "expect_column_value_lengths_to_be_between": sql.SQL(
            "{col} is not null and not (length({col}) between {low} and {high})"
        ).format(
            col=col,
            low=sql.Literal(kwargs.get("min_value") or 0),
            high=sql.Literal(kwargs.get("max_value") or 2**31 - 1),
        ),
    }
    condition = conditions.get(expectation)
    if condition is None:
        return None
    template = "select {row_number}{col} from {batch} where {condition} order by {order} limit {limit}"
    return sql.SQL(template).format(
        row_number=row_number, col=col, batch=batch, condition=condition, order=order, limit=limit
    )


def mask_row(row: dict[str, Any], pii_columns: list[str]) -> dict[str, Any]:
    return {k: mask_value(v) if k in pii_columns else _jsonable(v) for k, v in row.items()}


def _jsonable(value: Any) -> Any:
    """Sample values go into a jsonb column: numbers stay numbers, dates become ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def add_samples(
    outcomes: list[CheckOutcome],
    schema: str,
    table: str,
    batch_id: str | None,
    *,
    dsn: str,
    pii_columns: list[str],
) -> list[CheckOutcome]:
    # A check that could not run (no reference seeds yet, an error) has no rows to show.
    failed = [
        o
        for o in outcomes
        if not o.success
        and not o.unexpected_sample
        and not (o.observed_value or "").startswith(("not evaluable:", "error:"))
    ]
    if not failed:
        return outcomes
    samples: dict[int, list[dict[str, Any]]] = {}
    with warehouse.connect(dsn, autocommit=True) as conn:
        for outcome in failed:
            kwargs = {k: v for k, v in outcome.expectation_config.items() if k not in ("description",)}
            query = sample_query(schema, table, batch_id, outcome.expectation, kwargs)
            if query is None:
                continue
            with conn.cursor() as cur:
                cur.execute(query)
                names = [d.name for d in cur.description or []]
                rows = [dict(zip(names, values, strict=True)) for values in cur.fetchall()]
            samples[id(outcome)] = [mask_row(row, pii_columns) for row in rows]
    return [
        dataclasses.replace(o, unexpected_sample=samples[id(o)]) if samples.get(id(o)) else o
        for o in outcomes
    ]
