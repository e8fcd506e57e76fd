"""One translation table: every label the template and code use exists in both languages, and an
English briefing prints English labels only (and an Indonesian one Indonesian labels)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from briefing_data import has, pdf_text

from pantau.briefing import render_briefing
from pantau.briefing.breakdowns import PURPOSES
from pantau.briefing.followup import SEVERITY_ORDER
from pantau.briefing.labels import LABELS, LANGUAGES
from pantau.briefing.pdf import TEMPLATE_DIR
from pantau.briefing.quality import QUALITY_STATUSES
from pantau.briefing.scorecard import FRESHNESS_STATUSES

SOURCES = Path(__file__).resolve().parents[2] / "src" / "pantau"
BANTEN = ("36", date(2025, 10, 30))


def used_label_keys() -> set[str]:
    """Keys looked up literally: `L.key` / `L["key"]` in the template, `labels["key"]` in code."""
    template = (TEMPLATE_DIR / "template.html").read_text()
    keys = set(re.findall(r"\bL\.([a-z_]+)\b", template)) - {"get_or"}
    keys |= set(re.findall(r"\bL\[\"([a-z_ ]+)\"\]", template))
    for path in [*SOURCES.joinpath("briefing").glob("*.py"), SOURCES / "delivery.py"]:
        keys |= set(re.findall(r"labels\[\"([a-z_ ]+)\"\]", path.read_text()))
    return keys


def dynamic_label_keys() -> set[str]:
    """Keys built from a value (`"quality_" ~ status` ...) for every value the data can hold."""
    return (
        {f"quality_{s}" for s in QUALITY_STATUSES}
        | {f"feed_status_{s}" for s in ("accepted", "rejected", "quarantined", "loaded", "missing")}
        | {f"fresh_{s}" for s in FRESHNESS_STATUSES}
        | {f"severity_{s}" for s in SEVERITY_ORDER}
        | {f"purpose_{p}" for p in PURPOSES}
        | {f"sector_{s}" for s in ("JASA", "INDUSTRI", "PERTANIAN_DAN_MARITIM")}
        | {"blocking", "warning"}
    )


def test_no_label_key_is_missing_in_either_language():
    keys = used_label_keys() | dynamic_label_keys()
    assert len(keys) > 150  # the scan found the template's and the code's lookups
    missing = {lang: sorted(k for k in keys if lang not in LABELS.get(k, {})) for lang in LANGUAGES}
    assert missing == {lang: [] for lang in LANGUAGES}


def test_label_placeholders_agree_between_languages():
    for key, translations in LABELS.items():
        fields = {lang: set(re.findall(r"\{(\w*)\}", text)) for lang, text in translations.items()}
        assert fields["id"] == fields["en"], key


def _fragments(text: str) -> list[str]:
    """The literal pieces of a label between its placeholders, long enough to be telling."""
    return [piece.strip() for piece in re.split(r"\{\w*\}", text) if len(piece.strip()) >= 14]


@pytest.fixture
def both(briefing_db) -> dict[str, str]:
    return {lang: pdf_text(render_briefing(*BANTEN, language=lang, strict=True).path) for lang in LANGUAGES}


def test_each_language_prints_its_own_labels(both):
    checks = {
        "id": [
            "Ringkasan",
            "Perkembangan utama",
            "Tenaga kerja asing",
            "Tindak lanjut per instansi",
            "Kesegaran data per sumber",
            "Kartu nilai per instansi",
            "Metodologi dan sumber",
            "Halaman 1 dari",
            "Kamis, 30 Oktober 2025, 09.00 WIB",
            "Bekerja 0 2.096 0 0 2.096",
        ],
        "en": [
            "Summary",
            "Key developments",
            "Foreign workers",
            "Follow-up by agency",
            "Data freshness per feed",
            "Scorecard per agency",
            "Methodology and sources",
            "Page 1 of",
            "Thursday, 30 October 2025, 09:00 WIB",
            "Work 0 2,096 0 0 2,096",
            "2 new findings were detected, most of them Overstay (1), for follow-up by Kantor Imigrasi.",
            "Industry 195 95.1%",
            "Kantor Imigrasi (2 open findings)",
            "Overstay Kota Cilegon high 0 1 0 2025-08-01",
        ],
    }
    for lang, phrases in checks.items():
        for phrase in phrases:
            assert has(both[lang], phrase), (lang, phrase)


def test_no_label_leaks_from_the_other_language(both):
    # The check can fail: the Indonesian summary holds Indonesian fragments the English one lacks.
    assert has(both["id"], _fragments(LABELS["dev_new_findings"]["id"])[-1])
    assert len([f for t in LABELS.values() for f in _fragments(t["id"])]) > 100
    for lang, other in (("id", "en"), ("en", "id")):
        leaks = [
            (key, fragment)
            for key, translations in LABELS.items()
            if translations[other] != translations[lang]
            for fragment in _fragments(translations[other])
            if fragment not in translations[lang] and has(both[lang], fragment)
        ]
        assert leaks == [], lang
