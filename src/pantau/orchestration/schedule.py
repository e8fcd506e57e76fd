"""The briefing DAG's schedule: one run `lead_days` before each meeting in the calendar."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pendulum
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction
from airflow.timetables.events import EventsTimetable  # the airflow.sdk re-export fails serialization

from pantau.calendar import load_meetings


class BriefingTimetable(EventsTimetable):
    """Airflow's EventsTimetable, except that a briefing stays due until its meeting starts (and
    for at least LATE_BRIEFING_GRACE after its due time).

    Without catchup, EventsTimetable forgets an event as soon as the clock passes it. The DAG
    processor recomputes the next run at every parse of the DAG file (every 30 s), so a parse
    that fell between a briefing's due time and the scheduler creating its run dropped that run
    with no error (apache/airflow#27399); so did a scheduler that was down at the due time. Here a
    briefing is kept until its meeting starts (Meeting.briefing_wanted_until): made late rather
    than not at all, and not once it is of no use. Registered with Airflow by
    pantau.orchestration.plugin.
    """

    def __init__(self, briefings: Iterable[tuple[pendulum.DateTime, pendulum.DateTime]], description: str):
        """`briefings`: (due at, wanted until) pairs; meetings due at one moment share a run, kept
        as long as the last of them wants it."""
        until: dict[pendulum.DateTime, pendulum.DateTime] = {}
        for due, wanted_until in briefings:
            until[due] = max(until.get(due, wanted_until), wanted_until)
        super().__init__(
            event_dates=sorted(until), restrict_to_events=True, presorted=True, description=description
        )
        self.keep_until = [until[due] for due in self.event_dates]

    def next_dagrun_info(
        self, *, last_automated_data_interval: DataInterval | None, restriction: TimeRestriction
    ) -> DagRunInfo | None:
        if restriction.catchup:
            return super().next_dagrun_info(
                last_automated_data_interval=last_automated_data_interval, restriction=restriction
            )
        # EventsTimetable's own rule (start and end dates, runs already made), with each
        # briefing's deadline in place of the clock: only the briefings still wanted, no "now".
        now = pendulum.now("UTC")
        wanted = [due for due, until in zip(self.event_dates, self.keep_until, strict=True) if until > now]
        return EventsTimetable(wanted, presorted=True).next_dagrun_info(
            last_automated_data_interval=last_automated_data_interval,
            restriction=restriction._replace(catchup=True),
        )

    def serialize(self) -> dict[str, Any]:
        return {
            "briefings": [
                [due.isoformat(), until.isoformat()]
                for due, until in zip(self.event_dates, self.keep_until, strict=True)
            ],
            "description": self.description,
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> BriefingTimetable:
        return cls(
            [(pendulum.parse(due), pendulum.parse(until)) for due, until in data["briefings"]],
            description=data["description"],
        )


def briefing_timetable(calendar_path: Path | None = None) -> BriefingTimetable:
    """Run times are the meetings' `briefing_due_at`, in each meeting's own time zone (WIB, WITA,
    WIT): adding a meeting to the calendar adds a run, with no code change."""
    return BriefingTimetable(
        [
            (pendulum.instance(m.briefing_due_at), pendulum.instance(m.briefing_wanted_until))
            for m in load_meetings(calendar_path)
        ],
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
