"""Quality-gate benchmark (issue 5): gate 1 with the full raw__imigrasi_apoa suite on a
1,000,000-row batch in PostgreSQL, against a plain SQL scan of the same batch in the same run.

    .venv/bin/python bench/quality.py [--rows 1000000]

Prints the validation time (target <= 10 s) and the ratio to `select count(*)` with the same
filter, so a busy machine shows up in the baseline too.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import psycopg

from pantau import config, warehouse

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("PANTAU_HOME", tempfile.mkdtemp(prefix="pantau-bench-"))
    dsn = config.with_database(config.warehouse_dsn(), "pantau_dq_bench")
    os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
    config.warehouse_dsn.cache_clear()
    warehouse.drop_database(dsn)
    warehouse.bootstrap(dsn)
    from pantau.quality import validate_raw_batch

    with psycopg.connect(dsn) as conn:
        for batch, rows in (("warm-up", 1000), ("besar", args.rows)):
            conn.execute(LEDGER_SQL, (batch, batch, rows))
            conn.execute(APOA_ROWS_SQL, {"batch": batch, "rows": rows})
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("analyze raw.imigrasi_apoa")
    validate_raw_batch("imigrasi_apoa", "warm-up")  # imports GX, loads the context, declares the suite

    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        conn.execute("select count(*) from raw.imigrasi_apoa where _batch_id = 'besar'").fetchone()
    scan = time.perf_counter() - started
    started = time.perf_counter()
    result = validate_raw_batch("imigrasi_apoa", "besar")
    elapsed = time.perf_counter() - started
    print(
        f"gate 1, full suite ({result.results_count} checks) on {args.rows:,} rows: {elapsed:.1f} s "
        f"(target <= 10 s); accepted={result.accepted}"
    )
    print(f"baseline: one filtered count(*) of the batch: {scan:.2f} s; ratio {elapsed / scan:.0f}x")
    warehouse.drop_database(dsn)


if __name__ == "__main__":
    main()
