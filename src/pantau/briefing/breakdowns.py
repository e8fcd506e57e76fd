"""The briefing's further breakdowns, each from one mart that may not exist yet (then: None).

- permits: foreigners present by permit type and purpose (`fct_foreigners_present_by_permit`)
- workers: active foreign workers by sector, KBLI section, employer, location, nationality
  (`fct_foreign_workers_active`)
- arrivals: weekly lodging check-ins over 13 weeks (`fct_lodging_arrivals_weekly`)
- presence: permit holders present on the cut-off day and on the same weekday of the 12 weeks
  before (`fct_foreigners_present_daily`)

Counts only; employers are companies, never people.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg
import psycopg.errors

from pantau.briefing.data import Region, reference_date, scope_filter, table_exists

PERMIT_TYPES = ("ITK", "ITAS", "ITAP")
PURPOSES = ("kunjungan", "bekerja", "investor", "penelitian", "keluarga", "pekerja_jarak_jauh", "lainnya")
log = logging.getLogger(__name__)

TOP_EMPLOYERS = 10
TOP_COUNTRIES = 8


@dataclass
class PermitBreakdown:
    reference_date: date | None
    counts: Counter = field(default_factory=Counter)  # (permit_type | None, visa_category) -> persons

    @property
    def permit_types(self) -> list[str | None]:
        """Columns: the known types in order, then the unrecognised one (None) if it occurs."""
        seen = {permit for permit, _ in self.counts}
        extra = sorted(p for p in seen if p is not None and p not in PERMIT_TYPES)
        return [*PERMIT_TYPES, *extra] + ([None] if None in seen else [])

    @property
    def purposes(self) -> list[str]:
        seen = {purpose for _, purpose in self.counts}
        return [p for p in PURPOSES if p in seen] + sorted(seen - set(PURPOSES))

    def cell(self, permit: str | None, purpose: str) -> int:
        return self.counts.get((permit, purpose), 0)

    def by_type(self, permit: str | None) -> int:
        return sum(n for (p, _), n in self.counts.items() if p == permit)

    def by_purpose(self, purpose: str) -> int:
        return sum(n for (_, c), n in self.counts.items() if c == purpose)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class WorkerBreakdown:
    reference_date: date | None
    total: int = 0
    by_sector: list[tuple[str | None, int]] = field(default_factory=list)
    by_kbli: list[tuple[str | None, str | None, int]] = field(default_factory=list)
    by_region: list[tuple[str | None, int]] = field(default_factory=list)  # region_code, count
    by_country: list[tuple[str | None, str | None, int]] = field(default_factory=list)
    employers: list[tuple[str | None, str | None, str | None, int]] = field(default_factory=list)
    employer_count: int = 0
    previous_total: int | None = None


@dataclass
class WeekRow:
    week_number: int
    week_start: date | None
    week_end: date | None
    arrivals: int


@dataclass
class ArrivalTrend:
    reference_date: date | None
    weeks: list[WeekRow] = field(default_factory=list)  # oldest first
    by_country: list[tuple[str | None, str | None, int, float]] = field(default_factory=list)
    # country_code, name, arrivals in the last week, weekly average of the 12 weeks before

    @property
    def last_week(self) -> int:
        return next((w.arrivals for w in self.weeks if w.week_number == 0), 0)

    @property
    def baseline(self) -> float:
        """Average weekly arrivals over weeks 1..12 (the surge rule's baseline)."""
        return sum(w.arrivals for w in self.weeks if w.week_number > 0) / 12


def _country_name(language: str) -> str:
    return "name_id" if language == "id" else "name_en"


def _countries_join(conn: psycopg.Connection, alias: str) -> tuple[str, str]:
    if not table_exists(conn, "marts.dim_countries"):
        return "null::text", ""
    return (
        "countries.{name}",
        f"left join marts.dim_countries as countries on countries.country_code = {alias}.country_code",
    )


def load_permits(conn: psycopg.Connection, region: Region, cutoff: date) -> PermitBreakdown | None:
    table = "marts.fct_foreigners_present_by_permit"
    if not table_exists(conn, table):
        return None
    reference = reference_date(conn, table, cutoff)
    where, params = scope_filter(region)
    rows = conn.execute(
        f"select permit_type, coalesce(visa_category, 'lainnya'), sum(foreigner_count)::bigint "
        f"from {table} where reference_date = %(ref)s and {where} group by 1, 2",
        {"ref": reference, **params},
    ).fetchall()
    return PermitBreakdown(reference, Counter({(p, c): n for p, c, n in rows}))


def load_workers(
    conn: psycopg.Connection, region: Region, cutoff: date, language: str, since: date | None = None
) -> WorkerBreakdown | None:
    table = "marts.fct_foreign_workers_active"
    if not table_exists(conn, table):
        return None
    reference = reference_date(conn, table, cutoff)
    where, params = scope_filter(region, "workers")
    params = {"ref": reference, **params}
    base = f"from {table} as workers where workers.reference_date = %(ref)s and {where}"

    def grouped(columns: str, order: str = "3 desc, 1") -> list[tuple]:
        return conn.execute(
            f"select {columns}, sum(workers.worker_count)::bigint {base} group by 1, 2 order by {order}",
            params,
        ).fetchall()

    result = WorkerBreakdown(reference)
    result.by_sector = [
        (sector, n) for sector, _, n in grouped("workers.sector, null::text", "3 desc, 1 nulls last") if n
    ]
    result.total = sum(n for _, n in result.by_sector)
    result.by_kbli = grouped("workers.kbli_section_code, workers.kbli_section_name", "3 desc, 1 nulls last")
    result.by_region = [
        (code, n) for code, _, n in grouped("workers.region_code, null::text", "1 nulls last")
    ]
    name, join = _countries_join(conn, "workers")
    result.by_country = conn.execute(
        f"select workers.country_code, {name.format(name=_country_name(language))}, "
        f"sum(workers.worker_count)::bigint from {table} as workers {join} "
        f"where workers.reference_date = %(ref)s and {where} group by 1, 2 order by 3 desc, 1 nulls last",
        params,
    ).fetchall()
    # Top employers with their main location and sector (the one with most of their workers).
    result.employers = conn.execute(
        f"""
        with per_place as (
            select workers.employer_name, workers.region_code, workers.sector,
                   sum(workers.worker_count)::bigint as n
            {base}
            group by 1, 2, 3
        ), ranked as (
            select employer_name, region_code, sector, n,
                   sum(n) over (partition by employer_name) as total,
                   row_number() over (partition by employer_name order by n desc, region_code, sector) as pick
            from per_place
        )
        select employer_name, region_code, sector, total from ranked where pick = 1
        order by total desc, employer_name limit {TOP_EMPLOYERS}
        """,
        params,
    ).fetchall()
    result.employer_count = conn.execute(
        f"select count(distinct workers.employer_name) {base}", params
    ).fetchone()[0]
    if since is not None:
        previous = conn.execute(
            f"select max(reference_date) from {table} where reference_date <= %(since)s", {"since": since}
        ).fetchone()[0]
        if previous is not None and previous != reference:
            result.previous_total = conn.execute(
                f"select coalesce(sum(workers.worker_count), 0)::bigint from {table} as workers "
                f"where workers.reference_date = %(ref)s and {where}",
                {**params, "ref": previous},
            ).fetchone()[0]
    return result


def load_arrivals(
    conn: psycopg.Connection, region: Region, cutoff: date, language: str
) -> ArrivalTrend | None:
    table = "marts.fct_lodging_arrivals_weekly"
    if not table_exists(conn, table):
        return None
    reference = reference_date(conn, table, cutoff)
    where, params = scope_filter(region, "arrivals")
    params = {"ref": reference, **params}
    weeks = {
        number: WeekRow(number, start, end, n)
        for number, start, end, n in conn.execute(
            f"select arrivals.week_number, min(arrivals.week_start_date), max(arrivals.week_end_date), "
            f"sum(arrivals.arrival_count)::bigint from {table} as arrivals "
            f"where arrivals.reference_date = %(ref)s and {where} group by 1",
            params,
        ).fetchall()
    }
    if reference is not None:
        # Weeks without any arrival are zero, not gaps: the bucket bounds follow from the reference date.
        for number in range(13):
            if number not in weeks:
                end = reference - timedelta(days=7 * number)
                weeks[number] = WeekRow(number, end - timedelta(days=6), end, 0)
    name, join = _countries_join(conn, "arrivals")
    by_country = conn.execute(
        f"""
        select arrivals.country_code, {name.format(name=_country_name(language))},
               sum(arrivals.arrival_count) filter (where arrivals.week_number = 0)::bigint as last_week,
               coalesce(sum(arrivals.arrival_count) filter (where arrivals.week_number > 0), 0) / 12.0
        from {table} as arrivals {join}
        where arrivals.reference_date = %(ref)s and {where}
        group by 1, 2
        having sum(arrivals.arrival_count) filter (where arrivals.week_number = 0) > 0
        order by 3 desc, 1 nulls last
        limit {TOP_COUNTRIES}
        """,
        params,
    ).fetchall()
    return ArrivalTrend(
        reference_date=reference,
        weeks=sorted(weeks.values(), key=lambda w: -w.week_number),
        by_country=[(code, label, int(n), float(base)) for code, label, n, base in by_country],
    )


PRESENCE_TREND_WEEKS = 13


def load_presence_trend(
    conn: psycopg.Connection, region: Region, cutoff: date
) -> list[tuple[date, int]] | None:
    """(day, permit holders present) weekly up to the cut-off, oldest first; days the daily fact
    does not cover are left out (a gap, not a zero). The same definition as the headline count:
    permit holders only, lodging guests without a permit excluded."""
    table = "marts.fct_foreigners_present_daily"
    if not table_exists(conn, table):
        return None
    where, params = scope_filter(region, "daily")
    days = [cutoff - timedelta(days=7 * week) for week in range(PRESENCE_TREND_WEEKS)]
    rows = conn.execute(
        f"select daily.presence_date, sum(daily.permit_holder_count)::bigint from {table} as daily "
        f"where daily.presence_date = any(%(days)s) and {where} group by 1 order by 1",
        {"days": days, **params},
    ).fetchall()
    return [(day, int(n)) for day, n in rows]


@dataclass
class Breakdowns:
    """The optional marts' sections; None where the mart does not exist yet."""

    permits: PermitBreakdown | None = None
    workers: WorkerBreakdown | None = None
    arrivals: ArrivalTrend | None = None
    presence: list[tuple[date, int]] | None = None  # weekly permit holders present, oldest first


def load_breakdowns(
    conn: psycopg.Connection, region: Region, cutoff: date, language: str, since: date | None
) -> Breakdowns:
    return Breakdowns(
        permits=_optional(conn, "permits", load_permits, conn, region, cutoff),
        workers=_optional(conn, "workers", load_workers, conn, region, cutoff, language, since),
        arrivals=_optional(conn, "arrivals", load_arrivals, conn, region, cutoff, language),
        presence=_optional(conn, "presence", load_presence_trend, conn, region, cutoff),
    )


def _optional(conn: psycopg.Connection, what: str, loader, *args):
    """A mart whose columns differ from what the briefing expects reads as absent, not as a crash."""
    try:
        with conn.transaction():  # a savepoint: a failed query leaves the snapshot usable
            return loader(*args)
    except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedTable) as exc:
        log.warning("briefing section %s left out: %s", what, exc.diag.message_primary)
        return None
