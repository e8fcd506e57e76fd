"""The same bytes arriving by e-mail and by SFTP are loaded once (real Dovecot and sshd)."""

from __future__ import annotations

import psycopg
import yaml

from pantau import pipeline, registry
from pantau.ingest.sources.fetch import fetch_feed_sources

from .conftest import DUKCAPIL
from .test_mailbox import SKTT_CSV, mail
from .test_sftp import put_remote


def test_same_file_by_mail_and_by_sftp_loads_once(
    warehouse_db, landing, source_registry, imap_server, sftp_server, monkeypatch, tmp_path
):
    # Dukcapil both e-mails its file and exports it to its server: a second source for the feed.
    data = yaml.safe_load(registry.REGISTRY_PATH.read_text(encoding="utf-8"))
    data["feeds"]["dukcapil_sktt"]["sources"].append(
        {"sftp": {"connection": "sftp_dukcapil", "path": "EXPORT"}}
    )
    path = tmp_path / "feeds-two-channels.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(registry, "REGISTRY_PATH", path)
    registry.feeds.cache_clear()
    monkeypatch.setenv("AIRFLOW_CONN_SFTP_DUKCAPIL", sftp_server.connection_json())

    imap_server.deliver(mail(DUKCAPIL, [("sktt_oktober.csv", SKTT_CSV)]))
    put_remote(sftp_server, "SKTT_202510.csv", SKTT_CSV)
    landed = fetch_feed_sources("dukcapil_sktt")
    assert landed == {
        "imap:imap_tim_poa:INBOX": ["dukcapil_sktt/sktt_oktober.csv"],
        "sftp:sftp_dukcapil:EXPORT": ["dukcapil_sktt/SKTT_202510.csv"],
    }
    outcomes = [
        pipeline.load_batch("dukcapil_sktt", p, landing) for p in pipeline.discover_files("dukcapil_sktt")
    ]
    assert sorted(o["status"] for o in outcomes) == ["duplicate", "loaded"]
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("select count(*) from raw.dukcapil_sktt").fetchone() == (2,)
        rows = conn.execute(
            "select status, error_code, origin_channel from audit.load_ledger order by origin_channel"
        ).fetchall()
    assert sorted(r[:2] for r in rows) == [("loaded", None), ("quarantined", "BERKAS_DUPLIKAT")]
    assert {r[2] for r in rows} == {"imap", "sftp"}, "each ledger row knows its channel"
