"""A few offending rows per failed check, with file row numbers, personal data masked.

GX is asked for counts only (partial_unexpected_count 0): fetching sample values inside GX
costs one extra scan per expectation even when nothing fails, which is what makes a large batch
slow. Pantau fetches samples itself, only for the checks that failed, at most SAMPLE_SIZE rows
each, with `_row_number` so an auditor can find the record in the archived file.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from psycopg import sql

from pantau import warehouse
from pantau.quality.masking import mask_value

if TYPE_CHECKING:
    from pantau.quality.gate import CheckOutcome

SAMPLE_SIZE = 5


def _batch_rows(feed: str, batch_id: str) -> sql.Composed:
    return sql.SQL("(select * from {} where _batch_id = {}) as batch").format(
        sql.Identifier("raw", feed), sql.Literal(batch_id)
    )


def sample_query(feed: str, batch_id: str, expectation: str, kwargs: dict[str, Any]) -> sql.Composable | None:
    """The SQL returning the rows a failed check is about, or None when it has no row-level meaning."""
    column = kwargs.get("column")
    batch = _batch_rows(feed, batch_id)
    limit = sql.Literal(SAMPLE_SIZE)
    if expectation == "unexpected_rows_expectation":
        # The suite's own query, on the same batch GX validated.
        query = str(kwargs["unexpected_rows_query"]).replace("{batch}", "{batch_rows}")
        return sql.SQL("select * from ({query}) as unexpected limit {limit}").format(
            query=sql.SQL(query).format(batch_rows=batch), limit=limit
        )
    if expectation in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        # Rows whose key occurs more than once in the batch.
        key = sql.SQL(", ").join(map(sql.Identifier, kwargs.get("column_list") or [column]))
        return sql.SQL(
            "select _row_number, {key} from {batch} where ({key}) in "
            "(select {key} from {inner} group by {key} having count(*) > 1) "
            "order by {key}, _row_number limit {limit}"
        ).format(key=key, batch=batch, inner=_batch_rows(feed, batch_id), limit=limit)
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
    return sql.SQL(
        "select _row_number, {col} from {batch} where {condition} order by _row_number limit {limit}"
    ).format(col=col, batch=batch, condition=condition, limit=limit)


def mask_row(row: dict[str, Any], pii_columns: list[str]) -> dict[str, Any]:
    return {k: mask_value(v) if k in pii_columns else v for k, v in row.items()}


def add_samples(
    outcomes: list[CheckOutcome], feed: str, batch_id: str, *, dsn: str, pii_columns: list[str]
) -> list[CheckOutcome]:
    failed = [o for o in outcomes if not o.success and not o.unexpected_sample]
    if not failed:
        return outcomes
    samples: dict[int, list[dict[str, Any]]] = {}
    with warehouse.connect(dsn, autocommit=True) as conn:
        for outcome in failed:
            kwargs = {k: v for k, v in outcome.expectation_config.items() if k not in ("description",)}
            query = sample_query(feed, batch_id, outcome.expectation, kwargs)
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
