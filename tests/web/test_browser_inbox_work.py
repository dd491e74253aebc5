"""A real Chromium works a conversation: inserts a saved reply, writes a note that mentions
Bob, assigns it; Bob, in another window, sees the note arrive without a reload and sees
Alice typing. Screenshots land in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from comptoir.inbox.models import SavedReply
from tests.conftest import PASSWORD
from tests.web.conftest import WebData
from tests.web.test_browser import browser, pytestmark, shot

__all__ = ["browser", "pytestmark"]


def log_in(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.button-primary")
    page.wait_for_url(f"{base}/w/maison-lumiere/inbox/")
    return page


@pytest.fixture
def saved_reply(web_data: WebData) -> SavedReply:
    # Before the browser starts: no ORM call while Playwright's event loop runs.
    return SavedReply.objects.create(
        workspace=web_data.personas.workspace_a,
        title="Colis",
        language="fr",
        body="Bonjour {first_name}, ici {agent_name}.",
    )


def test_alice_and_bob_work_one_conversation(
    transactional_db: None,
    live_server: Any,
    web_data: WebData,
    saved_reply: SavedReply,
    browser: Browser,
) -> None:
    base = live_server.url
    conversation = f"{base}/w/maison-lumiere/inbox/{web_data.lost_parcel.pk}/"
    alice = log_in(browser, base, "alice@example.test")
    bob = log_in(browser, base, "bob@example.test")
    bob.goto(conversation)
    alice.goto(conversation)

    # The saved reply goes into the composer with the names filled in.
    alice.select_option("#saved-reply-picker", label="Colis (FR)")
    expect(alice.locator("#composer-text")).to_have_value("Bonjour Marie, ici Alice.")
    # Typing told Bob's page that Alice is replying.
    # Bob's page polls every 5 s: allow two polls on a busy machine.
    expect(bob.locator("#presence")).to_contain_text("Alice is replying…", timeout=12_000)
    shot(bob, "inbox-work-01-colleague-replying")

    # A note that mentions Bob.
    alice.fill("#composer-text", "@Bob the carrier is late, can you call them?")
    alice.check("input[name=mode][value=note]")
    alice.click("#composer button[type=submit]")
    expect(alice.locator(".flash")).to_contain_text("Note added.")
    shot(alice, "inbox-work-02-note")

    # Bob's page shows it without a reload, and his bell counts it once he moves on.
    expect(bob.locator("#thread-messages")).to_contain_text("the carrier is late", timeout=12_000)
    bob.goto(f"{base}/w/maison-lumiere/inbox/")
    expect(bob.locator("#nav-unread-count")).to_have_text("1")

    # Alice assigns it to Bob and snoozes nothing: the status closes only with a reason.
    alice.select_option(".convo-controls select[name=assignee]", label="Bob")
    alice.click(".convo-controls form:nth-of-type(1) button")
    expect(alice.locator(".convo-head")).to_contain_text("Assigned to Bob")
    alice.select_option(".convo-controls select[name=status]", "closed")
    alice.click(".convo-controls form:nth-of-type(2) button")
    expect(alice.locator(".flash")).to_contain_text("Say why you close this conversation.")
    shot(alice, "inbox-work-03-controls")
