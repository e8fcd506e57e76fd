"""Event-driven ingest: a trigger that watches one feed's landing folder (Airflow's AssetWatcher).

The triggerer runs one `LandingFileTrigger` per feed. It fires an Asset event as soon as a file
in `<landing>/<feed>/` has settled (unchanged for PANTAU_SETTLE_SECONDS: the same rule the
ingest DAG's discovery applies, `pantau.ingest.discover`), and the feed's ingest DAG, scheduled
on that Asset, runs at once instead of at the next hour. It fires once per new file while it
runs; after a restart it fires once for whatever is waiting, and the ingest DAG, exactly-once by
design, loads nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

DEFAULT_POKE_SECONDS = 5.0
MAX_NAMES_IN_EVENT = 20  # the event says which files woke the DAG; the DAG itself rescans


class LandingFileTrigger(BaseEventTrigger):
    """Fire when settled files appear in `<landing>/<feed>/` that this trigger has not announced."""

    def __init__(self, *, landing: str, feed: str, poke_interval: float = DEFAULT_POKE_SECONDS) -> None:
        super().__init__()
        self.landing = landing
        self.feed = feed
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {"landing": self.landing, "feed": self.feed, "poke_interval": self.poke_interval},
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

    def sweep(self, announced: set[tuple[str, int, int]]) -> tuple[list[str], set[tuple[str, int, int]]]:
        """One look at the folder: the files to announce now (relative to the landing zone) and
        what counts as announced afterwards (files that left, archived or quarantined, are
        forgotten)."""
        ready = self.ready_files()
        new = sorted(str(Path(p).relative_to(self.landing)) for p, _, _ in ready - announced)
        return new, ready

    async def run(self) -> AsyncIterator[TriggerEvent]:
        announced: set[tuple[str, int, int]] = set()
        while True:
            names, announced = await asyncio.to_thread(self.sweep, announced)
            if names:
                self.log.info("%s: %d new file(s) ready: %s", self.feed, len(names), names[:5])
                yield TriggerEvent(
                    {"feed": self.feed, "count": len(names), "files": names[:MAX_NAMES_IN_EVENT]}
                )
            await asyncio.sleep(self.poke_interval)
