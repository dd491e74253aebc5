"""Sending a reply over SMTP, threaded so that the customer's mail client files it right.

A reply carries In-Reply-To (the message answered), References (the thread so far, then
that message) and a Message-ID of the channel's own domain. That Message-ID is returned as
the stored message's external id: the customer's next answer names it in In-Reply-To and
threads back to it. Port 465 speaks TLS from the first byte (RFC 8314); on other ports
STARTTLS is used when the channel asks for it, and the server's certificate is verified.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from comptoir.channels.adapters import AdapterError, OutboundMessage

IMPLICIT_TLS_PORT = 465  # RFC 8314 submission over TLS: no STARTTLS step on this port
_ALREADY_A_REPLY = re.compile(r"^\s*re\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    starttls: bool
    user: str = ""
    password: str = ""
    timeout: float = 30

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def reply_subject(subject: str) -> str:
    """The subject with one "Re: " in front; a "Re: Re: Re:" chain helps nobody."""
    subject = subject.strip()
    return subject if _ALREADY_A_REPLY.match(subject) else f"Re: {subject}".strip()


def build_message(message: OutboundMessage, *, from_address: str) -> EmailMessage:
    """The MIME message for ``message``; raises AdapterError for unusable header values."""
    if "@" not in message.recipient:
        raise AdapterError(f"{message.recipient!r} is not an email address")
    email = EmailMessage()
    domain = from_address.rpartition("@")[2]
    try:
        email["From"] = from_address
        email["To"] = message.recipient
        email["Subject"] = (
            reply_subject(message.subject) if message.in_reply_to else message.subject
        )
        email["Date"] = format_datetime(datetime.now(tz=UTC))
        email["Message-ID"] = (
            f"<{message.message_id}>" if message.message_id else make_msgid(domain=domain)
        )
        if message.in_reply_to:
            # The message answered comes last, as RFC 5322 wants: clients read it as the parent.
            earlier = [ref for ref in message.references if ref != message.in_reply_to]
            thread = list(dict.fromkeys([*earlier, message.in_reply_to]))
            email["In-Reply-To"] = f"<{message.in_reply_to}>"
            email["References"] = " ".join(f"<{item}>" for item in thread)
        # Quoted-printable keeps accented French readable and passes any relay, 8BITMIME or not.
        email.set_content(message.text, charset="utf-8", cte="quoted-printable")
        if message.html:
            email.add_alternative(
                message.html, subtype="html", charset="utf-8", cte="quoted-printable"
            )
    except (ValueError, TypeError) as exc:  # a line break in a header, an address that is not one
        raise AdapterError(f"the reply cannot be written as an email: {exc}") from exc
    return email


def send_message(relay: Relay, message: OutboundMessage, *, from_address: str) -> str:
    """Send ``message`` through ``relay``; the Message-ID sent, without angle brackets."""
    email = build_message(message, from_address=from_address)
    try:
        _deliver(relay, email, from_address=from_address, recipient=message.recipient)
    except smtplib.SMTPAuthenticationError as exc:
        raise AdapterError(
            f"the SMTP server {relay.where} refused the login of {relay.user!r}: "
            "check the user name and password"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise AdapterError(f"the SMTP server {relay.where} does not offer STARTTLS") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise AdapterError(
            f"the SMTP server {relay.where} refused the recipient {message.recipient!r}"
        ) from exc
    except smtplib.SMTPException as exc:
        raise AdapterError(
            f"the SMTP server {relay.where} refused the message: {_reason(exc)}"
        ) from exc
    except TimeoutError as exc:
        raise AdapterError(f"the SMTP server {relay.where} did not answer in time") from exc
    except ssl.SSLCertVerificationError as exc:
        raise AdapterError(
            f"the SMTP server {relay.where} has a certificate that does not verify: "
            f"{exc.verify_message}"
        ) from exc
    except OSError as exc:  # refused connection, unknown host, TLS handshake failure
        raise AdapterError(f"cannot reach the SMTP server {relay.where}: {_reason(exc)}") from exc
    return str(email["Message-ID"]).strip().strip("<>")


def _deliver(relay: Relay, email: EmailMessage, *, from_address: str, recipient: str) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if relay.port == IMPLICIT_TLS_PORT:
        smtp = smtplib.SMTP_SSL(relay.host, relay.port, timeout=relay.timeout, context=context)
    else:
        smtp = smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout)
    with smtp:
        if relay.starttls and relay.port != IMPLICIT_TLS_PORT:
            smtp.starttls(context=context)
        if relay.user:
            smtp.login(relay.user, relay.password)
        smtp.send_message(email, from_addr=from_address, to_addrs=[recipient])


def _reason(exc: Exception) -> str:
    """The server's words on one line ("550 5.7.1 Relaying denied"), not a tuple of bytes."""
    if isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        if isinstance(said, bytes):
            said = said.decode(errors="replace")
        text = f"{exc.smtp_code} {said}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())
