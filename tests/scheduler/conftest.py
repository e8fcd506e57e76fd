"""A running `pantau serve` for the scheduler tests: own metadata and warehouse databases, free
ports, a temporary landing zone and meeting calendar; stopped (every process) at the end.

`served` runs it in the test's process (pantau.serve.Serve, any executor); `cli_served` as a data
engineer starts it: the `pantau serve` command line, stopped with Ctrl-C."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from pantau import config, serve
from pantau.calendar import COLUMNS, DEFAULT_CALENDAR_PATH
from pantau.registry import feeds
from pantau_dev.generate import generate

PROVINCE = "36"
PAST_MEETING = ("36", "2025-10-30")  # in the seed calendar: the manual briefing's form asks for it
DAG_IDS = [
    *(f"pantau_ingest__{f}" for f in feeds()),
    "pantau_warehouse",
    "pantau_briefing",
    "pantau_housekeeping",
]


# A shared library that each import the executors preload (pantau.orchestration.executors) maps
# into a process: /proc/<pid>/maps shows it, where pure-Python modules leave no trace.
PRELOAD_MARKERS = {
    "great_expectations": "/scipy",
    "dbt.cli.main": "/dbt_extractor",
    "weasyprint": "/libpango",
}


def preloaded(pid: int) -> set[str]:
    """Which of the executors' preloads the process holds (none once it has exited)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return set()
    return {module for module, marker in PRELOAD_MARKERS.items() if marker in maps}


def processes_titled(roots: list[int], title: str) -> list[int]:
    """`roots` and their live descendants whose command line (or process title) holds `title`."""
    found = []
    for pid, _ in serve.descendants(roots):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if title in command:
            found.append(pid)
    return found


def query(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def wait_for(what: str, check: Callable[[], object], timeout: float, every: float = 2.0):
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def write_calendar(path: Path, extra: list[dict] | None = None) -> None:
    """The seed's Banten meeting of 2025-10-30 plus `extra` meetings."""
    with DEFAULT_CALENDAR_PATH.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if (r["region_code"], r["meeting_date"]) == PAST_MEETING]
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows([*rows, *(extra or [])])
    tmp.replace(path)


def meeting_due_in(seconds: int, lead_days: int = 0) -> dict:
    """A Banten meeting `lead_days` after its briefing, which falls due at the first whole minute
    `seconds` from now (negative: a briefing already overdue)."""
    zone = ZoneInfo("Asia/Jakarta")
    due = (datetime.now(zone) + timedelta(seconds=seconds + 59)).replace(second=0, microsecond=0)
    starts = due + timedelta(days=lead_days)
    return {
        "meeting_id": f"uji-{starts:%Y%m%d-%H%M}",
        "region_code": PROVINCE,
        "level": "provinsi",
        "meeting_date": starts.date().isoformat(),
        "meeting_time": starts.strftime("%H:%M"),
        "timezone": "Asia/Jakarta",
        "lead_days": str(lead_days),
        "title": "Rakor uji penjadwal",
        "venue": "Ruang uji",
        "recipients": "",
    }


# Small data: a gate-1 run costs tens of seconds on a busy two-core machine. Permits give the
# briefing its headline; police and community reports are small.
SAMPLE_FEEDS = ("imigrasi_izin_tinggal", "polri_laporan", "masyarakat_laporan")


def sample_files(root: Path, feeds: tuple[str, ...] = SAMPLE_FEEDS) -> list[Path]:
    """The newest generated file of each of `feeds` (in a staging folder beside the landing zone)."""
    staging = root / "generated"
    generate(PROVINCE, staging, seed=11, scale=0.05, truth=root / "truth.json")
    picked = []
    for folder in sorted(p for p in staging.iterdir() if p.is_dir() and p.name in feeds):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if files:
            picked.append(files[-1].relative_to(staging))
    return [staging / p for p in picked]


def bad_permit_file(folder: Path) -> Path:
    """Plausible permits with an unknown permit type: loads, then fails a blocking gate-1 check."""
    header = "no_izin;jenis_izin;kewarganegaraan;no_paspor;tanggal_terbit;tanggal_berakhir;kabupaten_kota\n"
    rows = "".join(
        f"BAD-{i};VISA-XYZ;Jepang;TZ{i:07d};01/09/2025;01/09/2026;Kota Cilegon\n" for i in range(5)
    )
    path = folder / "imigrasi_izin_tinggal" / "izin_tinggal_rusak.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + rows, encoding="utf-8")
    return path


def drop_into_landing(files: list[Path], staging: Path, landing: Path) -> list[str]:
    """Move complete files into the landing zone the way an upload ends: one rename each."""
    names = []
    for path in files:
        relative = path.relative_to(staging)
        target = landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        names.append(str(relative))
    return names


@pytest.fixture
def serve_options() -> dict:
    """ServeSettings a test module overrides (executor, workers, ...); LocalExecutor by default."""
    return {}


@pytest.fixture
def served(tmp_path, make_database, monkeypatch, serve_options) -> Iterator[dict]:
    """A running `pantau serve`; at the end it is stopped and no process it started may remain."""
    yield from _served(tmp_path, make_database, monkeypatch, serve_options)


