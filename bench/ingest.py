"""Ingest benchmark (issue 3): pantau's loader against `psql \\copy` of the same file, same run.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--xlsx-rows 200000] [--big-gb 1.0]

Prints rows/s for both and their ratio, XLSX rows/s, and the peak memory of ingesting a large CSV
(measured in a child process: its peak RSS, VmHWM, and that minus the interpreter's baseline after imports).
Two `\\copy` baselines: into an unlogged table without index (the floor of server-side parsing),
and into a table like raw.<feed> (logged, with the lineage columns and the _batch_id index), which
is what the loader has to write to.
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


FLOOR = "create unlogged table public.copy_baseline ({cols})"
# What raw.<feed> is: a logged table with the lineage columns and the index on _batch_id that
# gate 1 and dbt read by (src/pantau/warehouse.py), filled here by defaults.
EQUIVALENT = (
    "create table public.copy_baseline ({cols}, _batch_id text not null default 'baseline', "
    "_source_file text not null default 'apoa_bench.csv', _row_number integer not null default 0, "
    "_loaded_at timestamptz not null default now()); "
    "create index on public.copy_baseline (_batch_id)"
)


def psql_copy_baseline(dsn: str, path: Path, table: str) -> tuple[list[str], dict[str, str]]:
    """A fresh `public.copy_baseline` made by `table` (a CREATE with {cols}: its 12 text columns)
    and the psql command (and environment) that \\copy-ies the file into it."""
    cols = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists public.copy_baseline")
        conn.execute(table.format(cols=cols))
    parts = config.dsn_parts(dsn)
    env = {
        **os.environ,
        "PGHOST": parts["host"],
        "PGPORT": parts["port"],
        "PGUSER": parts["user"],
        "PGDATABASE": parts["dbname"],
        "PGPASSWORD": parts["password"],
    }
    columns = ", ".join(f"c{i}" for i in range(len(HEADER)))
    command = f"\\copy public.copy_baseline ({columns}) from '{path}' with (format csv, header true)"
    return ["psql", "-q", "-c", command], env


def bench_copy(dsn: str, path: Path, table: str) -> float:
    """psql \\copy of the file into a table of its 12 text columns (server-side parsing, no checks)."""
    command, env = psql_copy_baseline(dsn, path, table)
    checkpoint(dsn)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    elapsed = time.perf_counter() - start
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table public.copy_baseline")
    return elapsed


def checkpoint(dsn: str) -> None:
    """Each timed load starts from a fresh checkpoint: a load writes ~0.3 GB of WAL, and the
    checkpoint the previous load's WAL forces would otherwise land inside one load or the other at
    random (128 MB shared_buffers, 1 GB max_wal_size here), swinging the ratio by +-0.3."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("checkpoint")


def bench_pantau(dsn: str, path: Path, landing: Path) -> tuple[float, str]:
    checkpoint(dsn)
    start = time.perf_counter()
    outcome = load_file(LODGING, path, landing=landing, dsn=dsn)
    elapsed = time.perf_counter() - start
    assert outcome.status == "loaded", outcome
    return elapsed, outcome.notes["path"]


def write_lodging_xlsx(path: Path, rows: int, *, recap: bool = False) -> None:
    """The plain workbook (strings only, streamed), or with `recap` one as offices make them: the
    report id kept as a number shown with leading zeros (`000000000`), and the lodging's name
    merged down over each group of five guests (xlsxwriter cannot merge while streaming)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": not recap})
    sheet = book.add_worksheet("Laporan")
    padded = book.add_format({"num_format": "000000000"})
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
        if recap:
            sheet.write_number(i + 3, 0, i, padded)
            if i % 5 == 0 and i + 4 < rows:
                sheet.merge_range(i + 3, 1, i + 7, 1, f"Hotel {i // 5}")
    book.close()


def display_scan(path: Path) -> float:
    """The reader's own pass for what calamine does not give (number formats, formula errors)."""
    import zipfile

    from pantau.ingest import ooxml

    start = time.perf_counter()
    with zipfile.ZipFile(path) as archive:
        package = ooxml.locate(archive)
        part = package.names[package.sheets["Laporan"]]
        ooxml.special_cells(archive, part, ooxml.number_formats(archive, package))
    return time.perf_counter() - start


# VmHWM (the process's own peak RSS), not ru_maxrss: Linux keeps ru_maxrss across exec, so a
# child forked from this bench process would report the bench's own peak.
PEAK_CHILD = """
import sys
from pathlib import Path
from pantau.ingest.loader import load_file
from pantau.registry import feed
import psycopg
def hwm():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))
base = hwm()
outcome = load_file(feed('imigrasi_apoa'), Path(sys.argv[1]), landing=Path(sys.argv[2]), dsn=sys.argv[3])
print(base, hwm(), outcome.rows, outcome.notes['path'])
"""


