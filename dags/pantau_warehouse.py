"""Warehouse DAG: rebuild the province warehouse with dbt whenever a feed publishes a good batch.

Scheduled on the raw Assets of every feed; waits for a quiet moment (every file that arrived
together loaded and gated, at most PANTAU_QUIET_MAX_SECONDS) so it rebuilds once, not once per
feed. Runs the dbt project (seeds, staging, intermediate, marts and their tests) as one
`dbt build` in one task (`build_warehouse`): dbt orders the nodes and runs them on its own
threads, and the task log lists every node's status as it finishes. One task per node (Cosmos's
task group) paid dbt's start-up and Airflow's task overhead 89 times; see bench/RESULTS.md. The
connection is the one every task gets (the Airflow connection in deployment, through
`tasks.prepare_task_environment`). Then the mart quality gate (gate 2), and the `pantau://marts`
Asset the briefings read. A blocking gate-2 failure fails `publish_marts`: no Asset event, and
the briefing is marked not validated.
"""

from __future__ import annotations

import operator
from functools import reduce

from airflow.sdk import Asset, PokeReturnValue, dag, get_current_context, task

from pantau.orchestration import tasks
from pantau.orchestration.dag_defaults import POOL_DBT, POOL_RENDER, START_DATE, default_args
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
    # Feeds arriving together wake this DAG one after another: wait until their files are all
    # loaded and gated (pantau.quiet), then build once. Rescheduled pokes hold no worker slot.
    @task.sensor(poke_interval=15, timeout=3600, mode="reschedule")
    def wait_for_quiet_landing() -> PokeReturnValue:
        from pantau import quiet

        started = get_current_context()["dag_run"].start_date
        return PokeReturnValue(is_done=quiet.ready_to_build(started))

    @task
    def prepare_warehouse() -> None:
        from pantau import warehouse

        warehouse.bootstrap()

    @task(pool=POOL_DBT)
    def build_warehouse() -> dict:
        from pantau import transform

        result = transform.build()
        return {"seconds": round(result.seconds, 1), "statuses": dict(result.counts())}

    # Emitted only on success: a blocking gate-2 failure fails the task. Gate 2 and the Data Docs.
    @task(outlets=[MARTS], pool=POOL_RENDER)
    def publish_marts() -> dict:
        return tasks.publish_marts()

    wait_for_quiet_landing() >> prepare_warehouse() >> build_warehouse() >> publish_marts()


pantau_warehouse()
