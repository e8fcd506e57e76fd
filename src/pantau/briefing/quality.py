"""Freshness and quality of each feed, from `audit.load_ledger` and `audit.dq_results`.

The briefing shows each feed's latest file (what the meeting's figures rest on) and sums the
inputs up in one status word that is also archived in `audit.briefings.quality_status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from pantau.registry import feeds

# Overall status, worst first: the first condition that holds names the briefing's inputs.
QUALITY_STATUSES = (
    "tidak ada data",  # nothing was ever loaded
    "ada batch ditolak",  # a feed's latest file was rejected or quarantined
    "belum divalidasi",  # a feed's latest file is loaded but has not passed gate 1 yet
    "ada peringatan",  # a warning-level check failed on a latest file
    "tidak lengkap",  # a scheduled feed has sent nothing
    "tervalidasi",  # every feed's latest file passed its checks
)


@dataclass
class FailedCheck:
    expectation: str
    column: str | None
    severity: str  # blocking | warning
    unexpected_count: int | None


@dataclass
class FeedQuality:
    feed: str
    agency: str
    scheduled: bool  # has a cadence: a missing file matters
    batch_id: str | None = None
    source_file: str | None = None
    status: str = "missing"  # ledger status, or "missing"
    row_count: int = 0
    reject_count: int = 0
    received_at: datetime | None = None
    error_code: str | None = None
    failed_checks: list[FailedCheck] = field(default_factory=list)

    @property
    def file_name(self) -> str | None:
        """The file's own name, without the landing-zone folder (the feed is shown beside it)."""
        return self.source_file.replace("\\", "/").rsplit("/", 1)[-1] if self.source_file else None


@dataclass
class QualityData:
    feeds: list[FeedQuality]
    status: str
    input_batches: dict[str, list[str]]  # feed -> accepted batch ids (what dbt staging reads)


def overall_status(rows: list[FeedQuality]) -> str:
    latest = [r for r in rows if r.status != "missing"]
    if not latest:
        return "tidak ada data"
    if any(r.status in ("rejected", "quarantined") for r in latest):
        return "ada batch ditolak"
    if any(r.status == "loaded" for r in latest):
        return "belum divalidasi"
    if any(c.severity == "warning" for r in latest for c in r.failed_checks):
        return "ada peringatan"
    if any(r.scheduled and r.status == "missing" for r in rows):
        return "tidak lengkap"
    return "tervalidasi"


def load_quality(conn: psycopg.Connection) -> QualityData:
    registry = feeds()
    rows = {
        name: FeedQuality(feed=name, agency=feed.agency, scheduled=feed.cadence_days is not None)
        for name, feed in registry.items()
    }
    latest = conn.execute(
        """
        select distinct on (feed)
            feed, batch_id, source_file, status, row_count, reject_count, received_at, error_code
        from audit.load_ledger
        order by feed, received_at desc, batch_id desc
        """
    ).fetchall()
    for feed, batch_id, source_file, status, row_count, reject_count, received_at, error_code in latest:
        row = rows.setdefault(feed, FeedQuality(feed=feed, agency=feed, scheduled=False))
        row.batch_id, row.source_file, row.status = batch_id, source_file, status
        row.row_count, row.reject_count, row.received_at, row.error_code = (
            row_count,
            reject_count,
            received_at,
            error_code,
        )

    by_batch = {r.batch_id: r for r in rows.values() if r.batch_id}
    # A batch validated more than once: only each expectation's latest result counts.
    failed = conn.execute(
        """
        select batch_id, expectation, column_name, severity, unexpected_count
        from (
            select distinct on (batch_id, expectation, expectation_config ->> 'column')
                batch_id, expectation, expectation_config ->> 'column' as column_name,
                severity, success, unexpected_count
            from audit.dq_results
            where batch_id = any(%s)
            order by batch_id, expectation, expectation_config ->> 'column', validated_at desc, result_id desc
        ) as latest_results
        where not success
        order by batch_id, severity, expectation, column_name
        """,
        (list(by_batch),),
    ).fetchall()
    for batch_id, expectation, column, severity, unexpected in failed:
        by_batch[batch_id].failed_checks.append(FailedCheck(expectation, column, severity, unexpected))

    accepted = conn.execute(
        "select feed, batch_id from audit.load_ledger where status = 'accepted' order by feed, batch_id"
    ).fetchall()
    input_batches: dict[str, list[str]] = {}
    for feed, batch_id in accepted:
        input_batches.setdefault(feed, []).append(batch_id)

    position = {name: index for index, name in enumerate(registry)}
    ordered = sorted(rows.values(), key=lambda r: (position.get(r.feed, len(position)), r.feed))
    return QualityData(feeds=ordered, status=overall_status(ordered), input_batches=input_batches)
