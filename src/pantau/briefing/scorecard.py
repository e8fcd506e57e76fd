"""Per feed: is it fresh? Per agency: how good were its files? (the briefing's scorecard)

Freshness follows the rule of the `audit.feed_freshness` view (on time until one cadence has
passed since the last accepted file, late until two, then missing; ad-hoc feeds are never late),
applied to the files of the briefing's own region and as of the end of its data cut-off day (or
now, if earlier), so one province's files do not make another's look fresh, and a briefing for
an earlier cut-off judges the feeds as they stood then; a file accepted after the cut-off (a
replay of historical files) is in the figures, so it counts as on time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg

FRESHNESS_STATUSES = ("tepat waktu", "terlambat", "tidak ada")


def freshness_status(cadence_days: int | None, last_accepted_at: datetime | None, as_of: datetime) -> str:
    if cadence_days is None:
        return "tepat waktu"
    if last_accepted_at is None:
        return "tidak ada"
    age = as_of - last_accepted_at  # negative for a file accepted after the cut-off: on time
    if age <= timedelta(days=cadence_days):
        return "tepat waktu"
    if age <= timedelta(days=2 * cadence_days):
        return "terlambat"
    return "tidak ada"


@dataclass
class FeedFreshness:
    feed: str
    agency: str
    cadence_days: int | None
    last_accepted_at: datetime | None = None
    status: str = "tidak ada"


@dataclass
class AgencyScore:
    agency: str
    feeds: list[str] = field(default_factory=list)
    files: int = 0
    accepted: int = 0
    rejected: int = 0  # rejected by gate 1 or quarantined by the loader
    pending: int = 0  # loaded, not gated yet
    rows: int = 0
    reject_rows: int = 0
    failed_blocking: int = 0  # failed blocking checks over the period's files
    failed_warning: int = 0
    feeds_on_time: int = 0
    feeds_scheduled: int = 0

    @property
    def acceptance(self) -> tuple[int, int]:
        """Accepted files out of those gated (part, whole) for a percentage."""
        return self.accepted, self.accepted + self.rejected


def feed_cadences(conn: psycopg.Connection) -> dict[str, tuple[str, int | None]]:
    """feed -> (agency, cadence_days) from the audit.feed_freshness view (the registry's copy)."""
    exists = conn.execute("select to_regclass('audit.feed_freshness') is not null").fetchone()[0]
    if not exists:
        return {}
    return {
        feed: (agency, cadence)
        for feed, agency, cadence in conn.execute(
            "select feed, agency, cadence_days from audit.feed_freshness order by feed"
        ).fetchall()
    }
