"""The work each Airflow task does, as plain functions (unit-testable without Airflow).

DAG files in dags/ only wire these together; nothing here imports Airflow.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import psycopg

from pantau import config, progress, warehouse
from pantau.ingest.discover import discover, unknown_feed_files
from pantau.ingest.errors import Problem
from pantau.ingest.loader import load_file, quarantine
from pantau.registry import feed

log = logging.getLogger(__name__)


class FileNotAccepted(RuntimeError):
    """A file's data did not reach the warehouse: gate 1 rejected its batch, or it was quarantined
    at load. Someone must act (the agency resends it), so the task that judged it fails."""

    def __init__(self, verdict: dict):
        self.verdict = verdict
        if verdict["status"] == "quarantined":
            problem = verdict.get("problem") or {}
            reason = f"quarantined at load [{problem.get('code')}]: {problem.get('message_en')}"
        else:
            checks = "; ".join(verdict.get("failed_blocking") or []) or verdict["status"]
            reason = f"rejected by gate 1 (batch {verdict.get('batch_id')}): {checks}"
        super().__init__(f"{verdict['feed']}: {verdict['source_file']} {reason}")


class MartsGateFailed(RuntimeError):
    """Gate 2 failed a blocking check: the marts must not be announced as published."""

    def __init__(self, failures: dict[str, list[str]]):
        self.failures = failures
        listed = "; ".join(f"{suite}: {', '.join(checks)}" for suite, checks in sorted(failures.items()))
        super().__init__(f"gate 2 failed {sum(map(len, failures.values()))} blocking check(s): {listed}")


def discover_files(feed_name: str, landing: Path | None = None) -> list[str]:
    landing = landing or config.landing_dir()
    warehouse.bootstrap()  # once per run, before any load: raw and audit tables exist
    found = discover(landing, feed_name)
    for path in found.deferred:
        log.info("deferred (still being written): %s", path)
    deferred = f", {len(found.deferred)} still being written" if found.deferred else ""
    progress.emit(f"ingest {feed_name}: {len(found.ready)} new files{deferred}")
    return [str(path) for path in found.ready]


def fetch_sources(feed_name: str, landing: Path | None = None) -> dict[str, list[str]]:
    """Bring new files from the feed's SFTP and mailbox sources into the landing zone (nothing to
    do, and no connection opened, for a feed read from the landing folder only)."""
    if all(source.kind == "landing" for source in feed(feed_name).sources):
        return {}
    from pantau.ingest.sources.fetch import fetch_feed_sources

    warehouse.bootstrap()
    return fetch_feed_sources(feed_name, landing=landing or config.landing_dir())


def load_batch(feed_name: str, path: str, landing: Path | None = None) -> dict:
    outcome = load_file(feed(feed_name), Path(path), landing=landing or config.landing_dir())
    if outcome.batch_id:
        from pantau.ingest.sources.landing import attach_origins

        with psycopg.connect(config.warehouse_dsn(), autocommit=True) as conn:
            attach_origins(conn, outcome.batch_id)  # sender / remote path of a fetched file
    return outcome.as_dict()


def load_batches(feed_name: str, paths: list[str], landing: Path | None = None) -> list[dict]:
    """Load a feed run's new files one after another (one task per feed run, not per file: a task
    costs Airflow about a second of its own), reporting each as it is done."""
    outcomes = []
    for number, path in enumerate(paths, start=1):
        begun = time.monotonic()
        outcome = load_batch(feed_name, path, landing)
        loaded = outcome["status"] == "loaded"
        rows = f", {outcome['rows']} rows, {outcome['rejects']} rejected" if loaded else ""
        progress.emit(
            f"load {feed_name}: file {number} of {len(paths)} {Path(path).name}: "
            f"{outcome['status']}{rows} ({time.monotonic() - begun:.1f} s)"
        )
        outcomes.append(outcome)
    return outcomes


def validate_raw_batches(outcomes: list[dict]) -> list[dict]:
    """Gate 1 on each batch of a feed run, in one task (GX starts once, not once per file)."""
    verdicts = []
    total = sum(o["status"] in {"loaded", "recovered"} for o in outcomes)
    number = 0
    for outcome in outcomes:
        begun = time.monotonic()
        verdict = validate_raw(outcome)
        verdicts.append(verdict)
        if outcome["status"] not in {"loaded", "recovered"}:
            continue  # quarantined or already loaded: nothing to judge
        number += 1
        failed = verdict.get("failed_blocking") or []
        result = "accepted" if verdict["accepted"] else "rejected (" + ", ".join(failed) + ")"
        progress.emit(
            f"gate 1 {outcome['feed']}: batch {number} of {total} {Path(outcome['source_file']).name}: "
            f"{result} ({time.monotonic() - begun:.1f} s)"
        )
    return verdicts


def send_feedback(feed_name: str) -> list[dict]:
    """E-mail each agency what became of its files (receipt, rejection, quarantine); a mail
    failure is recorded and retried next run, never raised."""
    from pantau.feedback import send_feedback as send

    return send(feed_name)


def validate_raw(outcome: dict) -> dict:
    """Gate 1 on a freshly loaded batch (or one a crashed run committed and this run recovered);
    returns the outcome with the gate's verdict added."""
    if outcome["status"] not in {"loaded", "recovered"}:
        return {**outcome, "accepted": False}
    from pantau.quality import validate_raw_batch

    result = validate_raw_batch(outcome["feed"], outcome["batch_id"])
    return {
        **outcome,
        "accepted": result.accepted,
        "failed_blocking": list(result.failed_blocking),
        "failed_warnings": list(result.failed_warnings),
    }


