"""The briefing DAG's schedule: one run `lead_days` before each meeting in the calendar."""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.timetables.events import EventsTimetable  # the airflow.sdk re-export fails serialization

from pantau.calendar import load_meetings


def briefing_timetable(calendar_path: Path | None = None) -> EventsTimetable:
    """Run times are the meetings' `briefing_due_at`, in each meeting's own time zone (WIB, WITA,
    WIT): adding a meeting to the calendar adds a run, with no code change."""
    return EventsTimetable(
        event_dates=[pendulum.instance(m.briefing_due_at) for m in load_meetings(calendar_path)],
        restrict_to_events=True,
        description="lead_days before each meeting in the calendar",
    )
