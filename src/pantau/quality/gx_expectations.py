"""Pantau's GX expectation classes: custom-SQL checks that run their query once, measured checks,
and regexes matched once per distinct value (code columns; see the section at the end).

GX's `UnexpectedRowsExpectation` computes two metrics from the same query: the unexpected rows
themselves (`SELECT ...`, up to 200 fetched) and their count (`SELECT COUNT(*) FROM (...)`). In
PostgreSQL both run the whole query, so a natural-key check on a 1,000,000-row batch cost twice
its time. Pantau only keeps the count (and fetches a few sample rows itself, for failed checks
only: `pantau.quality.samples`), so this subclass depends on the count metric alone. Suites keep
GX's public type name, `unexpected_rows_expectation`; `gx_project.build_suite` swaps the class
in and `gate._outcome` reports the public name again.

`ExpectQueryCheckToPass` (`expect_query_check_to_pass`, below) judges one measure of a check
query: shares, dates read as dbt reads them, values resolved against dbt's seeds, batch size
against the feed's history.

Imports great_expectations at module level: import it only from inside functions.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from great_expectations.compatibility import pydantic
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.core.expect_column_values_to_match_regex import (
    ExpectColumnValuesToMatchRegex,
)
from great_expectations.expectations.core.unexpected_rows_expectation import UnexpectedRowsExpectation
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.query_metric_provider import QueryMetricProvider
from great_expectations.expectations.registry import get_metric_kwargs
from great_expectations.validator.metric_configuration import MetricConfiguration

PUBLIC_TYPE = "unexpected_rows_expectation"


class PantauUnexpectedRowsExpectation(UnexpectedRowsExpectation):
    """`unexpected_rows_expectation`, validated from the row count only (one query)."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None
    ) -> Any:
        count = metrics["unexpected_rows_query.row_count"]
        return {"success": count == 0, "result": {"observed_value": count}}


# The type GX registered the class under (GX snake-cases the class name).
TYPE = PantauUnexpectedRowsExpectation.expectation_type


# ----- measured checks --------------------------------------------------------------------------
# Checks that are not "no row may be unexpected": shares (blocking when most values fail), dates
# read the way dbt reads them, values resolved against dbt's reference seeds, a batch's size
# against the feed's history. A suite entry names a `check_query` returning one row per measure
# (measure, checked, unexpected, note) and the `measure` it judges; entries sharing one query text
# share one GX metric, so the batch is scanned once for all of them. `mostly` as in GX: the share
# of checked rows that must pass (1.0: every one). `requires` lists relations the query reads
# (dbt seeds in `staging`): when one is missing or unreadable the check is not evaluable, which
# gate 1 records as a failed warning, never as a blocking failure.

QUERY_CHECK_METRIC = "pantau_query_check.measures"


def batch_sql(batch_selectable, execution_engine) -> str:
    """The batch as SQL text for `{batch}`: a parenthesised select (alias it in the query)."""
    if hasattr(batch_selectable, "fullname"):  # a whole table
        return str(batch_selectable.fullname)
    compiled = batch_selectable.compile(
        dialect=execution_engine.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    return f"({compiled})"


class PantauQueryCheckMeasures(QueryMetricProvider):
    """Runs a check query once: {measure: {checked, unexpected, note}}, or why it cannot run."""

    metric_name = QUERY_CHECK_METRIC
    value_keys = ("check_query", "requires")
    query_param_name: ClassVar[str] = "check_query"

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, Any]:
        from sqlalchemy import text

        missing = [
            relation
            for relation in metric_value_kwargs.get("requires") or []
            if not execution_engine.execute_query(
                text("select coalesce(has_table_privilege(to_regclass(:r), 'SELECT'), false)").bindparams(
                    r=relation
                )
            ).scalar()
        ]
        if missing:
            return {"not_evaluable": f"{', '.join(missing)} missing or not readable (dbt seeds not loaded?)"}
        batch_selectable, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        query = cls._get_query_from_metric_value_kwargs(metric_value_kwargs)
        # Plain replacement, not str.format: regex quantifiers such as {8} stay as written.
        query = query.replace("{batch}", batch_sql(batch_selectable, execution_engine))
        rows = execution_engine.execute_query(text(query)).mappings().all()
        return {
            "measures": {
                str(row["measure"]): {
                    "checked": int(row["checked"] or 0),
                    "unexpected": int(row["unexpected"] or 0),
                    "note": row.get("note"),
                }
                for row in rows
            }
        }


class ExpectQueryCheckToPass(BatchExpectation):
    """At least `mostly` of the rows a check query measured pass (see the comment above)."""

    check_query: str
    measure: str
    mostly: float = 1.0
    requires: list[str] = pydantic.Field(default_factory=list)
    column: str | None = None  # what the check is about, for reports (not a GX column domain)
    rows_query: str | None = None  # offending rows, for samples of a failed check

    metric_dependencies: ClassVar[tuple[str, ...]] = (QUERY_CHECK_METRIC,)
    success_keys: ClassVar[tuple[str, ...]] = ("check_query", "requires", "measure", "mostly")
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "row_condition", "condition_parser")

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None
    ) -> Any:
        outcome = metrics[QUERY_CHECK_METRIC]
        if "not_evaluable" in outcome:
            return {
                "success": False,
                "result": {
                    "observed_value": f"not evaluable: {outcome['not_evaluable']}",
                    "details": {"not_evaluable": True},
                },
            }
        measure = outcome["measures"].get(self.measure)
        if measure is None:
            return {
                "success": False,
                "result": {"observed_value": f"error: the check query returned no measure {self.measure!r}"},
            }
        checked, unexpected = measure["checked"], measure["unexpected"]
        share = unexpected / checked if checked else 0.0
        observed = (
            f"{unexpected} unexpected of {checked} rows ({100 * share:.2f}%)"
            if measure["note"] is None
            else str(measure["note"])
        )
        return {
            "success": checked == 0 or (checked - unexpected) / checked >= self.mostly,
            "result": {"observed_value": observed, "unexpected_count": unexpected, "element_count": checked},
        }


