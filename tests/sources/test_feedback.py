"""Each agency hears what became of its file: a receipt, or what was wrong and what to send
instead, in Bahasa Indonesia with English below (real IMAP, SFTP and SMTP servers)."""

from __future__ import annotations

import html
import json

import psycopg
import pytest

from pantau import pipeline
from pantau.feedback import send_feedback
from pantau.ingest.sources.fetch import fetch_feed_sources

from .conftest import DUKCAPIL, smtp_connection
from .servers import free_port
from .test_mailbox import SKTT_CSV, mail
from .test_sftp import put_remote


def body(message) -> str:
    return html.unescape(message.get_body(preferencelist=("html", "plain")).get_content())


def run_feed(feed: str, landing) -> list[dict]:
    """What the ingest DAG does for one feed, up to the gate: fetch, discover, load."""
    fetch_feed_sources(feed)
    return [pipeline.load_batch(feed, path, landing) for path in pipeline.discover_files(feed, landing)]


def feedback_rows(dsn: str):
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select kind, recipients, status from audit.feedback order by feedback_id"
        ).fetchall()


def test_quarantined_file_the_sender_is_told_what_was_wrong_and_what_to_send(
    warehouse_db, landing, source_registry, imap_server, outbox
):
    no_passport = b"\r\n".join(
        b",".join(cell for n, cell in enumerate(line.split(b",")) if n != 2) for line in SKTT_CSV.splitlines()
    )
    imap_server.deliver(mail(DUKCAPIL, [("sktt_oktober.csv", no_passport)]))
    (outcome,) = run_feed("dukcapil_sktt", landing)
    assert outcome["status"] == "quarantined"
    reason = json.loads(next((landing / "_quarantine").rglob("*.reason.json")).read_text(encoding="utf-8"))

    assert send_feedback("dukcapil_sktt") == [
        {"batch_id": outcome["batch_id"], "status": "sent", "kind": "quarantine"}
    ]
    (message,) = outbox.messages()
    assert message["To"] == DUKCAPIL
    assert "sktt_oktober.csv" in message["Subject"] and "tidak dimuat / file not loaded" in message["Subject"]
    text = body(message)
    # The loader's own reason, both languages, with what was expected and found: not re-written.
    for part in (reason["message_id"], reason["message_en"], reason["expected"], reason["error_code"]):
        assert part and part in text
    assert text.index(reason["message_id"]) < text.index(reason["message_en"]), "Indonesian first"
    assert "Yang perlu dikirim" in text and "What to send instead" in text
    assert "no_sktt, no_paspor, kewarganegaraan" in text, "the required columns to send"
    assert feedback_rows(warehouse_db) == [("quarantine", [DUKCAPIL], "sent")]

    assert send_feedback("dukcapil_sktt") == [], "told once"
    assert len(outbox.messages()) == 1


def test_a_failing_mail_server_never_loses_a_load(
    warehouse_db, landing, source_registry, imap_server, outbox, monkeypatch
):
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection(free_port()))  # nothing listens
    imap_server.deliver(mail(DUKCAPIL, [], subject="Lupa lampiran"))
    fetch_feed_sources("dukcapil_sktt")
    (attempt,) = pipeline.send_feedback("dukcapil_sktt")  # returns, does not raise
    assert attempt["status"] == "failed"
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("select status, error_code from audit.load_ledger").fetchall() == [
            ("quarantined", "TANPA_LAMPIRAN")
        ]
        (detail,) = conn.execute("select detail from audit.feedback").fetchone()
    assert "Connection refused" in detail or "Errno" in detail

    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", outbox.connection)  # the server is back
    assert [a["status"] for a in send_feedback("dukcapil_sktt")] == ["sent"]
    (message,) = outbox.messages()
    assert "Pesan ini tidak memiliki lampiran" in body(message)
    assert feedback_rows(warehouse_db) == [
        ("quarantine", [DUKCAPIL], "failed"),
        ("quarantine", [DUKCAPIL], "sent"),
    ]


def test_unknown_senders_are_not_answered(warehouse_db, landing, source_registry, imap_server, outbox):
    imap_server.deliver(mail("promo@spam.example", [("sktt_murah.csv", SKTT_CSV)]))
    fetch_feed_sources("dukcapil_sktt")
    assert send_feedback("dukcapil_sktt") == []
    assert outbox.messages() == []


def test_an_sftp_file_is_answered_to_the_agency_contacts(
    warehouse_db, landing, source_registry, sftp_server, outbox
):
    put_remote(sftp_server, "TKA_rusak.csv", b"\x00\x01\x02 bukan data")
    (outcome,) = run_feed("disnaker_tka", landing)
    assert outcome["status"] == "quarantined"
    send_feedback("disnaker_tka")
    (message,) = outbox.messages()
    assert message["To"] == "data@disnakertrans.example.go.id"  # feeds.yml contacts: Disnakertrans
    assert "EXPORT/TKA_rusak.csv" in message["Subject"]