def _deployment_env(tmp_path: Path, dsn: str) -> dict[str, str]:
    """Pantau's settings for a served test deployment, its landing zone and calendar made."""
    landing = tmp_path / "landing"
    landing.mkdir()
    calendar = tmp_path / "meeting_calendar.csv"
    write_calendar(calendar)
    return {
        "PANTAU_WAREHOUSE_DSN": dsn,
        "PANTAU_LANDING_DIR": str(landing),
        "PANTAU_OUTPUT_DIR": str(tmp_path / "output"),
        "PANTAU_SETTLE_SECONDS": "1",
        # Under the real scheduler the warehouse waits for a quiet landing zone, as deployed (the
        # one-shot runs elsewhere in the suite set 0: they run every ingest DAG before it).
        "PANTAU_QUIET_MAX_SECONDS": "600",
        "PANTAU_MEETING_CALENDAR": str(calendar),
        "PANTAU_UI_PASSWORD": uuid.uuid4().hex,
    }


def _served(tmp_path, make_database, monkeypatch, options: dict) -> Iterator[dict]:
    dsn = make_database()
    env = _deployment_env(tmp_path, dsn)
    landing, output, calendar = (
        Path(env[k]) for k in ("PANTAU_LANDING_DIR", "PANTAU_OUTPUT_DIR", "PANTAU_MEETING_CALENDAR")
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config.warehouse_dsn.cache_clear()
    metadata = f"pantau_test_af_{uuid.uuid4().hex[:10]}"
    settings = serve.ServeSettings(
        home=tmp_path / "serve",
        port=0,
        warehouse_dsn=dsn,
        metadata_database=metadata,
        login_prefix=f"pantau_t{uuid.uuid4().hex[:8]}",
        fast=True,
        **options,
    )
    server = serve.Serve(settings)
    started: set = set()
    try:
        server.start()
        server.wait_ready(timeout=300)
        client = serve.AirflowClient(settings.base_url, os.environ["PANTAU_UI_PASSWORD"])
        yield {
            "server": server,
            "client": client,
            "dsn": dsn,
            "landing": landing,
            "output": output,
            "calendar": calendar,
            "root": tmp_path,
        }
    finally:
        started |= server.processes()
        server.stop()
        config.warehouse_dsn.cache_clear()
        serve.drop_deployment(settings)
    # Stopping ends every process that was started, task runners in their own groups included.
    left = serve.still_running(started)
    assert not left, f"processes left running after stop: {sorted(pid for pid, _ in left)}"


@pytest.fixture
def cli_served(tmp_path, make_database) -> Iterator[dict]:
    """`pantau serve --port P` as a subprocess (its own state, databases and logins), once every
    Pantau DAG is parsed and it has printed where the UI is. The test may stop it with Ctrl-C
    (SIGINT); whatever is still running at the end is stopped so, and must all be gone."""
    dsn = make_database()
    port = serve.free_port()
    suffix = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        **_deployment_env(tmp_path, dsn),
        **serve.FAST_INTERVALS,
        "PANTAU_HOME": str(tmp_path / "state"),
        "PANTAU_AIRFLOW_DATABASE": f"pantau_test_af_{suffix}",
        "PANTAU_SERVICE_LOGIN_PREFIX": f"pantau_t{suffix}",
    }
    log = tmp_path / "serve.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("pantau")), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches it as it would from a terminal: SIGINT to it
        )
    base = f"http://127.0.0.1:{port}"
    password = env["PANTAU_UI_PASSWORD"]
    started: set = set()
    try:

        def healthy():
            assert process.poll() is None, log.read_text()
            try:
                client = serve.AirflowClient(base, password)
                dags = client.get("/api/v2/dags?tags=pantau&limit=100")["dags"]
            except OSError:
                return None
            return client if len(dags) == len(DAG_IDS) else None

        client = wait_for("pantau serve to come up with every DAG parsed", healthy, timeout=600, every=3)
        wait_for(
            "pantau serve to print where the UI is", lambda: f"Airflow UI: {base}" in log.read_text(), 300
        )
        started = serve.descendants([process.pid])
        yield {
            "process": process,
            "log": log,
            "base": base,
            "password": password,
            "client": client,
            "dsn": dsn,
            "landing": Path(env["PANTAU_LANDING_DIR"]),
            "output": Path(env["PANTAU_OUTPUT_DIR"]),
            "calendar": Path(env["PANTAU_MEETING_CALENDAR"]),
            "root": tmp_path,
        }
    finally:
        if process.poll() is None:
            started |= serve.descendants([process.pid])
            process.send_signal(signal.SIGINT)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        serve.drop_deployment(
            serve.ServeSettings(
                warehouse_dsn=dsn,
                metadata_database=env["PANTAU_AIRFLOW_DATABASE"],
                login_prefix=env["PANTAU_SERVICE_LOGIN_PREFIX"],
            )
        )
    left = serve.still_running(started)
    assert not left, f"processes left running after Ctrl-C: {sorted(pid for pid, _ in left)}"
