"""Number/date formatting, suppression, labels and the overall quality status (no database)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pantau.briefing.formatting import Formatter, suppress_below
from pantau.briefing.labels import LABELS, LANGUAGES, labels_for
from pantau.briefing.quality import (
    QUALITY_STATUSES,
    FailedCheck,
    FeedQuality,
    MartGate,
    is_validated,
    overall_status,
)


def test_indonesian_and_english_numbers():
    fmt_id, fmt_en = Formatter(labels_for("id")), Formatter(labels_for("en"))
    assert fmt_id.number(1234) == "1.234"
    assert fmt_id.number(1234567) == "1.234.567"
    assert fmt_id.number(12) == "12"
    assert fmt_en.number(1234) == "1,234"
    assert fmt_id.percent(1, 3) == "33,3%"
    assert fmt_en.percent(1, 3) == "33.3%"
    assert fmt_id.percent(1, 0) == "–"


def test_dates():
    fmt_id, fmt_en = Formatter(labels_for("id")), Formatter(labels_for("en"))
    assert fmt_id.date(date(2025, 10, 27)) == "27 Oktober 2025"
    assert fmt_id.long_date(date(2025, 10, 30)) == "Kamis, 30 Oktober 2025"
    assert fmt_en.long_date(date(2025, 10, 30)) == "Thursday, 30 October 2025"
    assert fmt_id.short_date(date(2025, 10, 7)) == "07/10/2025"
    moment = datetime(2025, 10, 27, 14, 5, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert fmt_id.timestamp(moment) == "27 Oktober 2025 14.05 WIB"
    assert fmt_en.timestamp(moment) == "27 October 2025 14:05 WIB"
    assert fmt_id.clock(datetime(2025, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))) == "09.00 WITA"


def test_suppression():
    fmt = Formatter(labels_for("id"), suppress_below=5)
    assert [fmt.count(n) for n in (0, 1, 4, 5, 1234)] == ["0", "< 5", "< 5", "5", "1.234"]
    assert fmt.number(3) == "3"  # not a count of people: never suppressed
    off = Formatter(labels_for("id"))
    assert off.count(1) == "1"


def test_suppression_setting(monkeypatch):
    monkeypatch.delenv("PANTAU_SUPPRESS_BELOW", raising=False)
    assert suppress_below() == 0
    monkeypatch.setenv("PANTAU_SUPPRESS_BELOW", "10")
    assert suppress_below() == 10
    monkeypatch.setenv("PANTAU_SUPPRESS_BELOW", "ten")
    with pytest.raises(ValueError, match="PANTAU_SUPPRESS_BELOW"):
        suppress_below()


def test_every_label_is_translated():
    for key, translations in LABELS.items():
        assert set(translations) == set(LANGUAGES), key
        assert all(text.strip() for text in translations.values()), key
    for status in QUALITY_STATUSES:
        assert f"quality_{status}" in LABELS
    for status in ("accepted", "rejected", "quarantined", "loaded", "missing"):
        assert f"feed_status_{status}" in LABELS
    with pytest.raises(KeyError, match="no_such_label"):
        labels_for("id")["no_such_label"]
    with pytest.raises(ValueError):
        labels_for("fr")


def _feed(status: str, *, scheduled: bool = True, checks=()) -> FeedQuality:
    return FeedQuality(
        feed=f"f_{status}", agency="A", scheduled=scheduled, status=status, failed_checks=list(checks)
    )


@pytest.mark.parametrize(
    ("feeds", "expected"),
    [
        ([], "no_data"),
        ([_feed("missing")], "no_data"),
        ([_feed("accepted"), _feed("missing", scheduled=False)], "validated"),
        ([_feed("accepted"), _feed("missing")], "incomplete"),
        ([_feed("accepted", checks=[FailedCheck("e", "c", "warning", 1)])], "warnings"),
        ([_feed("accepted"), _feed("loaded")], "not_validated"),
        ([_feed("accepted"), _feed("quarantined"), _feed("loaded")], "not_validated"),
        ([_feed("accepted"), _feed("quarantined")], "batch_rejected"),
        ([_feed("rejected", checks=[FailedCheck("e", "c", "blocking", 3)])], "batch_rejected"),
    ],
)
def test_overall_quality_status(feeds, expected):
    assert overall_status(feeds) == expected
    assert overall_status(feeds, MartGate()) == expected  # gate 2 not run: no opinion


def test_mart_gate_decides_validation():
    feeds = [_feed("accepted")]
    failed = MartGate(["marts__x"], [("marts__x", FailedCheck("e", None, "blocking", 1))])
    warned = MartGate(["marts__x"], [("marts__x", FailedCheck("e", None, "warning", 1))])
    assert overall_status(feeds, failed) == "mart_failed"
    assert overall_status([_feed("rejected")], failed) == "mart_failed"
    assert overall_status(feeds, warned) == "warnings"
    assert overall_status(feeds, MartGate(["marts__x"])) == "validated"
    assert [s for s in QUALITY_STATUSES if not is_validated(s)] == [
        "mart_failed",
        "no_data",
        "not_validated",
    ]
