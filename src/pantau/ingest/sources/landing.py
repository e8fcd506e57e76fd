"""Move fetched bytes into the landing zone safely, remembering where they came from.

Every fetched item is written to a temporary file under `<landing>/.fetching/<source>/` (a
hidden folder discovery never reads), fsynced, then linked into `<landing>/<feed>/` under a free
name (link never overwrites: one atomic step) and the folder fsynced. A run killed at any point
leaves either no file in the feed folder or a complete one; the two-phase record in
`audit.source_fetches` ('landing' before the link, 'landed' after) lets the next run finish the
job instead of fetching the item twice. Only after 'landed' may the source forget the item
(an e-mail is flagged, an SFTP file is remembered by path, size and mtime).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pantau.ingest.discover import IGNORED_NAMES, IGNORED_PREFIXES, PARTIAL_SUFFIXES, settle_seconds
from pantau.ingest.errors import Problem
from pantau.ingest.loader import NAME_MAX, quarantine, relative_name, sha256_of

log = logging.getLogger(__name__)

TEMP_ROOT = ".fetching"
MAIL_FOLDER = "_surel"  # e-mail items that belong to no feed: landed here and quarantined at once
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Origin:
    channel: str  # sftp | imap
    source: str  # registry source key
    remote_key: str  # what identifies the item at the source (stable across runs)
    sender: str | None = None
    message_id: str | None = None
    remote_path: str | None = None
    remote_mtime: datetime | None = None


def temp_dir(landing: Path, source_key: str) -> Path:
    """This source's scratch folder (only the holder of the source's lock writes here)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", source_key).strip("_")[:100]
    folder = landing / TEMP_ROOT / f"{slug}-{hashlib.sha256(source_key.encode()).hexdigest()[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clear_temp(landing: Path, source_key: str) -> int:
    """Remove what a killed run left half-written; called under the source's lock."""
    folder = temp_dir(landing, source_key)
    stale = list(folder.iterdir())
    for leftover in stale:
        log.info("removing a half-fetched leftover %s", leftover)
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    return len(stale)