def calamine_parse(path: Path) -> float:
    """The XLSX reader's own parse of the sheet (python-calamine reads a whole sheet at once)."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Laporan")
    return time.perf_counter() - start


def read_rows(open_file, path: Path, feed_) -> tuple[float, int]:
    """Time one reader over a file, rows only (no database)."""
    start = time.perf_counter()
    rows = sum(1 for _ in open_file(path, feed_).rows)
    return time.perf_counter() - start, rows


def reader_at(ref: str):
    """`open_file` of the readers as they were at git `ref` (the one-file readers.py before the split)."""
    import types

    source = subprocess.run(
        ["git", "show", f"{ref}:src/pantau/ingest/readers.py"], capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("pantau_readers_at_ref")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, f"{ref}:readers.py", "exec"), module.__dict__)
    return module.open_file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--big-gb", type=float, default=1.0)
    parser.add_argument("--database", default="pantau_ing_bench", help="scratch database, dropped after")
    parser.add_argument(
        "--reader-ref", help="also time the XLSX readers of this git ref on the same files (rows only)"
    )
    args = parser.parse_args()
    os.environ.setdefault("PANTAU_SETTLE_SECONDS", "0")
    dsn = config.with_database(config.warehouse_dsn(), args.database)
    warehouse.drop_database(dsn)
    warehouse.bootstrap(dsn)
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp:
        tmp = Path(tmp)
        landing = tmp / "landing"
        (landing / "imigrasi_apoa").mkdir(parents=True)
        source = landing / "imigrasi_apoa" / "apoa_bench.csv"
        write_lodging_csv(source, args.rows)
        size_mb = source.stat().st_size / 1e6
        floor_s = bench_copy(dsn, source, FLOOR)
        equivalent_s = bench_copy(dsn, source, EQUIVALENT)
        pantau_s, path = bench_pantau(dsn, source, landing)
        print(f"CSV {args.rows:,} rows ({size_mb:.0f} MB):")
        floor_rate = args.rows / floor_s
        print(f"  psql \\copy, unlogged table, no index      {floor_s:6.2f} s  {floor_rate:12,.0f} rows/s")
        print(
            f"  psql \\copy, table like raw (logged, index) {equivalent_s:6.2f} s  "
            f"{args.rows / equivalent_s:12,.0f} rows/s"
        )
        pantau_rate = args.rows / pantau_s
        print(f"  pantau ingest ({path} path)                {pantau_s:6.2f} s  {pantau_rate:12,.0f} rows/s")
        print(
            f"  ratio pantau/\\copy throughput: {equivalent_s / pantau_s:.2f} against the table like raw, "
            f"{floor_s / pantau_s:.2f} against the unlogged one  (target >= 0.8, issue 15)"
        )

        if args.xlsx_rows > 0:
            xlsx_feed = LODGING.__class__(**{**LODGING.__dict__, "formats": (*LODGING.formats, "xlsx")})
            for recap in (False, True):
                xlsx = landing / "imigrasi_apoa" / f"apoa_bench{'_rekap' if recap else ''}.xlsx"
                write_lodging_xlsx(xlsx, args.xlsx_rows, recap=recap)
                parse_s = calamine_parse(xlsx)
                scan_s = display_scan(xlsx)
                compare = None
                if args.reader_ref:  # before the load, which moves the file to the archive
                    from pantau.ingest.readers import open_file

                    compare = (
                        read_rows(open_file, xlsx, xlsx_feed),
                        read_rows(reader_at(args.reader_ref), xlsx, xlsx_feed),
                    )
                start = time.perf_counter()
                outcome = load_file(xlsx_feed, xlsx, landing=landing, dsn=dsn)
                xlsx_s = time.perf_counter() - start
                kind = "recap: ids formatted 000000000, merges down" if recap else "plain"
                print(
                    f"XLSX {outcome.rows:,} rows ({kind}): {xlsx_s:.2f} s, "
                    f"{outcome.rows / xlsx_s:,.0f} rows/s"
                    "  (target >= 100,000)"
                )
                print(f"  of which python-calamine's parse of the sheet alone: {parse_s:.2f} s")
                print(f"  of which the number-format / formula-error scan alone: {scan_s:.2f} s")
                if compare:
                    (now_s, now_rows), (ref_s, ref_rows) = compare
                    print(
                        f"  reading rows only: this reader {now_s:.2f} s ({now_rows:,} rows), "
                        f"{args.reader_ref}'s {ref_s:.2f} s ({ref_rows:,} rows): x{now_s / ref_s:.2f}"
                    )

        if args.big_gb > 0:
            big = landing / "imigrasi_apoa" / "apoa_big.csv"
            write_lodging_csv(big, int(args.rows * args.big_gb * 1e9 / (size_mb * 1e6)), seed=2)
            big_gb = big.stat().st_size / 1e9  # the loader moves the file to _archive
            start = time.perf_counter()
            child = subprocess.run(
                [sys.executable, "-c", PEAK_CHILD, str(big), str(landing), dsn],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PANTAU_MAX_FILE_BYTES": str(10**10)},
            )
            big_s = time.perf_counter() - start
            base, peak, rows, big_path = child.stdout.split()
            base, peak, rows = int(base), int(peak), int(rows)
            print(
                f"Peak memory ingesting {big_gb:.2f} GB CSV ({rows:,} rows, {big_path} "
                f"path, {big_s:.0f} s): {peak / 1024:.0f} MB peak RSS (VmHWM) "
                f"({(peak - base) / 1024:.0f} MB above the interpreter's {base / 1024:.0f} MB)"
                "  (target <= 500 MB)"
            )
    warehouse.drop_database(dsn)


if __name__ == "__main__":
    main()
