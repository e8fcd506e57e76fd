"""Load one landed file into raw.<feed>: exactly once, in one transaction with its ledger row.

Order of work, and what a crash at each point leaves behind:
  1. fingerprint (sha256), and meanwhile read the file's head (encoding, dialect, header), whose
     verdict waits for step 2's look-up       crash: nothing changed
  2. BEGIN; ledger row; COPY rows     crash: the transaction rolls back, nothing changed
  3. COMMIT                           crash after: rows + ledger committed, file still in landing
  4. move the file to _archive/       the next run finds the sha256 in the ledger and only finishes
                                      the move (step 4) instead of loading again

A file that cannot be loaded is quarantined instead (reason file beside it, ledger row): whatever
is wrong with one file, load_file returns an outcome rather than raising, so the other files of
the run still load. Only infrastructure failures (database unreachable) raise, leaving the file in
the landing zone for the next run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from pantau import config
from pantau.ingest import fastcsv
from pantau.ingest.errors import FileRejected, Problem, file_problem
from pantau.ingest.readers import FORMATS_BY_SUFFIX, open_file
from pantau.ingest.table import ParsedFile
from pantau.registry import Feed

log = logging.getLogger(__name__)

ARCHIVE = "_archive"
QUARANTINE = "_quarantine"
DEFAULT_MAX_FILE_BYTES = 2 * 1024**3
HASH_CHUNK = 4 * 1024 * 1024
NAME_MAX = 255  # bytes in one file name (ext4, xfs, tmpfs)
REASON_SUFFIX = ".reason.json"
COPY_BUFFER = 1024 * 1024  # characters of CSV sent to COPY at a time


@dataclass
class LoadOutcome:
    feed: str
    source_file: str
    status: str  # loaded | quarantined | duplicate | recovered
    batch_id: str | None = None
    file_sha256: str | None = None
    rows: int = 0
    rejects: int = 0
    problem: dict | None = None
    notes: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def max_file_bytes() -> int:
    return int(os.environ.get("PANTAU_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_symlink():  # never followed: the link itself is what was dropped
        digest.update(os.fsencode(os.readlink(path)))
        return digest.hexdigest()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Head:
    """open_file's result or error, kept until the ledger has said whether the file is to be read."""

    def __init__(self, path: Path, feed: Feed):
        self.parsed: ParsedFile | None = None
        self.error: Exception | None = None
        try:
            self.parsed = open_file(path, feed)
        except Exception as exc:  # raised where open_file was called before: in load_file's try
            self.error = exc

    def result(self) -> ParsedFile:
        if self.error is not None:
            raise self.error
        return self.parsed

    def close(self) -> None:
        if self.parsed is not None:
            self.parsed.close()


def _hash_and_read_head(path: Path, feed: Feed) -> tuple[str, _Head]:
    """sha256_of in a thread (hashlib and file reads release the GIL) while this one reads the
    head: on two cores the head's cost (encoding, dialect, header) hides behind the hash's."""
    with ThreadPoolExecutor(1, thread_name_prefix="pantau-sha256") as pool:
        digest = pool.submit(sha256_of, path)
        head = _Head(path, feed)
        try:
            return digest.result(), head
        except BaseException:
            head.close()
            raise


def batch_id_for(feed: Feed, sha256: str) -> str:
    """Deterministic, so a rerun after a crash finds the batch it already committed."""
    return f"{feed.name}-{sha256[:16]}"


