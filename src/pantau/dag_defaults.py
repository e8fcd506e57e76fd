"""Settings every Pantau DAG shares (kept light: DAG files import this at parse time)."""

from __future__ import annotations

import os

import pendulum

OWNER = "pantau-data"
START_DATE = pendulum.datetime(2025, 1, 1, tz="Asia/Jakarta")

# Pools bound the heavy kinds of work under the scheduler (sizes: pantau.serve.POOLS, from
# PANTAU_POOL_*_SLOTS); `dag.test()` runs ignore them.
POOL_GATE1 = "pantau_gate1"  # Great Expectations on raw batches
POOL_DBT = "pantau_dbt"  # dbt builds
POOL_RENDER = "pantau_render"  # briefing PDFs and Data Docs


def default_args(retries: int = 2, retry_minutes: int = 2) -> dict:
    """Retries for production; local one-shot runs (`pantau run`, tests) set PANTAU_TASK_RETRIES=0
    so that a failure is reported at once instead of after the retry delay."""
    return {
        "owner": OWNER,
        "retries": int(os.environ.get("PANTAU_TASK_RETRIES", retries)),
        "retry_delay": pendulum.duration(minutes=retry_minutes),
    }