def safe_name(name: str | None, fallback: str = "lampiran") -> str:
    """A file name an agency chose, made safe to land: no folders, no control characters, not a
    name discovery ignores or defers for ever (Office lock files, `.part` uploads)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".") or fallback
    if name.startswith(IGNORED_PREFIXES) or name.casefold() in IGNORED_NAMES:
        name = f"{fallback}_{name}"
    if name.casefold().endswith(PARTIAL_SUFFIXES):
        name = f"{name}_"
    encoded = name.encode("utf-8")
    if len(encoded) > NAME_MAX - 40:  # room for a sha prefix and the .reason.json suffix
        suffix = Path(name).suffix[:16]
        name = encoded[: NAME_MAX - 40 - len(suffix.encode())].decode("utf-8", "ignore") + suffix
    return name


def write_temp(folder: Path, chunks, *, fault=None) -> Path:
    """Write chunks to a new temporary file in `folder` and fsync it; on any error the partial
    file is removed (a SIGKILL leaves it for clear_temp)."""
    path = folder / f"{os.getpid()}-{time.monotonic_ns()}.part"
    try:
        with path.open("wb") as out:
            for n, chunk in enumerate(chunks):
                out.write(chunk)
                if n == 0 and fault:
                    out.flush()
                    fault()
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fetch_state(conn, origin: Origin) -> tuple[str, str, str] | None:
    """(status, landed_file, sha256) of this item, if a run already took it."""
    return conn.execute(
        "select status, landed_file, file_sha256 from audit.source_fetches "
        "where source = %s and remote_key = %s",
        (origin.source, origin.remote_key),
    ).fetchone()


def _record(conn, origin: Origin, *, feed: str, landed_file: str, sha: str, size: int, status: str) -> None:
    conn.execute(
        """
        insert into audit.source_fetches (source, channel, remote_key, feed, landed_file, file_sha256,
            file_bytes, sender, message_id, remote_path, remote_mtime, status)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        on conflict (source, remote_key) do update set
            feed = excluded.feed, landed_file = excluded.landed_file, file_sha256 = excluded.file_sha256,
            file_bytes = excluded.file_bytes, status = excluded.status, fetched_at = now()
        """,
        (
            origin.source,
            origin.channel,
            origin.remote_key,
            feed,
            landed_file,
            sha,
            size,
            origin.sender,
            origin.message_id,
            origin.remote_path,
            origin.remote_mtime,
            status,
        ),
    )


def _in_ledger(conn, landed_file: str, sha: str) -> bool:
    return (
        conn.execute(
            "select 1 from audit.load_ledger where source_file = %s and file_sha256 = %s", (landed_file, sha)
        ).fetchone()
        is not None
    )


def land(
    conn,
    landing: Path,
    feed_name: str,
    name: str,
    temp: Path,
    origin: Origin,
    *,
    problem: Problem | None = None,
) -> str:
    """Put the complete temp file in `<landing>/<feed>/` (or, with a `problem`, straight into
    quarantine with that reason) and record it; returns the landed name (relative to landing).

    `conn` must be in autocommit mode: each record is committed before the next step."""
    sha, size = sha256_of(temp), temp.stat().st_size
    folder = landing / feed_name
    folder.mkdir(parents=True, exist_ok=True)
    previous = fetch_state(conn, origin)
    if previous and previous[0] == "landing" and previous[2] == sha:
        # A run died between recording and finishing: is the file already where it was going?
        landed = landing / previous[1]
        if _in_ledger(conn, previous[1], sha) or (landed.is_file() and sha256_of(landed) == sha):
            temp.unlink()
            if problem is not None and landed.is_file():
                quarantine(conn, feed_name, landed, landing=landing, sha=sha, problem=problem)
            _record(
                conn, origin, feed=feed_name, landed_file=previous[1], sha=sha, size=size, status="landed"
            )
            return previous[1]
    # Discovery waits until a file has been quiet for the settle time: a fetched file is complete,
    # so it is dated in the past (its remote time when older) and loads in this same run.
    quiet = time.time() - settle_seconds() - 1
    mtime = min(origin.remote_mtime.timestamp(), quiet) if origin.remote_mtime else quiet
    os.utime(temp, (mtime, mtime))
    name = safe_name(name)
    candidates = [name, f"{sha[:12]}__{name}", *(f"{sha[:12]}-{n}__{name}" for n in range(2, 1000))]
    for candidate in candidates:
        target = folder / candidate
        landed_file = relative_name(target, landing)
        if target.exists() or target.is_symlink():
            continue
        _record(conn, origin, feed=feed_name, landed_file=landed_file, sha=sha, size=size, status="landing")
        try:
            os.link(temp, target)  # never overwrites; the same filesystem, so the bytes stay put
        except FileExistsError:
            continue  # someone dropped a file of that name meanwhile
        break
    else:
        raise FileExistsError(f"no free name for {name!r} in {folder}")
    temp.unlink()
    _fsync_dir(folder)
    if problem is not None:
        quarantine(conn, feed_name, target, landing=landing, sha=sha, problem=problem)
    _record(conn, origin, feed=feed_name, landed_file=landed_file, sha=sha, size=size, status="landed")
    log.info(
        "fetched %s from %s into %s", origin.remote_path or origin.remote_key, origin.source, landed_file
    )
    return landed_file


def attach_origins(conn, batch_id: str | None = None) -> None:
    """Copy each fetched file's origin onto its ledger row(s); a row loaded from the landing
    folder with no fetch behind it is marked as such (`batch_id`: the row just loaded)."""
    conn.execute(
        """
        update audit.load_ledger as ledger set
            origin_channel = fetched.channel,
            origin_source = fetched.source,
            origin_sender = fetched.sender,
            origin_message_id = fetched.message_id,
            origin_remote_path = fetched.remote_path,
            origin_remote_mtime = fetched.remote_mtime
        from (
            select distinct on (landed_file, file_sha256) *
            from audit.source_fetches
            order by landed_file, file_sha256, fetch_id
        ) as fetched
        where ledger.origin_channel is null
            and ledger.source_file = fetched.landed_file
            and ledger.file_sha256 = fetched.file_sha256
        """
    )
    if batch_id is not None:
        conn.execute(
            "update audit.load_ledger set origin_channel = 'landing' "
            "where batch_id = %s and origin_channel is null",
            (batch_id,),
        )


def utc_from_timestamp(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)
