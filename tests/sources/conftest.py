"""Fixtures for the source tests: a real SFTP server, a real IMAP server, a real SMTP server, a
warehouse, a landing zone, and a registry that declares remote sources for some feeds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from smtp_outbox import Outbox

from pantau import registry

from .servers import ImapServer, SftpServer, free_port, start_dovecot, start_sshd, stop

# Who may send what to the team mailbox. The Kesbangpol operator forwards files for several
# agencies: the attachment's name tells them apart.
OPERATOR = "operator@kesbangpol.example.go.id"
DUKCAPIL = "data@dukcapil.serangkab.example.go.id"
POLRI = "kanit@intelkam.polda-banten.example.go.id"
FROM_ADDRESS = "pantau@kesbangpol.example.go.id"


def registry_with_sources(tmp_path: Path, *, sftp_settle: float = 0.3) -> Path:
    """The shipped registry plus remote sources: the change a data engineer makes (with the
    connections) to take files from an agency's SFTP server and from the team mailbox."""
    data = yaml.safe_load(registry.REGISTRY_PATH.read_text(encoding="utf-8"))
    feeds = data["feeds"]
    feeds["disnaker_tka"]["sources"] = [
        "landing",
        {
            "sftp": {
                "connection": "sftp_disnaker",
                "path": "EXPORT",
                "pattern": "TKA_*",
                "settle_seconds": sftp_settle,
            }
        },
    ]
    feeds["dukcapil_sktt"]["sources"] = [
        {
            "imap": {
                "connection": "imap_tim_poa",
                "folder": "INBOX",
                "senders": [DUKCAPIL, OPERATOR],
                "filename": "*sktt*",
            }
        }
    ]
    feeds["polri_laporan"]["sources"] = [
        {
            "imap": {
                "connection": "imap_tim_poa",
                "senders": ["*@intelkam.polda-banten.example.go.id", OPERATOR],
                "attachments": ["csv"],
                "filename": "*laporan*",
            }
        }
    ]
    data["contacts"] = {"Disnakertrans": ["data@disnakertrans.example.go.id"]}
    path = tmp_path / "feeds.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def source_registry(tmp_path, monkeypatch) -> dict:
    """Point Pantau at the registry with sources (as PANTAU_FEED_REGISTRY would) for this test."""
    path = registry_with_sources(tmp_path)
    monkeypatch.setattr(registry, "REGISTRY_PATH", path)
    registry.feeds.cache_clear()
    yield registry.feeds()
    registry.feeds.cache_clear()


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("PANTAU_LANDING_DIR", str(folder))
    return folder


@pytest.fixture
def sftp_server(tmp_path_factory, monkeypatch) -> Iterator[SftpServer]:
    server = start_sshd(tmp_path_factory.mktemp("sshd"))
    (server.root / "EXPORT").mkdir()
    monkeypatch.setenv("AIRFLOW_CONN_SFTP_DISNAKER", server.connection_json())
    try:
        yield server
    finally:
        stop(server.process)


@pytest.fixture
def imap_server(monkeypatch) -> Iterator[ImapServer]:
    server = start_dovecot()
    monkeypatch.setenv("AIRFLOW_CONN_IMAP_TIM_POA", server.connection_json())
    try:
        yield server
    finally:
        stop(server.process)
        shutil.rmtree(server.folder, ignore_errors=True)


def smtp_connection(port: int) -> str:
    return (
        f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=5"
        f"&from_email={FROM_ADDRESS.replace('@', '%40')}"
    )


@pytest.fixture
def outbox(monkeypatch) -> Iterator[Outbox]:
    """A real SMTP server on 127.0.0.1 behind AIRFLOW_CONN_SMTP_DEFAULT (as the briefing tests use)."""
    handler = Outbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.connection = smtp_connection(port)
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", handler.connection)
    try:
        yield handler
    finally:
        controller.stop()
