"""Find files waiting in the landing zone, and set aside what the registry does not know."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from pantau.ingest.loader import ARCHIVE, QUARANTINE
from pantau.registry import feeds

DEFAULT_SETTLE_SECONDS = 2.0
# Never agency data, left alone: Office lock files (~$name.xlsx, .~lock.name#), macOS and Windows
# desktop litter, and anything inside a hidden folder (.git, .Trash-1000, .snapshot). Other names
# starting with a dot are still files someone dropped ("..%2Fetc.csv"): loaded or quarantined.
IGNORED_PREFIXES = ("~$", ".~lock.", "._")
IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
# Uploads in progress under a temporary name: picked up once renamed to their final name.
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".filepart", ".partial")
RSYNC_TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9]{6}")  # rsync writes .name.XXXXXX, then renames


@dataclass
class Discovery:
    ready: list[Path] = field(default_factory=list)
    deferred: list[Path] = field(default_factory=list)  # still being written: picked up next run


def settle_seconds() -> float:
    return float(os.environ.get("PANTAU_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


def _ignored(relative: Path) -> bool:
    *folders, name = relative.parts
    return (
        any(folder.startswith(".") for folder in folders)
        or name.startswith(IGNORED_PREFIXES)
        or name.casefold() in IGNORED_NAMES
    )


def _still_written(path: Path, now: float, quiet: float) -> bool:
    return (
        path.name.casefold().endswith(PARTIAL_SUFFIXES)
        or RSYNC_TEMPORARY.fullmatch(path.name) is not None
        or now - path.lstat().st_mtime < quiet
    )


def discover(landing: Path, feed_name: str, *, now: float | None = None) -> Discovery:
    """Files under <landing>/<feed>/, oldest name first; files modified too recently are deferred.

    An upload in progress keeps changing its mtime; a file is taken only once it has been quiet
    for PANTAU_SETTLE_SECONDS, so a growing file is never loaded half-written. Symbolic links are
    returned as they are (the loader quarantines them without following them).
    """
    folder = landing / feed_name
    found = Discovery()
    if not folder.is_dir():
        return found
    now = time.time() if now is None else now
    quiet = settle_seconds()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if _ignored(relative) or not (path.is_symlink() or path.is_file()):
            continue
        if _still_written(path, now, quiet):
            found.deferred.append(path)
        else:
            found.ready.append(path)
    return found


def unknown_feed_files(landing: Path, *, now: float | None = None) -> list[tuple[str, Path]]:
    """Files in landing folders that are not registered feeds (or loose at the top level).

    `_tanpa_feed` names the loose ones. Files still being written are left for a later run, as
    discover() does: moving a file mid-upload would quarantine half of it.
    """
    known = set(feeds()) | {ARCHIVE, QUARANTINE}
    strays: list[tuple[str, Path]] = []
    if not landing.is_dir():
        return strays
    now = time.time() if now is None else now
    quiet = settle_seconds()
    for entry in sorted(landing.iterdir()):
        # Hidden entries at the top (.ssh, .snapshot, .DS_Store) belong to the server, not an agency.
        if entry.name in known or entry.name.startswith(".") or _ignored(Path(entry.name)):
            continue
        if entry.is_symlink() or entry.is_file():
            candidates = [("_tanpa_feed", entry)]
        elif entry.is_dir():
            candidates = [
                (entry.name, p)
                for p in sorted(entry.rglob("*"))
                if not _ignored(p.relative_to(entry)) and (p.is_symlink() or p.is_file())
            ]
        else:
            continue
        strays.extend((folder, p) for folder, p in candidates if not _still_written(p, now, quiet))
    return strays
