"""Read an agency file (CSV, XLSX, JSON Lines) into rows keyed by the feed's canonical columns.

Readers stream: a file is never held in memory whole. Each yields `(row_number, values)` where
row_number is where the row sits in the file as a spreadsheet shows it (title and header rows
counted), so an agency can find it; values are aligned to `feed.column_names`, or a `Problem`
when that one row cannot be read (it goes to the rejects table while the rest loads).

What a bad file does (the corpus in tests/ingest/ pins each case):
- the whole file is refused (`FileRejected`, quarantined) when it cannot be read as a table at
  all: empty, binary, an encoding we cannot read, no header, a missing required column, a quote
  never closed (every later row would be swallowed into one cell), a broken or oversized workbook;
- one row is refused (a `Problem`, to raw.<feed>__rejects) when only that row is broken: ragged,
  a required value empty, a NUL character, bytes that are not valid in the file's encoding;
- values that merely look odd load as sent (unparseable dates are gate 1's business) and
  formula-like cells (`=HYPERLINK(...)`, `+cmd`, `@SUM`) load as literal text, never evaluated,
  counted in `notes["formula_like_cells"]` for the ledger.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from pathlib import Path

from pantau.ingest.errors import FileRejected, Problem, file_problem, printable
from pantau.registry import Feed, header_key

HEADER_SEARCH_ROWS = 30
SNIFF_BYTES = 64 * 1024
SCAN_CHUNK = 4 * 1024 * 1024
FORMATS_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
DELIMITERS = [",", ";", "\t", "|"]
DIALECT_LINES = 200
DIALECT_LINE_CHARS = 2000
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # an .xlsx expanding past this is treated as a zip bomb
MAX_XLSX_RATIO = 200
# Bytes that do not occur in text (tab, newlines, form feed excepted). Random or compressed data
# has about 11% of them; a text file with one stray NUL far below the threshold.
CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32), 127])
BINARY_CONTROL_RATIO = 0.03
MAGIC = [
    (b"PK\x03\x04", "arsip zip / Excel .xlsx", "a zip archive (an Excel .xlsx?)"),
    (
        b"\xd0\xcf\x11\xe0",
        "berkas Office lama (.xls/.doc) atau Excel berkata sandi",
        "an old Office (.xls/.doc) or password-protected file",
    ),
    (b"%PDF", "dokumen PDF", "a PDF document"),
    (b"\x1f\x8b", "arsip gzip", "a gzip archive"),
    (b"\x89PNG", "gambar PNG", "a PNG image"),
    (b"\xff\xd8\xff", "gambar JPEG", "a JPEG image"),
]
SEP = "\x1f"  # joins a row's cells for whole-row checks; cannot occur in agency text we accept
FORMULA_START = "=+-@"
NUMBER_LIKE = re.compile(r"[+-]?[\d\s.,()/-]*\d[\d\s.,()/-]*")  # -5, +62 812-3456: not formulas
ESCAPED_BYTES = re.compile("[\udc00-\udcff]")
LONE_SURROGATES = re.compile("[\ud800-\udfff]")

csv.field_size_limit(sys.maxsize)

Row = tuple[int, "list[str | None] | Problem"]


@dataclass
class ParsedFile:
    format: str
    encoding: str | None
    header_row: int
    source_headers: list[str]
    ignored_headers: list[str]
    rows: Iterator[Row]
    notes: dict = field(default_factory=dict)
    mapping: list[str | None] = field(default_factory=list)  # canonical name of each source column
    dialect: type[csv.Dialect] | None = None  # CSV only: what the file was read with
    on_close: list = field(default_factory=list)

    def close(self) -> None:
        """Release the file when the rows will not be read (the loader took the COPY path)."""
        self.rows.close()
        for close in self.on_close:
            close()


def detect_format(path: Path, feed: Feed) -> str:
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None or fmt not in feed.formats:
        raise file_problem(
            "FORMAT_TIDAK_DIDUKUNG",
            f"Format berkas '{path.suffix or '(tanpa ekstensi)'}' tidak diterima untuk feed {feed.name}; "
            f"kirim sebagai {', '.join(feed.formats)}.",
            f"File type '{path.suffix or '(no extension)'}' is not accepted for feed {feed.name}; "
            f"send it as {', '.join(feed.formats)}.",
            expected=", ".join(feed.formats),
            found=path.suffix or "(none)",
        )
    return fmt


def open_file(path: Path, feed: Feed) -> ParsedFile:
    fmt = detect_format(path, feed)
    reader = {"csv": _open_csv, "xlsx": _open_xlsx, "jsonl": _open_jsonl}[fmt]
    return reader(path, feed)


# --- undecodable bytes ------------------------------------------------------------------------
# A byte that is invalid in the file's encoding must not stop the whole file, nor be silently
# replaced: it is kept as a lone surrogate (like Python's surrogateescape) and the row holding it
# goes to the rejects table. The counter lets the row checks skip the search in clean files.

_escapes = [0]


def _escape_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _escapes[0] += 1
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("pantau-escape", _escape_undecodable)


def _escaped_bytes(value: str) -> bytes:
    return bytes(ord(ch) - 0xDC00 for ch in ESCAPED_BYTES.findall(value))


# --- header matching --------------------------------------------------------------------------


@cache
def _alias_index(feed: Feed) -> dict[str, str]:
    return feed.alias_index()  # built once per feed: header search tries many rows and dialects


def _match_header(cells: list[str], feed: Feed) -> list[str | None]:
    index = _alias_index(feed)
    return [index.get(header_key(cell)) if cell else None for cell in cells]


def _locate_header(
    candidates: list[tuple[int, list[str]]], feed: Feed
) -> tuple[int, list[str], list[str | None]]:
    """Find the header among the first rows: the row naming most canonical columns wins.

    A title block of any height above it is skipped. Two stacked header rows (a merged group cell
    above its sub-columns, as Excel exports often have) are joined into one before matching.
    """
    best: tuple[int, int, list[str], list[str | None]] | None = None
    for i, (row_number, cells) in enumerate(candidates):
        options = [(row_number, cells)]
        if i + 1 < len(candidates):
            # Stacked header: data starts after the second header row.
            options.append((candidates[i + 1][0], _join_stacked(cells, candidates[i + 1][1])))
        for last_header_row, option in options:
            mapping = _match_header(option, feed)
            score = len({m for m in mapping if m})
            if best is None or score > best[0]:
                best = (score, last_header_row, option, mapping)
    if best is None or best[0] == 0:
        first = next((cells for _, cells in candidates if any(c.strip() for c in cells)), [])
        raise file_problem(
            "HEADER_TIDAK_DITEMUKAN",
            f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama: tidak ada nama "
            "kolom yang dikenali.",
            f"No header row found in the first {HEADER_SEARCH_ROWS} rows: no column names were recognised.",
            expected=", ".join(feed.required_columns),
            found=" | ".join(c for c in first if c)[:300] or "(empty)",
        )
    _, row_number, cells, mapping = best
    _check_header(cells, mapping, feed, row_number)
    return row_number, cells, mapping


def _join_stacked(upper: list[str], lower: list[str]) -> list[str]:
    joined, group = [], ""
    for i in range(max(len(upper), len(lower))):
        top = upper[i] if i < len(upper) else ""
        bottom = lower[i] if i < len(lower) else ""
        group = top or (group if bottom else "")
        joined.append(f"{group} {bottom}".strip() if bottom else top)
    return joined


def _check_header(cells: list[str], mapping: list[str | None], feed: Feed, row_number: int) -> None:
    seen: dict[str, str] = {}
    for cell, name in zip(cells, mapping, strict=False):
        if name is None:
            continue
        if name in seen:
            raise file_problem(
                "KOLOM_GANDA",
                f"Kolom '{name}' muncul dua kali ('{seen[name]}' dan '{cell}'); "
                "tidak jelas mana yang dipakai.",
                f"Column '{name}' appears twice ('{seen[name]}' and '{cell}'); "
                "which one to use is ambiguous.",
                row=row_number,
                column=name,
                expected="each column once",
                found=f"{seen[name]} | {cell}",
            )
        seen[name] = cell
    missing = [c for c in feed.required_columns if c not in seen]
    if missing:
        raise file_problem(
            "KOLOM_WAJIB_HILANG",
            f"Kolom wajib tidak ada: {', '.join(missing)}.",
            f"Required column(s) missing: {', '.join(missing)}.",
            row=row_number,
            column=missing[0],
            expected=", ".join(feed.required_columns),
            found=" | ".join(c for c in cells if c)[:300],
        )


# --- row shaping ------------------------------------------------------------------------------


def _is_blank(cells: list[str] | Problem) -> bool:
    if isinstance(cells, Problem):
        return False
    return _blank_text("".join(cells))


def _blank_text(text: str) -> bool:
    """No data: empty, whitespace, or an old DOS end-of-file mark (Ctrl-Z)."""
    return not text or text.isspace() or text == "\x1a"


def _shape_rows(
    records: Iterable[tuple[int, list[str] | Problem]],
    header: list[str],
    mapping: list[str | None],
    feed: Feed,
    notes: dict,
    *,
    escapes_from: int | None = None,
) -> Iterator[Row]:
    """Align each record (cells as text) to the canonical columns; a record that cannot be read
    becomes a Problem. `escapes_from` is the undecodable-byte counter when the file was opened."""
    names = feed.column_names
    positions = {name: i for i, name in enumerate(names)}
    source_of = {positions[name]: i for i, name in enumerate(mapping) if name}
    # One C-level call aligns a row: unmapped columns read the padding cell appended at -1.
    picked = [source_of.get(t, -1) for t in range(len(names))]
    pick = itemgetter(*picked) if len(picked) > 1 else (lambda cells: (cells[picked[0]],))
    pad = [""]
    width = len(mapping)
    last_needed = max(source_of.values())
    required = [(positions[c], c) for c in feed.required_columns]
    # Two exports pasted into one file repeat the header mid-file: spotted by one compare per row.
    key_source = source_of[required[0][0]]
    key_title = header[key_source].strip()
    for row_number, cells in records:
        if isinstance(cells, Problem):
            yield row_number, cells
            continue
        joined = SEP.join(cells)
        stripped = joined.replace(SEP, "")
        if _blank_text(stripped):
            notes["blank_rows"] += 1  # a blank line is not data
            continue
        if (
            len(cells) > key_source
            and cells[key_source].lstrip("\ufeff").strip() == key_title
            and _repeats_header(cells, header, source_of.values())
        ):
            yield row_number, _repeated_header(row_number, cells[key_source])
            continue
        if len(cells) > width and not _is_blank(cells[width:]):
            yield row_number, _ragged("KOLOM_BERLEBIH", row_number, len(cells), width)
            continue
        if len(cells) <= last_needed:
            yield row_number, _ragged("KOLOM_KURANG", row_number, len(cells), width)
            continue
        values = [v or None for v in pick(cells + pad)]
        problem = _check_required(values, required, row_number)
        if problem is None and (
            "\x00" in joined
            or (joined and joined[0] in FORMULA_START)
            or SEP + "=" in joined
            or SEP + "+" in joined
            or SEP + "-" in joined
            or SEP + "@" in joined
            or (escapes_from is not None and _escapes[0] != escapes_from and ESCAPED_BYTES.search(joined))
        ):
            problem = _inspect_values(values, names, row_number, notes)
        yield row_number, problem or values


def _repeats_header(cells: list[str], header: list[str], sources: Iterable[int]) -> bool:
    return all(i < len(cells) and header_key(cells[i]) == header_key(header[i]) for i in sources)


def _repeated_header(row_number: int, found: str) -> Problem:
    return Problem(
        "JUDUL_BERULANG",
        "Baris ini mengulang judul kolom (dua ekspor digabung dalam satu berkas?); tidak dimuat.",
        "This row repeats the header (two exports pasted into one file?); not loaded.",
        row=row_number,
        expected="a data row",
        found=found,
    )


def _ragged(code: str, row_number: int, found: int, width: int) -> Problem:
    if code == "KOLOM_BERLEBIH":
        return Problem(
            code,
            f"Baris berisi {found} kolom, sedangkan judul kolom hanya {width}.",
            f"Row has {found} fields but the header has {width}.",
            row=row_number,
            expected=f"{width} fields",
            found=f"{found} fields",
        )
    return Problem(
        code,
        f"Baris hanya berisi {found} kolom, sedangkan judul kolom {width}.",
        f"Row has only {found} fields but the header has {width}.",
        row=row_number,
        expected=f"{width} fields",
        found=f"{found} fields",
    )


def _check_required(values: list[str | None], required, row_number: int) -> Problem | None:
    for position, name in required:
        value = values[position]
        if value is None or value.isspace():
            return Problem(
                "NILAI_WAJIB_KOSONG",
                f"Kolom wajib '{name}' kosong.",
                f"Required column '{name}' is empty.",
                row=row_number,
                column=name,
                expected="a value",
                found="(empty)",
            )
    return None


def _inspect_values(
    values: list[str | None], names: list[str], row_number: int, notes: dict
) -> Problem | None:
    """The slow path, for rows the whole-row test flagged: find the cell and say what is wrong."""
    for name, value in zip(names, values, strict=True):
        if not value:
            continue
        if "\x00" in value:
            return Problem(
                "KARAKTER_TIDAK_SAH",
                f"Kolom '{name}' berisi karakter NUL (byte 0), yang tidak boleh ada dalam teks.",
                f"Column '{name}' contains a NUL character (byte 0), which text may not contain.",
                row=row_number,
                column=name,
                expected="text without NUL characters",
                found=repr(value[:60]),
            )
        if ESCAPED_BYTES.search(value):
            bad = _escaped_bytes(value)
            return Problem(
                "PENYANDIAN_RUSAK",
                f"Kolom '{name}' berisi byte yang tidak sah untuk penyandian berkas ({bad.hex(' ')}); "
                "simpan ulang berkas sebagai UTF-8.",
                f"Column '{name}' holds bytes that are invalid in the file's encoding ({bad.hex(' ')}); "
                "save the file again as UTF-8.",
                row=row_number,
                column=name,
                expected="text valid in the file's encoding",
                found=repr(value.encode("utf-8", "surrogateescape")[:60]),
            )
        if LONE_SURROGATES.search(value):
            return Problem(
                "KARAKTER_TIDAK_SAH",
                f"Kolom '{name}' berisi karakter Unicode yang tidak sah (surrogate tunggal).",
                f"Column '{name}' contains an invalid Unicode character (a lone surrogate).",
                row=row_number,
                column=name,
                expected="valid Unicode text",
                found=value[:60].encode("utf-8", "backslashreplace").decode("ascii", "replace"),
            )
    for name, value in zip(names, values, strict=True):
        if value and _formula_like(value):
            notes["formula_like_cells"] += 1
            columns = notes.setdefault("formula_like_columns", {})
            columns[name] = columns.get(name, 0) + 1
            notes.setdefault("formula_like_first_row", row_number)
    return None


def _formula_like(value: str) -> bool:
    """A cell a spreadsheet would run as a formula if this text were exported and opened again."""
    return (
        value[0] in FORMULA_START
        and len(value) > 1
        and value.strip("- ") != ""
        and NUMBER_LIKE.fullmatch(value) is None
    )


def _cell_text(cell) -> str:
    """Spreadsheet or JSON cell -> text exactly as sent; empty -> ""."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time | dt.timedelta):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dict | list):
        return json.dumps(cell, ensure_ascii=False)
    return str(cell)


