"""Exactly-once loading: a loader process killed at any point leaves the warehouse as if it never
started or as if it finished, and the next run completes the work without loading twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from pantau.ingest.loader import load_file
from pantau.registry import feed

PERMITS = feed("imigrasi_izin_tinggal")
CONTENT = "No Izin;Jenis Izin;Kewarganegaraan;No. Paspor;Tgl Terbit;Tgl Berakhir;Kab/Kota\n" + "".join(
    f"P{i};ITAS;Jepang;TZ{i:07d};01/02/2025;01/02/2026;Kota Cilegon\n" for i in range(500)
)
LOADER = (
    "import sys; from pathlib import Path; from pantau.ingest.loader import load_file;"
    "from pantau.registry import feed;"
    "load_file(feed('imigrasi_izin_tinggal'), Path(sys.argv[1]), landing=Path(sys.argv[2]), dsn=sys.argv[3])"
)


def state(dsn: str) -> tuple:
    with psycopg.connect(dsn) as conn:
        return (
            conn.execute("select count(*) from raw.imigrasi_izin_tinggal").fetchone()[0],
            conn.execute(
                "select batch_id, status, row_count, archive_path is not null from audit.load_ledger"
            ).fetchall(),
        )


def landed(tmp_path: Path) -> tuple[Path, Path]:
    landing = tmp_path / "landing"
    path = landing / "imigrasi_izin_tinggal" / "izin.csv"
    path.parent.mkdir(parents=True)
    path.write_text(CONTENT, encoding="utf-8")
    return landing, path


def kill_loader_at(point: str, path: Path, landing: Path, dsn: str) -> None:
    env = {**os.environ, "PANTAU_FAULT_POINT": point}
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, str(path), str(landing), dsn], env=env, capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]


@pytest.mark.parametrize("point", ["before_copy", "after_copy"])
def test_killed_before_commit_leaves_nothing_and_next_run_loads(warehouse_db, tmp_path, point):
    landing, path = landed(tmp_path)
    before = state(warehouse_db)
    kill_loader_at(point, path, landing, warehouse_db)
    assert state(warehouse_db) == before  # as if it never started
    assert path.exists()
    outcome = load_file(PERMITS, path, landing=landing, dsn=warehouse_db)
    assert outcome.status == "loaded" and outcome.rows == 500
    rows, ledger = state(warehouse_db)
    assert rows == 500 and [(s, n, a) for _, s, n, a in ledger] == [("loaded", 500, True)]


def test_killed_after_commit_before_archive_is_finished_not_reloaded(warehouse_db, tmp_path):
    landing, path = landed(tmp_path)
    kill_loader_at("after_commit", path, landing, warehouse_db)
    rows, ledger = state(warehouse_db)
    assert rows == 500 and [(s, a) for _, s, _, a in ledger] == [("loaded", False)]  # as if it finished
    assert path.exists()
    outcome = load_file(PERMITS, path, landing=landing, dsn=warehouse_db)
    assert outcome.status == "recovered"
    rows, ledger = state(warehouse_db)
    assert rows == 500 and [(s, a) for _, s, _, a in ledger] == [("loaded", True)]
    archived = landing / "_archive" / "imigrasi_izin_tinggal" / "izin.csv"
    assert archived.read_text(encoding="utf-8") == CONTENT and not path.exists()


def test_same_bytes_in_another_drop_are_quarantined_as_duplicate(warehouse_db, tmp_path):
    landing, path = landed(tmp_path)
    load_file(PERMITS, path, landing=landing, dsn=warehouse_db)
    again = landing / "imigrasi_izin_tinggal" / "oktober" / "salinan.csv"
    again.parent.mkdir()
    again.write_text(CONTENT, encoding="utf-8")
    outcome = load_file(PERMITS, again, landing=landing, dsn=warehouse_db)
    assert outcome.status == "duplicate" and outcome.problem["code"] == "BERKAS_DUPLIKAT"
    rows, _ = state(warehouse_db)
    assert rows == 500
    quarantined = landing / "_quarantine" / "imigrasi_izin_tinggal" / "salinan.csv"
    assert quarantined.read_bytes() == CONTENT.encode()
    assert quarantined.with_name("salinan.csv.reason.json").exists()


def test_batch_archived_but_never_validated_is_validated_by_the_next_run(warehouse_db, tmp_path):
    """A worker that dies between the load task and the gate leaves a `loaded` batch whose file is
    already archived: the next run's leftover sweep gates it."""
    from pantau import pipeline

    landing, path = landed(tmp_path)
    outcome = load_file(PERMITS, path, landing=landing, dsn=warehouse_db)
    assert state(warehouse_db)[1][0][1] == "loaded" and not path.exists()
    verdicts = pipeline.validate_leftover_batches("imigrasi_izin_tinggal")
    assert [(v["batch_id"], v["accepted"]) for v in verdicts] == [(outcome.batch_id, True)]
    assert state(warehouse_db)[1][0][1] == "accepted"
    assert pipeline.validate_leftover_batches("imigrasi_izin_tinggal") == []


def test_recovered_batch_goes_through_the_gate(warehouse_db, tmp_path):
    from pantau import pipeline

    landing, path = landed(tmp_path)
    kill_loader_at("after_commit", path, landing, warehouse_db)
    outcome = load_file(PERMITS, path, landing=landing, dsn=warehouse_db)
    assert outcome.status == "recovered"
    assert pipeline.validate_raw(outcome.as_dict())["accepted"] is True
    assert state(warehouse_db)[1][0][1] == "accepted"
