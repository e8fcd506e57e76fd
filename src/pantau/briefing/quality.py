"""Freshness and quality of each feed, from the audit tables and views (never `raw`).

The briefing shows each feed's latest file (what the meeting's figures rest on) and sums the
inputs up in one status word that is also archived in `audit.briefings.quality_status`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from pantau.briefing.scorecard import AgencyScore, FeedFreshness
from pantau.registry import feeds

# Overall status, worst first: the first condition that holds names the briefing's inputs.
QUALITY_STATUSES = (
    "mart_failed",  # the latest gate-2 run of a mart suite failed a blocking check
    "no_data",  # nothing was ever loaded
    "not_validated",  # a feed's latest file is loaded but has not passed gate 1 yet
    "batch_rejected",  # a feed's latest file was rejected or quarantined (marts use the last good one)
    "warnings",  # a warning-level check failed on a latest file
    "incomplete",  # a scheduled feed has sent nothing
    "validated",  # every feed's latest file passed its checks
)


@dataclass
class FailedCheck:
    expectation: str
    column: str | None
    severity: str  # blocking | warning
    unexpected_count: int | None
    description: str | None = None  # the suite's "Bahasa / English" description, when it has one

    def describe(self, language: str) -> str | None:
        """The description in `language`: suites write "Indonesian / English"."""
        if not self.description:
            return None
        parts = self.description.split(" / ")
        if len(parts) != 2:
            return self.description
        return parts[0].strip() if language == "id" else parts[1].strip()


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


# Statuses under which the briefing's figures are not validated: the PDF is still rendered, marked
# as such, and is never e-mailed (pantau.delivery). A rejected batch does not count: the marts
# are built from the last accepted file, and the rejection is reported in the briefing.
NOT_VALIDATED_STATUSES = frozenset({"mart_failed", "no_data", "not_validated"})


HELD_BACK_STATUSES = ("rejected", "quarantined")


def is_validated(status: str) -> bool:
    return status not in NOT_VALIDATED_STATUSES


@dataclass
class MartGate:
    """Gate 2: the latest run of each mart suite (`marts__<table>` in audit.dq_results)."""

    suites: list[str] = field(default_factory=list)  # suites that have run at least once
    failed_checks: list[tuple[str, FailedCheck]] = field(default_factory=list)  # (suite, check)
    validated_at: datetime | None = None  # latest run

    @property
    def has_run(self) -> bool:
        return bool(self.suites)

    @property
    def failed(self) -> bool:
        return any(check.severity == "blocking" for _, check in self.failed_checks)


@dataclass
class QualityData:
    feeds: list[FeedQuality]
    status: str
    input_batches: dict[str, list[str]]  # feed -> accepted batch ids (what dbt staging reads)
    mart_gate: MartGate = field(default_factory=MartGate)
    freshness: list[FeedFreshness] = field(default_factory=list)
    agencies: list[AgencyScore] = field(default_factory=list)  # the scorecard
    # Every file rejected or quarantined in the period (newest first), latest file or not: a
    # rejection is reported in the next briefing even when a good file followed it.
    held_back: list[FeedQuality] = field(default_factory=list)
    period_start: datetime | None = None  # scorecard counts files received after this

    @property
    def validated(self) -> bool:
        return is_validated(self.status)


def overall_status(rows: list[FeedQuality], mart_gate: MartGate | None = None) -> str:
    if mart_gate is not None and mart_gate.failed:
        return "mart_failed"
    latest = [r for r in rows if r.status != "missing"]
    if not latest:
        return "no_data"
    if any(r.status == "loaded" for r in latest):
        return "not_validated"
    if any(r.status in ("rejected", "quarantined") for r in latest):
        return "batch_rejected"
    if any(c.severity == "warning" for r in latest for c in r.failed_checks):
        return "warnings"
    if mart_gate is not None and mart_gate.failed_checks:  # only warnings left: gate 2 blocks above
        return "warnings"
    if any(r.scheduled and r.status == "missing" for r in rows):
        return "incomplete"
    return "validated"


def batch_regions(conn: psycopg.Connection) -> dict[str, set[str]] | None:
    """The region codes each loaded batch's rows name (the audit view `audit.batch_regions`,
    resolved with dbt's region key table). One warehouse may serve several provinces; this is
    how a briefing tells its own files from the others'. None while dbt has not built the key
    table (then every file counts)."""
    # Through the audit function, not staging itself: briefing logins may not read staging.
    built = conn.execute("select exists (select from audit.region_keys())").fetchone()[0]
    if not built:
        return None
    found: dict[str, set[str]] = {}
    for batch_id, region_code in conn.execute("select batch_id, region_code from audit.batch_regions"):
        found.setdefault(batch_id, set()).add(region_code)
    return found


def load_quality(
    conn: psycopg.Connection,
    region_codes: set[str] | None = None,
    *,
    as_of: datetime | None = None,
    period_start: datetime | None = None,
) -> QualityData:
    """Each feed's latest file concerning `region_codes` (None: all files), its checks, the verdict;
    each feed's freshness as of `as_of` (default: now) and each agency's scorecard over the files
    received after `period_start` (None: all files).

    A file counts for a briefing when one of its rows names a region of the briefing, or when none
    of its rows can be placed (a quarantined file has no rows at all): such files are shown in
    every briefing rather than hidden from all.
    """
    registry = feeds()
    rows = {
        name: FeedQuality(feed=name, agency=feed.agency, scheduled=feed.cadence_days is not None)
        for name, feed in registry.items()
    }
    placed = batch_regions(conn) if region_codes is not None else None

    def concerns(batch_id: str) -> bool:
        return placed is None or batch_id not in placed or bool(placed[batch_id] & region_codes)

    ledger = conn.execute(
        """
        select feed, batch_id, source_file, status, row_count, reject_count, received_at, error_code,
               coalesce(validated_at, loaded_at, received_at) as accepted_at
        from audit.load_ledger
        order by received_at, batch_id
        """
    ).fetchall()
    ledger = [entry for entry in ledger if concerns(entry[1])]
    input_batches: dict[str, list[str]] = {}
    files: list[FeedQuality] = []  # one per ledger entry, oldest first
    for feed, batch_id, source_file, status, row_count, reject_count, received_at, error_code, _ in ledger:
        file = dataclasses.replace(
            rows.get(feed) or FeedQuality(feed=feed, agency=feed, scheduled=False),
            batch_id=batch_id,
            source_file=source_file,
            status=status,
            row_count=row_count,
            reject_count=reject_count,
            received_at=received_at,
            error_code=error_code,
            failed_checks=[],
        )
        files.append(file)
        rows[feed] = file  # ordered by arrival: the last one standing is the feed's latest file
        if status == "accepted":
            input_batches.setdefault(feed, []).append(batch_id)

    # Newest first: the briefing lists the most recent and cuts the oldest.
    held_back = [
        file
        for file in reversed(files)
        if file.status in HELD_BACK_STATUSES and (period_start is None or file.received_at > period_start)
    ]
    # A feed's latest file may be held back too: the same object, so its checks are added once.
    by_batch = {file.batch_id: file for file in [*(r for r in rows.values() if r.batch_id), *held_back]}
    for batch_id, check in failed_checks(conn, list(by_batch)):
        by_batch[batch_id].failed_checks.append(check)

    position = {name: index for index, name in enumerate(registry)}
    ordered = sorted(rows.values(), key=lambda r: (position.get(r.feed, len(position)), r.feed))
    mart_gate = load_mart_gate(conn)
    freshness, agencies = _freshness_and_scorecard(conn, ordered, ledger, as_of, period_start)
    return QualityData(
        feeds=ordered,
        held_back=held_back,
        status=overall_status(ordered, mart_gate),
        input_batches={feed: sorted(ids) for feed, ids in sorted(input_batches.items())},
        mart_gate=mart_gate,
        freshness=freshness,
        agencies=agencies,
        period_start=period_start,
    )


def failed_checks(conn: psycopg.Connection, batch_ids: list[str]) -> list[tuple[str, FailedCheck]]:
    """(batch_id, check) for every check that failed in each batch's latest validation run
    (audit.batch_latest_checks), in suite order. Latest run, not latest result per expectation
    type: one column may carry the same type twice (a blocking check with `mostly` and a warning
    without; docs/contracts.md)."""
    rows = conn.execute(
        """
        select results.batch_id, results.expectation, results.expectation_config ->> 'column',
               results.severity, results.unexpected_count, results.expectation_config ->> 'description'
        from audit.batch_latest_checks as results
        where results.batch_id = any(%s) and not results.success
        order by results.batch_id, results.severity,
                 (results.expectation_config ->> 'suite_index')::int nulls last, results.expectation
        """,
        (batch_ids,),
    ).fetchall()
    return [(batch_id, FailedCheck(*check)) for batch_id, *check in rows]


def _freshness_and_scorecard(
    conn: psycopg.Connection,
    feed_rows: list[FeedQuality],
    ledger: list[tuple],
    as_of: datetime | None,
    period_start: datetime | None,
) -> tuple[list[FeedFreshness], list[AgencyScore]]:
    """Each feed's freshness and each agency's scorecard over the briefing's files (`ledger`),
    from the audit views `audit.file_scorecard` and `audit.freshness_status`: the rules
    `audit.agency_scorecard` and `pantau status` use, applied to this region's files."""
    as_of = as_of or datetime.now(UTC)
    batch_ids = [entry[1] for entry in ledger]
    registry = feeds()
    freshness: dict[str, FeedFreshness] = {}
    for feed, agency, cadence, last_accepted_at, status in conn.execute(
        """
        select feeds.feed, feeds.agency, feeds.cadence_days, files.last_accepted_at,
               audit.freshness_status(feeds.cadence_days, files.last_accepted_at, %(as_of)s)
        from audit.feeds as feeds
        left join (
            select feed, max(accepted_at) as last_accepted_at
            from audit.file_scorecard
            where batch_id = any(%(batches)s) and status = 'accepted'
            group by feed
        ) as files using (feed)
        """,
        {"as_of": as_of, "batches": batch_ids},
    ).fetchall():
        freshness[feed] = FeedFreshness(feed, agency, cadence, last_accepted_at, status)
    for row in feed_rows:  # feeds the warehouse has not registered yet (a registry ahead of it)
        if row.feed not in freshness:
            cadence = registry[row.feed].cadence_days if row.feed in registry else None
            freshness[row.feed] = FeedFreshness(row.feed, row.agency, cadence, None, "tidak ada")
    position = {row.feed: index for index, row in enumerate(feed_rows)}
    ordered = sorted(freshness.values(), key=lambda f: (position.get(f.feed, len(position)), f.feed))

    scores: dict[str, AgencyScore] = {}
    for entry in ordered:
        score = scores.setdefault(entry.agency, AgencyScore(entry.agency))
        score.feeds.append(entry.feed)
        if entry.cadence_days is not None:
            score.feeds_scheduled += 1
            score.feeds_on_time += entry.status == "tepat waktu"
    in_period = [e[1] for e in ledger if period_start is None or e[6] > period_start]
    for feed, agency, status, row_count, reject_count, failed_blocking, failed_warning in conn.execute(
        """
        select feed, agency, status, row_count, reject_count, checks_failed_blocking, checks_failed_warning
        from audit.file_scorecard
        where batch_id = any(%s)
        order by received_at, batch_id
        """,
        (in_period,),
    ).fetchall():
        agency = freshness[feed].agency if feed in freshness else agency
        score = scores.setdefault(agency, AgencyScore(agency, [feed]))
        score.files += 1
        score.rows += row_count or 0
        score.reject_rows += reject_count or 0
        if status == "accepted":
            score.accepted += 1
        elif status in ("rejected", "quarantined"):
            score.rejected += 1
        else:
            score.pending += 1
        score.failed_blocking += failed_blocking
        score.failed_warning += failed_warning
    return ordered, sorted(scores.values(), key=lambda s: s.agency)


