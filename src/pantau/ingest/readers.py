"""Read an agency file (CSV, XLSX, JSON Lines) into rows keyed by the feed's canonical columns.

Readers stream: a file is never held in memory whole. Each yields `(row_number, values)` where
row_number is where the row sits in the file as a spreadsheet shows it (title and header rows
counted), so an agency can find it; values are aligned to `feed.column_names`, or a `Problem`
when that one row cannot be read (it goes to the rejects table while the rest loads).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pantau.ingest.errors import FileRejected, Problem, file_problem
from pantau.registry import Feed, header_key

HEADER_SEARCH_ROWS = 30
SNIFF_BYTES = 64 * 1024
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
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # an .xlsx expanding past this is treated as a zip bomb
MAX_XLSX_RATIO = 200

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


def detect_format(path: Path, feed: Feed) -> str:
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None or fmt not in feed.formats:
        raise file_problem(
            "FORMAT_TIDAK_DIDUKUNG",
            f"Format berkas '{path.suffix or '(tanpa ekstensi)'}' tidak diterima untuk feed {feed.name}.",
            f"File type '{path.suffix or '(no extension)'}' is not accepted for feed {feed.name}.",
            expected=", ".join(feed.formats),
            found=path.suffix or "(none)",
        )
    return fmt


def open_file(path: Path, feed: Feed) -> ParsedFile:
    fmt = detect_format(path, feed)
    reader = {"csv": _open_csv, "xlsx": _open_xlsx, "jsonl": _open_jsonl}[fmt]
    return reader(path, feed)


# --- header matching --------------------------------------------------------------------------


def _match_header(cells: list[str], feed: Feed) -> list[str | None]:
    index = feed.alias_index()
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
        raise file_problem(
            "HEADER_TIDAK_DITEMUKAN",
            "Baris judul kolom tidak ditemukan: tidak ada kolom yang dikenali.",
            "No header row found: no column names were recognised.",
            expected=", ".join(feed.required_columns),
            found=" | ".join(candidates[0][1])[:200] if candidates else "(empty)",
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
                f"Kolom '{name}' muncul dua kali ('{seen[name]}' dan '{cell}'); tidak jelas mana yang dipakai.",
                f"Column '{name}' appears twice ('{seen[name]}' and '{cell}'); which one to use is ambiguous.",
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


def _shape_rows(
    records: Iterable[tuple[int, list]],
    mapping: list[str | None],
    feed: Feed,
) -> Iterator[Row]:
    """Align each record to the canonical columns; a record that cannot be read becomes a Problem."""
    positions = {name: i for i, name in enumerate(feed.column_names)}
    targets = [(i, positions[name]) for i, name in enumerate(mapping) if name]
    width = len(mapping)
    required = [(positions[c], c) for c in feed.required_columns]
    for row_number, cells in records:
        if not any(_present(c) for c in cells):
            continue  # blank line: not data (counted by the loader as skipped)
        if len(cells) > width and any(_present(c) for c in cells[width:]):
            yield (
                row_number,
                Problem(
                    "KOLOM_BERLEBIH",
                    f"Baris berisi {len(cells)} kolom, judul kolom hanya {width}.",
                    f"Row has {len(cells)} fields but the header has {width}.",
                    row=row_number,
                    expected=f"{width} fields",
                    found=f"{len(cells)} fields",
                ),
            )
            continue
        if len(cells) < width and any(_present(c) for c in cells) and len(cells) < _last_needed(mapping) + 1:
            yield (
                row_number,
                Problem(
                    "KOLOM_KURANG",
                    f"Baris hanya berisi {len(cells)} kolom, judul kolom {width}.",
                    f"Row has only {len(cells)} fields but the header has {width}.",
                    row=row_number,
                    expected=f"{width} fields",
                    found=f"{len(cells)} fields",
                ),
            )
            continue
        values: list[str | None] = [None] * len(positions)
        for source, target in targets:
            if source < len(cells):
                values[target] = _text(cells[source])
        problem = _check_values(values, required, feed, row_number)
        yield row_number, problem or values


def _last_needed(mapping: list[str | None]) -> int:
    return max((i for i, name in enumerate(mapping) if name), default=-1)


def _check_values(values, required, feed: Feed, row_number: int) -> Problem | None:
    for position, name in required:
        value = values[position]
        if value is None or not value.strip():
            return Problem(
                "NILAI_WAJIB_KOSONG",
                f"Kolom wajib '{name}' kosong.",
                f"Required column '{name}' is empty.",
                row=row_number,
                column=name,
                expected="a value",
                found="(empty)",
            )
    for name, value in zip(feed.column_names, values, strict=True):
        if value is not None and "\x00" in value:
            return Problem(
                "KARAKTER_TIDAK_SAH",
                f"Kolom '{name}' berisi karakter NUL.",
                f"Column '{name}' contains a NUL character.",
                row=row_number,
                column=name,
                expected="text without NUL characters",
                found=repr(value[:40]),
            )
    return None


def _present(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _text(cell) -> str | None:
    """Cell -> text exactly as sent; empty -> NULL; spreadsheet types to their plain text form."""
    if cell is None:
        return None
    if isinstance(cell, str):
        return cell if cell != "" else None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dict | list):
        return json.dumps(cell, ensure_ascii=False)
    return str(cell)


# --- CSV --------------------------------------------------------------------------------------


def _detect_encoding(sample: bytes, path: Path) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in sample:
        raise file_problem(
            "BUKAN_TEKS",
            "Berkas bukan teks (berisi byte NUL); mungkin berkas biner atau terenkripsi.",
            "The file is not text (contains NUL bytes); it may be binary or encrypted.",
            expected="a text file (CSV)",
            found="binary data",
        )
    try:
        # A multi-byte character may be cut at the sample's end: ignore only that tail.
        sample.decode("utf-8") if len(sample) < SNIFF_BYTES else sample[:-4].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "utf_16", "cp1250"]).best()
    if best is None or best.encoding.startswith("utf_16"):
        raise file_problem(
            "PENYANDIAN_TIDAK_DIKENAL",
            "Penyandian karakter berkas tidak dikenali.",
            "Could not recognise the file's character encoding.",
            expected="UTF-8 or Windows-1252",
            found=best.encoding if best else "unknown",
        )
    return "cp1252" if best.encoding in {"cp1252", "latin_1"} else best.encoding


def _detect_dialect(text: str) -> csv.Dialect:
    from clevercsv import Detector

    lines = text.splitlines()
    # Drop the possibly cut last line, and sniff on enough rows to see past a title block.
    sample = "\n".join(lines[:-1] if len(lines) > 2 else lines)
    detected = Detector().detect(sample, delimiters=DELIMITERS)

    class Dialect(csv.excel):
        delimiter = detected.delimiter if detected and detected.delimiter in DELIMITERS else ","
        quotechar = (detected.quotechar if detected else None) or '"'

    return Dialect


def _open_csv(path: Path, feed: Feed) -> ParsedFile:
    with path.open("rb") as raw:
        sample = raw.read(SNIFF_BYTES)
    if not sample.strip():
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas kosong.",
            "The file is empty.",
            expected="a header row and data rows",
            found=f"{len(sample)} bytes",
        )
    encoding = _detect_encoding(sample, path)
    dialect = _detect_dialect(sample.decode(encoding, errors="replace"))
    handle = io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")
    reader = csv.reader(handle, dialect)

    def records() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except UnicodeDecodeError as exc:
            raise file_problem(
                "PENYANDIAN_RUSAK",
                f"Byte tidak sah untuk penyandian {encoding} setelah baris {number}.",
                f"Invalid bytes for encoding {encoding} after row {number}.",
                row=number + 1,
                expected=encoding,
                found=repr(exc.object[exc.start : exc.end]),
            ) from exc
        except csv.Error as exc:
            raise file_problem(
                "CSV_RUSAK",
                f"Struktur CSV rusak setelah baris {number}: {exc}.",
                f"Malformed CSV after row {number}: {exc}.",
                row=number + 1,
                expected="well-formed CSV",
                found=str(exc),
            ) from exc
        finally:
            handle.close()

    return _assemble("csv", encoding, records(), feed)


def _assemble(fmt: str, encoding: str | None, records: Iterator[tuple[int, list]], feed: Feed) -> ParsedFile:
    head: list[tuple[int, list]] = []
    for record in records:
        head.append(record)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    as_text = [(n, [_text(c) or "" for c in cells]) for n, cells in head]
    header_row, cells, mapping = _locate_header(as_text, feed)
    data_head = [(n, cells_) for n, cells_ in head if n > header_row]
    if not data_head and _exhausted(records, data_head):
        raise file_problem(
            "TANPA_DATA",
            "Berkas hanya berisi judul kolom, tanpa baris data.",
            "The file has a header but no data rows.",
            row=header_row,
            expected="at least one data row",
            found="0 data rows",
        )

    def chained() -> Iterator[tuple[int, list]]:
        yield from data_head
        yield from records

    ignored = [c for c, m in zip(cells, mapping, strict=False) if c and m is None]
    return ParsedFile(
        format=fmt,
        encoding=encoding,
        header_row=header_row,
        source_headers=cells,
        ignored_headers=ignored,
        rows=_shape_rows(chained(), mapping, feed),
    )


def _exhausted(records: Iterator, buffer: list) -> bool:
    """Peek one record; keep it in `buffer` if there is one."""
    for record in records:
        buffer.append(record)
        return False
    return True


# --- XLSX -------------------------------------------------------------------------------------


def _open_xlsx(path: Path, feed: Feed) -> ParsedFile:
    _check_zip(path)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise file_problem(
            "XLSX_RUSAK",
            f"Berkas Excel tidak bisa dibaca: {exc}.",
            f"The Excel workbook cannot be read: {exc}.",
            expected="a valid .xlsx workbook",
            found=type(exc).__name__,
        ) from exc
    sheet_name = _pick_sheet(workbook.sheet_names, feed)
    sheet = workbook.get_sheet_by_name(sheet_name)

    def records() -> Iterator[tuple[int, list]]:
        start = sheet.start[0] if sheet.start else 0
        for offset, cells in enumerate(sheet.iter_rows()):
            yield start + offset + 1, list(cells)

    parsed = _assemble("xlsx", None, records(), feed)
    parsed.notes["sheet"] = sheet_name
    return parsed


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
        f"Sheet '{feed.sheet}' tidak ditemukan.",
        f"Sheet '{feed.sheet}' was not found.",
        expected=feed.sheet,
        found=", ".join(names),
    )


def _check_zip(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        raise file_problem(
            "BUKAN_XLSX",
            "Berkas berekstensi .xlsx tetapi bukan berkas Excel (mungkin CSV yang diganti namanya).",
            "The file is named .xlsx but is not an Excel workbook (perhaps a renamed CSV).",
            expected="an .xlsx (zip) workbook",
            found="not a zip archive",
        )
    size = path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    if expanded > MAX_XLSX_UNCOMPRESSED or (
        size and expanded / size > MAX_XLSX_RATIO and expanded > 50_000_000
    ):
        raise file_problem(
            "ZIP_BOM",
            "Berkas Excel mengembang terlalu besar saat dibuka (zip bomb); tidak dibuka.",
            "The workbook expands to an implausible size when unpacked (zip bomb); not opened.",
            expected=f"at most {MAX_XLSX_UNCOMPRESSED} bytes unpacked",
            found=f"{expanded} bytes from {size}",
        )


# --- JSON Lines -------------------------------------------------------------------------------


def _open_jsonl(path: Path, feed: Feed) -> ParsedFile:
    index = feed.alias_index()
    positions = {name: i for i, name in enumerate(feed.column_names)}
    required = [(positions[c], c) for c in feed.required_columns]
    handle = path.open("rb")
    first = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if not first.strip():
        handle.close()
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas kosong.",
            "The file is empty.",
            expected="JSON objects, one per line",
            found=f"{len(first)} bytes",
        )

    def rows() -> Iterator[Row]:
        key_cache: dict[str, str | None] = {}
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
                    if not isinstance(record, dict):
                        raise ValueError("not a JSON object")
                except (ValueError, UnicodeDecodeError) as exc:
                    yield (
                        number,
                        Problem(
                            "JSON_RUSAK",
                            f"Baris bukan objek JSON yang sah: {exc}.",
                            f"Line is not a valid JSON object: {exc}.",
                            row=number,
                            expected="one JSON object per line",
                            found=line[:80].decode("utf-8", "replace"),
                        ),
                    )
                    continue
                values: list[str | None] = [None] * len(positions)
                for key, value in record.items():
                    if key not in key_cache:
                        key_cache[key] = index.get(header_key(key))
                    name = key_cache[key]
                    if name:
                        values[positions[name]] = _text(value)
                problem = _check_values(values, required, feed, number)
                yield number, problem or values

    return ParsedFile(
        format="jsonl", encoding="utf-8", header_row=0, source_headers=[], ignored_headers=[], rows=rows()
    )


__all__ = ["FileRejected", "ParsedFile", "detect_format", "open_file"]