def gate_raw(outcome: dict) -> dict | None:
    """Gate 1's verdict on a load outcome, as the ingest DAG acts on it: the verdict when the batch
    was accepted (publish it), None for a duplicate (its bytes are already in the warehouse:
    nothing to publish, nothing to fix), and FileNotAccepted for any file whose data stayed out."""
    verdict = validate_raw(outcome)
    if verdict["accepted"]:
        return verdict
    refusal = refusal_of(verdict)
    if refusal is None:
        return None
    raise refusal


def refusal_of(verdict: dict) -> FileNotAccepted | None:
    """Why a judged file's data stayed out, or None when there is nothing to fix (accepted, or a
    duplicate whose bytes are already in the warehouse)."""
    if verdict["accepted"] or verdict["status"] == "duplicate":
        return None
    return FileNotAccepted(verdict)


def validate_leftover_batches(feed_name: str) -> list[dict]:
    """Gate 1 on batches a previous run committed and archived but never validated (its worker
    died between the load and the gate): without this they would stay `loaded` for ever."""
    with psycopg.connect(config.warehouse_dsn()) as conn:
        rows = conn.execute(
            "select batch_id, source_file from audit.load_ledger "
            "where feed = %s and status = 'loaded' and archive_path is not null",
            (feed_name,),
        ).fetchall()
    return [
        validate_raw({"feed": feed_name, "batch_id": batch_id, "source_file": source, "status": "loaded"})
        for batch_id, source in rows
    ]


def update_data_docs() -> str | None:
    """Rebuild the Data Docs site once per run (not per batch: it re-renders every stored result),
    and only when some validation is newer than the site."""
    index = config.output_dir() / "data_docs" / "index.html"
    if index.exists():
        with psycopg.connect(config.warehouse_dsn()) as conn:
            latest = conn.execute(
                "select extract(epoch from max(validated_at)) from audit.dq_results"
            ).fetchone()[0]
        if latest is None or float(latest) <= index.stat().st_mtime:
            return str(index)
    from pantau.quality import build_data_docs

    return str(build_data_docs())


