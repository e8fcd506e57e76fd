"""The bad-input corpus: every kind of bad file gets its exact outcome and never stops the others.

Each case lands its file in a landing zone beside a valid file of the same feed and one of another
feed, then does what an ingest run does (unknown folders quarantined, each feed discovered, each
ready file loaded). Asserted every time: the bad file's exact outcome (the `.reason.json` code,
row and column; or the rows loaded and the rows rejected, with code and column); the valid files
loaded in full; every original byte-identical (sha256) in `_archive/` or `_quarantine/`.
The kinds and the outcomes decided for them are listed in corpus/cases.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from corpus.build import jsonl, lodging, permits_csv, police_csv, tka_xlsx
from corpus.cases import CASES, LODGING, PERMITS, WORKERS, Case, Loaded, Quarantined

from pantau import config, ingest, pipeline, warehouse
from pantau.ingest.discover import discover
from pantau.ingest.errors import CODES
from pantau.ingest.loader import as_text, load_file
from pantau.registry import feed, feeds

REASON_KEYS = {
    "feed",
    "file",
    "sha256",
    "error_code",
    "row",
    "column",
    "expected",
    "found",
    "message_id",
    "message_en",
}
SETTLED = time.time() - 3600  # landed an hour ago: past any settle time
POLICE = "polri_laporan"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- one database for the module, emptied before each test (creating one per case is slow) -----


@pytest.fixture(scope="module")
def corpus_db() -> Iterator[str]:
    server = config.with_database(config.warehouse_dsn(), "postgres")
    name = f"pantau_corpus_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
        # No crash safety needed here (test_exactly_once has it): commits need not wait for disk.
        conn.execute(f'alter database "{name}" set synchronous_commit = off')
    dsn = config.with_database(server, name)
    patch = pytest.MonkeyPatch()
    try:
        warehouse.bootstrap(dsn)
        # quarantine_unknown_feeds reads the DSN from the environment, like the DAG task does.
        patch.setenv("PANTAU_WAREHOUSE_DSN", dsn)
        patch.setenv("PANTAU_SETTLE_SECONDS", "5")
        config.warehouse_dsn.cache_clear()
        yield dsn
    finally:
        patch.undo()
        config.warehouse_dsn.cache_clear()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def db(corpus_db: str) -> str:
    tables = ["audit.load_ledger"] + [
        f"raw.{name}{suffix}" for name in feeds() for suffix in ("", "__rejects")
    ]
    with psycopg.connect(corpus_db, autocommit=True) as conn:
        conn.execute(f"truncate {', '.join(tables)}")
    return corpus_db


# --- landing and running ----------------------------------------------------------------------


class Landing:
    """A landing zone that remembers what it was given, to check every original afterwards."""

    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, tuple[str, bytes]] = {}  # relative name -> (feed or folder, bytes)

    def put(self, relative: str, content: bytes, *, settled: bool = True) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        if settled:
            os.utime(path, (SETTLED, SETTLED))
        self.files[relative] = (relative.split("/")[0], content)
        return path

    def companions(self, feed_name: str) -> dict[str, int]:
        """A valid file in the case's feed and one in another feed; returns name -> row count."""
        valid = {
            PERMITS: ("pendamping.csv", permits_csv(["OK1", "OK2", "OK3"]), 3),
            WORKERS: ("pendamping.xlsx", tka_xlsx(["OK1", "OK2"]), 2),
            LODGING: ("pendamping.jsonl", jsonl([lodging("OK1"), lodging("OK2")]), 2),
        }[feed_name]
        self.put(f"{feed_name}/{valid[0]}", valid[1])
        self.put(f"{POLICE}/stm_2025-10-05.csv", police_csv(["LP-1", "LP-2"]))
        return {f"{feed_name}/{valid[0]}": valid[2], f"{POLICE}/stm_2025-10-05.csv": 2}


def run_ingest(landing: Path, dsn: str) -> dict:
    """What one run of the ingest DAGs does, file by file (each load_file is one mapped task)."""
    pipeline.quarantine_unknown_feeds(landing)
    outcomes = {}
    for name in feeds():
        for path in discover(landing, name).ready:
            outcome = load_file(feed(name), path, landing=landing, dsn=dsn)
            outcomes[outcome.source_file] = outcome
    return outcomes


def ledger(dsn: str) -> dict[str, dict]:
    with psycopg.connect(dsn) as conn:
        cur = conn.execute("select * from audit.load_ledger order by received_at")
        names = [c.name for c in cur.description]
        return {row[names.index("source_file")]: dict(zip(names, row, strict=True)) for row in cur}


