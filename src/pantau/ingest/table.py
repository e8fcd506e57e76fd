"""A readable file as the loader sees it (`ParsedFile`), assembled from a reader's records."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from pantau.ingest.errors import Problem, file_problem, printable
from pantau.ingest.header import HEADER_SEARCH_ROWS, locate_header
from pantau.ingest.rows import ERROR_MARK, Row, is_blank, shape_rows
from pantau.registry import Feed


@dataclass
class ParsedFile:
    format: str
    encoding: str | None
    header_row: int
    source_headers: list[str]
    ignored_headers: list[str]
    rows: Iterator[Row]
    notes: dict = field(default_factory=dict)
    mapping: list[str | None] = field(default_factory=list)  # canonical name of each source column
    dialect: type[csv.Dialect] | None = None  # CSV only: what the file was read with
    on_close: list = field(default_factory=list)

    def close(self) -> None:
        """Release the file when the rows will not be read (the loader took the COPY path)."""
        self.rows.close()
        for close in self.on_close:
            close()


def assemble(
    fmt: str,
    encoding: str | None,
    records: Iterator[tuple[int, list[str] | Problem]],
    feed: Feed,
    *,
    escapes_from: int | None = None,
    cell_errors: bool = False,
) -> ParsedFile:
    head: list[tuple[int, list[str] | Problem]] = []
    leading_blank = 0  # empty rows above the table (a sheet that starts lower) are not searched
    for record in records:
        head.append(record)
        if len(head) == leading_blank + 1 and is_blank(record[1]):
            leading_blank += 1
        if len(head) - leading_blank >= HEADER_SEARCH_ROWS:
            break
    if all(is_blank(cells) for _, cells in head):
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas tidak berisi data: semua sel kosong.",
            "The file holds no data: every cell is empty.",
            expected="a header row and data rows",
            found=f"{len(head)} empty rows",
        )
    candidates = [(n, cells) for n, cells in head if not isinstance(cells, Problem)]
    header_row, cells, mapping = locate_header(candidates, feed)
    notes: dict = {"blank_rows": 0, "formula_like_cells": 0}
    data_head = [(n, c) for n, c in head if n > header_row]
    if all(is_blank(c) for _, c in data_head):
        notes["blank_rows"] += len(data_head)
        data_head = []
        for record in records:  # look past trailing blank rows for a first data row
            if is_blank(record[1]):
                notes["blank_rows"] += 1
                continue
            data_head.append(record)
            break
        else:
            raise file_problem(
                "TANPA_DATA",
                "Berkas hanya berisi judul kolom, tanpa baris data.",
                "The file has a header but no data rows.",
                row=header_row,
                expected="at least one data row",
                found="0 data rows",
            )

    def chained() -> Iterator[tuple[int, list[str] | Problem]]:
        yield from data_head
        yield from records

    ignored = [
        printable(c.replace(ERROR_MARK, "") if cell_errors else c)
        for c, m in zip(cells, mapping, strict=False)
        if c and m is None
    ]
    return ParsedFile(
        format=fmt,
        encoding=encoding,
        header_row=header_row,
        source_headers=cells,
        ignored_headers=ignored,
        rows=shape_rows(
            chained(), cells, mapping, feed, notes, escapes_from=escapes_from, cell_errors=cell_errors
        ),
        notes=notes,
        mapping=mapping,
    )


def count_into(rows: Iterator[Row], notes: dict, counters: dict[str, int]) -> Iterator[Row]:
    """Pass rows through; once they are all read, record the counters in the notes."""
    yield from rows
    notes.update(counters)
