"""Find files waiting in the landing zone, and set aside what the registry does not know."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from pantau.ingest.loader import ARCHIVE, QUARANTINE
from pantau.registry import feeds

DEFAULT_SETTLE_SECONDS = 2.0
IGNORED_PREFIXES = (".", "~$", "_")  # hidden files, Office lock files, our own _archive/_quarantine
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".filepart")


@dataclass
class Discovery:
    ready: list[Path] = field(default_factory=list)
    deferred: list[Path] = field(default_factory=list)  # still being written: picked up next run


def settle_seconds() -> float:
    return float(os.environ.get("PANTAU_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


def discover(landing: Path, feed_name: str, *, now: float | None = None) -> Discovery:
    """Files under <landing>/<feed>/, oldest name first; files modified too recently are deferred.

    An upload in progress keeps changing its mtime; a file is taken only once it has been quiet
    for PANTAU_SETTLE_SECONDS, so a growing file is never loaded half-written.
    """
    folder = landing / feed_name
    found = Discovery()
    if not folder.is_dir():
        return found
    now = time.time() if now is None else now
    quiet = settle_seconds()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(IGNORED_PREFIXES) for part in relative.parts):
            continue
        if path.name.endswith(PARTIAL_SUFFIXES) or now - path.stat().st_mtime < quiet:
            found.deferred.append(path)
        else:
            found.ready.append(path)
    return found


def unknown_feed_files(landing: Path) -> list[tuple[str, Path]]:
    """Files in landing folders that are not registered feeds (or loose at the top level)."""
    known = set(feeds()) | {ARCHIVE, QUARANTINE}
    strays: list[tuple[str, Path]] = []
    if not landing.is_dir():
        return strays
    for entry in sorted(landing.iterdir()):
        if entry.name.startswith(".") or entry.name in known:
            continue
        if entry.is_file():
            strays.append(("_tanpa_feed", entry))
        elif entry.is_dir():
            strays.extend((entry.name, p) for p in sorted(entry.rglob("*")) if p.is_file())
    return strays
