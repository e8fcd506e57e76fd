"""Raw batches for the gate tests: clean ones, realistically messy ones, and broken ones.

Rows are inserted straight into `raw.<feed>` (text, exactly as an agency would send them) with a
ledger row in status `loaded`, as the loader leaves them right after COPY.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import Any

import psycopg
from psycopg import sql

from pantau.quality.suites import ExpectationSpec
from pantau.registry import feed as registry_feed

# Personal data that must never appear unmasked in audit.dq_results, GX files or Data Docs.
SECRET_PASSPORT = "QZ7781234"
SECRET_NAME = "Rahasia Namanya"

_counter = itertools.count(1)


def _clean_rows(feed: str, n: int) -> list[dict[str, str | None]]:
    rows = []
    for i in range(1, n + 1):
        passport = f"E{4410000 + i}"
        rows.append(
            {
                "imigrasi_izin_tinggal": {
                    "no_izin": f"2C11AB{1000 + i}",
                    "jenis_izin": ("ITAS", "ITK", "ITAP")[i % 3],
                    "indeks_visa": ("C312", "E23", "B211A")[i % 3],
                    "nama": f"Orang Asing {i}",
                    "jenis_kelamin": ("L", "P")[i % 2],
                    "tanggal_lahir": "12/03/1980",
                    "kewarganegaraan": ("RRT", "Korea Selatan", "JPN")[i % 3],
                    "no_paspor": passport,
                    "tanggal_terbit": "01/02/2025",
                    "tanggal_berakhir": "01/02/2026",
                    "penjamin": "PT Maju Jaya",
                    "alamat": f"Jl. Raya Serang No. {i}",
                    "kabupaten_kota": "KAB. SERANG",
                    "kantor_imigrasi": "Kanim Serang",
                },
                "imigrasi_apoa": {
                    "id_laporan": f"APOA3625100{i:05d}",
                    "nama_penginapan": "Hotel Anyer",
                    "kabupaten_kota": "Kota Cilegon",
                    "nama_tamu": f"Tamu {i}",
                    "no_paspor": passport,
                    "kewarganegaraan": "CHN",
                    "tanggal_lahir": "1985-07-14",
                    "jenis_kelamin": "M",
                    "tanggal_masuk": "2025-10-20",
                    "tanggal_keluar": "2025-10-22",
                    "tujuan_kunjungan": ("WISATA", "BISNIS", "BEKERJA")[i % 3],
                    "indeks_visa": "B211A",
                },
                "disnaker_tka": {
                    "no_rptka": f"RPTKA/{i:04d}/2025",
                    "nama_perusahaan": "PT Baja Cilegon",
                    "kbli": "24101",
                    "sektor": "INDUSTRI",
                    "jabatan": "Engineer",
                    "nama_tka": f"Pekerja {i}",
                    "no_paspor": passport,
                    "kewarganegaraan": "Korea Selatan",
                    "lokasi_kerja": "Kota Cilegon",
                    "tanggal_mulai": "45658",
                    "tanggal_selesai": "46022",
                    "status": "BARU",
                },
                "dukcapil_sktt": {
                    "no_sktt": f"SKTT-3604-2025-{i:05d}",
                    "nama": f"Penduduk {i}",
                    "no_paspor": passport,
                    "kewarganegaraan": "JEPANG",
                    "no_izin_tinggal": f"2C11AB{1000 + i}",
                    "kabupaten_kota": "Kabupaten Serang",
                    "tanggal_terbit": "10/02/2025",
                    "berlaku_sampai": "01/02/2026",
                },
                "polri_laporan": {
                    "no_laporan": f"LP/{i:04d}/10/2025/Intelkam",
                    "tanggal": "21/10/2025",
                    "jenis": ("STM", "KRIMINAL", "PELANGGARAN_KEIMIGRASIAN")[i % 3],
                    "kabupaten_kota": "Kab. Tangerang",
                    "no_paspor": passport,
                    "kewarganegaraan": "India",
                    "uraian": "Pendaftaran surat tanda melapor",
                },
                "kesbangpol_penelitian": {
                    "no_surat": f"070/{i:03d}/Kesbangpol/2025",
                    "nama_peneliti": f"Peneliti {i}",
                    "no_paspor": passport,
                    "kewarganegaraan": "Australia",
                    "institusi": "University of Melbourne",
                    "judul_penelitian": "Ekologi mangrove",
                    "lokasi": "Kab. Pandeglang; Kab. Lebak",
                    "tanggal_mulai": "1 September 2025",
                    "tanggal_selesai": "30 November 2025",
                    "no_izin_brin": f"BRIN/{i:03d}/2025",
                },
                "masyarakat_laporan": {
                    "waktu_laporan": f"2025-10-{i % 27 + 1:02d} 09:{i % 60:02d}:00",
                    "pelapor_peran": "lurah",
                    "kabupaten_kota": "Kab. Lebak",
                    "kecamatan": f"Kecamatan {i}",
                    "perkiraan_jumlah": "5",
                    "kewarganegaraan_dugaan": "Tiongkok",
                    "aktivitas": "Bekerja di tambang",
                },
            }[feed]
        )
    return rows


# Passport shapes of the issuing countries the clean rows name (src/pantau/quality/passport_patterns.csv).
_PASSPORT_FORMATS = {
    "RRT": "E{:08d}",
    "CHN": "E{:08d}",
    "KOREA SELATAN": "M{:08d}",
    "JPN": "TR{:07d}",
    "JEPANG": "TR{:07d}",
    "INDIA": "K{:07d}",
    "AUSTRALIA": "PA{:07d}",
}


def clean_rows(feed: str, n: int = 6) -> list[dict[str, str | None]]:
    """Well-formed rows: pass every check of the feed's suite, warnings included."""
    rows = _clean_rows(feed, n)
    for i, row in enumerate(rows, start=1):
        nationality = str(row.get("kewarganegaraan") or "").upper()
        if row.get("no_paspor") and nationality in _PASSPORT_FORMATS:
            row["no_paspor"] = _PASSPORT_FORMATS[nationality].format(4410000 + i)
    return rows


