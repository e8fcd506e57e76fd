"""The bad-input corpus: one Case per kind of bad file, with the exact outcome Pantau promises.

Outcomes decided here (and why):
- Quarantined: the file as a whole cannot be read as a table, so nothing of it loads; it moves to
  `_quarantine/<feed>/` with a `.reason.json` (code, row, column, expected, found, messages).
- Loaded: the table is readable; rows that are broken on their own go to `raw.<feed>__rejects`
  with a code, row and column, and every other row loads.
- Values that are merely wrong (unparseable dates, formula-like text) load exactly as sent: raw
  keeps what the agency sent, gate 1 judges dates, and formula-like cells are never evaluated,
  only counted in the ledger (`error_detail.formula_like_cells`) so exports can escape them.
- Excel formula errors (#N/A, #REF!) are no value: in a required column the row is rejected
  (SEL_GALAT_RUMUS, naming the error); elsewhere the row loads with that value empty and the cell
  is listed in the ledger (`error_detail.error_cells_sample`).
Cases that need more than one file or run (duplicates, growing files, size limit, unknown
folders, symlinks) are tests of their own in test_corpus.py.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .build import (
    OLE_MAGIC,
    PERMIT_HEADER,
    TKA_HEADER,
    jsonl,
    line,
    lodging,
    new_workbook,
    permit,
    permits_csv,
    permits_text,
    plain_zip,
    random_bytes,
    tka_xlsx,
    workbook,
    worker,
    zip_bomb_xlsx,
)

PERMITS, WORKERS, LODGING = "imigrasi_izin_tinggal", "disnaker_tka", "imigrasi_apoa"


@dataclass(frozen=True)
class Quarantined:
    code: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None  # compared exactly when given
    found: str | None = None  # must occur in the reason's `found` when given


@dataclass(frozen=True)
class Loaded:
    keys: tuple[str, ...]  # natural-key values of the rows that load, in file order
    rejects: tuple[tuple[int, str, str | None], ...] = ()  # (row, error_code, column)
    row_numbers: tuple[int, ...] | None = None  # `_row_number` of the loaded rows, when pinned
    values: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, column) -> exact value
    detail: dict = field(default_factory=dict)  # subset of the ledger's error_detail


@dataclass(frozen=True)
class Case:
    kind: str
    feed: str
    name: str  # file name inside the feed folder
    content: bytes | Callable[[], bytes]
    outcome: Quarantined | Loaded

    def bytes(self) -> bytes:
        return self.content() if callable(self.content) else self.content


def _keys(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, n + 1))


# --- builders for the cases that need a few lines of their own --------------------------------


def _invalid_utf8_after_sniff() -> bytes:
    # UTF-8 with accents in the first 64 KB (so UTF-8 is decided), then one row with a stray
    # Windows-1252 byte far beyond the sniffed sample.
    good = [line(f"V{i}", nama="José Müller") for i in range(1, 801)]
    bad = line("V801", nama="Jos@").encode().replace(b"Jos@", b"Jos\xe9")
    return permits_text(good) + bad + b"\n" + (line("V802") + "\n").encode()


def _cp1252_after_sniff() -> bytes:
    # Plain ASCII for more than 64 KB, then Windows-1252 text: the encoding is decided on the
    # first accented byte, wherever it is, not on the ASCII-only sample.
    ascii_part = permits_text([line(f"W{i}") for i in range(1, 801)])
    late = (line("W801", nama="Jürgen Müller") + "\n").encode("cp1252")
    return ascii_part + late + (line("W802") + "\n").encode()


def _undefined_cp1252_bytes() -> bytes:
    # Windows-1252 (é decides it) with 0x81, a byte cp1252 leaves undefined, in an extra header
    # cell (ignored, reported as \\x81) and in one row's name (that row is rejected).
    header = ";".join([*PERMIT_HEADER, "Ket"]).encode("cp1252") + b"\x81\n"
    good = (line("K1", nama="André") + ";x\n").encode("cp1252")
    bad = (line("K2", nama="Jos@") + ";y\n").encode("cp1252").replace(b"Jos@", b"Jos\x81")
    return header + good + bad + (line("K3") + ";z\n").encode("cp1252")


def _formula_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PERMIT_HEADER)
    writer.writerow(permit("F1", nama='=HYPERLINK("http://x","klik")'))
    writer.writerow(permit("F2", penjamin="+cmd|' /C calc'!A0"))
    writer.writerow(permit("F3", nama="-2+3"))
    writer.writerow(permit("F4", penjamin="@SUM(A1:A9)"))
    writer.writerow(permit("F5", penjamin="+62 812-3456-7890"))  # a phone number, not a formula
    writer.writerow(permit("F6", nama="-"))  # the usual "no value" dash
    return buffer.getvalue().encode()


def _formula_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    sheet = book.add_worksheet("TKA")
    sheet.write_row(0, 0, TKA_HEADER)
    for r, (key, jabatan) in enumerate(
        [("X1", '=HYPERLINK("http://x","klik")'), ("X2", "@SUM(A1)"), ("X3", "Manager")], start=1
    ):
        row = worker(key)
        for c, value in enumerate(row[:-1]):
            sheet.write_string(r, c, value)
        sheet.write_string(r, len(row) - 1, jabatan)  # typed as text: stays text
    row = worker("X4")
    for c, value in enumerate(row[:-1]):
        sheet.write_string(4, c, value)
    sheet.write_formula(4, len(row) - 1, '=CONCATENATE("Mana","ger")', None, "Manager")  # a real formula
    book.close()
    return buffer.getvalue()


def _merged_down_xlsx() -> bytes:
    # One employer cell merged down over three workers, as agency sheets often have it.
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    sheet = book.add_worksheet("TKA")
    sheet.write_row(0, 0, TKA_HEADER)
    for r, key in enumerate(["MG1", "MG2", "MG3", "MG4"], start=1):
        for c, value in enumerate(worker(key)):
            if c != 1 or r == 4:
                sheet.write_string(r, c, value)
    sheet.merge_range(1, 1, 3, 1, "PT Gabungan Sejahtera")
    book.close()
    return buffer.getvalue()


def _recap_xlsx() -> bytes:
    # A Disnaker recap as agencies make it: the table starts on sheet row 4 below a title, the
    # employer cell is merged down over its workers, a KBLI code kept as a number formatted
    # 00000, and formula errors: #N/A in the required employer (row rejected, error named) and
    # #REF! in the optional job title (row loads, the cell reported in the ledger).
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    sheet = book.add_worksheet("TKA")
    sheet.merge_range(0, 0, 0, 5, "REKAP TKA DISNAKERTRANS")
    sheet.write_row(3, 0, [*TKA_HEADER, "KBLI"])
    kbli = book.add_format({"num_format": "00000"})
    for r, key in enumerate(["RK1", "RK2", "RK3", "RK4"], start=4):
        for c, value in enumerate(worker(key)):
            if c != 1:
                sheet.write_string(r, c, value)
        sheet.write_number(r, len(TKA_HEADER), 1111, kbli)
    sheet.merge_range(4, 1, 6, 1, "PT Gabungan Sejahtera")
    sheet.write_formula(7, 1, "=VLOOKUP(A8,Perusahaan!A:B,2,0)", None, "#N/A")
    sheet.write_formula(5, TKA_HEADER.index("Jabatan"), "=Jabatan!#REF!", None, "#REF!")
    book.close()
    return buffer.getvalue()


def _renamed_csv_for_workers() -> bytes:
    return (";".join(TKA_HEADER) + "\n" + ";".join(worker("C1")) + "\n").encode()


def _truncated_xlsx() -> bytes:
    data = tka_xlsx(["R1", "R2"])
    return data[: len(data) // 2]


def _tab_text(encoding: str) -> bytes:
    text = "\r\n".join(
        "\t".join(row) for row in [PERMIT_HEADER, permit("U1", nama="José Müller"), permit("U2")]
    )
    return (text + "\r\n").encode(encoding)


# --- the corpus -------------------------------------------------------------------------------

CASES: list[Case] = [
    # Nothing to read.
    Case("empty_file", PERMITS, "kosong.csv", b"", Quarantined("BERKAS_KOSONG")),
    Case("whitespace_only", PERMITS, "spasi.csv", b"  \n\t\n   \r\n", Quarantined("BERKAS_KOSONG")),
    Case("delimiters_only", PERMITS, "titik_koma.csv", b";;;;\n;;;;\n", Quarantined("BERKAS_KOSONG")),
    Case("header_only", PERMITS, "judul.csv", permits_csv([]), Quarantined("TANPA_DATA", row=1)),
    Case(
        "header_then_blank_lines",
        PERMITS,
        "judul_kosong.csv",
        permits_csv([]) + b"\n;;;\n   \n",
        Quarantined("TANPA_DATA", row=1),
    ),
    # Not text, or not text we can read.
    Case(
        "binary_garbage",
        PERMITS,
        "acak.csv",
        random_bytes(4096),
        Quarantined("BUKAN_TEKS", found="binary data"),
    ),
    Case(
        "xlsx_named_csv",
        PERMITS,
        "izin.csv",
        lambda: tka_xlsx(["R1"]),
        Quarantined("BUKAN_TEKS", found="a zip archive (an Excel .xlsx?)"),
    ),
    Case(
        "pdf_named_csv",
        PERMITS,
        "izin_scan.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random_bytes(2000),
        Quarantined("BUKAN_TEKS", found="a PDF document"),
    ),
    Case(
        "utf16_with_bom",  # Excel's "Unicode Text": unambiguous thanks to its BOM, so it loads
        PERMITS,
        "izin_unicode.txt",
        _tab_text("utf-16"),
        Loaded(("U1", "U2"), values={("U1", "nama"): "José Müller"}, detail={"encoding": "utf-16"}),
    ),
    Case(
        "utf16_without_bom",
        PERMITS,
        "izin_utf16.csv",
        _tab_text("utf-16-le"),
        Quarantined("PENYANDIAN_TIDAK_DIDUKUNG", found="UTF-16 LE without BOM"),
    ),
    Case(
        "invalid_utf8_after_first_64kb",
        PERMITS,
        "izin_rusak_di_tengah.csv",
        _invalid_utf8_after_sniff,
        Loaded(
            (*_keys("V", 800), "V802"),
            rejects=((802, "PENYANDIAN_RUSAK", "nama"),),
            detail={"encoding": "utf-8"},
        ),
    ),
    Case(
        "cp1252_after_first_64kb",
        PERMITS,
        "izin_cp1252_di_belakang.csv",
        _cp1252_after_sniff,
        Loaded(_keys("W", 802), values={("W801", "nama"): "Jürgen Müller"}, detail={"encoding": "cp1252"}),
    ),
    Case(
        "bytes_undefined_in_cp1252",
        PERMITS,
        "izin_cp1252_rusak.csv",
        _undefined_cp1252_bytes,
        Loaded(
            ("K1", "K3"),
            rejects=((3, "PENYANDIAN_RUSAK", "nama"),),
            values={("K1", "nama"): "André"},
            detail={"encoding": "cp1252", "ignored_headers": ["Ket\\x81"]},
        ),
    ),
    # Header problems.
    Case(
        "missing_required_column",
        PERMITS,
        "tanpa_paspor.csv",
        permits_csv(["A1"], header=[h if h != "No. Paspor" else "Catatan" for h in PERMIT_HEADER]),
        Quarantined("KOLOM_WAJIB_HILANG", row=1, column="no_paspor"),
    ),
    Case(
        "missing_required_column_below_title_block",
        PERMITS,
        "tanpa_wilayah.csv",
        permits_csv(
            ["A1"],
            title=["DATA IZIN TINGGAL", "KANTOR IMIGRASI SERANG", ""],
            header=[h if h != "Kab/Kota" else "Keterangan" for h in PERMIT_HEADER],
        ),
        Quarantined("KOLOM_WAJIB_HILANG", row=4, column="kabupaten_kota"),
    ),
    Case(
        "duplicated_header_by_alias",
        PERMITS,
        "paspor_dua_kali.csv",
        permits_csv(["A1"], header=[h if h != "Penjamin" else "Passport" for h in PERMIT_HEADER]),
        Quarantined("KOLOM_GANDA", row=1, column="no_paspor", found="No. Paspor | Passport"),
    ),
    Case(
        "duplicated_header_same_name",
        PERMITS,
        "negara_dua_kali.csv",
        permits_csv(["A1"], header=[h if h != "Penjamin" else "Kewarganegaraan" for h in PERMIT_HEADER]),
        Quarantined("KOLOM_GANDA", row=1, column="kewarganegaraan"),
    ),
    Case(
        "header_with_only_unknown_columns",
        PERMITS,
        "kolom_asing.csv",
        b"Foo;Bar;Baz\n1;2;3\n4;5;6\n",
        Quarantined("HEADER_TIDAK_DITEMUKAN", found="Foo | Bar | Baz"),
    ),
    # Rows broken on their own: rejected, the rest loads.
    Case(
        "ragged_rows",
        PERMITS,
        "baris_tidak_rata.csv",
        permits_text(
            [
                line("R1"),
                line("R2") + ";lebih;banyak",
                ";".join(permit("R3")[:5]),
                line("R4") + ";;;",  # trailing empty fields, as Excel writes them: fine
                line("R5"),
            ]
        ),
        Loaded(
            ("R1", "R4", "R5"),
            rejects=((3, "KOLOM_BERLEBIH", None), (4, "KOLOM_KURANG", None)),
            row_numbers=(2, 5, 6),
        ),
    ),
    Case(
        "required_value_blank",
        PERMITS,
        "paspor_kosong.csv",
        permits_text([line("B1"), line("B2", no_paspor=""), line("B3", no_paspor="   "), line("B4")]),
        Loaded(
            ("B1", "B4"),
            rejects=((3, "NILAI_WAJIB_KOSONG", "no_paspor"), (4, "NILAI_WAJIB_KOSONG", "no_paspor")),
        ),
    ),
    Case(
        "nul_byte_in_one_row",
        PERMITS,
        "nul.csv",
        permits_text([line("N1"), line("N2", nama="Jo\x00se"), line("N3")]),
        Loaded(("N1", "N3"), rejects=((3, "KARAKTER_TIDAK_SAH", "nama"),)),
    ),
    Case(
        "nul_byte_in_a_column_not_kept",  # the cell is not loaded, so neither is its NUL
        PERMITS,
        "nul_kolom_lain.csv",
        permits_csv([], header=[*PERMIT_HEADER, "Catatan"]) + (line("K1") + ";x\x00y\n").encode(),
        Loaded(("K1",), detail={"ignored_headers": ["Catatan"]}),
    ),
    Case(
        "quote_never_closed",  # everything after it would be one cell: refuse rather than guess
        PERMITS,
        "kutip_terbuka.csv",
        permits_text([line("Q1"), line("Q2"), line("Q3", nama='"Kenji Sato'), line("Q4"), line("Q5")]),
        Quarantined("KUTIP_TIDAK_DITUTUP", row=4),
    ),
    Case(
        "text_after_closing_quote",
        PERMITS,
        "kutip_salah.csv",
        permits_text([line("M1"), line("M2", nama='"Kenji" Sato'), line("M3")]),
        Loaded(("M1", "M3"), rejects=((3, "CSV_RUSAK", None),)),
    ),
    Case(
        "quotes_inside_unquoted_field",  # not special mid-field: loads as sent
        PERMITS,
        "kutip_di_tengah.csv",
        permits_text([line("P1", penjamin='PT "Maju" Jaya'), line("P2")]),
        Loaded(("P1", "P2"), values={("P1", "penjamin"): 'PT "Maju" Jaya'}),
    ),
    # Values that look wrong load as sent.
    Case(
        "unparseable_dates",  # raw keeps them verbatim; gate 1 flags them (test_corpus pins that)
        PERMITS,
        "tanggal_aneh.csv",
        permits_text(
            [
                line("D1"),
                line("D2", tanggal_terbit="31/02/2025"),
                line("D3", tanggal_terbit="kemarin"),
                line("D4", tanggal_berakhir="2025-13-45"),
                line("D5"),
            ]
        ),
        Loaded(
            _keys("D", 5),
            values={("D3", "tanggal_terbit"): "kemarin", ("D4", "tanggal_berakhir"): "2025-13-45"},
        ),
    ),
    Case(
        "formula_injection_cells",
        PERMITS,
        "rumus.csv",
        _formula_csv,
        Loaded(
            _keys("F", 6),
            values={
                ("F1", "nama"): '=HYPERLINK("http://x","klik")',
                ("F2", "penjamin"): "+cmd|' /C calc'!A0",
                ("F3", "nama"): "-2+3",
                ("F4", "penjamin"): "@SUM(A1:A9)",
                ("F5", "penjamin"): "+62 812-3456-7890",
            },
            detail={"formula_like_cells": 4, "formula_like_columns": {"nama": 2, "penjamin": 2}},
        ),
    ),
    # Layout variants that must simply work.
    Case(
        "bom_and_title_block",
        PERMITS,
        "izin_bom_judul.csv",
        codecs.BOM_UTF8
        + permits_csv(["T1", "T2"], title=["DATA IZIN TINGGAL;;", "Periode Oktober 2025", ""]),
        Loaded(("T1", "T2"), row_numbers=(5, 6), detail={"header_row": 4, "encoding": "utf-8-sig"}),
    ),
    Case(
        "excel_sep_hint_line",
        PERMITS,
        "izin_sep.csv",
        b"sep=;\n" + permits_csv(["S1", "S2"]),
        Loaded(("S1", "S2"), row_numbers=(3, 4)),
    ),
    Case(
        "blank_lines_between_rows",
        PERMITS,
        "baris_kosong.csv",
        permits_text([line("L1"), "", line("L2"), ";;;", "   ", line("L3")]),
        Loaded(("L1", "L2", "L3"), row_numbers=(2, 4, 7), detail={"blank_rows": 3}),
    ),
    Case(
        "very_long_field",
        PERMITS,
        "sel_panjang.csv",
        lambda: permits_text([line("G1", penjamin="X" * 1_000_000), line("G2")]),
        Loaded(("G1", "G2"), values={("G1", "penjamin"): "X" * 1_000_000}),
    ),
    Case(
        "windows_line_endings",
        PERMITS,
        "crlf.csv",
        permits_csv(["C1", "C2"], newline="\r\n"),
        Loaded(("C1", "C2"), values={("C2", "kabupaten_kota"): "Kota Cilegon"}),
    ),
    Case(
        "old_mac_cr_line_endings",
        PERMITS,
        "cr.csv",
        permits_csv(["H1", "H2", "H3"], newline="\r"),
        Loaded(("H1", "H2", "H3"), row_numbers=(2, 3, 4)),
    ),
    Case(
        "mixed_line_endings",
        PERMITS,
        "campur.csv",
        (
            ";".join(PERMIT_HEADER) + "\r\n" + line("J1") + "\n" + line("J2") + "\r" + line("J3") + "\r\n"
        ).encode(),
        Loaded(("J1", "J2", "J3"), row_numbers=(2, 3, 4), values={("J3", "kabupaten_kota"): "Kota Cilegon"}),
    ),
    Case(
        "two_exports_pasted_together",  # the second header (with its BOM) is rejected, not loaded
        PERMITS,
        "izin_gabungan.csv",
        codecs.BOM_UTF8 + permits_csv(["CC1", "CC2"]) + codecs.BOM_UTF8 + permits_csv(["CC3"]),
        Loaded(("CC1", "CC2", "CC3"), rejects=((4, "JUDUL_BERULANG", None),), row_numbers=(2, 3, 5)),
    ),
    Case(
        "dos_end_of_file_mark",
        PERMITS,
        "izin_dos.csv",
        permits_csv(["DS1", "DS2"], newline="\r\n") + b"\x1a",
        Loaded(("DS1", "DS2"), detail={"blank_rows": 1}),
    ),
    # Names and extensions.
    Case(
        "unsupported_extension_pdf",
        PERMITS,
        "laporan.pdf",
        b"%PDF-1.4\n",
        Quarantined("FORMAT_TIDAK_DIDUKUNG", expected="csv", found=".pdf"),
    ),
    Case(
        "unsupported_extension_json",
        LODGING,
        "apoa.json",
        json.dumps([lodging("Z1")]).encode(),
        Quarantined("FORMAT_TIDAK_DIDUKUNG", expected="csv, jsonl", found=".json"),
    ),
    Case(
        "no_extension",
        PERMITS,
        "LAPORAN",
        permits_csv(["A1"]),
        Quarantined("FORMAT_TIDAK_DIDUKUNG", found="(none)"),
    ),
    Case(
        "jsonl_for_a_csv_only_feed",
        PERMITS,
        "izin.jsonl",
        jsonl([{"No Izin": "A1"}]),
        Quarantined("FORMAT_TIDAK_DIDUKUNG", expected="csv", found=".jsonl"),
    ),
    Case("upper_case_extension", PERMITS, "IZIN OKTOBER.CSV", permits_csv(["E1"]), Loaded(("E1",))),
    Case("underscore_prefixed_name", PERMITS, "_rekap.csv", permits_csv(["E2"]), Loaded(("E2",))),
    Case("percent_encoded_path_name", PERMITS, "..%2Fetc.csv", permits_csv(["E3"]), Loaded(("E3",))),
    Case(
        "non_ascii_name_with_spaces",
        PERMITS,
        "laporan oktober (final) – ÄÖ.csv",
        permits_csv(["E4"]),
        Loaded(("E4",)),
    ),
    Case("newline_in_name", PERMITS, "laporan\nbaru.csv", permits_csv(["E5"]), Loaded(("E5",))),
    Case(
        "name_with_bytes_not_utf8",
        PERMITS,
        os.fsdecode(b"laporan \xff\xfe.csv"),
        permits_csv(["E6"]),
        Loaded(("E6",)),
    ),
    Case("leading_dash_name", PERMITS, "-rf *.csv", permits_csv(["E7"]), Loaded(("E7",))),
    Case(
        "longest_possible_name_quarantined",  # the reason file must still fit beside it
        PERMITS,
        "x" * 251 + ".csv",
        b"",
        Quarantined("BERKAS_KOSONG"),
    ),
    # XLSX.
    Case(
        "csv_named_xlsx",
        WORKERS,
        "tka.xlsx",
        _renamed_csv_for_workers(),
        Quarantined("BUKAN_XLSX", found="text"),
    ),
    Case("xlsx_zip_bomb", WORKERS, "tka_bom.xlsx", zip_bomb_xlsx, Quarantined("ZIP_BOM")),
    Case("xlsx_truncated", WORKERS, "tka_terpotong.xlsx", _truncated_xlsx, Quarantined("XLSX_RUSAK")),
    Case(
        "xlsx_password_protected_or_xls",
        WORKERS,
        "tka_terkunci.xlsx",
        OLE_MAGIC + random_bytes(4000),
        Quarantined("XLSX_TERKUNCI_ATAU_XLS"),
    ),
    Case(
        "zip_that_is_not_a_workbook",
        WORKERS,
        "tka_arsip.xlsx",
        lambda: plain_zip({"laporan.txt": b"bukan excel"}),
        Quarantined("BUKAN_XLSX", found="laporan.txt"),
    ),
    Case("xlsx_empty_file", WORKERS, "tka_kosong.xlsx", b"", Quarantined("BERKAS_KOSONG")),
    Case(
        "xlsx_without_registry_sheet_and_several_sheets",
        WORKERS,
        "tka_sheet_lain.xlsx",
        lambda: tka_xlsx(["R1"], sheet="Data", extra_sheets=["Ringkasan"]),
        Quarantined("SHEET_TIDAK_DITEMUKAN", expected="TKA", found="Ringkasan, Data"),
    ),
    Case(
        "xlsx_one_sheet_with_another_name",  # one sheet only: no doubt which one holds the data
        WORKERS,
        "tka_sheet1.xlsx",
        lambda: tka_xlsx(["Y1", "Y2"], sheet="Sheet1"),
        Loaded(("Y1", "Y2"), detail={"sheet": "Sheet1"}),
    ),
    Case(
        "xlsx_empty_sheet",
        WORKERS,
        "tka_sheet_kosong.xlsx",
        lambda: workbook({"TKA": []}),
        Quarantined("BERKAS_KOSONG"),
    ),
    Case(
        "xlsx_header_only",
        WORKERS,
        "tka_judul.xlsx",
        lambda: workbook({"TKA": [TKA_HEADER]}),
        Quarantined("TANPA_DATA", row=1),
    ),
    Case(
        "xlsx_formula_like_text_and_real_formula",
        WORKERS,
        "tka_rumus.xlsx",
        _formula_xlsx,
        Loaded(
            ("X1", "X2", "X3", "X4"),
            values={("X1", "jabatan"): '=HYPERLINK("http://x","klik")', ("X4", "jabatan"): "Manager"},
            detail={"formula_like_cells": 2, "formula_like_columns": {"jabatan": 2}},
        ),
    ),
    Case(
        "xlsx_cell_merged_down_over_rows",  # every covered row gets the value, as a reader sees it
        WORKERS,
        "tka_sel_gabung.xlsx",
        _merged_down_xlsx,
        Loaded(
            ("MG1", "MG2", "MG3", "MG4"),
            values={
                ("MG1", "nama_perusahaan"): "PT Gabungan Sejahtera",
                ("MG3", "nama_perusahaan"): "PT Gabungan Sejahtera",
                ("MG4", "nama_perusahaan"): "PT Baja",
            },
            detail={"merged_cells_filled": 2},
        ),
    ),
    Case(
        "xlsx_recap_starting_lower_with_merges_formats_and_formula_errors",
        WORKERS,
        "tka_rekap.xlsx",
        _recap_xlsx,
        Loaded(
            ("RK1", "RK2", "RK3"),
            rejects=((8, "SEL_GALAT_RUMUS", "nama_perusahaan"),),
            row_numbers=(5, 6, 7),
            values={
                ("RK3", "nama_perusahaan"): "PT Gabungan Sejahtera",
                ("RK1", "kbli"): "01111",
                ("RK1", "jabatan"): "Engineer",
            },
            detail={
                "error_cells": 1,
                "error_cells_sample": [{"row": 6, "column": "jabatan", "error": "#REF!"}],
            },
        ),
    ),
    Case(
        "title_block_longer_than_the_header_search",
        PERMITS,
        "judul_panjang.csv",
        permits_csv(["A1"], title=[f"Catatan {i}" for i in range(35)]),
        Quarantined("HEADER_TIDAK_DITEMUKAN", found="Catatan 0"),
    ),
    # JSON Lines.
    Case(
        "jsonl_lines_that_are_not_objects",
        LODGING,
        "apoa_bukan_objek.jsonl",
        jsonl([lodging("J1"), "[1, 2]", '"teks"', "42", "null", lodging("J2")]),
        Loaded(("J1", "J2"), rejects=tuple((n, "JSON_RUSAK", None) for n in (2, 3, 4, 5))),
    ),
    Case(
        "jsonl_invalid_utf8_line",
        LODGING,
        "apoa_utf8_rusak.jsonl",
        jsonl([lodging("J1"), b'{"ID Laporan": "J2", "Nama Tamu": "Jos\xe9"}', lodging("J3")]),
        Loaded(("J1", "J3"), rejects=((2, "PENYANDIAN_RUSAK", None),)),
    ),
    Case(
        "jsonl_syntax_error",
        LODGING,
        "apoa_sintaks.jsonl",
        jsonl([lodging("J1"), '{"ID Laporan": "J2",', lodging("J3")]),
        Loaded(("J1", "J3"), rejects=((2, "JSON_RUSAK", None),)),
    ),
    Case(
        "jsonl_raw_nul_byte_in_a_line",  # JSON forbids raw control characters: the line is rejected
        LODGING,
        "apoa_nul_mentah.jsonl",
        jsonl([lodging("J1"), b'{"ID Laporan": "J2", "Nama Tamu": "Lee\x00"}', lodging("J3")]),
        Loaded(("J1", "J3"), rejects=((2, "JSON_RUSAK", None),)),
    ),
    Case(
        "json_array_named_jsonl",
        LODGING,
        "apoa_larik.jsonl",
        json.dumps([lodging("J1"), lodging("J2")], indent=2).encode(),
        Quarantined("BUKAN_JSONL", row=1),
    ),
    Case(
        "jsonl_nul_escape",
        LODGING,
        "apoa_nul.jsonl",
        jsonl([lodging("J1", **{"Nama Tamu": "Lee\u0000"}), lodging("J2")]),
        Loaded(("J2",), rejects=((1, "KARAKTER_TIDAK_SAH", "nama_tamu"),)),
    ),
    Case(
        "jsonl_lone_surrogate_escape",
        LODGING,
        "apoa_surrogate.jsonl",
        jsonl([lodging("J1"), json.dumps(lodging("J2")).replace('"Lee Min-jun"', '"Lee \\ud800"')]),
        Loaded(("J1",), rejects=((2, "KARAKTER_TIDAK_SAH", "nama_tamu"),)),
    ),
    Case(
        "jsonl_two_keys_for_one_column",
        LODGING,
        "apoa_kunci_ganda.jsonl",
        jsonl([lodging("J1", **{"No Paspor": "X1"}), lodging("J2")]),
        Loaded(("J2",), rejects=((1, "KOLOM_GANDA", "no_paspor"),)),
    ),
    Case(
        "jsonl_missing_required_key",
        LODGING,
        "apoa_tanpa_tanggal.jsonl",
        jsonl([{k: v for k, v in lodging("J1").items() if k != "Check-in"}, lodging("J2")]),
        Loaded(("J2",), rejects=((1, "NILAI_WAJIB_KOSONG", "tanggal_masuk"),)),
    ),
    Case(
        "jsonl_blank_lines",
        LODGING,
        "apoa_baris_kosong.jsonl",
        jsonl([lodging("J1"), "", "   ", lodging("J2")]),
        Loaded(("J1", "J2"), row_numbers=(1, 4), detail={"blank_rows": 2}),
    ),
    Case("jsonl_empty", LODGING, "apoa_kosong.jsonl", b"\n\n", Quarantined("BERKAS_KOSONG")),
    Case(
        "jsonl_utf16",
        LODGING,
        "apoa_utf16.jsonl",
        jsonl([lodging("J1")]).decode().encode("utf-16"),
        Quarantined("PENYANDIAN_TIDAK_DIDUKUNG", found="UTF-16"),
    ),
]
