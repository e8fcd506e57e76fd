"""`pantau run`: the whole pipeline over a landing zone, through the real Airflow DAGs, in order.

Locally there is no scheduler to react to Asset events, so this runs what the scheduler would:
every ingest DAG, then the warehouse DAG (which in production is triggered by their Assets).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from pantau import config, progress, warehouse
from pantau.orchestration import airflow_local
from pantau.registry import feeds

# The task that fails, by design, for each file whose data stayed out (orchestration.tasks).
REFUSAL_TASK = "flag_refused_files"
NOT_ACCEPTED = ("rejected", "quarantined")


@dataclass
class RunSummary:
    started_at: datetime
    landing: Path
    log_path: Path
    dag_states: dict[str, str] = field(default_factory=dict)
    failed_tasks: dict[str, list[str]] = field(default_factory=dict)  # dag_id -> failed task ids
    files: list[dict] = field(default_factory=list)
    data_docs: str | None = None

    def refused_files_only(self, dag_id: str) -> bool:
        """A failed ingest run whose only failure is `flag_refused_files`, for files of the feed
        that this run rejected or quarantined: the pipeline did its job (the files are
        listed with their reasons), it is the agency's files that need attention."""
        failed = self.failed_tasks.get(dag_id, [])
        if not failed or any(task_id != REFUSAL_TASK for task_id in failed):
            return False
        feed_name = dag_id.removeprefix("pantau_ingest__")
        refused = [f for f in self.files if f["feed"] == feed_name and f["status"] in NOT_ACCEPTED]
        return len(refused) >= len(failed)

    @property
    def ok(self) -> bool:
        return all(
            state == "success" or self.refused_files_only(dag_id) for dag_id, state in self.dag_states.items()
        )


def ensure_manifest() -> Path:
    """Parse the dbt project with this run's settings, into the target folder the warehouse
    build uses: the build re-uses this partial parse (dbt discards it when the profile differs)
    and the progress lines count the nodes to build from its manifest."""
    from pantau import transform

    transform.invoke("parse")
    return transform.dbt_paths()["target"] / "manifest.json"


# The reference seeds and the key tables built from them (models/staging/reference): what gate 1
# resolves regions, countries and visa codes against.
REFERENCE_SEEDS = (
    "regions",
    "region_aliases",
    "kecamatan",
    "countries",
    "country_aliases",
    "visa_index_codes",
)
REFERENCE_MODELS = "path:models/staging/reference"


def reference_build_commands() -> list[list[str]]:
    """dbt commands that load the reference seeds and build the key tables from them."""
    return [["seed", "--select", *REFERENCE_SEEDS], ["run", "--select", REFERENCE_MODELS]]


def ensure_reference_seeds() -> bool:
    """Build the reference seeds and key tables in a warehouse that has none yet (returns whether it did).

    Gate 1 resolves regions, countries and visa codes through dbt's key tables; on a new warehouse
    they would otherwise only appear with the first warehouse run, after the first files were
    judged (their reference checks recorded as not evaluable). Later runs leave them to the
    warehouse DAG.
    """
    with psycopg.connect(config.warehouse_dsn()) as conn:
        built = "select to_regclass('staging.stg_reference__country_keys') is not null"
        if conn.execute(built).fetchone()[0]:
            return False
    from pantau import transform

    for command in reference_build_commands():
        transform.invoke(*command)
    return True


def prepare_environment(landing: Path) -> Path:
    """Settings the DAGs read, for this process (dag.test runs tasks in-process)."""
    os.environ["PANTAU_LANDING_DIR"] = str(landing.resolve())
    os.environ.setdefault("PANTAU_TASK_RETRIES", "0")
    # The ingest DAGs have all run before the warehouse DAG here: nothing else is arriving.
    os.environ.setdefault("PANTAU_QUIET_MAX_SECONDS", "0")
    config.export_tool_env()
    # Airflow's metadata database (minutes of migrations on a new one) is made meanwhile.
    metadata_ready = airflow_local.start_metadata_db()
    with progress.stage("prepare: warehouse schemas and roles"):
        warehouse.bootstrap()
    with progress.stage("prepare: dbt parse"):
        ensure_manifest()
    with progress.stage("prepare: reference seeds"):
        ensure_reference_seeds()
    with progress.stage("prepare: Airflow metadata database"):
        metadata_ready()
    log_dir = config.STATE_DIR / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir / f"run-{datetime.now():%Y%m%d-%H%M%S}.log"


def _run(dag, summary: RunSummary) -> None:
    progress.emit(f"{dag.dag_id} ...")
    begun = time.monotonic()
    run = airflow_local.run_dag(dag, log_path=summary.log_path)
    state = str(getattr(run.state, "value", run.state))
    summary.dag_states[dag.dag_id] = state
    summary.failed_tasks[dag.dag_id] = sorted(ti.task_id for ti in run.get_task_instances(state=["failed"]))
    failed = (
        f" (failed: {', '.join(summary.failed_tasks[dag.dag_id])})"
        if summary.failed_tasks[dag.dag_id]
        else ""
    )
    progress.emit(f"{dag.dag_id} {state} in {time.monotonic() - begun:.1f} s{failed}")


def marts_built() -> bool:
    with psycopg.connect(config.warehouse_dsn()) as conn:
        return conn.execute("select to_regclass('marts.fct_findings') is not null").fetchone()[0]


def run_pipeline(landing: Path, *, rebuild: bool = False) -> RunSummary:
    log_path = prepare_environment(landing)
    progress.emit(f"task logs: {log_path}")
    summary = RunSummary(started_at=datetime.now(UTC), landing=landing, log_path=log_path)
    with progress.stage("parse DAGs"):
        dags = airflow_local.load_dags()
    for dag_id in [f"pantau_ingest__{name}" for name in feeds()]:
        _run(dags[dag_id], summary)
    summary.files = files_since(summary.started_at)
    accepted = any(f["status"] == "accepted" for f in summary.files)
    # As the scheduler would: the warehouse DAG runs when an ingest run emitted a raw Asset
    # event (a batch was accepted), or when the marts have never been built.
    if rebuild or accepted or not marts_built():
        _run(dags["pantau_warehouse"], summary)
    else:
        progress.emit("pantau_warehouse not run: no batch accepted, the marts are up to date")
    # Unknown landing folders quarantined, old results pruned, Data Docs brought up to date.
    _run(dags["pantau_housekeeping"], summary)
    summary.files = files_since(summary.started_at)
    docs = config.output_dir() / "data_docs" / "index.html"
    summary.data_docs = str(docs) if docs.exists() else None
    return summary


def files_since(started_at: datetime) -> list[dict]:
    with psycopg.connect(config.warehouse_dsn()) as conn:
        cur = conn.execute(
            "select feed, source_file, status, row_count, reject_count, error_code "
            "from audit.load_ledger where received_at >= %s order by feed, source_file",
            (started_at,),
        )
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
