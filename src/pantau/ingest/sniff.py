"""Telling text from what is not, and which encoding the text is in.

Also the codec error handler that keeps a byte invalid in the file's encoding as a lone surrogate
(like Python's surrogateescape), so the row holding it is rejected rather than the whole file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
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


def unsupported_encoding(found: str, kind: str, *, suspected: bool = False) -> FileRejected:
    """`suspected`: the encoding is what a detector says the bytes most likely are."""
    found_en = found.replace(" tanpa ", " without ").replace("; atau ", "; or ")
    return file_problem(
        "PENYANDIAN_TIDAK_DIDUKUNG",
        f"Penyandian {'berkas tampaknya ' if suspected else ''}{found} tidak didukung untuk {kind}; "
        "simpan ulang sebagai UTF-8 (di Excel: 'CSV UTF-8').",
        f"{'The file looks like encoding' if suspected else 'Encoding'} {found_en}, which is not "
        f"supported for {kind}; save the file again as UTF-8 (in Excel: 'CSV UTF-8').",
        expected="UTF-8, UTF-8 with BOM, UTF-16 with BOM, or Latin text in Windows-1252 or Mac Roman",
        found=found_en + (" (suspected)" if suspected else ""),
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


def detect_encoding(sample: bytes, path: Path, kind: str = "CSV") -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM; else Windows-1252 or Mac Roman, when the
    text is in a Latin script; else the file is refused, naming the encoding it looks like.

    Windows-1252 is the ANSI code page of Indonesian Windows and of Excel's plain "CSV"; Mac Roman
    is Excel for Mac's "CSV (Macintosh)". Between the Latin code pages a statistical detector is
    no judge (it picks cp1250 or cp775 for short Windows-1252 samples, silently turning `è` into
    `č`), so the choice is Windows-1252 unless the text reads clearly better as Mac Roman. The
    detector (charset-normalizer) decides only whether the text is Latin at all: Cyrillic, Chinese,
    Japanese or Korean in a legacy code page would read as plausible-looking garbage in either, so
    such a file is quarantined with the encoding it most likely is. Bytes the chosen code page
    leaves undefined reject their row."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text": the BOM makes it unambiguous
    complete = len(sample) < SNIFF_BYTES
    if not _valid_utf8(sample, final=complete):
        return _legacy_encoding(sample, kind)
    if complete or not sample.isascii():
        return "utf-8"
    # Plain ASCII so far says nothing: decide on the first byte that is not, wherever it is.
    window = _first_non_ascii(path, len(sample))
    if window is None or _valid_utf8(window, final=len(window) < SNIFF_BYTES):
        return "utf-8"
    return _legacy_encoding(window, kind)


# Punctuation a Western text may hold outside letters (cp1252's 0x80-0x9F and Latin-1's symbols).
WESTERN_PUNCTUATION = set("\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u20ac\u2122\u00b0\u00b1")
WESTERN_PUNCTUATION |= set("\u00d7\u00b7\u00ab\u00bb\u00a7\u00a9\u00ae\u00a0\u00b4\u00ba\u00aa")


def _legacy_encoding(data: bytes, kind: str) -> str:
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:SNIFF_BYTES])
    best = matches.best()
    if best is not None and _mostly_non_latin(str(best)) and not _accents_within_words(data):
        candidates = list(dict.fromkeys(m.encoding for m in matches))[:3]
        raise unsupported_encoding(
            f"{candidates[0]} ({best.language or '?'}"
            + (f"; atau {', '.join(candidates[1:])}" if len(candidates) > 1 else "")
            + ")",
            kind,
            suspected=True,
        )
    if _latin_score(data, "mac_roman") > _latin_score(data, "cp1252"):
        return "mac_roman"
    return "cp1252"


def _accents_within_words(data: bytes) -> bool:
    """Do the bytes read as Western text with its accented letters a few at a time inside ASCII
    words ("Lefèvre", "Müller", "São", "Ñúñez")? Then a detector's guess of a Korean, Chinese or
    Cyrillic code page is wrong: those scripts come in whole words of non-ASCII bytes, which no
    ASCII letter touches (hypothesis found "François Lefèvre", and "Søren Ågård" with "Ñúñez", in
    Windows-1252 taken for johab)."""
    runs = list(re.finditer(rb"[\x80-\xff]+", data))

    def in_word(run: re.Match) -> bool:
        before, after = data[run.start() - 1 : run.start()], data[run.end() : run.end() + 1]
        return run.end() - run.start() <= 3 and (before.isalpha() or after.isalpha())

    if not runs or sum(map(in_word, runs)) < 0.8 * len(runs):
        return False
    text = data.decode("cp1252", errors="replace")
    latin = all(
        ch.isascii() or ch in WESTERN_PUNCTUATION or unicodedata.name(ch, "").startswith("LATIN")
        for ch in text
    )
    return latin and _latin_score(data, "cp1252") > 0


def _mostly_non_latin(text: str) -> bool:
    """Are most letters beyond ASCII, as the detector decoded them, of a script other than Latin
    (Cyrillic, Han, Hangul, kana, Arabic...)? Its choice among Latin code pages is ignored."""
    letters = [ch for ch in text if not ch.isascii() and ch.isalpha()]
    foreign = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    return bool(letters) and foreign * 2 > len(letters)


def _latin_score(data: bytes, encoding: str) -> int:
    """How plausible `data` is as Latin-script text in `encoding`: an accented capital where a
    word may start or go on in capitals, an accented small letter beside another small letter,
    common punctuation; undefined bytes, stray symbols and misplaced letters count against."""
    text = data.decode(encoding, errors="replace")
    score = 0
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if ch == "\ufffd":
            score -= 2
        elif ch.islower():
            score += 1 if before.islower() or after.islower() else -1
        elif ch.isupper():
            score += -1 if before.islower() else 1
        else:
            score += 1 if ch in WESTERN_PUNCTUATION else -1
    return score
