"""Case pages: the list with its filters and pages, one case with its SLA clocks, timeline
and forms, and the cases panel of a conversation."""

from __future__ import annotations

import shutil
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from comptoir.cases.actions import do_add_case_note, do_change_case_status, do_open_case
from comptoir.cases.models import Case, CaseCategory, CaseConversation, CaseStatus
from comptoir.inbox.models import Priority
from comptoir.workspaces.models import Event, Role
from tests.conftest import PASSWORD, Personas
from tests.factories import MessageFactory, SeatFactory, UserFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_MORE, HTMX_RESULTS, count_queries, html, page_pks, walk_pages
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, shot

HTMX = {"HX-Request": "true"}


def list_url(data: WebData, query: str = "") -> str:
    return f"/w/{data.slug_a}/cases/{query}"


def case_url(data: WebData, case: Case, action: str = "") -> str:
    return f"/w/{data.slug_a}/cases/{case.pk}/{action}"


def test_the_list_filters_and_shows_the_open_count(web_data: WebData, alice_client: Client) -> None:
    a, alice = web_data.personas.workspace_a, web_data.personas.alice
    mine = do_open_case(a, title="Colis perdu", owner=alice, person=web_data.marie)
    other = do_open_case(a, title="Facture", category=CaseCategory.BILLING, priority="high")
    done = do_open_case(a, title="Retour", category=CaseCategory.AFTER_SALES)
    do_change_case_status(done, CaseStatus.RESOLVED)
    do_open_case(web_data.personas.workspace_b, title="Secret case of B")

    page = html(alice_client, list_url(web_data))
    assert "Colis perdu" in page
    assert "Secret case of B" not in page
    assert "2 cases still open" in page
    assert page_pks(alice_client, list_url(web_data))[0] == [done.pk, other.pk, mine.pk]
    assert page_pks(alice_client, list_url(web_data, "?owner=me"))[0] == [mine.pk]
    assert page_pks(alice_client, list_url(web_data, "?owner=none"))[0] == [done.pk, other.pk]
    assert page_pks(alice_client, list_url(web_data, "?status=active"))[0] == [other.pk, mine.pk]
    assert page_pks(alice_client, list_url(web_data, "?category=billing"))[0] == [other.pk]
    assert page_pks(alice_client, list_url(web_data, "?priority=high"))[0] == [other.pk]
    Case.objects.filter(pk=other.pk).update(resolution_breached_at=timezone.now())
    assert page_pks(alice_client, list_url(web_data, "?sla=breached"))[0] == [other.pk]
    fragment = html(alice_client, list_url(web_data, "?sla=breached"), headers=HTMX_RESULTS)
    assert "<html" not in fragment
    assert "Facture" in fragment


def test_the_list_pages_through_every_case_and_costs_the_same(
    web_data: WebData, alice_client: Client
) -> None:
    a = web_data.personas.workspace_a
    for n in range(3):
        do_open_case(a, title=f"c{n}", person=web_data.marie, owner=web_data.personas.bob)
    few = count_queries(alice_client, list_url(web_data))
    for n in range(60):
        do_open_case(a, title=f"d{n}", person=web_data.paul, owner=web_data.personas.alice)
    assert count_queries(alice_client, list_url(web_data)) == few
    pages = walk_pages(alice_client, list_url(web_data))
    assert [len(p) for p in pages] == [50, 13]
    assert len({pk for p in pages for pk in p}) == 63


