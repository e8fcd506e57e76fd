"""The Rakor meeting calendar (dbt seed `meeting_calendar.csv`) as typed objects.

Imported by the briefing DAG file, so it stays light: standard library only, no database.
The seed is the single source of truth; dbt loads the same file into `staging.meeting_calendar`.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Same location as pantau.config.DBT_PROJECT_DIR; not imported from there to keep DAG parsing light.
DEFAULT_CALENDAR_PATH = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "meeting_calendar.csv"

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

    @property
    def starts_at(self) -> datetime:
        """The meeting's start as an aware datetime in its own time zone."""
        return datetime.combine(self.meeting_date, self.meeting_time, tzinfo=ZoneInfo(self.timezone))

    @property
    def briefing_due_at(self) -> datetime:
        """When the briefing must be rendered: `lead_days` before the meeting, in its time zone."""
        return self.starts_at - timedelta(days=self.lead_days)

    @property
    def data_cutoff(self) -> date:
        """The reference date a scheduled briefing uses: meeting date minus `lead_days`."""
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


def previous_meeting(meeting: Meeting, path: Path | str | None = None) -> Meeting | None:
    """The same region's latest meeting before this one, or None for its first meeting."""
    earlier = [
        m
        for m in load_meetings(path)
        if m.region_code == meeting.region_code and m.starts_at < meeting.starts_at
    ]
    return max(earlier, key=lambda m: m.starts_at) if earlier else None
