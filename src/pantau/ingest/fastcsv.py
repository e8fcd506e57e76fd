"""The fast path for CSV: PostgreSQL parses the file, Python only judges the rows that may be odd.

Python has already read the head of the file (encoding, dialect, header: csv_reader.open_csv). The
bytes after the header go unchanged into one `COPY raw.<feed> (...) FROM STDIN (FORMAT csv)`. The
lineage columns are filled by their defaults (src/pantau/warehouse.py): `_batch_id` and
`_source_file` from transaction-local settings, `_row_number` from the feed's sequence, positioned
at the header row so each record gets header row + its ordinal, exactly what the Python reader
counts (records, not lines: a quoted cell may span lines). A per-feed advisory lock held to the end
of the transaction keeps concurrent loads of one feed from drawing numbers from that sequence at
the same time. The row rules are then applied without touching every row in Python: one SQL pass
over the batch picks the few rows that might be blank, a repeated header, missing a required value
or formula-like (a superset: anything it lets through is certainly clean), those run through the
very same `shape_rows` as the Python path, and the ones it does not keep are deleted again. It
asks only for what the bytes, scanned while streaming, show possible; when that is only the
required values, raw.<feed>'s partial index of such rows answers without reading the batch.

A file with columns the registry does not know cannot be copied straight into raw.<feed> (COPY
cannot skip a column): it goes through a temporary stage table instead, with the same rules, and
one INSERT ... SELECT of the stage's kept columns (`path` "copy_staged" in the ledger notes).

Anything on which PostgreSQL's CSV reading could differ from Python's is refused instead, and the
caller falls back to the Python path for the whole file, so every outcome stays the Python path's:
- COPY itself refuses ragged rows, blank lines, mixed line endings, NUL, bytes invalid in the
  encoding, an unclosed quote (SQLSTATE class 22: `psycopg.DataError`);
- checked here while streaming: quotes that are not around a whole cell (Python keeps `PT "Maju"`
  as sent, PostgreSQL would drop the quotes), a line starting with `\\.` (PostgreSQL's end-of-data
  mark), NUL, a record longer than MAX_RECORD bytes.
Everything happens inside a savepoint of the caller's transaction (the one holding the ledger row),
so a refusal leaves nothing behind, in raw.<feed> or in the stage.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from pantau import warehouse
from pantau.ingest.errors import Problem
from pantau.ingest.rows import FORMULA_START, shape_rows
from pantau.ingest.table import ParsedFile
from pantau.registry import Feed

PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1252": "WIN1252"}
CHUNK = 1024 * 1024
MAX_RECORD = 64 * 1024 * 1024  # a longer record (or an unclosed quote) is left to the Python path
MAX_HEAD_LINE = 16 * 1024 * 1024
STAGE = "pantau_stage"
# Values this matches are number-like for rows.NUMBER_LIKE too (ASCII subset of its classes).
NUMBER_ASCII = "^[+-]?[0-9 \t\n\r\f\v.,()/-]*[0-9][0-9 \t\n\r\f\v.,()/-]*$"


class Refused(Exception):
    """The fast path cannot promise the Python path's outcome for this file."""


@dataclass
class FastResult:
    rows: int
    problems: list[Problem]
    notes: dict
    path: str  # "copy": straight into raw.<feed>; "copy_staged": through a stage (columns to drop)


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
    load = _load_direct if all(parsed.mapping) else _load_staged
    try:
        with conn.transaction():  # a savepoint: a refusal undoes only this
            return load(conn, feed, parsed, path, offset, encoding, batch_id=batch_id, source=source)
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
        # (a backslash is rare: one memchr spares the slower two-byte searches on most blocks)
        if b"\\" in block and (block.startswith(b"\\.") or b"\n\\." in block or b"\r\\." in block):
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


class _Seen:
    """What the row rules could meet in the file, as its bytes show it, so that the rule pass asks
    only for that (the SQL filter costs as much as the scan itself): a cell starting with a formula
    character, and the header's key title inside a cell. Like the SQL filter, a superset: a cell
    starts at a block's start (blocks start at a record), after a delimiter or a line end, or after
    the quote opening it, so a formula character at none of these places starts no cell; and the
    title's bytes are in the cell's bytes (unless it holds a quote, which the file doubles)."""

    def __init__(self, dialect: type[csv.Dialect], encoding: str, key_title: str):
        formula = FORMULA_START.encode()
        bounds = (dialect.quotechar + dialect.delimiter + "\r\n").encode()
        # One pass at C speed: bounds become 1, formula characters 2; a formula cell shows as 1 2.
        self.marks = bytes(1 if b in bounds else 2 if b in formula else 0 for b in range(256))
        self.formula_bytes = [bytes([b]) for b in formula]
        self.formula = any(b in formula for b in bounds)  # cannot be told apart: always ask
        try:
            title = key_title.encode(encoding.removesuffix("-sig"))
        except UnicodeEncodeError:
            title = b""
        self.title = title if title and dialect.quotechar.encode() not in title else None
        self.key_title = self.title is None

    def scan(self, block: bytes) -> None:
        if not self.formula and any(c in block for c in self.formula_bytes):  # memchr first
            marked = block.translate(self.marks)
            self.formula = marked.startswith(b"\x02") or b"\x01\x02" in marked
        if not self.key_title:
            self.key_title = self.title in block


