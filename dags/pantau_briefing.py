"""Briefing DAG: the PDF briefing for each Rakor in the meeting calendar.

One run per meeting, `lead_days` before it at the meeting's local time (the calendar seed
`dbt_project/seeds/meeting_calendar.csv`; adding a meeting there adds a run). Manual runs take
the region, meeting date and language from the form.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.timetables.events import EventsTimetable  # the airflow.sdk re-export fails serialization

from pantau.calendar import load_meetings
from pantau.dag_defaults import START_DATE, default_args

# import load_meetings


@dag(
    schedule=EventsTimetable(
        event_dates=[pendulum.instance(m.briefing_due_at) for m in load_meetings()],
        restrict_to_events=True,
        description="lead_days before each meeting in the calendar",
    ),
    start_date=START_DATE,
    catchup=False,
    default_args=default_args(),
    tags=["pantau", "briefing"],
    params={
        "region": Param(None, type=["null", "string"], description="Kode wilayah, mis. 36 atau 36.73"),
        "meeting_date": Param(None, type=["null", "string"], format="date", description="Tanggal Rakor"),
        "language": Param("id", enum=["id", "en"], description="Bahasa briefing"),
    },
    doc_md=__doc__,
)
def pantau_briefing():
    @task
    def render_briefing() -> list[dict]:
        from pantau import pipeline

        context = get_current_context()
        return pipeline.render_due_briefings(context["params"], context["logical_date"])

    render_briefing()


pantau_briefing()
