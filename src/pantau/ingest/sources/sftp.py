"""Fetch new files from a folder on an agency's SFTP server (paramiko).

Connection (Airflow, conn type `sftp`): host, port, login, and either `password` or the extra
`private_key` (the key's text) / `key_file` (a path). The server's host key must be pinned in the
extra `host_key` (`ssh-ed25519 AAAA...` or just its base64): Pantau never trusts a server it has
not been told about. The extra names follow Airflow's SSH/SFTP providers.

A file is taken when its size and mtime are unchanged across two looks `settle_seconds` apart
(an agency system still writing it is left for the next run); it is remembered by path, size and
mtime, so the agency's server is never modified and a file rewritten later is fetched again.

Why paramiko and not Airflow's SFTPHook: the hook's retrieve_file writes straight to the local
path (half a file on a dropped connection); here the bytes stream into an fsynced temporary file,
the size is checked, and only then is the file linked into the landing zone.
"""

from __future__ import annotations

import fnmatch
import io
import logging
import posixpath
import socket
import stat
import time
from pathlib import Path

from pantau.ingest.discover import PARTIAL_SUFFIXES, settle_seconds
from pantau.ingest.loader import _fault
from pantau.ingest.sources.connections import SourceError, get_connection
from pantau.ingest.sources.landing import (
    CHUNK,
    Origin,
    clear_temp,
    fetch_state,
    land,
    temp_dir,
    utc_from_timestamp,
    write_temp,
)
from pantau.registry import Feed, Source

log = logging.getLogger(__name__)

TIMEOUT = 30.0


def _load_key(extra: dict):
    import paramiko

    passphrase = extra.get("private_key_passphrase")
    if extra.get("key_file"):
        return paramiko.PKey.from_path(extra["key_file"], passphrase=passphrase)
    text = extra["private_key"]
    for kind in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return kind.from_private_key(io.StringIO(text), password=passphrase)
        except paramiko.SSHException:
            continue
    raise SourceError("the connection's private_key is not an Ed25519, ECDSA or RSA private key")


def connect(conn_id: str):
    """An authenticated SFTP client (and its transport, to close) for an Airflow connection."""
    import paramiko

    conn = get_connection(conn_id)
    extra = conn.extra_dejson
    timeout = float(extra.get("conn_timeout", TIMEOUT))
    try:
        sock = socket.create_connection((conn.host, int(conn.port or 22)), timeout=timeout)
    except OSError as exc:
        raise SourceError(
            f"SFTP server of {conn_id!r} ({conn.host}:{conn.port or 22}) unreachable: {exc}"
        ) from exc
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = transport.auth_timeout = timeout
        transport.start_client(timeout=timeout)
        served = transport.get_remote_server_key()
        pinned = str(extra.get("host_key", "")).split()
        if not pinned:
            raise SourceError(
                f"connection {conn_id!r} has no `host_key` extra: pin the server's public host key "
                f"(its key is {served.get_name()} {served.get_base64()})"
            )
        if pinned[-1] != served.get_base64() and (len(pinned) < 2 or pinned[1] != served.get_base64()):
            raise SourceError(
                f"SFTP server of {conn_id!r} presented host key {served.get_name()} {served.get_base64()}, "
                "not the one pinned in the connection's `host_key`: refusing to connect"
            )
        if extra.get("private_key") or extra.get("key_file"):
            transport.auth_publickey(conn.login, _load_key(extra))
        else:
            transport.auth_password(conn.login, conn.password or "")
        client = paramiko.SFTPClient.from_transport(transport)
        client.get_channel().settimeout(timeout)
        return transport, client
    except BaseException:
        transport.close()
        raise


def _candidates(client, source: Source) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime) of regular files in the folder matching the pattern."""
    found = {}
    for entry in client.listdir_attr(source.path):
        name = entry.filename
        if (
            name.startswith(".")  # hidden: how many uploaders write before renaming
            or name.casefold().endswith(PARTIAL_SUFFIXES)
            or not stat.S_ISREG(entry.st_mode or 0)
            or not fnmatch.fnmatch(name.casefold(), source.pattern.casefold())
        ):
            continue
        found[posixpath.join(source.path, name)] = (entry.st_size, entry.st_mtime)
    return found


def fetch(conn, landing: Path, feed: Feed, source: Source) -> list[str]:
    """Fetch every new, settled file of this source into <landing>/<feed>/; returns landed names."""
    clear_temp(landing, source.key)
    scratch = temp_dir(landing, source.key)
    transport, client = connect(source.connection)
    landed: list[str] = []
    try:
        first = _candidates(client, source)
        new = {
            path: look
            for path, look in sorted(first.items())
            if (state := fetch_state(conn, _origin(source, path, look))) is None or state[0] != "landed"
        }
        if not new:
            return landed
        settle = source.settle_seconds if source.settle_seconds is not None else settle_seconds()
        time.sleep(settle)
        second = _candidates(client, source)
        for path, look in new.items():
            if second.get(path) != look:
                log.info("%s on %s is still being written; taken next run", path, source.key)
                continue
            origin = _origin(source, path, look)
            temp = write_temp(
                scratch, _read(client, path, look[0]), fault=lambda: _fault("sftp_mid_download")
            )
            landed.append(land(conn, landing, feed.name, posixpath.basename(path), temp, origin))
    finally:
        client.close()
        transport.close()
    return landed


def _origin(source: Source, path: str, look: tuple[int, int]) -> Origin:
    size, mtime = look
    return Origin(
        channel="sftp",
        source=source.key,
        remote_key=f"{path}|{size}|{mtime}",
        remote_path=path,
        remote_mtime=utc_from_timestamp(mtime),
    )


def _read(client, path: str, size: int):
    """The file's bytes in chunks; a short read (connection dropped, file truncated) raises."""
    got = 0
    with client.open(path, "rb") as remote:
        remote.prefetch(size)
        while chunk := remote.read(CHUNK):
            got += len(chunk)
            yield chunk
    if got != size:
        raise SourceError(f"{path}: read {got} of {size} bytes; fetched again next run")
