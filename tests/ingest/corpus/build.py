"""Small programmatic builders for bad (and good) agency files: bytes, never committed binaries."""

from __future__ import annotations

import datetime
import io
import json
import random
import zipfile
import zlib
from collections.abc import Iterable

import xlsxwriter


def _digits(key: str, width: int) -> str:
    """A passport-like number derived from a row key: stable across runs (unlike hash())."""
    return f"{zlib.crc32(key.encode()) % 10**width:0{width}d}"


# imigrasi_izin_tinggal: CSV only. Nama and Penjamin/Alamat are optional text columns, handy for
# cells that must load as sent.
PERMIT_HEADER = [
    "No Izin",
    "Jenis Izin",
    "Nama",
    "Kewarganegaraan",
    "No. Paspor",
    "Tgl Terbit",
    "Tgl Berakhir",
    "Penjamin",
    "Kab/Kota",
]


def permit(no_izin: str, *, nama: str = "Kenji Sato", penjamin: str = "PT Baja", **override) -> list[str]:
    row = {
        "no_izin": no_izin,
        "jenis_izin": "ITAS",
        "nama": nama,
        "kewarganegaraan": "Jepang",
        "no_paspor": f"TZ{_digits(no_izin, 7)}",
        "tanggal_terbit": "01/02/2025",
        "tanggal_berakhir": "01/02/2026",
        "penjamin": penjamin,
        "kabupaten_kota": "Kota Cilegon",
    }
    row.update(override)
    return list(row.values())


def join(rows: Iterable[list[str]], *, sep: str = ";", newline: str = "\n") -> str:
    return "".join(sep.join(row) + newline for row in rows)


def permits_csv(
    ids: Iterable[str],
    *,
    sep: str = ";",
    newline: str = "\n",
    encoding: str = "utf-8",
    title: Iterable[str] = (),
    header: list[str] | None = None,
) -> bytes:
    """A valid permits CSV: optional title lines, the header, one row per id."""
    text = "".join(line + newline for line in title)
    text += join([header or PERMIT_HEADER, *(permit(i) for i in ids)], sep=sep, newline=newline)
    return text.encode(encoding)


def permits_text(lines: Iterable[str], *, newline: str = "\n") -> bytes:
    """Header plus the given raw lines (already joined with ';'), as UTF-8."""
    return (";".join(PERMIT_HEADER) + newline + "".join(line + newline for line in lines)).encode()


def line(no_izin: str, **override) -> str:
    return ";".join(permit(no_izin, **override))


def random_bytes(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


# --- police reports: the "other feed" every case lands beside its bad file ---------------------

POLICE_HEADER = ["No Laporan", "Tanggal", "Jenis", "Kab/Kota", "Kewarganegaraan"]


def police_csv(ids: Iterable[str]) -> bytes:
    rows = [[i, "05/10/2025", "STM", "Kota Serang", "Korea Selatan"] for i in ids]
    return join([POLICE_HEADER, *rows], sep=",").encode()


# --- disnaker_tka: XLSX with the data on sheet "TKA" ------------------------------------------

TKA_HEADER = [
    "No RPTKA",
    "Nama Perusahaan",
    "Nama TKA",
    "Nomor Paspor",
    "Negara Asal",
    "Lokasi Kerja",
    "Tgl Mulai",
    "Tgl Selesai",
    "Jabatan",
]


def worker(no_rptka: str, jabatan: str = "Engineer") -> list[str]:
    passport = f"E{_digits(no_rptka, 7)}"
    dates = ["01/03/2025", "28/02/2026"]
    return [no_rptka, "PT Baja", "Wang Fang", passport, "RRT", "Kota Cilegon", *dates, jabatan]


def new_workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    """Same content, same bytes: a fixed creation time instead of xlsxwriter's `now`."""
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": datetime.datetime(2025, 10, 27, 8, 0)})
    return book


def workbook(sheets: dict[str, list[list]], *, strings_only: bool = True) -> bytes:
    """An .xlsx with the given sheets; cells written as strings unless they are numbers."""
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and strings_only:
                    sheet.write_string(r, c, value)  # "=..." stays text, as an agency typed it
                else:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def tka_xlsx(ids: Iterable[str], *, sheet: str = "TKA", extra_sheets: Iterable[str] = ()) -> bytes:
    sheets = {name: [["ringkasan"]] for name in extra_sheets}
    sheets[sheet] = [TKA_HEADER, *(worker(i) for i in ids)]
    return workbook(sheets)


def zip_bomb_xlsx(expanded_mb: int = 60) -> bytes:
    """A valid-looking workbook whose sheet XML is `expanded_mb` MB of one repeated empty row:
    a few hundred KB on disk, far past the ratio limit unpacked."""
    source = zipfile.ZipFile(io.BytesIO(tka_xlsx(["R-1"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for info in source.infolist():
            content = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info.filename, content)
                continue
            head, tail = content.split(b"</sheetData>")
            with bomb.open(info.filename, "w", force_zip64=True) as member:
                member.write(head)
                filler = b"<row/>" * (1 << 20)
                for _ in range(expanded_mb * (1 << 20) // len(filler)):
                    member.write(filler)
                member.write(b"</sheetData>" + tail)
    return buffer.getvalue()


def plain_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- imigrasi_apoa: JSON Lines ----------------------------------------------------------------


def lodging(id_laporan: str, **override) -> dict:
    record = {
        "ID Laporan": id_laporan,
        "Nama Penginapan": "Hotel Mawar",
        "Kabupaten/Kota": "Kota Serang",
        "Nama Tamu": "Lee Min-jun",
        "Passport No": f"M{_digits(id_laporan, 8)}",
        "Nationality": "KOR",
        "Check-in": "2025-10-01",
    }
    record.update(override)
    return record


def jsonl(lines: Iterable[dict | str | bytes]) -> bytes:
    out = b""
    for item in lines:
        if isinstance(item, dict):
            out += json.dumps(item, ensure_ascii=False).encode() + b"\n"
        elif isinstance(item, str):
            out += item.encode() + b"\n"
        else:
            out += item + b"\n"
    return out