def test_open_a_case_from_the_list(web_data: WebData, alice_client: Client) -> None:
    response = alice_client.post(
        f"/w/{web_data.slug_a}/cases/new/",
        {"title": "Rappel client", "category": "question", "priority": "low", "owner": ""},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(web_data, case)
    assert (case.title, case.category, case.priority) == ("Rappel client", "question", "low")

    refused = alice_client.post(f"/w/{web_data.slug_a}/cases/new/", {"title": ""})
    assert refused.status_code == 400
    assert Case.objects.count() == 1


def test_the_case_page_shows_clocks_timeline_and_forms(
    web_data: WebData, alice_client: Client
) -> None:
    a = web_data.personas.workspace_a
    convo = web_data.lost_parcel
    case = do_open_case(
        a,
        title="Colis perdu",
        person=web_data.marie,
        priority=Priority.HIGH,
        conversations=[convo],
        actor=web_data.personas.alice,
    )
    do_add_case_note(case, "Transporteur contacté", actor=web_data.personas.bob)

    page = html(alice_client, case_url(web_data, case))

    assert f"#{case.number}" in page
    assert "Marie Dupont" in page
    assert 'data-clock="first_response"' in page
    assert 'data-clock="resolution"' in page
    assert "of business time left" in page
    assert "Europe/Paris" in page
    assert "Transporteur contacté" in page
    assert "Opened the case" in page
    # The conversation's messages are in the timeline, beside the case's events.
    first_message = convo.messages.order_by("sent_at").first()
    assert first_message is not None
    assert f'id="message-{first_message.pk}"' in page
    assert "Change the status" in page


def test_the_timeline_loads_earlier_entries_on_demand(
    web_data: WebData, alice_client: Client
) -> None:
    a = web_data.personas.workspace_a
    case = do_open_case(a, title="Long", actor=web_data.personas.alice)
    for n in range(55):
        do_add_case_note(case, f"note {n:02d}", actor=web_data.personas.alice)

    response = alice_client.get(case_url(web_data, case))
    cursor = response.context["next_cursor"]
    assert cursor is not None
    assert "note 54" in response.content.decode()
    assert "note 00" not in response.content.decode()
    older = html(alice_client, f"{case_url(web_data, case)}?cursor={cursor}", headers=HTMX_MORE)
    assert "note 00" in older
    assert "<html" not in older
    html(alice_client, f"{case_url(web_data, case)}?cursor=broken", status=400)


def test_the_forms_change_the_case(web_data: WebData, alice_client: Client) -> None:
    a = web_data.personas.workspace_a
    bob = web_data.personas.bob
    case = do_open_case(a, title="x", actor=web_data.personas.alice)

    refused = alice_client.post(case_url(web_data, case, "status/"), {"status": "closed"})
    assert refused.status_code == 400
    assert "Say why the case is closed." in refused.content.decode()

    assert (
        alice_client.post(
            case_url(web_data, case, "status/"), {"status": "waiting_on_customer"}
        ).status_code
        == 303
    )
    swapped = alice_client.post(
        case_url(web_data, case, "assign/"), {"owner": bob.pk, "team": ""}, headers=HTMX
    )
    assert swapped.status_code == 303
    alice_client.post(case_url(web_data, case, "priority/"), {"priority": "urgent"})
    alice_client.post(case_url(web_data, case, "note/"), {"text": "Appel prévu"})
    alice_client.post(case_url(web_data, case, "attach/"), {"conversation": web_data.refund.pk})

    case.refresh_from_db()
    assert (case.status, case.owner, case.priority) == (
        CaseStatus.WAITING_ON_CUSTOMER,
        bob,
        Priority.URGENT,
    )
    assert list(case.conversations.all()) == [web_data.refund]
    assert Event.objects.filter(subject_id=case.pk, verb="case.note").count() == 1

    alice_client.post(case_url(web_data, case, f"detach/{web_data.refund.pk}/"))
    assert not CaseConversation.objects.filter(case=case).exists()

    # An htmx form with an error answers 200 so that htmx swaps in the errors.
    error = alice_client.post(case_url(web_data, case, "note/"), {"text": ""}, headers=HTMX)
    assert error.status_code == 200
    assert 'id="case"' in error.content.decode()


def test_attach_search_finds_conversations_by_id_subject_or_person(
    web_data: WebData, alice_client: Client
) -> None:
    case = do_open_case(web_data.personas.workspace_a, title="x", person=web_data.paul)
    url = case_url(web_data, case, "attach/search/")

    by_person = html(alice_client, f"{url}?q=Marie")
    assert f"#{web_data.lost_parcel.pk} " in by_person
    assert f"#{web_data.pricing.pk} " not in by_person
    by_id = html(alice_client, f"{url}?q=%23{web_data.pricing.pk}")
    assert f"#{web_data.pricing.pk} " in by_id
    # Without a search, the case's person's conversations are offered.
    default = html(alice_client, url)
    assert f"#{web_data.pricing.pk} " in default
    secret = html(alice_client, f"{url}?q={web_data.secret_conversation.pk}")
    assert "Attach" not in secret


def test_a_viewer_reads_but_cannot_change(web_data: WebData, personas: Personas) -> None:
    viewer = SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="val@example.test"),
        role=Role.VIEWER,
        display_name="Val",
    )
    client = personas.client_for(viewer)
    case = do_open_case(personas.workspace_a, title="x")

    page = html(client, case_url(web_data, case))
    assert "Change the status" not in page
    assert client.post(case_url(web_data, case, "note/"), {"text": "x"}).status_code == 403
    assert client.post(f"/w/{web_data.slug_a}/cases/new/", {"title": "x"}).status_code == 403


