"""The briefing's words live in one message file per language, read by pantau.briefing.labels."""

from __future__ import annotations

import pytest
import yaml

from pantau.briefing import labels


@pytest.fixture
def messages_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(labels, "MESSAGES_DIR", tmp_path)
    labels.languages.cache_clear()
    labels.messages.cache_clear()
    yield tmp_path
    labels.languages.cache_clear()
    labels.messages.cache_clear()


def test_one_file_per_language_with_the_same_keys():
    assert labels.languages() == ("id", "en")
    files = {
        language: yaml.safe_load((labels.MESSAGES_DIR / f"{language}.yml").read_text())
        for language in ("id", "en")
    }
    assert list(files["id"]) == list(files["en"])
    assert all(isinstance(text, str) and text.strip() for texts in files.values() for text in texts.values())
    assert labels.labels_for("en")["page"] == files["en"]["page"]
    assert labels.LABELS["page"] == {"id": files["id"]["page"], "en": files["en"]["page"]}


def test_a_new_language_is_a_new_file(messages_dir):
    (messages_dir / "id.yml").write_text("page: Halaman\n", encoding="utf-8")
    (messages_dir / "jv.yml").write_text("page: Kaca\n", encoding="utf-8")
    assert labels.languages() == ("id", "jv")
    assert labels.labels_for("jv")["page"] == "Kaca"


def test_a_missing_or_unknown_key_fails_loudly(messages_dir):
    (messages_dir / "id.yml").write_text("page: Halaman\ntotal: Jumlah\n", encoding="utf-8")
    (messages_dir / "en.yml").write_text("page: Page\ntotl: Total\n", encoding="utf-8")
    with pytest.raises(KeyError, match=r"missing \['total'\], unknown \['totl'\]"):
        labels.labels_for("en")
    with pytest.raises(KeyError, match="'absent' is not in"):
        labels.labels_for("id")["absent"]
    with pytest.raises(ValueError, match="language must be one of id, en"):
        labels.labels_for("fr")
