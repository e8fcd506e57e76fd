"""Pantau's one GX expectation class: custom-SQL checks that run their query once, not twice.

GX's `UnexpectedRowsExpectation` computes two metrics from the same query: the unexpected rows
themselves (`SELECT ...`, up to 200 fetched) and their count (`SELECT COUNT(*) FROM (...)`). In
PostgreSQL both run the whole query, so a natural-key check on a 1,000,000-row batch cost twice
its time. Pantau only keeps the count (and fetches a few sample rows itself, for failed checks
only: `pantau.quality.samples`), so this subclass depends on the count metric alone. Suites keep
GX's public type name, `unexpected_rows_expectation`; `gx_project.build_suite` swaps the class
in and `gate._outcome` reports the public name again.

Imports great_expectations at module level: import it only from inside functions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.expectations.core.unexpected_rows_expectation import UnexpectedRowsExpectation

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
