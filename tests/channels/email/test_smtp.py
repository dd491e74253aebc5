"""Sending replies to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import re
import ssl
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from comptoir.channels.adapters import AdapterError, OutboundMessage, SendResult
from comptoir.channels.email.adapter import EmailAdapter
from comptoir.channels.email.smtp import reply_subject
from tests.channels.email.conftest import (
    ADDRESS,
    Certificate,
    SmtpFactory,
    SmtpServer,
    email_channel,
    free_port,
)

ROOT_ID = "5f1c2a9e-3b7d-4c0e-9a61-2d8e7f4b1c30@atelier-fontaine.example.fr"
LAST_ID = "a7d09b14-6c2e-4f8a-b3d5-9e1c0f2a4b68@atelier-fontaine.example.fr"
CUSTOMER = "c.fontaine@atelier-fontaine.example.fr"
TEXT = (
    "Bonjour Madame Fontaine,\n\n"
    "C'est noté : 40 appliques et 4 lampes de bureau Clémence, livraison le 25 janvier.\n"
    "Le devis révisé (8 120,00 € HT) vous parvient aujourd'hui.\n\n"
    "Léa, service client Maison Lumière"
)
REPLY = OutboundMessage(
    text=TEXT,
    recipient=CUSTOMER,
    subject="Re: Devis pour 40 appliques murales",
    in_reply_to=LAST_ID,
    references=(ROOT_ID, "20261117101500.7c2e@maison.example.com"),
)


def adapter_for(server: SmtpServer | None = None, **settings: Any) -> EmailAdapter:
    port = server.port if server else free_port()
    defaults = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    return EmailAdapter(email_channel(**{**defaults, **settings}))


def received(server: SmtpServer) -> tuple[Envelope, EmailMessage]:
    (envelope,) = server.handler.envelopes
    content = envelope.original_content or envelope.content
    assert isinstance(content, bytes)
    # As a mail client would store it: SMTP's CRLF line ends become the platform's.
    mail = message_from_bytes(content.replace(b"\r\n", b"\n"), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return envelope, mail


def test_a_reply_is_threaded_and_keeps_its_french_text(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    before = datetime.now(tz=UTC).replace(microsecond=0)

    result = adapter_for(server).send(REPLY)

    envelope, mail = received(server)
    assert envelope.mail_from == ADDRESS
    assert envelope.rcpt_tos == [CUSTOMER]
    assert mail["From"] == ADDRESS
    assert mail["To"] == CUSTOMER
    assert mail["Subject"] == "Re: Devis pour 40 appliques murales"  # not "Re: Re:"
    # Long ids are folded onto continuation lines, hence the whitespace normalisation.
    assert mail["In-Reply-To"].strip() == f"<{LAST_ID}>"
    assert " ".join(mail["References"].split()) == (
        f"<{ROOT_ID}> <20261117101500.7c2e@maison.example.com> <{LAST_ID}>"
    )
    assert re.fullmatch(r"<[^<>@]+@maison\.example\.com>", mail["Message-ID"])
    assert result == SendResult(external_id=mail["Message-ID"][1:-1])
    sent_at = parsedate_to_datetime(mail["Date"])
    assert before <= sent_at <= datetime.now(tz=UTC) + timedelta(seconds=1)
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().rstrip("\n") == TEXT


def test_a_first_reply_gets_re_once_and_an_html_alternative(smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    message = OutboundMessage(
        text="Bonjour, voici le suivi : https://suivi.example.com/MLU-20931",
        html="<p>Bonjour, voici <a href='https://suivi.example.com/MLU-20931'>le suivi</a>.</p>",
        recipient="marie.dupont@orange.example.fr",
        subject="Commande n° MLU-20931 toujours pas reçue",
        in_reply_to="1432948571.12873.1763282487211.JavaMail.open-xchange@opme11.example.fr",
    )

    adapter_for(server).send(message)

    _, mail = received(server)
    assert mail["Subject"] == "Re: Commande n° MLU-20931 toujours pas reçue"
    assert mail["References"].strip() == (
        "<1432948571.12873.1763282487211.JavaMail.open-xchange@opme11.example.fr>"
    )
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content().rstrip("\n") == message.text
    assert html.get_content().rstrip("\n") == message.html


def test_a_new_message_keeps_its_subject_and_has_no_thread_headers(
    smtp_server: SmtpFactory,
) -> None:
    server = smtp_server()

    adapter_for(server).send(
        OutboundMessage(text="Votre avoir est prêt.", recipient=CUSTOMER, subject="Avoir AV-12")
    )

    _, mail = received(server)
    assert mail["Subject"] == "Avoir AV-12"
    assert mail["In-Reply-To"] is None
    assert mail["References"] is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Devis", "Re: Devis"),
        ("Re: Devis", "Re: Devis"),
        ("RE: Devis", "RE: Devis"),
        ("re : Devis", "re : Devis"),
        ("  Devis  ", "Re: Devis"),
        ("", "Re:"),
        ("Fwd: Devis", "Re: Fwd: Devis"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_login_when_a_user_is_set(smtp_server: SmtpFactory) -> None:
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        good = isinstance(data, LoginPassword) and data == (b"service", b"smtp-s3cret")
        return AuthResult(success=good, handled=False)  # aiosmtpd answers 235 or 535

    server = smtp_server(authenticator=authenticate, auth_require_tls=False)

    adapter_for(server, smtp_user="service", smtp_password="smtp-s3cret").send(REPLY)
    assert len(server.handler.envelopes) == 1

    with pytest.raises(AdapterError) as error:
        adapter_for(server, smtp_user="service", smtp_password="wrong").send(REPLY)
    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{server.port} refused the login of 'service': "
        "check the user name and password"
    )


def test_starttls_when_configured(
    smtp_server: SmtpFactory, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    server = smtp_server(tls_context=context, require_starttls=True)
    adapter = adapter_for(server, smtp_starttls=True)

    with pytest.raises(AdapterError) as error:
        adapter.send(REPLY)
    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{server.port} has a certificate that does not verify: "
        "self-signed certificate"
    )

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    adapter.send(REPLY)

    envelope, mail = received(server)
    assert envelope.rcpt_tos == [CUSTOMER]
    assert mail["In-Reply-To"].strip() == f"<{LAST_ID}>"


def test_starttls_required_but_not_offered(smtp_server: SmtpFactory) -> None:
    server = smtp_server()

    with pytest.raises(AdapterError) as error:
        adapter_for(server, smtp_starttls=True).send(REPLY)

    assert str(error.value) == f"the SMTP server 127.0.0.1:{server.port} does not offer STARTTLS"
    assert server.handler.envelopes == []


def test_a_refused_recipient_is_an_adapter_error(smtp_server: SmtpFactory) -> None:
    server = smtp_server()

    async def refuse(
        server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        return "550 5.1.1 No such user"

    server.handler.handle_RCPT = refuse  # type: ignore[attr-defined] # aiosmtpd looks hooks up by name

    with pytest.raises(AdapterError) as error:
        adapter_for(server).send(REPLY)

    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{server.port} refused the recipient {CUSTOMER!r}"
    )


def test_an_unreachable_server_is_an_adapter_error() -> None:
    adapter = adapter_for()
    port = adapter.channel.config["smtp_port"]

    with pytest.raises(
        AdapterError, match=re.escape(f"cannot reach the SMTP server 127.0.0.1:{port}: ")
    ):
        adapter.send(REPLY)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            OutboundMessage(text="x", recipient="not an address"),
            "'not an address' is not an email address",
        ),
        (
            OutboundMessage(text="x", recipient=CUSTOMER, subject="Devis\r\nBcc: all@example.com"),
            "the reply cannot be written as an email: ",
        ),
    ],
)
def test_an_unusable_message_is_refused_before_connecting(
    message: OutboundMessage, reason: str
) -> None:
    with pytest.raises(AdapterError, match=f"^{re.escape(reason)}"):
        adapter_for().send(message)


def test_a_channel_without_an_smtp_server_says_so() -> None:
    with pytest.raises(AdapterError, match=r"^this email channel has no SMTP server set$"):
        EmailAdapter(email_channel()).send(REPLY)


def test_a_refused_message_says_what_the_server_said(smtp_server: SmtpFactory) -> None:
    server = smtp_server()

    async def refuse(server: SMTP, session: Session, envelope: Envelope) -> str:
        return "554 5.7.1 Message rejected as spam"

    server.handler.handle_DATA = refuse  # type: ignore[method-assign] # a hook of this test

    with pytest.raises(AdapterError) as error:
        adapter_for(server).send(REPLY)

    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{server.port} refused the message: "
        "554 5.7.1 Message rejected as spam"
    )
