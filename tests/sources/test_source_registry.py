"""Sources in the registry: parsed, defaulted, and refused with a message that says what to fix."""

from __future__ import annotations

import pytest
import yaml

from pantau.registry import LANDING, REGISTRY_PATH, Source, load_registry

from .conftest import OPERATOR, registry_with_sources


def test_sources_and_contacts_are_read_from_the_registry(tmp_path):
    feeds = load_registry(registry_with_sources(tmp_path))
    assert feeds["disnaker_tka"].sources == (
        LANDING,
        Source("sftp", connection="sftp_disnaker", path="EXPORT", pattern="TKA_*", settle_seconds=0.3),
    )
    assert feeds["disnaker_tka"].contacts == ("data@disnakertrans.example.go.id",)
    # The landing folder is always read, even when only a mailbox is declared.
    (landing, mailbox) = feeds["polri_laporan"].sources
    assert landing == LANDING
    assert mailbox.key == "imap:imap_tim_poa:INBOX" == feeds["dukcapil_sktt"].sources[1].key
    assert mailbox.attachments == ("csv",) and OPERATOR in mailbox.senders
    assert feeds["imigrasi_apoa"].sources == (LANDING,)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"ftp": {"connection": "x"}}, "is not `landing`, `sftp: {...}` or `imap: {...}`"),
        ({"sftp": {"connection": "x"}}, "missing keys ['path']"),
        (
            {"imap": {"connection": "x", "senders": ["a@b"], "password": "s3cret"}},
            "unknown keys ['password']",
        ),
    ],
)
def test_a_wrong_source_is_refused_naming_the_feed(tmp_path, source, message):
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    data["feeds"]["polri_laporan"]["sources"] = [source]
    path = tmp_path / "feeds.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="feed 'polri_laporan'") as refused:
        load_registry(path)
    assert message in str(refused.value)