def _text(cell) -> str | None:
    return _cell_text(cell) or None


# --- telling text from what is not ------------------------------------------------------------


def _describe_binary(sample: bytes) -> tuple[str, str] | None:
    for magic, in_id, in_en in MAGIC:
        if sample.startswith(magic):
            return in_id, in_en
    return None


def _refuse_non_text(sample: bytes, kind: str) -> None:
    """Refuse, with a reason, a file that is not text at all or is UTF-16 without a BOM."""
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _unsupported_encoding("UTF-32", kind)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    head = sample[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) >= 8 and max(even, odd) > 0.3 * len(head) / 2 and min(even, odd) < 0.05 * len(head) / 2:
        raise _unsupported_encoding("UTF-16 " + ("LE" if odd > even else "BE") + " tanpa BOM", kind)
    described = _describe_binary(sample)
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    if described or controls > BINARY_CONTROL_RATIO * len(sample):
        in_id, in_en = described or ("data biner", "binary data")
        raise file_problem(
            "BUKAN_TEKS",
            f"Berkas ini bukan teks {kind} melainkan {in_id}; kirim ulang sebagai {kind}.",
            f"The file is not {kind} text but {in_en}; send it again as {kind}.",
            expected=f"a {kind} text file",
            found=in_en
            if described
            else f"binary data ({controls} control bytes in the first {len(sample)})",
        )