def _fault(point: str) -> None:
    """Fault injection for the exactly-once tests: die here, like a killed worker, when asked."""
    if os.environ.get("PANTAU_FAULT_POINT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def relative_name(path: Path, landing: Path) -> str:
    """The name as received, relative to the landing zone, as text PostgreSQL and JSON accept:
    bytes that are not UTF-8 (possible in a Linux file name) are written as \\xNN."""
    try:
        name = path.relative_to(landing).as_posix()
    except ValueError:
        name = path.name
    return as_text(name)


def as_text(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def load_file(feed: Feed, path: Path, *, landing: Path, dsn: str | None = None) -> LoadOutcome:
    dsn = dsn or config.warehouse_dsn()
    source = relative_name(path, landing)
    size = path.lstat().st_size
    refused = _refused_unread(path, size)
    # Only a CSV's head is read early: a refused file is not read, and a workbook is read whole
    # when opened (wasted on a duplicate).
    if refused is not None or FORMATS_BY_SUFFIX.get(path.suffix.lower()) != "csv":
        sha, head = sha256_of(path), None
    else:
        sha, head = _hash_and_read_head(path, feed)
    try:
        return _load(feed, path, landing, dsn, source, size, sha, head, refused)
    finally:
        if head is not None:
            head.close()  # a duplicate's, or one left by an error; closing twice is harmless


def _refused_unread(path: Path, size: int) -> Problem | None:
    """Why the file is quarantined without being read: a link (never followed), or too big."""
    if path.is_symlink():
        return Problem(
            "BUKAN_BERKAS_BIASA",
            "Berkas ini tautan simbolik (symlink), bukan berkas biasa; tautan tidak diikuti. "
            "Salin berkas aslinya ke folder feed.",
            "The file is a symbolic link, not a regular file; links are not followed. Copy the "
            "file itself into the feed folder.",
            expected="a regular file",
            found=f"symbolic link to {os.readlink(path)!s}"[:300],
        )
    if size > max_file_bytes():
        return Problem(
            "BERKAS_TERLALU_BESAR",
            f"Berkas {size} byte melebihi batas {max_file_bytes()} byte.",
            f"File of {size} bytes exceeds the limit of {max_file_bytes()} bytes.",
            expected=f"at most {max_file_bytes()} bytes",
            found=f"{size} bytes",
        )
    return None


def _load(
    feed: Feed,
    path: Path,
    landing: Path,
    dsn: str,
    source: str,
    size: int,
    sha: str,
    head: _Head | None,
    refused: Problem | None,
) -> LoadOutcome:
    with psycopg.connect(dsn) as conn:
        if refused is not None:
            return quarantine(conn, feed.name, path, landing=landing, sha=sha, problem=refused)
        existing = conn.execute(
            "select batch_id, source_file, archive_path from audit.load_ledger "
            "where file_sha256 = %s and status <> 'quarantined'",
            (sha,),
        ).fetchone()
        if existing:
            batch_id, first_source, archive_path = existing
            if archive_path is None and first_source == source:
                # Committed by a run that died before archiving: finish that run's work.
                _archive(conn, feed, path, landing=landing, batch_id=batch_id, sha=sha)
                return LoadOutcome(feed.name, source, "recovered", batch_id=batch_id, file_sha256=sha)
            problem = Problem(
                "BERKAS_DUPLIKAT",
                f"Isi berkas sama persis dengan '{first_source}' yang sudah dimuat (batch {batch_id}).",
                f"Same bytes as '{first_source}', already loaded (batch {batch_id}); not loaded again.",
                expected="a file not loaded before",
                found=f"sha256 {sha}",
            )
            outcome = quarantine(conn, feed.name, path, landing=landing, sha=sha, problem=problem)
            outcome.status = "duplicate"
            outcome.batch_id = batch_id
            return outcome
        batch_id = batch_id_for(feed, sha)
        try:
            parsed = head.result() if head is not None else open_file(path, feed)
            rows, rejects, notes = _copy_batch(
                conn, feed, parsed, path, batch_id=batch_id, source=source, sha=sha, size=size
            )
        except FileRejected as rejected:
            conn.rollback()
            return quarantine(conn, feed.name, path, landing=landing, sha=sha, problem=rejected.problem)
        except Exception as exc:
            if not _file_is_to_blame(exc):
                raise  # the warehouse, not the file: leave it in landing for the next run
            conn.rollback()
            log.exception("reading %s failed unexpectedly", source)
            return quarantine(conn, feed.name, path, landing=landing, sha=sha, problem=_unreadable(exc))
        _fault("after_commit")
        _archive(conn, feed, path, landing=landing, batch_id=batch_id, sha=sha)
    log.info("loaded %s: %d rows, %d rejected rows (batch %s)", source, rows, rejects, batch_id)
    return LoadOutcome(
        feed.name,
        source,
        "loaded",
        batch_id=batch_id,
        file_sha256=sha,
        rows=rows,
        rejects=rejects,
        notes={
            "format": parsed.format,
            "encoding": parsed.encoding,
            "ignored_headers": parsed.ignored_headers,
            **notes,
        },
    )


def _file_is_to_blame(exc: Exception) -> bool:
    """A parser crash or a value PostgreSQL refuses is the file's problem; a lost connection, a
    missing table or a concurrent load of the same bytes is not."""
    if isinstance(exc, psycopg.Error):
        return isinstance(exc, psycopg.DataError)
    return True


def _unreadable(exc: Exception) -> Problem:
    detail = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, psycopg.DataError):
        return Problem(
            "DITOLAK_DATABASE",
            f"Database menolak isi berkas ({detail}); tidak ada baris yang dimuat.",
            f"The database refused the file's contents ({detail}); no row was loaded.",
            expected="values PostgreSQL text columns accept",
            found=detail,
        )
    return Problem(
        "BERKAS_TIDAK_TERBACA",
        f"Berkas tidak bisa dibaca ({detail}); tidak ada baris yang dimuat. Tim data telah dicatat.",
        f"The file could not be read ({detail}); no row was loaded. Logged for the data team.",
        expected="a readable file",
        found=detail,
    )


def _copy_batch(
    conn, feed: Feed, parsed, path: Path, *, batch_id: str, source: str, sha: str, size: int
) -> tuple[int, int, dict]:
    """COPY good rows to raw.<feed> and unreadable ones to raw.<feed>__rejects; one transaction.

    A CSV goes the fast way when it can (PostgreSQL parses it: fastcsv); any other file, or a CSV
    the fast path refuses, goes row by row through the readers. Both give the same rows, rejects
    and notes; the ledger's notes say which was taken (`path`) and why COPY was refused."""
    conn.execute(
        "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status) "
        "values (%s, %s, %s, %s, %s, 'loaded')",
        (batch_id, feed.name, source, sha, size),
    )
    _fault("before_copy")
    fast = fastcsv.load_csv(conn, feed, parsed, path, batch_id=batch_id, source=source)
    if isinstance(fast, fastcsv.FastResult):
        parsed.close()
        rows, problems, notes = fast.rows, fast.problems, {**fast.notes, "path": fast.path}
    else:
        rows, problems = _copy_rows(conn, feed, parsed, batch_id=batch_id, source=source)
        notes = {**parsed.notes, "path": "python"}
        if parsed.format == "csv":
            notes["copy_refused"] = fast
    if problems:
        _write_rejects(conn, feed, problems, batch_id=batch_id, source=source)
    conn.execute(
        "update audit.load_ledger set row_count = %s, reject_count = %s, loaded_at = now(), "
        "error_detail = %s where batch_id = %s",
        (
            rows,
            len(problems),
            Jsonb(
                {
                    "format": parsed.format,
                    "encoding": parsed.encoding,
                    "header_row": parsed.header_row,
                    "ignored_headers": parsed.ignored_headers,
                    **notes,
                }
            ),
            batch_id,
        ),
    )
    _fault("after_copy")
    conn.commit()
    return rows, len(problems), notes


def _copy_rows(conn, feed: Feed, parsed, *, batch_id: str, source: str) -> tuple[int, list[Problem]]:
    """The Python path: rows as the readers shape them, written to COPY as CSV in batches (one
    write per row costs ~20 µs in the driver; the csv module formats a row in ~1 µs)."""
    columns = [*feed.column_names, "_batch_id", "_source_file", "_row_number"]
    statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(
        sql.Identifier("raw", feed.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    rows = 0
    problems: list[Problem] = []
    buffer = io.StringIO()
    # Values are never "" (readers give None for an empty cell), so an empty field is NULL. The
    # CRLF terminator makes the writer quote a lone CR as well as LF inside a value.
    out = csv.writer(buffer, lineterminator="\r\n")
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row_number, values in parsed.rows:
            if isinstance(values, Problem):
                problems.append(values)
                continue
            out.writerow([*values, batch_id, source, row_number])
            rows += 1
            if buffer.tell() >= COPY_BUFFER:
                copy.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        copy.write(buffer.getvalue())
    return rows, problems


def _write_rejects(conn, feed: Feed, problems: list[Problem], *, batch_id: str, source: str) -> None:
    statement = sql.SQL(
        "copy {} (_batch_id, _source_file, _row_number, error_code, column_name, expected, found, "
        "message_id, message_en) from stdin"
    ).format(sql.Identifier("raw", f"{feed.name}__rejects"))
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for p in problems:
            copy.write_row(
                (batch_id, source, p.row, p.code, p.column, p.expected, p.found, p.message_id, p.message_en)
            )


def _fit_name(name: str, reserve: int) -> str:
    """Shorten a name (keeping its extension) so that it plus `reserve` bytes fits in NAME_MAX."""
    encoded = os.fsencode(name)
    limit = NAME_MAX - reserve
    if len(encoded) <= limit:
        return name
    suffix = os.fsencode(Path(name).suffix)[:16]
    return os.fsdecode(encoded[: limit - len(suffix) - 1] + b"~" + suffix)


def _unique_destination(folder: Path, name: str, sha: str, *, reserve: int = 0) -> Path:
    """A free name in `folder`: the original one, else prefixed with the sha256 (and a counter).

    Names are stored as valid UTF-8 (bytes that are not become \\xNN), so that the ledger's
    archive_path names the stored file exactly."""
    folder.mkdir(parents=True, exist_ok=True)
    name = as_text(name)
    candidates = [name, f"{sha[:12]}__{name}"]
    candidates += [f"{sha[:12]}-{n}__{name}" for n in range(2, 1000)]
    for candidate in candidates:
        target = folder / _fit_name(candidate, reserve)
        if not target.exists() and not target.is_symlink():
            return target
    raise FileExistsError(f"no free name for {name!r} in {folder}")


def _archive(conn, feed: Feed, path: Path, *, landing: Path, batch_id: str, sha: str) -> Path:
    target = _unique_destination(landing / ARCHIVE / feed.name, path.name, sha)
    shutil.move(path, target)  # same filesystem: a rename, so the bytes are untouched
    with conn.transaction():
        conn.execute(
            "update audit.load_ledger set archive_path = %s where batch_id = %s",
            (relative_name(target, landing), batch_id),
        )
    conn.commit()
    return target


def quarantine(
    conn, feed_name: str, path: Path, *, landing: Path, sha: str | None, problem: Problem
) -> LoadOutcome:
    """Move a file that cannot be loaded aside, with a reason beside it and a ledger row."""
    feed_name = as_text(feed_name)  # an unknown folder's name may hold any bytes
    source = relative_name(path, landing)
    sha = sha or sha256_of(path)
    size = path.lstat().st_size
    target = _unique_destination(landing / QUARANTINE / feed_name, path.name, sha, reserve=len(REASON_SUFFIX))
    reason = {
        "feed": feed_name,
        "file": source,
        "sha256": sha,
        "error_code": problem.code,
        "row": problem.row,
        "column": problem.column,
        "expected": problem.expected,
        "found": problem.found,
        "message_id": problem.message_id,
        "message_en": problem.message_en,
        "quarantined_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    # The reason first: a crash between the two leaves a stray reason, never an unexplained file.
    target.with_name(target.name + REASON_SUFFIX).write_text(
        json.dumps(reason, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    shutil.move(path, target)  # a rename: bytes (or the symlink itself) untouched
    batch_id = f"{feed_name}-{sha[:16]}-q{uuid.uuid4().hex[:8]}"
    with conn.transaction():
        conn.execute(
            "insert into audit.load_ledger (batch_id, feed, source_file, file_sha256, file_bytes, status, "
            "error_code, error_detail, archive_path) values (%s, %s, %s, %s, %s, 'quarantined', %s, %s, %s)",
            (
                batch_id,
                feed_name,
                source,
                sha,
                size,
                problem.code,
                Jsonb(reason),
                relative_name(target, landing),
            ),
        )
    conn.commit()
    log.warning("quarantined %s: %s", source, problem)
    return LoadOutcome(
        feed_name, source, "quarantined", batch_id=batch_id, file_sha256=sha, problem=problem.as_dict()
    )


__all__ = ["LoadOutcome", "file_problem", "load_file", "quarantine"]
