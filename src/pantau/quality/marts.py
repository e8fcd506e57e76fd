"""Gate 2: the published marts, after dbt, before the briefing reads them.

One suite per mart (`expectations/marts__<table>.yml`, with `table: marts.<table>`), run on the
whole table. A mart whose table does not exist is not validated: a suite marked `required: true`
(the briefing cannot do without that mart) fails on it; any other suite is skipped, leaving one
warning row that says so, so a mart being added or retired never crashes the gate.

Results go to `audit.dq_results` like gate 1's (no batch, file or feed: a mart is
built from many). The caller decides what a blocking failure stops; the briefing's quality
status reads the same table.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pantau import config, warehouse
from pantau.quality.gate import record, run_suite
from pantau.quality.outcomes import CheckOutcome, GateResult
from pantau.quality.samples import add_samples
from pantau.quality.suites import SuiteSpec, all_suite_names, load_suite

log = logging.getLogger(__name__)


def mart_suite_names() -> list[str]:
    return [name for name in all_suite_names() if name.startswith("marts__")]


def validate_marts(*, dsn: str | None = None, run_id: str | None = None) -> dict[str, dict]:
    """Run every marts suite; returns {suite: GateResult as a plain dict} (fit for an XCom)."""
    dsn = dsn or config.warehouse_dsn()
    run_id = run_id or f"gate2__{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    return {name: validate_mart(name, dsn=dsn, run_id=run_id).as_dict() for name in mart_suite_names()}


def validate_mart(suite_name: str, *, dsn: str | None = None, run_id: str | None = None) -> GateResult:
    dsn = dsn or config.warehouse_dsn()
    run_id = run_id or f"gate2__{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    suite = load_suite(suite_name)
    schema, table = _table_of(suite)
    if _table_exists(dsn, schema, table):
        outcomes = run_suite(suite, schema, table, None, dsn=dsn, run_id=run_id, pii_columns=[])
        outcomes = add_samples(outcomes, schema, table, None, dsn=dsn, pii_columns=[])
    else:
        outcomes = [_missing_table(schema, table, required=bool(suite.meta.get("required")))]
    record(dsn, run_id, suite.name, outcomes)
    failed_blocking = [o.description for o in outcomes if not o.success and o.severity == "blocking"]
    failed_warnings = [o.description for o in outcomes if not o.success and o.severity == "warning"]
    log.info(
        "gate 2 %s.%s: %s (%d blocking, %d warning failures)",
        schema,
        table,
        "passed" if not failed_blocking else "failed",
        len(failed_blocking),
        len(failed_warnings),
    )
    return GateResult(
        feed=f"{schema}.{table}",
        batch_id="",
        suite=suite.name,
        accepted=not failed_blocking,
        failed_blocking=failed_blocking,
        failed_warnings=failed_warnings,
        results_count=len(outcomes),
        run_id=run_id,
    )


def _table_of(suite: SuiteSpec) -> tuple[str, str]:
    table = str(suite.meta.get("table") or "")
    if "." not in table:
        raise ValueError(f"{suite.path}: a marts suite names its table as `table: marts.<name>`")
    schema, name = table.split(".", 1)
    return schema, name


def _table_exists(dsn: str, schema: str, table: str) -> bool:
    with warehouse.connect(dsn) as conn:
        found = conn.execute("select to_regclass(%s)", (f"{schema}.{table}",)).fetchone()
    return bool(found and found[0])


_MISSING = "Mart sudah dibangun (dbt) / the mart has been built (dbt)"
_SKIPPED = "Mart belum dibangun, pemeriksaan dilewati / mart not built, its checks were skipped"


def _missing_table(schema: str, table: str, *, required: bool) -> CheckOutcome:
    description = _MISSING if required else _SKIPPED
    return CheckOutcome(
        expectation="expect_table_to_exist",
        expectation_config={"table": f"{schema}.{table}", "description": description, "suite_index": -1},
        severity="blocking" if required else "warning",
        description=description,
        success=False,
        observed_value="missing" if required else "missing: skipped",
        unexpected_count=None,
        unexpected_sample=None,
    )
