"""E-mail delivery against a real SMTP server (aiosmtpd) through the Airflow SMTP connection."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from briefing_data import has, letters, pdf_pages
from smtp_outbox import Outbox as Inbox

from pantau import pipeline
from pantau.briefing import render_briefing
from pantau.calendar import find_meeting
from pantau.delivery import DeliveryRefused, mail_subject, send_briefing

BANTEN = ("36", date(2025, 10, 30))
KOTA_SERANG = ("36.73", date(2025, 10, 28))
SENDER = "pantau@kesbangpol.example"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, reached through AIRFLOW_CONN_SMTP_DEFAULT (no TLS, no auth)."""
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    # The SMTP provider reads these extras: plain SMTP (no SSL, no STARTTLS), one attempt.
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=10"
        f"&from_email={SENDER.replace('@', '%40')}",
    )
    try:
        yield handler
    finally:
        controller.stop()


def _attachment(message: email.message.EmailMessage) -> tuple[str, bytes]:
    parts = [part for part in message.iter_attachments()]
    assert len(parts) == 1, [p.get_filename() for p in parts]
    return parts[0].get_filename(), parts[0].get_payload(decode=True)


def _fail_mart_gate(dsn: str) -> None:
    """A gate-2 run whose blocking reconciliation check failed, after an earlier passing run."""
    rows = [
        ("g2-run-1", "marts__fct_foreigners_present", "expect_column_sum_to_be_between", True, "09:00"),
        ("g2-run-2", "marts__fct_foreigners_present", "expect_column_sum_to_be_between", False, "10:00"),
        ("g2-run-2", "marts__fct_foreigners_present", "expect_column_values_to_not_be_null", True, "10:00"),
    ]
    with psycopg.connect(dsn) as conn:
        for run_id, suite, expectation, success, clock in rows:
            config = {"description": "Jumlah mart cocok / mart totals reconcile"}
            conn.execute(
                "insert into audit.dq_results (run_id, suite, expectation, expectation_config, severity, "
                "success, unexpected_count, validated_at) values (%s, %s, %s, %s, 'blocking', %s, %s, "
                "timestamptz '2025-10-27 00:00+07' + %s::time)",
                (run_id, suite, expectation, json.dumps(config), success, 0 if success else 1, clock),
            )


def test_briefing_is_mailed_with_its_exact_bytes(briefing_db, inbox):
    result = render_briefing(*BANTEN, strict=True)
    meeting = find_meeting(*BANTEN)
    assert result.validated  # a rejected raw batch does not stop delivery: the marts use the last good file
    delivery = send_briefing(result, meeting)

    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["kesbangpol@bantenprov.example"]
    assert envelope.mail_from == SENDER
    (message,) = inbox.messages()
    assert message["To"] == "kesbangpol@bantenprov.example"
    assert message["Subject"] == delivery.subject == mail_subject(result, meeting)
    assert (
        message["Subject"]
        == "[TERBATAS] Bahan Rapat Koordinasi: Rakor Tim POA Provinsi Banten, 30 Oktober 2025"
    )
    assert message["X-Pantau-SHA256"] == result.sha256
    name, payload = _attachment(message)
    assert name == "briefing_36_2025-10-30_id.pdf"
    assert hashlib.sha256(payload).hexdigest() == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert hashlib.sha256(payload).hexdigest() == result.sha256
    body = message.get_body(preferencelist=("html",)).get_content()
    assert result.sha256 in body and "27 Oktober 2025" in body


def test_every_recipient_gets_it(briefing_db, inbox):
    result = render_briefing(*BANTEN, language="en", strict=True)
    meeting = dataclasses.replace(
        find_meeting(*BANTEN), recipients=("kesbangpol@bantenprov.example", "imigrasi@serang.example")
    )
    send_briefing(result, meeting)
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["kesbangpol@bantenprov.example", "imigrasi@serang.example"]
    (message,) = inbox.messages()
    assert message["Subject"].startswith("[TERBATAS (RESTRICTED)] Coordination meeting briefing: ")
    name, payload = _attachment(message)
    assert name == "briefing_36_2025-10-30_en.pdf"
    assert hashlib.sha256(payload).hexdigest() == result.sha256


def test_briefing_failing_the_mart_gate_is_rendered_marked_and_not_sent(briefing_db, inbox):
    _fail_mart_gate(briefing_db)
    result = render_briefing(*BANTEN, strict=True)
    assert result.quality_status == "mart_failed"
    assert not result.validated
    with pytest.raises(DeliveryRefused, match="not validated") as refused:
        send_briefing(result, find_meeting(*BANTEN))
    assert "mart_failed" in refused.value.reason
    assert inbox.envelopes == []
    # Still rendered and archived, marked on every page
    pages = pdf_pages(result.path)
    assert all("BELUMTERVALIDASI" in letters(page) for page in pages)
    assert has(" ".join(pages), "Jumlah mart cocok (expect_column_sum_to_be_between)")
    with psycopg.connect(briefing_db) as conn:
        (status,) = conn.execute("select quality_status from audit.briefings").fetchone()
    assert status == "mart_failed"


