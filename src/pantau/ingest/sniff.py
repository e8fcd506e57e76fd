"""Telling text from what is not, and which encoding the text is in.

Also the codec error handler that keeps a byte invalid in the file's encoding as a lone surrogate
(like Python's surrogateescape), so the row holding it is rejected rather than the whole file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from pantau.ingest.errors import FileRejected, file_problem

SNIFF_BYTES = 64 * 1024
SCAN_CHUNK = 4 * 1024 * 1024

# Bytes that do not occur in text (tab, newlines, form feed excepted). Random or compressed data
# has about 11% of them; a text file with one stray NUL far below the threshold.
CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32), 127])
BINARY_CONTROL_RATIO = 0.03
ESCAPED_BYTES = re.compile("[\udc00-\udcff]")
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

# --- undecodable bytes ------------------------------------------------------------------------
# A byte that is invalid in the file's encoding must not stop the whole file, nor be silently
# replaced: it is kept as a lone surrogate (like Python's surrogateescape) and the row holding it
# goes to the rejects table. The counter lets the row checks skip the search in clean files.

ESCAPES = [0]  # undecodable bytes met so far, in any file


def _escape_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    ESCAPES[0] += 1
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("pantau-escape", _escape_undecodable)


def escaped_bytes(value: str) -> bytes:
    return bytes(ord(ch) - 0xDC00 for ch in ESCAPED_BYTES.findall(value))


# --- telling text from what is not ------------------------------------------------------------


def _describe_binary(sample: bytes) -> tuple[str, str] | None:
    for magic, in_id, in_en in MAGIC:
        if sample.startswith(magic):
            return in_id, in_en
    return None


def refuse_non_text(sample: bytes, kind: str) -> None:
    """Refuse, with a reason, a file that is not text at all or is UTF-16 without a BOM."""
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise unsupported_encoding("UTF-32", kind)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    head = sample[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) >= 8 and max(even, odd) > 0.3 * len(head) / 2 and min(even, odd) < 0.05 * len(head) / 2:
        raise unsupported_encoding("UTF-16 " + ("LE" if odd > even else "BE") + " tanpa BOM", kind)
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


def unsupported_encoding(found: str, kind: str) -> FileRejected:
    return file_problem(
        "PENYANDIAN_TIDAK_DIDUKUNG",
        f"Penyandian {found} tidak didukung untuk {kind}; simpan ulang sebagai UTF-8 "
        "(di Excel: 'CSV UTF-8').",
        f"Encoding {found.replace(' tanpa ', ' without ')} is not supported for {kind}; save the file "
        "again as UTF-8 (in Excel: 'CSV UTF-8').",
        expected="UTF-8, UTF-8 with BOM, Windows-1252 or UTF-16 with BOM",
        found=found.replace(" tanpa ", " without "),
    )


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


def detect_encoding(sample: bytes, path: Path) -> str:
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
