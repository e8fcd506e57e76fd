"""Gate 1 on a 1,000,000-row batch with the full suite: the time budget of a large daily file.

Slow (building the batch alone takes a while): run with `pytest -m slow tests/quality`.
The budget is PANTAU_GX_BENCH_SECONDS (default 10 s) for `validate_raw_batch` once GX is
imported; it measures on the machine at hand, so run it on a quiet one.
"""

from __future__ import annotations

import os
import time

import psycopg
import pytest

from pantau.quality import validate_raw_batch

from .batches import clean_rows, insert_batch

ROWS = 1_000_000

# Realistic variety: mixed date formats, case and spaces, a few blanks in optional columns.
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


@pytest.mark.slow
def test_a_million_row_batch_is_validated_within_budget(gate):
    dsn, _ = gate
    warm_up, _ = insert_batch(dsn, "imigrasi_apoa", clean_rows("imigrasi_apoa"))
    validate_raw_batch("imigrasi_apoa", warm_up)  # imports GX, loads the context, declares suites

    batch_id, _ = insert_batch(dsn, "imigrasi_apoa", [], batch_id="apoa-besar")
    with psycopg.connect(dsn) as conn:
        conn.execute(APOA_ROWS_SQL, {"batch": batch_id, "rows": ROWS})
        conn.execute("update audit.load_ledger set row_count = %s where batch_id = %s", (ROWS, batch_id))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("analyze raw.imigrasi_apoa")

    started = time.perf_counter()
    result = validate_raw_batch("imigrasi_apoa", batch_id)
    elapsed = time.perf_counter() - started

    assert result.accepted, result.failed_blocking
    budget = float(os.environ.get("PANTAU_GX_BENCH_SECONDS", "10"))
    print(f"gate 1 on {ROWS:,} rows: {elapsed:.1f} s (budget {budget:.0f} s)")
    assert elapsed <= budget
