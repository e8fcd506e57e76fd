"""The warehouse DAG's `dbt build` when nothing in the seeds changed (every run but a few a year),
against the same build as it ran before issue 15's last changes: every seed loaded again and
dbt's unit tests run. Both in this process, one after the other, three times each.

    .venv/bin/python bench/daily_build.py

Works on its own database (`pantau_bench_daily`, dropped at the end): a copy of the demo's
database (`make demo`, run from the same checkout: its person keys need the demo's key) when
that has the marts, else one built as bench/briefing.py builds its own. "before" clears the seed
tables' load keys (macros/seed_unchanged.sql) so that every seed is loaded, and runs the unit
tests; "now" is `pantau.transform.build()`, what the DAG runs. Figures: wall and this process's
CPU (dbt runs in threads here); PostgreSQL's own CPU is not in them.
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from briefing import build_warehouse, copy_database, has_marts

from pantau import config, transform, warehouse

BENCH_DATABASE = "pantau_bench_daily"
ROUNDS = 3


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def forget_seed_loads(dsn: str) -> None:
    """Without their keys every seed table is loaded again, as every build did before."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "select c.oid::regclass::text from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'staging' "
            "and c.relkind = 'r' and obj_description(c.oid, 'pg_class') like 'pantau seed %'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f"comment on table {table} is null")  # names from the catalogue


def build_before() -> None:
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(transform.dbt_args("build", "--threads", "4", "--quiet"))
    if not outcome.success:
        raise SystemExit(f"dbt build failed: {outcome.exception}")


def main() -> None:
    demo = config.with_database(config.warehouse_dsn(), "pantau_demo")
    dsn = config.with_database(config.warehouse_dsn(), BENCH_DATABASE)
    warehouse.drop_database(dsn)
    try:
        with tempfile.TemporaryDirectory(prefix="pantau_bench_daily_") as tmp:
            if has_marts(demo):
                copy_database(demo, dsn)
                config.ensure_demo_pii_key()  # the key the demo's person keys were made with
                source = "a copy of the demo's database"
            else:
                build_warehouse(dsn, Path(tmp))
                source = "built here (scale-1 files of both provinces)"
            os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
            os.environ.setdefault("PANTAU_AS_OF", "2025-10-27")
            config.warehouse_dsn.cache_clear()
            config.export_tool_env()
            transform.invoke("parse")  # this database's profile: a full parse, paid before timing
            transform.build()  # the seeds' keys written, the incremental models caught up
            figures: dict[str, list[tuple[float, float]]] = {"before": [], "now": []}
            for _ in range(ROUNDS):
                for name in ("before", "now"):
                    if name == "before":
                        forget_seed_loads(dsn)
                    begun_wall, begun_cpu = time.monotonic(), cpu()
                    build_before() if name == "before" else transform.build()
                    figures[name].append((time.monotonic() - begun_wall, cpu() - begun_cpu))
    finally:
        warehouse.drop_database(dsn)
    print(f"warehouse: {source}; {ROUNDS} rounds, before and now alternating")
    medians = {}
    for name, runs in figures.items():
        walls, cpus = zip(*runs, strict=True)
        medians[name] = (statistics.median(walls), statistics.median(cpus))
        shown = ", ".join(f"{w:.1f} s ({c:.1f} s CPU)" for w, c in runs)
        print(f"{name:6s} {shown}; median {medians[name][0]:.1f} s wall, {medians[name][1]:.1f} s CPU")
    print(
        f"now / before: {medians['now'][0] / medians['before'][0]:.2f} of the wall, "
        f"{medians['now'][1] / medians['before'][1]:.2f} of the CPU"
    )


if __name__ == "__main__":
    main()
