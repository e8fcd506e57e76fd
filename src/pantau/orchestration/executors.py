"""Airflow's executors, started with the libraries Pantau's tasks use already imported.

On Linux every Airflow task process is a fork: of a LocalExecutor worker (itself a fork of the
scheduler) or of a Celery pool process (a fork of the Celery worker). A task that imports Great
Expectations, dbt or WeasyPrint itself pays seconds of CPU on every run (about 5 s for GX, the
most of a gate-1 task's time); imported once in the executor's process before it forks, they
cost each task nothing. The scheduler and each Celery worker pay the imports once, at start-up.
Nothing else changes: these are Airflow's own executors.
"""

from __future__ import annotations

import importlib

from airflow.executors.local_executor import LocalExecutor

# What the task bodies import lazily (pantau.pipeline and what it calls): gate 1 and gate 2,
# dbt's runner, the briefing's PDF and chart libraries.
TASK_IMPORTS = ("great_expectations", "pantau.quality.gate", "dbt.cli.main", "weasyprint", "pygal")


def preload() -> None:
    for module in TASK_IMPORTS:
        importlib.import_module(module)


class PreloadingLocalExecutor(LocalExecutor):
    """LocalExecutor whose worker processes (forked when it starts) have the task imports."""

    def start(self) -> None:
        preload()
        super().start()

    def end(self) -> None:
        if not hasattr(self, "workers"):  # stopped while still importing: no worker to wait for
            return
        super().end()
