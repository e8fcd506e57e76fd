"""Settings every Pantau DAG shares (kept light: DAG files import this at parse time)."""

from __future__ import annotations

import os

import pendulum

from pantau.orchestration.tasks import prepare_task_environment

OWNER = "pantau-data"
START_DATE = pendulum.datetime(2025, 1, 1, tz="Asia/Jakarta")


def default_args(retries: int = 2, retry_minutes: int = 2) -> dict:
    """Retries for production; local one-shot runs (`pantau run`, tests) set PANTAU_TASK_RETRIES=0
    so that a failure is reported at once instead of after the retry delay. Every task prepares
    its settings (warehouse connection, tool variables) when it runs, never at DAG-parse time."""
    return {
        "owner": OWNER,
        "pre_execute": prepare_task_environment,
        "retries": int(os.environ.get("PANTAU_TASK_RETRIES", retries)),
        "retry_delay": pendulum.duration(minutes=retry_minutes),
    }
