"""Excel workbooks (.xlsx, .xlsm): the registry's sheet, read as Excel shows it.

python-calamine reads the values; `ooxml` adds what it does not give (formula errors, number
formats, where the parts are). Row numbers are the sheet's own, every cell of a merge shows the
merge's top-left value, numbers read as their format shows them (`numfmt`), date cells as ISO dates.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from pantau.ingest import numfmt, ooxml
from pantau.ingest.errors import FileRejected, file_problem
from pantau.ingest.rows import ERROR_MARK, cell_text
from pantau.ingest.sniff import CONTROL_BYTES, SNIFF_BYTES
from pantau.ingest.table import ParsedFile, assemble, count_into
from pantau.registry import Feed, header_key

MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # an .xlsx expanding past this is treated as a zip bomb
MAX_XLSX_RATIO = 200


def open_xlsx(path: Path, feed: Feed) -> ParsedFile:
    package = _check_zip(path)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = _pick_sheet(workbook.sheet_names, feed)
        sheet = workbook.get_sheet_by_name(sheet_name)
    except CalamineError as exc:
        raise _broken_workbook(exc) from exc
    special = _special_cells(path, package, sheet_name)
    counts = {"merged_cells_filled": 0, "formatted_numbers": 0}

    def records() -> Iterator[tuple[int, list[str]]]:
        left = sheet.start[1] if sheet.start else 0
        merges = _merges_by_top_row(sheet.merged_cell_ranges or [])
        active: list[list] = []  # [last row, first column, last column, value] of merges in reach
        try:
            # python-calamine yields the sheet's rows from its first row (A1's), empty ones
            # included, and its columns from the first used one: row i is sheet row i + 1.
            for row, raw in enumerate(sheet.iter_rows()):
                # Most cells are text already: only the others pay for a call.
                cells = [c if c.__class__ is str else _value_text(c) for c in raw]
                extra = special.pop(row, None) if special else None
                if extra:
                    _apply_special(cells, raw, extra, left, counts)
                if merges or active:
                    active = _fill_merges(cells, row, left, merges, active, counts)
                yield row + 1, cells
        except CalamineError as exc:
            raise _broken_workbook(exc) from exc

    parsed = assemble("xlsx", None, records(), feed, cell_errors=True)
    parsed.notes["sheet"] = sheet_name
    parsed.rows = count_into(parsed.rows, parsed.notes, counts)
    return parsed


def _value_text(cell) -> str:
    """A cell's value as Excel shows it with the General format (dates as ISO dates)."""
    if cell.__class__ is float:
        return numfmt.general(cell)
    return cell_text(cell)


def _special_cells(path: Path, package: ooxml.Package | None, sheet_name: str) -> dict:
    """Formula errors and numbers whose format changes their text, by 0-based sheet row."""
    if package is None or sheet_name not in package.sheets:
        return {}
    with zipfile.ZipFile(path) as archive:
        styles = ooxml.number_formats(archive, package)
        return ooxml.special_cells(archive, package.names[package.sheets[sheet_name]], styles)


def _apply_special(cells: list[str], raw: list, extra, left: int, counts: dict) -> None:
    for column, kind, detail in extra:
        index = column - left
        if index < 0:
            continue
        if index >= len(cells):
            cells.extend([""] * (index + 1 - len(cells)))
        if kind == "error":
            # NUL cannot occur in XML text, so it marks the cell as an error for the row rules.
            cells[index] = ERROR_MARK + detail
        elif index < len(raw) and raw[index].__class__ in (float, int):
            cells[index] = numfmt.render(raw[index], detail)
            counts["formatted_numbers"] += 1


def _merges_by_top_row(ranges) -> dict[int, list[tuple[int, int, int, int]]]:
    merges: dict[int, list[tuple[int, int, int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        if r1 > r0 or c1 > c0:
            merges.setdefault(r0, []).append((r0, c0, r1, c1))
    return merges


def _fill_merges(cells: list[str], row: int, left: int, merges: dict, active: list, counts: dict) -> list:
    """Every cell of a merged range shows the value of its top-left cell, as Excel shows it: a
    header merged over its sub-columns, one employer merged down over its workers."""
    for _r0, c0, r1, c1 in merges.pop(row, ()):
        index = c0 - left
        value = cells[index] if 0 <= index < len(cells) else ""
        active.append([r1, c0, c1, value, True])
    for merge in active:
        _r1, c0, c1, value, top = merge
        for column in range(c0, c1 + 1):
            index = column - left
            if index < 0 or (top and column == c0):
                continue
            if index >= len(cells):
                cells.extend([""] * (index + 1 - len(cells)))
            cells[index] = value
            counts["merged_cells_filled"] += 1
        merge[4] = False
    return [merge for merge in active if merge[0] > row]


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


def _check_zip(path: Path) -> ooxml.Package:
    """Refuse what is not a readable workbook; where its parts are."""
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
    try:
        with zipfile.ZipFile(path) as archive:
            package = ooxml.locate(archive)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, ElementTree.ParseError) as exc:
        raise _broken_workbook(exc) from exc
    if package is None:
        raise file_problem(
            "BUKAN_XLSX",
            "Berkas berekstensi .xlsx berupa arsip zip, tetapi bukan buku kerja Excel.",
            "The file named .xlsx is a zip archive but not an Excel workbook.",
            expected="an .xlsx workbook (a workbook part named by _rels/.rels)",
            found=", ".join(info.filename for info in members[:5])[:300],
        )
    return package
