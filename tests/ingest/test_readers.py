"""Parsing agency files: encodings, delimiters, title blocks, header variants, XLSX, JSON Lines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter

from pantau.ingest.errors import FileRejected, Problem
from pantau.ingest.readers import open_file
from pantau.registry import feed

PERMITS = feed("imigrasi_izin_tinggal")
WORKERS = feed("disnaker_tka")
LODGING = feed("imigrasi_apoa")

HEADER = "No Izin;Jenis Izin;Nama;Kewarganegaraan;No. Paspor;Tgl Terbit;Tgl Berakhir;Kab/Kota"
ROW = "A1;ITAS;José Müller;Jerman;C01X00T47;01/02/2025;01/02/2026;KAB. SERANG"


def rows_of(parsed) -> list:
    return list(parsed.rows)


def value(parsed_rows, row_index: int, column: str):
    return parsed_rows[row_index][1][PERMITS.column_names.index(column)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_are_detected(tmp_path: Path, encoding: str):
    path = tmp_path / "permits.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode(encoding))
    parsed = open_file(path, PERMITS)
    rows = rows_of(parsed)
    assert value(rows, 0, "nama") == "José Müller"
    assert value(rows, 0, "no_izin") == "A1"  # a BOM must not stick to the first header


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str):
    path = tmp_path / "permits.csv"
    path.write_text(f"{HEADER}\n{ROW}\n{ROW.replace('A1', 'A2')}\n".replace(";", delimiter), encoding="utf-8")
    rows = rows_of(open_file(path, PERMITS))
    assert [value(rows, i, "no_izin") for i in range(2)] == ["A1", "A2"]
    assert value(rows, 1, "kabupaten_kota") == "KAB. SERANG"


def test_title_block_and_quoted_newlines(tmp_path: Path):
    path = tmp_path / "permits.csv"
    path.write_text(
        "DATA IZIN TINGGAL;;\nKANTOR IMIGRASI SERANG;;\n\n"
        f'{HEADER};Alamat\n{ROW};"Jl. Raya 1\nRT 02"\n{ROW.replace("A1", "A2")};x\n',
        encoding="utf-8",
    )
    parsed = open_file(path, PERMITS)
    rows = rows_of(parsed)
    assert parsed.header_row == 4
    assert value(rows, 0, "alamat") == "Jl. Raya 1\nRT 02"
    assert [n for n, _ in rows] == [5, 6]  # where the rows sit in the file, title rows counted


def test_header_variants_are_matched_case_space_and_punctuation_insensitively(tmp_path: Path):
    path = tmp_path / "permits.csv"
    path.write_text(
        "PERMIT NUMBER,permit type,NATIONALITY,passport_no,Issue Date,EXPIRY,regency/city\n"
        "X9,ITK,Japan,TZ123,2025-01-02,2025-03-02,Kota Cilegon\n",
        encoding="utf-8",
    )
    rows = rows_of(open_file(path, PERMITS))
    assert value(rows, 0, "no_paspor") == "TZ123"
    assert value(rows, 0, "tanggal_berakhir") == "2025-03-02"


def test_missing_required_column_rejects_file_with_where_and_what(tmp_path: Path):
    path = tmp_path / "permits.csv"
    path.write_text(HEADER.replace(";No. Paspor", "") + "\n", encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        open_file(path, PERMITS)
    problem = caught.value.problem
    assert problem.code == "KOLOM_WAJIB_HILANG"
    assert problem.column == "no_paspor"
    assert problem.row == 1
    assert "no_paspor" in problem.message_id and "no_paspor" in problem.message_en


def test_row_problems_are_reported_and_other_rows_kept(tmp_path: Path):
    path = tmp_path / "permits.csv"
    path.write_text(
        f"{HEADER}\n{ROW}\nA2;ITAS;X;Jerman;;01/02/2025;01/02/2026;Cilegon\n{ROW};extra;fields\n"
        f"{ROW.replace('A1', 'A4')}\n",
        encoding="utf-8",
    )
    rows = rows_of(open_file(path, PERMITS))
    problems = [(n, r.code, r.column) for n, r in rows if isinstance(r, Problem)]
    assert problems == [(3, "NILAI_WAJIB_KOSONG", "no_paspor"), (4, "KOLOM_BERLEBIH", None)]
    assert [value(rows, i, "no_izin") for i in (0, 3)] == ["A1", "A4"]


def test_xlsx_with_title_block_merged_title_named_sheet_and_dates(tmp_path: Path):
    path = tmp_path / "tka.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Ringkasan").write(0, 0, "bukan data")
    sheet = book.add_worksheet("TKA")
    sheet.merge_range(0, 0, 0, 5, "DAFTAR TKA DISNAKERTRANS PROVINSI BANTEN")
    sheet.write(1, 0, "Periode: Oktober 2025")
    header = [
        "No RPTKA",
        "Nama Perusahaan",
        "Nama TKA",
        "Nomor Paspor",
        "Negara Asal",
        "Lokasi Kerja",
        "Tgl Mulai",
        "Tgl Selesai",
    ]
    sheet.write_row(3, 0, header)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(4, 0, ["R-1", "PT Baja", "Wang Fang", "E7654321", "RRT", "Kota Cilegon"])
    sheet.write_datetime(4, 6, dt.datetime(2025, 3, 1), date_format)
    sheet.write_number(4, 7, 46022)  # a serial date without a date format: kept as the serial number
    book.close()
    parsed = open_file(path, WORKERS)
    rows = rows_of(parsed)
    assert parsed.notes["sheet"] == "TKA"
    assert parsed.header_row == 4
    names = WORKERS.column_names
    assert rows[0][0] == 5
    assert rows[0][1][names.index("tanggal_mulai")] == "2025-03-01"
    assert rows[0][1][names.index("tanggal_selesai")] == "46022"
    assert rows[0][1][names.index("nama_perusahaan")] == "PT Baja"


def test_jsonl_lines_with_variant_keys_and_a_bad_line(tmp_path: Path):
    path = tmp_path / "apoa.jsonl"
    good = {
        "ID Laporan": "L1",
        "Kabupaten/Kota": "Kota Serang",
        "Passport No": "P1",
        "Nationality": "AUS",
        "Check-in": "2025-10-01",
        "Tanggal Keluar": None,
    }
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "ID Laporan": "L2"}) + "\n")
    rows = rows_of(open_file(path, LODGING))
    assert rows[0][1][LODGING.column_names.index("tanggal_masuk")] == "2025-10-01"
    assert rows[0][1][LODGING.column_names.index("tanggal_keluar")] is None
    assert isinstance(rows[1][1], Problem) and rows[1][1].code == "JSON_RUSAK" and rows[1][0] == 2
    assert rows[2][1][0] == "L2"
