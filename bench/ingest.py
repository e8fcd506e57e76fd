"""Ingest benchmark (issue 3): pantau's loader against `psql \\copy` of the same file, same run.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--xlsx-rows 200000] [--big-gb 1.0]

Prints rows/s for both and their ratio, XLSX rows/s, and the peak memory of ingesting a large CSV
(measured in a child process: its max RSS minus the interpreter's baseline after imports).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from pantau import config, warehouse
from pantau.ingest.loader import load_file
from pantau.registry import feed

LODGING = feed("imigrasi_apoa")
HEADER = [
    "ID Laporan",
    "Nama Penginapan",
    "Kabupaten/Kota",
    "Nama Tamu",
    "No. Paspor",
    "Kewarganegaraan",
    "Tgl Lahir",
    "JK",
    "Tgl Masuk",
    "Tgl Keluar",
    "Tujuan",
    "Indeks Visa",
]


def write_lodging_csv(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    regions = ["KAB. SERANG", "Kota Cilegon", "Kab Tangerang", "Kota Tangerang Selatan", "Kota Serang"]
    countries = ["RRT", "Korea Selatan", "Jepang", "India", "Malaysia", "Jerman"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(rows):
            out.writerow(
                [
                    f"APOA-{i:09d}",
                    f"Hotel {rnd.randrange(400)}",
                    rnd.choice(regions),
                    f"Tamu Nomor {i}",
                    f"E{rnd.randrange(10**8):08d}",
                    rnd.choice(countries),
                    f"{rnd.randrange(1, 28):02d}/0{rnd.randrange(1, 9)}/19{rnd.randrange(50, 99)}",
                    rnd.choice("LP"),
                    f"{rnd.randrange(1, 28):02d}/10/2025",
                    "",
                    "BISNIS",
                    "C312",
                ]
            )


def bench_copy(dsn: str, path: Path) -> float:
    """psql \\copy into an equivalent all-text table (the floor: server-side parsing, no checks)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        cols = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        conn.execute(
            f"drop table if exists public.copy_baseline; create unlogged table public.copy_baseline ({cols})"
        )
    parts = config.dsn_parts(dsn)
    env = {
        **os.environ,
        "PGHOST": parts["host"],
        "PGPORT": parts["port"],
        "PGUSER": parts["user"],
        "PGDATABASE": parts["dbname"],
        "PGPASSWORD": parts["password"],
    }
    start = time.perf_counter()
    subprocess.run(
        ["psql", "-q", "-c", f"\\copy public.copy_baseline from '{path}' with (format csv, header true)"],
        check=True,
        env=env,
    )
    return time.perf_counter() - start


def bench_pantau(dsn: str, path: Path, landing: Path) -> float:
    start = time.perf_counter()
    outcome = load_file(LODGING, path, landing=landing, dsn=dsn)
    elapsed = time.perf_counter() - start
    assert outcome.status == "loaded", outcome
    return elapsed


def write_lodging_xlsx(path: Path, rows: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("Laporan")
    sheet.write_row(0, 0, ["LAPORAN ORANG ASING"])
    sheet.write_row(2, 0, HEADER)
    for i in range(rows):
        sheet.write_row(
            i + 3,
            0,
            [
                f"X-{i:09d}",
                "Hotel",
                "Kota Cilegon",
                "Tamu",
                f"E{i:08d}",
                "RRT",
                "01/01/1980",
                "L",
                "01/10/2025",
                "",
                "BISNIS",
                "C312",
            ],
        )
    book.close()


PEAK_CHILD = """
import resource, sys
from pathlib import Path
from pantau.ingest.loader import load_file
from pantau.registry import feed
import psycopg
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = load_file(feed('imigrasi_apoa'), Path(sys.argv[1]), landing=Path(sys.argv[2]), dsn=sys.argv[3])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base, peak, outcome.rows)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--big-gb", type=float, default=1.0)
    args = parser.parse_args()
    os.environ.setdefault("PANTAU_SETTLE_SECONDS", "0")
    dsn = config.with_database(config.warehouse_dsn(), "pantau_bench_ingest")
    warehouse.drop_database(dsn)
    warehouse.bootstrap(dsn)
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp:
        tmp = Path(tmp)
        landing = tmp / "landing"
        (landing / "imigrasi_apoa").mkdir(parents=True)
        source = landing / "imigrasi_apoa" / "apoa_bench.csv"
        write_lodging_csv(source, args.rows)
        size_mb = source.stat().st_size / 1e6
        copy_s = bench_copy(dsn, source)
        pantau_s = bench_pantau(dsn, source, landing)
        print(f"CSV {args.rows:,} rows ({size_mb:.0f} MB):")
        print(f"  psql \\copy      {copy_s:6.2f} s  {args.rows / copy_s:12,.0f} rows/s")
        print(f"  pantau ingest   {pantau_s:6.2f} s  {args.rows / pantau_s:12,.0f} rows/s")
        print(f"  ratio pantau/\\copy throughput: {copy_s / pantau_s:.2f}  (target >= 0.50)")

        xlsx = landing / "imigrasi_apoa" / "apoa_bench.xlsx"
        write_lodging_xlsx(xlsx, args.xlsx_rows)
        xlsx_feed = LODGING.__class__(**{**LODGING.__dict__, "formats": (*LODGING.formats, "xlsx")})
        start = time.perf_counter()
        outcome = load_file(xlsx_feed, xlsx, landing=landing, dsn=dsn)
        xlsx_s = time.perf_counter() - start
        print(
            f"XLSX {outcome.rows:,} rows: {xlsx_s:.2f} s, {outcome.rows / xlsx_s:,.0f} rows/s"
            "  (target >= 100,000)"
        )

        if args.big_gb > 0:
            big = landing / "imigrasi_apoa" / "apoa_big.csv"
            write_lodging_csv(big, int(args.rows * args.big_gb * 1e9 / (size_mb * 1e6)), seed=2)
            child = subprocess.run(
                [sys.executable, "-c", PEAK_CHILD, str(big), str(landing), dsn],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PANTAU_MAX_FILE_BYTES": str(10**10)},
            )
            base, peak, rows = map(int, child.stdout.split())
            print(
                f"Peak memory ingesting {big.stat().st_size / 1e9:.2f} GB CSV ({rows:,} rows): "
                f"{peak / 1024:.0f} MB max RSS ({(peak - base) / 1024:.0f} MB above the interpreter's "
                f"{base / 1024:.0f} MB)  (target <= 500 MB)"
            )
    warehouse.drop_database(dsn)


if __name__ == "__main__":
    main()
