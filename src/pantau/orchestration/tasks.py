"""What the DAGs' tasks run: `pantau.pipeline` in Airflow's terms.

The pipeline speaks plain Python (return values, its own exceptions); this module is where those
become Airflow outcomes: a file whose data stayed out fails its task (no retries: resending the
same bytes gives the same verdict), a duplicate is skipped, a failed mart gate fails the publish
task so no `pantau://marts` event is emitted. It also gives every task its settings, at run time
in the worker, never at DAG-parse time.
"""

from __future__ import annotations

import json
import os
from typing import Any

from pantau import config

# The Airflow connection holding the warehouse in deployment (docker-compose.yml sets it and
# AIRFLOW_CONN_PANTAU_WAREHOUSE). Unset locally: PANTAU_WAREHOUSE_DSN is used as it is.
CONN_ID_ENV = "PANTAU_WAREHOUSE_CONN_ID"


def warehouse_conn_id() -> str | None:
    return os.environ.get(CONN_ID_ENV) or None


def dsn_from_connection(conn: Any) -> str:
    """A libpq DSN from an Airflow Postgres connection (schema is the database, as in Airflow)."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=conn.host or "127.0.0.1",
        port=str(conn.port or 5432),
        user=conn.login or "",
        password=conn.password or "",
        dbname=conn.schema or config.DEFAULT_DATABASE,
    )


def connection_env(dsn: str) -> str:
    """The value of an `AIRFLOW_CONN_<ID>` variable for `dsn` (Airflow's JSON form)."""
    parts = config.dsn_parts(dsn)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": parts["host"],
            "port": int(parts["port"]),
            "login": parts["user"],
            "password": parts["password"],
            "schema": parts["dbname"],
        }
    )


def prepare_task_environment(context: Any = None) -> None:
    """Run by Airflow in the worker before every Pantau task (`pre_execute` in dag_defaults).

    With a warehouse connection configured, its DSN becomes this task's PANTAU_WAREHOUSE_DSN (GX
    and pantau's own code read it); then the variables dbt and GX read are exported.
    """
    conn_id = warehouse_conn_id()
    if conn_id:
        from airflow.sdk import Connection

        os.environ["PANTAU_WAREHOUSE_DSN"] = dsn_from_connection(Connection.get(conn_id))
        config.warehouse_dsn.cache_clear()
    config.export_tool_env()


def validate_raw(outcome: dict) -> dict:
    """Gate 1 on one loaded file: accepted -> the verdict (the task emits the feed's Asset);
    duplicate -> skipped; rejected or quarantined -> failed, with the reason in the log."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from pantau import pipeline

    try:
        verdict = pipeline.gate_raw(outcome)
    except pipeline.FileNotAccepted as refused:
        raise AirflowFailException(str(refused)) from refused
    if verdict is None:
        raise AirflowSkipException(f"{outcome['source_file']}: already loaded (same bytes), nothing new")
    return verdict


def publish_batches(verdicts: list[dict]) -> list[str]:
    """A feed run's accepted batches (the task emits the feed's Asset); skipped when none was."""
    from airflow.sdk.exceptions import AirflowSkipException

    accepted = [v["batch_id"] for v in verdicts if v["accepted"]]
    if not accepted:
        raise AirflowSkipException(f"{len(verdicts)} files, none accepted: nothing new to publish")
    return accepted


def flag_refused_files(verdicts: list[dict]) -> int:
    """Fail, naming each file whose data stayed out (rejected by gate 1, or quarantined); the
    number of files judged otherwise. Duplicates are skipped silently: nothing to fix."""
    from airflow.sdk.exceptions import AirflowFailException

    from pantau import pipeline

    refusals = [r for r in map(pipeline.refusal_of, verdicts) if r is not None]
    if refusals:
        raise AirflowFailException(f"{len(refusals)} file(s) not accepted: " + "; ".join(map(str, refusals)))
    return len(verdicts)


def publish_marts() -> dict:
    """Gate 2 on the marts; a blocking failure fails the task, so no marts Asset event."""
    from airflow.sdk.exceptions import AirflowFailException

    from pantau import pipeline

    try:
        return pipeline.publish_marts()
    except pipeline.MartsGateFailed as failed:
        raise AirflowFailException(str(failed)) from failed
