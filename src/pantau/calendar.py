"""The Rakor meeting calendar (dbt seed `meeting_calendar.csv`) as typed objects.

Imported by the briefing DAG file, so it stays light: standard library only, no database.
The seed is the single source of truth; dbt loads the same file into `staging.meeting_calendar`.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Same location as pantau.config.DBT_PROJECT_DIR; not imported from there to keep DAG parsing light.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
DEFAULT_CALENDAR_PATH = SEEDS_DIR / "meeting_calendar.csv"
REGIONS_PATH = SEEDS_DIR / "regions.csv"

# A meeting that is not in the calendar (an extraordinary Rakor, a briefing asked for by hand):
# its data cut-off is the meeting date minus these days, unless a cut-off is given explicitly.
DEFAULT_LEAD_DAYS = 3
DEFAULT_MEETING_TIME = time(9, 0)
DEFAULT_TIMEZONE = "Asia/Jakarta"
# A scheduled briefing not made at its due time (a scheduler down, a calendar edited late) is
# still made until its meeting starts, and for at least this long after its due time (a meeting
# with lead_days 0 is briefed as it starts).
LATE_BRIEFING_GRACE = timedelta(hours=1)

COLUMNS = (
    "meeting_id",
    "region_code",
    "level",
    "meeting_date",
    "meeting_time",
    "timezone",
    "lead_days",
    "title",
    "venue",
    "recipients",
)


class CalendarError(ValueError):
    """The calendar file is malformed, or a meeting asked for is not in it."""


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    region_code: str
    level: str  # provinsi | kabupaten | kota
    meeting_date: date
    meeting_time: time
    timezone: str
    lead_days: int
    title: str
    venue: str
    recipients: tuple[str, ...] = ()
    # Set for a meeting that is not in the calendar (see ad_hoc_meeting): no title, venue or
    # recipients of its own; the briefing gives it a generic title.
    in_calendar: bool = True
    cutoff: date | None = None  # an explicit data cut-off, instead of meeting date - lead_days

    @property
    def starts_at(self) -> datetime:
        """The meeting's start as an aware datetime in its own time zone."""
        return datetime.combine(self.meeting_date, self.meeting_time, tzinfo=ZoneInfo(self.timezone))

    @property
    def briefing_due_at(self) -> datetime:
        """When the briefing must be rendered: `lead_days` before the meeting, in its time zone."""
        return self.starts_at - timedelta(days=self.lead_days)

    @property
    def briefing_wanted_until(self) -> datetime:
        """Until when a scheduled briefing not made at its due time is still worth making."""
        return max(self.starts_at, self.briefing_due_at + LATE_BRIEFING_GRACE)

    @property
    def data_cutoff(self) -> date:
        """The reference date a briefing uses: the explicit cut-off, else meeting date minus `lead_days`."""
        if self.cutoff is not None:
            return self.cutoff
        return self.meeting_date - timedelta(days=self.lead_days)


