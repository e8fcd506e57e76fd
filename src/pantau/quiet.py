"""The warehouse waits for a quiet moment: not one rebuild per feed while files keep arriving.

Feeds wake the warehouse DAG one after another (each accepted batch is an Asset event). Its first
task waits until the landing zone is quiet — no file waiting in any feed's folder, no batch
loaded but not yet gated — so one rebuild takes in everything that arrived together; it never
waits longer than PANTAU_QUIET_MAX_SECONDS (default 600) after the run started, so a feed that
keeps sending cannot starve the marts.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from pantau import config

DEFAULT_MAX_WAIT_SECONDS = 600


def max_wait_seconds() -> float:
    return float(os.environ.get("PANTAU_QUIET_MAX_SECONDS", DEFAULT_MAX_WAIT_SECONDS))


def busy(landing: Path | None = None, dsn: str | None = None) -> list[str]:
    """What still keeps the landing zone busy (empty when quiet): files waiting, batches ungated."""
    from pantau.ingest.discover import discover
    from pantau.registry import feeds

    landing = landing or config.landing_dir()
    reasons = []
    for name in feeds():
        found = discover(landing, name)
        waiting = len(found.ready) + len(found.deferred)
        if waiting:
            reasons.append(f"{name}: {waiting} file(s) waiting")
    with psycopg.connect(dsn or config.warehouse_dsn()) as conn:
        (ungated,) = conn.execute("select count(*) from audit.load_ledger where status = 'loaded'").fetchone()
    if ungated:
        reasons.append(f"{ungated} batch(es) loaded, not yet gated")
    return reasons


def ready_to_build(run_started_at: datetime | None, *, now: datetime | None = None, **kwargs) -> bool:
    """True when the landing zone is quiet, or the run has waited its maximum."""
    import logging

    reasons = busy(**kwargs)
    if not reasons:
        return True
    now = now or datetime.now(UTC)
    waited = (now - run_started_at).total_seconds() if run_started_at else 0.0
    if waited >= max_wait_seconds():
        logging.getLogger(__name__).warning("building after %.0f s although %s", waited, "; ".join(reasons))
        return True
    logging.getLogger(__name__).info("waiting for a quiet moment: %s", "; ".join(reasons))
    return False
