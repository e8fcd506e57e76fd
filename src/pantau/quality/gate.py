"""Gate 1: validate one raw batch with its feed's suite, record the outcome, accept or reject it.

`validate_raw_batch` is what the ingest DAG calls right after a file's COPY. GX runs the suite in
PostgreSQL (SQL execution engine, batch = `raw.<feed>` rows with that `_batch_id`); every
expectation becomes one row of `audit.dq_results`; the ledger row becomes `accepted` or
`rejected`. Only blocking expectations decide; warnings are recorded and shown.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from pantau import config, warehouse
from pantau.quality.masking import mask_result_payload
from pantau.quality.outcomes import CheckOutcome, GateResult
from pantau.quality.samples import add_samples
from pantau.quality.suites import SuiteSpec, load_suite
from pantau.registry import feed as registry_feed

log = logging.getLogger(__name__)


class GateError(RuntimeError):
    """The batch cannot be validated at all (unknown batch, quarantined file...)."""


def default_run_id(feed: str, batch_id: str) -> str:
    return f"gate1__{feed}__{batch_id}__{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"


def validate_raw_batch(
    feed: str, batch_id: str, *, dsn: str | None = None, run_id: str | None = None
) -> GateResult:
    """Run gate 1 on `raw.<feed>` rows of `batch_id`; record results; set the ledger status."""
    spec_feed = registry_feed(feed)
    suite = load_suite(spec_feed.suite)
    dsn = dsn or config.warehouse_dsn()
    run_id = run_id or default_run_id(feed, batch_id)
    pii_columns = [c.name for c in spec_feed.columns if c.pii]

    file_sha256 = _ledger_sha256(dsn, feed, batch_id)
    outcomes = run_suite(suite, "raw", feed, batch_id, dsn=dsn, run_id=run_id, pii_columns=pii_columns)
    outcomes = add_samples(outcomes, "raw", feed, batch_id, dsn=dsn, pii_columns=pii_columns)

    failed_blocking = [o.description for o in outcomes if not o.success and o.severity == "blocking"]
    failed_warnings = [o.description for o in outcomes if not o.success and o.severity == "warning"]
    accepted = not failed_blocking
    record(
        dsn,
        run_id,
        suite.name,
        outcomes,
        feed=feed,
        batch_id=batch_id,
        file_sha256=file_sha256,
        verdict=accepted,
    )
    log.info(
        "gate 1 %s batch %s: %s (%d blocking, %d warning failures of %d checks)",
        feed,
        batch_id,
        "accepted" if accepted else "rejected",
        len(failed_blocking),
        len(failed_warnings),
        len(outcomes),
    )
    return GateResult(
        feed=feed,
        batch_id=batch_id,
        suite=suite.name,
        accepted=accepted,
        failed_blocking=failed_blocking,
        failed_warnings=failed_warnings,
        results_count=len(outcomes),
        run_id=run_id,
    )


def _ledger_sha256(dsn: str, feed: str, batch_id: str) -> str:
    with warehouse.connect(dsn) as conn:
        row = conn.execute(
            "select file_sha256, status, feed from audit.load_ledger where batch_id = %s", (batch_id,)
        ).fetchone()
    if row is None:
        raise GateError(f"batch {batch_id!r} is not in audit.load_ledger; load it before validating")
    sha256, status, ledger_feed = row
    if ledger_feed != feed:
        raise GateError(f"batch {batch_id!r} belongs to feed {ledger_feed!r}, not {feed!r}")
    if status == "quarantined":
        raise GateError(f"batch {batch_id!r} was quarantined: it has no raw rows to validate")
    return sha256


def run_suite(
    suite: SuiteSpec,
    schema: str,
    table: str,
    batch_id: str | None,
    *,
    dsn: str,
    run_id: str,
    pii_columns: list[str],
) -> list[CheckOutcome]:
    """Run one suite through its checkpoint: on one raw batch, or on a whole table (batch_id None)."""
    from pantau.quality import gx_project

    with gx_project.project_lock():
        context = gx_project.get_context(dsn)
        checkpoint = gx_project.checkpoint_for(
            context, suite, schema=schema, table=table, pii_columns=pii_columns, by_batch=batch_id is not None
        )
        try:
            result = _run_checkpoint(checkpoint, batch_id, run_id)
        except _EmptyBatch:
            return _empty_batch_outcomes(suite)
    outcomes = []
    for suite_result in result.run_results.values():
        for expectation_result in suite_result.results:
            outcomes.append(_outcome(expectation_result, pii_columns))
    outcomes.sort(key=lambda o: o.expectation_config.get("suite_index", 0))
    return outcomes


class _EmptyBatch(Exception):
    pass


def _run_checkpoint(checkpoint, batch_id: str | None, run_id: str):
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.exceptions.exceptions import NoAvailableBatchesError

    from pantau.quality import gx_project

    try:
        return gx_project.run_checkpoint(
            checkpoint,
            batch_parameters={"_batch_id": batch_id} if batch_id is not None else None,
            run_id=RunIdentifier(run_name=run_id, run_time=datetime.now(UTC)),
        )
    except NoAvailableBatchesError as exc:
        # GX finds batches by their _batch_id values: a batch without rows has none.
        raise _EmptyBatch from exc


def _empty_batch_outcomes(suite: SuiteSpec) -> list[CheckOutcome]:
    """Without rows GX has no batch to validate; the row-count expectation fails by definition."""
    outcomes = []
    for index, entry in enumerate(suite.expectations):
        if entry.type != "expect_table_row_count_to_be_between":
            continue
        outcomes.append(
            CheckOutcome(
                expectation=entry.type,
                expectation_config={**entry.kwargs, "description": entry.description, "suite_index": index},
                severity=entry.severity,
                description=entry.description,
                success=False,
                observed_value="0",
                unexpected_count=None,
                unexpected_sample=None,
            )
        )
    if not outcomes:
        outcomes.append(
            CheckOutcome(
                expectation="expect_table_row_count_to_be_between",
                expectation_config={"min_value": 1, "suite_index": -1},
                severity="blocking",
                description="Batch berisi minimal satu baris / batch has at least one row",
                success=False,
                observed_value="0",
                unexpected_count=None,
                unexpected_sample=None,
            )
        )
    return outcomes


def _outcome(expectation_result, pii_columns: list[str]) -> CheckOutcome:
    config_obj = expectation_result.expectation_config
    # batch_id is GX's, value_checks Pantau's wiring (gx_expectations): neither is the check's own.
    kwargs = {k: v for k, v in dict(config_obj.kwargs).items() if k not in ("batch_id", "value_checks")}
    meta = dict(config_obj.meta or {})
    severity = meta.get("pantau_severity", "blocking")
    if ((expectation_result.result or {}).get("details") or {}).get("not_evaluable"):
        # Reference data the check needs is absent (first load, before dbt seeds): recorded as a
        # failed warning, so it shows, but it never rejects a batch on its own.
        severity = "warning"
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    columns += list(kwargs.get("column_list") or [])
    result = mask_result_payload(dict(expectation_result.result or {}), pii_columns, columns)

    error = _exception_message(expectation_result.exception_info)
    raised = error is not None
    observed = result.get("observed_value")
    if raised:
        observed = f"error: {error}"
    elif observed is None and "unexpected_count" in result:
        # GX's percent is of non-null values for value checks, of all rows for not-null checks.
        observed = (
            f"{result.get('unexpected_count', 0)} unexpected of {result.get('element_count', 0)} rows "
            f"({result.get('unexpected_percent') or 0:.2f}%)"
        )
    unexpected_count = result.get("unexpected_count")
    sample = result.get("partial_unexpected_index_list") or result.get("partial_unexpected_list")
    if isinstance(observed, int) and unexpected_count is None:
        unexpected_count = (
            observed if _public_type(config_obj.type) == "unexpected_rows_expectation" else None
        )
    return CheckOutcome(
        expectation=_public_type(config_obj.type),
        expectation_config={
            **kwargs,
            "description": config_obj.description,
            "suite_index": meta.get("pantau_index", 0),
        },
        severity=severity,
        description=config_obj.description or config_obj.type,
        success=bool(expectation_result.success) and not raised,
        observed_value=None if observed is None else _text(observed),
        unexpected_count=int(unexpected_count) if isinstance(unexpected_count, int | float) else None,
        unexpected_sample=list(sample) if sample else None,
    )


# Pantau's faster subclasses (gx_expectations) and the GX type each stands for.
_PUBLIC_TYPES = {
    "pantau_unexpected_rows_expectation": "unexpected_rows_expectation",
    "pantau_distinct_values_match_regex": "expect_column_values_to_match_regex",
}


def _public_type(expectation_type: str) -> str:
    """Results name GX's public type, as the suite files do (not Pantau's faster subclass)."""
    return _PUBLIC_TYPES.get(expectation_type, expectation_type)


def _exception_message(info: Any) -> str | None:
    """GX reports a failed computation either flat or per metric; either way the check failed."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def record(
    dsn: str,
    run_id: str,
    suite: str,
    outcomes: list[CheckOutcome],
    *,
    feed: str | None = None,
    batch_id: str | None = None,
    file_sha256: str | None = None,
    verdict: bool | None = None,
) -> None:
    """One audit.dq_results row per check; rerunning with the same run_id replaces, not adds.

    With a `verdict`, the batch's ledger status (what staging reads) changes in the same
    transaction: results and verdict are recorded together or not at all.
    """
    from psycopg.types.json import Jsonb

    with warehouse.connect(dsn) as conn, conn.transaction():
        conn.execute(
            "delete from audit.dq_results "
            "where run_id = %s and batch_id is not distinct from %s and suite = %s",
            (run_id, batch_id, suite),
        )
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.dq_results (run_id, batch_id, file_sha256, feed, suite, expectation, "
                "expectation_config, severity, success, observed_value, unexpected_count, "
                "unexpected_sample) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        run_id,
                        batch_id,
                        file_sha256,
                        feed,
                        suite,
                        o.expectation,
                        Jsonb(o.expectation_config),
                        o.severity,
                        o.success,
                        o.observed_value,
                        o.unexpected_count,
                        Jsonb(o.unexpected_sample) if o.unexpected_sample is not None else None,
                    )
                    for o in outcomes
                ],
            )
        if verdict is not None and batch_id is not None:
            conn.execute(
                "update audit.load_ledger set status = %s, validated_at = now() where batch_id = %s",
                ("accepted" if verdict else "rejected", batch_id),
            )
