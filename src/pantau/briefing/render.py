"""One briefing: read the marts and audit tables, render the PDF, archive it in `audit.briefings`."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from pantau import config
from pantau.briefing import chart, pdf, summary
from pantau.briefing.breakdowns import Breakdowns, load_breakdowns
from pantau.briefing.data import BriefingDataError, MartData, load_marts
from pantau.briefing.figures import fill_from_previous, read_figures, write_figures
from pantau.briefing.followup import follow_up
from pantau.briefing.formatting import Formatter, suppress_below
from pantau.briefing.labels import LANGUAGES, Labels, labels_for
from pantau.briefing.quality import QualityData, is_validated, load_quality
from pantau.calendar import Meeting, meeting_for, previous_meeting

log = logging.getLogger(__name__)

TOP_NATIONALITIES = 10
HELD_BACK_SHOWN = 15  # files listed in the quality section; the rest are counted, and in the audit trail


@dataclass(frozen=True)
class BriefingResult:
    path: Path
    sha256: str
    region_code: str
    meeting_date: date
    data_cutoff: date
    quality_status: str
    page_count: int
    briefing_id: str = ""
    language: str = "id"
    render_warnings: list[str] = field(default_factory=list)

    @property
    def validated(self) -> bool:
        """False when the inputs failed a gate (quality status says not validated): never e-mailed."""
        return is_validated(self.quality_status)


def briefing_id(region_code: str, meeting_date: date, language: str) -> str:
    """Stable per region, meeting and language: re-rendering replaces the archived row."""
    return f"briefing_{region_code}_{meeting_date.isoformat()}_{language}"


def briefing_filename(region_code: str, meeting_date: date, language: str) -> str:
    return f"{briefing_id(region_code, meeting_date, language)}.pdf"


def data_cutoff(meeting: Meeting) -> date:
    """An explicit cut-off (`pantau brief --cutoff`, the DAG form), else `PANTAU_AS_OF` when pinned
    (demo, tests, replays), else the meeting date minus lead days."""
    return meeting.cutoff or config.as_of() or meeting.data_cutoff


def default_out_dir() -> Path:
    return config.output_dir() / "briefings"


def freshness_as_of(meeting: Meeting, cutoff: date) -> datetime:
    """Feeds are judged as of the end of the cut-off day (meeting's time zone), never after now."""
    end_of_day = datetime.combine(cutoff + timedelta(days=1), time(0), tzinfo=ZoneInfo(meeting.timezone))
    return min(end_of_day, datetime.now(ZoneInfo(meeting.timezone)))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _nationality_rows(marts: MartData, labels: Labels) -> list[dict[str, Any]]:
    def label(row) -> str:
        if row.country_code is None:
            return labels["unidentified"]
        return f"{row.name} ({row.country_code})" if row.name else row.country_code

    rows = [{"label": label(r), "present": r.present} for r in marts.nationalities[:TOP_NATIONALITIES]]
    rest = marts.nationalities[TOP_NATIONALITIES:]
    if rest:
        rows.append(
            {
                "label": labels["other_countries"].format(n=len(rest)),
                "present": sum(r.present for r in rest),
            }
        )
    return rows


def _charts(marts: MartData, extra: Breakdowns, labels: Labels, fmt: Formatter) -> dict[str, dict]:
    """Vector charts: foreigners per kab/kota (province), presence over 13 weeks, top nationalities,
    weekly arrivals."""
    charts: dict[str, dict] = {}

    def add(name: str, title: str, svg: str) -> None:
        charts[name] = {"title": title, "uri": chart.svg_data_uri(svg)}

    if marts.region.is_province and marts.has_presence:
        bars = [
            (r.region_name or r.region_code or labels["unidentified"], r.present)
            for r in marts.regions
            if r.region_code is not None
        ]
        add("region", labels["chart_by_region"], chart.bar_chart_svg(labels["chart_by_region"], bars, fmt))
    if extra.presence and len(extra.presence) > 1:
        points = [(fmt.short_date(day), n) for day, n in extra.presence]
        title = labels["chart_presence_trend"]
        add("presence", title, chart.line_chart_svg(title, points, fmt))
    if marts.has_presence:
        bars = [(r.name or r.country_code or labels["unidentified"], r.present) for r in marts.nationalities]
        title = labels["chart_by_country"]
        add("country", title, chart.bar_chart_svg(title, bars[:TOP_NATIONALITIES], fmt))
    if extra.arrivals is not None and extra.arrivals.weeks:
        points = [(fmt.short_date(w.week_end), w.arrivals) for w in extra.arrivals.weeks]
        title = labels["chart_arrivals"]
        add("arrivals", title, chart.line_chart_svg(title, points, fmt))
    return charts


def region_namer(marts: MartData, labels: Labels):
    names = {r.region_code: r.region_name for r in marts.scope} | {
        r.region_code: r.region_name for r in marts.regions if r.region_name
    }

    def name(code: str | None) -> str:
        if code is None:
            return labels["unidentified"]
        return names.get(code) or code

    return name


def build_context(
    meeting: Meeting,
    previous: Meeting | None,
    cutoff: date,
    marts: MartData,
    quality: QualityData,
    *,
    language: str,
    generated_at: datetime,
    extra: Breakdowns | None = None,
) -> dict[str, Any]:
    labels = labels_for(language)
    fmt = Formatter(labels, suppress_below())
    extra = extra or Breakdowns()
    region_name = region_namer(marts, labels)
    reference_note = ""
    if marts.reference_date is not None and marts.reference_date != cutoff:
        reference_note = labels["reference_mismatch"].format(
            mart=fmt.date(marts.reference_date), cutoff=fmt.date(cutoff)
        )
    if marts.findings_since is not None:
        findings_intro = labels["findings_intro_since"].format(since=fmt.date(marts.findings_since))
    else:
        findings_intro = labels["findings_intro_first"]
    starts = meeting.starts_at
    validated = quality.validated
    marking = labels["classification"]
    if not validated:
        marking = f"{marking} · {labels['not_validated_marking']}"
    reference = marts.reference_date or cutoff
    # A meeting not in the calendar has no title of its own: a generic one, and the cut-off says why.
    meeting_title = meeting.title or labels["ad_hoc_title"].format(region=marts.region.region_name)
    since_text = f" ({fmt.date(marts.findings_since)})" if marts.findings_since else ""
    return {
        "lang": language,
        "L": labels,
        "fmt": fmt,
        "doc_title": f"{labels['document_kind']}: {meeting_title}, {fmt.date(meeting.meeting_date)}",
        "meeting": meeting,
        "meeting_title": meeting_title,
        "meeting_venue": meeting.venue or labels["venue_unknown"],
        "meeting_when": f"{fmt.long_date(starts.date())}, {fmt.clock(starts)}",
        "previous": previous,
        "region": marts.region,
        "region_name": region_name,
        "cutoff": cutoff,
        "generated_at": fmt.timestamp(generated_at),
        "generated_iso": generated_at.isoformat(timespec="seconds"),
        "marts": marts,
        "totals": marts.totals,
        "quality": quality,
        "held_back_shown": HELD_BACK_SHOWN,
        "validated": validated,
        "marking": marking,
        "not_validated_note": labels["not_validated_note"].format(status=labels[f"quality_{quality.status}"]),
        "headlines": summary.headlines(marts, extra.workers, extra.arrivals, labels, fmt),
        "developments": summary.developments(
            marts, quality, extra.workers, extra.arrivals, labels, fmt, region_name
        ),
        "nationality_rows": _nationality_rows(marts, labels),
        "charts": _charts(marts, extra, labels, fmt),
        "permits": extra.permits,
        "workers": extra.workers,
        "arrivals": extra.arrivals,
        "follow_up": follow_up(marts.findings),
        "finding_label": lambda code: summary.finding_label(marts, code),
        # Names, definitions and order of the finding types: the finding catalogue only.
        "finding_catalogue": marts.catalogue,
        "suppress_below": fmt.suppress_below,
        "chart_note": labels["chart_suppressed_note"].format(k=fmt.suppress_below),
        "suppression_note": labels["method_suppression"].format(k=fmt.suppress_below),
        "presence_intro": labels["presence_intro"].format(date=fmt.date(reference)),
        "findings_intro": findings_intro,
        "reference_note": reference_note,
        "method_cutoff": labels["method_cutoff"].format(
            cutoff=fmt.date(cutoff), reference=fmt.date(reference), since=since_text
        ),
        "not_available": lambda mart: labels["not_available"].format(mart=mart),
    }


ARCHIVE_SQL = """
insert into audit.briefings (
    briefing_id, region_code, meeting_date, language, pdf_path, pdf_sha256,
    data_cutoff, quality_status, input_batches, generated_at
) values (
    %(briefing_id)s, %(region_code)s, %(meeting_date)s, %(language)s, %(pdf_path)s, %(pdf_sha256)s,
    %(data_cutoff)s, %(quality_status)s, %(input_batches)s, %(generated_at)s
)
on conflict (briefing_id) do update set
    region_code = excluded.region_code,
    meeting_date = excluded.meeting_date,
    language = excluded.language,
    pdf_path = excluded.pdf_path,
    pdf_sha256 = excluded.pdf_sha256,
    data_cutoff = excluded.data_cutoff,
    quality_status = excluded.quality_status,
    input_batches = excluded.input_batches,
    generated_at = excluded.generated_at,
    delivery_status = null,
    delivery_detail = null,
    delivered_to = null,
    delivered_at = null
"""


@dataclass(frozen=True)
class PreparedBriefing:
    """Everything read for one briefing, and its HTML, before any PDF exists."""

    meeting: Meeting
    cutoff: date
    quality: QualityData
    generated_at: datetime
    html: str
    marts: MartData
    extra: Breakdowns


def prepare_briefing(
    region_code: str,
    meeting_date: date | str,
    *,
    language: str = "id",
    dsn: str | None = None,
    calendar_path: Path | None = None,
    out_dir: Path | None = None,
    cutoff: date | str | None = None,
) -> PreparedBriefing:
    """Read the marts and audit tables for the meeting and render the briefing's HTML.

    out_dir: where briefings are kept (default `$PANTAU_OUTPUT_DIR/briefings`); the previous
    meeting's figures are looked up there.
    """
    if isinstance(meeting_date, str):
        meeting_date = date.fromisoformat(meeting_date)
    labels_for(language)  # reject an unknown language before touching the database
    # Any region and date: a meeting not in the calendar gets a generic title (see meeting_for).
    meeting = meeting_for(region_code, meeting_date, calendar_path, cutoff=cutoff)
    previous = previous_meeting(meeting, calendar_path)
    cutoff = data_cutoff(meeting)
    since = previous.data_cutoff if previous else None
    if since is not None and since >= cutoff:
        since = None  # a pinned cut-off before the previous meeting's: nothing to compare with

    with psycopg.connect(dsn or config.warehouse_dsn()) as conn:
        # One snapshot for every read, so the figures agree with each other.
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        try:
            with conn.transaction():
                # No JIT: the file-to-region lookup (audit.batch_regions) crosses its cost threshold
                # on a full warehouse and then compiles longer than it runs; the other reads are small.
                conn.execute("set local jit = off")
                marts = load_marts(conn, region_code, cutoff, findings_since=since, language=language)
                extra = load_breakdowns(conn, marts.region, cutoff, language, since)
                region_codes = {marts.region.region_code} | {r.region_code for r in marts.scope}
                quality = load_quality(
                    conn,
                    region_codes,
                    as_of=freshness_as_of(meeting, cutoff),
                    period_start=previous.briefing_due_at if previous else None,
                )
        except psycopg.errors.UndefinedTable as exc:
            raise BriefingDataError(
                f"{exc.diag.message_primary}: the marts are not built in this warehouse yet. "
                "Run the warehouse DAG (dbt build) first."
            ) from exc

    if previous is not None:
        folder = out_dir or default_out_dir()
        names = [
            briefing_filename(region_code, previous.meeting_date, lang) for lang in (language, *LANGUAGES)
        ]
        fill_from_previous(marts, extra, read_figures(folder, names))
    generated_at = generation_time(ZoneInfo(meeting.timezone))
    context = build_context(
        meeting, previous, cutoff, marts, quality, language=language, generated_at=generated_at, extra=extra
    )
    return PreparedBriefing(meeting, cutoff, quality, generated_at, pdf.render_html(context), marts, extra)


def generation_time(zone: ZoneInfo) -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention): with it, the
    same warehouse gives byte-identical PDFs, which is how the tests check determinism."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = datetime.fromtimestamp(int(epoch), zone) if epoch else datetime.now(zone)
    return now.replace(microsecond=0)