def test_mart_gate_warning_does_not_stop_delivery(briefing_db, inbox):
    with psycopg.connect(briefing_db) as conn:
        conn.execute(
            "insert into audit.dq_results (run_id, suite, expectation, severity, success) values "
            "('g2', 'marts__fct_findings', 'expect_column_values_to_not_be_null', 'blocking', true),"
            "('g2', 'marts__fct_findings', 'expect_column_values_to_be_in_set', 'warning', false)"
        )
    result = render_briefing(*KOTA_SERANG, strict=True)
    assert result.validated and result.quality_status == "warnings"  # a gate-2 warning: reported
    send_briefing(result, find_meeting(*KOTA_SERANG))
    assert [e.rcpt_tos for e in inbox.envelopes] == [["kesbangpol@serangkota.example"]]


def test_altered_pdf_is_not_sent(briefing_db, inbox):
    result = render_briefing(*KOTA_SERANG, strict=True)
    with result.path.open("ab") as handle:
        handle.write(b"\n% tampered\n")
    with pytest.raises(DeliveryRefused, match="not the archived"):
        send_briefing(result, find_meeting(*KOTA_SERANG))
    assert inbox.envelopes == []


def test_meeting_without_recipients_is_not_sent(briefing_db, inbox):
    result = render_briefing(*KOTA_SERANG, strict=True)
    meeting = dataclasses.replace(find_meeting(*KOTA_SERANG), recipients=())
    with pytest.raises(DeliveryRefused, match="no recipients"):
        send_briefing(result, meeting)
    with pytest.raises(DeliveryRefused, match="not meeting"):
        send_briefing(result, find_meeting(*BANTEN))
    assert inbox.envelopes == []


def test_dag_task_delivers_only_when_asked(briefing_db, inbox):
    params = {"region": "36.73", "meeting_date": "2025-10-28", "language": "id"}
    (quiet,) = pipeline.render_due_briefings(params, None)
    assert quiet["delivery"] == "not requested"
    assert inbox.envelopes == []
    assert _delivery_record(briefing_db) == (None, None, None, False)

    (sent,) = pipeline.render_due_briefings(params, None, deliver=True)
    assert sent["delivery"] == "sent to kesbangpol@serangkota.example"
    (message,) = inbox.messages()
    _, payload = _attachment(message)
    assert hashlib.sha256(payload).hexdigest() == sent["sha256"]
    assert _delivery_record(briefing_db) == (
        "sent",
        "via smtp_default",
        ["kesbangpol@serangkota.example"],
        True,
    )

    _fail_mart_gate(briefing_db)
    (refused,) = pipeline.render_due_briefings(params, None, deliver=True)
    assert refused["delivery"].startswith("refused: its inputs are not validated")
    assert refused["quality_status"] == "mart_failed"
    assert len(inbox.envelopes) == 1  # nothing more was sent
    status, detail, recipients, delivered = _delivery_record(briefing_db)
    assert (status, recipients, delivered) == ("refused", None, False)
    assert detail.startswith("its inputs are not validated")


def _delivery_record(dsn: str) -> tuple:
    """The Kota Serang briefing's archive row: status, detail, recipients, whether a send time is set."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select delivery_status, delivery_detail, delivered_to, delivered_at is not null "
            "from audit.briefings where briefing_id = 'briefing_36.73_2025-10-28_id'"
        ).fetchone()


def test_smtp_failure_is_recorded_and_raised(briefing_db, monkeypatch):
    """The mail server is down: the error reaches Airflow (task retries) and the archive says so."""
    port = _free_port()  # nothing listens here
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=5"
        f"&from_email={SENDER.replace('@', '%40')}",
    )
    result = render_briefing(*KOTA_SERANG, strict=True)
    with pytest.raises(OSError):
        send_briefing(result, find_meeting(*KOTA_SERANG))
    status, detail, recipients, delivered = _delivery_record(briefing_db)
    assert (status, recipients, delivered) == ("failed", None, False)
    assert "Connection refused" in detail or "Errno" in detail, detail


def test_briefing_dag_delivers_when_the_form_says_so(briefing_db, inbox):
    """The real DAG (`dag.test()`): the Param `deliver` reaches the task; default is not to send."""
    from pantau.orchestration import airflow_local

    airflow_local.ensure_metadata_db()
    dag = airflow_local.load_dags()["pantau_briefing"]
    assert dag.params["deliver"] is False
    form = {"region": "36.73", "meeting_date": "2025-10-28", "language": "id"}
    quiet = airflow_local.run_dag(dag, conf=form)
    assert quiet.state == "success"
    assert inbox.envelopes == []

    sent = airflow_local.run_dag(dag, conf={**form, "deliver": True})
    assert sent.state == "success"
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["kesbangpol@serangkota.example"]
    (message,) = inbox.messages()
    name, payload = _attachment(message)
    pdf = Path(os.environ["PANTAU_OUTPUT_DIR"]) / "briefings" / name
    assert hashlib.sha256(payload).hexdigest() == hashlib.sha256(pdf.read_bytes()).hexdigest()
