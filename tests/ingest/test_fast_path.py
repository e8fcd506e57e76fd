"""The CSV fast path (PostgreSQL parses the file through COPY) is taken where it can be, and gives
exactly the Python path's outcome everywhere: same raw rows and row numbers, same rejects, same
ledger notes. Where PostgreSQL could read a file differently, the loader falls back to Python."""

from __future__ import annotations

import codecs
import csv
import io
import random
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from corpus.build import PERMIT_HEADER, line, permit, permits_csv, permits_text
from corpus.cases import CASES, PERMITS, Loaded
from test_exactly_once import kill_loader_at

from pantau import config, warehouse
from pantau.ingest import fastcsv
from pantau.ingest.loader import load_file
from pantau.ingest.readers import open_file
from pantau.ingest.rows import FORMULA_START
from pantau.registry import feed

FEED = feed(PERMITS)


@pytest.fixture(scope="module")
def fast_db() -> Iterator[str]:
    server = config.with_database(config.warehouse_dsn(), "postgres")
    name = f"pantau_ing_fast_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = config.with_database(server, name)
    try:
        warehouse.bootstrap(dsn)
        yield dsn
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def db(fast_db: str) -> str:
    with psycopg.connect(fast_db, autocommit=True) as conn:
        conn.execute(f"truncate audit.load_ledger, raw.{PERMITS}, raw.{PERMITS}__rejects")
    return fast_db


def _csv(rows: list[list[str]], **fmt) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=fmt.pop("delimiter", ";"), lineterminator="\r\n", **fmt).writerows(rows)
    return buffer.getvalue().encode(fmt.pop("encoding", "utf-8"))


# Files the corpus does not have, each aimed at one rule the fast path applies in SQL, or at one
# way PostgreSQL's CSV reading differs from Python's: (name, bytes, path the loader must take).
EXTRA = [
    (
        "quoted_cells",  # delimiter, doubled quotes and a line break inside quoted cells
        _csv(
            [
                PERMIT_HEADER,
                permit("Q1", nama="Sato; Kenji"),
                permit("Q2", penjamin='PT "Maju" Jaya'),
                permit("Q3", penjamin="Jl. Merdeka 1\r\nSerang\nBanten"),
                permit("Q4"),
                permit("Q5", nama='""'),
            ]
        ),
        "copy",
    ),
    (
        "quote_all",
        _csv([PERMIT_HEADER, permit("A1", nama=""), permit("A2", penjamin="")], quoting=csv.QUOTE_ALL),
        "copy",
    ),
    (
        "formula_and_number_like",
        permits_text(
            [
                line(f"N{i}", nama=nama, penjamin=penjamin)
                for i, (nama, penjamin) in enumerate(
                    [
                        ("-", "--"),
                        ("- -", "-5"),
                        ("+62 812-3456", "(021) 555"),
                        ("=1+2", "@x"),
                        ("+", "="),
                        ("-Rp 5.000", "+cmd|' /C calc'!A0"),
                        ("-٣", "-\u00a05"),  # digits and spaces Python counts and ASCII does not
                        ("José", "=HYPERLINK(1)"),
                    ]
                )
            ]
        ),
        "copy",
    ),
    (
        "unicode_blank_required",  # whitespace Python's isspace() knows; a CJK value is not blank
        permits_text(
            [
                line("U1", no_paspor="\u00a0"),
                line("U2", kewarganegaraan="\u3000 "),
                line("U3", kewarganegaraan="中国"),
                line("U4", kabupaten_kota=" Kota Serang"),
                line("U5"),
            ]
        ),
        "copy",
    ),
    (
        "blank_rows_of_delimiters",
        permits_text([line("B1"), ";;;;;;;;", " ; ;\t;;;;;;", "\x1a;;;;;;;;", line("B2")]),
        "copy",
    ),
    (
        "key_mentions_the_header_title",
        permits_text(
            [
                line("No Izin 7"),
                ";".join(PERMIT_HEADER),  # pasted header: rejected
                line("K2"),
                ";".join(h.lower() for h in PERMIT_HEADER),  # not the same title: loads
                line(" No Izin "),
            ]
        ),
        "copy",
    ),
    (
        "extra_columns_ignored",
        _csv(
            [
                ["No", *PERMIT_HEADER, "Catatan"],
                ["1", *permit("E1"), "x"],
                ["2", *permit("E2"), ""],
            ]
        ),
        "copy_staged",  # COPY cannot skip a column: through the stage
    ),
    # One formula-like cell at each place a cell can start, and nowhere else: the rule pass asks
    # for formula-like cells only when the bytes show one (fastcsv._Seen).
    ("formula_opens_the_first_record", permits_text([line("=1+2"), line("F2")]), "copy"),
    ("formula_after_a_line_end", permits_text([line("F1"), line("+cmd")], newline="\r\n"), "copy"),
    (
        "formula_only_inside_quotes",
        _csv([PERMIT_HEADER, permit("F1"), permit("F2", nama="@SUM(A1)")], quoting=csv.QUOTE_ALL),
        "copy",
    ),
    (
        "formula_after_a_tab",
        _csv([PERMIT_HEADER, permit("F1", penjamin="=HYPERLINK(1)")], delimiter="\t"),
        "copy",
    ),
    ("tab_delimited", permits_csv(["T1", "T2"], sep="\t"), "copy"),
    ("pipe_delimited", permits_csv(["P1", "P2"], sep="|"), "copy"),
    ("cp1252_throughout", permits_text([line("W1", nama="Jürgen Müller")]).decode().encode("cp1252"), "copy"),
    (
        "bom_title_sep_crlf",
        codecs.BOM_UTF8 + b"sep=;\r\nDATA IZIN\r\n\r\n" + permits_csv(["S1", "S2"], newline="\r\n"),
        "copy",
    ),
    ("end_of_data_mark", permits_text([line("D1"), "\\.", line("D2")]), "python"),
    ("end_of_data_mark_in_a_cell", permits_text([line("D1"), line("\\.D2")]), "python"),
    ("trailing_blank_line", permits_csv(["L1", "L2"]) + b"\n", "python"),
    (
        "unclosed_quote_past_the_head",  # quarantined either way
        permits_text([*(line(f"C{i}") for i in range(40)), line("C40", nama='"Kenji'), line("C41")]),
        None,
    ),
]

