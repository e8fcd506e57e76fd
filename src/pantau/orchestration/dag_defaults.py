"""Settings every Pantau DAG shares (kept light: DAG files import this at parse time)."""

from __future__ import annotations

import os

import pendulum

from pantau.orchestration.tasks import prepare_task_environment

OWNER = "pantau-data"
START_DATE = pendulum.datetime(2025, 1, 1, tz="Asia/Jakarta")

# Pools bound the heavy kinds of work under the scheduler (sizes: pantau.serve.POOLS, from
# PANTAU_POOL_*_SLOTS); `dag.test()` runs ignore them.
POOL_GATE1 = "pantau_gate1"  # Great Expectations on raw batches
POOL_DBT = "pantau_dbt"  # dbt builds
POOL_RENDER = "pantau_render"  # briefing PDFs and Data Docs


def create_pools(pools: dict[str, tuple[int, str]]) -> None:
    """Create or resize pools ({name: (slots, description)}) in Airflow's metadata database,
    through Airflow's own model (an `airflow pools import` process would pay Airflow's start-up,
    about 6 s of CPU, once more). Imports Airflow: call it only where Airflow runs."""
    from airflow.models.pool import Pool

    for name, (slots, description) in pools.items():
        Pool.create_or_update_pool(name=name, slots=slots, description=description, include_deferred=False)


def service_login(dag_id: str, task_id: str) -> str:
    """Which service's database login a task uses (pantau.config.use_login): ingest loads as the
    loader, dbt and gate 2 work as the transformer, the briefing as the reader, the Data Docs as
    the auditor; housekeeping's other chores write the audit trail as the loader."""
    if dag_id.startswith("pantau_ingest__"):
        return "loader"
    if dag_id == "pantau_warehouse":
        return "transformer"
    if dag_id == "pantau_briefing":
        return "reader"
    if dag_id == "pantau_housekeeping" and task_id != "update_data_docs":
        return "loader"
    return "auditor"


def prepare_task(context) -> None:
    """`pre_execute` of every Pantau task, in the worker before the task's work: its settings
    (prepare_task_environment), then its service's own login when the deployment provides one
    (PANTAU_<SERVICE>_DSN; a no-op otherwise, e.g. under dag.test)."""
    from pantau import config

    prepare_task_environment(context)
    ti = context["ti"]
    config.use_login(service_login(ti.dag_id, ti.task_id))


def default_args(retries: int = 2, retry_minutes: int = 2) -> dict:
    """Retries for production; local one-shot runs (`pantau run`, tests) set PANTAU_TASK_RETRIES=0
    so that a failure is reported at once instead of after the retry delay. Every task prepares
    its settings (warehouse connection, tool variables) when it runs, never at DAG-parse time."""
    return {
        "owner": OWNER,
        "pre_execute": prepare_task,
        "retries": int(os.environ.get("PANTAU_TASK_RETRIES", retries)),
        "retry_delay": pendulum.duration(minutes=retry_minutes),
    }
