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
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "pantau",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__OPENLINEAGE__DISABLED": "True",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    return home


def ensure_metadata_db() -> None:
    """`airflow db migrate` once per AIRFLOW_HOME (a marker avoids re-running it every command)."""
    wait = start_metadata_db()
    wait()


def start_metadata_db():
    """Start `airflow db migrate` in the background when needed; returns a function that waits
    for it (and raises if it failed). Lets the caller do other start-up work meanwhile."""
    home = configure()
    marker = home / ".migrated"
    if marker.exists():
        return lambda: None
    airflow = Path(sys.executable).with_name("airflow")
    log = (home / "migrate.log").open("wb")
    process = subprocess.Popen(
        [str(airflow), "db", "migrate"], stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()
    )

    def wait() -> None:
        code = process.wait()
        log.close()
        if code != 0:
            tail = (home / "migrate.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"airflow db migrate failed ({code}):\n{tail}")
        marker.touch()

    return wait


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
    """Run one DAG to completion in this process; returns the DagRun.

    With log_path, everything the tasks print (Airflow's and dbt's loggers write to the process's
    file descriptors, not to sys.stdout) goes to that file, so the command line shows a summary.
    """
    if log_path is None:
        return dag.test(logical_date=logical_date, run_conf=conf)
    with _fds_redirected_to(log_path):
        return dag.test(logical_date=logical_date, run_conf=conf)


@contextlib.contextmanager
def _fds_redirected_to(path: Path):
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as target:
        os.dup2(target.fileno(), 1)
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