def render_briefing(
    region_code: str,
    meeting_date: date | str,
    *,
    language: str = "id",
    dsn: str | None = None,
    out_dir: Path | None = None,
    strict: bool | None = None,
    calendar_path: Path | None = None,
    cutoff: date | str | None = None,
) -> BriefingResult:
    """Render the briefing for the meeting of `region_code` on `meeting_date`: the calendar's, or
    an ad-hoc meeting (generic title) when the calendar has none that day.

    cutoff: explicit data cut-off (default: PANTAU_AS_OF, else meeting date minus lead days).

    strict: fail on any WeasyPrint warning (default: env `PANTAU_BRIEFING_STRICT`); otherwise
    warnings are logged and returned in `render_warnings`.
    """
    if isinstance(meeting_date, str):
        meeting_date = date.fromisoformat(meeting_date)
    strict = pdf.strict_default() if strict is None else strict
    dsn = dsn or config.warehouse_dsn()
    out_dir = out_dir or default_out_dir()
    prepared = prepare_briefing(
        region_code,
        meeting_date,
        language=language,
        dsn=dsn,
        calendar_path=calendar_path,
        out_dir=out_dir,
        cutoff=cutoff,
    )
    cutoff, quality = prepared.cutoff, prepared.quality
    target = out_dir / briefing_filename(region_code, meeting_date, language)
    output = pdf.write_pdf(prepared.html, target, strict=strict)
    write_figures(target, prepared.marts, prepared.extra)
    digest = sha256_file(target)

    row = {
        "briefing_id": briefing_id(region_code, meeting_date, language),
        "region_code": region_code,
        "meeting_date": meeting_date,
        "language": language,
        "pdf_path": str(target.resolve()),
        "pdf_sha256": digest,
        "data_cutoff": cutoff,
        "quality_status": quality.status,
        "input_batches": json.dumps(quality.input_batches),
        "generated_at": prepared.generated_at,
    }
    with psycopg.connect(dsn) as conn:
        conn.execute(ARCHIVE_SQL, row)
    log.info(
        "briefing %s rendered: %s (%d pages, sha256 %s, cut-off %s, inputs %s)",
        row["briefing_id"],
        target,
        output.page_count,
        digest,
        cutoff,
        quality.status,
    )
    return BriefingResult(
        path=target,
        sha256=digest,
        region_code=region_code,
        meeting_date=meeting_date,
        data_cutoff=cutoff,
        quality_status=quality.status,
        page_count=output.page_count,
        briefing_id=row["briefing_id"],
        language=language,
        render_warnings=output.warnings,
    )


__all__ = [
    "BriefingResult",
    "PreparedBriefing",
    "briefing_filename",
    "briefing_id",
    "data_cutoff",
    "prepare_briefing",
    "render_briefing",
]
