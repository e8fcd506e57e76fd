"""Files from an agency's SFTP server (real OpenSSH sshd) into the landing zone: taken once, with
their origin, never half-written, never while still being written, completed after a crash."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from pantau import config, pipeline
from pantau.ingest.sources.fetch import SourceFetchFailed, fetch_feed_sources
from pantau.ingest.sources.landing import TEMP_ROOT

from .servers import free_port

TKA_CSV = (
    b"no_rptka;nama_perusahaan;no_paspor;kewarganegaraan;lokasi_kerja;tanggal_mulai;tanggal_selesai\n"
    b"RPTKA-3604-001;PT Baja Cilegon;E1234567;RRT;Kota Cilegon;01/03/2025;28/02/2026\n"
    b"RPTKA-3604-002;PT Baja Cilegon;E7654321;Korea Selatan;Kota Cilegon;01/04/2025;31/03/2026\n"
)


def put_remote(server, name: str, data: bytes, *, age: float = 60.0):
    """The agency's system exports a file (and finished writing it `age` seconds ago)."""
    path = server.root / "EXPORT" / name
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def landed_files(landing, feed="disnaker_tka") -> dict[str, bytes]:
    folder = landing / feed
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def scratch_files(landing) -> list:
    root = landing / TEMP_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


def ledger(dsn: str):
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select source_file, status, row_count, origin_channel, origin_source, origin_remote_path, "
            "origin_remote_mtime from audit.load_ledger order by received_at"
        ).fetchall()


def test_the_shipped_registry_reads_the_landing_folder_only(warehouse_db, landing):
    """`make demo` needs no server: no feed has a remote source until one is configured."""
    from pantau.registry import feeds

    assert all(s.kind == "landing" for f in feeds().values() for s in f.sources)
    assert pipeline.fetch_sources("disnaker_tka", landing) == {}


def test_new_file_is_fetched_once_and_loaded_with_its_origin(
    warehouse_db, landing, source_registry, sftp_server
):
    remote = put_remote(sftp_server, "TKA_2025_10.csv", TKA_CSV)
    put_remote(sftp_server, "catatan.txt", b"not for Pantau")  # outside the source's pattern

    assert fetch_feed_sources("disnaker_tka") == {
        "sftp:sftp_disnaker:EXPORT": ["disnaker_tka/TKA_2025_10.csv"]
    }
    assert landed_files(landing) == {"TKA_2025_10.csv": TKA_CSV}
    assert scratch_files(landing) == []
    assert remote.exists(), "the agency's server is never modified"

    # The next run finds nothing new; then the file goes through the loader exactly as before.
    assert fetch_feed_sources("disnaker_tka") == {"sftp:sftp_disnaker:EXPORT": []}
    (path,) = pipeline.discover_files("disnaker_tka", landing)
    outcome = pipeline.load_batch("disnaker_tka", path, landing)
    assert (outcome["status"], outcome["rows"]) == ("loaded", 2)
    ((source_file, status, rows, channel, source, remote_path, mtime),) = ledger(warehouse_db)
    assert (source_file, status, rows, channel) == ("disnaker_tka/TKA_2025_10.csv", "loaded", 2, "sftp")
    assert (source, remote_path) == ("sftp:sftp_disnaker:EXPORT", "EXPORT/TKA_2025_10.csv")
    assert abs(mtime.timestamp() - remote.stat().st_mtime) < 1
    assert fetch_feed_sources("disnaker_tka") == {"sftp:sftp_disnaker:EXPORT": []}, (
        "archived, still not refetched"
    )


def test_a_file_rewritten_later_is_fetched_again(warehouse_db, landing, source_registry, sftp_server):
    put_remote(sftp_server, "TKA_2025_10.csv", TKA_CSV, age=120)
    fetch_feed_sources("disnaker_tka")
    corrected = TKA_CSV.replace(b"E7654321", b"E7654322")
    put_remote(sftp_server, "TKA_2025_10.csv", corrected, age=60)
    landed = fetch_feed_sources("disnaker_tka")["sftp:sftp_disnaker:EXPORT"]
    sha = hashlib.sha256(corrected).hexdigest()
    assert landed == [f"disnaker_tka/{sha[:12]}__TKA_2025_10.csv"], (
        "the first is still waiting: a second name"
    )
    assert sorted(landed_files(landing).values()) == sorted([TKA_CSV, corrected])


def test_a_file_still_being_written_is_not_taken(warehouse_db, landing, source_registry, sftp_server):
    path = sftp_server.root / "EXPORT" / "TKA_growing.csv"
    path.write_bytes(TKA_CSV[:40])
    stop = threading.Event()

    def agency_system_writing():
        with path.open("ab") as out:
            for byte in TKA_CSV[40:]:
                if stop.is_set():
                    return
                out.write(bytes([byte]))
                out.flush()
                time.sleep(0.01)

    writer = threading.Thread(target=agency_system_writing)
    writer.start()
    try:
        assert fetch_feed_sources("disnaker_tka") == {"sftp:sftp_disnaker:EXPORT": []}
        assert landed_files(landing) == {}
    finally:
        writer.join()
    assert path.read_bytes() == TKA_CSV
    assert fetch_feed_sources("disnaker_tka")["sftp:sftp_disnaker:EXPORT"] == ["disnaker_tka/TKA_growing.csv"]
    assert landed_files(landing) == {"TKA_growing.csv": TKA_CSV}