def raw_rows(dsn: str, feed_name: str, source: str) -> list[dict]:
    key = feed(feed_name).natural_key[0]
    with psycopg.connect(dsn) as conn:
        cur = conn.execute(
            f"select *, {key} as _key from raw.{feed_name} where _source_file = %s order by _row_number",
            (source,),
        )
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]


def rejects(dsn: str, feed_name: str, source: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            f"select _row_number, error_code, column_name, message_id, message_en "
            f"from raw.{feed_name}__rejects where _source_file = %s order by _row_number",
            (source,),
        ).fetchall()


# --- what every case must show ----------------------------------------------------------------


def assert_originals_kept(landing: Landing, dsn: str, only: set[str] | None = None) -> None:
    """Every landed file is in the ledger and byte-identical where the ledger says it is."""
    entries = ledger(dsn)
    for relative, (_, content) in landing.files.items():
        if only is not None and relative not in only:
            continue
        entry = entries[as_text(relative)]
        assert entry["file_sha256"] == sha256(content), relative
        stored = landing.root / entry["archive_path"]
        assert stored.is_file(), f"{relative}: {entry['archive_path']} missing"
        assert sha256(stored.read_bytes()) == sha256(content), relative
        assert not (landing.root / relative).exists(), f"{relative} left in landing"


def assert_outcome(landing: Landing, dsn: str, case: Case, relative: str) -> None:
    source = as_text(relative)
    entry = ledger(dsn)[source]
    outcome = case.outcome
    if isinstance(outcome, Quarantined):
        assert (entry["status"], entry["error_code"]) == ("quarantined", outcome.code), entry
        assert entry["archive_path"].startswith(f"_quarantine/{case.feed}/")
        reason_path = landing.root / (entry["archive_path"] + ".reason.json")
        reason = json.loads(reason_path.read_text(encoding="utf-8"))
        assert set(reason) >= REASON_KEYS, REASON_KEYS - set(reason)
        assert reason["feed"] == case.feed and reason["file"] == source
        assert reason["sha256"] == sha256(landing.files[relative][1])
        assert (reason["error_code"], reason["row"], reason["column"]) == (
            outcome.code,
            outcome.row,
            outcome.column,
        ), reason
        if outcome.expected is not None:
            assert reason["expected"] == outcome.expected
        if outcome.found is not None:
            assert outcome.found in (reason["found"] or ""), reason["found"]
        assert reason["message_id"] and reason["message_en"]
        assert reason["message_id"] != reason["message_en"]  # two languages, not one copied
        assert entry["error_detail"]["error_code"] == outcome.code
        assert raw_rows(dsn, case.feed, source) == []
        assert rejects(dsn, case.feed, source) == []
        return
    assert isinstance(outcome, Loaded)
    assert entry["status"] == "loaded" and entry["error_code"] is None, entry
    assert entry["archive_path"].startswith(f"_archive/{case.feed}/")
    rows = raw_rows(dsn, case.feed, source)
    assert tuple(r["_key"] for r in rows) == outcome.keys
    if outcome.row_numbers is not None:
        assert tuple(r["_row_number"] for r in rows) == outcome.row_numbers
    by_key = {r["_key"]: r for r in rows}
    for (key, column), value in outcome.values.items():
        assert by_key[key][column] == value, (key, column)
    for row in rows:  # nothing leaks a line ending or a NUL into a value
        assert not any(isinstance(v, str) and ("\r" in v or "\x00" in v) for v in row.values())
    found = rejects(dsn, case.feed, source)
    assert [(n, code, column) for n, code, column, _, _ in found] == list(outcome.rejects)
    assert all(message_id and message_en for *_, message_id, message_en in found)
    assert (entry["row_count"], entry["reject_count"]) == (len(outcome.keys), len(outcome.rejects))
    for key, value in outcome.detail.items():
        assert entry["error_detail"].get(key) == value, (key, entry["error_detail"])


def assert_companions_loaded(dsn: str, companions: dict[str, int]) -> None:
    entries = ledger(dsn)
    for source, count in companions.items():
        assert entries[source]["status"] == "loaded", entries[source]
        feed_name = source.split("/")[0]
        assert len(raw_rows(dsn, feed_name, source)) == count == entries[source]["row_count"]


def test_corpus_has_enough_kinds():
    assert len({c.kind for c in CASES}) == len(CASES) >= 25
    assert len({(c.feed, c.name) for c in CASES}) == len(CASES)