# The path each corpus file takes: clean or merely odd files go through COPY; files PostgreSQL
# would refuse or read differently fall back to Python.
CORPUS_PATHS = {
    "ragged_rows": "python",
    "blank_lines_between_rows": "python",
    "text_after_closing_quote": "python",
    "quotes_inside_unquoted_field": "python",
    "nul_byte_in_one_row": "python",
    "nul_byte_in_a_column_not_kept": "python",
    "invalid_utf8_after_first_64kb": "python",
    "bytes_undefined_in_cp1252": "python",
    "utf16_with_bom": "python",
    "old_mac_cr_line_endings": "python",
    "mixed_line_endings": "python",
    "dos_end_of_file_mark": "python",
    "required_value_blank": "copy",
    "formula_injection_cells": "copy",
    "bom_and_title_block": "copy",
    "excel_sep_hint_line": "copy",
    "two_exports_pasted_together": "copy",
    "cp1252_after_first_64kb": "copy",
    "very_long_field": "copy",
    "windows_line_endings": "copy",
    "unparseable_dates": "copy",
}


CORPUS_CSV = [
    (c.kind, c.bytes(), CORPUS_PATHS.get(c.kind, "copy"))  # the rest: clean files with odd names
    for c in CASES
    if c.feed == PERMITS and isinstance(c.outcome, Loaded)
]


def _load(dsn: str, root: Path, name: str, content: bytes):
    path = root / PERMITS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return load_file(FEED, path, landing=root, dsn=dsn)