def _split_recipients(value: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[;,\s]+", value or "") if part)


def _parse_row(row: dict[str, str], where: str) -> Meeting:
    try:
        timezone = row["timezone"].strip()
        ZoneInfo(timezone)  # fail on load, not at schedule time
        lead_days = int(row["lead_days"])
        if lead_days < 0:
            raise ValueError(f"lead_days must be >= 0, got {lead_days}")
        return Meeting(
            meeting_id=row["meeting_id"].strip(),
            region_code=row["region_code"].strip(),
            level=row["level"].strip(),
            meeting_date=date.fromisoformat(row["meeting_date"].strip()),
            meeting_time=time.fromisoformat(row["meeting_time"].strip()),
            timezone=timezone,
            lead_days=lead_days,
            title=row["title"].strip(),
            venue=row["venue"].strip(),
            recipients=_split_recipients(row["recipients"]),
        )
    except (ValueError, KeyError, ZoneInfoNotFoundError) as exc:
        raise CalendarError(f"{where}: {exc}") from exc


def calendar_path() -> Path:
    """PANTAU_MEETING_CALENDAR when set (a deployment's own calendar, tests), else the dbt seed."""
    return Path(os.environ.get("PANTAU_MEETING_CALENDAR") or DEFAULT_CALENDAR_PATH)


def load_meetings(path: Path | str | None = None) -> list[Meeting]:
    """Every meeting in the calendar, ordered by date then region."""
    path = Path(path) if path else calendar_path()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CalendarError(f"{path}: missing column(s) {', '.join(missing)}")
        meetings = [_parse_row(row, f"{path}:{number}") for number, row in enumerate(reader, start=2)]
    seen: set[str] = set()
    for meeting in meetings:
        if meeting.meeting_id in seen:
            raise CalendarError(f"{path}: meeting_id {meeting.meeting_id!r} appears more than once")
        seen.add(meeting.meeting_id)
    return sorted(meetings, key=lambda m: (m.meeting_date, m.region_code, m.meeting_time))


def find_meeting(region_code: str, meeting_date: date | str, path: Path | str | None = None) -> Meeting:
    """The meeting of `region_code` on `meeting_date`; the error lists what the calendar holds."""
    if isinstance(meeting_date, str):
        meeting_date = date.fromisoformat(meeting_date)
    meetings = load_meetings(path)
    for meeting in meetings:
        if meeting.region_code == region_code and meeting.meeting_date == meeting_date:
            return meeting
    known = "\n".join(f"  {m.region_code:<6} {m.meeting_date}  {m.title}" for m in meetings) or "  (none)"
    raise CalendarError(
        f"No meeting for region {region_code!r} on {meeting_date} in the calendar "
        f"({path or calendar_path()}). Meetings known:\n{known}"
    )


def region_timezone(region_code: str, path: Path | str | None = None) -> str:
    """The region's time zone from the regions seed (its own row, else its province's)."""
    path = Path(path) if path else REGIONS_PATH
    zones: dict[str, str] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            zones = {row["region_code"]: row.get("timezone") or "" for row in csv.DictReader(handle)}
    except (OSError, KeyError):
        return DEFAULT_TIMEZONE
    return zones.get(region_code) or zones.get(region_code.split(".")[0]) or DEFAULT_TIMEZONE


def region_level(code: str) -> str:
    """Kemendagri codes: `PP` a province, PP.01-PP.69 a kabupaten, PP.71 and above a kota."""
    if "." not in code:
        return "provinsi"
    return "kota" if code.split(".")[1][:1] == "7" else "kabupaten"


def ad_hoc_meeting(
    region_code: str, meeting_date: date | str, *, cutoff: date | str | None = None
) -> Meeting:
    """A meeting that is not in the calendar: generic (no title, venue or recipients), at
    DEFAULT_MEETING_TIME in the region's time zone, data cut-off `cutoff` or meeting date minus
    DEFAULT_LEAD_DAYS."""
    if isinstance(meeting_date, str):
        meeting_date = date.fromisoformat(meeting_date)
    if isinstance(cutoff, str):
        cutoff = date.fromisoformat(cutoff)
    if cutoff is not None and cutoff > meeting_date:
        raise CalendarError(f"data cut-off {cutoff} is after the meeting date {meeting_date}")
    code = region_code.strip()
    level = region_level(code)
    lead_days = DEFAULT_LEAD_DAYS if cutoff is None else (meeting_date - cutoff).days
    return Meeting(
        meeting_id=f"adhoc-{code}-{meeting_date.isoformat()}",
        region_code=code,
        level=level,
        meeting_date=meeting_date,
        meeting_time=DEFAULT_MEETING_TIME,
        timezone=region_timezone(code),
        lead_days=lead_days,
        title="",
        venue="",
        in_calendar=False,
        cutoff=cutoff,
    )


def meeting_for(
    region_code: str,
    meeting_date: date | str,
    path: Path | str | None = None,
    *,
    cutoff: date | str | None = None,
) -> Meeting:
    """The calendar's meeting of `region_code` on `meeting_date`, else an ad-hoc one (any region
    and date). An explicit `cutoff` replaces the data cut-off of either."""
    if isinstance(meeting_date, str):
        meeting_date = date.fromisoformat(meeting_date)
    if isinstance(cutoff, str):
        cutoff = date.fromisoformat(cutoff) if cutoff.strip() else None
    for meeting in load_meetings(path):
        if meeting.region_code == region_code and meeting.meeting_date == meeting_date:
            if cutoff is None:
                return meeting
            if cutoff > meeting_date:
                raise CalendarError(f"data cut-off {cutoff} is after the meeting date {meeting_date}")
            return replace(meeting, cutoff=cutoff)
    return ad_hoc_meeting(region_code, meeting_date, cutoff=cutoff)


def previous_meeting(meeting: Meeting, path: Path | str | None = None) -> Meeting | None:
    """The same region's latest meeting before this one, or None for its first meeting."""
    earlier = [
        m
        for m in load_meetings(path)
        if m.region_code == meeting.region_code and m.starts_at < meeting.starts_at
    ]
    return max(earlier, key=lambda m: m.starts_at) if earlier else None
