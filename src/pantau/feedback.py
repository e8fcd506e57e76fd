"""Tell the sending agency what became of its file, by e-mail, in Bahasa Indonesia (English below).

After each ingest run, every file of the feed that reached a final state (accepted, rejected by
gate 1, quarantined) and has someone to tell gets one message:
  - accepted: a short receipt with the row count and any warnings;
  - rejected / quarantined: the file, what was wrong (row, column, expected, found; the failed
    checks as gate 1 describes them) and what to send instead.
Who is told: the address the file was e-mailed from, when that sender is registered for a feed
(feeds.yml `imap` senders), else the agency's `contacts:` in feeds.yml. Unknown senders are not
answered (their mail is quarantined for the data team; replying would feed spam).

The words come from where the rules live: the quarantine reason (`.reason.json`, kept in the
ledger's error_detail), the gate-1 check descriptions (audit.batch_quality), the row rejects
(raw.<feed>__rejects). Values of personal-data columns are never quoted back.

Every attempt is recorded in audit.feedback. A mail server that is down loses nothing: the load
is committed before any mail is attempted, the failure is recorded, and the next run tries again
(up to MAX_ATTEMPTS).
"""

from __future__ import annotations

import fnmatch
import logging
import os
from dataclasses import dataclass

import psycopg
from markupsafe import escape
from psycopg import sql

from pantau import config
from pantau.ingest.sources.landing import MAIL_FOLDER
from pantau.registry import Feed, feeds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
WINDOW_ENV = "PANTAU_FEEDBACK_WINDOW_DAYS"  # only files received this recently are answered
REJECT_SAMPLE = 10
HIDDEN = "(disembunyikan: data pribadi / hidden: personal data)"

KINDS = {"accepted": "receipt", "rejected": "rejection", "quarantined": "quarantine"}
SEVERITY = {"blocking": "menghalangi / blocking", "warning": "peringatan / warning"}


@dataclass(frozen=True)
class Notice:
    batch_id: str
    feed: str
    kind: str
    recipients: tuple[str, ...]
    subject: str
    html: str


def registered_sender(sender: str | None, registry: dict[str, Feed]) -> bool:
    return bool(sender) and any(
        fnmatch.fnmatchcase(sender, pattern)
        for f in registry.values()
        for s in f.sources
        if s.kind == "imap"
        for pattern in s.senders
    )


def recipients_for(row: dict, registry: dict[str, Feed]) -> tuple[str, ...]:
    if registered_sender(row["origin_sender"], registry):
        return (row["origin_sender"],)
    feed = registry.get(row["feed"])
    return feed.contacts if feed else ()


def pending(conn, feed_names: list[str]) -> list[dict]:
    """Final ledger rows of these feeds not yet answered (and not given up on)."""
    days = int(os.environ.get(WINDOW_ENV, 7))
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(
        """
        select ledger.batch_id, ledger.feed, ledger.source_file, ledger.status, ledger.row_count,
            ledger.reject_count, ledger.error_code, ledger.error_detail, ledger.origin_sender,
            ledger.origin_remote_path, ledger.received_at
        from audit.load_ledger as ledger
        where ledger.feed = any(%s)
            and ledger.status in ('accepted', 'rejected', 'quarantined')
            and ledger.error_code is distinct from 'BALASAN_OTOMATIS'  -- answering could loop
            and ledger.received_at > now() - make_interval(days => %s)
            and not exists (
                select 1 from audit.feedback as sent
                where sent.batch_id = ledger.batch_id and sent.status = 'sent'
            )
            and (select count(*) from audit.feedback as tried where tried.batch_id = ledger.batch_id) < %s
        order by ledger.received_at, ledger.batch_id
        """,
        (feed_names, days, MAX_ATTEMPTS),
    ).fetchall()


