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


def landing_asset(feed_name: str):
    """The feed's landing folder as an Asset, watched by the triggerer (pantau.orchestration.triggers)."""
    from airflow.sdk import Asset, AssetWatcher

    from pantau import config
    from pantau.orchestration.triggers import LandingFileTrigger

    landing = str(config.landing_dir().resolve())
    return Asset(
        name=f"pantau_landing__{feed_name}",
        uri=f"pantau://landing/{feed_name}",
        watchers=[
            AssetWatcher(
                name=f"pantau_landing_watch__{feed_name}",
                trigger=LandingFileTrigger(landing=landing, feed=feed_name),
            )
        ],
    )


def ingest_schedule(feed_name: str):
    """As soon as a file settles in the feed's landing folder, and every hour as a fallback (a
    triggerer that is down, files from channels no trigger watches)."""
    from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable

    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 * * * *", timezone="Asia/Jakarta"),
        assets=landing_asset(feed_name),
    )
