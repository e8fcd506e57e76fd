"""Briefings for any region and date (issue 11 item 4): a meeting not in the calendar renders with
a generic title and a stated data cut-off, from `pantau brief` and from the briefing DAG's form."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from briefing_data import has, pdf_text

from pantau import cli


def _archived(dsn: str, briefing_id: str) -> tuple:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select meeting_date::text, data_cutoff::text from audit.briefings where briefing_id = %s",
            (briefing_id,),
        ).fetchone()


def test_pantau_brief_renders_a_meeting_not_in_the_calendar(briefing_db, monkeypatch, capsys):
    monkeypatch.delenv("PANTAU_AS_OF")  # the cut-off then follows from the meeting date
    assert cli.main(["brief", "--region", "62", "--meeting", "2025-11-06"]) == 0
    out = capsys.readouterr().out
    assert "data cut-off 2025-11-03" in out  # 2025-11-06 minus the default 3 lead days
    pdf = Path(os.environ["PANTAU_OUTPUT_DIR"]) / "briefings" / "briefing_62_2025-11-06_id.pdf"
    text = pdf_text(pdf)
    assert has(text, "Rapat Koordinasi Tim POA Kalimantan Tengah")
    assert has(text, "di luar kalender rapat")
    assert has(text, "Batas data 3 November 2025")
    assert not has(text, "Aula Badan Kesbangpol")  # no calendar venue is borrowed
    assert _archived(briefing_db, "briefing_62_2025-11-06_id") == ("2025-11-06", "2025-11-03")

    # an explicit cut-off wins over PANTAU_AS_OF and the default lead days
    monkeypatch.setenv("PANTAU_AS_OF", "2025-10-27")
    assert cli.main(["brief", "--region", "62", "--meeting", "2025-11-06", "--cutoff", "2025-11-01"]) == 0
    assert _archived(briefing_db, "briefing_62_2025-11-06_id") == ("2025-11-06", "2025-11-01")


def test_briefing_dag_form_renders_a_meeting_not_in_the_calendar(briefing_db):
    """The real DAG (`dag.test()`): region, any date and a cut-off from the trigger form."""
    from pantau.orchestration import airflow_local

    airflow_local.ensure_metadata_db()
    dag = airflow_local.load_dags()["pantau_briefing"]
    assert dag.params["cutoff"] is None
    form = {"region": "62", "meeting_date": "2025-11-06", "cutoff": "2025-10-27", "language": "en"}
    run = airflow_local.run_dag(dag, conf=form)
    assert run.state == "success"
    pdf = Path(os.environ["PANTAU_OUTPUT_DIR"]) / "briefings" / "briefing_62_2025-11-06_en.pdf"
    text = pdf_text(pdf)
    assert has(text, "Tim POA coordination meeting, Kalimantan Tengah")
    assert has(text, "not in the meeting calendar")
    assert _archived(briefing_db, "briefing_62_2025-11-06_en") == ("2025-11-06", "2025-10-27")