def test_every_error_code_is_catalogued_and_exercised():
    """The catalogue in errors.py is complete, and the corpus shows every code but the safety nets."""
    sources = [*Path(ingest.__file__).parent.glob("*.py"), Path(pipeline.__file__)]
    written = {
        code
        for source in sources
        for code in re.findall(r'"([A-Z]+(?:_[A-Z]+)+)"', source.read_text(encoding="utf-8"))
        if not code.startswith("PANTAU_")
    }
    assert written == set(CODES)
    exercised = {c.outcome.code for c in CASES if isinstance(c.outcome, Quarantined)}
    exercised |= {code for c in CASES if isinstance(c.outcome, Loaded) for _, code, _ in c.outcome.rejects}
    exercised |= {"BERKAS_TERLALU_BESAR", "BERKAS_DUPLIKAT", "BUKAN_BERKAS_BIASA", "FEED_TIDAK_DIKENAL"}
    # Safety nets no well-formed test input reaches: a workbook without sheets (Excel cannot save
    # one), a reader crash, a value PostgreSQL refuses after the reader's own checks.
    unreachable = {"XLSX_TANPA_SHEET", "BERKAS_TIDAK_TERBACA", "DITOLAK_DATABASE"}
    assert set(CODES) - unreachable == exercised


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_bad_input(case: Case, db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(case.feed)
    relative = f"{case.feed}/{case.name}"
    landing.put(relative, case.bytes())
    run_ingest(landing.root, db)
    assert_outcome(landing, db, case, relative)
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


def test_whole_corpus_in_one_landing_zone(db: str, tmp_path: Path):
    """All bad files at once, in one run: each still gets exactly its own outcome."""
    landing = Landing(tmp_path / "landing")
    companions: dict[str, int] = {}
    for feed_name in (PERMITS, WORKERS, LODGING):
        companions |= landing.companions(feed_name)
    for case in CASES:
        landing.put(f"{case.feed}/{case.name}", case.bytes())
    run_ingest(landing.root, db)
    for case in CASES:
        assert_outcome(landing, db, case, f"{case.feed}/{case.name}")
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


# --- cases that need several files or runs ----------------------------------------------------


def test_unknown_feed_folder_and_loose_file_are_quarantined(db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(PERMITS)
    landing.put("bnn_laporan/oktober/data.csv", permits_csv(["U1"]))
    landing.put("laporan_lepas.csv", permits_csv(["U2"]))
    (landing.root / ".DS_Store").write_bytes(b"\x00\x01")  # desktop litter: left alone
    run_ingest(landing.root, db)
    entries = ledger(db)
    for source, folder in [
        ("bnn_laporan/oktober/data.csv", "bnn_laporan"),
        ("laporan_lepas.csv", "_tanpa_feed"),
    ]:
        entry = entries[source]
        assert (entry["status"], entry["error_code"], entry["feed"]) == (
            "quarantined",
            "FEED_TIDAK_DIKENAL",
            folder,
        )
        assert entry["archive_path"].startswith(f"_quarantine/{folder}/")
        reason = json.loads((landing.root / (entry["archive_path"] + ".reason.json")).read_text())
        assert set(reason) >= REASON_KEYS and reason["sha256"] == entry["file_sha256"]
        assert (reason["feed"], reason["file"], reason["row"], reason["column"]) == (
            folder,
            source,
            None,
            None,
        )
        assert reason["found"] == folder
    assert (landing.root / ".DS_Store").exists()
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


def test_file_still_being_written_is_deferred_then_loaded(db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(PERMITS)
    growing = landing.put(f"{PERMITS}/sedang_diunggah.csv", permits_csv(["G1"]), settled=False)
    run_ingest(landing.root, db)
    assert "imigrasi_izin_tinggal/sedang_diunggah.csv" not in ledger(db)
    assert growing in discover(landing.root, PERMITS).deferred
    with growing.open("ab") as handle:  # the upload goes on
        handle.write(b"G2;ITAS;Kenji;Jepang;TZ2;01/02/2025;01/02/2026;PT;Kota Cilegon\n")
    run_ingest(landing.root, db)
    assert "imigrasi_izin_tinggal/sedang_diunggah.csv" not in ledger(db)
    os.utime(growing, (SETTLED, SETTLED))  # quiet for longer than PANTAU_SETTLE_SECONDS
    landing.files[f"{PERMITS}/sedang_diunggah.csv"] = (PERMITS, growing.read_bytes())
    run_ingest(landing.root, db)
    rows = raw_rows(db, PERMITS, "imigrasi_izin_tinggal/sedang_diunggah.csv")
    assert [r["_key"] for r in rows] == ["G1", "G2"]  # the whole file, not the half seen first
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


def test_partial_lock_and_hidden_files_are_left_alone(db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(WORKERS)
    left_alone = {
        f"{WORKERS}/tka.xlsx.part": tka_xlsx(["P1"]),
        f"{WORKERS}/tka.xlsx.crdownload": tka_xlsx(["P2"]),
        f"{WORKERS}/~$tka.xlsx": b"\x00lock",
        f"{WORKERS}/.~lock.tka.xlsx#": b"lock",
        f"{WORKERS}/.tka.xlsx.Xa8b9c": tka_xlsx(["P3"]),  # rsync's temporary name
        f"{WORKERS}/._tka.xlsx": b"\x00\x05\x16\x07",  # macOS resource fork
        f"{WORKERS}/.DS_Store": b"\x00\x00\x00\x01Bud1",
        f"{WORKERS}/.git/config": b"[core]",
        f"{WORKERS}/Thumbs.db": b"\x00\x01",
        f"{WORKERS}/desktop.ini": b"[.ShellClassInfo]",
    }
    for relative, content in left_alone.items():
        landing.put(relative, content)
    run_ingest(landing.root, db)
    assert set(ledger(db)) == set(companions)
    for relative, content in left_alone.items():
        assert (landing.root / relative).read_bytes() == content
    deferred = {p.name for p in discover(landing.root, WORKERS).deferred}
    assert deferred == {"tka.xlsx.part", "tka.xlsx.crdownload", ".tka.xlsx.Xa8b9c"}  # until renamed
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db, only=set(companions))


def test_file_over_the_size_limit_is_quarantined(db: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PANTAU_MAX_FILE_BYTES", "2000")
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(PERMITS)
    big = permits_csv([f"Z{i}" for i in range(100)])
    landing.put(f"{PERMITS}/besar.csv", big)
    run_ingest(landing.root, db)
    entry = ledger(db)[f"{PERMITS}/besar.csv"]
    assert (entry["status"], entry["error_code"]) == ("quarantined", "BERKAS_TERLALU_BESAR")
    reason = json.loads((landing.root / (entry["archive_path"] + ".reason.json")).read_text())
    assert set(reason) >= REASON_KEYS
    assert (reason["expected"], reason["found"]) == ("at most 2000 bytes", f"{len(big)} bytes")
    assert reason["sha256"] == sha256(big)
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


def test_same_bytes_under_another_name_are_not_loaded_twice(db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(PERMITS)
    content = permits_csv(["D1", "D2"])
    landing.put(f"{PERMITS}/izin.csv", content)
    landing.put(f"{PERMITS}/kirim_ulang/izin (1).csv", content)  # same run
    outcomes = run_ingest(landing.root, db)
    assert outcomes[f"{PERMITS}/izin.csv"].status == "loaded"
    duplicate = outcomes[f"{PERMITS}/kirim_ulang/izin (1).csv"]
    assert (duplicate.status, duplicate.problem["code"]) == ("duplicate", "BERKAS_DUPLIKAT")
    landing.put(f"{PERMITS}/izin_lagi.csv", content)  # and again in a later run
    outcomes = run_ingest(landing.root, db)
    assert outcomes[f"{PERMITS}/izin_lagi.csv"].status == "duplicate"
    entry = ledger(db)[f"{PERMITS}/izin_lagi.csv"]
    reason = json.loads((landing.root / (entry["archive_path"] + ".reason.json")).read_text())
    assert reason["error_code"] == "BERKAS_DUPLIKAT" and "izin.csv" in reason["message_en"]
    assert len(raw_rows(db, PERMITS, f"{PERMITS}/izin.csv")) == 2
    with psycopg.connect(db) as conn:
        assert conn.execute(f"select count(*) from raw.{PERMITS}").fetchone()[0] == 2 + 3
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


def test_same_name_with_new_bytes_in_a_later_run_keeps_both(db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    first, second = permits_csv(["N1"]), permits_csv(["N2"])
    landing.put(f"{PERMITS}/izin.csv", first)
    run_ingest(landing.root, db)
    landing.put(f"{PERMITS}/izin.csv", second)
    run_ingest(landing.root, db)
    archive = landing.root / "_archive" / PERMITS
    assert (archive / "izin.csv").read_bytes() == first
    assert (archive / f"{sha256(second)[:12]}__izin.csv").read_bytes() == second
    with psycopg.connect(db) as conn:
        keys = conn.execute(f"select no_izin from raw.{PERMITS} order by no_izin").fetchall()
    assert keys == [("N1",), ("N2",)]


def test_symbolic_link_is_quarantined_not_followed(db: str, tmp_path: Path):
    landing = Landing(tmp_path / "landing")
    companions = landing.companions(PERMITS)
    secret = tmp_path / "di_luar_landing.csv"
    secret.write_bytes(permits_csv(["RAHASIA"]))
    link = landing.root / PERMITS / "tautan.csv"
    link.symlink_to(secret)
    os.utime(link, (SETTLED, SETTLED), follow_symlinks=False)
    run_ingest(landing.root, db)
    entry = ledger(db)[f"{PERMITS}/tautan.csv"]
    assert (entry["status"], entry["error_code"]) == ("quarantined", "BUKAN_BERKAS_BIASA")
    stored = landing.root / entry["archive_path"]
    assert stored.is_symlink() and os.readlink(stored) == str(secret)  # the link itself, moved
    assert entry["file_sha256"] == sha256(os.fsencode(str(secret)))
    assert secret.read_bytes() == permits_csv(["RAHASIA"])
    with psycopg.connect(db) as conn:
        assert (
            conn.execute(f"select count(*) from raw.{PERMITS} where no_izin = 'RAHASIA'").fetchone()[0] == 0
        )
    assert_companions_loaded(db, companions)
    assert_originals_kept(landing, db)


# --- unparseable dates: loaded as sent, judged by gate 1 --------------------------------------


@pytest.fixture
def gx_state(tmp_path: Path, monkeypatch) -> Iterator[None]:
    """A private GX project for the gate (the quality tests' way: never the checkout's .pantau)."""
    from pantau.quality import gx_project

    monkeypatch.setattr(config, "STATE_DIR", tmp_path / "state")
    monkeypatch.setenv("PANTAU_OUTPUT_DIR", str(tmp_path / "output"))
    gx_project.reset_caches()
    yield
    gx_project.reset_caches()


@pytest.mark.slow  # runs GX (its import alone takes seconds); the rest of the corpus does not
def test_unparseable_dates_load_and_gate_1_flags_them(db: str, tmp_path: Path, gx_state):
    """Decision: a date the agency wrote in no accepted format is data, not a broken row. It loads
    verbatim (raw is what was sent); gate 1 fails its warning check when some dates are unreadable
    and its blocking check when most are, so the batch is then rejected and never reaches dbt.
    A well-formed but impossible date (31/02/2025) passes gate 1's format check and becomes NULL in
    staging (docs/contracts.md, normalisation rules)."""
    from pantau.quality import validate_raw_batch

    case = next(c for c in CASES if c.kind == "unparseable_dates")
    landing = Landing(tmp_path / "landing")
    landing.put(f"{PERMITS}/sebagian.csv", case.bytes())
    lines = case.bytes().decode().splitlines()
    # D1 and D2 keep well-formed dates; D3 (kemarin), D4 and D5 do not: 3 of 5.
    mostly_bad = [*lines[:3], *(row.replace("01/02/2025", "minggu lalu") for row in lines[3:])]
    landing.put(f"{PERMITS}/sebagian_besar.csv", ("\n".join(mostly_bad) + "\n").encode())
    outcomes = run_ingest(landing.root, db)
    some = outcomes[f"{PERMITS}/sebagian.csv"]
    most = outcomes[f"{PERMITS}/sebagian_besar.csv"]
    assert (some.status, some.rows, some.rejects) == ("loaded", 5, 0)
    assert (most.status, most.rows, most.rejects) == ("loaded", 5, 0)

    some_gate = validate_raw_batch(PERMITS, some.batch_id, dsn=db)
    assert some_gate.accepted
    assert any("tanggal terbit" in w.lower() for w in some_gate.failed_warnings), some_gate.failed_warnings
    most_gate = validate_raw_batch(PERMITS, most.batch_id, dsn=db)
    assert not most_gate.accepted
    assert any("tanggal terbit" in b.lower() for b in most_gate.failed_blocking), most_gate.failed_blocking
    statuses = {entry["source_file"]: entry["status"] for entry in ledger(db).values()}
    assert statuses[f"{PERMITS}/sebagian.csv"] == "accepted"
    assert statuses[f"{PERMITS}/sebagian_besar.csv"] == "rejected"
