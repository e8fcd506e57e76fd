"""Kantor Imigrasi feeds: stay permits (monthly CSV) and APOA lodging reports (weekly/daily CSV, JSONL)."""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta
from pathlib import Path

from pantau.registry import feed
from pantau_dev.generator import reference as ref
from pantau_dev.generator import spelling as sp
from pantau_dev.generator.lodging import LodgingRow, LodgingStream
from pantau_dev.generator.model import Permit, Person, World
from pantau_dev.generator.sinks import CsvSink, JsonlSink

R = ref.REFERENCE_DATE
START = ref.DATA_START
DUPLICATE_RATE = 0.002


def _blank(value: str, rng: random.Random, rate: float) -> str:
    return "" if rng.random() < rate else value


# Typed-in birth dates no calendar has (31 February, month 13, day 0) in two months' exports, as
# real permit files carry them: gate 1 names each with its row, staging reads it as unknown. Picked
# by the permit number, not the random stream, so every other value of the file stays as it was.
IMPOSSIBLE_BIRTH_MONTHS = (5, 9)
IMPOSSIBLE_BIRTH_DATES = ("31/02/1985", "29/02/1990", "15/13/1979", "00/07/1988")


def _impossible_birth(permit_number: str, month: int) -> str | None:
    if month not in IMPOSSIBLE_BIRTH_MONTHS:
        return None
    digest = zlib.crc32(permit_number.encode())
    if digest % 25:
        return None
    return IMPOSSIBLE_BIRTH_DATES[digest // 25 % len(IMPOSSIBLE_BIRTH_DATES)]


# ----- imigrasi_izin_tinggal ------------------------------------------------------------------
def permit_month(permit: Permit) -> int:
    """The monthly file a permit is reported in: its issue month; permits from before 2025 in January."""
    return 1 if permit.terbit < START else permit.terbit.month


def write_izin_tinggal(world: World, out: Path) -> dict:
    spec = feed("imigrasi_izin_tinggal")
    rng = random.Random(f"pantau-izin/{world.province}/{world.seed}")
    by_month: dict[int, list[tuple[Person, Permit]]] = {}
    for person in world.people:
        for permit in person.permits:
            if permit.berakhir >= START and permit.terbit <= R:
                by_month.setdefault(permit_month(permit), []).append((person, permit))
    files = rows = 0
    for month in range(1, R.month + 1):
        entries = sorted(by_month.get(month, []), key=lambda e: (e[1].terbit, e[1].no_izin))
        if not entries:
            continue  # no file rather than an empty one (the loader would quarantine it)
        # the house style of this month's export: encoding, header wording, date habits
        encoding = "cp1252" if month % 3 == 2 else "utf-8"
        header = sp.headers(spec, rng, style=rng.choice(("upper", "upper_snake", "title", "dotted")))
        dates = sp.DateMix("dmy", ("iso", "id_month", "dmy_short"), 0.06 if month in (4, 7, 10) else 0.0)
        country_style = rng.randrange(8)
        region_style = rng.randrange(4)
        path = out / spec.name / f"izin_tinggal_{world.province}_2025-{month:02d}.csv"
        sink = CsvSink(path, header, delimiter=";", encoding=encoding)
        for person, permit in entries:
            values = [
                permit.no_izin,
                permit.jenis,
                permit.indeks,
                sp.trailing(person.name, rng),
                _blank(person.sex, rng, 0.01),
                _impossible_birth(permit.no_izin, month) or _blank(dates(person.birth, rng), rng, 0.01),
                sp.trailing(sp.country_text(person.country, rng, country_style), rng),
                sp.passport_text(person.passport, rng),
                dates(permit.terbit, rng),
                dates(permit.berakhir, rng),
                _blank(permit.penjamin, rng, 0.02),
                _blank(permit.alamat, rng, 0.02),
                sp.trailing(sp.region_text(permit.region, rng, permit.ambiguous, region_style), rng),
                ref.immigration_office(permit.region),
            ]
            sink.write(values)
            if rng.random() < DUPLICATE_RATE or (files == 0 and sink.rows == 2):
                sink.write(values)  # the same line exported twice (always once in the first file)
        sink.close()
        files += 1
        rows += sink.rows
    return {"files": files, "rows": rows}


# ----- imigrasi_apoa --------------------------------------------------------------------------
def apoa_periods() -> list[tuple[date, date]]:
    """Weekly files (Monday..Sunday) until 2025-10-19, then daily files up to the reference date."""
    periods = []
    start = START
    daily_from = date(2025, 10, 20)
    while start < daily_from:
        end = min(start + timedelta(days=6 - start.weekday()), daily_from - timedelta(days=1))
        periods.append((start, end))
        start = end + timedelta(days=1)
    while start <= R:
        periods.append((start, start))
        start += timedelta(days=1)
    return periods


JSONL_KEYS = [
    "idLaporan",
    "namaPenginapan",
    "kabupatenKota",
    "namaTamu",
    "noPaspor",
    "kewarganegaraan",
    "tanggalLahir",
    "jenisKelamin",
    "tanggalMasuk",
    "tanggalKeluar",
    "tujuanKunjungan",
    "indeksVisa",
]


def write_apoa(world: World, out: Path) -> tuple[dict, list[dict]]:
    """Returns the feed's counts and the planted arrival-surge findings."""
    files = ApoaFiles(world, out)
    rng = random.Random(f"pantau-apoa-values/{world.province}/{world.seed}")
    stream = LodgingStream(world)
    for row in stream:
        sink, dates, region_style, country_style = files.sink_for(row.checkin)
        values = _apoa_values(row, rng, dates, region_style, country_style)
        sink.write(values)
        if rng.random() < DUPLICATE_RATE or (files.files == 1 and sink.rows == 2):
            sink.write(values)  # the hotel submitted the same report twice (always once in the first file)
    return files.finish(), stream.surges


class ApoaFiles:
    """One file per period, opened in date order. A period without arrivals gets no file: an empty
    file would only be quarantined by the loader."""

    def __init__(self, world: World, out: Path) -> None:
        self.world, self.out = world, out
        self.spec = feed("imigrasi_apoa")
        self.rng = random.Random(f"pantau-apoa-files/{world.province}/{world.seed}")
        self.periods = apoa_periods()
        self.index = -1
        self.current = None
        self.files = self.rows = 0

    def sink_for(self, day: date):
        if self.current is None or day > self.periods[self.index][1]:
            self._close()
            while self.index < 0 or day > self.periods[self.index][1]:
                self.index += 1
            self.current = self._open(self.periods[self.index], self.index)
            self.files += 1
        return self.current

    def _close(self) -> None:
        if self.current is not None:
            self.current[0].close()
            self.rows += self.current[0].rows
            self.current = None

    def finish(self) -> dict:
        self._close()
        return {"files": self.files, "rows": self.rows}

    def _open(self, period: tuple[date, date], index: int):
        start, _ = period
        rng = self.rng
        jsonl = index % 4 == 3 or (start >= date(2025, 10, 20) and start.day % 2 == 0)
        name = f"apoa_{self.world.province}_{start.isoformat()}"
        if jsonl:
            sink = JsonlSink(self.out / self.spec.name / f"{name}.jsonl", JSONL_KEYS)
            dates = sp.DateMix("iso")
        else:
            header = sp.headers(self.spec, rng, style=rng.choice(("snake", "title", "upper")), alias_rate=0.3)
            sink = CsvSink(self.out / self.spec.name / f"{name}.csv", header, delimiter=",", encoding="utf-8")
            dates = sp.DateMix("iso", ("dmy", "id_month"), 0.05) if index % 5 == 1 else sp.DateMix("iso")
        return sink, dates, rng.randrange(4), rng.randrange(8)


def _apoa_values(
    row: LodgingRow, rng: random.Random, dates: sp.DateMix, region_style: int, country_style: int
) -> list[str]:
    return [
        row.id_laporan,
        row.hotel,
        sp.trailing(sp.region_text(row.region, rng, row.ambiguous, region_style), rng),
        sp.trailing(row.name, rng),
        sp.passport_text(row.passport, rng),
        sp.trailing(sp.country_text(row.country, rng, country_style), rng),
        _blank(dates(row.birth, rng), rng, 0.02),
        _blank(row.sex, rng, 0.02),
        dates(row.checkin, rng),
        dates(row.checkout, rng),
        row.purpose if row.purpose == "PENELITIAN" else _blank(row.purpose, rng, 0.01),
        row.indeks,
    ]
