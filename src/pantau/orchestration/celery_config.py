"""Airflow's Celery settings (`[celery] celery_config_options` points here) plus `imports`: a
Celery worker imports those modules before it forks its pool, so its tasks start with them (as
Airflow preloads its own operators there; see pantau.orchestration.executors)."""

from __future__ import annotations

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

from pantau.orchestration.executors import TASK_IMPORTS

CELERY_CONFIG = {**DEFAULT_CELERY_CONFIG, "imports": TASK_IMPORTS}