MART_SUITE_PREFIX = "marts__"


def load_mart_gate(conn: psycopg.Connection) -> MartGate:
    """The latest gate-2 run of every mart suite and the checks it failed.

    Gate 2 writes one audit.dq_results row per expectation with suite `marts__<table>` (issue 5,
    suite naming `<layer>__<table>`); a suite's latest run is its run_id with the latest
    validated_at. No rows: gate 2 has not run, which neither passes nor fails the briefing.
    """
    rows = conn.execute(
        """
        with runs as (
            select suite, run_id, max(validated_at) as run_at
            from audit.dq_results
            where starts_with(suite, %s)
            group by suite, run_id
        ), latest as (
            select distinct on (suite) suite, run_id, run_at
            from runs
            order by suite, run_at desc, run_id desc
        )
        select latest.suite, latest.run_at, results.expectation, results.expectation_config ->> 'column',
               results.severity, results.success, results.unexpected_count,
               results.expectation_config ->> 'description'
        from latest
        inner join audit.dq_results as results using (suite, run_id)
        order by latest.suite, results.severity, results.expectation
        """,
        (MART_SUITE_PREFIX,),
    ).fetchall()
    gate = MartGate()
    for suite, run_at, expectation, column, severity, success, unexpected, description in rows:
        if suite not in gate.suites:
            gate.suites.append(suite)
        gate.validated_at = max(filter(None, (gate.validated_at, run_at)), default=None)
        if not success:
            check = FailedCheck(expectation, column, severity, unexpected, description)
            gate.failed_checks.append((suite, check))
    return gate
