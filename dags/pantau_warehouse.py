"""Warehouse DAG: rebuild the province warehouse with dbt whenever a feed publishes a good batch.

Scheduled on the raw Assets of every feed. Runs the dbt project (seeds, staging, intermediate,
marts and their tests) through a Cosmos task group built from the pre-built manifest, then the
mart quality gate (gate 2), and emits the `pantau://marts` Asset the briefings read. A blocking
gate-2 failure fails `publish_marts`: no Asset event, and the briefing is marked not validated.
"""

from __future__ import annotations

import operator
from functools import reduce

from airflow.sdk import Asset, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior

from pantau import config
from pantau.orchestration import tasks
from pantau.orchestration.dag_defaults import START_DATE, default_args
from pantau.registry import feeds

MARTS = Asset("pantau://marts")


@dag(
    schedule=reduce(operator.or_, [Asset(f.asset_uri) for f in feeds().values()]),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["pantau", "warehouse", "dbt"],
    doc_md=__doc__,
)
def pantau_warehouse():
    @task
    def prepare_warehouse() -> None:
        from pantau import warehouse

        warehouse.bootstrap()

    dbt_transform = DbtTaskGroup(
        group_id="dbt_transform",
        project_config=ProjectConfig(
            dbt_project_path=config.DBT_PROJECT_DIR,
            manifest_path=config.DBT_PROJECT_DIR / "target" / "manifest.json",
            project_name="pantau",
            install_dbt_deps=False,
        ),
        profile_config=tasks.dbt_profile_config(),  # the Airflow connection in deployment
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,  # one `dbt build` per node: its tests run with it
            should_detach_multiple_parents_tests=True,  # relationship tests wait for both parents
            exclude=["resource_type:exposure"],  # documentation (the briefing), nothing to run
        ),
    )

    @task(outlets=[MARTS])  # emitted only on success: a blocking gate-2 failure fails the task
    def publish_marts() -> dict:
        return tasks.publish_marts()

    prepare_warehouse() >> dbt_transform >> publish_marts()


pantau_warehouse()
