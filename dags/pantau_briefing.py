"""Briefing DAG: the PDF briefing for each Rakor in the meeting calendar.

One run per meeting, `lead_days` before it at the meeting's local time (the calendar seed
`dbt_project/seeds/meeting_calendar.csv`; adding a meeting there adds a run). Manual runs take
the region, meeting date and language from the form; `deliver` e-mails each PDF to the meeting's
recipients through the Airflow SMTP connection `smtp_default` (never a briefing whose inputs are
not validated).
"""

from __future__ import annotations

from airflow.sdk import Param, dag, get_current_context, task

from pantau.orchestration.dag_defaults import START_DATE, default_args
from pantau.orchestration.schedule import briefing_timetable


@dag(
    schedule=briefing_timetable(),
    start_date=START_DATE,
    catchup=False,
    default_args=default_args(),
    tags=["pantau", "briefing"],
    params={
        "region": Param(None, type=["null", "string"], description="Kode wilayah, mis. 36 atau 36.73"),
        "meeting_date": Param(None, type=["null", "string"], format="date", description="Tanggal Rakor"),
        "language": Param("id", enum=["id", "en"], description="Bahasa briefing"),
        "deliver": Param(False, type="boolean", description="Kirim PDF lewat e-mail ke penerima rapat"),
    },
    doc_md=__doc__,
)
def pantau_briefing():
    @task
    def render_briefing() -> list[dict]:
        from pantau import pipeline

        context = get_current_context()
        params = context["params"]
        # A manual run in Airflow 3 has no logical date: it is due when it was asked for.
        when = context.get("logical_date") or context["dag_run"].run_after
        return pipeline.render_due_briefings(params, when, deliver=bool(params.get("deliver", False)))

    render_briefing()


pantau_briefing()
