"""Briefings rendered in a process pool are the same PDFs, byte for byte, as rendered one by one;
with the generation time pinned (SOURCE_DATE_EPOCH) a briefing is byte-for-byte reproducible."""

from __future__ import annotations

from datetime import date

from pantau.briefing import render_briefing
from pantau.briefing.parallel import _biggest_first, _chains, render_many

BANTEN = ("36", date(2025, 10, 30))
KOTA_SERANG = ("36.73", date(2025, 10, 28))
PINNED = "1761800000"  # 2025-10-30 05:53 UTC


def test_pool_renders_the_same_bytes_as_one_by_one(briefing_db, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PINNED)
    pooled = render_many([BANTEN, KOTA_SERANG], workers=2)
    assert [(r.region_code, r.meeting_date) for r in pooled] == [BANTEN, KOTA_SERANG]
    pooled_bytes = [r.path.read_bytes() for r in pooled]
    single = [render_briefing(*meeting) for meeting in (BANTEN, KOTA_SERANG)]
    assert [r.path.read_bytes() for r in single] == pooled_bytes
    assert [r.sha256 for r in single] == [r.sha256 for r in pooled]

    # Only the timestamps differ between two generation times, and they do show in the PDF.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(PINNED) + 3600))
    later = render_briefing(*BANTEN)
    assert later.path.read_bytes() != pooled_bytes[0]


def test_a_regions_meetings_are_rendered_in_date_order_by_one_worker():
    """A briefing reads its region's previous briefing: those never run side by side."""
    meetings = [("36", date(2025, 12, 1)), ("62", date(2025, 11, 2)), ("36", date(2025, 10, 30))]
    chains = _chains(meetings)
    assert sorted(chains) == sorted(
        [[(2, "36", date(2025, 10, 30)), (0, "36", date(2025, 12, 1))], [(1, "62", date(2025, 11, 2))]]
    )


def test_biggest_chains_are_handed_out_first():
    """More meetings first, then a province's before a kab/kota's (the longest render)."""
    meetings = [("36.73", date(2025, 10, 28)), ("62", date(2025, 10, 30)), ("36.01", date(2025, 10, 28))]
    meetings += [("36.01", date(2025, 11, 25))]
    order = [chain[0][1] for chain in _biggest_first(_chains(meetings))]
    assert order == ["36.01", "62", "36.73"]