def quarantine_unknown_feeds(landing: Path | None = None) -> list[str]:
    """Files in folders the registry does not know are quarantined, never silently ignored."""
    landing = landing or config.landing_dir()
    moved: list[str] = []
    strays = unknown_feed_files(landing)
    if not strays:
        return moved
    warehouse.bootstrap()
    with psycopg.connect(config.warehouse_dsn()) as conn:
        for folder, path in strays:
            problem = Problem(
                "FEED_TIDAK_DIKENAL",
                f"Folder '{folder}' bukan feed yang terdaftar; berkas tidak dimuat.",
                f"Folder '{folder}' is not a registered feed; the file was not loaded.",
                expected="a folder named after a feed in feeds.yml",
                found=folder,
            )
            outcome = quarantine(conn, folder, path, landing=landing, sha=None, problem=problem)
            moved.append(outcome.source_file)
    return moved


def publish_marts() -> dict:
    """After dbt: gate 2 on the marts, then fresh Data Docs (also when the gate failed: that is
    when auditors need them). A blocking failure raises MartsGateFailed, so the task fails and
    no `pantau://marts` event announces marts that did not pass; the briefing reads the failure
    from audit.dq_results and is marked not validated."""
    from pantau.quality import validate_marts

    results = validate_marts()
    docs = update_data_docs()
    failed = {
        suite: result["failed_blocking"] for suite, result in results.items() if result["failed_blocking"]
    }
    if failed:
        raise MartsGateFailed(failed)
    return {"data_docs": docs, "marts_gate": results}


def meetings_due(params: dict, logical_date) -> list:
    """The meeting asked for in the run's form (any region and date: one not in the calendar is
    an ad-hoc meeting, see pantau.calendar.meeting_for), or every meeting whose briefing falls due now."""
    from datetime import timedelta

    from pantau.calendar import load_meetings, meeting_for

    if params.get("region") and params.get("meeting_date"):
        return [meeting_for(params["region"], params["meeting_date"], cutoff=params.get("cutoff") or None)]
    return [m for m in load_meetings() if abs(m.briefing_due_at - logical_date) < timedelta(minutes=1)]


def render_due_briefings(params: dict, logical_date, *, deliver: bool = False) -> list[dict]:
    """Render each due briefing; with `deliver`, e-mail it to the meeting's recipients.

    A briefing that may not be sent (inputs not validated, no recipients) is still rendered and
    archived; the refusal is logged and reported in the returned list, not raised.
    """
    from pantau.briefing import render_briefing

    rendered = []
    for meeting in meetings_due(params, logical_date):
        language = params.get("language", "id")
        result = render_briefing(
            meeting.region_code, meeting.meeting_date, language=language, cutoff=meeting.cutoff
        )
        entry = {
            "meeting_id": meeting.meeting_id,
            "path": str(result.path),
            "sha256": result.sha256,
            "quality_status": result.quality_status,
            "delivery": "not requested",
        }
        if deliver:
            from pantau.delivery import DeliveryRefused, send_briefing

            try:
                sent = send_briefing(result, meeting)
            except DeliveryRefused as refused:
                log.warning("%s", refused)
                entry["delivery"] = f"refused: {refused.reason}"
            else:
                entry["delivery"] = "sent to " + ", ".join(sent.recipients)
        rendered.append(entry)
    return rendered


def prune_quality_results(retention_days: int | None = None) -> int:
    """Delete quality results older than the retention period (PANTAU_DQ_RETENTION_DAYS, default
    two years); ledger rows and briefings are kept: they are the audit trail's spine."""
    import os

    days = retention_days or int(os.environ.get("PANTAU_DQ_RETENTION_DAYS", 730))
    with psycopg.connect(config.warehouse_dsn()) as conn:
        deleted = conn.execute(
            "delete from audit.dq_results where validated_at < now() - make_interval(days => %s)", (days,)
        ).rowcount
    log.info("pruned %d quality results older than %d days", deleted, days)
    return deleted
