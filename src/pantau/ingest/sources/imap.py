"""Fetch attachments from a team mailbox (IMAP, Python's imaplib) and route each to its feed.

Connection (Airflow, conn type `imap`): host, port, login, password; extra `use_ssl` (default
true: IMAPS on 993) or `starttls`. One mailbox folder usually serves several feeds: the registry
says, per feed, which senders and which attachment types (and names) belong to it. Each message
is read without marking it \\Seen; once every item of it is in the landing zone (or in
quarantine with a reason) it gets the keyword `$PantauFetched` (and is moved to `move_to` when
the source names one), so the next run skips it. A run that dies before that re-reads the
message and finishes what is missing; nothing is landed twice.

What cannot be routed is quarantined under `_surel` with a reason, never dropped: a sender no
feed lists, an attachment type or name no feed of that sender expects (or that several expect),
a message with no attachment at all. A zip attachment is opened and each member routed as if it
had been attached itself.

Why imaplib and not Airflow's ImapHook: the hook picks attachments by name and writes them
straight into a folder; routing needs the sender and Message-ID, exactly-once needs UIDs and a
keyword set only after the file is safely landed.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import fnmatch
import hashlib
import imaplib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from pantau.ingest.errors import Problem
from pantau.ingest.loader import _fault, max_file_bytes
from pantau.ingest.sources.connections import SourceError, get_connection
from pantau.ingest.sources.landing import (
    MAIL_FOLDER,
    Origin,
    clear_temp,
    fetch_state,
    land,
    temp_dir,
    write_temp,
)
from pantau.registry import Feed, Source

log = logging.getLogger(__name__)

FETCHED_KEYWORD = "$PantauFetched"
ZIP_MAX_MEMBERS = 50


@dataclass(frozen=True)
class Item:
    name: str
    data: bytes
    remote_path: str  # attachment name, or zip/member


def connect(conn_id: str) -> imaplib.IMAP4:
    conn = get_connection(conn_id)
    extra = conn.extra_dejson
    use_ssl = str(extra.get("use_ssl", True)).lower() not in {"false", "0", "no"}
    timeout = float(extra.get("conn_timeout", 30))
    port = int(conn.port or (993 if use_ssl else 143))
    try:
        client = (imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4)(conn.host, port, timeout=timeout)
        if not use_ssl and str(extra.get("starttls", False)).lower() in {"true", "1", "yes"}:
            client.starttls()
        client.login(conn.login, conn.password or "")
    except (OSError, imaplib.IMAP4.error) as exc:
        raise SourceError(f"mailbox of {conn_id!r} ({conn.host}:{port}): {exc}") from exc
    return client


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch(conn, landing: Path, source: Source, routes: list[tuple[Feed, Source]]) -> list[str]:
    """Fetch every message not yet taken from the source's folder; returns landed names."""
    clear_temp(landing, source.key)
    client = connect(source.connection)
    landed: list[str] = []
    try:
        typ, _ = client.select(_quote(source.folder))
        if typ != "OK":
            raise SourceError(f"mailbox folder {source.folder!r} of {source.connection!r} cannot be opened")
        typ, data = client.uid("SEARCH", None, "UNKEYWORD", FETCHED_KEYWORD)
        for uid in (data[0] or b"").split():
            typ, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if typ != "OK" or raw is None:
                raise SourceError(f"message UID {uid.decode()} could not be read")
            landed += _take_message(conn, landing, source, routes, raw)
            _fault("imap_before_flag")
            client.uid("STORE", uid, "+FLAGS", f"({FETCHED_KEYWORD})")
            if source.move_to:
                typ, _ = client.uid("MOVE", uid, _quote(source.move_to))
                if typ != "OK":
                    log.warning("could not move message UID %s to %s", uid.decode(), source.move_to)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return landed