# The mess real agency files carry and gate 1 must accept (warnings at most).
_OTHER_DATE_FORMATS = ("5/2/2025", "05-02-2025", "2025-02-05", "05.02.2025", "27 Okt 2025", "27 October 2025")


def messy_rows(feed: str, n: int = 12) -> list[dict[str, str | None]]:
    """Mixed date formats, trailing spaces, lower case codes, blanks in optional columns, one
    exact duplicate row: all of it must pass the blocking checks."""
    spec = registry_feed(feed)
    rows = clean_rows(feed, n)
    date_columns = [c for c in spec.column_names if c.startswith(("tanggal", "berlaku", "waktu"))]
    optional = [c.name for c in spec.columns if not c.required and c.name not in spec.natural_key]
    for i, row in enumerate(rows):
        for column in date_columns:
            if i % 3 == 1 and row.get(column):
                row[column] = _OTHER_DATE_FORMATS[i % len(_OTHER_DATE_FORMATS)]
        for column, value in list(row.items()):
            if isinstance(value, str) and column not in spec.natural_key and i % 4 == 2:
                row[column] = value.lower() + "  "  # trailing spaces, lower case
        if optional and i % 5 == 3:
            row[optional[i % len(optional)]] = None  # a blank optional cell
    rows.append(dict(rows[0]))  # an exact duplicate row
    return rows


def insert_batch(
    dsn: str, feed: str, rows: list[dict[str, Any]], *, batch_id: str | None = None
) -> tuple[str, str]:
    """Insert rows as one loaded batch; returns (batch_id, file_sha256)."""
    batch_id = batch_id or f"{feed}-{next(_counter):04d}"
    sha = hashlib.sha256(batch_id.encode()).hexdigest()
    source = f"{feed}/{batch_id}.csv"
    columns = registry_feed(feed).column_names
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "row_count, loaded_at) values (%s, %s, %s, %s, 100, 'loaded', %s, now())",
            (batch_id, feed, source, sha, len(rows)),
        )
        if rows:
            statement = sql.SQL(
                "insert into {table} ({columns}, _batch_id, _source_file, _row_number) "
                "values ({values}, %s, %s, %s)"
            ).format(
                table=sql.Identifier("raw", feed),
                columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
                values=sql.SQL(", ").join(sql.Placeholder() * len(columns)),
            )
            with conn.cursor() as cur:
                cur.executemany(
                    statement,
                    [
                        (*(row.get(c) for c in columns), batch_id, source, number)
                        for number, row in enumerate(rows, start=1)
                    ],
                )
    return batch_id, sha


def break_rows(feed: str, expectation: ExpectationSpec) -> list[dict[str, Any]]:
    """A batch that fails exactly this blocking expectation (and is otherwise clean)."""
    rows = clean_rows(feed, 6)
    kwargs = expectation.kwargs
    if expectation.type == "expect_table_row_count_to_be_between":
        return []
    if expectation.type == "expect_column_values_to_not_be_null":
        rows[2][kwargs["column"]] = None
        return rows
    if expectation.type == "expect_column_values_to_match_regex":
        # More than `mostly` of the values in a shape the pattern does not accept.
        for row in rows[: len(rows) - int(len(rows) * float(kwargs.get("mostly", 1.0))) + 1]:
            row[kwargs["column"]] = "?? tidak jelas ??"
        return rows
    if (
        expectation.type == "unexpected_rows_expectation"
        and "count(distinct" in kwargs["unexpected_rows_query"]
    ):
        # Same natural key, different content.
        key = registry_feed(feed).natural_key
        conflicting = dict(rows[1])
        conflicting.update({k: rows[0][k] for k in key})
        other = next(c for c in registry_feed(feed).column_names if c not in key)
        conflicting[other] = "berbeda sama sekali"
        rows.append(conflicting)
        return rows
    if expectation.type == "expect_query_check_to_pass":
        # Most rows (more than `mostly` allows) wrong in the way the measure counts.
        wrong = {
            "region_unknown": "Kota Atlantis",  # a file from elsewhere, or another column
            "country_unresolved": "Negeri Antah Berantah",
            "date_in_future": "01/01/2099",
            "end_before_start": "01/01/1999",  # every clean start date is later
        }.get(kwargs["measure"])
        if kwargs["measure"].startswith("unreadable:"):
            wrong = "31/02/2025"  # a date's shape, no such day: the date function reads NULL
        for row in rows[: len(rows) - int(len(rows) * float(kwargs.get("mostly", 1.0))) + 1]:
            row[kwargs["column"]] = wrong
        return rows
    raise AssertionError(f"no way to break {expectation.type} ({expectation.description})")


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text)
