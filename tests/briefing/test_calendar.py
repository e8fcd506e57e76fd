"""The meeting calendar: the real seed, and what a malformed one looks like."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest

from pantau.calendar import CalendarError, find_meeting, load_meetings, previous_meeting

HEADER = "meeting_id,region_code,level,meeting_date,meeting_time,timezone,lead_days,title,venue,recipients\n"


def test_seed_loads():
    meetings = load_meetings()
    assert len(meetings) >= 4
    assert meetings == sorted(meetings, key=lambda m: (m.meeting_date, m.region_code))
    banten = find_meeting("36", date(2025, 10, 30))
    assert banten.meeting_id == "banten-2025-10-30"
    assert banten.level == "provinsi"
    assert banten.meeting_time == time(9, 0)
    assert banten.lead_days == 3
    assert banten.venue == "Aula Bakesbangpol Provinsi Banten, Serang"
    assert banten.recipients == ("kesbangpol@bantenprov.example",)


def test_briefing_due_at_is_aware_and_lead_days_before():
    banten = find_meeting("36", "2025-10-30")
    due = banten.briefing_due_at
    assert due.tzinfo is not None
    assert due.utcoffset() == timedelta(hours=7)  # WIB
    assert due == datetime(2025, 10, 27, 2, 0, tzinfo=UTC)
    assert banten.data_cutoff == date(2025, 10, 27)
    kota = find_meeting("36.73", date(2025, 10, 28))
    assert kota.briefing_due_at.isoformat() == "2025-10-27T13:00:00+07:00"


def test_previous_meeting():
    january = find_meeting("36", date(2026, 1, 29))
    october = previous_meeting(january)
    assert october is not None and october.meeting_id == "banten-2025-10-30"
    assert previous_meeting(october) is None
    assert previous_meeting(find_meeting("36.73", date(2025, 10, 28))) is None  # other regions don't count


def test_missing_meeting_lists_what_exists():
    with pytest.raises(CalendarError) as raised:
        find_meeting("36", date(2025, 11, 30))
    message = str(raised.value)
    assert "No meeting for region '36' on 2025-11-30" in message
    assert "2025-10-30" in message and "Rakor Tim POA Kota Serang" in message


def test_recipients_split(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(
        HEADER + "m1,62,provinsi,2025-10-29,09:00,Asia/Jakarta,2,Rakor,"
        '"Aula, Palangka Raya","a@x.example; b@y.example"\n'
    )
    (meeting,) = load_meetings(path)
    assert meeting.recipients == ("a@x.example", "b@y.example")
    assert meeting.venue == "Aula, Palangka Raya"


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("m1,36,provinsi,2025-10-30,09:00,Asia/Serang,3,T,V,r@x", "Asia/Serang"),
        ("m1,36,provinsi,30/10/2025,09:00,Asia/Jakarta,3,T,V,r@x", "30/10/2025"),
        ("m1,36,provinsi,2025-10-30,09:00,Asia/Jakarta,-1,T,V,r@x", "lead_days"),
        ("m1,36,provinsi,2025-10-30,9h,Asia/Jakarta,3,T,V,r@x", "9h"),
    ],
)
def test_malformed_rows_name_the_line(tmp_path, row, error):
    path = tmp_path / "calendar.csv"
    path.write_text(HEADER + row + "\n")
    with pytest.raises(CalendarError, match=f"calendar.csv:2: .*{error}"):
        load_meetings(path)


def test_duplicate_ids_and_missing_columns(tmp_path):
    path = tmp_path / "calendar.csv"
    row = "m1,36,provinsi,2025-10-30,09:00,Asia/Jakarta,3,T,V,r@x\n"
    path.write_text(HEADER + row + row)
    with pytest.raises(CalendarError, match="more than once"):
        load_meetings(path)
    path.write_text("meeting_id,region_code\nm1,36\n")
    with pytest.raises(CalendarError, match="missing column"):
        load_meetings(path)


def test_import_is_light():
    """DAG files import the calendar: it must not drag in the database driver or the renderer."""
    code = (
        "import sys, pantau.calendar; "
        "heavy = [m for m in ('psycopg', 'weasyprint', 'pygal', 'jinja2', 'yaml') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_meeting_not_in_the_calendar_is_ad_hoc():
    """Any region and date (issue 11): a generic meeting, cut-off = date - DEFAULT_LEAD_DAYS."""
    from pantau.calendar import DEFAULT_LEAD_DAYS, meeting_for

    meeting = meeting_for("62", "2025-11-06")
    assert not meeting.in_calendar
    assert (meeting.title, meeting.venue, meeting.recipients) == ("", "", ())
    assert meeting.level == "provinsi"
    assert meeting.timezone == "Asia/Jakarta"
    assert meeting.data_cutoff == date(2025, 11, 6) - timedelta(days=DEFAULT_LEAD_DAYS)
    assert meeting_for("62.71", "2025-11-06").level == "kota"
    assert meeting_for("62.01", "2025-11-06").level == "kabupaten"
    explicit = meeting_for("62", date(2025, 11, 6), cutoff="2025-10-31")
    assert explicit.data_cutoff == date(2025, 10, 31)
    with pytest.raises(CalendarError, match="after the meeting date"):
        meeting_for("62", "2025-11-06", cutoff="2025-11-07")
    # the previous meeting of an ad-hoc one is the calendar's last meeting of that region before it
    previous = previous_meeting(meeting)
    assert previous is not None and previous.meeting_id == "kalteng-2025-10-29"


def test_calendar_meeting_unchanged_unless_a_cutoff_is_given():
    from pantau.calendar import meeting_for

    banten = find_meeting("36", "2025-10-30")
    assert meeting_for("36", "2025-10-30") == banten
    pinned = meeting_for("36", "2025-10-30", cutoff="2025-10-20")
    assert pinned.in_calendar and pinned.title == banten.title
    assert pinned.data_cutoff == date(2025, 10, 20)
    assert pinned.briefing_due_at == banten.briefing_due_at
