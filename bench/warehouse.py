"""Warehouse benchmark (issue 4): full and incremental `dbt build` of the lodging/presence path.

    .venv/bin/python bench/warehouse.py [--history 1000000 10000000] [--delta 50000] [--keep]

For each history size, a fresh warehouse gets that many raw APOA lodging rows generated inside
PostgreSQL (generate_series; one accepted ledger batch per day of 50,000 reports, mixed date
formats, region and nationality spellings from the seeds, passport variants, repeat guests, late
reports and corrections of earlier reports). Then it times:

- the full build: `dbt build --full-refresh --select +fct_foreigners_present_daily` (data tests
  excluded; their time on the full tables is printed on its own line),
- the incremental build of one more day's batch of `--delta` rows (about 10% of them late
  reports and corrections of the previous week), same selection without --full-refresh,

and prints the ratio of the incremental times (largest history over smallest). Databases are
named pantau_wh_bench_<rows>_<pid> and dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

from pantau import config, warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dbt_cli import run_dbt  # the tests' dbt runner (target/ and logs/ per run)

ROWS_PER_DAY = 50_000
AS_OF = date(2025, 10, 27)  # the delta's day; history ends the day before
SELECTION = ["--select", "+fct_foreigners_present_daily"]
FEED = "imigrasi_apoa"
PROJECT_COPY: Path | None = None  # the dbt project as it was when the benchmark started

# Each nationality as agencies spell it (three spellings each: the arrays must be rectangular).
COUNTRY_SPELLINGS = [
    ["RRT", "Tiongkok", "CHINA"],
    ["Korea Selatan", "KOR", "South Korea"],
    ["Jepang", "Japan", "JPN"],
    ["India", "IND", "india"],
    ["Malaysia", "MY", "MALAYSIA"],
    ["Jerman", "Germany", "DEU"],
    ["Amerika Serikat", "USA", "US"],
    ["Australia", "AUS", "australia"],
    ["Belanda", "Netherlands", "NLD"],
    ["Singapura", "Singapore", "SGP"],
]

# One row per generated report. r = report number (a correction repeats an earlier r, so the
# guest, lodging and check-in stay those of the original), i = row number in the batch.
GENERATE_SQL = """
insert into raw.imigrasi_apoa (
    id_laporan, nama_penginapan, kabupaten_kota, nama_tamu, no_paspor, kewarganegaraan,
    tanggal_lahir, jenis_kelamin, tanggal_masuk, tanggal_keluar, tujuan_kunjungan, indeks_visa,
    _batch_id, _source_file, _row_number, _loaded_at
)
with spellings as (
    select
        (select array_agg(alias order by alias) from staging.region_aliases
            where region_code like '36.%%' or region_code like '62.%%') || array['Serang'] as regions,
        (select array_agg(indeks_visa order by indeks_visa) from staging.visa_index_codes) as visas,
        %(countries)s::text[][] as countries
),
rows as (
    select
        day_number,
        i,
        case
            -- corrections of a report from the previous week: check-out filled in or extended
            when day_number > 0 and i %% %(correction_every)s = 7
                then (day_number - 1 - i %% 7)::bigint * %(stride)s + (i * 13) %% %(stride)s
            else day_number::bigint * %(stride)s + i
        end as r,
        day_number > 0 and i %% %(correction_every)s = 7 as is_correction
    from generate_series(%(first_day)s::int, %(last_day)s::int) as day_number
    cross join generate_series(0, %(per_day)s::int - 1) as i
),
reports as (
    select
        rows.*,
        (r * 7919 + 13) %% %(persons)s as person,
        -- 5%% are reported late: checked in up to 4 days before the report's day
        %(start)s::date + (r / %(stride)s)::int - case when r %% 20 = 3 then (r %% 5)::int else 0 end
            as check_in,
        1 + (r %% 5)::int as nights
    from rows
)
select
    'APOA-' || lpad(r::text, 10, '0'),
    'Hotel ' || (r %% 700)::text,
    regions[1 + (r * 31) %% cardinality(regions)],
    'Tamu ' || person::text,
    case i %% 4
        when 0 then 'A' || lpad(person::text, 8, '0')
        when 1 then 'a' || lpad(person::text, 8, '0')
        when 2 then 'A ' || substr(lpad(person::text, 8, '0'), 1, 4) || '-'
            || substr(lpad(person::text, 8, '0'), 5)
        else 'A.' || lpad(person::text, 8, '0')
    end,
    countries[1 + person %% array_length(countries, 1)][1 + i %% 3],
    to_char(date '1960-01-01' + (person %% 15000)::int, 'DD/MM/YYYY'),
    case person %% 2 when 0 then 'L' else 'Perempuan' end,
    case i %% 4
        when 0 then to_char(check_in, 'DD/MM/YYYY')
        when 1 then to_char(check_in, 'YYYY-MM-DD')
        when 2 then to_char(check_in, 'DD-MM-YYYY')
        else (check_in - date '1899-12-30')::text
    end,
    case
        when is_correction then to_char(check_in + nights + (r %% 2)::int, 'DD/MM/YYYY')
        when r %% 10 = 0 then null  -- still staying when reported
        else to_char(check_in + nights, 'DD/MM/YYYY')
    end,
    (array['WISATA', 'BISNIS', 'BEKERJA', 'KELUARGA', 'PENELITIAN', 'LAINNYA'])[1 + (r %% 6)::int],
    visas[1 + (r %% cardinality(visas))::int],
    'bench-apoa-' || day_number::text,
    'imigrasi_apoa/bench-' || day_number::text || '.csv',
    i + 2,
    %(start_ts)s::timestamptz + day_number * interval '1 day'
