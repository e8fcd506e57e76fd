"""Workbooks as agencies make them, built by hand with openpyxl (not by Pantau's generator).

Each pins one thing Excel shows and the reader must read the same way: the sheet's own row numbers
wherever the table starts, merged cells filled from their top-left cell, formula errors reported by
their text, numbers as their format shows them, and packages whose parts are not where Excel
itself puts them.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pantau.ingest import numfmt
from pantau.ingest.errors import FileRejected, Problem
from pantau.ingest.readers import open_file
from pantau.registry import feed

WORKERS = feed("disnaker_tka")
NAMES = WORKERS.column_names
HEADER = [
    "No RPTKA",
    "Nama Perusahaan",
    "KBLI",
    "Nama TKA",
    "Nomor Paspor",
    "Negara Asal",
    "Lokasi Kerja",
    "Tgl Mulai",
    "Tgl Selesai",
    "Jabatan",
]


def worker(key: str, employer: str = "PT Baja", kbli: object = "24101") -> list[object]:
    return [key, employer, kbli, "Wang Fang", f"E{key[-3:]:0>7}", "RRT", "Kota Cilegon", "01/03/2025",
            "28/02/2026", "Engineer"]  # fmt: skip


def write(path: Path, rows: list[list[object]], *, top: int = 1, left: int = 1, sheet: str = "TKA"):
    """Rows written from sheet cell (top, left); returns the open sheet for merges and formats."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(top + r, left + c, value)
    return book, ws


def read(path: Path) -> tuple[object, list]:
    parsed = open_file(path, WORKERS)
    return parsed, list(parsed.rows)


def column(rows: list, name: str) -> list:
    return [values[NAMES.index(name)] for _, values in rows if not isinstance(values, Problem)]


@pytest.mark.parametrize(("top", "left"), [(1, 1), (2, 1), (6, 3), (40, 2)])
def test_row_numbers_are_the_sheets_own_wherever_the_table_starts(tmp_path: Path, top: int, left: int):
    path = tmp_path / "tka.xlsx"
    book, _ = write(path, [HEADER, worker("R001"), worker("R002"), worker("R003")], top=top, left=left)
    book.save(path)
    parsed, rows = read(path)
    assert parsed.header_row == top
    assert [n for n, _ in rows] == [top + 1, top + 2, top + 3]
    assert column(rows, "no_rptka") == ["R001", "R002", "R003"]