def _key_title(feed: Feed, parsed: ParsedFile) -> str:
    """The file's header title of the feed's first required column (a repeated header shows it)."""
    return parsed.source_headers[parsed.mapping.index(feed.required_columns[0])].strip()


def feed_lock_key(feed: Feed) -> int:
    """The advisory lock serialising COPYs of one feed (they draw from its row sequence)."""
    digest = hashlib.sha256(f"pantau raw row numbers {feed.name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _copy_file(conn, statement: sql.Composable, path: Path, offset: int, dialect, seen: _Seen) -> int:
    """Stream the bytes after the header into COPY, in blocks of whole records; rows copied."""
    checker = _Checker(dialect.delimiter, dialect.quotechar)
    with path.open("rb") as handle, conn.cursor() as cur:
        with cur.copy(statement) as copy:
            handle.seek(offset)
            for block in _blocks(handle, checker.quote):
                checker.check(block)
                seen.scan(block)
                copy.write(block)
        return cur.rowcount


def _copy_options(dialect, encoding: str, force_null: list[sql.Identifier]) -> sql.Composed:
    # FORCE_NULL: a quoted empty cell is NULL too, as the Python path gives None for any empty cell.
    return sql.SQL("(format csv, delimiter {}, quote {}, encoding {}, force_null ({}))").format(
        sql.Literal(dialect.delimiter),
        sql.Literal(dialect.quotechar),
        sql.Literal(encoding),
        sql.SQL(", ").join(force_null),
    )


def _load_direct(
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
    """One COPY into raw.<feed>, lineage from the column defaults; then the flagged rows out again."""
    table = sql.Identifier("raw", feed.name)
    columns = [sql.Identifier(name) for name in parsed.mapping]  # file order; all mapped here
    conn.execute("select pg_advisory_xact_lock(%s)", (feed_lock_key(feed),))
    # Transaction-local settings and the sequence at the header row: the next value is the first
    # record's row number. The switch lets the COPY fold the settings' defaults to constants, and
    # is turned off right after it (warehouse.RAW_LINEAGE_FOLD: only this COPY may fold them).
    conn.execute(
        "select set_config('pantau.batch_id', %s, true), set_config('pantau.source_file', %s, true), "
        "setval(%s::regclass, %s), set_config(%s, 'on', true)",
        (
            batch_id,
            source,
            warehouse.raw_row_sequence(feed).as_string(conn),
            parsed.header_row,
            warehouse.RAW_LINEAGE_FOLD_SWITCH,
        ),
    )
    statement = sql.SQL("copy {} ({}) from stdin {}").format(
        table, sql.SQL(", ").join(columns), _copy_options(parsed.dialect, encoding, columns)
    )
    seen = _Seen(parsed.dialect, parsed.encoding, _key_title(feed, parsed))
    copied = _copy_file(conn, statement, path, offset, parsed.dialect, seen)
    conn.execute("select set_config(%s, 'off', true)", (warehouse.RAW_LINEAGE_FOLD_SWITCH,))

    notes = {**parsed.notes, "blank_rows": 0, "formula_like_cells": 0}
    excluded, problems = _judge_candidates(
        conn,
        feed,
        parsed,
        notes,
        seen,
        relation=table,
        row_id=sql.SQL("ctid"),
        row_number=sql.SQL("_row_number"),
        fields=columns,
        scope=sql.SQL("_batch_id = {}").format(sql.Literal(batch_id)),
    )
    if excluded:
        conn.execute(
            sql.SQL("delete from {} where ctid = any(%s::tid[])").format(table), (excluded,), prepare=False
        )
    return FastResult(copied - len(excluded), problems, notes, "copy")


def _load_staged(
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
    """COPY into a temporary stage holding every column of the file, then INSERT ... SELECT of the
    mapped ones into raw.<feed>. The stage's identity column numbers the records in file order."""
    width = len(parsed.mapping)
    fields = [sql.Identifier(f"f{i}") for i in range(width)]
    stage = sql.Identifier(STAGE)
    conn.execute(
        sql.SQL("create temp table {} (_ord bigint generated always as identity, {}) on commit drop").format(
            stage, sql.SQL(", ").join(sql.SQL("{} text").format(f) for f in fields)
        )
    )
    statement = sql.SQL("copy {} ({}) from stdin {}").format(
        stage, sql.SQL(", ").join(fields), _copy_options(parsed.dialect, encoding, fields)
    )
    seen = _Seen(parsed.dialect, parsed.encoding, _key_title(feed, parsed))
    _copy_file(conn, statement, path, offset, parsed.dialect, seen)

    notes = {**parsed.notes, "blank_rows": 0, "formula_like_cells": 0}
    excluded, problems = _judge_candidates(
        conn,
        feed,
        parsed,
        notes,
        seen,
        relation=stage,
        row_id=sql.SQL("_ord"),
        row_number=sql.SQL("{} + _ord").format(sql.Literal(parsed.header_row)),
        fields=fields,
        scope=sql.SQL("true"),
    )
    if excluded:
        conn.execute(
            sql.SQL("delete from {} where _ord = any(%s::bigint[])").format(stage), (excluded,), prepare=False
        )
    targets = [(name, fields[i]) for i, name in enumerate(parsed.mapping) if name]
    insert = sql.SQL(
        "insert into {table} ({columns}, _batch_id, _source_file, _row_number) "
        "select {values}, %s, %s, %s + _ord from {stage}"
    ).format(
        table=sql.Identifier("raw", feed.name),
        columns=sql.SQL(", ").join(sql.Identifier(name) for name, _ in targets),
        values=sql.SQL(", ").join(f for _, f in targets),
        stage=stage,
    )
    with conn.cursor() as cur:
        cur.execute(insert, (batch_id, source, parsed.header_row))
        rows = cur.rowcount
    conn.execute(sql.SQL("drop table {}").format(stage))
    return FastResult(rows, problems, notes, "copy_staged")


def _judge_candidates(
    conn,
    feed: Feed,
    parsed: ParsedFile,
    notes: dict,
    seen: _Seen,
    *,
    relation: sql.Identifier,
    row_id: sql.Composable,
    row_number: sql.Composable,
    fields: list[sql.Identifier],
    scope: sql.Composable,
) -> tuple[list, list[Problem]]:
    """Run the rows that may need a rule through the Python path's own row shaping; the ids
    (`row_id`) of the rows it does not keep, and the problems to write to the rejects.

    `fields` are the file's columns in file order; `scope` limits the scan to this file's rows.
    The SQL filter only has to be a superset of the rows the rules act on, and cheap (no regex on
    clean rows): `ascii()` is the code of a value's first character (0 when empty).
    - blank rows and required values that are empty or whitespace: a required cell that is NULL or
      does not start with a printable ASCII character (warehouse.required_value_candidates);
    - a repeated header: the header's title inside the natural-key cell;
    - a formula-like cell: starts with = + - @, is longer than one character, is not only dashes
      and spaces, and is not ASCII number-like (-5, +62 812-3456).
    The last two are asked for only where `seen` found them possible in the file's bytes."""
    source_of = {name: fields[i] for i, name in enumerate(parsed.mapping) if name}
    # Alone (a file whose bytes show neither of the others), this is the predicate of raw.<feed>'s
    # partial index: only the rows it holds are read, not the batch.
    conditions = [warehouse.required_value_candidates(feed, source_of)]
    if seen.key_title:
        key_field = source_of[feed.required_columns[0]]
        conditions.append(
            sql.SQL("strpos({}, {}) > 0").format(key_field, sql.Literal(_key_title(feed, parsed)))
        )
    if seen.formula:
        starts = sql.SQL(", ").join(sql.Literal(ord(c)) for c in FORMULA_START)
        conditions += [
            sql.SQL(
                "(ascii({f}) in ({starts}) and length({f}) > 1 and btrim({f}, '- ') <> '' "
                "and {f} !~ {number})"
            ).format(f=f, starts=starts, number=sql.Literal(NUMBER_ASCII))
            for f in source_of.values()
        ]
    query = sql.SQL("select {}, {} as n, {} from {} where {} and ({}) order by n").format(
        row_id, row_number, sql.SQL(", ").join(fields), relation, scope, sql.SQL(" or ").join(conditions)
    )
    candidates: dict[int, object] = {}

    def records() -> Iterator[tuple[int, list[str]]]:
        with conn.cursor(name="pantau_candidates") as cur:
            cur.itersize = 5000
            cur.execute(query)
            for ident, number, *cells in cur:
                candidates[number] = ident
                # csv gives "" for an empty cell, quoted or not; COPY gives NULL (FORCE_NULL)
                yield number, [c if c is not None else "" for c in cells]

    kept: set[int] = set()
    problems: list[Problem] = []
    for number, shaped in shape_rows(records(), parsed.source_headers, parsed.mapping, feed, notes):
        if isinstance(shaped, Problem):
            problems.append(shaped)
        else:
            kept.add(number)
    return [ident for number, ident in candidates.items() if number not in kept], problems
