"""Quality-gate benchmark (issue 5): gate 1 with the full raw__imigrasi_apoa suite on a
1,000,000-row batch in PostgreSQL, against a plain SQL scan of the same batch in the same run.

    .venv/bin/python bench/quality.py [--rows 1000000] [--repeat 3] [--profile]

Prints each validation's time (target <= 5 s), their median, and the ratio to `select count(*)`
with the same filter, measured just before each validation, so a busy machine shows up in the
baseline too. Uses (and drops) its own database, pantau_dq2_bench_<pid>.

`--profile` adds one validation before the timed ones with every SQL statement GX sends timed
(SQLAlchemy events on GX's engine) and GX's Python under cProfile: where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from pantau import config, runner, warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dbt_cli import run_dbt  # the tests' dbt runner (target/ and logs/ per run)

APOA_ROWS_SQL = """
insert into raw.imigrasi_apoa (
    id_laporan, nama_penginapan, kabupaten_kota, nama_tamu, no_paspor, kewarganegaraan,
    tanggal_lahir, jenis_kelamin, tanggal_masuk, tanggal_keluar, tujuan_kunjungan, indeks_visa,
    _batch_id, _source_file, _row_number)
select
    'APOA' || lpad(g::text, 12, '0'),
    'Hotel ' || (g %% 500),
    (array['Kota Cilegon', 'KAB. SERANG', 'Kab. Tangerang ', 'kota tangerang selatan'])[1 + g %% 4],
    'Tamu ' || g,
    (array['E', 'G', 'K', 'M'])[1 + g %% 4] || (10000000 + g),
    (array['RRT', 'Korea Selatan', 'JPN', 'India', 'Malaysia'])[1 + g %% 5],
    case when g %% 7 = 0 then null else to_char(date '1960-01-01' + g %% 15000, 'DD/MM/YYYY') end,
    (array['L', 'P', 'l', 'M', 'F'])[1 + g %% 5],
    case g %% 3
        when 0 then to_char(date '2025-01-01' + g %% 300, 'DD/MM/YYYY')
        when 1 then to_char(date '2025-01-01' + g %% 300, 'YYYY-MM-DD')
        else to_char(date '2025-01-01' + g %% 300, 'DD-MM-YYYY')
    end,
    case when g %% 4 = 0 then null else to_char(date '2025-01-03' + g %% 300, 'DD/MM/YYYY') end,
    (array['WISATA', 'bisnis', 'BEKERJA ', 'Keluarga', 'LAINNYA'])[1 + g %% 5],
    (array['B211A', 'C312', 'VOA', 'BVK', 'E23'])[1 + g %% 5],
    %(batch)s, 'imigrasi_apoa/besar.csv', g
from generate_series(1, %(rows)s) as g
"""


LEDGER_SQL = (
    "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, row_count) "
    "values (%s, 'imigrasi_apoa', 'imigrasi_apoa/besar.csv', %s, 0, 'loaded', %s)"
)


def load_reference_seeds(dsn: str) -> None:
    """The reference seeds and dbt's key tables gate 1 resolves through, built by dbt itself."""
    work_dir = Path(tempfile.mkdtemp(prefix="pantau-bench-dbt-"))
    os.environ.setdefault("PANTAU_PII_KEY", "bench-only-pii-key-0123456789abcdef")  # staging's pre-hook
    os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
    config.warehouse_dsn.cache_clear()
    config.export_tool_env()
    started = time.perf_counter()
    for command in runner.reference_build_commands():
        result = run_dbt(command, work_dir)
        if result.returncode != 0:
            raise SystemExit(result.stdout[-4000:] + result.stderr[-2000:])
    print(f"reference seeds and key tables built by dbt in {time.perf_counter() - started:.1f} s")


def profile_validation(batch: str) -> None:
    """One validation with each SQL statement GX sends timed, and the Python around them profiled."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from pantau.quality import validate_raw_batch

    statements: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - conn.info["bench_started"].pop(), statement))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    try:
        profiler.runcall(validate_raw_batch, "imigrasi_apoa", batch)
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)
    total = time.perf_counter() - started
    in_sql = sum(seconds for seconds, _ in statements)
    print(f"profiled validation: {total:.2f} s (under cProfile); {len(statements)} statements from GX")
    for seconds, statement in sorted(statements, reverse=True):
        one_line = re.sub(r"\s+", " ", statement)
        print(f"  {seconds:7.3f} s  {one_line[:150]}")
    print(f"  {in_sql:7.3f} s  all of GX's SQL; the rest, {total - in_sql:.2f} s: Python, Pantau's own SQL")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"great_expectations|pantau", 30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one validation first")
    args = parser.parse_args()
    os.environ.setdefault("PANTAU_HOME", tempfile.mkdtemp(prefix="pantau-bench-"))
    dsn = config.with_database(config.warehouse_dsn(), f"pantau_dq2_bench_{os.getpid()}")
    os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
    config.warehouse_dsn.cache_clear()
    warehouse.drop_database(dsn)
    warehouse.bootstrap(dsn)
    load_reference_seeds(dsn)
    from pantau.quality import validate_raw_batch

    with psycopg.connect(dsn) as conn:
        for batch, rows in (("warm-up", 1000), ("besar", args.rows)):
            conn.execute(LEDGER_SQL, (batch, batch, rows))
            conn.execute(APOA_ROWS_SQL, {"batch": batch, "rows": rows})
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("analyze raw.imigrasi_apoa")
    validate_raw_batch("imigrasi_apoa", "warm-up")  # imports GX, loads the context, declares the suite
    if args.profile:
        profile_validation("besar")

    times, scans, cpus = [], [], []
    for attempt in range(1, args.repeat + 1):
        started = time.perf_counter()
        with psycopg.connect(dsn) as conn:
            conn.execute("select count(*) from raw.imigrasi_apoa where _batch_id = 'besar'").fetchone()
        scans.append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        result = validate_raw_batch("imigrasi_apoa", "besar")
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        print(
            f"run {attempt}: gate 1, full suite ({result.results_count} checks) on {args.rows:,} rows: "
            f"{times[-1]:.2f} s ({cpus[-1]:.2f} s of this process's CPU); accepted={result.accepted}; "
            f"baseline count(*) {scans[-1]:.2f} s "
            f"(ratio {times[-1] / scans[-1]:.0f}x)"
        )
    elapsed, scan = statistics.median(times), statistics.median(scans)
    verdict = "met" if elapsed <= 5 else "NOT met"
    print(
        f"median of {args.repeat}: {elapsed:.2f} s, {statistics.median(cpus):.2f} s of CPU "
        f"(target <= 5 s: {verdict}); "
        f"baseline {scan:.2f} s; ratio {elapsed / scan:.0f}x; load average {os.getloadavg()[0]:.1f}"
    )
    warehouse.drop_database(dsn)


if __name__ == "__main__":
    main()