def test_title_block_and_empty_rows_above_keep_sheet_row_numbers(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    book, ws = write(path, [HEADER, worker("R001"), [], worker("R002")], top=5)
    ws["A2"] = "REKAP TKA DISNAKERTRANS"
    ws.merge_cells("A2:J2")
    book.save(path)
    parsed, rows = read(path)
    assert parsed.header_row == 5
    assert [n for n, _ in rows] == [6, 8]


def test_employer_and_kbli_merged_down_over_each_group_of_workers(tmp_path: Path):
    """A Disnaker recap: employer and KBLI cells merged down over the employer's workers."""
    path = tmp_path / "rekap.xlsx"
    groups = [("PT Alpha Energi", "35101", 3), ("PT Beta Sawit", "01262", 2), ("PT Gamma", "05100", 1)]
    rows: list[list[object]] = [HEADER]
    merges = []
    for employer, kbli, size in groups:
        first = len(rows) + 3  # the table starts on sheet row 3
        for i in range(size):
            row = worker(f"R{len(rows):03d}", employer if i == 0 else None, kbli if i == 0 else None)
            rows.append(row)
        if size > 1:
            merges += [f"B{first}:B{first + size - 1}", f"C{first}:C{first + size - 1}"]
    book, ws = write(path, rows, top=3)
    for merged in merges:
        ws.merge_cells(merged)
    book.save(path)
    parsed, got = read(path)
    assert not [r for _, r in got if isinstance(r, Problem)]
    assert [n for n, _ in got] == list(range(4, 10))
    assert column(got, "nama_perusahaan") == ["PT Alpha Energi"] * 3 + ["PT Beta Sawit"] * 2 + ["PT Gamma"]
    assert column(got, "kbli") == ["35101"] * 3 + ["01262"] * 2 + ["05100"]
    assert parsed.notes["merged_cells_filled"] == 6


def test_stacked_header_with_merged_group_and_merged_down_cells(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "TKA"
    ws.append(["No RPTKA", "Nama", None, "Nomor Paspor", "Negara Asal", "Lokasi Kerja", "Tgl Mulai",
               "Tgl Selesai"])  # fmt: skip
    ws.append([None, "Perusahaan", "TKA"])
    ws.merge_cells("A1:A2")  # header cells merged down over the two header rows
    ws.merge_cells("B1:C1")  # group "Nama" over "Perusahaan" and "TKA"
    for c in "DEFGH":
        ws.merge_cells(f"{c}1:{c}2")
    ws.append(["R1", "PT Baja", "Wang Fang", "E1234567", "RRT", "Kota Cilegon", "01/03/2025", "28/02/2026"])
    book.save(path)
    parsed, rows = read(path)
    assert parsed.header_row == 2
    assert rows[0][0] == 3
    assert column(rows, "nama_perusahaan") == ["PT Baja"]
    assert column(rows, "nama_tka") == ["Wang Fang"]
    assert column(rows, "no_rptka") == ["R1"]


@pytest.mark.parametrize("error", ["#N/A", "#VALUE!", "#DIV/0!", "#REF!"])
def test_formula_error_in_a_required_column_rejects_the_row_naming_the_error(tmp_path: Path, error: str):
    path = tmp_path / "tka.xlsx"
    book, ws = write(path, [HEADER, worker("R001"), worker("R002"), worker("R003")], top=2)
    ws["B4"] = error  # openpyxl writes a string that is an error code as an error cell (t="e")
    book.save(path)
    assert b't="e"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    _, rows = read(path)
    problems = [(n, p.code, p.column, p.found) for n, p in rows if isinstance(p, Problem)]
    assert problems == [(4, "SEL_GALAT_RUMUS", "nama_perusahaan", error)]
    assert column(rows, "no_rptka") == ["R001", "R003"]


def test_formula_error_in_an_optional_column_loads_the_row_and_reports_the_cell(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    book, ws = write(path, [HEADER, worker("R001"), worker("R002")])
    ws["J3"] = "#N/A"  # Jabatan from a broken VLOOKUP
    ws["C2"] = "=1/0"  # no cached value: an empty cell, as Excel would show it before recalculating
    book.save(path)
    parsed, rows = read(path)
    assert column(rows, "no_rptka") == ["R001", "R002"]
    assert column(rows, "jabatan") == ["Engineer", None]
    assert parsed.notes["error_cells"] == 1
    assert parsed.notes["error_cells_sample"] == [{"row": 3, "column": "jabatan", "error": "#N/A"}]


def test_numbers_read_as_their_format_shows_them(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    book, ws = write(path, [HEADER, worker("R001", kbli=1111), worker("R002", kbli=24101)])
    formats = {"C2": "00000", "C3": "00000"}
    ws["J2"] = 23.310000000000002
    ws["J2"].number_format = "0.00"
    ws["J3"] = 0.125
    ws["J3"].number_format = "0.0%"
    for ref, code in formats.items():
        ws[ref].number_format = code
    ws["H2"] = dt.datetime(2025, 3, 1)
    ws["H2"].number_format = "dd/mm/yyyy"
    ws["I2"] = 46022.0  # a bare serial number, General: stays a number
    ws["I3"] = 46022.25
    ws["I3"].number_format = "m/d/yyyy h:mm"
    book.save(path)
    parsed, rows = read(path)
    assert column(rows, "kbli") == ["01111", "24101"]
    assert column(rows, "jabatan") == ["23.31", "12.5%"]
    assert column(rows, "tanggal_mulai") == ["2025-03-01", "01/03/2025"]
    assert column(rows, "tanggal_selesai") == ["46022", "2025-12-31 06:00:00"]
    assert parsed.notes["formatted_numbers"] == 4


def test_general_numbers_carry_no_floating_point_artefacts(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    book, ws = write(path, [HEADER, worker("R001"), worker("R002"), worker("R003")])
    ws["J2"] = 0.1 + 0.2
    ws["J3"] = 23.310000000000002
    ws["J4"] = 1234567.0
    book.save(path)
    _, rows = read(path)
    assert column(rows, "jabatan") == ["0.3", "23.31", "1234567"]


def _repack(source: Path, target: Path, rename, rewrite=lambda name, data: data) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(rename(info.filename), rewrite(info.filename, old.read(info.filename)))


def _moved(name: str, data: bytes) -> bytes:
    if name.endswith(".rels") or name == "[Content_Types].xml":
        return data.replace(b"/xl/", b"/data/").replace(b'Target="xl/', b'Target="data/')
    return data


@pytest.mark.parametrize(
    ("rename", "rewrite"),
    [
        (lambda n: n.replace("/", "\\") if n.startswith("xl/") else n, lambda n, d: d),
        (lambda n: n.replace("xl/", "data/", 1) if n.startswith("xl/") else n, _moved),
    ],
    ids=["backslash_paths", "workbook_part_not_in_xl"],
)
def test_workbooks_whose_parts_are_elsewhere_are_read(tmp_path: Path, rename, rewrite):
    made = tmp_path / "made.xlsx"
    book, ws = write(made, [HEADER, worker("R001", kbli=1111), worker("R002")], top=2)
    ws["C3"].number_format = "00000"
    ws["J4"] = "#REF!"
    book.save(made)
    path = tmp_path / "tka.xlsx"
    _repack(made, path, rename, rewrite)
    assert "xl/workbook.xml" not in zipfile.ZipFile(path).namelist()
    parsed, rows = read(path)
    assert [n for n, _ in rows] == [3, 4]
    assert column(rows, "kbli") == ["01111", "24101"]
    assert parsed.notes["error_cells"] == 1


def test_zip_without_a_workbook_is_still_not_an_xlsx(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(FileRejected) as caught:
        open_file(path, WORKERS)
    assert caught.value.problem.code == "BUKAN_XLSX"


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (1111, "00000", "01111"),
        (23.310000000000002, "0.00", "23.31"),
        (2.675, "0.00", "2.68"),  # Excel rounds the 15-digit value half away from zero
        (0.125, "0.0%", "12.5%"),
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (-1234.5, "#,##0.00", "-1,234.50"),
        (1500000, "#,##0,", "1,500"),
        (-5, "#,##0 ;(#,##0)", "(5)"),
        (0, '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)', "-"),
        (12345.678, "0.00E+00", "1.23E+04"),
        (12345, "##0.0E+0", "12.3E+3"),
        (5000, "[$Rp-421]#,##0", "Rp5,000"),
        (7, '0" orang"', "7 orang"),
        (1.5, "0.0#", "1.5"),
        (12345678, "0000-0000", "1234-5678"),
        (150, '[>=100]"besar";0', "besar"),
        (3, "@", "3"),
        (0.75, "# ?/?", "0.75"),  # fractions: General
    ],
)
def test_number_format_rendering(value, code, shown):
    assert numfmt.render(value, code) == shown


def test_date_formats_are_recognised_and_left_to_the_date_reader():
    assert numfmt.is_date_format("dd/mm/yyyy") and numfmt.is_date_format("[h]:mm")
    assert not numfmt.is_date_format("0.00E+00") and not numfmt.is_date_format('"Day "0')
