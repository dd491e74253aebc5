"""A real Chromium walks through the web UI as Alice would: log in, filter the inbox, open
a conversation, switch to French, open a person. Screenshots land in test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import PASSWORD
from tests.web.conftest import WebData

CHROMIUM = "/usr/bin/chromium"
# Quiet, offline Chromium: no update checks, no sync, nothing leaves the loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Requested after the data fixtures, so it closes before the database is flushed:
    # Django refuses ORM calls while Playwright's event loop runs in this thread.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_alice_works_through_the_ui(
    transactional_db: None, live_server: Any, web_data: WebData, browser: Browser
) -> None:
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(10_000)

    # Log in.
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_have_text("Log in to Comptoir")
    shot(page, "browser-01-login")
    page.fill("input[name=username]", "alice@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.button-primary")
    page.wait_for_url(f"{base}/w/maison-lumiere/inbox/")

    # The inbox lists A's conversations and nothing of B's.
    expect(page.locator("h1")).to_have_text("Inbox")
    rows = page.locator(".inbox-table tbody:not(.more) tr")
    expect(rows).to_have_count(3)
    expect(page.locator(".whoami-role")).to_have_text("Agent")
    assert "Secret negotiation" not in page.content()
    shot(page, "browser-02-inbox")

    # Filtering by status swaps the list with htmx and records the filter in the URL.
    page.select_option("select[name=status]", "pending")
    page.wait_for_url("**/inbox/?status=pending*")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Pricing question")
    expect(page.locator("h1")).to_have_text("Inbox")  # the page was not replaced
    shot(page, "browser-03-inbox-pending")

    # Open a conversation: the thread and the person beside it.
    page.select_option("select[name=status]", "open")
    expect(rows).to_have_count(1)
    page.click("text=Colis perdu")
    page.wait_for_url(f"**/inbox/{web_data.lost_parcel.pk}/")
    expect(page.locator("article.msg")).to_have_count(3)
    expect(page.locator("article.msg-note")).to_contain_text("stuck in Lyon")
    expect(page.locator(".person-card-name")).to_have_text("Marie Dupont")
    expect(page.locator(".recent")).to_contain_text("Refund request")
    shot(page, "browser-04-conversation")

    # Switch to French: the same page, translated.
    page.click("button[name=language][value=fr]")
    page.wait_for_url(f"**/inbox/{web_data.lost_parcel.pk}/")
    expect(page.locator(".mainnav")).to_contain_text("Boîte de réception")
    expect(page.locator(".breadcrumb")).to_have_text("← Retour à la boîte de réception")
    shot(page, "browser-05-conversation-fr")

    # Open the person page from the sidebar: one timeline across both channels.
    page.click(".person-card-name a")
    page.wait_for_url(f"{base}{reverse('web:person', args=[web_data.slug_a, web_data.marie.pk])}")
    expect(page.locator("h1")).to_have_text("Marie Dupont")
    expect(page.locator(".tl-item")).to_have_count(4)
    expect(page.locator("#timeline-title")).to_have_text("Historique sur tous les canaux")
    expect(page.locator(".tl-item").last).to_contain_text("Could I get my money back?")
    shot(page, "browser-06-person-fr")

    # And the organisation with its buying committee.
    page.click(".memberships a.membership-org")
    expect(page.locator("#committee-title")).to_have_text("Comité d\u2019achat")
    expect(page.locator(".person-chip")).to_have_count(2)
    shot(page, "browser-07-organization-fr")

    # Log out from the user menu.
    page.click(".usermenu summary")
    page.click("button.menu-item")
    page.wait_for_url(f"{base}/login/")
    expect(page.locator("h1")).to_have_text("Connexion à Comptoir")
    page.close()