@pytest.mark.slow
def test_accepted_file_gets_a_receipt_and_rejected_one_the_failed_checks(
    warehouse_db, landing, source_registry, imap_server, outbox, tmp_path
):
    """Through the real gate 1 (GX): its own check descriptions reach the agency."""
    from quality.conftest import build_reference

    build_reference(warehouse_db, tmp_path / "dbt")
    no_region = (
        SKTT_CSV.replace(b"Kota Cilegon", b"")
        .replace(b"Kab. Serang", b"")
        .replace(b"SKTT-3604-2025-0000", b"SKTT-3604-2025-1000")
    )
    imap_server.deliver(mail(DUKCAPIL, [("sktt_oktober.csv", SKTT_CSV)]))
    imap_server.deliver(mail(DUKCAPIL, [("sktt_november.csv", no_region)]))
    verdicts = {o["source_file"]: pipeline.validate_raw(o) for o in run_feed("dukcapil_sktt", landing)}
    assert {k: v["accepted"] for k, v in verdicts.items()} == {
        "dukcapil_sktt/sktt_oktober.csv": True,
        "dukcapil_sktt/sktt_november.csv": False,
    }
    assert sorted(a["kind"] for a in pipeline.send_feedback("dukcapil_sktt")) == ["receipt", "rejection"]
    messages = {m["Subject"]: body(m) for m in outbox.messages()}
    receipt = next(
        text for subject, text in messages.items() if "sktt_oktober.csv diterima (2 baris)" in subject
    )
    assert "2 baris" in receipt and "2 rows" in receipt
    rejection = next(text for subject, text in messages.items() if "sktt_november.csv ditolak" in subject)
    # Gate 1's own description of the failed check, and the loader's row-level reasons.
    assert "menghalangi / blocking: Batch berisi minimal satu baris / batch has at least one row" in rejection
    assert (
        "baris/row 2, kolom/column kabupaten_kota — Kolom wajib 'kabupaten_kota' kosong. — "
        "Required column 'kabupaten_kota' is empty." in rejection
    )
    assert "kolom wajib: no_sktt, no_paspor, kewarganegaraan, kabupaten_kota, tanggal_terbit" in rejection
    assert "peringatan / warning: " in receipt, "the accepted file's warnings, for next time"
    assert "Penduduk" not in rejection and "E4410002" not in rejection, "no personal data in the mail"


@pytest.mark.slow
def test_the_ingest_dag_fetches_loads_validates_and_answers(
    warehouse_db, landing, source_registry, imap_server, outbox, tmp_path
):
    """The real ingest DAG (`dag.test()`) for a feed whose files come by e-mail: the added source
    is a registry entry and a connection, nothing else; the run then proceeds as for a dropped file."""
    from quality.conftest import build_reference

    from pantau.orchestration import airflow_local

    build_reference(warehouse_db, tmp_path / "dbt")
    imap_server.deliver(mail(DUKCAPIL, [("sktt_oktober.csv", SKTT_CSV)]))
    airflow_local.ensure_metadata_db()
    dag = airflow_local.load_dags()["pantau_ingest__dukcapil_sktt"]
    assert dag.task_dict["fetch_sources"].downstream_task_ids == {"discover_files"}
    run = airflow_local.run_dag(dag)
    assert str(getattr(run.state, "value", run.state)) == "success"
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute(
            "select source_file, status, row_count, origin_channel, origin_sender from audit.load_ledger"
        ).fetchall() == [("dukcapil_sktt/sktt_oktober.csv", "accepted", 2, "imap", DUKCAPIL)]
    (message,) = outbox.messages()
    assert message["To"] == DUKCAPIL and "diterima (2 baris)" in message["Subject"]
    assert (landing / "_archive" / "dukcapil_sktt" / "sktt_oktober.csv").read_bytes() == SKTT_CSV


def test_an_out_of_office_reply_is_kept_but_not_answered(
    warehouse_db, landing, source_registry, imap_server, outbox
):
    """Our mail reaches an agency whose auto-responder writes back to the team mailbox: answering
    that would start a loop. Each of our mails also says it is automatic."""
    imap_server.deliver(mail(DUKCAPIL, [], subject="Lupa lampiran"))
    auto = mail(DUKCAPIL, [], subject="Di luar kantor: Pantau: berkas tidak dimuat").replace(
        b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:", 1
    )
    imap_server.deliver(auto)
    fetch_feed_sources("dukcapil_sktt")
    with psycopg.connect(warehouse_db) as conn:
        codes = sorted(r[0] for r in conn.execute("select error_code from audit.load_ledger").fetchall())
    assert codes == ["BALASAN_OTOMATIS", "TANPA_LAMPIRAN"]
    assert [a["status"] for a in send_feedback("dukcapil_sktt")] == ["sent"]
    (message,) = outbox.messages()
    assert message["Auto-Submitted"] == "auto-generated"
