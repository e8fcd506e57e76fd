"""The aiosmtpd handler the mail tests share (briefing delivery, agency feedback)."""

from __future__ import annotations

import email
import email.policy


class Outbox:
    """aiosmtpd handler: keeps every envelope the SMTP server was asked to send."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]
