"""E-mail a rendered briefing to its meeting's recipients through an Airflow SMTP connection.

The connection (default `smtp_default`) comes from Airflow: in production the environment
variable `AIRFLOW_CONN_SMTP_DEFAULT`, e.g.
`smtp://user:password@mail.example:587?from_email=pantau%40example.go.id`. Only validated
briefings leave the building: one whose inputs failed a quality gate is refused here (the PDF
itself is still rendered and archived, marked as not validated).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import psycopg
from markupsafe import escape

from pantau import config
from pantau.briefing.formatting import Formatter
from pantau.briefing.labels import labels_for
from pantau.briefing.render import BriefingResult, sha256_file
from pantau.calendar import Meeting

log = logging.getLogger(__name__)

FROM_ENV = "PANTAU_MAIL_FROM"  # sender when the SMTP connection has no `from_email` extra


class DeliveryRefused(RuntimeError):
    """The briefing must not be sent; `reason` says why (and nothing was sent)."""

    def __init__(self, briefing_id: str, reason: str):
        self.briefing_id = briefing_id
        self.reason = reason
        super().__init__(f"briefing {briefing_id} not sent: {reason}")


@dataclass(frozen=True)
class Delivery:
    briefing_id: str
    recipients: tuple[str, ...]
    subject: str
    attachment: str  # file name as attached
    sha256: str


def mail_subject(result: BriefingResult, meeting: Meeting) -> str:
    labels = labels_for(result.language)
    return labels["mail_subject"].format(
        marking=labels["classification"],
        kind=labels["document_kind"],
        title=meeting.title,
        date=Formatter(labels).date(meeting.meeting_date),
    )


def mail_body(result: BriefingResult, meeting: Meeting) -> str:
    """A short HTML cover note: meeting, cut-off, quality, checksum. No figures, no personal data."""
    labels = labels_for(result.language)
    fmt = Formatter(labels)
    text = labels["mail_body"].format(
        title=meeting.title,
        when=f"{fmt.long_date(meeting.meeting_date)}, {fmt.clock(meeting.starts_at)}",
        venue=meeting.venue,
        cutoff=fmt.date(result.data_cutoff),
        quality=labels[f"quality_{result.quality_status}"],
    )
    return (
        f"<p>{escape(labels['mail_greeting'])}</p>\n<p>{escape(text)}</p>\n"
        f"<p>{escape(labels['mail_checksum'])}: <code>{result.sha256}</code></p>\n"
        f"<p><em>{escape(labels['handling_note'])}</em></p>\n<p>{escape(labels['team'])}</p>\n"
    )


def check_deliverable(result: BriefingResult, meeting: Meeting) -> None:
    """Raise DeliveryRefused unless this briefing may be e-mailed to this meeting as it stands."""
    if not result.validated:
        raise DeliveryRefused(
            result.briefing_id,
            f"its inputs are not validated (quality status '{result.quality_status}'); the PDF is "
            f"rendered and archived at {result.path}, marked as not validated",
        )
    if (result.region_code, result.meeting_date) != (meeting.region_code, meeting.meeting_date):
        raise DeliveryRefused(
            result.briefing_id,
            f"it is for region {result.region_code} on {result.meeting_date}, "
            f"not meeting {meeting.meeting_id}",
        )
    if not meeting.recipients:
        raise DeliveryRefused(
            result.briefing_id, f"meeting {meeting.meeting_id} has no recipients in the calendar"
        )
    if not result.path.is_file():
        raise DeliveryRefused(result.briefing_id, f"the PDF {result.path} does not exist")
    actual = sha256_file(result.path)
    if actual != result.sha256:
        # Someone re-rendered or altered the file after it was archived: send nothing unverified.
        raise DeliveryRefused(
            result.briefing_id,
            f"{result.path} has sha256 {actual}, not the archived {result.sha256}",
        )


def send_briefing(
    result: BriefingResult, meeting: Meeting, *, conn_id: str = "smtp_default", dsn: str | None = None
) -> Delivery:
    """E-mail the briefing PDF to the meeting's recipients (calendar `recipients`).

    Raises DeliveryRefused (nothing sent) when the inputs are not validated, the meeting has no
    recipients, or the file on disk is not the archived one. SMTP errors propagate. Every attempt
    is recorded on the briefing's `audit.briefings` row (sent / refused / failed).
    """
    try:
        delivery = _send(result, meeting, conn_id)
    except DeliveryRefused as refused:
        record_delivery(result.briefing_id, "refused", refused.reason, dsn=dsn)
        raise
    except Exception as exc:
        record_delivery(result.briefing_id, "failed", f"{type(exc).__name__}: {exc}"[:500], dsn=dsn)
        raise
    record_delivery(result.briefing_id, "sent", f"via {conn_id}", recipients=delivery.recipients, dsn=dsn)
    return delivery


def record_delivery(
    briefing_id: str, status: str, detail: str, *, recipients: tuple[str, ...] = (), dsn: str | None = None
) -> None:
    """Note the attempt on the briefing's archive row, so auditors see what left the building."""
    with psycopg.connect(dsn or config.warehouse_dsn()) as conn:
        conn.execute(
            "update audit.briefings set delivery_status = %s, delivery_detail = %s, delivered_to = %s, "
            "delivered_at = case when %s = 'sent' then now() end where briefing_id = %s",
            (status, detail, list(recipients) or None, status, briefing_id),
        )


class NoSender(ValueError):
    """Neither the SMTP connection nor the environment names a sender address."""


def send_mail(
    *,
    to: tuple[str, ...] | list[str],
    subject: str,
    html: str,
    files: list[str] | None = None,
    headers: dict[str, str] | None = None,
    conn_id: str = "smtp_default",
) -> str:
    """Send one e-mail through the Airflow SMTP connection; returns the sender address used.
    The one SMTP path of Pantau (briefings and feedback to agencies). SMTP errors propagate."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook  # Airflow only when actually sending

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        sender = hook.from_email or os.environ.get(FROM_ENV)
        if not sender:
            raise NoSender(
                f"no sender address: set the `from_email` extra of Airflow connection {conn_id!r} "
                f"or {FROM_ENV}"
            )
        hook.send_email_smtp(
            to=list(to),
            from_email=sender,
            subject=subject,
            html_content=html,
            files=files or [],
            custom_headers=headers or {},
        )
    return sender


def _send(result: BriefingResult, meeting: Meeting, conn_id: str) -> Delivery:
    check_deliverable(result, meeting)

    subject = mail_subject(result, meeting)
    recipients = tuple(meeting.recipients)
    try:
        send_mail(
            to=recipients,
            subject=subject,
            html=mail_body(result, meeting),
            files=[str(result.path)],
            headers={"X-Pantau-Briefing-Id": result.briefing_id, "X-Pantau-SHA256": result.sha256},
            conn_id=conn_id,
        )
    except NoSender as missing:
        raise DeliveryRefused(result.briefing_id, str(missing)) from None
    log.info(
        "briefing %s e-mailed to %s via %s (sha256 %s)",
        result.briefing_id,
        ", ".join(recipients),
        conn_id,
        result.sha256,
    )
    return Delivery(
        briefing_id=result.briefing_id,
        recipients=recipients,
        subject=subject,
        attachment=result.path.name,
        sha256=result.sha256,
    )


__all__ = [
    "Delivery",
    "DeliveryRefused",
    "check_deliverable",
    "mail_body",
    "mail_subject",
    "record_delivery",
    "send_briefing",
    "send_mail",
]
