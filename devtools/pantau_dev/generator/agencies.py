"""The other agencies' feeds: Disnaker (XLSX), Dukcapil (CSV), Polri (CSV), Kesbangpol (XLSX) and the
community web form (CSV). Each file has its own house style, as files from different offices do."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pantau.registry import feed
from pantau_dev.generator import reference as ref
from pantau_dev.generator import spelling as sp
from pantau_dev.generator.model import Person, PoliceRecord, World
from pantau_dev.generator.sinks import CsvSink, XlsxSink

R = ref.REFERENCE_DATE
START = ref.DATA_START
DUPLICATE_RATE = 0.003
MONTHS_ID = sp.ID_MONTHS_LONG


def _blank(value: Any, rng: random.Random, rate: float) -> Any:
    return "" if rng.random() < rate else value


def _month_of(day: date) -> int:
    """Monthly files: records from before 2025 are reported in January's file."""
    return 1 if day < START else day.month


def _write_rows(sink, rows: Iterable[list], rng: random.Random, *, duplicate_second: bool = False) -> None:
    """Write and close; a few rows are exported twice (always the second one if asked, so that even
    a small test landing zone has an exact duplicate)."""
    for index, values in enumerate(rows):
        sink.write(values)
        if rng.random() < DUPLICATE_RATE or (duplicate_second and index == 1):
            sink.write(values)
    sink.close()


class XlsxDates:
    """Dates in a spreadsheet column: real date cells, Excel serial numbers, or typed-in text."""

    def __init__(self, mode: str, rng: random.Random) -> None:
        self.mode, self.rng = mode, rng

    def __call__(self, day: date | None) -> Any:
        if day is None:
            return ""
        roll = self.rng.random()
        if roll < 0.08:  # someone typed the date by hand
            return sp.format_date(day, self.rng.choice(("dmy", "id_month", "dmy_dash")))
        if self.mode == "cell":
            return day
        if self.mode == "serial":
            return (day - date(1899, 12, 30)).days
        return sp.format_date(day, "dmy")


# ----- disnaker_tka ---------------------------------------------------------------------------
def write_disnaker_tka(world: World, out: Path) -> dict:
    spec = feed("disnaker_tka")
    rng = random.Random(f"pantau-tka/{world.province}/{world.seed}")
    by_month: dict[int, list[tuple[Person, Any]]] = {}
    for person in world.people:
        for tka in person.tka:
            if tka.selesai >= START and tka.mulai <= R:
                by_month.setdefault(_month_of(tka.mulai), []).append((person, tka))
    province = ref.PROVINCE_NAMES[world.province]
    files = rows = 0
    for month in range(1, R.month + 1):
        entries = sorted(
            by_month.get(month, []), key=lambda e: (e[1].employer.name, e[1].mulai, e[1].no_rptka)
        )
        if not entries:
            continue
        header = sp.headers(spec, rng, style=rng.choice(("title", "dotted", "upper")), alias_rate=0.5)
        name = f"tka_{world.province}_2025-{month:02d}"
        if month == 8:  # one month arrived as a CSV export instead of a workbook
            sink = CsvSink(out / spec.name / f"{name}.csv", header, delimiter=",")
            dates: Callable = lambda d: sp.format_date(d, "dmy") if d else ""  # noqa: E731
        else:
            title = [
                "DAFTAR TENAGA KERJA ASING (TKA) PENGGUNA RPTKA",
                f"DINAS TENAGA KERJA DAN TRANSMIGRASI PROVINSI {province.upper()}",
                f"Periode: {MONTHS_ID[month - 1]} 2025",
            ]
            notes = (
                [
                    f"Sumber: Disnakertrans Provinsi {province}",
                    "Data RPTKA yang disetujui pada periode ini",
                    "Kolom tanggal mengikuti format sistem asal",
                ]
                if month % 2
                else None
            )
            sink = XlsxSink(out / spec.name / f"{name}.xlsx", spec.sheet or "TKA", header, title, notes)
            dates = XlsxDates(("cell", "serial", "text")[month % 3], rng)
        country_style = rng.randrange(6)
        region_style = rng.randrange(5)

        def values(entry, dates=dates, country_style=country_style, region_style=region_style) -> list:
            person, tka = entry
            return [
                tka.no_rptka,
                sp.trailing(tka.employer.name, rng),
                _blank(tka.employer.kbli, rng, 0.03),
                _blank(tka.employer.sector, rng, 0.02),
                _blank(tka.jabatan, rng, 0.02),
                sp.trailing(person.name, rng),
                sp.passport_text(person.passport, rng),
                sp.trailing(_country_id(person.country, rng, country_style), rng),
                sp.region_text(tka.region, rng, False, region_style),
                dates(tka.mulai),
                dates(tka.selesai),
                tka.status,
            ]

        _write_rows(sink, (values(e) for e in entries), rng, duplicate_second=files == 0)
        files += 1
        rows += sink.rows
    return {"files": files, "rows": rows}