QUERY_CHECK_TYPE = ExpectQueryCheckToPass.expectation_type


# ----- regexes over distinct values -------------------------------------------------------------
# `expect_column_values_to_match_regex` asks PostgreSQL to run the regex on every row: about half
# a second per check on 1,000,000 rows. A code column (sex, purpose of visit, visa index) holds a
# handful of distinct values, so a suite entry marked `distinct_values: true` is validated by this
# subclass: the batch is grouped once by all such columns (grouping sets, one scan for all of
# them), each distinct value is matched once with the same operator GX uses (`~`), and its rows
# are counted. Unexpected count, null count, row count, `mostly` and the result are GX's own
# (ColumnMapExpectation); only how the unexpected rows are counted differs. Suites keep GX's public
# type; `gx_project.build_suite` swaps the class in and gives every such entry the suite's list of
# them (`value_checks`), so they share one metric, i.e. one query.

DISTINCT_REGEX_METRIC = "pantau_distinct_values.regex_unexpected_counts"
REGEX_UNEXPECTED_COUNT = f"{ExpectColumnValuesToMatchRegex.map_metric}.unexpected_count"


def distinct_values_sql(checks: list[list[str]], batch: str, quote) -> tuple[str, dict[str, str]]:
    """One query: for each (column, regex) check, the rows whose non-null value does not match."""
    columns = list(dict.fromkeys(column for column, _ in checks))
    alias = {column: f"v{index}" for index, column in enumerate(columns)}
    values = ", ".join(f"{quote(column)} as {alias[column]}" for column in columns)
    sets = ", ".join(f"({quote(column)})" for column in columns)
    # In grouping set (a), column b is NULL: `is not null` keeps each check to its own column's
    # values, and leaves out NULLs, which GX does not count as unexpected either.
    measures = ", ".join(
        f"coalesce(sum(n) filter (where {alias[column]} is not null"
        f" and not ({alias[column]} ~ :regex{index})), 0) as unexpected{index}"
        for index, (column, _) in enumerate(checks)
    )
    query = (
        f"select {measures} from (select {values}, count(*) as n from {batch} as b "
        f"group by grouping sets ({sets})) as counted"
    )
    return query, {f"regex{index}": regex for index, (_, regex) in enumerate(checks)}


class PantauDistinctValueRegexCounts(QueryMetricProvider):
    """{"<column>\\x00<regex>": unexpected rows} for every check in `value_checks` (a JSON list)."""

    metric_name = DISTINCT_REGEX_METRIC
    value_keys = ("value_checks",)

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, int]:
        from sqlalchemy import text

        checks = json.loads(metric_value_kwargs["value_checks"])
        batch_selectable, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        quote = execution_engine.engine.dialect.identifier_preparer.quote
        query, regexes = distinct_values_sql(checks, batch_sql(batch_selectable, execution_engine), quote)
        row = execution_engine.execute_query(text(query).bindparams(**regexes)).one()
        counts = zip(checks, row, strict=True)
        return {_check_key(column, regex): int(count) for (column, regex), count in counts}


def _check_key(column: str, regex: str) -> str:
    return f"{column}\x00{regex}"


class PantauDistinctValuesMatchRegex(ExpectColumnValuesToMatchRegex):
    """`expect_column_values_to_match_regex`, each distinct value matched once (see above)."""

    value_checks: str  # JSON [[column, regex], ...]: the suite's entries sharing the grouped query

    success_keys = ("regex", "mostly", "value_checks")

    def get_validation_dependencies(self, execution_engine=None, runtime_configuration=None, **kwargs):
        dependencies = super().get_validation_dependencies(
            execution_engine=execution_engine, runtime_configuration=runtime_configuration
        )
        metric_kwargs = get_metric_kwargs(
            metric_name=DISTINCT_REGEX_METRIC,
            configuration=self.configuration,
            runtime_configuration=runtime_configuration,
        )
        # Under GX's name for the unexpected count, so ColumnMapExpectation reads it as usual.
        dependencies.set_metric_configuration(
            metric_name=REGEX_UNEXPECTED_COUNT,
            metric_configuration=MetricConfiguration(
                metric_name=DISTINCT_REGEX_METRIC,
                metric_domain_kwargs=metric_kwargs["metric_domain_kwargs"],
                metric_value_kwargs=metric_kwargs["metric_value_kwargs"],
            ),
        )
        return dependencies

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None):
        counts = metrics[REGEX_UNEXPECTED_COUNT]
        metrics = {**metrics, REGEX_UNEXPECTED_COUNT: counts[_check_key(self.column, self.regex)]}
        return super()._validate(metrics, runtime_configuration, execution_engine)


DISTINCT_REGEX_TYPE = PantauDistinctValuesMatchRegex.expectation_type