from reports
cross join spellings
"""

LEDGER_SQL = """
insert into audit.load_ledger
    (batch_id, feed, source_file, file_sha256, file_bytes, status, row_count, loaded_at, validated_at)
select
    'bench-apoa-' || day_number::text,
    'imigrasi_apoa',
    'imigrasi_apoa/bench-' || day_number::text || '.csv',
    md5('bench-apoa-' || day_number::text) || md5(day_number::text),
    %(per_day)s * 120,
    'accepted',
    %(per_day)s,
    %(start_ts)s::timestamptz + day_number * interval '1 day',
    %(start_ts)s::timestamptz + day_number * interval '1 day' + interval '5 minutes'
from generate_series(%(first_day)s::int, %(last_day)s::int) as day_number
"""


def generate(
    dsn: str, days: tuple[int, int], per_day: int, history_days: int, persons: int, correction_every: int
) -> int:
    """Raw rows and accepted ledger batches for days days[0]..days[1]; day 0 is the first day of
    history, day history_days is AS_OF (the delta)."""
    first_day, last_day = days
    start = AS_OF - timedelta(days=history_days)
    params = {
        "first_day": first_day,
        "last_day": last_day,
        "per_day": per_day,
        "stride": ROWS_PER_DAY,
        "persons": persons,
        "correction_every": correction_every,
        "start": start.isoformat(),
        "start_ts": f"{start.isoformat()} 20:00+07",
        "countries": COUNTRY_SPELLINGS,
    }
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(LEDGER_SQL, params)
        count = conn.execute(GENERATE_SQL, params).rowcount
        conn.execute("analyze raw.imigrasi_apoa")
        conn.execute("analyze audit.load_ledger")
    return count


def dbt(args: list[str], work_dir: Path) -> float:
    """Wall time of one dbt command (start-up and parsing included, as a scheduler would see it);
    also prints dbt's own elapsed time for its nodes."""
    started = time.monotonic()
    result = run_dbt(args, work_dir, project_dir=PROJECT_COPY)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}{result.stderr[-2000:]}")
    run_results = json.loads((work_dir / "target" / "run_results.json").read_text())
    slowest = sorted(run_results["results"], key=lambda r: r["execution_time"], reverse=True)[:3]
    nodes = ", ".join(f"{r['unique_id'].rsplit('.', 1)[-1]} {r['execution_time']:.1f} s" for r in slowest)
    print(f"    (dbt {args[0]}: {run_results['elapsed_time']:.1f} s in dbt; slowest: {nodes})")
    return elapsed