def _country_id(code: str, rng: random.Random, style: int) -> str:
    """Indonesian offices mostly write Indonesian names ("Tiongkok", "Korea Selatan", "RRT")."""
    options = sp.country_spellings(code)
    indonesian = [o for o in options if o.upper() in {ref.COUNTRIES[code].name_id.upper(), "RRT", "KORSEL"}]
    if indonesian and rng.random() < 0.75:
        return indonesian[style % len(indonesian)]
    return sp.country_text(code, rng, style)


# ----- dukcapil_sktt --------------------------------------------------------------------------
def write_dukcapil_sktt(world: World, out: Path) -> dict:
    spec = feed("dukcapil_sktt")
    rng = random.Random(f"pantau-sktt/{world.province}/{world.seed}")
    by_month: dict[int, list] = {}
    for person in world.people:
        for sktt in person.sktt:
            if sktt.berlaku_sampai >= START and sktt.terbit <= R:
                by_month.setdefault(_month_of(sktt.terbit), []).append((person, sktt))
    files = rows = 0
    for month in range(1, R.month + 1):
        entries = sorted(by_month.get(month, []), key=lambda e: (e[1].terbit, e[1].no_sktt))
        if not entries:
            continue
        header = sp.headers(spec, rng, style=rng.choice(("upper_snake", "upper", "snake")), alias_rate=0.3)
        encoding = "utf-8-sig" if month == 6 else "utf-8"  # an Excel "CSV UTF-8" export with a BOM
        sink = CsvSink(
            out / spec.name / f"sktt_{world.province}_2025-{month:02d}.csv", header, encoding=encoding
        )
        dates = sp.DateMix("dmy", ("iso", "id_month", "dmy_dot"), 0.08 if month % 2 else 0.0)
        country_style, region_style = rng.randrange(6), rng.randrange(5)

        def values(entry, dates=dates, country_style=country_style, region_style=region_style) -> list:
            person, sktt = entry
            return [
                sktt.no_sktt,
                sp.trailing(person.name, rng),
                sp.passport_text(person.passport, rng),
                _country_id(person.country, rng, country_style).upper(),
                _blank(sktt.no_izin, rng, 0.03),
                sp.region_text(sktt.region, rng, False, region_style),
                dates(sktt.terbit, rng),
                _blank(dates(sktt.berlaku_sampai, rng), rng, 0.02),
            ]

        _write_rows(sink, (values(e) for e in entries), rng, duplicate_second=files == 0)
        files += 1
        rows += sink.rows
    return {"files": files, "rows": rows}


# ----- polri_laporan --------------------------------------------------------------------------
def write_polri_laporan(world: World, out: Path) -> dict:
    spec = feed("polri_laporan")
    rng = random.Random(f"pantau-polri/{world.province}/{world.seed}")
    records: list[tuple[PoliceRecord, Person | None, str | None]] = [
        (record, person, person.country) for person in world.people for record in person.police
    ]
    records += [(record, None, country) for record, country in world.anonymous_police]
    by_week: dict[date, list] = {}
    for entry in records:
        day = entry[0].day
        if START <= day <= R:
            by_week.setdefault(day - timedelta(days=day.weekday()), []).append(entry)
    files = rows = 0
    for week in sorted(by_week):
        entries = sorted(by_week[week], key=lambda e: (e[0].day, e[0].no_laporan))
        header = sp.headers(spec, rng, style=rng.choice(("upper", "title")), alias_rate=0.5)
        first_day = max(week, START)  # the file is named after the first day it covers
        sink = CsvSink(out / spec.name / f"polri_{world.province}_{first_day.isoformat()}.csv", header)
        dates = sp.DateMix("dmy_dash", ("id_month_long", "dmy"), 0.15)
        country_style, region_style = rng.randrange(6), rng.randrange(5)

        def values(entry, dates=dates, country_style=country_style, region_style=region_style) -> list:
            record, person, country = entry
            return [
                record.no_laporan,
                dates(record.day, rng),
                record.jenis,
                sp.region_text(record.region, rng, False, region_style),
                sp.passport_text(person.passport, rng) if person else "",
                _country_id(country, rng, country_style) if country else "",
                record.uraian,
            ]

        _write_rows(sink, (values(e) for e in entries), rng)
        files += 1
        rows += sink.rows
    return {"files": files, "rows": rows}


