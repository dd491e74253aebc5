"""The email adapter: polls an IMAP folder into InboundEvents, sends replies over SMTP.

Poll state: ``{"uidvalidity": int, "last_uid": int}`` (see ``imap.py``). A poll takes at
most ``max_per_poll`` messages, so a first poll of a large mailbox comes in several batches
instead of one that holds the whole mailbox in memory; the next poll goes on from there.
"""

from __future__ import annotations

from typing import Any

from comptoir.channels.adapters import (
    Adapter,
    AdapterError,
    OutboundMessage,
    PollResult,
    SendResult,
    read_configuration,
    register,
)
from comptoir.channels.config import EmailSecrets, EmailSettings
from comptoir.channels.email.imap import Mailbox, fetch_new
from comptoir.channels.email.parse import parse_message
from comptoir.channels.email.smtp import Relay, send_message
from comptoir.channels.events import InboundEvent


@register
class EmailAdapter(Adapter):
    kind = "email"
    resends_safely = True  # every attempt carries the Message-ID stored with the reply
    max_per_poll = 1000

    def poll(self, state: dict[str, Any]) -> PollResult:
        settings, secrets = self._configuration()
        if not settings.imap_host:
            raise AdapterError("this email channel has no IMAP server set")
        mailbox = Mailbox(
            host=settings.imap_host,
            port=settings.imap_port,
            ssl=settings.imap_ssl,
            user=settings.imap_user or str(settings.address),
            password=secrets.imap_password.get_secret_value(),
            folder=settings.imap_folder,
        )
        uidvalidity, last_uid = _bookmark(state)
        fetched = fetch_new(
            mailbox, uidvalidity=uidvalidity, last_uid=last_uid, limit=self.max_per_poll
        )
        events: list[InboundEvent] = []
        unreadable: list[tuple[str, str, str]] = []
        ignored = 0
        for message in fetched.messages:
            parsed = parse_message(
                message.raw,
                mailbox_address=str(settings.address),
                received_at=message.received_at,
                uid=message.uid,
            )
            if parsed.event is not None:
                events.append(parsed.event)
            elif parsed.skipped:
                ignored += 1
            else:
                # PostgreSQL text refuses NUL; the bytes are mail, mostly ASCII or UTF-8.
                raw = message.raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
                unreadable.append((f"UID {message.uid}", raw, parsed.error))
        return PollResult(
            events=events,
            state={"uidvalidity": fetched.uidvalidity, "last_uid": fetched.last_uid},
            ignored=ignored,
            unreadable=unreadable,
        )

    def send(self, message: OutboundMessage) -> SendResult:
        settings, secrets = self._configuration()
        if not settings.smtp_host:
            raise AdapterError("this email channel has no SMTP server set")
        relay = Relay(
            host=settings.smtp_host,
            port=settings.smtp_port,
            starttls=settings.smtp_starttls,
            user=settings.smtp_user,
            password=secrets.smtp_password.get_secret_value(),
        )
        message_id = send_message(relay, message, from_address=str(settings.address))
        return SendResult(external_id=message_id)

    def _configuration(self) -> tuple[EmailSettings, EmailSecrets]:
        settings, secrets = read_configuration(self.channel, EmailSettings, EmailSecrets, "email")
        return settings, secrets


def _bookmark(state: dict[str, Any]) -> tuple[int, int]:
    """(uidvalidity, last_uid); a state that does not parse starts over, which is safe."""
    try:
        return int(state.get("uidvalidity", 0)), int(state.get("last_uid", 0))
    except (TypeError, ValueError):
        return 0, 0
