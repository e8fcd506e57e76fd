# ruff: noqa: E501  (one raw record per line reads best as a table)
"""Hand-written raw batches for the dbt build tests: small, readable, and each row there for a reason.

Reference date 2025-10-27 (PANTAU_AS_OF in tests/conftest.py). Values are written the way
agencies send them: mixed date formats, region and country spellings, passport punctuation.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import psycopg
from psycopg import sql

# batch_id -> (feed, status, loaded_at): batch order matters for deduplication.
BATCHES = {
    "b-izin-1": ("imigrasi_izin_tinggal", "accepted", "2025-10-01 08:00+07"),
    "b-izin-2": ("imigrasi_izin_tinggal", "accepted", "2025-10-20 08:00+07"),
    "b-izin-rejected": ("imigrasi_izin_tinggal", "rejected", "2025-10-21 08:00+07"),
    "b-apoa-1": ("imigrasi_apoa", "accepted", "2025-10-26 08:00+07"),
    "b-polri-1": ("polri_laporan", "accepted", "2025-10-26 09:00+07"),
    "b-tka-1": ("disnaker_tka", "accepted", "2025-10-02 08:00+07"),
    "b-sktt-1": ("dukcapil_sktt", "accepted", "2025-10-03 08:00+07"),
    "b-riset-1": ("kesbangpol_penelitian", "accepted", "2025-10-04 08:00+07"),
    "b-warga-1": ("masyarakat_laporan", "accepted", "2025-10-05 08:00+07"),
}

# fmt: off
STAY_PERMITS = [
    # batch, no_izin, jenis_izin, indeks_visa, nama, kewarganegaraan, no_paspor, terbit, berakhir, kab/kota
    ("b-izin-1", "2C21AB0001", "ITAS", "E23", "Li Wei", "RRT", "E1234567", "01/02/2025", "31/01/2026", "KAB. SERANG"),
    ("b-izin-1", "2C21AB0002", "itas", "C312", "Kim Minjun", "Korea Selatan", "M 123-456", "2025-03-01", "28.02.2026", "Kota Serang"),
    # Bare "Serang" is ambiguous (Kabupaten or Kota): counted with region_code NULL, province 36.
    ("b-izin-1", "2C21AB0003", "KITAS", "E28A", "Zhang Min", "Tiongkok", "E7654321", "45701", "12 Februari 2026", "Serang"),
    # Expired visit permit; the holder is seen afterwards (see LODGING and POLICE): OVERSTAY.
    ("b-izin-1", "1B11AB0004", "ITK", "B211A", "Sato Hiro", "Japan", "TZ1111111", "01/06/2025", "30/07/2025", "Cilegon"),
    # Two permits of one person: counted once, in the region of the most recently issued one.
    ("b-izin-1", "2C21AB0005", "ITAS", "E33G", "John Doe", "USA", "5550001", "01/06/2024", "31/05/2025", "Kota Tangsel"),
    ("b-izin-1", "2C21AB0006", "ITAS", "E33G", "John Doe", "Amerika Serikat", "555 0001", "01/06/2025", "31/05/2026", "Kab Tangerang"),
    # Sent twice: the later batch corrects the expiry date and region; the later one wins.
    ("b-izin-1", "2C21AB0007", "ITAS", "E31A", "Jane Roe", "Australia", "PA9990001", "01/04/2024", "31/03/2025", "Lebak"),
    ("b-izin-2", "2C21AB0007", "ITAS", "E31A", "Jane Roe", "Australia", "PA9990001", "01/04/2025", "31/03/2026", "Pandeglang (Kab)"),
    # Impossible issue date: never present, never an error.
    ("b-izin-2", "2C21AB0008", "ITAS", "E23", "Bad Date", "India", "Z0000008", "31/02/2025", "31/12/2025", "Kab. Serang"),
    # Spouse ITAS expiring within 30 days, SKTT in order: IZIN_SEGERA_BERAKHIR only.
    ("b-izin-2", "2C21AB0010", "ITAS", "E31A", "Mary Major", "Inggris", "GB5550010", "16/11/2024", "15/11/2025", "Kab. Lebak"),
    # Research permit without a research notification: PENELITI_TANPA_PEMBERITAHUAN (SKTT in order).
    ("b-izin-2", "2C21AB0011", "ITAS", "E29", "Hans Forscher", "Jerman", "C01234567", "01/08/2025", "31/01/2026", "Palangka Raya"),
    # Research permit covered by a notification (see RESEARCH): no finding.
    ("b-izin-2", "2C21AB0012", "ITAS", "E29", "Dr. Researcher", "Belanda", "N1234567", "01/08/2025", "31/01/2026", "Kota Palangkaraya"),
    # In a rejected batch: must not count anywhere.
    ("b-izin-rejected", "2C21AB0009", "ITAS", "E23", "Ahmad Rejected", "Malaysia", "A99999999", "01/01/2025", "31/12/2025", "KOTA CILEGON"),
]

LODGING = [
    # batch, id_laporan, penginapan, kab/kota, nama_tamu, no_paspor, kewarganegaraan, masuk, keluar, tujuan
    ("b-apoa-1", "APOA-0001", "Hotel Cilegon Indah", "Kota Cilegon", "Sato Hiro", "tz-1111111", "JPN", "15/09/2025", "17/09/2025", "WISATA"),
    ("b-apoa-1", "APOA-0002", "Hotel Serang", "Serang (Kab)", "John Doe", "5550001", "US", "01/07/2025", "", "BISNIS"),
    # After the reference date: ignored.
    ("b-apoa-1", "APOA-0003", "Hotel Anyer", "Kab. Serang", "Sato Hiro", "TZ1111111", "Jepang", "30/10/2025", "", "WISATA"),
    # No stay permit at all: not an OVERSTAY.
    ("b-apoa-1", "APOA-0004", "Hotel Serang", "Serang", "No Permit", "X9000000", "Jerman", "20/10/2025", "", "WISATA"),
]

POLICE = [
    # batch, no_laporan, tanggal, jenis, kab/kota, no_paspor, kewarganegaraan, uraian
    ("b-polri-1", "STM/001/X/2025", "01 Okt 2025", "STM", "Kota Tangsel", "TZ1111111", "Japan", "Sato Hiro melapor diri"),
    ("b-polri-1", "LP/002/X/2025", "2025-10-05", "Gangguan Ketertiban", "Kab. Lebak", None, "Tiongkok", "Keributan di proyek"),
]

WORKERS = [
    # batch, no_rptka, perusahaan, kbli, sektor, jabatan, nama_tka, no_paspor, kewarganegaraan, lokasi, mulai, selesai, status
    ("b-tka-1", "RPTKA-001", "PT Baja Serang", "24101", "INDUSTRI", "Engineer", "Li Wei", "E1234567", "China", "Kabupaten Serang", "45658", "31/12/2025", "BARU"),
    # Active worker without any stay permit: TKA_TANPA_ITAS in Kotawaringin Timur.
    ("b-tka-1", "RPTKA-002", "PT Sawit Kalteng", "01262", "PERTANIAN DAN MARITIM", "Estate Manager", "Ah Kow", "K7777777", "MY", "Kotim", "01/03/2025", "28/02/2026", "BARU"),
]

SKTT = [
    # batch, no_sktt, nama, no_paspor, kewarganegaraan, no_izin_tinggal, kab/kota, terbit, berlaku_sampai
    ("b-sktt-1", "SKTT-36-0001", "Kim Minjun", "M123456", "KOR", "2C21AB0002", "Kota Serang", "10/03/2025", "28/02/2026"),
    ("b-sktt-1", "SKTT-36-0002", "Mary Major", "GB5550010", "United Kingdom", "2C21AB0010", "Lebak", "20/11/2024", "15/11/2025"),
    ("b-sktt-1", "SKTT-62-0001", "Hans Forscher", "C01234567", "Germany", "2C21AB0011", "Palangka Raya", "05/08/2025", "31/01/2026"),
    ("b-sktt-1", "SKTT-62-0002", "Dr. Researcher", "N1234567", "Netherlands", "2C21AB0012", "Palangka Raya", "05/08/2025", "31/01/2026"),
]

RESEARCH = [
    # batch, no_surat, nama_peneliti, no_paspor, kewarganegaraan, institusi, judul, lokasi, mulai, selesai
    ("b-riset-1", "070/123/Kesbangpol", "Dr. Researcher", "N1234567", "Belanda", "Leiden University",
     "Gambut", "Kota Palangkaraya; Kotim", "01/09/2025", "30/11/2025"),
]

COMMUNITY = [
    # batch, waktu_laporan, pelapor_peran, kab/kota, kecamatan, perkiraan_jumlah, kewarganegaraan_dugaan, aktivitas
    ("b-warga-1", "2025-10-10 14:03:22", "Lurah", "Kota Serang", "Taktakan", "± 12 orang", "Tiongkok", "Pekerja proyek"),
]
# fmt: on

PASSPORTS_AND_NAMES = sorted(
    {row[6] for row in STAY_PERMITS}
    | {row[4] for row in STAY_PERMITS}
    | {row[4] for row in LODGING}
    | {row[5] for row in LODGING}
    | {row[6] for row in WORKERS}
    | {row[7] for row in WORKERS}
)


def person_key(passport_norm: str, country_code: str, key: str) -> str:
    """The contract's person key, computed independently of dbt (docs/contracts.md)."""
    message = f"{passport_norm}|{country_code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _insert(conn: psycopg.Connection, feed: str, columns: Iterable[str], rows: list[tuple]) -> None:
    columns = list(columns)
    per_batch: dict[str, int] = {}
    target = sql.Identifier("raw", feed)
    names = sql.SQL(", ").join(
        sql.Identifier(c) for c in [*columns, "_batch_id", "_source_file", "_row_number"]
    )
    placeholders = sql.SQL(", ").join(sql.Placeholder() * (len(columns) + 3))
    query = sql.SQL("insert into {} ({}) values ({})").format(target, names, placeholders)
    for batch, *values in rows:
        per_batch[batch] = per_batch.get(batch, 0) + 1
        values = [v if v != "" else None for v in values]  # the loader stores empty cells as NULL
        conn.execute(query, [*values, batch, f"{feed}/{batch}.csv", per_batch[batch]])


