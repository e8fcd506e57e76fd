"""Fetch a feed's remote sources into the landing zone (the ingest DAG's `fetch_sources` task)."""

from __future__ import annotations

import imaplib
import logging
from contextlib import contextmanager
from pathlib import Path

import psycopg

from pantau import config
from pantau.ingest.sources import imap, sftp
from pantau.ingest.sources.connections import SourceError
from pantau.ingest.sources.landing import attach_origins
from pantau.registry import Feed, Source, feed, feeds

log = logging.getLogger(__name__)


class SourceFetchFailed(RuntimeError):
    """Some source could not be read; what was fetched from the others is landed and loads."""


@contextmanager
def _source_lock(conn, key: str):
    """One fetch per remote place at a time across all DAGs (a mailbox serves several feeds)."""
    got = conn.execute("select pg_try_advisory_lock(hashtextextended(%s, 14))", (key,)).fetchone()[0]
    try:
        yield got
    finally:
        if got:
            conn.execute("select pg_advisory_unlock(hashtextextended(%s, 14))", (key,))


def mailbox_routes(source: Source, registry: dict[str, Feed] | None = None) -> list[tuple[Feed, Source]]:
    """Every feed reading the same mailbox folder, with its sender and attachment rules."""
    return [
        (f, s)
        for f in (registry or feeds()).values()
        for s in f.sources
        if s.kind == "imap" and s.key == source.key
    ]


def fetch_feed_sources(
    feed_name: str, *, landing: Path | None = None, dsn: str | None = None, registry: dict | None = None
) -> dict[str, list[str]]:
    """Fetch new files from each remote source of the feed; returns landed names per source.

    A source that fails (server down, bad credentials, a connection dropped mid-file) does not
    stop the others; after trying all of them SourceFetchFailed names the failures, so the run
    shows it while the files already landed still load (the DAG's next task runs regardless).
    """
    the_feed = (registry or {}).get(feed_name) or feed(feed_name)
    remote = [s for s in the_feed.sources if s.kind != "landing"]
    if not remote:
        return {}
    landing = landing or config.landing_dir()
    landed: dict[str, list[str]] = {}
    failures: list[str] = []
    with psycopg.connect(dsn or config.warehouse_dsn(), autocommit=True) as conn:
        for source in remote:
            with _source_lock(conn, source.key) as mine:
                if not mine:
                    log.info("%s is being fetched by another run; skipped", source.key)
                    continue
                try:
                    if source.kind == "sftp":
                        landed[source.key] = sftp.fetch(conn, landing, the_feed, source)
                    else:
                        landed[source.key] = imap.fetch(
                            conn, landing, source, mailbox_routes(source, registry)
                        )
                except (SourceError, OSError, EOFError, imaplib.IMAP4.error) as exc:
                    log.error("fetching %s failed: %s", source.key, exc)
                    failures.append(f"{source.key}: {type(exc).__name__}: {exc}")
                except Exception as exc:
                    if type(exc).__module__.startswith("paramiko"):  # SSHException and kin
                        log.error("fetching %s failed: %s", source.key, exc)
                        failures.append(f"{source.key}: {type(exc).__name__}: {exc}")
                    else:
                        raise
        attach_origins(conn)
    for key, names in landed.items():
        log.info("%s: %d new file(s) %s", key, len(names), names)
    if failures:
        raise SourceFetchFailed("; ".join(failures))
    return landed
