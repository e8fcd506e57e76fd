"""Row rules, the same for every format: each record (cells as text) aligned to the feed's columns.

A record that cannot be read becomes a `Problem` for raw.<feed>__rejects (ragged, a required value
empty, a repeated header, a NUL character, bytes invalid in the file's encoding); blank records
are counted, not loaded; formula-like cells load as literal text and are counted in the notes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from operator import itemgetter

from pantau.ingest.errors import Problem
from pantau.ingest.sniff import ESCAPED_BYTES, ESCAPES, escaped_bytes
from pantau.registry import Feed, header_key

Row = tuple[int, "list[str | None] | Problem"]


ERROR_MARK = "\x00"  # starts an XLSX formula-error cell; NUL cannot occur in XML text
ERROR_SAMPLE = 20
SEP = "\x1f"  # joins a row's cells for whole-row checks; cannot occur in agency text we accept
FORMULA_START = "=+-@"
NUMBER_LIKE = re.compile(r"[+-]?[\d\s.,()/-]*\d[\d\s.,()/-]*")  # -5, +62 812-3456: not formulas
LONE_SURROGATES = re.compile("[\ud800-\udfff]")

# --- row shaping ------------------------------------------------------------------------------


def is_blank(cells: list[str] | Problem) -> bool:
    if isinstance(cells, Problem):
        return False
    return blank_text("".join(cells))


def blank_text(text: str) -> bool:
    """No data: empty, whitespace, or an old DOS end-of-file mark (Ctrl-Z)."""
    return not text or text.isspace() or text == "\x1a"


def shape_rows(
    records: Iterable[tuple[int, list[str] | Problem]],
    header: list[str],
    mapping: list[str | None],
    feed: Feed,
    notes: dict,
    *,
    escapes_from: int | None = None,
    cell_errors: bool = False,
) -> Iterator[Row]:
    """Align each record (cells as text) to the canonical columns; a record that cannot be read
    becomes a Problem. `escapes_from` is the undecodable-byte counter when the file was opened;
    `cell_errors`: cells starting with ERROR_MARK are spreadsheet formula errors (XLSX)."""
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
        if blank_text(stripped):
            notes["blank_rows"] += 1  # a blank line is not data
            continue
        if (
            len(cells) > key_source
            and cells[key_source].lstrip("\ufeff").strip() == key_title
            and _repeats_header(cells, header, source_of.values())
        ):
            yield row_number, _repeated_header(row_number, cells[key_source])
            continue
        if len(cells) > width and not is_blank(cells[width:]):
            yield row_number, _ragged("KOLOM_BERLEBIH", row_number, len(cells), width)
            continue
        if len(cells) <= last_needed:
            yield row_number, _ragged("KOLOM_KURANG", row_number, len(cells), width)
            continue
        values = [v or None for v in pick(cells + pad)]
        problem = check_required(values, required, row_number)
        if problem is None and cell_errors and ERROR_MARK in joined:
            problem = _formula_errors(values, names, feed.required_columns, row_number, notes)
        if problem is None and (
            "\x00" in joined
            or (joined and joined[0] in FORMULA_START)
            or SEP + "=" in joined
            or SEP + "+" in joined
            or SEP + "-" in joined
            or SEP + "@" in joined
            or (escapes_from is not None and ESCAPES[0] != escapes_from and ESCAPED_BYTES.search(joined))
        ):
            problem = inspect_values(values, names, row_number, notes)
        yield row_number, problem or values


def _formula_errors(
    values: list[str | None], names: list[str], required: list[str], row_number: int, notes: dict
) -> Problem | None:
    """A formula error (#N/A, #VALUE!, #DIV/0!, #REF!) is no value. In a required column the row
    cannot load (rejected, naming the error); elsewhere the row loads with that value empty and
    the cell is reported in the ledger notes (`error_cells`: row, column, error), the way an
    unreadable date loads and is reported by gate 1."""
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        if not value or not value.startswith(ERROR_MARK):
            continue
        error = value[len(ERROR_MARK) :]
        if name in required:
            return Problem(
                "SEL_GALAT_RUMUS",
                f"Kolom wajib '{name}' berisi galat rumus Excel {error}, bukan nilai.",
                f"Required column '{name}' holds the Excel formula error {error}, not a value.",
                row=row_number,
                column=name,
                expected="a value",
                found=error,
            )
        values[i] = None
        notes["error_cells"] = notes.get("error_cells", 0) + 1
        columns = notes.setdefault("error_cell_columns", {})
        columns[name] = columns.get(name, 0) + 1
        sample = notes.setdefault("error_cells_sample", [])
        if len(sample) < ERROR_SAMPLE:
            sample.append({"row": row_number, "column": name, "error": error})
    return None


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


def check_required(values: list[str | None], required, row_number: int) -> Problem | None:
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


def inspect_values(
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
            bad = escaped_bytes(value)
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


def cell_text(cell) -> str:
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


def text_or_none(cell) -> str | None:
    return cell_text(cell) or None
