"""Briefing benchmark (issue 6): render time of a province briefing and of every briefing of both
pilot provinces (2 province + 22 kabupaten/kota), against a one-page WeasyPrint baseline.

    .venv/bin/python bench/briefing.py

Works on its own database (`pantau_bench_briefing`, dropped at the end; briefings write to
`audit.briefings`): a copy of the demo's database (`make demo`) when that has the marts, else one
built here (scale-1 generated files for both provinces, loader, dbt build; gate 1 stood in by
accepting every loaded batch, as in tests/generator). Kabupaten/kota meetings are taken
from a calendar written for the run: one meeting for every kab/kota of Banten and Kalimantan Tengah
on 2025-10-28, beside the two province Rakor of the real calendar.

Measured: the 24 one by one in this process (the first render also pays the imports and the
template compile that a fresh process pays once), both province briefings rendered again in the
same process, and the 24 through the product's pool (`pantau.briefing.parallel.render_many`:
spawned workers, imports included). Targets (issue 15): a province briefing <= 2 s, all 24 on
the cores <= 20 s (issue 6: <= 5 s and <= 60 s one by one).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from pantau import config, warehouse
from pantau.calendar import COLUMNS, load_meetings

AS_OF = "2025-10-27"
PROVINCES = ("36", "62")
KABKOTA_MEETING_DATE = "2025-10-28"
BENCH_DATABASE = "pantau_bench_briefing"


def has_marts(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            return conn.execute("select to_regclass('marts.fct_findings') is not null").fetchone()[0]
    except psycopg.OperationalError:
        return False


def copy_database(source: str, target: str) -> None:
    """A file-level copy (CREATE DATABASE ... TEMPLATE): seconds, and the demo stays untouched."""
    names = [sql.Identifier(config.dsn_parts(dsn)["dbname"]) for dsn in (target, source)]
    with psycopg.connect(config.with_database(source, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template {}").format(*names))


def build_warehouse(dsn: str, work: Path) -> None:
    from pantau.ingest.loader import load_file
    from pantau.registry import feeds
    from pantau_dev.generate import generate

    warehouse.drop_database(dsn)
    warehouse.bootstrap(dsn)
    landing = work / "landing"
    for province in PROVINCES:
        generate(province, landing, seed=2025, truth=work / f"ground_truth_{province}.json")
    for name, spec in feeds().items():
        for path in sorted((landing / name).glob("*")):
            load_file(spec, path, landing=landing, dsn=dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("update audit.load_ledger set status = 'accepted' where status = 'loaded'")
    os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
    config.warehouse_dsn.cache_clear()
    config.export_tool_env()
    project = str(config.DBT_PROJECT_DIR)
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--project-dir", project,
         "--profiles-dir", project, "--target-path", str(work / "target"),
         "--log-path", str(work / "logs"), "--quiet"],
        check=True,
    )  # fmt: skip


def write_calendar(path: Path) -> list[tuple[str, str]]:
    """The real calendar's province meetings plus one meeting per kab/kota; returns (region, date)."""
    provinces = [m for m in load_meetings() if m.level == "provinsi" and m.region_code in PROVINCES]
    first = {}
    for meeting in provinces:
        first.setdefault(meeting.region_code, meeting)
    with (config.DBT_PROJECT_DIR / "seeds" / "regions.csv").open(encoding="utf-8") as handle:
        kabkota = [
            r for r in csv.DictReader(handle) if r["province_code"] in PROVINCES and "." in r["region_code"]
        ]
    rows = [
        {
            "meeting_id": m.meeting_id,
            "region_code": m.region_code,
            "level": m.level,
            "meeting_date": m.meeting_date.isoformat(),
            "meeting_time": m.meeting_time.isoformat("minutes"),
            "timezone": m.timezone,
            "lead_days": m.lead_days,
            "title": m.title,
            "venue": m.venue,
            "recipients": "",
        }
        for m in first.values()
    ]
    rows += [
        {
            "meeting_id": f"bench-{r['region_code']}",
            "region_code": r["region_code"],
            "level": r["region_level"],
            "meeting_date": KABKOTA_MEETING_DATE,
            "meeting_time": "13:00",
            "timezone": r["timezone"],
            "lead_days": 1,
            "title": f"Rakor Tim POA {r['region_name']}",
            "venue": f"Kantor Kesbangpol {r['region_name']}",
            "recipients": "",
        }
        for r in kabkota
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return [(row["region_code"], row["meeting_date"]) for row in rows]


def baseline_seconds(out: Path) -> float:
    """A one-page document with the briefing's stylesheet and fonts: WeasyPrint's fixed cost here."""
    from pantau.briefing import pdf

    html = (
        '<html lang="id"><head><meta charset="utf-8"><title>Baseline</title>'
        '<link rel="stylesheet" href="style.css"></head>'
        "<body><h1>Baseline</h1><p>Satu halaman.</p></body></html>"
    )
    pdf.write_pdf(html, out / "warmup.pdf")  # font loading, imports: paid once per process
    started = time.perf_counter()
    pdf.write_pdf(html, out / "baseline.pdf")
    return time.perf_counter() - started


def _children_cpu() -> float:
    """User + system CPU of this process's ended children (the pool's workers, once shut down).
    CPU time, unlike wall time, stays comparable on a loaded machine; the server's is not in it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=BENCH_DATABASE, help=f"database (default {BENCH_DATABASE})")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) that database")
    parser.add_argument("--workers", type=int, help="processes for the pooled run (default: the cores)")
    args = parser.parse_args()
    os.environ["PANTAU_AS_OF"] = AS_OF
    config.ensure_demo_pii_key()
    from pantau.briefing import render_briefing
    from pantau.briefing.parallel import default_workers, render_many

    print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="pantau-bench-briefing-") as tmp:
        work = Path(tmp)
        demo = config.with_database(config.warehouse_dsn(), "pantau_demo")
        dsn = config.with_database(config.warehouse_dsn(), args.database)
        started = time.perf_counter()
        if args.keep and has_marts(dsn):
            print(f"reusing {args.database} (--keep)")
        elif has_marts(demo):
            warehouse.drop_database(dsn)
            print("copying the demo's warehouse (pantau_demo) ...")
            copy_database(demo, dsn)
        else:
            print("no demo warehouse with marts: building a scale-1 one ...")
            build_warehouse(dsn, work)
        print(f"  ready in {time.perf_counter() - started:.0f} s")
        calendar = work / "calendar.csv"
        meetings = write_calendar(calendar)
        out = work / "briefings"
        out.mkdir()
        base = baseline_seconds(out)
        print(f"baseline, one-page WeasyPrint document: {base:.3f} s")

        timings: list[tuple[str, float, float, int]] = []  # region, wall, CPU of this process, pages
        started_all, cpu_all = time.perf_counter(), time.process_time()
        for region, meeting_date in meetings:
            started, cpu = time.perf_counter(), time.process_time()
            result = render_briefing(region, meeting_date, dsn=dsn, out_dir=out, calendar_path=calendar)
            timings.append(
                (region, time.perf_counter() - started, time.process_time() - cpu, result.page_count)
            )
        total, total_cpu = time.perf_counter() - started_all, time.process_time() - cpu_all
        # The province briefings again, in a process that has rendered before.
        again = work / "again"
        again.mkdir()
        warm: list[tuple[str, float, float]] = []
        for region, meeting_date in meetings:
            if "." not in region:
                started, cpu = time.perf_counter(), time.process_time()
                render_briefing(region, meeting_date, dsn=dsn, out_dir=again, calendar_path=calendar)
                warm.append((region, time.perf_counter() - started, time.process_time() - cpu))
        # The same 24 on every core (pantau.briefing.parallel), into a folder of their own.
        pooled_out = work / "pooled"
        pooled_out.mkdir()
        started_pool, children = time.perf_counter(), _children_cpu()
        render_many(meetings, workers=args.workers, dsn=dsn, out_dir=pooled_out, calendar_path=calendar)
        pooled, pooled_cpu = time.perf_counter() - started_pool, _children_cpu() - children
        if not args.keep:
            warehouse.drop_database(dsn)

    print(f"\n{'region':<8} {'seconds':>8} {'CPU s':>6} {'pages':>6} {'x baseline':>11}")
    for region, seconds, cpu, pages in timings:
        print(f"{region:<8} {seconds:8.2f} {cpu:6.2f} {pages:6d} {seconds / base:11.1f}")
    first_region, first_seconds, first_cpu, _ = timings[0]
    print(
        f"\nfirst render in this process ({first_region}, imports and template compile included): "
        f"{first_seconds:.2f} s (CPU {first_cpu:.2f} s)"
    )
    slowest_region, slowest, slowest_cpu = max(warm, key=lambda item: item[1])
    print(
        f"province briefing, slowest of {', '.join(r for r, _, _ in warm)} rendered again: {slowest:.2f} s "
        f"(CPU {slowest_cpu:.2f} s; {slowest_region}; target <= 2 s: {'met' if slowest <= 2 else 'NOT met'})"
    )
    print(
        f"all {len(timings)} briefings one by one: {total:.1f} s, CPU {total_cpu:.1f} s "
        f"(issue 6 target <= 60 s: "
        f"{'met' if total <= 60 else 'NOT met'}); {total / base:.0f}x the one-page baseline"
    )
    workers = args.workers or default_workers()
    print(
        f"all {len(timings)} briefings on {workers} processes (render_many): {pooled:.1f} s, "
        f"CPU of the workers {pooled_cpu:.1f} s "
        f"(target <= 20 s: {'met' if pooled <= 20 else 'NOT met'}); "
        f"{total / pooled:.2f}x faster than one by one"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
