"""The Rakor briefing PDF: marts and audit tables in, one archived PDF per meeting out.

Heavy libraries (WeasyPrint, pygal) are imported only while rendering, so DAG files can import
this package cheaply.
"""

from __future__ import annotations

from pantau.briefing.data import BriefingDataError
from pantau.briefing.pdf import RenderWarningError, capture_weasyprint_warnings
from pantau.briefing.render import BriefingResult, briefing_filename, briefing_id, render_briefing

__all__ = [
    "BriefingDataError",
    "BriefingResult",
    "RenderWarningError",
    "briefing_filename",
    "briefing_id",
    "capture_weasyprint_warnings",
    "render_briefing",
]
