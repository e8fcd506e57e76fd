"""Audit tables of the fetch step (created by warehouse.bootstrap, idempotent)."""

from __future__ import annotations

SOURCES_DDL = """
-- One row per item taken from a remote source (an SFTP file, an e-mail attachment, a message
-- without one). status 'landing': the bytes are being moved into the landing zone (a run that
-- died here is redone); 'landed': the file is in the landing zone and the source may forget it.
create table if not exists audit.source_fetches (
    fetch_id        bigint generated always as identity primary key,
    source          text not null,          -- registry source key, e.g. imap:imap_tim_poa:INBOX
    channel         text not null check (channel in ('sftp', 'imap')),
    remote_key      text not null,          -- what identifies the item at the source
    feed            text not null,          -- feed folder it was landed in (_surel: not routable)
    landed_file     text not null,          -- relative to the landing zone, = load_ledger.source_file
    file_sha256     text not null,
    file_bytes      bigint not null,
    sender          text,
    message_id      text,
    remote_path     text,
    remote_mtime    timestamptz,
    status          text not null check (status in ('landing', 'landed')),
    fetched_at      timestamptz not null default now(),
    unique (source, remote_key)
);
create index if not exists source_fetches_landed on audit.source_fetches (landed_file, file_sha256);

-- Every e-mail sent to an agency about one of its files (pantau.feedback): receipts, rejections,
-- quarantines; a failed attempt is kept and retried by the next run, the load is never affected.
create table if not exists audit.feedback (
    feedback_id     bigint generated always as identity primary key,
    batch_id        text not null,
    feed            text not null,
    kind            text not null check (kind in ('receipt', 'rejection', 'quarantine')),
    recipients      text[] not null,
    subject         text not null,
    status          text not null check (status in ('sent', 'failed')),
    detail          text,
    attempted_at    timestamptz not null default now()
);
create index if not exists feedback_batch on audit.feedback (batch_id);
"""
