"""One RFC 5322 message in, one InboundEvent out (or the reason there is none).

What an event carries from the mail:

- ``external_id`` is the Message-ID without its angle brackets; a message without one gets
  ``sha256:<hex of its bytes>``, stable across re-fetches so that de-duplication still works.
- ``thread_id`` is the thread's root: the first References id, else In-Reply-To, else the
  message's own id. ``references`` and ``in_reply_to`` are kept for the pipeline's threading.
- ``text`` is what the author wrote this time (quoted history and signature trimmed, see
  ``quotes.py``); ``full_text`` is the whole decoded plain body when that differs (rendered
  from the HTML for HTML-only mail); ``html`` is the HTML part as received; ``raw`` holds the
  headers a person may want to check and the IMAP UID. Attachments are listed, their bytes
  are not kept.
- ``created_at`` comes from Date; a missing or unreadable Date falls back to the time the
  server received the message (IMAP INTERNALDATE), else to now. Never naive.
- Mail from the channel's own address (a copy of a reply we sent) is an outbound event
  without author.

Auto-replies and bounces are skipped; a message that cannot become an event gives an error
with the reason. Nothing raises: one bad message never stops a poll or an import.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from pydantic import ValidationError

from comptoir.channels.email.automatic import automatic_reason
from comptoir.channels.email.mime import Body, decode_header_value, extract_body
from comptoir.channels.email.quotes import visible_text
from comptoir.channels.events import MAX_HTML, MAX_ID, Attachment, Author, InboundEvent
from comptoir.people.models import IdentityKind

MAX_SUBJECT = 300
MAX_DISPLAY_NAME = 200
MAX_REFERENCES = 200
MAX_ATTACHMENTS = 100
RAW_HEADERS = (
    "Message-ID",
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Date",
    "Subject",
    "In-Reply-To",
    "References",
    "List-Id",
)

_ANGLE_ID = re.compile(r"<([^<>]*)>")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class ParsedEmail:
    """What became of one message: an event, a deliberate skip, or an error.

    ``skipped`` names the kind of mail no person wrote ("auto-reply", "bounce", "bulk mail",
    "read receipt"), with the header evidence in ``detail``; such mail is counted, not
    stored. ``error`` says why a message could not become an event (the pipeline keeps it
    as a rejection).
    """

    event: InboundEvent | None = None
    skipped: str = ""
    detail: str = ""
    error: str = ""


def parse_message(
    raw: bytes,
    *,
    mailbox_address: str = "",
    received_at: datetime | None = None,
    uid: int | None = None,
) -> ParsedEmail:
    """Parse one message as fetched from ``mailbox_address``'s mailbox.

    ``received_at`` is the server's arrival time (IMAP INTERNALDATE), used when the Date
    header is missing or unreadable; ``uid`` is recorded in ``raw`` for tracing.
    """
    try:
        return _parse(raw, mailbox_address.strip().lower(), received_at, uid)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'event'}: {error['msg']}"
            for error in exc.errors()
        )
        return ParsedEmail(error=f"the message does not fit an event: {problems}")
    except Exception as exc:  # a parser defect on one odd message must not stop the poll
        return ParsedEmail(error=f"the message could not be parsed: {type(exc).__name__}: {exc}")


def _parse(
    raw: bytes, mailbox_address: str, received_at: datetime | None, uid: int | None
) -> ParsedEmail:
    # compat32 is the lenient parser: it never raises on access, it records defects.
    message = message_from_bytes(raw, policy=compat32)
    display_name, sender = _sender(message)
    automatic = automatic_reason(message, sender)
    if automatic:
        return ParsedEmail(skipped=automatic[0], detail=automatic[1])
    if not sender:
        return ParsedEmail(error="no sender address: the From header is missing or holds none")

    message_id = _first_id(message, "Message-ID") or _synthetic_id(raw)
    references = _references(message)
    in_reply_to = _first_id(message, "In-Reply-To")
    subject = decode_header_value(message.get("Subject"))
    body = extract_body(message)
    text = visible_text(body.text) if body.text.strip() else ""
    if not (text or body.html or body.attachments):
        # A subject-only message ("Please call me back") is still a message.
        text = subject
        if not text:
            return ParsedEmail(error="empty message: no text, no HTML, no subject, no attachment")

    outbound = bool(mailbox_address) and sender == mailbox_address
    event = InboundEvent(
        external_id=message_id,
        thread_id=references[0] if references else in_reply_to or message_id,
        in_reply_to=in_reply_to,
        references=references,
        author=None
        if outbound
        else Author(
            kind=IdentityKind.EMAIL,
            external_id=sender,
            display_name=display_name[:MAX_DISPLAY_NAME],
            email=sender,
        ),
        direction="outbound" if outbound else "inbound",
        # Cut to the contract's limit rather than lose the message; raw keeps the header.
        subject=subject[:MAX_SUBJECT],
        text=text,
        full_text=body.text if body.text != text and len(body.text) <= MAX_HTML else "",
        html=body.html if len(body.html) <= MAX_HTML else "",
        created_at=_created_at(message, received_at),
        visibility="private",
        kind="email",
        language=_language(message),
        attachments=[
            Attachment(name=item.name[:255], content_type=item.content_type[:127], size=item.size)
            for item in body.attachments[:MAX_ATTACHMENTS]
        ],
        raw=_raw(message, body, uid),
    )
    return ParsedEmail(event=event)


def _sender(message: Message) -> tuple[str, str]:
    """(display name, lowercased address) of who wrote it; From, else Sender, else Reply-To."""
    for header in ("From", "Sender", "Reply-To"):
        for name, address in getaddresses([str(value) for value in message.get_all(header, [])]):
            address = decode_header_value(address).strip().lower()
            if "@" in address and " " not in address:
                return decode_header_value(name), address
    return "", ""


def _synthetic_id(raw: bytes) -> str:
    """A stable id for a message without Message-ID; IMAP serves CRLF, files often LF."""
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
    return f"sha256:{digest}"


def _ids(value: str) -> list[str]:
    """Message ids in a header, without brackets, in order, each once."""
    found = _ANGLE_ID.findall(value) or [token for token in value.split() if "@" in token]
    return list(dict.fromkeys(_normalise_id(item) for item in found if item.strip()))


def _normalise_id(value: str) -> str:
    value = "".join(value.split())  # folding may have cut an id
    if len(value) > MAX_ID:
        return f"sha256:{hashlib.sha256(value.encode()).hexdigest()}"
    return value


def _first_id(message: Message, header: str) -> str:
    ids = _ids(decode_header_value(message.get(header), words=False))
    return ids[0] if ids else ""


def _references(message: Message) -> list[str]:
    ids = _ids(decode_header_value(message.get("References"), words=False))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]  # the root and the latest
    return ids


def _created_at(message: Message, received_at: datetime | None) -> datetime:
    value = decode_header_value(message.get("Date"))
    written: datetime | None = None
    if value:
        try:
            written = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            written = None
    when = written or received_at or datetime.now(tz=UTC)
    # RFC 5322's "-0000" (and a naive server time) mean UTC with no local zone known.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _language(message: Message) -> str:
    value = decode_header_value(message.get("Content-Language"))
    primary = value.split(",")[0].strip().split("-")[0].lower()
    return primary if _LANGUAGE_TAG.match(primary) else ""


def _raw(message: Message, body: Body, uid: int | None) -> dict[str, Any]:
    headers = {
        name.lower(): decode_header_value(message.get(name))
        for name in RAW_HEADERS
        if message.get(name) is not None
    }
    raw: dict[str, Any] = {"headers": headers}
    if uid is not None:
        raw["uid"] = uid
    # Left out rather than cut, and said so: a cut HTML document no longer renders.
    if len(body.html) > MAX_HTML:
        raw["html_omitted"] = f"{len(body.html)} characters, over the {MAX_HTML} limit"
    if len(body.text) > MAX_HTML:
        raw["full_text_omitted"] = f"{len(body.text)} characters, over the {MAX_HTML} limit"
    if len(body.attachments) > MAX_ATTACHMENTS:
        raw["attachments_total"] = len(body.attachments)
    return raw
