"""Excel workbooks (.xlsx, .xlsm): the registry's sheet, read with python-calamine."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from pantau.ingest.errors import FileRejected, file_problem
from pantau.ingest.rows import cell_text
from pantau.ingest.sniff import CONTROL_BYTES, SNIFF_BYTES
from pantau.ingest.table import ParsedFile, assemble, count_into
from pantau.registry import Feed, header_key

MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # an .xlsx expanding past this is treated as a zip bomb
MAX_XLSX_RATIO = 200


def open_xlsx(path: Path, feed: Feed) -> ParsedFile:
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
                cells = [c if c.__class__ is str else cell_text(c) for c in raw]
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

    parsed = assemble("xlsx", None, records(), feed)
    parsed.notes["sheet"] = sheet_name
    parsed.rows = count_into(parsed.rows, parsed.notes, "merged_cells_filled", merged_filled)
    return parsed


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
