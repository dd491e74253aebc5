"""A real Chromium replies to an email from the conversation page: the reply goes out
through a real SMTP server on loopback, threaded, and the page shows it sent. Screenshots
land in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from comptoir.inbox.models import Conversation, DeliveryStatus, Direction, Message
from tests.channels.email.conftest import SmtpFactory, SmtpServer, smtp_server
from tests.conftest import Personas
from tests.inbox.test_replies import email_thread, mail_of
from tests.web.test_browser import browser, pytestmark, shot
from tests.web.test_browser_inbox_work import log_in

__all__ = ["browser", "pytestmark", "smtp_server"]


@pytest.fixture
def mailbox(
    transactional_db: None, personas: Personas, smtp_server: SmtpFactory
) -> Iterator[tuple[SmtpServer, Conversation, Message]]:
    """An unanswered email thread on a channel that sends through a loopback SMTP server.
    Requested before the browser: no ORM call may run while Playwright's loop does. After
    the test (the browser closed), the stored reply must be marked sent."""
    server = smtp_server()
    conversation, last = email_thread(personas, server.port)
    yield server, conversation, last
    reply = Message.objects.get(conversation=conversation, direction=Direction.OUTBOUND)
    assert reply.delivery_status == DeliveryStatus.SENT
    (envelope,) = server.handler.envelopes
    assert mail_of(envelope)["Message-ID"] == f"<{reply.external_id}>"


def test_alice_replies_by_email_and_sees_it_sent(
    live_server: Any, mailbox: tuple[SmtpServer, Conversation, Message], browser: Browser
) -> None:
    server, conversation, last = mailbox
    base = live_server.url
    page = log_in(browser, base, "alice@example.test")

    # The conversation waits in Unhandled until someone answers it.
    page.goto(f"{base}/w/maison-lumiere/unhandled/")
    expect(page.locator("main")).to_contain_text("Devis pour 40 appliques")
    page.goto(f"{base}/w/maison-lumiere/inbox/{conversation.pk}/")
    page.fill("#composer-text", "Bonjour Madame Fontaine, le devis part aujourd'hui.")
    shot(page, "reply-01-composing")
    page.click("#composer button[type=submit]")

    # Stored first, then sent by the worker (at once in the tests): the badge says so.
    expect(page.locator(".delivery-badge-sent")).to_be_visible()
    expect(page.locator("#thread-messages")).to_contain_text("le devis part aujourd'hui")
    shot(page, "reply-02-sent")
    page.goto(f"{base}/w/maison-lumiere/unhandled/")
    expect(page.locator("main")).not_to_contain_text("Devis pour 40 appliques")
    page.context.close()

    (envelope,) = server.handler.envelopes
    mail = mail_of(envelope)
    assert mail["Subject"] == "Re: Devis pour 40 appliques"
    assert mail["In-Reply-To"].strip() == f"<{last.external_id}>"