def test_another_workspace_sees_nothing(
    web_data: WebData, charlie_client: Client, personas: Personas
) -> None:
    case = do_open_case(personas.workspace_a, title="x")
    html(charlie_client, case_url(web_data, case), status=404)
    theirs = f"/w/{web_data.slug_b}/cases/{case.pk}/"
    html(charlie_client, theirs, status=404)
    assert charlie_client.post(f"{theirs}note/", {"text": "x"}).status_code == 404
    own = do_open_case(personas.workspace_b, title="theirs")
    assert (
        charlie_client.post(
            f"/w/{web_data.slug_b}/cases/{own.pk}/attach/",
            {"conversation": web_data.lost_parcel.pk},
        ).status_code
        == 404
    )
    assert not CaseConversation.objects.filter(case=own).exists()


def test_the_conversation_panel_lists_its_cases_and_offers_after_sales(
    web_data: WebData, alice_client: Client
) -> None:
    convo = web_data.lost_parcel
    MessageFactory.create(
        conversation=convo,
        text="Je veux un remboursement",
        intents={"after_sales": 0.97},
        sent_at=convo.last_activity_at + timedelta(minutes=1),
    )
    page = html(alice_client, f"/w/{web_data.slug_a}/inbox/{convo.pk}/")
    panel_url = f"/w/{web_data.slug_a}/inbox/{convo.pk}/cases/"
    assert f'hx-get="{panel_url}"' in page

    panel = html(alice_client, panel_url)
    assert "This conversation belongs to no case." in panel
    assert '<option value="after_sales" selected>' in panel
    assert f'name="conversation" value="{convo.pk}"' in panel

    response = alice_client.post(
        f"/w/{web_data.slug_a}/cases/new/",
        {
            "title": "Colis perdu",
            "category": "after_sales",
            "priority": "normal",
            "owner": web_data.personas.alice.pk,
            "conversation": convo.pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person == web_data.marie
    assert list(case.conversations.all()) == [convo]
    assert "Colis perdu" in html(alice_client, panel_url)

    other_panel = html(alice_client, f"/w/{web_data.slug_a}/inbox/{web_data.pricing.pk}/cases/")
    assert '<option value="other" selected>' in other_panel
    html(alice_client, f"/w/{web_data.slug_a}/inbox/{web_data.secret_conversation.pk}/cases/", 404)


def test_the_navigation_links_to_cases(web_data: WebData, alice_client: Client) -> None:
    page = html(alice_client, f"/w/{web_data.slug_a}/inbox/")
    assert f'href="/w/{web_data.slug_a}/cases/"' in page


@pytest.mark.browser
@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed")
def test_alice_opens_a_case_from_a_conversation_and_watches_its_clock(
    transactional_db: None, live_server: Any, web_data: WebData
) -> None:
    base = live_server.url
    convo = web_data.lost_parcel
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "alice@example.test")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.button-primary")
        page.wait_for_url(f"{base}/w/maison-lumiere/inbox/")

        # The conversation page loads its cases panel on its own, with an "Open a case" form.
        page.goto(f"{base}/w/maison-lumiere/inbox/{convo.pk}/")
        panel = page.locator("#conversation-cases")
        expect(panel).to_contain_text("This conversation belongs to no case.")
        panel.locator("summary").click()
        panel.locator("input[name=title]").fill("Colis jamais arrivé")
        panel.locator("select[name=category]").select_option("after_sales")
        panel.locator("select[name=priority]").select_option("urgent")
        panel.locator("button[type=submit]").click()
        page.wait_for_url("**/cases/*/")
        expect(page.locator("h1")).to_contain_text("Colis jamais arrivé")
        clock = page.locator('[data-clock="first_response"]')
        expect(clock).to_contain_text("First response")
        expect(page.locator(".case-timeline")).to_contain_text("Opened the case")
        shot(page, "cases-01-opened")

        # Waiting on the customer pauses the clocks; htmx swaps the case in place.
        page.select_option("select[name=status]", "waiting_on_customer")
        page.click("text=Change the status")
        expect(clock).to_contain_text("Paused")
        expect(page.locator(".case-timeline")).to_contain_text("Waiting on customer")
        page.fill("textarea[name=text]", "Transporteur relancé")
        page.click("text=Add the note")
        expect(page.locator(".case-timeline .case-event-note")).to_contain_text(
            "Transporteur relancé"
        )
        shot(page, "cases-02-paused")

        page.goto(f"{base}/w/maison-lumiere/cases/")
        expect(page.locator(".cases-table tbody:not(.more) tr")).to_have_count(1)
        shot(page, "cases-03-list")
        chromium.close()
