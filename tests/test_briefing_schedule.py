"""The briefing DAG's runs come from the meeting calendar: one run lead_days before each meeting,
at the meeting's local time; adding a meeting to the calendar adds a run. The run renders every
meeting due at its time (pantau.pipeline.render_due_briefings)."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from airflow.timetables.base import TimeRestriction

from pantau.calendar import DEFAULT_CALENDAR_PATH, load_meetings
from pantau.orchestration.schedule import briefing_timetable


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
