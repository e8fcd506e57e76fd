"""The fast path for CSV: PostgreSQL parses the file, Python only judges the rows that may be odd.

Python has already read the head of the file (encoding, dialect, header: readers._open_csv). The
bytes after the header go unchanged into `COPY ... (FORMAT csv)` into a temporary stage table whose
identity column numbers the records in file order, so `_row_number` = header row + ordinal, exactly
what the Python reader counts (records, not lines: a quoted cell may span lines). The row rules are
then applied without touching every row in Python: one SQL pass picks the few rows that might be
blank, a repeated header, missing a required value or formula-like (a superset: anything it lets
through is certainly clean), those run through the very same `_shape_rows` as the Python path, and
one INSERT ... SELECT moves the rest into raw.<feed>.

Anything on which PostgreSQL's CSV reading could differ from Python's is refused instead, and the
caller falls back to the Python path for the whole file, so every outcome stays the Python path's:
- COPY itself refuses ragged rows, blank lines, mixed line endings, NUL, bytes invalid in the
  encoding, an unclosed quote (SQLSTATE class 22: `psycopg.DataError`);
- checked here while streaming: quotes that are not around a whole cell (Python keeps `PT "Maju"`
  as sent, PostgreSQL would drop the quotes), a line starting with `\\.` (PostgreSQL's end-of-data
  mark), NUL, a record longer than MAX_RECORD bytes.
Everything happens inside a savepoint of the caller's transaction (the one holding the ledger row),
in a temporary table private to the session, so a refusal leaves nothing behind and concurrent
loads of one feed share no state.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from pantau.ingest.errors import Problem
from pantau.ingest.readers import FORMULA_START, ParsedFile, _shape_rows
from pantau.registry import Feed

PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1252": "WIN1252"}
CHUNK = 1024 * 1024
MAX_RECORD = 64 * 1024 * 1024  # a longer record (or an unclosed quote) is left to the Python path
MAX_HEAD_LINE = 16 * 1024 * 1024
STAGE = "pantau_stage"
# Values this matches are number-like for readers.NUMBER_LIKE too (ASCII subset of its classes).
NUMBER_ASCII = "^[+-]?[0-9 \t\n\r\f\v.,()/-]*[0-9][0-9 \t\n\r\f\v.,()/-]*$"


class Refused(Exception):
    """The fast path cannot promise the Python path's outcome for this file."""


@dataclass
class FastResult:
    rows: int
    problems: list[Problem]
    notes: dict


def load_csv(
    conn: psycopg.Connection, feed: Feed, parsed: ParsedFile, path: Path, *, batch_id: str, source: str
) -> FastResult | str:
    """Load the file through COPY; on refusal undo that work and return why (short, no file data)."""
    dialect = parsed.dialect
    if dialect is None or parsed.format != "csv":
        return "not a CSV file"
    encoding = PG_ENCODINGS.get(parsed.encoding or "")
    if encoding is None:
        return f"encoding {parsed.encoding} is not one COPY reads"
    offset = data_offset(path, dialect, parsed.header_row)
    if offset is None:
        return "the header could not be located in bytes"
    try:
        with conn.transaction():  # a savepoint: a refusal undoes only this
            return _load(conn, feed, parsed, path, offset, encoding, batch_id=batch_id, source=source)
    except Refused as exc:
        return str(exc)
    except psycopg.DataError as exc:
        # The primary message without its detail: the CONTEXT line, or the bytes after a colon,
        # would quote the file's data.
        return f"COPY: {(exc.diag.message_primary or type(exc).__name__).split(':')[0]}"[:200]


