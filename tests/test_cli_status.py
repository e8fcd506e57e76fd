"""`pantau status`: a clear error without a warehouse; the feed list on an empty one."""

from __future__ import annotations

import os
import subprocess
import sys

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
