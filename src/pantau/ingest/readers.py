"""Read an agency file (CSV, XLSX, JSON Lines) into rows keyed by the feed's canonical columns.

Readers stream: a file is never held in memory whole. Each yields `(row_number, values)` where
row_number is where the row sits in the file as a spreadsheet shows it (title and header rows
counted), so an agency can find it; values are aligned to `feed.column_names`, or a `Problem`
when that one row cannot be read (it goes to the rejects table while the rest loads).

What a bad file does (the corpus in tests/ingest/ pins each case):
- the whole file is refused (`FileRejected`, quarantined) when it cannot be read as a table at
  all: empty, binary, an encoding we cannot read, no header, a missing required column, a quote
  never closed (every later row would be swallowed into one cell), a broken or oversized workbook;
- one row is refused (a `Problem`, to raw.<feed>__rejects) when only that row is broken: ragged,
  a required value empty, a NUL character, bytes that are not valid in the file's encoding, an
  Excel formula error (`#N/A`) in a required column (elsewhere the value loads empty, reported);
- values that merely look odd load as sent (unparseable dates are gate 1's business) and
  formula-like cells (`=HYPERLINK(...)`, `+cmd`, `@SUM`) load as literal text, never evaluated,
  counted in `notes["formula_like_cells"]` for the ledger.

Where each job lives (all in this package):
- `sniff`: text or not, and which encoding;      - `header`: finding and checking the header row;
- `rows`: the row rules, the same for every format; - `table`: `ParsedFile`, header search -> rows;
- `csv_reader`, `xlsx_reader`, `jsonl_reader`: one per format; `fastcsv`: CSV through COPY;
- `ooxml`, `numfmt`: what python-calamine does not give (number formats, formula errors, part names)
  and numbers rendered as their format shows them.
"""

from __future__ import annotations

from pathlib import Path

from pantau.ingest.csv_reader import open_csv
from pantau.ingest.errors import FileRejected, file_problem
from pantau.ingest.jsonl_reader import open_jsonl
from pantau.ingest.table import ParsedFile
from pantau.ingest.xlsx_reader import open_xlsx
from pantau.registry import Feed

FORMATS_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def detect_format(path: Path, feed: Feed) -> str:
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None or fmt not in feed.formats:
        raise file_problem(
            "FORMAT_TIDAK_DIDUKUNG",
            f"Format berkas '{path.suffix or '(tanpa ekstensi)'}' tidak diterima untuk feed {feed.name}; "
            f"kirim sebagai {', '.join(feed.formats)}.",
            f"File type '{path.suffix or '(no extension)'}' is not accepted for feed {feed.name}; "
            f"send it as {', '.join(feed.formats)}.",
            expected=", ".join(feed.formats),
            found=path.suffix or "(none)",
        )
    return fmt


def open_file(path: Path, feed: Feed) -> ParsedFile:
    fmt = detect_format(path, feed)
    reader = {"csv": open_csv, "xlsx": open_xlsx, "jsonl": open_jsonl}[fmt]
    return reader(path, feed)


__all__ = ["FileRejected", "ParsedFile", "detect_format", "open_file"]