def data_offset(path: Path, dialect: type[csv.Dialect], header_row: int) -> int | None:
    """Byte offset just past record `header_row`, found with the same csv dialect as the reader.

    Lines are split on LF and decoded as latin-1: one byte per character, and in UTF-8 and cp1252
    the delimiter, quote and line-end bytes are only ever those characters. A file whose records
    end in a lone CR makes the csv module stop with an error here, so it is left to Python."""
    consumed = 0
    with path.open("rb") as handle:

        def lines() -> Iterator[str]:
            nonlocal consumed
            while line := handle.readline(MAX_HEAD_LINE):
                if len(line) == MAX_HEAD_LINE and not line.endswith(b"\n"):
                    raise Refused("header line too long")
                consumed += len(line)
                yield line.decode("latin-1")

        reader = csv.reader(lines(), dialect)
        try:
            for _ in range(header_row):
                next(reader)
        except (csv.Error, StopIteration, Refused):
            return None
    return consumed


class _Checker:
    """Refuse a block of whole records where PostgreSQL's CSV reading could differ from Python's."""

    def __init__(self, delimiter: str, quote: str):
        d, q = re.escape(delimiter.encode()), re.escape(quote.encode())
        self.quote = quote.encode()
        # A well-formed quoted cell: starts a cell, ends one, inner quotes doubled. Removing all of
        # them must leave no quote, else some quote sits mid-cell or text follows a closing quote.
        self.quoted_cell = re.compile(
            rb"(?:\A|(?<=[" + d + rb"\r\n]))" + q + rb"[^" + q + rb"]*(?:" + q + q + rb"[^" + q + rb"]*)*"
            rb"" + q + rb"(?=[" + d + rb"\r\n]|\Z)"
        )

    def check(self, block: bytes) -> None:
        if b"\x00" in block:
            raise Refused("NUL byte")
        if block.startswith(b"\\.") or b"\n\\." in block or b"\r\\." in block:
            raise Refused("a line starts with \\. (COPY's end-of-data mark)")
        if self.quote in block and self.quote in self.quoted_cell.sub(b"", block):
            raise Refused("quotes not around a whole cell")


def _blocks(handle, quote: bytes) -> Iterator[bytes]:
    """The file in blocks that end at a record boundary: a line end with an even count of quotes
    before it (outside any quoted cell, when the quoting is well-formed; if it is not, _Checker
    refuses the block anyway)."""
    carry = b""
    while data := handle.read(CHUNK):
        buffer = carry + data if carry else data
        cut = _record_boundary(buffer, quote)
        if cut is None:
            if len(buffer) > MAX_RECORD:
                raise Refused(f"a record longer than {MAX_RECORD} bytes")
            carry = buffer
            continue
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


def _record_boundary(buffer: bytes, quote: bytes) -> int | None:
    quotes = buffer.count(quote)
    end = len(buffer)
    while (newline := buffer.rfind(b"\n", 0, end)) >= 0:
        quotes -= buffer.count(quote, newline + 1, end)
        if quotes % 2 == 0:
            return newline + 1
        end = newline
    return None


def _load(
    conn,
    feed: Feed,
    parsed: ParsedFile,
    path: Path,
    offset: int,
    encoding: str,
    *,
    batch_id: str,
    source: str,
) -> FastResult:
    dialect = parsed.dialect
    width = len(parsed.mapping)
    fields = [sql.Identifier(f"f{i}") for i in range(width)]
    conn.execute(
        sql.SQL("create temp table {} (_ord bigint generated always as identity, {}) on commit drop").format(
            sql.Identifier(STAGE), sql.SQL(", ").join(sql.SQL("{} text").format(f) for f in fields)
        )
    )
    statement = sql.SQL("copy {} ({}) from stdin (format csv, delimiter {}, quote {}, encoding {})").format(
        sql.Identifier(STAGE),
        sql.SQL(", ").join(fields),
        sql.Literal(dialect.delimiter),
        sql.Literal(dialect.quotechar),
        sql.Literal(encoding),
    )
    checker = _Checker(dialect.delimiter, dialect.quotechar)
    with path.open("rb") as handle, conn.cursor() as cur, cur.copy(statement) as copy:
        handle.seek(offset)
        for block in _blocks(handle, checker.quote):
            checker.check(block)
            copy.write(block)

    notes = {**parsed.notes, "blank_rows": 0, "formula_like_cells": 0}
    excluded, problems = _judge_candidates(conn, feed, parsed, fields, notes)
    if excluded:
        conn.execute(
            sql.SQL("delete from {} s using unnest(%s::bigint[]) as x(o) where s._ord = x.o").format(
                sql.Identifier(STAGE)
            ),
            (excluded,),
        )
    targets = [(name, fields[i]) for i, name in enumerate(parsed.mapping) if name]
    insert = sql.SQL(
        "insert into {table} ({columns}, _batch_id, _source_file, _row_number) "
        "select {values}, %s, %s, %s + _ord from {stage}"
    ).format(
        table=sql.Identifier("raw", feed.name),
        columns=sql.SQL(", ").join(sql.Identifier(name) for name, _ in targets),
        values=sql.SQL(", ").join(sql.SQL("nullif({}, '')").format(f) for _, f in targets),
        stage=sql.Identifier(STAGE),
    )
    with conn.cursor() as cur:
        cur.execute(insert, (batch_id, source, parsed.header_row))
        rows = cur.rowcount
    conn.execute(sql.SQL("drop table {}").format(sql.Identifier(STAGE)))
    return FastResult(rows, problems, notes)