def _unsupported_encoding(found: str, kind: str) -> FileRejected:
    return file_problem(
        "PENYANDIAN_TIDAK_DIDUKUNG",
        f"Penyandian {found} tidak didukung untuk {kind}; simpan ulang sebagai UTF-8 "
        "(di Excel: 'CSV UTF-8').",
        f"Encoding {found.replace(' tanpa ', ' without ')} is not supported for {kind}; save the file "
        "again as UTF-8 (in Excel: 'CSV UTF-8').",
        expected="UTF-8, UTF-8 with BOM, Windows-1252 or UTF-16 with BOM",
        found=found.replace(" tanpa ", " without "),
    )


# --- CSV --------------------------------------------------------------------------------------


def _valid_utf8(data: bytes, *, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _first_non_ascii(path: Path, start: int) -> bytes | None:
    """A window of the file from just before its first non-ASCII byte at or after `start`."""
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(SCAN_CHUNK):
            if not chunk.isascii():
                at = re.search(rb"[\x80-\xff]", chunk).start()
                return chunk[max(0, at - 200) : at + SNIFF_BYTES]
    return None


def _detect_encoding(sample: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Windows-1252 is the ANSI code page of Indonesian Windows and of Excel's plain "CSV". It is a
    fixed answer on purpose: statistical guessers pick cp1250 or latin-1 for short Western
    samples, which silently turns `è` into `č`. Bytes cp1252 leaves undefined reject their row."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text": the BOM makes it unambiguous
    complete = len(sample) < SNIFF_BYTES
    if not _valid_utf8(sample, final=complete):
        return "cp1252"
    if complete or not sample.isascii():
        return "utf-8"
    # Plain ASCII so far says nothing: decide on the first byte that is not, wherever it is.
    window = _first_non_ascii(path, len(sample))
    if window is None or _valid_utf8(window, final=len(window) < SNIFF_BYTES):
        return "utf-8"
    return "cp1252"


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
    from clevercsv import Detector

    # Drop the possibly cut last line, and sniff on enough rows to see past a title block. Lines
    # are capped: the detector's URL filter is quadratic in a line's length (a 1 MB cell took
    # 40 s), and it cannot handle NUL characters; neither matters for finding the delimiter.
    lines = text.replace("\x00", " ").splitlines()
    lines = lines[:-1] if len(lines) > 2 else lines
    sample = "\n".join(line[:DIALECT_LINE_CHARS] for line in lines[:DIALECT_LINES])
    detected = Detector().detect(sample, delimiters=DELIMITERS)
    candidates = []
    if detected and detected.delimiter in DELIMITERS:
        candidates.append(_dialect(detected.delimiter, detected.quotechar or '"'))
    candidates += [_dialect(d) for d in DELIMITERS]
    head = "\n".join(lines[:HEADER_SEARCH_ROWS])
    return max(candidates, key=lambda dialect: _header_score(head, dialect, feed))  # first best wins


def _header_score(head: str, dialect: type[csv.Dialect], feed: Feed) -> int:
    reader = csv.reader(io.StringIO(head), delimiter=dialect.delimiter, quotechar=dialect.quotechar)
    try:
        rows = list(reader)
    except csv.Error:
        return -1
    return max((len({m for m in _match_header(row, feed) if m}) for row in rows), default=0)


def _open_csv(path: Path, feed: Feed) -> ParsedFile:
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
    _refuse_non_text(sample, "CSV")
    encoding = _detect_encoding(sample, path)
    dialect = _detect_dialect(sample.decode(encoding, errors="replace"), feed)
    escapes_from = _escapes[0]
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

    parsed = _assemble("csv", encoding, records(), feed, escapes_from=escapes_from)
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


def _assemble(
    fmt: str,
    encoding: str | None,
    records: Iterator[tuple[int, list[str] | Problem]],
    feed: Feed,
    *,
    escapes_from: int | None = None,
) -> ParsedFile:
    head: list[tuple[int, list[str] | Problem]] = []
    for record in records:
        head.append(record)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if all(_is_blank(cells) for _, cells in head):
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas tidak berisi data: semua sel kosong.",
            "The file holds no data: every cell is empty.",
            expected="a header row and data rows",
            found=f"{len(head)} empty rows",
        )
    candidates = [(n, cells) for n, cells in head if not isinstance(cells, Problem)]
    header_row, cells, mapping = _locate_header(candidates, feed)
    notes: dict = {"blank_rows": 0, "formula_like_cells": 0}
    data_head = [(n, c) for n, c in head if n > header_row]
    if all(_is_blank(c) for _, c in data_head):
        notes["blank_rows"] += len(data_head)
        data_head = []
        for record in records:  # look past trailing blank rows for a first data row
            if _is_blank(record[1]):
                notes["blank_rows"] += 1
                continue
            data_head.append(record)
            break
        else:
            raise file_problem(
                "TANPA_DATA",
                "Berkas hanya berisi judul kolom, tanpa baris data.",
                "The file has a header but no data rows.",
                row=header_row,
                expected="at least one data row",
                found="0 data rows",
            )

    def chained() -> Iterator[tuple[int, list[str] | Problem]]:
        yield from data_head
        yield from records

    ignored = [printable(c) for c, m in zip(cells, mapping, strict=False) if c and m is None]
    return ParsedFile(
        format=fmt,
        encoding=encoding,
        header_row=header_row,
        source_headers=cells,
        ignored_headers=ignored,
        rows=_shape_rows(chained(), cells, mapping, feed, notes, escapes_from=escapes_from),
        notes=notes,
        mapping=mapping,
    )


# --- XLSX -------------------------------------------------------------------------------------


def _open_xlsx(path: Path, feed: Feed) -> ParsedFile:
    _check_zip(path)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = _pick_sheet(workbook.sheet_names, feed)
        sheet = workbook.get_sheet_by_name(sheet_name)
    except CalamineError as exc:
        raise _broken_workbook(exc) from exc

    merged_filled = [0]

    def records() -> Iterator[tuple[int, list[str]]]:
        top, left = sheet.start if sheet.start else (0, 0)
        # A cell merged down over several rows (one employer for a block of workers) holds its
        # value in the top row only; every row it covers is given that value, as a reader sees it.
        downward: dict[int, list[tuple[int, int]]] = {}
        for (r0, c0), (r1, _c1) in sheet.merged_cell_ranges or []:
            if r1 > r0:
                downward.setdefault(r0, []).append((c0 - left, r1))
        active: list[tuple[int, int, str]] = []  # (column, last row, value)
        try:
            for offset, raw in enumerate(sheet.iter_rows()):
                row = top + offset
                # Most cells are text already: only the others pay for a call.
                cells = [c if c.__class__ is str else _cell_text(c) for c in raw]
                if downward or active:
                    active = [a for a in active if a[1] >= row]
                    for column, value_ in ((a[0], a[2]) for a in active):
                        if column < len(cells) and cells[column] == "":
                            cells[column] = value_
                            merged_filled[0] += 1
                    for column, last in downward.pop(row, ()):
                        if column < len(cells) and cells[column]:
                            active.append((column, last, cells[column]))
                yield row + 1, cells
        except CalamineError as exc:
            raise _broken_workbook(exc) from exc

    parsed = _assemble("xlsx", None, records(), feed)
    parsed.notes["sheet"] = sheet_name
    parsed.rows = _count_into(parsed.rows, parsed.notes, "merged_cells_filled", merged_filled)
    return parsed


def _count_into(rows: Iterator[Row], notes: dict, key: str, counter: list[int]) -> Iterator[Row]:
    """Pass rows through; once they are all read, record the counter in the notes."""
    yield from rows
    notes[key] = counter[0]


def _broken_workbook(exc: Exception) -> FileRejected:
    return file_problem(
        "XLSX_RUSAK",
        f"Berkas Excel rusak dan tidak bisa dibaca ({type(exc).__name__}: {exc}); simpan ulang dari Excel.",
        f"The Excel workbook is damaged and cannot be read ({type(exc).__name__}: {exc}); save it again "
        "from Excel.",
        expected="a valid .xlsx workbook",
        found=f"{type(exc).__name__}: {exc}"[:300],
    )


def _pick_sheet(names: list[str], feed: Feed) -> str:
    if not names:
        raise file_problem(
            "XLSX_TANPA_SHEET",
            "Berkas Excel tidak berisi sheet.",
            "The workbook has no sheets.",
            expected="a sheet",
            found="none",
        )
    if feed.sheet is None:
        return names[0]
    by_key = {header_key(n): n for n in names}
    if header_key(feed.sheet) in by_key:
        return by_key[header_key(feed.sheet)]
    if len(names) == 1:
        return names[0]
    raise file_problem(
        "SHEET_TIDAK_DITEMUKAN",
        f"Sheet '{feed.sheet}' tidak ditemukan; berkas berisi beberapa sheet ({', '.join(names)}) dan "
        "tidak jelas mana yang berisi data.",
        f"Sheet '{feed.sheet}' was not found; the workbook has several sheets ({', '.join(names)}) and "
        "which one holds the data is unclear.",
        column=None,
        expected=feed.sheet,
        found=", ".join(names)[:300],
    )


def _check_zip(path: Path) -> None:
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    if not sample:
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas kosong (0 byte).",
            "The file is empty (0 bytes).",
            expected="an .xlsx workbook",
            found="0 bytes",
        )
    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_problem(
            "XLSX_TERKUNCI_ATAU_XLS",
            "Berkas ini Excel berkata sandi atau format .xls lama; buka kuncinya lalu simpan sebagai .xlsx.",
            "The file is a password-protected workbook or an old .xls; remove the password and save "
            "it as .xlsx.",
            expected="an unprotected .xlsx (zip) workbook",
            found="OLE compound file (encrypted .xlsx or .xls)",
        )
    if not sample.startswith(b"PK\x03\x04"):
        looks_text = bool(sample) and sample.translate(None, CONTROL_BYTES) == sample
        raise file_problem(
            "BUKAN_XLSX",
            "Berkas berekstensi .xlsx tetapi bukan berkas Excel"
            + (" (isinya teks, mungkin CSV yang diganti namanya)." if looks_text else "."),
            "The file is named .xlsx but is not an Excel workbook"
            + (" (it holds text: perhaps a renamed CSV)." if looks_text else "."),
            expected="an .xlsx (zip) workbook",
            found="text" if looks_text else "not a zip archive",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise file_problem(
            "XLSX_RUSAK",
            f"Berkas Excel rusak atau terpotong (tidak lengkap terkirim?): {exc}.",
            f"The Excel workbook is damaged or truncated (incompletely sent?): {exc}.",
            expected="a complete .xlsx workbook",
            found=str(exc)[:300],
        ) from exc
    if not any(info.filename == "xl/workbook.xml" for info in members):
        raise file_problem(
            "BUKAN_XLSX",
            "Berkas berekstensi .xlsx berupa arsip zip, tetapi bukan buku kerja Excel.",
            "The file named .xlsx is a zip archive but not an Excel workbook.",
            expected="an .xlsx workbook (xl/workbook.xml)",
            found=", ".join(info.filename for info in members[:5])[:300],
        )
    size = path.stat().st_size
    # Declared sizes can be trusted as limits: the xlsx reader refuses a member that inflates past
    # its declared size.
    expanded = sum(info.file_size for info in members)
    if expanded > MAX_XLSX_UNCOMPRESSED or (
        size and expanded / size > MAX_XLSX_RATIO and expanded > 50_000_000
    ):
        raise file_problem(
            "ZIP_BOM",
            f"Berkas Excel {size} byte mengembang menjadi {expanded} byte saat dibuka (zip bomb); "
            "tidak dibuka.",
            f"The {size}-byte workbook expands to {expanded} bytes when unpacked (zip bomb); not opened.",
            expected=f"at most {MAX_XLSX_UNCOMPRESSED} bytes unpacked, ratio at most {MAX_XLSX_RATIO}",
            found=f"{expanded} bytes from {size}",
        )


# --- JSON Lines -------------------------------------------------------------------------------


def _open_jsonl(path: Path, feed: Feed) -> ParsedFile:
    index = _alias_index(feed)
    names = feed.column_names
    positions = {name: i for i, name in enumerate(names)}
    required = [(positions[c], c) for c in feed.required_columns]
    with path.open("rb") as handle:
        first = handle.read(SNIFF_BYTES)
    if not first.strip():
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas kosong.",
            "The file is empty.",
            expected="JSON objects, one per line",
            found=f"{len(first)} bytes, all blank",
        )
    _refuse_non_text(first, "JSON Lines")
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _unsupported_encoding("UTF-16", "JSON Lines")
    if first.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"["):
        raise file_problem(
            "BUKAN_JSONL",
            "Berkas berisi satu larik JSON ([...]), bukan JSON Lines (satu objek per baris).",
            "The file is one JSON array ([...]), not JSON Lines (one object per line).",
            row=1,
            expected="one JSON object per line",
            found="a JSON array",
        )
    notes: dict = {"blank_rows": 0, "formula_like_cells": 0}

    def rows() -> Iterator[Row]:
        key_cache: dict[str, str | None] = {}
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    notes["blank_rows"] += 1
                    continue
                problem, record = _parse_json_line(line, number)
                if problem:
                    yield number, problem
                    continue
                values: list[str | None] = [None] * len(positions)
                seen: dict[str, str] = {}
                for key, value in record.items():
                    if key not in key_cache:
                        key_cache[key] = index.get(header_key(key))
                    name = key_cache[key]
                    if not name:
                        continue
                    if name in seen:
                        problem = Problem(
                            "KOLOM_GANDA",
                            f"Kolom '{name}' muncul dua kali dalam objek ('{seen[name]}' dan '{key}').",
                            f"Column '{name}' appears twice in the object ('{seen[name]}' and '{key}').",
                            row=number,
                            column=name,
                            expected="each column once",
                            found=f"{seen[name]} | {key}",
                        )
                        break
                    seen[name] = key
                    values[positions[name]] = _text(value)
                problem = (
                    problem
                    or _check_required(values, required, number)
                    or _inspect_values(values, names, number, notes)
                )
                yield number, problem or values

    return ParsedFile(
        format="jsonl",
        encoding="utf-8",
        header_row=0,
        source_headers=[],
        ignored_headers=[],
        rows=rows(),
        notes=notes,
    )


