"""Scale-out: the same components with CeleryExecutor on the machine's Redis and two workers.

Each test gets a Redis database number and a Celery queue of its own, so parallel runs (and
anyone else's Airflow on this Redis) never take each other's tasks. Pool sizes come from
configuration; both workers take tasks.
"""

from __future__ import annotations

import random
import socket
import uuid

import pytest

from .conftest import (
    PRELOAD_MARKERS,
    drop_into_landing,
    preloaded,
    processes_titled,
    query,
    sample_files,
    wait_for,
)

pytestmark = pytest.mark.slow

REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def serve_options(monkeypatch) -> dict:
    if not _redis_answers():
        pytest.fail("no Redis at 127.0.0.1:6379: the Celery test needs the machine's Redis")
    monkeypatch.setenv("PANTAU_POOL_GATE1_SLOTS", "3")
    return {
        "executor": "CeleryExecutor",
        "celery_workers": 2,
        "broker_url": f"redis://127.0.0.1:6379/{random.randint(1, 15)}",
        "celery_queue": f"pantau_test_{uuid.uuid4().hex[:8]}",
    }


def test_two_celery_workers_load_and_gate_the_files(served):
    client, dsn = served["client"], served["dsn"]
    pools = {p["name"]: p["slots"] for p in client.get("/api/v2/pools")["pools"]}
    assert {k: pools.get(k) for k in ("pantau_gate1", "pantau_dbt", "pantau_render")} == {
        "pantau_gate1": 3,
        "pantau_dbt": 1,
        "pantau_render": 1,
    }
    wait_for(
        "the DAG processor to parse the ingest DAGs",
        lambda: client.get("/api/v2/dags?dag_id_pattern=pantau_ingest&limit=100")["total_entries"] >= 7,
        timeout=180,
    )
    staging = served["root"] / "generated"
    names = drop_into_landing(sample_files(served["root"]), staging, served["landing"])
    rows = wait_for(
        "every file to be loaded and gated by the Celery workers",
        lambda: (
            rows
            if len(
                rows := query(
                    dsn, "select source_file, status from audit.load_ledger where status <> 'loaded'"
                )
            )
            >= len(names)
            else None
        ),
        timeout=600,
    )
    assert sorted(name for name, _ in rows) == sorted(names)
    assert {status for _, status in rows} == {"accepted"}
    # Both workers took tasks (each logs the Airflow workloads it ran).
    logs = {c.name: c.log.read_text(errors="replace") for c in served["server"].components}
    workers = {name: text.count("ExecuteTask") for name, text in logs.items() if name.startswith("worker-")}
    assert len(workers) == 2 and all(workers.values()), workers
    # Each Celery worker forks its pool (whose forks run the tasks) holding what the tasks import.
    for component in served["server"].components:
        if component.name.startswith("worker-"):
            celeryd = processes_titled([component.process.pid], "[celeryd: ")
            assert celeryd and all(preloaded(pid) == set(PRELOAD_MARKERS) for pid in celeryd), celeryd
