"""Event-driven ingest: a trigger that watches one feed's landing folder (Airflow's AssetWatcher).

The triggerer runs one `LandingFileTrigger` per feed. It fires an Asset event as soon as a file
in `<landing>/<feed>/` has settled (unchanged for PANTAU_SETTLE_SECONDS: the same rule the
ingest DAG's discovery applies, `pantau.ingest.discover`), and the feed's ingest DAG, scheduled
on that Asset, runs at once instead of at the next hour. It fires once per new file, and again
for a file still waiting minutes later (the run it woke failed); after a restart it fires for
whatever is waiting. The ingest DAG, exactly-once by design, loads nothing twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

DEFAULT_POKE_SECONDS = 5.0
DEFAULT_RENOTIFY_SECONDS = 300.0
MAX_NAMES_IN_EVENT = 20  # the event says which files woke the DAG; the DAG itself rescans


class LandingFileTrigger(BaseEventTrigger):
    """Fire when settled files appear in `<landing>/<feed>/` that this trigger has not announced."""

    def __init__(
        self,
        *,
        landing: str,
        feed: str,
        poke_interval: float = DEFAULT_POKE_SECONDS,
        renotify_seconds: float = DEFAULT_RENOTIFY_SECONDS,
    ) -> None:
        super().__init__()
        self.landing = landing
        self.feed = feed
        self.poke_interval = poke_interval
        self.renotify_seconds = renotify_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "landing": self.landing,
                "feed": self.feed,
                "poke_interval": self.poke_interval,
                "renotify_seconds": self.renotify_seconds,
            },
        )

    def ready_files(self) -> set[tuple[str, int, int]]:
        """Settled files as (path, size, mtime_ns): a file rewritten in place counts as new."""
        from pantau.ingest.discover import discover

        found = set()
        for path in discover(Path(self.landing), self.feed).ready:
            try:
                stat = path.lstat()
            except FileNotFoundError:  # loaded and archived meanwhile
                continue
            found.add((str(path), stat.st_size, stat.st_mtime_ns))
        return found

    def sweep(
        self, announced: dict[tuple[str, int, int], float], now: float | None = None
    ) -> tuple[list[str], dict[tuple[str, int, int], float]]:
        """One look at the folder: the files to announce now (relative to the landing zone) and
        when each waiting file was last announced. Files that left (archived, quarantined) are
        forgotten; a file still waiting `renotify_seconds` after its announcement is announced
        again (the run it woke failed, or was cancelled), so it does not wait for the hour."""
        now = time.monotonic() if now is None else now
        ready = self.ready_files()
        due = {key for key in ready if key not in announced or now - announced[key] >= self.renotify_seconds}
        new = sorted(str(Path(p).relative_to(self.landing)) for p, _, _ in due)
        return new, {key: (now if key in due else announced[key]) for key in ready}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        announced: dict[tuple[str, int, int], float] = {}
        while True:
            names, announced = await asyncio.to_thread(self.sweep, announced)
            if names:
                self.log.info("%s: %d file(s) ready: %s", self.feed, len(names), names[:5])
                yield TriggerEvent(
                    {"feed": self.feed, "count": len(names), "files": names[:MAX_NAMES_IN_EVENT]}
                )
            await asyncio.sleep(self.poke_interval)
