"""JSON Lines: one object per line, keys matched to the feed's columns like header cells."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

from pantau.ingest.errors import Problem, file_problem
from pantau.ingest.header import alias_index
from pantau.ingest.rows import check_required, inspect_values, text_or_none
from pantau.ingest.sniff import SNIFF_BYTES, refuse_non_text, unsupported_encoding
from pantau.ingest.table import ParsedFile, Row
from pantau.registry import Feed, header_key


def open_jsonl(path: Path, feed: Feed) -> ParsedFile:
    index = alias_index(feed)
    names = feed.column_names
    positions = {name: i for i, name in enumerate(names)}
    required = [(positions[c], c) for c in feed.required_columns]
    with path.open("rb") as handle:
        first = handle.read(SNIFF_BYTES)
    if not first.strip():
        raise file_problem(
            "BERKAS_KOSONG",
            "Berkas kosong.",
            "The file is empty.",
            expected="JSON objects, one per line",
            found=f"{len(first)} bytes, all blank",
        )
    refuse_non_text(first, "JSON Lines")
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise unsupported_encoding("UTF-16", "JSON Lines")
    if first.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"["):
        raise file_problem(
            "BUKAN_JSONL",
            "Berkas berisi satu larik JSON ([...]), bukan JSON Lines (satu objek per baris).",
            "The file is one JSON array ([...]), not JSON Lines (one object per line).",
            row=1,
            expected="one JSON object per line",
            found="a JSON array",
        )
    notes: dict = {"blank_rows": 0, "formula_like_cells": 0}

    def rows() -> Iterator[Row]:
        key_cache: dict[str, str | None] = {}
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    notes["blank_rows"] += 1
                    continue
                problem, record = _parse_json_line(line, number)
                if problem:
                    yield number, problem
                    continue
                values: list[str | None] = [None] * len(positions)
                seen: dict[str, str] = {}
                for key, value in record.items():
                    if key not in key_cache:
                        key_cache[key] = index.get(header_key(key))
                    name = key_cache[key]
                    if not name:
                        continue
                    if name in seen:
                        problem = Problem(
                            "KOLOM_GANDA",
                            f"Kolom '{name}' muncul dua kali dalam objek ('{seen[name]}' dan '{key}').",
                            f"Column '{name}' appears twice in the object ('{seen[name]}' and '{key}').",
                            row=number,
                            column=name,
                            expected="each column once",
                            found=f"{seen[name]} | {key}",
                        )
                        break
                    seen[name] = key
                    values[positions[name]] = text_or_none(value)
                problem = (
                    problem
                    or check_required(values, required, number)
                    or inspect_values(values, names, number, notes)
                )
                yield number, problem or values

    return ParsedFile(
        format="jsonl",
        encoding="utf-8",
        header_row=0,
        source_headers=[],
        ignored_headers=[],
        rows=rows(),
        notes=notes,
    )


def _parse_json_line(line: bytes, number: int) -> tuple[Problem | None, dict]:
    try:
        text = line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.end]
        return (
            Problem(
                "PENYANDIAN_RUSAK",
                f"Baris berisi byte yang bukan UTF-8 yang sah ({bad.hex(' ')}) pada posisi {exc.start}.",
                f"Line holds bytes that are not valid UTF-8 ({bad.hex(' ')}) at position {exc.start}.",
                row=number,
                expected="UTF-8 text",
                found=repr(line[max(0, exc.start - 20) : exc.end + 20]),
            ),
            {},
        )
    try:
        record = json.loads(text)
    except ValueError as exc:
        return (
            Problem(
                "JSON_RUSAK",
                f"Baris bukan JSON yang sah: {exc}.",
                f"Line is not valid JSON: {exc}.",
                row=number,
                expected="one JSON object per line",
                found=text[:80],
            ),
            {},
        )
    if not isinstance(record, dict):
        kind = {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(record), "number")
        return (
            Problem(
                "JSON_RUSAK",
                f"Baris berisi JSON {kind}, bukan objek {{...}}.",
                f"Line holds a JSON {kind}, not an object {{...}}.",
                row=number,
                expected="one JSON object per line",
                found=text[:80].strip(),
            ),
            {},
        )
    return None, record
