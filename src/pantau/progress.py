"""Progress lines for the command line: one line per event, with the time since the run began.

`pantau run` and `pantau demo` send the tasks' own output (Airflow's, dbt's, GX's) to the log
file; what a person watching needs is which stage is running and how far along it is. Code
anywhere in the pipeline calls `emit("...")`; while a command has opened a sink with
`to_terminal()`, the line goes to the terminal the command started on, even while the process's
stdout and stderr point at the log file (and then to the log file too); otherwise it is logged.

Nothing here imports Airflow; with no sink open (a task run by the scheduler), `emit` only logs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import IO

log = logging.getLogger("pantau.progress")

_lock = threading.Lock()
_sink: IO[str] | None = None
_started = time.monotonic()


def elapsed() -> float:
    return time.monotonic() - _started


def _stamp(seconds: float) -> str:
    """Minutes and seconds since the start, `+1:05`: not to be read as a time of day."""
    minutes, rest = divmod(int(seconds), 60)
    return f"+{minutes}:{rest:02d}"


def emit(message: str) -> None:
    """One progress event: printed on the command's terminal when one is open (and copied to
    stderr when that has been sent to the log file meanwhile); logged otherwise."""
    with _lock:
        if _sink is None:
            log.info("progress: %s", message)
            return
        line = f"[{_stamp(elapsed())}] {message}\n"
        _sink.write(line)
        _sink.flush()
        if not _same_file(_sink.fileno(), 2):
            os.write(2, line.encode())


def _same_file(fd: int, other: int) -> bool:
    try:
        a, b = os.fstat(fd), os.fstat(other)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@contextlib.contextmanager
def to_terminal(fd: int = 1) -> Iterator[None]:
    """Print progress on the current `fd` (a duplicate of it, so later redirections of fd 1 to
    the log file do not capture the lines); the clock starts here."""
    global _sink, _started
    stream = os.fdopen(os.dup(fd), "w", buffering=1)
    with _lock:
        previous, _sink = _sink, stream
        if previous is None:
            _started = time.monotonic()
    try:
        yield
    finally:
        with _lock:
            _sink = previous
        stream.close()


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """`name ...` when it starts, `name done in N s` (or `failed`) when it ends."""
    emit(f"{name} ...")
    begun = time.monotonic()
    try:
        yield
    except BaseException:
        emit(f"{name} failed after {time.monotonic() - begun:.1f} s")
        raise
    emit(f"{name} done in {time.monotonic() - begun:.1f} s")