def _take_message(conn, landing: Path, source: Source, routes, raw: bytes) -> list[str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower() or None
    message_id = str(message.get("Message-ID", "")).strip() or f"<sha256-{hashlib.sha256(raw).hexdigest()}>"
    try:
        sent_at = parsedate_to_datetime(str(message["Date"])) if message.get("Date") else None
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = None
    scratch = temp_dir(landing, source.key)
    senders_routes = [(feed, src) for feed, src in routes if _sender_matches(sender, src.senders)]
    items = list(_items(message))
    landed = []
    if not items:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", message_id).strip("_")[:60] or "pesan"
        items = [Item(f"pesan_{slug}.eml", raw, "(pesan tanpa lampiran)")]
    for index, item in enumerate(items):
        if item.remote_path == "(pesan tanpa lampiran)":
            feed_name, problem = (
                MAIL_FOLDER,
                _no_attachment(sender, bool(senders_routes), _automatic(message)),
            )
        else:
            feed_name, problem = _route(item, sender, senders_routes)
        origin = Origin(
            channel="imap",
            source=source.key,
            remote_key=f"{message_id}#{index}:{item.remote_path}",
            sender=sender,
            message_id=message_id,
            remote_path=item.remote_path,
            remote_mtime=sent_at,
        )
        state = fetch_state(conn, origin)
        if state is not None and state[0] == "landed":
            continue  # a run that died before flagging the message had already taken this one
        temp = write_temp(scratch, [item.data])
        landed.append(land(conn, landing, feed_name, item.name, temp, origin, problem=problem))
    return landed


def _items(message):
    """Every attachment; a zip's members in its place (when it can be opened safely)."""
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue  # the message text itself
        if part.get_content_disposition() == "inline" and part.get_content_maintype() == "image":
            continue  # a logo in the signature, not something the agency meant to send
        data = part.get_payload(decode=True) or b""
        name = name or "lampiran"
        if name.lower().endswith(".zip"):
            members = _zip_members(name, data)
            if members is not None:
                yield from members
                continue
        yield Item(name, data, name)


def _zip_members(name: str, data: bytes) -> list[Item] | None:
    """The members of a zip attachment, or None (quarantine the zip itself) when it is not a
    readable zip, is encrypted, or would unpack to more than the file size limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if (
            len(infos) > ZIP_MAX_MEMBERS
            or sum(info.file_size for info in infos) > max_file_bytes()
            or any(info.flag_bits & 0x1 for info in infos)
        ):
            return None
        return [
            Item(info.filename.rsplit("/", 1)[-1], archive.read(info), f"{name}/{info.filename}")
            for info in infos
        ]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None


def _sender_matches(sender: str | None, patterns: tuple[str, ...]) -> bool:
    return sender is not None and any(fnmatch.fnmatchcase(sender, pattern) for pattern in patterns)


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _route(item: Item, sender: str | None, senders_routes) -> tuple[str, Problem | None]:
    if not senders_routes:
        return MAIL_FOLDER, Problem(
            "PENGIRIM_TIDAK_DIKENAL",
            f"Pengirim '{sender}' tidak terdaftar untuk feed mana pun; lampiran tidak dimuat.",
            f"Sender '{sender}' is not registered for any feed; the attachment was not loaded.",
            expected="a sender listed under a feed's imap source in feeds.yml",
            found=str(sender),
        )
    ext = _extension(item.name)
    matches = sorted(
        {
            feed.name
            for feed, src in senders_routes
            if ext in (src.attachments or feed.formats)
            and fnmatch.fnmatch(item.name.casefold(), src.filename.casefold())
        }
    )
    if len(matches) == 1:
        return matches[0], None
    expected = "; ".join(
        f"{feed.name}: {'/'.join(src.attachments or feed.formats)}"
        + (f" named {src.filename}" if src.filename != "*" else "")
        for feed, src in senders_routes
    )
    if not matches:
        return MAIL_FOLDER, Problem(
            "LAMPIRAN_TIDAK_DIHARAPKAN",
            f"Lampiran '{item.remote_path}' bukan jenis atau nama berkas yang diharapkan dari pengirim ini; "
            f"tidak dimuat. Yang diharapkan: {expected}.",
            f"Attachment '{item.remote_path}' is not a file type or name expected from this sender; "
            f"not loaded. Expected: {expected}.",
            expected=expected,
            found=item.remote_path,
        )
    return MAIL_FOLDER, Problem(
        "LAMPIRAN_AMBIGU",
        f"Lampiran '{item.remote_path}' cocok untuk beberapa feed ({', '.join(matches)}); tidak dimuat. "
        "Beri nama berkas yang menyebut jenis datanya.",
        f"Attachment '{item.remote_path}' fits several feeds ({', '.join(matches)}); not loaded. "
        "Name the file after the kind of data it holds.",
        expected=expected,
        found=item.remote_path,
    )


def _automatic(message) -> bool:
    """An auto-reply or bulk mail (RFC 3834): answering it could start a mail loop."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(message.get(h) for h in ("X-Autoreply", "X-Autorespond"))
    )


def _no_attachment(sender: str | None, known: bool, automatic: bool = False) -> Problem:
    if automatic:
        return Problem(
            "BALASAN_OTOMATIS",
            "Balasan otomatis (mis. pesan di luar kantor) tanpa lampiran; disimpan, tidak dijawab.",
            "An automatic reply (e.g. out of office) without an attachment; kept, not answered.",
            expected="a message with the data file attached",
            found="Auto-Submitted / Precedence header",
        )
    if not known:
        return Problem(
            "PENGIRIM_TIDAK_DIKENAL",
            f"Pengirim '{sender}' tidak terdaftar untuk feed mana pun, dan pesannya tanpa lampiran.",
            f"Sender '{sender}' is not registered for any feed, and the message has no attachment.",
            expected="a sender listed under a feed's imap source in feeds.yml",
            found=str(sender),
        )
    return Problem(
        "TANPA_LAMPIRAN",
        "Pesan ini tidak memiliki lampiran; tidak ada data yang dimuat. Lampirkan berkasnya.",
        "The message has no attachment; no data was loaded. Attach the file.",
        expected="a message with the data file attached",
        found="no attachment",
    )
