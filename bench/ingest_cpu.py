"""CPU seconds of one CSV load, pantau's against `psql \\copy` into bench/ingest.py's table like raw.

    .venv/bin/python bench/ingest_cpu.py [--rows 1000000] [--repeat 3] [--database NAME]

Wall time on a shared machine says more about the neighbours than about the loader; CPU time much
less. For each side: the client process's CPU (psql's, or the loader's: all its threads but the
sampler) and the CPU of its PostgreSQL backend, read from /proc (the server must run on this
machine, readable by this user), sampled every 20 ms by a second connection while the load runs.
The same file is loaded `--repeat` times, alternating; medians are printed. Pantau's first load pays
the imports of what it needs, as bench/ingest.py's single load does (the CSV dialect detector,
clevercsv, 0.15-0.3 s, only where the header does not decide the dialect alone: not for this file).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
import ingest as bench  # bench/ingest.py: the file, the table like raw

from pantau import config, warehouse
from pantau.ingest.loader import load_file

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


class Backends(threading.Thread):
    """The last CPU reading of every client backend connected to the database, until stopped."""

    def __init__(self, dsn: str):
        super().__init__(daemon=True)
        self.dsn, self.dbname = dsn, config.dsn_parts(dsn)["dbname"]
        self.last: dict[int, float] = {}
        self.done = threading.Event()
        self.ready = threading.Event()
        self.own_cpu = 0.0  # this sampler's CPU, taken off the client process's

    def run(self) -> None:
        with psycopg.connect(config.with_database(self.dsn, "postgres"), autocommit=True) as conn:
            while not self.done.is_set():
                for (pid,) in conn.execute(
                    "select pid from pg_stat_activity where datname = %s and backend_type = 'client backend'",
                    (self.dbname,),
                ):
                    if (seconds := cpu_of(pid)) is not None:
                        self.last[pid] = seconds
                self.ready.set()
                time.sleep(0.02)
        self.own_cpu = time.thread_time()

    def __enter__(self) -> Backends:
        self.start()
        self.ready.wait()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.join()

    def total(self) -> float:
        return sum(self.last.values())


def psql_copy(dsn: str, path: Path) -> tuple[float, float]:
    command, env = bench.psql_copy_baseline(dsn, path, bench.EQUIVALENT)
    with Backends(dsn) as backends:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table public.copy_baseline")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, backends.total()


def pantau(dsn: str, path: Path, landing: Path) -> tuple[float, float]:
    target = landing / bench.LODGING.name / path.name
    shutil.copy(path, target)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f"truncate audit.load_ledger, raw.{bench.LODGING.name}, raw.{bench.LODGING.name}__rejects"
        )
    start = time.process_time()  # every thread's (the loader hashes in one), less the sampler's
    with Backends(dsn) as backends:
        outcome = load_file(bench.LODGING, target, landing=landing, dsn=dsn)
    client = time.process_time() - start - backends.own_cpu
    assert outcome.status == "loaded" and outcome.notes["path"] == "copy", outcome
    return client, backends.total()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default="pantau_ing_cpu", help="scratch database, dropped after")
    args = parser.parse_args()
    dsn = config.with_database(config.warehouse_dsn(), args.database)
    warehouse.drop_database(dsn)
    warehouse.bootstrap(dsn)
    runs: dict[str, list[tuple[float, float]]] = {"psql \\copy, table like raw": [], "pantau ingest": []}
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp:
        source = Path(tmp) / "apoa_bench.csv"
        bench.write_lodging_csv(source, args.rows)
        landing = Path(tmp) / "landing"
        (landing / bench.LODGING.name).mkdir(parents=True)
        for _ in range(args.repeat):
            runs["psql \\copy, table like raw"].append(psql_copy(dsn, source))
            runs["pantau ingest"].append(pantau(dsn, source, landing))
    totals = {}
    print(f"CSV {args.rows:,} rows, CPU seconds, median of {args.repeat}:")
    for name, measured in runs.items():
        client = statistics.median(c for c, _ in measured)
        backend = statistics.median(b for _, b in measured)
        totals[name] = statistics.median(c + b for c, b in measured)
        each = ", ".join(f"{c:.2f}+{b:.2f}" for c, b in measured)
        print(
            f"  {name:28s} client {client:5.2f}  backend {backend:5.2f}  total {totals[name]:5.2f}  ({each})"
        )
    psql_total, pantau_total = totals.values()
    print(f"  ratio of CPU, \\copy/pantau: {psql_total / pantau_total:.2f}")
    warehouse.drop_database(dsn)


if __name__ == "__main__":
    main()
