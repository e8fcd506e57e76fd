"""Housekeeping DAG: set aside files in landing folders no feed claims, prune quality results past
their retention period, and keep the Data Docs site current.

Hourly, half past (the ingest DAGs run on the hour): an hour's validations, rejected files
included, reach the Data Docs within the hour even when no batch was accepted and the warehouse
DAG did not run; each step is cheap when there is nothing to do (the site is rebuilt only when a
result is newer than it). Unknown folders are quarantined with a reason (never silently ignored);
retention is PANTAU_DQ_RETENTION_DAYS (default 730).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from pantau.orchestration.dag_defaults import START_DATE, default_args


@dag(
    schedule="30 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["pantau", "housekeeping"],
    doc_md=__doc__,
)
def pantau_housekeeping():
    @task
    def quarantine_unknown_feeds() -> list[str]:
        from pantau import pipeline

        return pipeline.quarantine_unknown_feeds()

    @task
    def prune_quality_results() -> int:
        from pantau import pipeline

        return pipeline.prune_quality_results()

    @task
    def update_data_docs() -> str | None:
        from pantau import pipeline

        return pipeline.update_data_docs()

    [quarantine_unknown_feeds(), prune_quality_results()] >> update_data_docs()


pantau_housekeeping()
