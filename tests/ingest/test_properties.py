"""Property tests: any table a reference writer makes reads back as the reference reads it.

CSV: written by Python's csv module with a random dialect, quoting, line ending and encoding;
the reference reading is csv.reader with that same dialect over the text in that encoding.
XLSX: written by openpyxl from a random start cell, with cells merged down (an employer over its
workers) and numbers under number formats whose display has an independent oracle (zero padding,
fixed decimals from whole cents, whole percentages); the reference reading is openpyxl's cell
values, every cell of a merge showing its top-left value, as Excel shows it.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pantau.ingest.errors import Problem
from pantau.ingest.readers import open_file
from pantau.registry import feed

PERMITS = feed("imigrasi_izin_tinggal")
WORKERS = feed("disnaker_tka")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any printable text (no control characters, no lone surrogates, no byte-order mark).
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"), blacklist_characters="\ufeff"),
    max_size=12,
)
# Cells that hold a value (required columns): something besides white space.
FILLED = TEXT.filter(lambda s: s.strip() != "")
# Windows-1252 has no room for arbitrary text: realistic names and words in its repertoire.
CP1252_WORDS = st.sampled_from(
    ["José Müller", "François Lefèvre", "Søren Ågård", "Siti Nurhaliza", "Budi Santoso", "Café – 2",
     "Zoë", "Ñúñez", "Œuvre", "Straße 5", "Jl. Raya № 1".replace("№", "No"), "“kutip”", "€ 100"]
)  # fmt: skip


def _row(columns, draw_value, required) -> st.SearchStrategy[list[str]]:
    return st.tuples(*(draw_value(c in required) for c in columns)).map(list)


@st.composite
def csv_tables(draw):
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    required = set(PERMITS.required_columns)
    if encoding == "cp1252":
        any_value, filled_value = (
            st.one_of(st.just(""), CP1252_WORDS, st.from_regex(r"[A-Za-z0-9 ./-]{0,10}", fullmatch=True)),
            CP1252_WORDS,
        )
    else:
        any_value, filled_value = TEXT, FILLED
    columns = draw(st.permutations(PERMITS.column_names))
    rows = draw(
        st.lists(
            _row(columns, lambda req: filled_value if req else any_value, required), min_size=1, max_size=8
        )
    )
    dialect = {
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "lineterminator": draw(st.sampled_from(["\r\n", "\n"])),
    }
    return encoding, columns, rows, dialect


@SETTINGS
@given(csv_tables())
def test_csv_written_by_the_csv_module_reads_back_as_csv_reader_reads_it(table):
    encoding, columns, rows, dialect = table
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, **dialect)
    writer.writerow(columns)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    reference = list(csv.reader(io.StringIO(data.decode(encoding).lstrip("\ufeff"), newline=""),
                                delimiter=dialect["delimiter"]))  # fmt: skip
    expected = [
        (number, [record[columns.index(name)] or None for name in PERMITS.column_names])
        for number, record in enumerate(reference[1:], start=2)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "izin.csv"
        path.write_bytes(data)
        parsed = open_file(path, PERMITS)
        got = list(parsed.rows)
    assert not [p for _, p in got if isinstance(p, Problem)]
    assert got == expected


def _cents(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


NUMBER_FORMATS = {
    # code: (draw a stored number, how Excel shows it) -- oracles independent of the reader
    "00000": (st.integers(0, 99_999), lambda n: f"{n:05d}"),
    "0.00": (st.integers(-(10**8), 10**8), _cents),  # stored as cents / 100
    "0%": (st.integers(0, 1000), lambda k: f"{k}%"),  # stored as k / 100
}
ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NULL!", "#NAME?", "#NUM!")


@st.composite
def workbooks(draw):
    columns = draw(st.permutations(WORKERS.column_names))
    required = set(WORKERS.required_columns)
    height = draw(st.integers(1, 8))
    # openpyxl would write "=..." as a formula and an error code as an error cell.
    text = TEXT.filter(lambda s: not s.startswith("=") and s.strip() not in ERRORS)
    filled = text.filter(lambda s: s.strip() != "")
    rows = [[draw(filled if c in required else text) for c in columns] for _ in range(height)]
    numbers = {}
    for _ in range(draw(st.integers(0, 4))):
        r, c = draw(st.integers(0, height - 1)), draw(st.integers(0, len(columns) - 1))
        code = draw(st.sampled_from(sorted(NUMBER_FORMATS)))
        stored = draw(NUMBER_FORMATS[code][0])
        numbers[(r, c)] = (code, stored)
    merges = []
    taken: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(0, 3))):
        c = draw(st.integers(0, len(columns) - 1))
        r0 = draw(st.integers(0, height - 1))
        r1 = draw(st.integers(r0, height - 1))
        cells = {(r, c) for r in range(r0, r1 + 1)}
        if r1 > r0 and not cells & taken:
            taken |= cells
            merges.append((r0, r1, c))
    top = draw(st.integers(1, 12))
    left = draw(st.integers(1, 5))
    return columns, rows, numbers, merges, top, left


@SETTINGS
@given(workbooks())
@example(  # found by hypothesis: a cell holding only a no-break space
    (
        [
            *("no_rptka", "status", "kbli", "nama_perusahaan", "lokasi_kerja", "no_paspor", "nama_tka"),
            *("sektor", "jabatan", "tanggal_mulai", "tanggal_selesai", "kewarganegaraan"),
        ],
        [["0", "", "", "0", "0", "0", "", "", "\xa0", "0", "0", "0"]],
        {},
        [],
        1,
        1,
    )
)
def test_xlsx_written_by_openpyxl_reads_back_as_excel_shows_it(book_spec):
    columns, rows, numbers, merges, top, left = book_spec
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "TKA"
    for c, name in enumerate(columns):
        sheet.cell(top, left + c, name)
    shown = [list(row) for row in rows]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = sheet.cell(top + 1 + r, left + c)
            if (r, c) in numbers:
                code, stored = numbers[(r, c)]
                cell.value = stored / 100 if code in ("0.00", "0%") else stored
                cell.number_format = code
                shown[r][c] = NUMBER_FORMATS[code][1](stored)
            else:
                cell.value = value or None
                if value and not value.strip():
                    # openpyxl writes whitespace alone without xml:space="preserve": XML readers,
                    # Excel included, drop the XML whitespace at its ends (space, tab, line
                    # ends), not a no-break or em space (hypothesis found "\xa0").
                    shown[r][c] = value.strip(" \t\r\n") or None
    for r0, r1, c in merges:
        sheet.merge_cells(
            start_row=top + 1 + r0, end_row=top + 1 + r1, start_column=left + c, end_column=left + c
        )
        for r in range(r0 + 1, r1 + 1):
            shown[r][c] = shown[r0][c]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tka.xlsx"
        book.save(path)
        got = list(open_file(path, WORKERS).rows)
    expected = []
    for r, row in enumerate(shown):
        values = [row[columns.index(name)] or None for name in WORKERS.column_names]
        if all(v is None or not v.strip() for v in values):
            continue  # a blank row is not data
        missing = [
            n for n in WORKERS.required_columns if not (values[WORKERS.column_names.index(n)] or "").strip()
        ]
        expected.append((top + 1 + r, ("NILAI_WAJIB_KOSONG", missing[0]) if missing else values))
    assert [(n, (v.code, v.column) if isinstance(v, Problem) else v) for n, v in got] == expected
