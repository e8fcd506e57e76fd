"""Finding the header row: which row names the feed's columns, and which source column is which.

A title block of any height may sit above the header, and two stacked header rows (a merged group
cell above its sub-columns) are read as one. The header decides the file: no recognisable header,
a required column missing or a column named twice quarantines it.
"""

from __future__ import annotations

from functools import cache

from pantau.ingest.errors import file_problem
from pantau.registry import Feed, header_key

HEADER_SEARCH_ROWS = 30


# --- header matching --------------------------------------------------------------------------


@cache
def alias_index(feed: Feed) -> dict[str, str]:
    return feed.alias_index()  # built once per feed: header search tries many rows and dialects


def match_header(cells: list[str], feed: Feed) -> list[str | None]:
    index = alias_index(feed)
    return [index.get(header_key(cell)) if cell else None for cell in cells]


def locate_header(
    candidates: list[tuple[int, list[str]]], feed: Feed
) -> tuple[int, list[str], list[str | None]]:
    """Find the header among the first rows: the row naming most canonical columns wins.

    A title block of any height above it is skipped. Two stacked header rows (a merged group cell
    above its sub-columns, as Excel exports often have) are joined into one before matching.
    """
    best: tuple[int, int, list[str], list[str | None]] | None = None
    for i, (row_number, cells) in enumerate(candidates):
        options = [(row_number, cells)]
        if i + 1 < len(candidates):
            # Stacked header: data starts after the second header row.
            options.append((candidates[i + 1][0], join_stacked(cells, candidates[i + 1][1])))
        for last_header_row, option in options:
            mapping = match_header(option, feed)
            score = len({m for m in mapping if m})
            if best is None or score > best[0]:
                best = (score, last_header_row, option, mapping)
    if best is None or best[0] == 0:
        first = next((cells for _, cells in candidates if any(c.strip() for c in cells)), [])
        raise file_problem(
            "HEADER_TIDAK_DITEMUKAN",
            f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama: tidak ada nama "
            "kolom yang dikenali.",
            f"No header row found in the first {HEADER_SEARCH_ROWS} rows: no column names were recognised.",
            expected=", ".join(feed.required_columns),
            found=" | ".join(c for c in first if c)[:300] or "(empty)",
        )
    _, row_number, cells, mapping = best
    _check_header(cells, mapping, feed, row_number)
    return row_number, cells, mapping


def join_stacked(upper: list[str], lower: list[str]) -> list[str]:
    joined, group = [], ""
    for i in range(max(len(upper), len(lower))):
        top = upper[i] if i < len(upper) else ""
        bottom = lower[i] if i < len(lower) else ""
        if bottom == top:  # one header cell merged down over both rows
            group = ""
            joined.append(top)
            continue
        group = top or (group if bottom else "")
        joined.append(f"{group} {bottom}".strip() if bottom else top)
    return joined


def _check_header(cells: list[str], mapping: list[str | None], feed: Feed, row_number: int) -> None:
    seen: dict[str, str] = {}
    for cell, name in zip(cells, mapping, strict=False):
        if name is None:
            continue
        if name in seen:
            raise file_problem(
                "KOLOM_GANDA",
                f"Kolom '{name}' muncul dua kali ('{seen[name]}' dan '{cell}'); "
                "tidak jelas mana yang dipakai.",
                f"Column '{name}' appears twice ('{seen[name]}' and '{cell}'); "
                "which one to use is ambiguous.",
                row=row_number,
                column=name,
                expected="each column once",
                found=f"{seen[name]} | {cell}",
            )
        seen[name] = cell
    missing = [c for c in feed.required_columns if c not in seen]
    if missing:
        raise file_problem(
            "KOLOM_WAJIB_HILANG",
            f"Kolom wajib tidak ada: {', '.join(missing)}.",
            f"Required column(s) missing: {', '.join(missing)}.",
            row=row_number,
            column=missing[0],
            expected=", ".join(feed.required_columns),
            found=" | ".join(c for c in cells if c)[:300],
        )
