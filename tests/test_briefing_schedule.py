"""The briefing DAG's runs come from the meeting calendar: one run lead_days before each meeting,
at the meeting's local time; adding a meeting to the calendar adds a run. The run renders every
meeting due at its time (pantau.pipeline.render_due_briefings)."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum
from airflow.timetables.base import DataInterval, TimeRestriction

from pantau.calendar import DEFAULT_CALENDAR_PATH, load_meetings
from pantau.orchestration.dag_defaults import START_DATE
from pantau.orchestration.schedule import BriefingTimetable, briefing_timetable


def scheduled_runs(timetable) -> list[datetime]:
    runs, last = [], None
    restriction = TimeRestriction(earliest=None, latest=None, catchup=True)
    while info := timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction):
        runs.append(info.run_after)
        last = info.data_interval
    return runs


def test_one_run_lead_days_before_each_meeting_at_local_time():
    runs = scheduled_runs(briefing_timetable())
    meetings = load_meetings()
    # Meetings due at the same moment share one run, which renders each of them.
    assert sorted(runs) == sorted({m.briefing_due_at for m in meetings})
    assert len(runs) == len(set(runs))
    banten = next(m for m in meetings if m.meeting_id == "banten-2025-10-30")
    # 09:00 WIB on 30 Oct 2025, three days earlier: 27 Oct 2025 09:00 WIB = 02:00 UTC
    expected = datetime(2025, 10, 27, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert banten.lead_days == 3
    assert any(run == expected for run in runs)
    assert expected.astimezone(ZoneInfo("UTC")).hour == 2


def test_adding_a_meeting_adds_a_run_in_its_own_time_zone(tmp_path):
    calendar = tmp_path / "meeting_calendar.csv"
    shutil.copyfile(DEFAULT_CALENDAR_PATH, calendar)
    with calendar.open("a", encoding="utf-8") as handle:
        handle.write(
            "bali-2026-03-10,51,provinsi,2026-03-10,10:00,Asia/Makassar,5,Rakor Tim POA Provinsi Bali,"
            "Denpasar,kesbangpol@baliprov.example\n"
        )
    before = scheduled_runs(briefing_timetable())
    after = scheduled_runs(briefing_timetable(calendar))
    added = set(after) - set(before)
    assert len(after) == len(before) + 1
    (run,) = added
    assert run == datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")) - timedelta(days=5)
    assert run.astimezone(ZoneInfo("UTC")).hour == 2  # 10:00 WITA is 02:00 UTC


def test_a_scheduled_run_renders_every_meeting_due_at_its_time():
    from pantau.pipeline import meetings_due

    due = datetime(2025, 10, 27, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    scheduled = meetings_due({"region": None, "meeting_date": None}, due)
    assert sorted(m.meeting_id for m in scheduled) == ["banten-2025-10-30", "kalteng-2025-10-29"]
    manual = meetings_due({"region": "36.73", "meeting_date": "2025-10-28"}, due)
    assert [m.meeting_id for m in manual] == ["kotaserang-2025-10-28"]
    assert meetings_due({}, due + timedelta(hours=1)) == []


def test_a_briefing_past_due_is_still_made_until_its_meeting_starts():
    """Without catchup, Airflow's EventsTimetable drops an event once the clock has passed it: a
    DAG-file parse between the due time and the scheduler creating the run lost the briefing
    (apache/airflow#27399). A briefing stays due until its meeting starts, and no longer."""
    now = pendulum.now("UTC")
    overdue = (now - timedelta(minutes=2), now + timedelta(hours=1))
    started = (now - timedelta(hours=2), now - timedelta(minutes=1))  # no longer wanted a minute ago
    coming = (now + timedelta(hours=1), now + timedelta(days=3))
    timetable = BriefingTimetable([coming, started, overdue], description="uji")
    restriction = TimeRestriction(earliest=START_DATE, latest=None, catchup=False)

    def next_run(last: DataInterval | None):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        return info and info.run_after

    assert next_run(None) == overdue[0]
    assert next_run(DataInterval.exact(overdue[0])) == coming[0]  # made: not again
    assert next_run(DataInterval.exact(coming[0])) is None
    # Nothing before the DAG's start date, nothing after its end date.
    late_start = TimeRestriction(earliest=pendulum.instance(coming[0]), latest=None, catchup=False)
    info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=late_start)
    assert info.run_after == coming[0]
    ended = TimeRestriction(earliest=START_DATE, latest=now - timedelta(minutes=5), catchup=False)
    assert timetable.next_dagrun_info(last_automated_data_interval=None, restriction=ended) is None


def test_meetings_due_together_share_a_run_kept_until_the_last_one_starts():
    now = pendulum.now("UTC")
    due = now - timedelta(minutes=10)
    timetable = BriefingTimetable(
        [(due, now - timedelta(minutes=1)), (due, now + timedelta(minutes=30))], description="uji"
    )
    restriction = TimeRestriction(earliest=START_DATE, latest=None, catchup=False)
    assert timetable.event_dates == [due]
    info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    assert info.run_after == due


def test_a_meeting_briefed_as_it_starts_keeps_its_briefing_for_the_grace_period(tmp_path):
    """lead_days 0: due when the meeting starts, still made within LATE_BRIEFING_GRACE of that."""
    from pantau.calendar import LATE_BRIEFING_GRACE

    zone = ZoneInfo("Asia/Jakarta")
    now = datetime.now(zone).replace(second=0, microsecond=0)
    started_recently = now - timedelta(minutes=5)
    started_long_ago = now - LATE_BRIEFING_GRACE - timedelta(minutes=5)
    calendar = tmp_path / "meeting_calendar.csv"
    calendar.write_text(
        "meeting_id,region_code,level,meeting_date,meeting_time,timezone,lead_days,title,venue,recipients\n"
        + "".join(
            f"{name},36,provinsi,{at:%Y-%m-%d},{at:%H:%M},Asia/Jakarta,0,Rakor,Serang,\n"
            for name, at in (("lama", started_long_ago), ("baru", started_recently))
        ),
        encoding="utf-8",
    )
    timetable = briefing_timetable(calendar)
    restriction = TimeRestriction(earliest=START_DATE, latest=None, catchup=False)
    info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    assert info.run_after == started_recently
    after = timetable.next_dagrun_info(
        last_automated_data_interval=info.data_interval, restriction=restriction
    )
    assert after is None
