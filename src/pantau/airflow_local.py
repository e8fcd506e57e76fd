"""Run the real Airflow DAGs locally (`dag.test()`), with Airflow's metadata in SQLite under .pantau/.

Nothing here touches the user's home directory: AIRFLOW_HOME points into the project's state
folder unless the caller set it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from pantau import config


def configure() -> Path:
    """Environment for a local Airflow. Must run before airflow is imported."""
    home = Path(os.environ.setdefault("AIRFLOW_HOME", str(config.STATE_DIR / "airflow")))
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "AIRFLOW__CORE__DAGS_FOLDER": str(config.DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__OPENLINEAGE__DISABLED": "True",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    return home


def ensure_metadata_db() -> None:
    """`airflow db migrate` once per AIRFLOW_HOME (a marker avoids re-running it every command)."""
    home = configure()
    marker = home / ".migrated"
    if marker.exists():
        return
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    marker.touch()


def load_dags() -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(config.DAGS_DIR))
    if bag.import_errors:
        errors = "\n".join(f"{path}: {err}" for path, err in bag.import_errors.items())
        raise RuntimeError(f"DAG files failed to import:\n{errors}")
    return bag.dags


def run_dag(
    dag, *, logical_date: datetime | None = None, conf: dict | None = None, log_path: Path | None = None
):
    """Run one DAG to completion in this process; returns the DagRun. Task logs go to log_path."""
    target = log_path.open("a") if log_path else None
    redirect = (contextlib.redirect_stdout(target), contextlib.redirect_stderr(target)) if target else ()
    with contextlib.ExitStack() as stack:
        for r in redirect:
            stack.enter_context(r)
        run = dag.test(logical_date=logical_date, run_conf=conf)
    if target:
        target.close()
    return run
