"""Lodging reports (APOA), streamed day by day so that a million rows never sit in memory.

Residents' stays come from the world model; visitors without a stay permit ("tourists") are drawn
on the fly. Arrival counts are watched per kab/kota × nationality × week so that the background never
produces an arrival surge (LONJAKAN_KEDATANGAN): in the final week, tourists are capped below the
rule's threshold, and the one planted surge is added on top.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate

from pantau_dev.generator import reference as ref
from pantau_dev.generator.model import Person, Stay, World
from pantau_dev.generator.people import person_name

R = ref.REFERENCE_DATE
START = ref.DATA_START

# LONJAKAN_KEDATANGAN parameters (docs/contracts.md, "Finding rules").
SURGE_MIN_ARRIVALS = 10
SURGE_FACTOR = 3
BASELINE_WEEKS = 12


def week_bucket(day: date) -> int | None:
    """0 for the 7 days ending on the reference date, 1..12 for the baseline weeks before it."""
    back = (R - day).days
    if back < 0:
        return None
    bucket = back // 7
    return bucket if bucket <= BASELINE_WEEKS else None


@dataclass(slots=True)
class LodgingRow:
    id_laporan: str
    hotel: str
    region: str
    ambiguous: bool
    name: str
    passport: str
    country: str
    birth: date
    sex: str
    checkin: date
    checkout: date | None
    purpose: str
    indeks: str
    person: Person | None  # None for visitors without a stay permit


class LodgingStream:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = random.Random(f"pantau-lodging/{world.province}/{world.seed}")
        self.seq = 0
        # distinct arrivals per (region, country, week bucket): residents by person id, tourists counted
        self.residents: dict[tuple[str, str, int], set[int]] = {}
        self.tourists: Counter[tuple[str, str, int]] = Counter()
        self.surge: dict | None = None
        self.rows_written = 0

    # ----- counting --------------------------------------------------------------------------
    def arrivals(self, region: str, country: str, bucket: int) -> int:
        return (
            len(self.residents.get((region, country, bucket), ())) + self.tourists[(region, country, bucket)]
        )

    def baseline_sum(self, region: str, country: str) -> int:
        return sum(self.arrivals(region, country, k) for k in range(1, BASELINE_WEEKS + 1))

    def cap(self, region: str, country: str) -> int:
        """Most final-week arrivals that are not a surge: N <= 9, or N < 3 x (baseline sum / 12)."""
        total = self.baseline_sum(region, country)
        return max(SURGE_MIN_ARRIVALS - 1, (total - 1) // 4)  # N < total/4  <=>  4N <= total-1

    def would_surge(self, row: LodgingRow, caps: dict[tuple[str, str], int]) -> bool:
        pair = (row.region, row.country)
        if row.ambiguous or pair == self.world.burst:
            return False
        return self.arrivals(row.region, row.country, 0) >= caps.get(pair, SURGE_MIN_ARRIVALS - 1)

    def count(self, row: LodgingRow, pid: int | None) -> None:
        bucket = week_bucket(row.checkin)
        if bucket is None or row.ambiguous:
            return
        key = (row.region, row.country, bucket)
        if pid is None:
            self.tourists[key] += 1
        else:
            self.residents.setdefault(key, set()).add(pid)

    # ----- rows ------------------------------------------------------------------------------
    def new_id(self, day: date) -> str:
        self.seq += 1
        return f"APOA{self.world.province}{day.year % 100:02d}{day.month:02d}{day.day:02d}{self.seq:07d}"

    def resident_row(self, person: Person, stay: Stay) -> LodgingRow:
        return LodgingRow(
            self.new_id(stay.checkin),
            stay.hotel,
            stay.region,
            stay.ambiguous,
            person.name,
            person.passport,
            person.country,
            person.birth,
            person.sex,
            stay.checkin,
            stay.checkout,
            stay.purpose,
            stay.indeks,
            person,
        )

    def tourist(
        self,
        day: date,
        country: str | None = None,
        region: str | None = None,
        purpose: str | None = None,
        hotel: str | None = None,
    ) -> LodgingRow:
        rng = self.rng
        province = self.world.province
        country = country or _pick(rng, ref.NATIONALITY_WEIGHTS[(province, "tourist")])
        if region is None:
            weights = ref.REGION_WEIGHTS[(province, "tourist")]
            region = _pick(rng, weights)
            while (region, country) in self.world.excluded_pairs:
                region = _pick(rng, weights)
        sex = "L" if rng.random() < 0.6 else "P"
        birth = date(2025 - rng.randint(18, 75), 1, 1) + timedelta(days=rng.randrange(365))
        nights = rng.choice((1, 1, 2, 2, 3, 4, 5, 7))
        checkout: date | None = day + timedelta(days=nights)
        if checkout > R or rng.random() < 0.03:
            checkout = None
        ambiguous = region in ref.AMBIGUOUS_NAMES.get(province, {}) and rng.random() < 0.003
        purpose = purpose or rng.choices(("WISATA", "BISNIS", "KELUARGA", "LAINNYA"), (70, 25, 3, 2))[0]
        indeks = rng.choices(("", "VOA", "BVK", "B211A"), (40, 30, 20, 10))[0]
        return LodgingRow(
            self.new_id(day),
            hotel or rng.choice(self.world.hotels[region]),
            region,
            ambiguous,
            person_name(rng, country, sex, self.world.seed),
            self.world.passports.issue(country),
            country,
            birth,
            sex,
            day,
            checkout,
            purpose,
            indeks,
            None,
        )

    def tourists_on(self, day: date) -> int:
        base = ref.TOURISTS_PER_DAY[self.world.province] * self.world.scale
        season = 1 + 0.2 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 120) / 365)
        weekend = 1.25 if day.weekday() in (4, 5) else 1.0
        return int(base * season * weekend + self.rng.random())

    def __iter__(self) -> Iterator[LodgingRow]:
        planned: dict[date, list[tuple[Person, Stay]]] = {}
        for person in self.world.people:
            for stay in person.stays:
                planned.setdefault(stay.checkin, []).append((person, stay))
        follow_ups: dict[date, list[LodgingRow]] = {}
        final_week = R - timedelta(days=6)
        caps: dict[tuple[str, str], int] = {}
        day = START
        while day <= R:
            if day == final_week:
                caps = self.prepare_final_week(planned, follow_ups)
            for person, stay in planned.pop(day, []):
                row = self.resident_row(person, stay)
                self.count(row, person.pid)
                yield row
            candidates = follow_ups.pop(day, [])
            candidates += [self.tourist(day) for _ in range(self.tourists_on(day))]
            for row in candidates:
                if row.person is None and row.id_laporan.startswith("SURGE"):
                    row.id_laporan = self.new_id(day)
                elif caps and self.would_surge(row, caps):
                    continue  # would look like a surge: this visitor stays in another province
                self.count(row, None)
                yield row
                if row.checkout and self.rng.random() < 0.12 and row.checkout <= R:
                    follow_ups.setdefault(row.checkout, []).append(self.moved_on(row))
            day += timedelta(days=1)

    def moved_on(self, row: LodgingRow) -> LodgingRow:
        """The same visitor checks into a hotel in another kab/kota (never the same one)."""
        weights = dict(ref.REGION_WEIGHTS[(self.world.province, "tourist")])
        weights.pop(row.region, None)
        region = _pick(self.rng, weights)
        while (region, row.country) in self.world.excluded_pairs:
            region = _pick(self.rng, weights)
        nights = self.rng.choice((1, 2, 3))
        checkout = row.checkout + timedelta(days=nights) if row.checkout else None
        if checkout and checkout > R:
            checkout = None
        return LodgingRow(
            self.new_id(row.checkout),
            self.rng.choice(self.world.hotels[region]),
            region,
            False,
            row.name,
            row.passport,
            row.country,
            row.birth,
            row.sex,
            row.checkout,
            checkout,
            row.purpose,
            row.indeks,
            None,
        )

    def prepare_final_week(self, planned: dict, follow_ups: dict) -> dict[tuple[str, str], int]:
        """Count the final week's planned arrivals, compute caps, and schedule the planted surge."""
        for day, entries in planned.items():
            if week_bucket(day) == 0:
                for person, stay in entries:
                    if not stay.ambiguous:
                        key = (stay.region, person.country, 0)
                        self.residents.setdefault(key, set()).add(person.pid)
        pairs = {(r.code, c) for r in ref.REGIONS[self.world.province] for c in ref.COUNTRIES}
        caps = {pair: self.cap(*pair) for pair in sorted(pairs)}
        region, country = self.world.burst
        baseline = self.baseline_sum(region, country)
        size = max(SURGE_MIN_ARRIVALS + 2, -(-baseline // 4) + 4)  # comfortably above both thresholds
        hotel = self.rng.choice(self.world.hotels[region])
        for i in range(size):
            day = R - timedelta(days=(5, 4, 2)[i % 3])
            row = self.tourist(day, country, region, "BEKERJA" if i % 4 else "BISNIS", hotel)
            row.ambiguous = False
            row.id_laporan = "SURGE"
            follow_ups.setdefault(day, []).append(row)
        self.surge = {
            "finding_code": "LONJAKAN_KEDATANGAN",
            "region_code": region,
            "passport_norm": None,
            "country_code": country,
            "period_start": (R - timedelta(days=6)).isoformat(),
            "period_end": R.isoformat(),
            "note": f"{size} planted arrivals in the final week on top of a 12-week baseline of {baseline}",
        }
        return caps


@cache
def _cumulative(items: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(k for k, _ in items), tuple(accumulate(w for _, w in items))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    """rng.choices with the cumulative weights computed once per weight table (hot path)."""
    keys, cumulative = _cumulative(tuple(weights.items()))
    return keys[bisect(cumulative, rng.random() * cumulative[-1])]