def _failed_checks(conn, batch_id: str) -> tuple[list[str], list[str]]:
    """(blocking, warning) descriptions of the checks this batch failed, as gate 1 words them."""
    row = conn.execute(
        "select failed_checks from audit.batch_quality where batch_id = %s", (batch_id,)
    ).fetchone()
    blocking, warning = [], []
    for entry in (row[0] if row else None) or []:
        severity, _, description = entry.partition(": ")
        (blocking if severity == "blocking" else warning).append(description)
    return blocking, warning


def _row_rejects(conn, feed: Feed | None, batch_id: str) -> list[dict]:
    if feed is None:
        return []
    table = sql.Identifier("raw", f"{feed.name}__rejects")
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    rows = cur.execute(
        sql.SQL(
            "select _row_number as row, column_name as column, expected, found, message_id, message_en "
            "from {} where _batch_id = %s order by _row_number limit %s"
        ).format(table),
        (batch_id, REJECT_SAMPLE),
    ).fetchall()
    pii = {c.name for c in feed.columns if c.pii}
    return [{**r, "found": HIDDEN if r["column"] in pii else r["found"]} for r in rows]


def _what_to_send(feed: Feed | None, code: str | None) -> tuple[str, str]:
    if code == "BERKAS_DUPLIKAT":
        return (
            "Tidak perlu mengirim ulang: isi berkas ini sudah kami terima sebelumnya.",
            "Nothing to resend: we already received these exact contents.",
        )
    if code == "PENGIRIM_TIDAK_DIKENAL" or feed is None:
        return (
            "Kirim berkas data sebagai lampiran dari alamat yang terdaftar, atau hubungi tim data Pantau.",
            "Send the data file as an attachment from your registered address, "
            "or contact the Pantau data team.",
        )
    required = ", ".join(feed.required_columns)
    formats = "/".join(feed.formats)
    return (
        f"Kirim ulang seluruh berkas ({formats}) yang sudah diperbaiki untuk '{feed.description}', "
        f"dengan kolom wajib: {required}.",
        f"Send the whole corrected file ({formats}) for '{feed.description}' again, "
        f"with the required columns: {required}.",
    )


def build_notice(conn, row: dict, registry: dict[str, Feed]) -> Notice | None:
    recipients = recipients_for(row, registry)
    if not recipients:
        return None
    feed = registry.get(row["feed"])
    kind = KINDS[row["status"]]
    name = row["origin_remote_path"] or row["source_file"].split("/", 1)[-1]
    parts: list[str] = []

    def para(id_text: str, en_text: str) -> None:
        parts.append(f"<p>{escape(id_text)}<br><em>{escape(en_text)}</em></p>")

    def items(lines: list[str]) -> None:
        if lines:
            parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")

    def where(r: dict) -> str:
        bits = [
            f"baris/row {r['row']}" if r.get("row") is not None else "",
            f"kolom/column {r['column']}" if r.get("column") else "",
        ]
        found = r.get("found")
        detail = (
            f"diharapkan/expected: {r.get('expected')}; ditemukan/found: {found!r}"
            if r.get("expected")
            else ""
        )
        return " — ".join(
            b
            for b in (
                ", ".join(b for b in bits if b),
                r.get("message_id") or "",
                r.get("message_en") or "",
                detail,
            )
            if b
        )

    blocking, warnings = _failed_checks(conn, row["batch_id"]) if row["status"] != "quarantined" else ([], [])
    rejects = _row_rejects(conn, feed, row["batch_id"]) if row["status"] != "quarantined" else []
    if kind == "receipt":
        subject = f"Pantau: berkas {name} diterima ({row['row_count']} baris) / file received"
        para(
            f"Berkas '{name}' telah diterima dan dimuat: {row['row_count']} baris.",
            f"The file '{name}' was received and loaded: {row['row_count']} rows.",
        )
        if warnings or row["reject_count"]:
            para(
                f"Catatan untuk perbaikan berikutnya ({row['reject_count']} baris tidak terbaca):",
                f"Notes for next time ({row['reject_count']} unreadable rows):",
            )
            items([f"{SEVERITY['warning']}: {w}" for w in warnings] + [where(r) for r in rejects])
    elif kind == "rejection":
        subject = f"Pantau: berkas {name} ditolak / file rejected"
        para(
            f"Berkas '{name}' terbaca ({row['row_count']} baris) tetapi tidak lolos pemeriksaan mutu data; "
            "datanya tidak dipakai.",
            f"The file '{name}' was read ({row['row_count']} rows) but failed the data quality checks; "
            "its data is not used.",
        )
        para("Pemeriksaan yang gagal:", "Checks that failed:")
        items(
            [f"{SEVERITY['blocking']}: {b}" for b in blocking]
            + [f"{SEVERITY['warning']}: {w}" for w in warnings]
        )
        if rejects:
            para("Baris yang tidak terbaca:", "Rows that could not be read:")
            items([where(r) for r in rejects])
    else:
        reason = dict(row["error_detail"] or {})
        if feed is not None and reason.get("column") in {c.name for c in feed.columns if c.pii}:
            reason["found"] = HIDDEN
        subject = f"Pantau: berkas {name} tidak dimuat / file not loaded"
        para(
            f"Berkas '{name}' tidak dimuat dan disimpan terpisah (karantina).",
            f"The file '{name}' was not loaded and has been set aside (quarantine).",
        )
        items([f"[{row['error_code']}] {where(reason)}"])
    instead_id, instead_en = _what_to_send(feed, row["error_code"])
    if kind != "receipt":
        para(f"Yang perlu dikirim: {instead_id}", f"What to send instead: {instead_en}")
    para("Pesan otomatis dari Pantau, Tim POA.", "Automatic message from Pantau, Tim POA.")
    return Notice(row["batch_id"], row["feed"], kind, recipients, subject, "\n".join(parts))


