"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

`make setup` installs Debian's `chromium` (Playwright's own browser download is never used: this
machine reaches no host but the package registries). Flags keep Chromium from calling Google's
services, which the closed network would refuse many times a start.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or (str(CHROMIUM) if CHROMIUM.exists() else None)
    if path is None:
        raise RuntimeError("Debian's chromium is not installed: run `make setup` (it installs it)")
    return path


@contextmanager
def browser_context(tmp_path: Path) -> Iterator:
    """A Playwright browser context on a fresh profile under `tmp_path`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium_path(),
            headless=True,
            args=FLAGS,
        )
        try:
            yield context
        finally:
            context.close()
