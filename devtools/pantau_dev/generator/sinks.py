"""File writers that stream rows to disk and count what they wrote (for the ground truth)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


class CsvSink:
    def __init__(
        self,
        path: Path,
        header: list[str],
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
        quoting: int = csv.QUOTE_MINIMAL,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # errors="strict": a value the encoding cannot carry is a generator bug, not something to hide
        self.handle = path.open("w", encoding=encoding, newline="", errors="strict")
        self.writer = csv.writer(self.handle, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
        self.writer.writerow(header)
        self.rows = 0

    def write(self, values: list[str]) -> None:
        self.writer.writerow(values)
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


class JsonlSink:
    def __init__(self, path: Path, keys: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.keys = keys
        self.handle = path.open("w", encoding="utf-8", newline="\n")
        self.rows = 0

    def write(self, values: list[Any]) -> None:
        record = {k: (v if v != "" else None) for k, v in zip(self.keys, values, strict=True)}
        self.handle.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


class XlsxSink:
    """An agency spreadsheet: a title block (merged title cell) above the header row.

    xlsxwriter's constant_memory mode writes row by row, so large sheets stream too. Values may be
    str, int (Excel serial dates arrive as plain numbers) or datetime.date (real date cells).
    """

    def __init__(
        self, path: Path, sheet: str, header: list[str], title: list[str], notes: list[str] | None = None
    ) -> None:
        import xlsxwriter

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # a fixed creation date keeps the file byte-identical between runs
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
        self.book.set_properties({"created": _FIXED_CREATED, "author": "Pantau generator"})
        if notes:  # a cover sheet before the data: readers must pick the sheet by name
            cover = self.book.add_worksheet("Keterangan")
            for i, line in enumerate(notes):
                cover.write_string(i, 0, line)
        self.sheet = self.book.add_worksheet(sheet)
        bold = self.book.add_format({"bold": True, "align": "center"})
        head = self.book.add_format({"bold": True, "border": 1, "bg_color": "#D9E1F2"})
        self.date_format = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.row = 0
        for i, line in enumerate(title):
            if i == 0:
                self.sheet.merge_range(0, 0, 0, len(header) - 1, line, bold)
            else:
                self.sheet.write_string(self.row, 0, line)
            self.row += 1
        self.row += 1  # an empty row between the title block and the header, as offices do
        for col, name in enumerate(header):
            self.sheet.write_string(self.row, col, name, head)
        self.row += 1
        self.rows = 0

    def write(self, values: list[Any]) -> None:
        from datetime import date, datetime

        for col, value in enumerate(values):
            if value is None or value == "":
                continue  # an empty cell
            if isinstance(value, date):
                self.sheet.write_datetime(
                    self.row, col, datetime(value.year, value.month, value.day), self.date_format
                )
            elif isinstance(value, int):
                self.sheet.write_number(self.row, col, value)
            else:
                self.sheet.write_string(self.row, col, str(value))
        self.row += 1
        self.rows += 1

    def close(self) -> None:
        self.book.close()


def _fixed_created():
    from datetime import datetime

    return datetime(2025, 10, 27, 8, 0, 0)


_FIXED_CREATED = _fixed_created()