def one_size(history: int, delta: int, work_dir: Path, keep: bool) -> dict[str, float]:
    name = f"pantau_wh_bench_{history}_{os.getpid()}"
    server = config.with_database(config.warehouse_dsn(), "postgres")
    dsn = config.with_database(config.warehouse_dsn(), name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    warehouse.bootstrap(dsn)
    os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
    config.warehouse_dsn.cache_clear()
    config.export_tool_env()
    figures: dict[str, float] = {}
    try:
        dbt(["seed"], work_dir)  # the generator draws region spellings from the seeds
        days = history // ROWS_PER_DAY
        started = time.monotonic()
        persons = max(history // 4, 1000)  # repeat guests: each person stays about four times
        rows = generate(dsn, (0, days - 1), ROWS_PER_DAY, days, persons, correction_every=50)
        figures["generate_s"] = time.monotonic() - started
        print(f"  {rows:,} raw rows over {days} daily batches generated in {figures['generate_s']:.1f} s")

        figures["full_s"] = dbt(
            ["build", "--full-refresh", *SELECTION, "--exclude-resource-type", "test", "unit_test"],
            work_dir,
        )
        print(f"  full build:        {figures['full_s']:8.1f} s")
        figures["tests_s"] = dbt(["test", *SELECTION, "--indirect-selection", "cautious"], work_dir)
        print(f"  data tests (full): {figures['tests_s']:8.1f} s")

        delta_rows = generate(dsn, (days, days), delta, days, persons, correction_every=10)
        figures["incremental_s"] = dbt(
            ["build", *SELECTION, "--exclude-resource-type", "test", "unit_test"], work_dir
        )
        print(f"  incremental build of a {delta_rows:,}-row day: {figures['incremental_s']:8.1f} s")
        with psycopg.connect(dsn) as conn:
            staged = conn.execute("select count(*) from staging.stg_imigrasi__lodging_reports").fetchone()[0]
            days_built = conn.execute(
                "select count(distinct presence_date) from marts.fct_foreigners_present_daily"
                " where updated_at > now() - interval '1 hour' and updated_at = (select max(updated_at)"
                " from marts.fct_foreigners_present_daily)"
            ).fetchone()[0]
        print(f"  staged reports: {staged:,}; days rebuilt by the incremental run: {days_built}")
    finally:
        if not keep:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--history", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--delta", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    os.environ.setdefault("PANTAU_PII_KEY", "bench-only-pii-key-0123456789abcdef")
    os.environ["PANTAU_AS_OF"] = AS_OF.isoformat()
    work = config.STATE_DIR / "bench-warehouse"
    # A frozen copy of the project: a long run must not pick up edits made while it runs.
    global PROJECT_COPY
    PROJECT_COPY = work / "dbt_project"
    shutil.rmtree(PROJECT_COPY, ignore_errors=True)
    shutil.copytree(config.DBT_PROJECT_DIR, PROJECT_COPY, ignore=shutil.ignore_patterns("target", "logs"))
    results = {}
    for history in sorted(args.history):
        if history % ROWS_PER_DAY:
            sys.exit(f"--history must be a multiple of {ROWS_PER_DAY} (one batch per day)")
        print(f"history {history:,} lodging reports, as of {AS_OF}:")
        results[history] = one_size(history, args.delta, work / str(history), args.keep)
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        ratio = large["incremental_s"] / small["incremental_s"]
        print(
            f"incremental {args.delta:,}-row day on {sizes[-1]:,} vs {sizes[0]:,} history: "
            f"{large['incremental_s']:.1f} s / {small['incremental_s']:.1f} s = {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
