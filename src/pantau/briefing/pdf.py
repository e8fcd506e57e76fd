"""HTML template to PDF: one Jinja environment, WeasyPrint, and a watch on WeasyPrint's warnings.

A WeasyPrint warning (missing font, image or unsupported CSS) means the PDF is not what the
template says. `capture_weasyprint_warnings(strict=True)` turns them into an error (tests, and
anyone who asks); otherwise they are logged and returned with the result.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pantau.config import REPORT_TEMPLATES_DIR

TEMPLATE_DIR = REPORT_TEMPLATES_DIR / "briefing"
TEMPLATE_NAME = "template.html"

log = logging.getLogger(__name__)


class RenderWarningError(RuntimeError):
    """WeasyPrint warned while rendering; the PDF would not look as designed."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("WeasyPrint warned while rendering the briefing:\n  " + "\n  ".join(messages))


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@contextmanager
def capture_weasyprint_warnings(strict: bool = False) -> Iterator[list[str]]:
    """Collect WARNING+ records of the `weasyprint` logger inside the block.

    strict: raise RenderWarningError at the end of the block if anything was logged;
    otherwise log each message on this module's logger and leave them in the yielded list.
    """
    logger = logging.getLogger("weasyprint")
    handler = _ListHandler()
    previous_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    if handler.messages:
        if strict:
            raise RenderWarningError(handler.messages)
        for message in handler.messages:
            log.warning("weasyprint: %s", message)


def strict_default() -> bool:
    """`PANTAU_BRIEFING_STRICT=1` makes every render fail on a WeasyPrint warning."""
    return os.environ.get("PANTAU_BRIEFING_STRICT", "").lower() in ("1", "true", "yes")


@cache
def environment():
    """The one Jinja environment of the briefing: autoescaped, and an undefined name is an error."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(context: dict[str, Any]) -> str:
    return environment().get_template(TEMPLATE_NAME).render(**context)


@dataclass(frozen=True)
class PdfOutput:
    page_count: int
    warnings: list[str]


def layout(html: str, base_url: Path = TEMPLATE_DIR):
    """WeasyPrint's laid-out Document (pages and boxes) for `html`."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=html, base_url=f"{base_url.resolve().as_uri()}/").render(
        font_config=FontConfiguration()
    )


def write_pdf(html: str, target: Path, *, strict: bool = False, base_url: Path = TEMPLATE_DIR) -> PdfOutput:
    """Render `html` to `target` (written atomically); relative URLs resolve against `base_url`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with capture_weasyprint_warnings(strict=strict) as messages:
            document = layout(html, base_url)
            document.write_pdf(partial)
    except BaseException:
        partial.unlink(missing_ok=True)  # never leave a half-checked PDF behind
        raise
    partial.replace(target)
    return PdfOutput(page_count=len(document.pages), warnings=list(messages))