def _record(conn, notice: Notice, status: str, detail: str) -> None:
    conn.execute(
        "insert into audit.feedback (batch_id, feed, kind, recipients, subject, status, detail) "
        "values (%s, %s, %s, %s, %s, %s, %s)",
        (
            notice.batch_id,
            notice.feed,
            notice.kind,
            list(notice.recipients),
            notice.subject,
            status,
            detail[:500],
        ),
    )


def send_feedback(
    feed_name: str, *, dsn: str | None = None, conn_id: str = "smtp_default", registry: dict | None = None
) -> list[dict]:
    """E-mail each pending file's agency (this feed's files and unroutable mail); never raises for
    a mail failure. Returns what was attempted."""
    from pantau.delivery import send_mail

    registry = registry or feeds()
    done = []
    with psycopg.connect(dsn or config.warehouse_dsn(), autocommit=True) as conn:
        # One sender at a time per feed: two runs never answer the same file twice.
        locked = conn.execute(
            "select pg_try_advisory_lock(hashtextextended(%s, 15))", (feed_name,)
        ).fetchone()[0]
        if not locked:
            return done
        try:
            for row in pending(conn, [feed_name, MAIL_FOLDER]):
                notice = build_notice(conn, row, registry)
                if notice is None:
                    continue
                try:
                    send_mail(
                        to=notice.recipients,
                        subject=notice.subject,
                        html=notice.html,
                        # RFC 3834: an agency's auto-responder must not answer this one.
                        headers={"X-Pantau-Batch-Id": notice.batch_id, "Auto-Submitted": "auto-generated"},
                        conn_id=conn_id,
                    )
                except Exception as exc:  # the load stands; the next run tries again
                    log.warning("feedback for %s not sent: %s", notice.batch_id, exc)
                    _record(conn, notice, "failed", f"{type(exc).__name__}: {exc}")
                    done.append({"batch_id": notice.batch_id, "status": "failed"})
                else:
                    _record(conn, notice, "sent", f"via {conn_id}")
                    done.append({"batch_id": notice.batch_id, "status": "sent", "kind": notice.kind})
        finally:
            conn.execute("select pg_advisory_unlock(hashtextextended('feedback', 15))")
    return done
