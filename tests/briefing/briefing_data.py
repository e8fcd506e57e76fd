"""Data and helpers of the briefing tests: marts per docs/contracts.md, audit rows, raw PII.

The figures are chosen so that every total in the PDF can be checked by hand (see EXPECTED).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import psycopg

MARTS_DDL = """
create table marts.dim_regions (
    region_code text primary key, region_name text, region_level text, province_code text, province_name text
);
create table marts.dim_countries (country_code text primary key, name_en text, name_id text);
create table marts.fct_foreigners_present (
    reference_date date, region_code text, province_code text, country_code text, foreigner_count bigint
);
create table marts.fct_findings (
    finding_id text, finding_code text, region_code text, responsible_agency text, severity text,
    person_key text, employer_name text, detail text, first_seen_date date, last_seen_date date,
    status text, resolved_date date, reference_date date
);
create table marts.dim_finding_types (
    finding_code text primary key, responsible_agency text, severity text, name_id text, name_en text,
    definition_id text, definition_en text, display_order int
);
"""

# The finding catalogue: the dbt seed itself, as dim_finding_types publishes it (never a copy here).
FINDING_TYPES_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "finding_types.csv"
FINDING_TYPE_COLUMNS = (
    "finding_code, responsible_agency, severity, name_id, name_en, definition_id, definition_en, "
    "display_order"
)


def finding_types() -> list[dict[str, str]]:
    with FINDING_TYPES_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def insert_finding_types(conn: psycopg.Connection) -> None:
    names = [c.strip() for c in FINDING_TYPE_COLUMNS.split(",")]
    placeholders = ", ".join(["%s"] * len(names))
    conn.cursor().executemany(
        f"insert into marts.dim_finding_types ({FINDING_TYPE_COLUMNS}) values ({placeholders})",
        [tuple(row[c] for c in names) for row in finding_types()],
    )


# The marts beyond the core four (docs/contracts.md "Further marts"); a test may leave them out.
EXTRA_MARTS_DDL = """
create table marts.fct_foreigners_present_by_permit (
    reference_date date, region_code text, province_code text, country_code text,
    permit_type text, visa_category text, foreigner_count bigint
);
create table marts.fct_foreign_workers_active (
    reference_date date, region_code text, province_code text, employer_name text,
    kbli_section_code text, kbli_section_name text, sector text, country_code text, worker_count bigint
);
create table marts.fct_lodging_arrivals_weekly (
    reference_date date, week_start_date date, week_end_date date, region_code text,
    province_code text, country_code text, week_number int, arrival_count bigint
);
"""

REGIONS = [
    ("36", "Banten", "provinsi", "36", "Banten"),
    ("36.01", "Kabupaten Pandeglang", "kabupaten", "36", "Banten"),
    ("36.02", "Kabupaten Lebak", "kabupaten", "36", "Banten"),
    ("36.03", "Kabupaten Tangerang", "kabupaten", "36", "Banten"),
    ("36.04", "Kabupaten Serang", "kabupaten", "36", "Banten"),
    ("36.71", "Kota Tangerang", "kota", "36", "Banten"),
    ("36.72", "Kota Cilegon", "kota", "36", "Banten"),
    ("36.73", "Kota Serang", "kota", "36", "Banten"),
    ("36.74", "Kota Tangerang Selatan", "kota", "36", "Banten"),
    ("62", "Kalimantan Tengah", "provinsi", "62", "Kalimantan Tengah"),
    ("62.71", "Kota Palangka Raya", "kota", "62", "Kalimantan Tengah"),
]

COUNTRIES = [
    ("KOR", "South Korea", "Korea Selatan"),
    ("CHN", "China", "Tiongkok"),
    ("JPN", "Japan", "Jepang"),
    ("IND", "India", "India"),
    ("USA", "United States", "Amerika Serikat"),
]

REF = "2025-10-27"
PRESENT = [
    # (reference_date, region_code, province_code, country_code, count)
    (REF, "36.03", "36", "KOR", 1234),
    (REF, "36.03", "36", "CHN", 456),
    (REF, "36.04", "36", "KOR", 321),
    (REF, "36.04", "36", "JPN", 87),
    (REF, "36.72", "36", "CHN", 640),
    (REF, "36.73", "36", "CHN", 12),
    (REF, "36.73", "36", "IND", 3),
    (REF, "36.74", "36", "USA", 45),
    (REF, None, "36", "CHN", 7),  # permit with an unresolved kab/kota
    (REF, "62.71", "62", "CHN", 99),  # another province: never in a Banten briefing
    ("2025-09-30", "36.03", "36", "KOR", 5000),  # an older run: superseded
    ("2025-11-30", "36.03", "36", "KOR", 9999),  # after the cut-off: ignored
]

# fct_foreigners_present split by permit type and purpose: sums to PRESENT per region and country.
PRESENT_BY_PERMIT = [
    # region_code, province_code, country_code, permit_type, visa_category, count
    ("36.03", "36", "KOR", "ITAS", "bekerja", 1000),
    ("36.03", "36", "KOR", "ITK", "kunjungan", 234),
    ("36.03", "36", "CHN", "ITAS", "bekerja", 456),
    ("36.04", "36", "KOR", "ITAS", "investor", 321),
    ("36.04", "36", "JPN", "ITAP", "keluarga", 87),
    ("36.72", "36", "CHN", "ITAS", "bekerja", 640),
    ("36.73", "36", "CHN", "ITAS", "penelitian", 12),
    ("36.73", "36", "IND", "ITK", "kunjungan", 3),
    ("36.74", "36", "USA", "ITK", "pekerja_jarak_jauh", 45),
    (None, "36", "CHN", None, "lainnya", 7),
    ("62.71", "62", "CHN", "ITAS", "bekerja", 99),
]

WORKERS = [
    # region_code, province_code, employer, kbli section, section name, sector, country, workers
    ("36.04", "36", "PT Baja Pesisir Makmur", "C", "Industri Pengolahan", "INDUSTRI", "CHN", 120),
    ("36.72", "36", "PT Baja Pesisir Makmur", "C", "Industri Pengolahan", "INDUSTRI", "KOR", 30),
    ("36.72", "36", "PT Kimia Selat Sunda", "C", "Industri Pengolahan", "INDUSTRI", "KOR", 45),
    ("36.03", "36", "PT Konsultan Teknik Tangerang", "M", "Aktivitas Profesional", "JASA", "JPN", 8),
    (None, "36", "PT Tambak Udang Selatan", "A", "Pertanian", "PERTANIAN_DAN_MARITIM", "IND", 2),
    ("62.71", "62", "PT Sawit Kahayan", "A", "Pertanian", "PERTANIAN_DAN_MARITIM", "CHN", 14),
]

# Weekly lodging arrivals: Kabupaten Serang's Chinese guests surge in the last week (30 against 2
# a week before); Kabupaten Tangerang's Koreans hold steady at 5 a week.
ARRIVALS = [
    (week, region, province, country, count)
    for region, province, country, last, before in (
        ("36.04", "36", "CHN", 30, 2),
        ("36.03", "36", "KOR", 5, 5),
        ("62.71", "62", "CHN", 3, 1),
    )
    for week, count in [(0, last)] + [(w, before) for w in range(1, 13)]
]

FINDINGS = [
    # finding_id, code, region, agency, first_seen, status, resolved
    ("f1", "OVERSTAY", "36.03", "Kantor Imigrasi", "2025-10-20", "baru", None),
    ("f2", "OVERSTAY", "36.72", "Kantor Imigrasi", "2025-08-01", "berlanjut", None),
    ("f3", "TKA_TANPA_ITAS", "36.04", "Disnakertrans", "2025-09-01", "berlanjut", None),
    ("f4", "SKTT_TERLAMBAT", "36.73", "Dukcapil", "2025-10-01", "baru", None),
    ("f5", "IZIN_SEGERA_BERAKHIR", "36.03", "Kantor Imigrasi", "2025-09-15", "selesai", "2025-10-10"),
    ("f6", "OVERSTAY", "62.71", "Kantor Imigrasi", "2025-10-02", "baru", None),
]

# Personal data that sits in raw and in a failed check's sample: it must never reach the PDF.
PII_NAMES = ["Kim Minjun Rahasiawan", "Zhang Wei Sekretov"]
PII_PASSPORTS = ["M98765432", "E11223344"]

EXPECTED = {
    "banten_total": "2.805",  # 1234+456+321+87+640+12+3+45+7
    "banten_total_en": "2,805",
    "banten_nationalities": 5,
    "banten_regions_with_foreigners": 5,
    "banten_regions": 8,
    "banten_open_findings": 4,
    "kab_tangerang": "1.690",
    "kota_cilegon": "640",
    "korea": "1.555",
    "china": "1.115",
    "kota_serang_total": "15",
    # Permit type x purpose (Banten)
    "itas_total": "2.429",  # 1000+456+321+640+12
    "itk_total": "282",  # 234+3+45
    "bekerja_total": "2.096",  # 1000+456+640
    # Workers (Banten)
    "workers_total": "205",  # 120+30+45+8+2
    "industri": "195",
    # Arrivals (Banten): last week 35, weeks 1..12 average (2+5)*12/12 = 7
    "arrivals_last_week": "35",
    "arrivals_baseline": "7,0",
}

LEDGER = [
    # batch_id, feed, source_file, status, rows, rejects, minutes after the first
    ("b-izin-1", "imigrasi_izin_tinggal", "imigrasi_izin_tinggal/izin_2025-09.csv", "accepted", 800, 0, 0),
    ("b-izin-2", "imigrasi_izin_tinggal", "imigrasi_izin_tinggal/izin_2025-10.csv", "accepted", 812, 2, 10),
    ("b-apoa-1", "imigrasi_apoa", "imigrasi_apoa/apoa_2025-10-26.jsonl", "accepted", 143, 0, 11),
    ("b-tka-1", "disnaker_tka", "disnaker_tka/tka_2025-09.xlsx", "accepted", 210, 0, 1),
    ("b-tka-2", "disnaker_tka", "disnaker_tka/tka_2025-10.xlsx", "rejected", 215, 0, 12),
    ("b-sktt-1", "dukcapil_sktt", "dukcapil_sktt/sktt_2025-10.csv", "accepted", 95, 0, 13),
    ("b-polri-1", "polri_laporan", "polri_laporan/polri_w43.csv", "accepted", 31, 0, 14),
    ("b-res-1", "kesbangpol_penelitian", "kesbangpol_penelitian/penelitian_q3.xlsx", "accepted", 4, 0, 15),
    # Kalimantan Tengah shares the warehouse: its files arrive later and must not show up for Banten.
    (
        "b-izin-62",
        "imigrasi_izin_tinggal",
        "imigrasi_izin_tinggal/izin_62_2025-10.csv",
        "accepted",
        40,
        0,
        30,
    ),
    ("b-tka-62", "disnaker_tka", "disnaker_tka/tka_62_2025-10.xlsx", "rejected", 12, 0, 31),
]

# The region seeds as dbt loads them into `staging` (docs/contracts.md), trimmed to what is needed.
REGION_ALIASES = [("KAB. TANGERANG", "36.03"), ("Kab Serang", "36.04"), ("Palangkaraya", "62.71")]

# Raw rows that place batches in a region (names and passports are there too, as agencies send them).
RAW_PLACED = [
    # feed, region column, region value, batch
    ("imigrasi_izin_tinggal", "kabupaten_kota", "Palangka Raya", "b-izin-62"),
    ("disnaker_tka", "lokasi_kerja", "Kab. Serang", "b-tka-2"),
    ("disnaker_tka", "lokasi_kerja", "Kota Palangka Raya", "b-tka-62"),
]


def create_marts(conn: psycopg.Connection, *, extra: bool = True) -> None:
    conn.execute(MARTS_DDL)
    if extra:
        create_extra_marts(conn)
    with conn.cursor() as cur:
        cur.executemany("insert into marts.dim_regions values (%s, %s, %s, %s, %s)", REGIONS)
        cur.executemany("insert into marts.dim_countries values (%s, %s, %s)", COUNTRIES)
        cur.executemany("insert into marts.fct_foreigners_present values (%s, %s, %s, %s, %s)", PRESENT)
    insert_finding_types(conn)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into marts.fct_findings (finding_id, finding_code, region_code, responsible_agency, "
            "severity, person_key, detail, first_seen_date, last_seen_date, status, resolved_date, "
            "reference_date) values (%s, %s, %s, %s, 'tinggi', md5(%s), 'uji', %s, %s, %s, %s, %s)",
            [
                (f, code, region, agency, f, first, first, status, resolved, REF)
                for f, code, region, agency, first, status, resolved in FINDINGS
            ],
        )


def create_extra_marts(conn: psycopg.Connection) -> None:
    conn.execute(EXTRA_MARTS_DDL)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into marts.fct_foreigners_present_by_permit values (%s, %s, %s, %s, %s, %s, %s)",
            [(REF, *row) for row in PRESENT_BY_PERMIT],
        )
        cur.executemany(
            "insert into marts.fct_foreign_workers_active values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(REF, *row) for row in WORKERS],
        )
        cur.executemany(
            "insert into marts.fct_lodging_arrivals_weekly values (%s, %s::date - 7 * %s - 6, "
            "%s::date - 7 * %s, %s, %s, %s, %s, %s)",
            [
                (REF, REF, week, REF, week, region, province, country, week, count)
                for week, region, province, country, count in ARRIVALS
            ],
        )


def insert_audit(conn: psycopg.Connection, ledger=LEDGER) -> None:
    for batch_id, feed, source_file, status, rows, rejects, minutes in ledger:
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "row_count, reject_count, received_at) values (%s, %s, %s, md5(%s), 1000, %s, %s, %s, "
            "timestamptz '2025-10-27 08:00+07' + make_interval(mins => %s))",
            (batch_id, feed, source_file, batch_id, status, rows, rejects, minutes),
        )
    sample = json.dumps([{"nama_tka": PII_NAMES[1], "no_paspor": None}, {"no_paspor": PII_PASSPORTS[1]}])
    results = [
        # batch, expectation, column, severity, success, unexpected, run
        ("b-tka-2", "expect_column_values_to_not_be_null", "no_paspor", "blocking", False, 3, "r1"),
        ("b-tka-2", "expect_table_row_count_to_be_between", None, "blocking", True, None, "r1"),
        ("b-izin-2", "expect_column_values_to_be_in_set", "jenis_izin", "warning", False, 2, "r1"),
        (
            "b-izin-2",
            "expect_column_values_to_be_in_set",
            "jenis_izin",
            "warning",
            True,
            0,
            "r2",
        ),  # rerun passed
    ]
    for minute, (batch, expectation, column, severity, success, unexpected, run) in enumerate(results):
        conn.execute(
            "insert into audit.dq_results (run_id, batch_id, suite, expectation, expectation_config, "
            "severity, success, unexpected_count, unexpected_sample, validated_at) values (%s, %s, "
            "'raw__x', %s, %s, %s, %s, %s, %s, "
            "timestamptz '2025-10-27 09:00+07' + make_interval(mins => %s))",
            (
                run,
                batch,
                expectation,
                json.dumps({"column": column} if column else {}),
                severity,
                success,
                unexpected,
                sample if not success else None,
                minute,
            ),
        )


def create_region_seeds(conn: psycopg.Connection) -> None:
    conn.execute(
        "create table staging.regions (region_code text, region_name text, region_level text, "
        "province_code text, timezone text);"
        "create table staging.region_aliases (alias text, region_code text)"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "insert into staging.regions values (%s, %s, %s, %s, 'Asia/Jakarta')",
            [row[:4] for row in REGIONS],
        )
        cur.executemany("insert into staging.region_aliases values (%s, %s)", REGION_ALIASES)
    # What dbt's stg_reference__region_keys builds from them (tests/dbt checks the model itself):
    # aliases, names and codes, then bare kab/kota names that only one region has.
    key = "nullif(regexp_replace(upper({}), '[^[:alnum:]]+', '', 'g'), '')"
    bare = "regexp_replace(region_name, '^(Kabupaten|Kota) +', '')"
    conn.execute(
        "create table staging.stg_reference__region_keys as "
        "with candidates as ("
        f"  select {key.format('alias')} as match_key, region_code, 1 as priority from staging.region_aliases"
        f"  union all select {key.format('region_name')}, region_code, 1 from staging.regions"
        f"  union all select {key.format('region_code')}, region_code, 1 from staging.regions"
        f"  union all select {key.format(bare)},"
        "  region_code, 2 from staging.regions where region_level in ('kabupaten', 'kota')"
        "), best as ("
        "  select *, min(priority) over (partition by match_key) as best from candidates"
        ") select match_key, "
        "case when count(distinct region_code) = 1 then min(region_code) end as region_code "
        "from best where priority = best and match_key is not null group by match_key"
    )


def insert_raw_pii(conn: psycopg.Connection) -> None:
    for number, (name, passport) in enumerate(zip(PII_NAMES, PII_PASSPORTS, strict=True), start=1):
        conn.execute(
            "insert into raw.imigrasi_izin_tinggal (no_izin, jenis_izin, nama, kewarganegaraan, no_paspor, "
            "tanggal_terbit, tanggal_berakhir, kabupaten_kota, _batch_id, _source_file, _row_number) "
            "values (%s, 'ITAS', %s, 'KOR', %s, '01/02/2025', '01/02/2026', 'KAB. TANGERANG', 'b-izin-2', "
            "'izin_2025-10.csv', %s)",
            (f"IZ-{number}", name, passport, number),
        )
    for number, (feed, column, value, batch) in enumerate(RAW_PLACED, start=10):
        person = {"imigrasi_izin_tinggal": "nama", "disnaker_tka": "nama_tka"}[feed]
        key = {"imigrasi_izin_tinggal": "no_izin", "disnaker_tka": "no_rptka"}[feed]
        conn.execute(
            f"insert into raw.{feed} ({key}, {person}, no_paspor, {column}, _batch_id, _source_file, "
            "_row_number) values (%s, %s, %s, %s, %s, 'x', %s)",
            (f"K-{number}", PII_NAMES[number % 2], PII_PASSPORTS[number % 2], value, batch, number),
        )


def pdf_pages(path: Path) -> list[str]:
    """Each page's text as poppler's pdftotext reads it back (in C: pypdf's pure-Python
    extraction took a fifth of a briefing test's time)."""
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.split("\f")[:-1]  # each page ends with a form feed


def pdf_text(path: Path) -> str:
    """All text, whitespace collapsed (extraction splits lines where the layout does)."""
    text = " ".join(pdf_pages(path)).replace("\u200b", "")
    # Identifiers may wrap after an underscore (<wbr>): join them back.
    return " ".join(re.sub(r"_\s+", "_", text).split())


def letters(text: str) -> str:
    """`text` without whitespace. The classification marking is letter-spaced: a PDF reader puts
    a space wherever the gap between two of its letters is wide enough to look like one."""
    return "".join(text.split())


def has(text: str, phrase: str) -> bool:
    """`phrase` in the PDF text, whatever whitespace extraction put (or left out) between its words.

    A phrase ending in a digit must not continue with another digit ("15 1" does not match "15 12").
    """
    pattern = r"\s*".join(re.escape(word) for word in phrase.split())
    if phrase[-1].isdigit():
        pattern += r"(?!\d)"
    return re.search(pattern, text) is not None
