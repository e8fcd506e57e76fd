"""`pantau status`: a clear error without a warehouse; the feed list on an empty one."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from pantau import config

PANTAU = [sys.executable, "-m", "pantau.cli", "status"]


def run(dsn: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANTAU_WAREHOUSE_DSN": dsn}
    return subprocess.run(PANTAU, env=env, capture_output=True, text=True, cwd=config.PROJECT_ROOT)


def test_status_without_a_warehouse_says_what_to_set():
    done = run(config.with_database(config.warehouse_dsn(), "pantau_does_not_exist"))
    assert done.returncode == 2
    assert "PANTAU_WAREHOUSE_DSN" in done.stderr and "pantau_does_not_exist" in done.stderr


def test_status_on_an_empty_warehouse_lists_every_feed(warehouse_db):
    done = run(warehouse_db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("no file received") == 7
    assert "[tidak ada] no file received" in done.stdout  # a scheduled feed with nothing is missing


def test_status_names_a_rejected_file_and_the_checks_it_failed(warehouse_db, tmp_path):
    """A real load and a real gate-1 run: the file with unknown permit types is rejected, and
    `pantau status` names it with every blocking check it failed (as the suite describes them)."""
    from pantau.ingest.loader import load_file
    from pantau.quality import validate_raw_batch
    from pantau.registry import feed

    landing = tmp_path / "landing"
    folder = landing / "imigrasi_izin_tinggal"
    folder.mkdir(parents=True)
    bad = folder / "izin_tinggal_rusak.csv"
    bad.write_text(
        "no_izin;jenis_izin;kewarganegaraan;no_paspor;tanggal_terbit;tanggal_berakhir;kabupaten_kota\n"
        + "".join(f"BAD-{i};VISA-XYZ;Jepang;TZ{i:07d};01/09/2025;01/09/2026;Cilegon\n" for i in range(5)),
        encoding="utf-8",
    )
    outcome = load_file(feed("imigrasi_izin_tinggal"), bad, landing=landing, dsn=warehouse_db)
    assert not validate_raw_batch("imigrasi_izin_tinggal", outcome.batch_id, dsn=warehouse_db).accepted
    with psycopg.connect(warehouse_db) as conn:
        failed = conn.execute(
            "select expectation_config ->> 'description', expectation_config ->> 'column' "
            "from audit.dq_results where batch_id = %s and not success and severity = 'blocking'",
            (outcome.batch_id,),
        ).fetchall()
    assert any(column == "jenis_izin" for _, column in failed), failed

    done = run(warehouse_db)
    assert done.returncode == 0, done.stderr
    assert "rejected    imigrasi_izin_tinggal/izin_tinggal_rusak.csv" in done.stdout
    section = done.stdout.split("Rejected files and the checks they failed:")[1]
    for description, column in failed:
        assert f"imigrasi_izin_tinggal/izin_tinggal_rusak.csv: {description} [{column}]" in section