def _parse_json_line(line: bytes, number: int) -> tuple[Problem | None, dict]:
    try:
        text = line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.end]
        return (
            Problem(
                "PENYANDIAN_RUSAK",
                f"Baris berisi byte yang bukan UTF-8 yang sah ({bad.hex(' ')}) pada posisi {exc.start}.",
                f"Line holds bytes that are not valid UTF-8 ({bad.hex(' ')}) at position {exc.start}.",
                row=number,
                expected="UTF-8 text",
                found=repr(line[max(0, exc.start - 20) : exc.end + 20]),
            ),
            {},
        )
    try:
        record = json.loads(text)
    except ValueError as exc:
        return (
            Problem(
                "JSON_RUSAK",
                f"Baris bukan JSON yang sah: {exc}.",
                f"Line is not valid JSON: {exc}.",
                row=number,
                expected="one JSON object per line",
                found=text[:80],
            ),
            {},
        )
    if not isinstance(record, dict):
        kind = {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(record), "number")
        return (
            Problem(
                "JSON_RUSAK",
                f"Baris berisi JSON {kind}, bukan objek {{...}}.",
                f"Line holds a JSON {kind}, not an object {{...}}.",
                row=number,
                expected="one JSON object per line",
                found=text[:80].strip(),
            ),
            {},
        )
    return None, record


__all__ = ["FileRejected", "ParsedFile", "detect_format", "open_file"]