def _snapshot(dsn: str, outcome) -> dict:
    """Everything a load leaves behind, minus what differs by design (load or quarantine time,
    path notes)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(f"select * from raw.{PERMITS} order by _row_number")
        names = [c.name for c in cur.description]
        rows = [{k: v for k, v in zip(names, r, strict=True) if k != "_loaded_at"} for r in cur]
        cur = conn.execute(f"select * from raw.{PERMITS}__rejects order by _row_number")
        names = [c.name for c in cur.description]
        rejects = [{k: v for k, v in zip(names, r, strict=True) if k != "_loaded_at"} for r in cur]
        ledger = conn.execute(
            "select status, row_count, reject_count, error_code, error_detail from audit.load_ledger"
        ).fetchall()
        conn.execute(f"truncate audit.load_ledger, raw.{PERMITS}, raw.{PERMITS}__rejects")
    detail = [
        (
            s,
            n,
            r,
            code,
            {k: v for k, v in (d or {}).items() if k not in ("path", "copy_refused", "quarantined_at")},
        )
        for s, n, r, code, d in ledger
    ]
    notes = {k: v for k, v in outcome.notes.items() if k not in ("path", "copy_refused")}
    return {
        "outcome": (outcome.status, outcome.rows, outcome.rejects, outcome.problem, notes),
        "rows": rows,
        "rejects": rejects,
        "ledger": detail,
    }


@pytest.mark.parametrize(
    ("kind", "content", "path"),
    [*CORPUS_CSV, *EXTRA],
    ids=lambda v: v if isinstance(v, str) and len(v) < 60 and "\n" not in v else "",
)
def test_fast_path_gives_the_python_path_outcome(db, tmp_path, monkeypatch, kind, content, path):
    """`path`: the one the loader must take (None: the file is quarantined before either)."""
    fast = _load(db, tmp_path / "a", "berkas.csv", content)
    assert (fast.notes.get("path") if fast.status == "loaded" else None) == path, (fast.status, fast.notes)
    assert ("copy_refused" in fast.notes) == (path == "python")
    fast_state = _snapshot(db, fast)
    monkeypatch.setattr(fastcsv, "load_csv", lambda *a, **k: "disabled by the test")
    slow = _load(db, tmp_path / "b", "berkas.csv", content)
    assert slow.status != "loaded" or slow.notes["path"] == "python"
    slow_state = _snapshot(db, slow)
    assert fast_state == slow_state


def test_ragged_row_falls_back_with_the_reason_and_the_same_rows(db, tmp_path):
    content = permits_text([line("R1"), line("R2") + ";lebih", line("R3")])
    outcome = _load(db, tmp_path, "tidak_rata.csv", content)
    assert (outcome.status, outcome.rows, outcome.rejects) == ("loaded", 2, 1)
    assert outcome.notes["path"] == "python"
    assert outcome.notes["copy_refused"] == "COPY: extra data after last expected column"
    with psycopg.connect(db) as conn:
        loaded = conn.execute(f"select no_izin, _row_number from raw.{PERMITS} order by 2").fetchall()
        rejected = conn.execute(f"select _row_number, error_code from raw.{PERMITS}__rejects").fetchall()
        detail = conn.execute("select error_detail from audit.load_ledger").fetchone()[0]
    assert loaded == [("R1", 2), ("R3", 4)] and rejected == [(3, "KOLOM_BERLEBIH")]
    assert detail["path"] == "python" and detail["copy_refused"].startswith("COPY: ")


def test_concurrent_loads_of_one_feed_do_not_share_state(db, tmp_path):
    """Mapped tasks load several files of a feed at once: each keeps its own rows and numbers."""
    sizes = {"a.csv": 20_000, "b.csv": 15_000, "c.csv": 25_000}
    paths = {}
    for name, n in sizes.items():
        ids = [f"{name[0].upper()}{i}" for i in range(n)]
        paths[name] = tmp_path / PERMITS / name
        paths[name].parent.mkdir(parents=True, exist_ok=True)
        paths[name].write_bytes(permits_csv(ids))
    outcomes = {}
    start = threading.Barrier(len(paths))

    def run(name: str) -> None:
        start.wait()
        outcomes[name] = load_file(FEED, paths[name], landing=tmp_path, dsn=db)

    threads = [threading.Thread(target=run, args=(name,)) for name in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with psycopg.connect(db) as conn:
        for name, n in sizes.items():
            outcome = outcomes[name]
            assert (outcome.status, outcome.rows, outcome.notes["path"]) == ("loaded", n, "copy")
            got = conn.execute(
                f"select count(*), min(_row_number), max(_row_number), "
                f"count(*) filter (where no_izin <> %s || (_row_number - 2)) "
                f"from raw.{PERMITS} where _batch_id = %s",
                (name[0].upper(), outcome.batch_id),
            ).fetchone()
            assert got == (n, 2, n + 1, 0)


def test_a_session_that_loaded_before_numbers_its_next_file_from_the_header(db, tmp_path):
    """The row sequence hands out numbers from a per-session cache: a session that already drew
    some, loading again after another session's load, still numbers its rows from its own header
    (setval drops that session's cached numbers), never from what it had cached."""

    def fast(conn: psycopg.Connection, name: str, content: bytes) -> None:
        path = tmp_path / PERMITS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        parsed = open_file(path, FEED)
        result = fastcsv.load_csv(conn, FEED, parsed, path, batch_id=name, source=name)
        parsed.close()
        conn.commit()
        assert isinstance(result, fastcsv.FastResult) and result.path == "copy", result

    with psycopg.connect(db) as conn:
        fast(conn, "a.csv", permits_csv(["A1", "A2", "A3"]))
        between = _load(db, tmp_path / "other", "b.csv", permits_csv([f"B{i}" for i in range(50)]))
        fast(conn, "c.csv", b"DATA IZIN\n\n" + permits_csv(["C1", "C2"]))  # header on row 3
        rows = conn.execute(
            f"select _batch_id, no_izin, _row_number from raw.{PERMITS} "
            "where _batch_id in ('a.csv', 'c.csv') order by 1, 3"
        ).fetchall()
    assert between.notes["path"] == "copy"
    assert rows == [
        ("a.csv", "A1", 2),
        ("a.csv", "A2", 3),
        ("a.csv", "A3", 4),
        ("c.csv", "C1", 4),
        ("c.csv", "C2", 5),
    ]


def test_the_rule_pass_asks_only_for_what_the_bytes_show(db, tmp_path, monkeypatch):
    """A file whose bytes hold no cell starting with = + - @ and no header title past the header
    is asked only for its required values; one formula-like cell brings the formula conditions."""
    asked = []
    judge = fastcsv._judge_candidates

    def spy(conn, feed_, parsed, notes, seen, **kwargs):
        asked.append((seen.formula, seen.key_title))
        return judge(conn, feed_, parsed, notes, seen, **kwargs)

    monkeypatch.setattr(fastcsv, "_judge_candidates", spy)
    clean = _load(db, tmp_path, "bersih.csv", permits_csv(["A-1", "B-2"]))  # dashes inside cells
    formula = _load(db, tmp_path, "rumus.csv", permits_text([line("C1", nama="=1+2")]))
    title = _load(db, tmp_path, "judul.csv", permits_text([line("D1"), ";".join(PERMIT_HEADER)]))
    assert [o.notes["path"] for o in (clean, formula, title)] == ["copy"] * 3
    assert (formula.notes["formula_like_cells"], title.rejects) == (1, 1)
    assert asked == [(False, False), (True, False), (False, True)]


@pytest.mark.parametrize("point", ["before_copy", "after_copy"])
@pytest.mark.parametrize(
    ("content", "path"),
    [
        (permits_csv([f"P{i}" for i in range(300)]), "copy"),
        (permits_text([*(line(f"P{i}") for i in range(299)), line("X") + ";lebih"]), "python"),
    ],
    ids=["copy", "fallback"],
)
def test_killed_load_leaves_nothing_on_either_path(db, tmp_path, point, content, path):
    file = tmp_path / PERMITS / "izin.csv"
    file.parent.mkdir(parents=True)
    file.write_bytes(content)
    kill_loader_at(point, file, tmp_path, db)
    with psycopg.connect(db) as conn:
        counts = [
            conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("audit.load_ledger", f"raw.{PERMITS}", f"raw.{PERMITS}__rejects")
        ]
    assert counts == [0, 0, 0] and file.exists()
    outcome = load_file(FEED, file, landing=tmp_path, dsn=db)
    assert (outcome.status, outcome.rows, outcome.notes["path"]) == ("loaded", 299 + (path == "copy"), path)


# --- the claim the fast path rests on ---------------------------------------------------------


def _random_csv(rnd: random.Random, width: int) -> str:
    cells = [
        lambda: rnd.choice(["a", "b c", "José", " ", "x'y", "\\.", "\\N", "-1"]),
        lambda: "",
        lambda: '"' + rnd.choice(["a;b", 'say ""hi""', "two\nlines", "cr\r\nlf", "", " "]) + '"',
        lambda: rnd.choice(['a"b', '"a" b', '"a"b', '"open', 'x""', '"a"";"', '" "']),
    ]
    records = []
    for _ in range(rnd.randint(1, 6)):
        n = width if rnd.random() < 0.85 else rnd.randint(1, width + 1)
        records.append(";".join(rnd.choices(cells, weights=[6, 2, 3, 1])[0]() for _ in range(n)))
    end = rnd.choice(["\n", "\r\n", "\n", "\r\n", "\r"])
    text = end.join(records) + rnd.choice([end, "", end + end])
    return text


def test_copy_reads_what_python_reads_whenever_the_checks_let_it(fast_db):
    """Random CSV-like text with good and bad quoting: whenever the fast path's checks and COPY
    both accept a text, PostgreSQL's records equal Python's csv records cell for cell (NULL read
    as ""); whenever Python's csv refuses a text, one of them refuses it too."""
    rnd = random.Random(20251027)
    dialect = type("D", (csv.excel,), {"delimiter": ";", "strict": True})
    checker = fastcsv._Checker(";", '"')
    compared = refused = 0
    with psycopg.connect(fast_db) as conn:
        for _ in range(400):
            width = rnd.randint(2, 4)
            text = _random_csv(rnd, width)
            try:
                expected = list(csv.reader(io.StringIO(text, newline=""), dialect))
            except csv.Error:
                expected = None
            data = text.encode()
            try:
                for block in fastcsv._blocks(io.BytesIO(data), b'"'):
                    checker.check(block)
            except fastcsv.Refused:
                refused += 1
                continue
            fields = ", ".join(f"f{i} text" for i in range(width))
            try:
                with conn.transaction():
                    conn.execute(f"create temp table t (_ord bigint generated always as identity, {fields})")
                    with conn.cursor().copy(
                        f"copy t ({', '.join(f'f{i}' for i in range(width))}) from stdin "
                        "(format csv, delimiter ';', quote '\"', encoding 'UTF8')"
                    ) as copy:
                        copy.write(data)
                    got = conn.execute("select * from t order by _ord", prepare=False).fetchall()
                    conn.execute("drop table t")
            except psycopg.DataError:
                refused += 1
                continue
            assert expected is not None, text
            assert [[c or "" for c in row[1:]] for row in got] == expected, text
            compared += 1
    assert compared > 50 and refused > 50  # both kinds really occurred


def test_the_bytes_show_every_cell_the_rule_pass_may_need(monkeypatch):
    """fastcsv._Seen, which lets the rule pass leave out its formula and repeated-header
    conditions, is a superset: in random CSV-like text cut into blocks of any size, whenever
    Python's csv reads a cell starting with = + - @ or holding the key title, the bytes showed it."""
    rnd = random.Random(20251205)
    title = "No Izin"
    cells = ["a", "b c", "", "x=y", "a-b", "1@2", "=1", "+62", "-", "@x", '"=q"', '"a""+b"', title]
    cells += [f'"{title}"', f'"x {title}"', '"two\n-lines"', '"say ""=hi"""', '" @"']
    seen_either = {True: 0, False: 0}
    for _ in range(600):
        delimiter = rnd.choice([";", ",", "\t", "|"])
        dialect = type("D", (csv.excel,), {"delimiter": delimiter, "strict": True})
        end = rnd.choice(["\n", "\r\n"])
        width = rnd.randint(1, 4)
        records = [
            delimiter.join(rnd.choices(cells, weights=[8] * 6 + [1] * 12, k=width))
            for _ in range(rnd.randint(1, 8))
        ]
        data = (end.join(records) + end).encode()
        try:
            expected = list(csv.reader(io.StringIO(data.decode(), newline=""), dialect))
        except csv.Error:
            continue
        monkeypatch.setattr(fastcsv, "CHUNK", rnd.randint(1, 40))
        checker, seen = fastcsv._Checker(delimiter, '"'), fastcsv._Seen(dialect, "utf-8", title)
        try:
            for block in fastcsv._blocks(io.BytesIO(data), b'"'):
                checker.check(block)
                seen.scan(block)
        except fastcsv.Refused:
            continue
        cells_read = [cell for record in expected for cell in record]
        assert seen.formula or not any(cell[:1] and cell[0] in FORMULA_START for cell in cells_read), data
        assert seen.key_title or not any(title in cell for cell in cells_read), data
        seen_either[seen.formula] += 1
    assert min(seen_either.values()) > 50  # both answers really occurred