def _judge_candidates(
    conn, feed: Feed, parsed: ParsedFile, fields: list[sql.Identifier], notes: dict
) -> tuple[list[int], list[Problem]]:
    """Run the rows that may need a rule through the Python path's own row shaping.

    The SQL filter only has to be a superset of the rows the rules act on, and cheap (no regex on
    clean rows): `ascii()` is the code of a value's first character (0 when empty).
    - blank rows and required values that are empty or whitespace: a required cell (every feed
      has one) that is NULL or does not start with a printable ASCII character;
    - a repeated header: the header's title inside the natural-key cell;
    - a formula-like cell: starts with = + - @, is longer than one character, is not only dashes
      and spaces, and is not ASCII number-like (-5, +62 812-3456)."""
    source_of = {name: fields[i] for i, name in enumerate(parsed.mapping) if name}
    key_field = source_of[feed.required_columns[0]]
    key_title = parsed.source_headers[parsed.mapping.index(feed.required_columns[0])].strip()
    conditions = [
        sql.SQL("ascii({}) not between 33 and 126").format(source_of[name]) for name in feed.required_columns
    ]
    conditions.append(sql.SQL("strpos({}, {}) > 0").format(key_field, sql.Literal(key_title)))
    starts = sql.SQL(", ").join(sql.Literal(ord(c)) for c in FORMULA_START)
    conditions += [
        sql.SQL(
            "(ascii({f}) in ({starts}) and length({f}) > 1 and btrim({f}, '- ') <> '' and {f} !~ {number})"
        ).format(f=f, starts=starts, number=sql.Literal(NUMBER_ASCII))
        for f in source_of.values()
    ]
    # ascii(NULL) is NULL: `not between` is then NULL, so NULL cells are asked for explicitly.
    conditions += [sql.SQL("{} is null").format(source_of[name]) for name in feed.required_columns]
    query = sql.SQL("select _ord, {} from {} where {} order by _ord").format(
        sql.SQL(", ").join(fields), sql.Identifier(STAGE), sql.SQL(" or ").join(conditions)
    )
    candidates: list[int] = []

    def records() -> Iterator[tuple[int, list[str]]]:
        with conn.cursor(name="pantau_candidates") as cur:
            cur.itersize = 5000
            cur.execute(query)
            for ordinal, *cells in cur:
                candidates.append(ordinal)
                # csv gives "" for an empty cell, quoted or not; COPY gives NULL for unquoted ones
                yield parsed.header_row + ordinal, [c if c is not None else "" for c in cells]

    kept: set[int] = set()
    problems: list[Problem] = []
    for row_number, shaped in _shape_rows(records(), parsed.source_headers, parsed.mapping, feed, notes):
        if isinstance(shaped, Problem):
            problems.append(shaped)
        else:
            kept.add(row_number - parsed.header_row)
    return [o for o in candidates if o not in kept], problems
