"""Attachments from the team mailbox (real Dovecot IMAP server) into the landing zone: routed to
their feed by sender and name, flagged on the server only once landed, and whatever cannot be
routed quarantined with a reason."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from email.utils import make_msgid

import psycopg
import pytest

from pantau import config, pipeline
from pantau.ingest.sources.fetch import fetch_feed_sources

from .conftest import DUKCAPIL, OPERATOR, POLRI

SOURCE = "imap:imap_tim_poa:INBOX"

SKTT_CSV = (
    b"no_sktt,nama,no_paspor,kewarganegaraan,no_izin_tinggal,kabupaten_kota,tanggal_terbit,berlaku_sampai\r\n"
    b"SKTT-3604-2025-00001,Penduduk Satu,E4410001,JEPANG,2C11AB1001,Kab. Serang,10/02/2025,01/02/2026\r\n"
    b"SKTT-3604-2025-00002,Penduduk Dua,E4410002,RRT,2C11AB1002,Kota Cilegon,11/02/2025,01/02/2026\r\n"
)
POLRI_CSV = (
    b"no_laporan,tanggal,jenis,kabupaten_kota,no_paspor,kewarganegaraan,uraian\r\n"
    b"LP/STM/101/X/2025,21/10/2025,STM,Kota Serang,E4410001,JEPANG,Pendaftaran tinggal sementara\r\n"
)


def mail(sender: str, attachments: list[tuple[str, bytes]] = (), *, subject="Data bulan Oktober") -> bytes:
    message = EmailMessage()
    message["From"] = f"Petugas <{sender}>"
    message["To"] = "timpoa@kesbangpol.example.go.id"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="agency.example")
    message["Date"] = "Tue, 21 Oct 2025 09:15:00 +0700"
    message.set_content("Terlampir data bulan ini.")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def files_in(folder) -> dict[str, bytes]:
    return (
        {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} if folder.is_dir() else {}
    )


def reasons(landing) -> dict[str, dict]:
    folder = landing / "_quarantine"
    return {
        p.name.removesuffix(".reason.json"): json.loads(p.read_text(encoding="utf-8"))
        for p in folder.rglob("*.reason.json")
    }


def flags(imap_server) -> list[str]:
    return [line.decode() if isinstance(line, bytes) else str(line) for line in imap_server.keywords()]


def fetches(dsn: str):
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select feed, landed_file, sender, remote_path, status "
            "from audit.source_fetches order by fetch_id"
        ).fetchall()


def test_one_message_two_attachments_for_two_feeds(warehouse_db, landing, source_registry, imap_server):
    imap_server.deliver(
        mail(OPERATOR, [("sktt_oktober.csv", SKTT_CSV), ("laporan_polri_m43.csv", POLRI_CSV)])
    )
    landed = fetch_feed_sources("dukcapil_sktt")[SOURCE]
    assert sorted(landed) == ["dukcapil_sktt/sktt_oktober.csv", "polri_laporan/laporan_polri_m43.csv"]
    assert files_in(landing / "dukcapil_sktt") == {"sktt_oktober.csv": SKTT_CSV}
    assert files_in(landing / "polri_laporan") == {"laporan_polri_m43.csv": POLRI_CSV}
    (flagged,) = flags(imap_server)
    assert "$PantauFetched" in flagged and "\\Seen" not in flagged, "taken, still unread for the team"

    # Another feed's run (same mailbox) finds nothing new; each feed then loads its own file.
    assert fetch_feed_sources("polri_laporan") == {SOURCE: []}
    for feed in ("dukcapil_sktt", "polri_laporan"):
        (path,) = pipeline.discover_files(feed, landing)
        assert pipeline.load_batch(feed, path, landing)["status"] == "loaded"
    with psycopg.connect(warehouse_db) as conn:
        rows = conn.execute(
            "select feed, row_count, origin_channel, origin_sender, origin_message_id is not null, "
            "origin_remote_path, origin_remote_mtime from audit.load_ledger order by feed"
        ).fetchall()
    assert [r[:6] for r in rows] == [
        ("dukcapil_sktt", 2, "imap", OPERATOR, True, "sktt_oktober.csv"),
        ("polri_laporan", 1, "imap", OPERATOR, True, "laporan_polri_m43.csv"),
    ]
    assert rows[0][6].isoformat() == "2025-10-21T02:15:00+00:00", "the message's Date, in UTC"


def test_zip_attachment_is_opened_and_each_member_routed(warehouse_db, landing, source_registry, imap_server):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("oktober/sktt_oktober.csv", SKTT_CSV)
        archive.writestr("oktober/foto_kantor.jpg", b"\xff\xd8\xff not data")
    imap_server.deliver(mail(DUKCAPIL, [("kiriman.zip", buffer.getvalue())]))
    landed = fetch_feed_sources("dukcapil_sktt")[SOURCE]
    assert sorted(landed) == ["_surel/foto_kantor.jpg", "dukcapil_sktt/sktt_oktober.csv"]
    assert files_in(landing / "dukcapil_sktt") == {"sktt_oktober.csv": SKTT_CSV}
    reason = reasons(landing)["foto_kantor.jpg"]
    assert reason["error_code"] == "LAMPIRAN_TIDAK_DIHARAPKAN"
    assert "kiriman.zip/oktober/foto_kantor.jpg" in reason["message_en"]
    assert "dukcapil_sktt: csv named *sktt*" in reason["expected"]


def test_message_without_attachment_is_quarantined_not_dropped(
    warehouse_db, landing, source_registry, imap_server
):
    imap_server.deliver(mail(DUKCAPIL, [], subject="Lupa lampiran"))
    (landed,) = fetch_feed_sources("dukcapil_sktt")[SOURCE]
    assert landed.startswith("_surel/pesan_") and landed.endswith(".eml")
    (reason,) = reasons(landing).values()
    assert reason["error_code"] == "TANPA_LAMPIRAN"
    (stored,) = (landing / "_quarantine" / "_surel").glob("*.eml")
    assert b"Lupa lampiran" in stored.read_bytes(), "the whole message is kept"
    with psycopg.connect(warehouse_db) as conn:
        row = conn.execute(
            "select status, error_code, origin_channel, origin_sender from audit.load_ledger"
        ).fetchone()
    assert row == ("quarantined", "TANPA_LAMPIRAN", "imap", DUKCAPIL)
    assert "$PantauFetched" in flags(imap_server)[0]


def test_unknown_sender_and_unexpected_attachments_are_quarantined_with_a_reason(
    warehouse_db, landing, source_registry, imap_server
):
    imap_server.deliver(mail("someone@gmail.example", [("sktt_oktober.csv", SKTT_CSV)]))
    imap_server.deliver(
        mail(POLRI, [("laporan_polri.xlsx", b"PK\x03\x04 not csv"), ("sktt_oktober.csv", SKTT_CSV)])
    )
    fetch_feed_sources("dukcapil_sktt")
    assert files_in(landing / "dukcapil_sktt") == {} and files_in(landing / "polri_laporan") == {}
    codes = {name: r["error_code"] for name, r in reasons(landing).items()}
    assert sorted(codes.values()) == [
        "LAMPIRAN_TIDAK_DIHARAPKAN",
        "LAMPIRAN_TIDAK_DIHARAPKAN",
        "PENGIRIM_TIDAK_DIKENAL",
    ]
    assert codes["laporan_polri.xlsx"] == "LAMPIRAN_TIDAK_DIHARAPKAN"  # Polri sends CSV only
    assert all("$PantauFetched" in f for f in flags(imap_server))


def test_oversized_attachment_is_quarantined_by_the_loader_rule(
    warehouse_db, landing, source_registry, imap_server, monkeypatch
):
    monkeypatch.setenv("PANTAU_MAX_FILE_BYTES", "1000")
    big = SKTT_CSV + SKTT_CSV.splitlines(keepends=True)[1] * 20
    imap_server.deliver(mail(DUKCAPIL, [("sktt_besar.csv", big)]))
    fetch_feed_sources("dukcapil_sktt")
    (path,) = pipeline.discover_files("dukcapil_sktt", landing)
    outcome = pipeline.load_batch("dukcapil_sktt", path, landing)
    assert outcome["status"] == "quarantined" and outcome["problem"]["code"] == "BERKAS_TERLALU_BESAR"
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("select origin_sender from audit.load_ledger").fetchone() == (DUKCAPIL,)


def test_the_same_file_sent_twice_loads_once(warehouse_db, landing, source_registry, imap_server):
    imap_server.deliver(mail(DUKCAPIL, [("sktt_oktober.csv", SKTT_CSV)]))
    imap_server.deliver(mail(DUKCAPIL, [("sktt_oktober.csv", SKTT_CSV)], subject="Kirim ulang"))
    assert len(fetch_feed_sources("dukcapil_sktt")[SOURCE]) == 2
    outcomes = [
        pipeline.load_batch("dukcapil_sktt", p, landing)
        for p in pipeline.discover_files("dukcapil_sktt", landing)
    ]
    assert sorted(o["status"] for o in outcomes) == ["duplicate", "loaded"]
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("select count(*) from raw.dukcapil_sktt").fetchone() == (2,)


def test_a_run_killed_before_flagging_is_completed_without_landing_twice(
    warehouse_db, landing, source_registry, imap_server, tmp_path
):
    imap_server.deliver(
        mail(OPERATOR, [("sktt_oktober.csv", SKTT_CSV), ("laporan_polri_m43.csv", POLRI_CSV)])
    )
    env = {
        **os.environ,
        "PANTAU_FEED_REGISTRY": str(tmp_path / "feeds.yml"),
        "PANTAU_FAULT_POINT": "imap_before_flag",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pantau.ingest.sources.fetch import fetch_feed_sources as f; f('dukcapil_sktt')",
        ],
        env=env,
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == -9, done.stderr
    assert "$PantauFetched" not in flags(imap_server)[0], "not flagged: the run died first"
    assert files_in(landing / "dukcapil_sktt") == {"sktt_oktober.csv": SKTT_CSV}
    # Meanwhile the first file is loaded and archived; the rerun must not land it again.
    (path,) = pipeline.discover_files("dukcapil_sktt", landing)
    pipeline.load_batch("dukcapil_sktt", path, landing)

    assert fetch_feed_sources("dukcapil_sktt") == {SOURCE: []}
    assert "$PantauFetched" in flags(imap_server)[0]
    assert files_in(landing / "dukcapil_sktt") == {}
    assert files_in(landing / "polri_laporan") == {"laporan_polri_m43.csv": POLRI_CSV}
    assert [r[1] for r in fetches(warehouse_db)] == [
        "dukcapil_sktt/sktt_oktober.csv",
        "polri_laporan/laporan_polri_m43.csv",
    ]


def test_connection_dropped_mid_message_takes_nothing_and_the_next_run_does(
    warehouse_db, landing, source_registry, imap_server, monkeypatch
):
    from pantau.ingest.sources.fetch import SourceFetchFailed

    from .test_sftp import CuttingProxy

    big = SKTT_CSV + SKTT_CSV.splitlines(keepends=True)[1] * 20000
    imap_server.deliver(mail(DUKCAPIL, [("sktt_besar.csv", big)]))
    proxy = CuttingProxy(imap_server.port, limit=len(big) // 4)
    monkeypatch.setenv("AIRFLOW_CONN_IMAP_TIM_POA", imap_server.connection_json(port=proxy.port))
    with pytest.raises(SourceFetchFailed, match=SOURCE):
        fetch_feed_sources("dukcapil_sktt")
    proxy.close()
    assert files_in(landing / "dukcapil_sktt") == {}
    assert "$PantauFetched" not in flags(imap_server)[0]
    assert fetches(warehouse_db) == []

    monkeypatch.setenv("AIRFLOW_CONN_IMAP_TIM_POA", imap_server.connection_json())
    assert fetch_feed_sources("dukcapil_sktt") == {SOURCE: ["dukcapil_sktt/sktt_besar.csv"]}
    assert files_in(landing / "dukcapil_sktt") == {"sktt_besar.csv": big}
    assert "$PantauFetched" in flags(imap_server)[0]