# ----- kesbangpol_penelitian ------------------------------------------------------------------
def write_kesbangpol_penelitian(world: World, out: Path) -> dict:
    spec = feed("kesbangpol_penelitian")
    rng = random.Random(f"pantau-penelitian/{world.province}/{world.seed}")
    by_quarter: dict[int, list] = {}
    for person in world.people:
        for notice in person.research:
            if notice.selesai >= START and notice.mulai <= R:
                quarter = 1 if notice.mulai < START else (notice.mulai.month - 1) // 3 + 1
                by_quarter.setdefault(quarter, []).append((person, notice))
    province = ref.PROVINCE_NAMES[world.province]
    files = rows = 0
    for quarter in range(1, 5):
        entries = sorted(by_quarter.get(quarter, []), key=lambda e: e[1].no_surat)
        if not entries:
            continue
        header = sp.headers(spec, rng, style="title", alias_rate=0.5)
        title = [
            "REKAPITULASI SURAT PEMBERITAHUAN PENELITIAN OLEH ORANG ASING",
            f"BADAN KESATUAN BANGSA DAN POLITIK PROVINSI {province.upper()}",
            f"Triwulan {('I', 'II', 'III', 'IV')[quarter - 1]} Tahun 2025",
        ]
        path = out / spec.name / f"penelitian_{world.province}_2025-Q{quarter}.xlsx"
        sink = XlsxSink(path, spec.sheet or "Penelitian", header, title)
        dates = XlsxDates("cell" if quarter % 2 else "text", rng)

        def values(entry, dates=dates) -> list:
            person, notice = entry
            places = "; ".join(sp.region_text(code, rng) for code in notice.regions)
            return [
                notice.no_surat,
                person.name,
                sp.passport_text(person.passport, rng),
                sp.country_text(person.country, rng),
                notice.institusi,
                notice.judul,
                places,
                dates(notice.mulai),
                dates(notice.selesai),
                _blank(notice.no_izin_brin, rng, 0.1),
            ]

        _write_rows(sink, (values(e) for e in entries), rng)
        files += 1
        rows += sink.rows
    return {"files": files, "rows": rows}


# ----- masyarakat_laporan ---------------------------------------------------------------------
FORM_HEADER = [
    "Timestamp",
    "Peran Pelapor",
    "Kabupaten/Kota",
    "Kecamatan",
    "Perkiraan Jumlah WNA",
    "Dugaan Kewarganegaraan",
    "Aktivitas",
]


def write_masyarakat_laporan(world: World, out: Path) -> dict:
    """The web form's CSV export, downloaded twice this year (mid-year and before the Rakor)."""
    spec = feed("masyarakat_laporan")
    rng = random.Random(f"pantau-masyarakat/{world.province}/{world.seed}")
    cut = date(2025, 6, 30)
    batches = [
        (cut, [r for r in world.reports if r.day <= cut]),
        (R, [r for r in world.reports if r.day > cut]),
    ]
    files = rows = 0
    for until, reports in batches:
        if not reports:
            continue
        path = out / spec.name / f"laporan_masyarakat_{world.province}_{until.isoformat()}.csv"
        sink = CsvSink(path, FORM_HEADER, quoting=csv.QUOTE_ALL)
        for report in reports:
            sink.write(
                [
                    report.at,
                    report.role,
                    sp.region_text(report.region, rng),
                    report.kecamatan,
                    str(report.estimate) if rng.random() < 0.8 else f"sekitar {report.estimate}",
                    sp.country_text(report.country, rng) if report.country else "",
                    report.activity,
                ]
            )
        sink.close()
        files += 1
        rows += sink.rows
    return {"files": files, "rows": rows}
