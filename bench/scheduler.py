"""Throughput under Airflow's own scheduler (issue 13): landing zone to published marts.

    .venv/bin/python bench/scheduler.py [--province 36] [--scale 1.0] [--executor local|celery]

Starts `pantau serve` (api-server, scheduler, dag-processor, triggerer; LocalExecutor by default,
least-privilege logins, the pools' default sizes) on its own metadata and warehouse databases,
then times two scenarios end to end, as a deployment would see them:

1. a province's year of sample files dropped into the landing zone at once, until every file is
   loaded and gated and the warehouse DAG has published the marts (target ≤ 10 min);
2. one more day's files (those the generator dates on the last day, held back from scenario 1),
   until they are gated and the marts are published again (target ≤ 3 min).

Prints the timings and the scheduler's task counts; add them to bench/RESULTS.md with the date,
the machine's load and the command line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg

from pantau import config, serve, warehouse

sys.path.insert(0, str(config.PROJECT_ROOT))


def _generate(province: str, out: Path, scale: float) -> None:
    from pantau_dev.generate import generate

    generate(province, out, seed=2025, scale=scale, truth=out.parent / "truth.json")


def _query(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def _wait(what: str, check, timeout: float, every: float = 3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"{what}: not done after {timeout:.0f} s")


def _published_after(client: serve.AirflowClient, since: str) -> list[dict]:
    return [
        run
        for run in client.dag_runs("pantau_warehouse")
        if run["state"] in {"success", "failed"} and (run.get("start_date") or "") >= since
    ]


def _drop(files: list[Path], staging: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)


def _scenario(name, files, staging, landing, dsn, client) -> dict:
    """Drop `files`; time until all are gated and the warehouse has published once after that."""
    before = _query(dsn, "select count(*) from audit.load_ledger where status <> 'loaded'")[0][0]
    since = _query(dsn, "select to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS')")[0][0]
    started = time.monotonic()
    _drop(files, staging, landing)
    _wait(
        f"{name}: files gated",
        lambda: (
            _query(dsn, "select count(*) from audit.load_ledger where status <> 'loaded'")[0][0]
            >= before + len(files)
        ),
        timeout=3600,
    )
    gated = time.monotonic() - started
    # The run that consumed the last accepted batch's Asset event started after that batch's gate.
    last_accepted = _query(
        dsn,
        "select to_char(max(validated_at) at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        "from audit.load_ledger where status = 'accepted'",
    )[0][0]
    since = max(since, last_accepted or since)
    run = _wait(f"{name}: marts published", lambda: _published_after(client, since), timeout=3600)[-1]
    published = time.monotonic() - started
    return {
        "scenario": name,
        "files": len(files),
        "gated_s": gated,
        "published_s": published,
        "run": run["state"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--province", default="36", choices=["36", "62"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--executor", choices=["local", "celery"], default="local")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="pantau-bench-scheduler-"))
    staging, landing = root / "generated", root / "landing"
    landing.mkdir()
    _generate(args.province, staging, args.scale)
    every = sorted(p for p in staging.rglob("*") if p.is_file())
    last_day = max(p.stem[-10:] for p in every if p.stem[-10:-6].isdigit() and p.stem[-3] == "-")
    day = [p for p in every if p.stem.endswith(last_day)]
    year = [p for p in every if p not in day]

    suffix = uuid.uuid4().hex[:8]
    dsn = config.with_database(config.warehouse_dsn(), f"pantau_bench_{suffix}")
    os.environ.update(
        PANTAU_WAREHOUSE_DSN=dsn,
        PANTAU_LANDING_DIR=str(landing),
        PANTAU_OUTPUT_DIR=str(root / "output"),
        PANTAU_AS_OF=os.environ.get("PANTAU_AS_OF", "2025-10-27"),
        PANTAU_TASK_RETRIES="0",
        PANTAU_UI_PASSWORD=uuid.uuid4().hex,
    )
    config.ensure_demo_pii_key()
    config.warehouse_dsn.cache_clear()
    warehouse.bootstrap(dsn)
    settings = serve.ServeSettings(
        home=root / "serve",
        port=0,
        warehouse_dsn=dsn,
        metadata_database=f"pantau_bench_af_{suffix}",
        login_prefix=f"pantau_b{suffix}",
        executor={"local": "LocalExecutor", "celery": "CeleryExecutor"}[args.executor],
        broker_url="redis://127.0.0.1:6379/15",
        celery_queue=f"pantau_bench_{suffix}",
    )
    results = []
    started = time.monotonic()
    server = serve.Serve(settings)
    try:
        server.start()
        server.wait_ready(timeout=900)
        print(f"components up in {time.monotonic() - started:.0f} s", flush=True)
        client = serve.AirflowClient(settings.base_url, os.environ["PANTAU_UI_PASSWORD"])
        _wait(
            "DAGs parsed",
            lambda: client.get("/api/v2/dags?tags=pantau&limit=100")["total_entries"] >= 10,
            600,
        )
        results.append(_scenario("year", year, staging, landing, dsn, client))
        print(results[-1], flush=True)
        results.append(_scenario("day", day, staging, landing, dsn, client))
        print(results[-1], flush=True)
        tasks = Counter()
        for dag in client.get("/api/v2/dags?tags=pantau&limit=100")["dags"]:
            for run in client.dag_runs(dag["dag_id"]):
                tasks[dag["dag_id"].split("__")[0]] += len(
                    client.task_instances(dag["dag_id"], run["dag_run_id"])
                )
        print("task instances:", dict(tasks))
    finally:
        server.stop()
        serve.drop_deployment(settings)
        warehouse.drop_database(dsn)
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n{'scenario':<8} {'files':>5} {'gated':>9} {'published':>10}  target")
    for result, target in zip(results, ("≤ 10 min", "≤ 3 min"), strict=False):
        print(
            f"{result['scenario']:<8} {result['files']:>5} {result['gated_s']:>8.0f}s "
            f"{result['published_s']:>9.0f}s  {target} ({result['run']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
