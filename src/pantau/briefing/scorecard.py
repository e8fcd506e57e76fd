"""Per feed: is it fresh? Per agency: how good were its files? (the briefing's scorecard)

Freshness is judged by the warehouse function `audit.freshness_status` (src/pantau/audit_views/,
the one rule `pantau status` and `audit.agency_scorecard` use: on time until one cadence has
passed since the last accepted file, late until two, then missing; ad-hoc feeds are never late),
applied to the files of the briefing's own region and as of the end of its data cut-off day (or
now, if earlier), so one province's files do not make another's look fresh, and a briefing for
an earlier cut-off judges the feeds as they stood then; a file accepted after the cut-off (a
replay of historical files) is in the figures, so it counts as on time. The counts come from the
view `audit.file_scorecard` (pantau.briefing.quality).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

FRESHNESS_STATUSES = ("tepat waktu", "terlambat", "tidak ada")


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