class CuttingProxy:
    """A TCP relay to the SFTP server that drops the connection after `limit` bytes came back:
    the network failing half-way through a download."""

    def __init__(self, target_port: int, limit: int):
        self.target_port, self.limit = target_port, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target_port))

        def pump(src, dst, limit):
            sent = 0
            try:
                while data := src.recv(16384):
                    dst.sendall(data)
                    sent += len(data)
                    if limit and sent >= limit:
                        break
            except OSError:
                pass
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

        threading.Thread(target=pump, args=(client, server, None), daemon=True).start()
        pump(server, client, self.limit)

    def close(self):
        self.listener.close()


def test_connection_dropped_half_way_leaves_nothing_and_the_next_run_completes(
    warehouse_db, landing, source_registry, sftp_server, monkeypatch
):
    big = TKA_CSV + b"".join(
        f"RPTKA-3604-{n:05d};PT Baja Cilegon;E{n:07d};RRT;Kota Cilegon;01/03/2025;28/02/2026\n".encode()
        for n in range(3, 60000)
    )
    put_remote(sftp_server, "TKA_besar.csv", big)
    proxy = CuttingProxy(sftp_server.port, limit=len(big) // 3)
    monkeypatch.setenv("AIRFLOW_CONN_SFTP_DISNAKER", sftp_server.connection_json(port=proxy.port))
    with pytest.raises(SourceFetchFailed, match="sftp:sftp_disnaker:EXPORT"):
        fetch_feed_sources("disnaker_tka")
    proxy.close()
    assert landed_files(landing) == {}
    assert scratch_files(landing) == []
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("select count(*) from audit.source_fetches").fetchone()[0] == 0

    monkeypatch.setenv("AIRFLOW_CONN_SFTP_DISNAKER", sftp_server.connection_json())
    assert fetch_feed_sources("disnaker_tka")["sftp:sftp_disnaker:EXPORT"] == ["disnaker_tka/TKA_besar.csv"]
    assert landed_files(landing) == {"TKA_besar.csv": big}


def test_a_fetch_killed_half_way_is_completed_by_the_next_run(
    warehouse_db, landing, source_registry, sftp_server, tmp_path
):
    put_remote(sftp_server, "TKA_2025_10.csv", TKA_CSV * 200)
    env = {
        **os.environ,
        "PANTAU_FEED_REGISTRY": str(tmp_path / "feeds.yml"),
        "PANTAU_FAULT_POINT": "sftp_mid_download",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pantau.ingest.sources.fetch import fetch_feed_sources as f; f('disnaker_tka')",
        ],
        env=env,
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == -9, done.stderr  # SIGKILL, like a worker killed mid-download
    assert landed_files(landing) == {}
    assert len(scratch_files(landing)) == 1, "the half-written temporary file, outside the feed folder"

    assert fetch_feed_sources("disnaker_tka")["sftp:sftp_disnaker:EXPORT"] == ["disnaker_tka/TKA_2025_10.csv"]
    assert landed_files(landing) == {"TKA_2025_10.csv": TKA_CSV * 200}
    assert scratch_files(landing) == []


def test_a_server_with_another_host_key_is_refused(
    warehouse_db, landing, source_registry, sftp_server, monkeypatch
):
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINxSyqK1DN0d8d9h7ApC7DkzFhmKMg9BcTjlExT9EvAl"
    monkeypatch.setenv("AIRFLOW_CONN_SFTP_DISNAKER", sftp_server.connection_json(host_key=other))
    put_remote(sftp_server, "TKA_2025_10.csv", TKA_CSV)
    with pytest.raises(SourceFetchFailed, match="host key"):
        fetch_feed_sources("disnaker_tka")
    assert landed_files(landing) == {}


def test_a_missing_connection_says_which_variable_to_set(warehouse_db, landing, source_registry, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_SFTP_DISNAKER", raising=False)
    with pytest.raises(SourceFetchFailed, match="AIRFLOW_CONN_SFTP_DISNAKER"):
        fetch_feed_sources("disnaker_tka")


def test_a_down_server_is_reported_by_name(warehouse_db, landing, source_registry, monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_SFTP_DISNAKER",
        json.dumps({"conn_type": "sftp", "host": "127.0.0.1", "port": free_port(), "login": "x"}),
    )
    with pytest.raises(SourceFetchFailed, match="unreachable"):
        pipeline.fetch_sources("disnaker_tka", landing)
