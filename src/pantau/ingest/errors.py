"""Why a file or a row could not be loaded, in words an agency and an engineer both understand."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Problem:
    """One reason, machine-readable (code, row, column) and human-readable (Indonesian and English)."""

    code: str
    message_id: str
    message_en: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None

    def __post_init__(self) -> None:
        # Reasons quote what was found, which may be anything; they must still be storable text.
        for name in ("message_id", "message_en", "column", "expected", "found"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, printable(value))

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column!r}" if self.column else "",
            )
            if part
        )
        detail = f" (expected {self.expected}; found {self.found!r})" if self.expected else ""
        return f"[{self.code}]{' ' + where if where else ''}: {self.message_en}{detail}"


def printable(text: str) -> str:
    """Text PostgreSQL and UTF-8 files accept: NUL and undecodable bytes as visible escapes."""
    if text.isascii() and "\x00" not in text:
        return text
    text = text.replace("\x00", "\\x00")
    return text.encode(
        "utf-8", "surrogateescape" if _only_escaped_bytes(text) else "backslashreplace"
    ).decode("utf-8", "backslashreplace")


def _only_escaped_bytes(text: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


class FileRejected(Exception):
    """The whole file cannot be loaded; it goes to quarantine with this problem as its reason."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def file_problem(code: str, message_id: str, message_en: str, **where) -> FileRejected:
    return FileRejected(Problem(code=code, message_id=message_id, message_en=message_en, **where))


# Every code the ingest layer writes, for agencies and auditors reading a reason file or the
# rejects table: (scope, meaning in Indonesian, meaning in English). "file": the whole file is
# quarantined; "row": that row goes to raw.<feed>__rejects and the rest of the file loads.
CODES: dict[str, tuple[str, str, str]] = {
    "BERKAS_KOSONG": ("file", "berkas kosong", "the file is empty"),
    "TANPA_DATA": ("file", "hanya judul kolom, tanpa baris data", "a header but no data rows"),
    "BUKAN_TEKS": ("file", "bukan berkas teks (biner, zip, PDF)", "not a text file (binary, zip, PDF)"),
    "PENYANDIAN_TIDAK_DIDUKUNG": (
        "file",
        "penyandian tidak didukung (UTF-16 tanpa BOM, UTF-32, Big5, GBK, Shift-JIS, Cyrillic)",
        "unsupported encoding (UTF-16 without BOM, UTF-32, Big5, GBK, Shift-JIS, Cyrillic)",
    ),
    "FORMAT_TIDAK_DIDUKUNG": (
        "file",
        "jenis berkas tidak diterima feed ini",
        "file type not accepted for the feed",
    ),
    "HEADER_TIDAK_DITEMUKAN": ("file", "judul kolom tidak ditemukan", "no header row found"),
    "KOLOM_WAJIB_HILANG": ("file", "kolom wajib tidak ada", "a required column is missing"),
    "KOLOM_GANDA": ("file/row", "satu kolom muncul dua kali", "one column appears twice"),
    "KUTIP_TIDAK_DITUTUP": ("file", "tanda kutip tidak pernah ditutup", "a quote is never closed"),
    "BUKAN_XLSX": (
        "file",
        "berekstensi .xlsx tetapi bukan buku kerja Excel",
        "named .xlsx but not a workbook",
    ),
    "XLSX_RUSAK": ("file", "buku kerja Excel rusak atau terpotong", "damaged or truncated workbook"),
    "XLSX_TERKUNCI_ATAU_XLS": (
        "file",
        "Excel berkata sandi atau format .xls lama",
        "password-protected workbook or old .xls",
    ),
    "XLSX_TANPA_SHEET": ("file", "buku kerja tanpa sheet", "workbook without sheets"),
    "SHEET_TIDAK_DITEMUKAN": (
        "file",
        "sheet yang ditentukan registri tidak ada",
        "the registry's sheet is missing",
    ),
    "ZIP_BOM": (
        "file",
        "buku kerja mengembang terlalu besar (zip bomb)",
        "workbook expands too far (zip bomb)",
    ),
    "BUKAN_JSONL": ("file", "larik JSON, bukan JSON Lines", "a JSON array, not JSON Lines"),
    "BERKAS_TERLALU_BESAR": ("file", "melebihi batas ukuran berkas", "over the file size limit"),
    "BERKAS_DUPLIKAT": (
        "file",
        "isi sama persis dengan berkas yang sudah dimuat",
        "same bytes as a loaded file",
    ),
    "BUKAN_BERKAS_BIASA": (
        "file",
        "tautan simbolik, bukan berkas biasa",
        "a symbolic link, not a regular file",
    ),
    "FEED_TIDAK_DIKENAL": ("file", "folder bukan feed terdaftar", "folder is not a registered feed"),
    "BERKAS_TIDAK_TERBACA": ("file", "gagal dibaca karena galat tak terduga", "unreadable: unexpected error"),
    "DITOLAK_DATABASE": ("file", "isi ditolak oleh database", "contents refused by the database"),
    "KOLOM_BERLEBIH": ("row", "baris berisi lebih banyak kolom dari judul", "more fields than the header"),
    "KOLOM_KURANG": ("row", "baris berisi lebih sedikit kolom dari judul", "fewer fields than the header"),
    "NILAI_WAJIB_KOSONG": ("row", "nilai kolom wajib kosong", "a required value is empty"),
    "KARAKTER_TIDAK_SAH": ("row", "karakter NUL atau Unicode tidak sah", "NUL or invalid Unicode character"),
    "PENYANDIAN_RUSAK": (
        "row",
        "byte tidak sah untuk penyandian berkas",
        "bytes invalid in the file's encoding",
    ),
    "CSV_RUSAK": ("row", "baris CSV rusak (tanda kutip salah tempat)", "malformed CSV row (misplaced quote)"),
    "JUDUL_BERULANG": ("row", "baris mengulang judul kolom", "row repeats the header"),
    "SEL_GALAT_RUMUS": (
        "row",
        "kolom wajib berisi galat rumus Excel (#N/A, #REF!)",
        "a required column holds an Excel formula error (#N/A, #REF!)",
    ),
    "JSON_RUSAK": ("row", "baris bukan objek JSON yang sah", "line is not a valid JSON object"),
}