def insert_ledger(conn: psycopg.Connection, batches: dict[str, tuple[str, str, str]]) -> None:
    for batch_id, (feed, status, loaded_at) in batches.items():
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status,"
            " row_count, loaded_at) values (%s, %s, %s, %s, 100, %s, 1, %s)",
            (
                batch_id,
                feed,
                f"{feed}/{batch_id}.csv",
                hashlib.sha256(batch_id.encode()).hexdigest(),
                status,
                loaded_at,
            ),
        )


def load_all(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        insert_ledger(conn, BATCHES)
        _insert(
            conn,
            "imigrasi_izin_tinggal",
            [
                "no_izin",
                "jenis_izin",
                "indeks_visa",
                "nama",
                "kewarganegaraan",
                "no_paspor",
                "tanggal_terbit",
                "tanggal_berakhir",
                "kabupaten_kota",
            ],
            STAY_PERMITS,
        )
        _insert(
            conn,
            "imigrasi_apoa",
            [
                "id_laporan",
                "nama_penginapan",
                "kabupaten_kota",
                "nama_tamu",
                "no_paspor",
                "kewarganegaraan",
                "tanggal_masuk",
                "tanggal_keluar",
                "tujuan_kunjungan",
            ],
            LODGING,
        )
        _insert(
            conn,
            "polri_laporan",
            ["no_laporan", "tanggal", "jenis", "kabupaten_kota", "no_paspor", "kewarganegaraan", "uraian"],
            POLICE,
        )
        _insert(
            conn,
            "disnaker_tka",
            [
                "no_rptka",
                "nama_perusahaan",
                "kbli",
                "sektor",
                "jabatan",
                "nama_tka",
                "no_paspor",
                "kewarganegaraan",
                "lokasi_kerja",
                "tanggal_mulai",
                "tanggal_selesai",
                "status",
            ],
            WORKERS,
        )
        _insert(
            conn,
            "dukcapil_sktt",
            [
                "no_sktt",
                "nama",
                "no_paspor",
                "kewarganegaraan",
                "no_izin_tinggal",
                "kabupaten_kota",
                "tanggal_terbit",
                "berlaku_sampai",
            ],
            SKTT,
        )
        _insert(
            conn,
            "kesbangpol_penelitian",
            [
                "no_surat",
                "nama_peneliti",
                "no_paspor",
                "kewarganegaraan",
                "institusi",
                "judul_penelitian",
                "lokasi",
                "tanggal_mulai",
                "tanggal_selesai",
            ],
            RESEARCH,
        )
        _insert(
            conn,
            "masyarakat_laporan",
            [
                "waktu_laporan",
                "pelapor_peran",
                "kabupaten_kota",
                "kecamatan",
                "perkiraan_jumlah",
                "kewarganegaraan_dugaan",
                "aktivitas",
            ],
            COMMUNITY,
        )
