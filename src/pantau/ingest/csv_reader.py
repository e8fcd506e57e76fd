"""CSV (and tab- or pipe-separated text): encoding, dialect, then the rows through csv.reader."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from pantau.ingest.errors import FileRejected, Problem, file_problem
from pantau.ingest.header import HEADER_SEARCH_ROWS, match_header
from pantau.ingest.sniff import ESCAPES, SNIFF_BYTES, detect_encoding, refuse_non_text
from pantau.ingest.table import ParsedFile, assemble
from pantau.registry import Feed

DELIMITERS = [",", ";", "\t", "|"]
DIALECT_LINES = 200
DIALECT_LINE_CHARS = 2000
# The detector (clevercsv 0.8) proposes as quote character only one of these, '"' or none, and only
# one its sample holds. Without them in the sample, what it proposes is (a delimiter, '"'); when
# one delimiter alone reads the most of the feed's header, that delimiter wins whatever the
# detector proposes (a proposal is kept only if it reads as much), so it is not asked: importing
# it costs 0.15-0.3 s per process, before the first row can be loaded.
DETECTOR_QUOTES = ("'", "~", "`")

csv.field_size_limit(sys.maxsize)


def _dialect(delimiter: str, quotechar: str = '"') -> type[csv.Dialect]:
    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    Dialect.quotechar = quotechar
    Dialect.strict = True  # a malformed quote is an error to report, not something to guess around
    return Dialect


def _detect_dialect(text: str, feed: Feed) -> type[csv.Dialect]:
    """The detector's dialect, unless another delimiter reveals more of the feed's header.

    The detector can give up or be misled on a small sample (a `|` inside a cell, a lone `'`);
    the registry knows what the header should say, so that decides between candidates."""
    # Drop the possibly cut last line, and sniff on enough rows to see past a title block. Lines
    # are capped: the detector's URL filter is quadratic in a line's length (a 1 MB cell took
    # 40 s), and it cannot handle NUL characters; neither matters for finding the delimiter.
    lines = text.replace("\x00", " ").splitlines()
    lines = lines[:-1] if len(lines) > 2 else lines
    sample = "\n".join(line[:DIALECT_LINE_CHARS] for line in lines[:DIALECT_LINES])
    head = "\n".join(lines[:HEADER_SEARCH_ROWS])
    plain = [(dialect, _header_score(head, dialect, feed)) for dialect in map(_dialect, DELIMITERS)]
    scores = [score for _, score in plain]
    if scores.count(max(scores)) == 1 and not any(q in sample for q in DETECTOR_QUOTES):
        return plain[scores.index(max(scores))][0]
    from clevercsv import Detector

    detected = Detector().detect(sample, delimiters=DELIMITERS)
    candidates = []
    if detected and detected.delimiter in DELIMITERS:
        proposed = _dialect(detected.delimiter, detected.quotechar or '"')
        candidates.append((proposed, _header_score(head, proposed, feed)))
    candidates += plain
    return max(candidates, key=lambda candidate: candidate[1])[0]  # first best wins


def _header_score(head: str, dialect: type[csv.Dialect], feed: Feed) -> int:
    reader = csv.reader(io.StringIO(head), delimiter=dialect.delimiter, quotechar=dialect.quotechar)
    try:
        rows = list(reader)
    except csv.Error:
        return -1
    return max((len({m for m in match_header(row, feed) if m}) for row in rows), default=0)


def open_csv(path: Path, feed: Feed) -> ParsedFile:
    with path.open("rb") as raw:
        sample = raw.read(SNIFF_BYTES)
    if not sample.strip():
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas kosong (tidak berisi apa pun selain spasi atau baris kosong).",
            "The file is empty (nothing but whitespace or blank lines).",
            expected="a header row and data rows",
            found=f"{len(sample)} bytes, all blank",
        )
    refuse_non_text(sample, "CSV")
    encoding = detect_encoding(sample, path)
    dialect = _detect_dialect(sample.decode(encoding, errors="replace"), feed)
    escapes_from = ESCAPES[0]
    handle = io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="pantau-escape", newline="")
    reader = csv.reader(handle, dialect)

    def records() -> Iterator[tuple[int, list[str] | Problem]]:
        number = 0
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    number += 1
                    if "unexpected end of data" in str(exc):
                        raise _unclosed_quote(number, dialect.quotechar, reader.line_num) from exc
                    yield number, _malformed_row(number, str(exc))
                    continue
                number += 1
                yield number, cells
        finally:
            handle.close()

    parsed = assemble("csv", encoding, records(), feed, escapes_from=escapes_from)
    parsed.notes["delimiter"] = dialect.delimiter
    parsed.dialect = dialect
    parsed.on_close.append(handle.close)
    return parsed


def _unclosed_quote(row: int, quote: str, line: int) -> FileRejected:
    return file_problem(
        "KUTIP_TIDAK_DITUTUP",
        f"Tanda kutip ({quote}) yang dibuka pada baris {row} tidak pernah ditutup, sehingga sisa berkas "
        f"(sampai baris teks {line}) terbaca sebagai satu sel; tidak ada baris yang dimuat.",
        f"A quote ({quote}) opened in row {row} is never closed, so the rest of the file (to text line "
        f"{line}) would read as one cell; no row was loaded.",
        row=row,
        expected=f"a closing {quote}",
        found="end of file inside a quoted field",
    )


def _malformed_row(row: int, detail: str) -> Problem:
    return Problem(
        "CSV_RUSAK",
        f"Baris CSV rusak ({detail}); baris ini tidak dimuat.",
        f"Malformed CSV row ({detail}); this row was not loaded.",
        row=row,
        expected="well-formed CSV (quotes only around a whole field)",
        found=detail,
    )
