"""Working the inbox in the browser's pages: controls, composer, live thread, presence,
Unhandled, notifications, teams and saved replies; roles and workspaces respected."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.inbox.actions import do_add_message, do_ping_presence, do_tag
from comptoir.inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    SavedReply,
)
from comptoir.workspaces.models import Notification, Role, Team
from tests.conftest import Personas
from tests.factories import BASE_TIME, MessageFactory, SeatFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_MORE, count_queries, html, page_pks


def url(data: WebData, name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=[data.slug_a, *args])


def test_the_conversation_page_has_the_composer_and_the_controls(
    web_data: WebData, alice_client: Client
) -> None:
    SavedReply.objects.create(
        workspace=web_data.personas.workspace_a,
        title="Colis",
        language="fr",
        body="Bonjour {first_name}, ici {agent_name}.",
    )

    body = html(alice_client, url(web_data, "conversation", web_data.lost_parcel.pk))

    assert f'action="{url(web_data, "conversation_compose", web_data.lost_parcel.pk)}"' in body
    assert 'name="mode" value="note"' in body
    assert 'data-text="Bonjour Marie, ici Alice."' in body
    assert f'action="{url(web_data, "conversation_assign", web_data.lost_parcel.pk)}"' in body
    assert f'action="{url(web_data, "conversation_status", web_data.lost_parcel.pk)}"' in body
    assert 'hx-trigger="every 5s"' in body  # the live thread
    assert "Secret" not in body


def test_a_viewer_sees_no_composer_and_may_not_post(web_data: WebData, personas: Personas) -> None:
    viewer = SeatFactory.create(workspace=personas.workspace_a, role=Role.VIEWER)
    client = personas.client_for(viewer)
    pk = web_data.lost_parcel.pk

    body = html(client, url(web_data, "conversation", pk))
    assert 'id="composer"' not in body
    for name in ("conversation_assign", "conversation_status", "conversation_compose"):
        assert client.post(url(web_data, name, pk), {"text": "x"}).status_code == 403
    assert client.post(url(web_data, "saved_replies"), {"title": "t"}).status_code == 403


def test_assign_status_priority_and_tags_from_the_page(
    web_data: WebData, personas: Personas, alice_client: Client
) -> None:
    pk = web_data.refund.pk
    team = Team.objects.create(workspace=personas.workspace_a, name="Care")

    alice_client.post(url(web_data, "conversation_assign", pk), {"assignee": "me", "team": team.pk})
    alice_client.post(url(web_data, "conversation_priority", pk), {"priority": "high"})
    alice_client.post(url(web_data, "conversation_tags", pk), {"add": "Refund, VIP"})
    alice_client.post(url(web_data, "conversation_tags", pk), {"remove": ["VIP"]})
    response = alice_client.post(
        url(web_data, "conversation_status", pk), {"status": "closed", "closed_reason": ""}
    )
    assert response.status_code == 302

    convo = Conversation.objects.get(pk=pk)
    assert (convo.assignee, convo.assignee_team) == (personas.alice, team)
    assert convo.priority == "high"
    assert [t.name for t in convo.tags.all()] == ["Refund"]
    assert convo.status == "resolved"  # closing without a reason was refused
    body = html(alice_client, url(web_data, "conversation", pk))
    assert "Say why you close this conversation." in body

    alice_client.post(
        url(web_data, "conversation_status", pk), {"status": "closed", "closed_reason": "Dup"}
    )
    assert Conversation.objects.get(pk=pk).closed_reason == "Dup"


def test_charlie_cannot_work_on_a(web_data: WebData, charlie_client: Client) -> None:
    pk = web_data.lost_parcel.pk
    for name in (
        "conversation_assign",
        "conversation_status",
        "conversation_priority",
        "conversation_tags",
        "conversation_compose",
        "conversation_presence",
    ):
        # His own workspace's URL with A's conversation: not found.
        path = reverse(f"web:{name}", args=[web_data.slug_b, pk])
        assert charlie_client.post(path, {"priority": "low", "text": "x"}).status_code == 404
        assert charlie_client.post(url(web_data, name, pk)).status_code == 404
    for name in ("unhandled", "notifications", "teams", "saved_replies"):
        assert charlie_client.get(url(web_data, name)).status_code == 404
    assert Conversation.objects.get(pk=pk).priority == "normal"


def test_a_note_mentions_a_colleague_who_is_notified(
    web_data: WebData, personas: Personas, alice_client: Client, bob_client: Client
) -> None:
    pk = web_data.lost_parcel.pk
    response = alice_client.post(
        url(web_data, "conversation_compose", pk), {"mode": "note", "text": "@Bob look at this"}
    )
    assert response.status_code == 302
    note = Message.objects.get(direction=Direction.NOTE, text="@Bob look at this")
    assert response["Location"].endswith(f"#message-{note.pk}")

    body = html(bob_client, url(web_data, "inbox"))
    assert '<span id="nav-unread-count" class="nav-count">1</span>' in body
    page = html(bob_client, url(web_data, "notifications"))
    assert "Alice: @Bob look at this" in page

    [notification] = Notification.objects.filter(seat=personas.bob)
    opened = bob_client.post(url(web_data, "notification_open", notification.pk))
    assert opened["Location"] == url(web_data, "conversation", pk)
    notification.refresh_from_db()
    assert notification.read_at is not None
    # Alice cannot open Bob's notification.
    alice_client.post(url(web_data, "notifications_read"))
    assert Notification.objects.filter(seat=personas.bob, read_at__isnull=True).count() == 0


def test_a_reply_is_stored_pending_and_its_badge_polls(
    web_data: WebData, alice_client: Client
) -> None:
    pk = web_data.lost_parcel.pk
    response = alice_client.post(
        url(web_data, "conversation_compose", pk), {"mode": "reply", "text": "C'est en route."}
    )
    assert response.status_code == 302
    reply = Message.objects.get(text="C'est en route.")
    assert reply.delivery_status == DeliveryStatus.PENDING

    body = html(alice_client, url(web_data, "conversation", pk))
    delivery = url(web_data, "message_delivery", pk, reply.pk)
    assert f'hx-get="{delivery}"' in body
    badge = html(alice_client, delivery)
    assert "Pending" in badge

    Message.objects.filter(pk=reply.pk).update(
        delivery_status=DeliveryStatus.FAILED, delivery_error="550 no such mailbox"
    )
    badge = html(alice_client, delivery)
    assert "550 no such mailbox" in badge
    assert "hx-trigger" not in badge  # settled: it stops polling
    assert url(web_data, "message_retry", pk, reply.pk) in badge

    alice_client.post(url(web_data, "message_retry", pk, reply.pk))
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING


def test_an_empty_reply_is_refused(web_data: WebData, alice_client: Client) -> None:
    pk = web_data.lost_parcel.pk
    alice_client.post(url(web_data, "conversation_compose", pk), {"text": "   "})
    body = html(alice_client, url(web_data, "conversation", pk))
    assert "Write the reply first." in body


def test_the_live_poll_appends_newer_messages_and_shows_who_is_replying(
    web_data: WebData, personas: Personas, alice_client: Client
) -> None:
    convo = web_data.lost_parcel
    page = alice_client.get(url(web_data, "conversation", convo.pk))
    cursor = quote(page.context["live_cursor"])
    live = url(web_data, "conversation_live", convo.pk)

    quiet = html(alice_client, f"{live}?after={cursor}", headers=HTMX_MORE)
    assert "msg-inbound" not in quiet
    assert "is replying" not in quiet

    do_add_message(
        convo,
        direction=Direction.INBOUND,
        kind=MessageKind.POST,
        text="Toujours rien reçu.",
        author_identity=convo.identity,
        sent_at=BASE_TIME + timedelta(hours=5),
        external_id="late-1",
    )
    do_ping_presence(convo, personas.bob, replying=True)
    response = alice_client.get(f"{live}?after={cursor}", headers=HTMX_MORE)
    body = response.content.decode()
    assert 'hx-swap-oob="beforeend:#thread-messages"' in body
    assert "Toujours rien reçu." in body
    assert "Bob is replying…" in body
    assert response.context["live_cursor"] != page.context["live_cursor"]

    # The next poll starts after it.
    again = html(alice_client, f"{live}?after={quote(response.context['live_cursor'])}")
    assert "Toujours rien reçu." not in again


def test_the_presence_ping(web_data: WebData, personas: Personas, bob_client: Client) -> None:
    pk = web_data.lost_parcel.pk
    assert bob_client.post(url(web_data, "conversation_presence", pk)).status_code == 204
    alice = personas.client_for(personas.alice)
    body = html(alice, url(web_data, "conversation", pk))
    assert "Bob is replying…" in body


def test_the_live_poll_costs_the_same_for_a_long_thread(
    web_data: WebData, alice_client: Client
) -> None:
    convo = web_data.pricing
    for n in range(60):
        MessageFactory.create(conversation=convo, sent_at=BASE_TIME + timedelta(minutes=n))
    live = url(web_data, "conversation_live", convo.pk)
    cursor = quote(alice_client.get(url(web_data, "conversation", convo.pk)).context["live_cursor"])
    short_page = alice_client.get(url(web_data, "conversation", web_data.refund.pk))
    short_cursor = quote(short_page.context["live_cursor"])
    short = url(web_data, "conversation_live", web_data.refund.pk)
    assert count_queries(alice_client, f"{live}?after={cursor}") == count_queries(
        alice_client, f"{short}?after={short_cursor}"
    )


def test_the_unhandled_view_and_its_count(
    web_data: WebData, personas: Personas, alice_client: Client
) -> None:
    a = personas.workspace_a
    Conversation.objects.filter(pk=web_data.pricing.pk).update(unhandled_since=BASE_TIME)
    Conversation.objects.filter(pk=web_data.refund.pk).update(
        unhandled_since=BASE_TIME - timedelta(days=1)
    )
    Conversation.objects.filter(pk=web_data.secret_conversation.pk).update(
        unhandled_since=BASE_TIME - timedelta(days=9)
    )

    pks, cursor = page_pks(alice_client, url(web_data, "unhandled"))
    assert pks == [web_data.refund.pk, web_data.pricing.pk]
    assert cursor is None
    body = html(alice_client, url(web_data, "inbox"))
    assert (
        '<span id="nav-unhandled-count" class="nav-count" title="Waiting to be handled">2</span>'
        in body
    )
    assert a.slug in body


def test_inbox_filters_by_me_team_tag_and_priority(
    web_data: WebData, personas: Personas, alice_client: Client
) -> None:
    team = Team.objects.create(workspace=personas.workspace_a, name="Care")
    Conversation.objects.filter(pk=web_data.refund.pk).update(assignee_team=team, priority="urgent")
    [vip] = do_tag(web_data.pricing, add=["VIP"])

    def rows(query: str) -> list[int]:
        return page_pks(alice_client, url(web_data, "inbox") + "?" + query)[0]

    assert rows("assignee=me") == [web_data.lost_parcel.pk]
    assert rows(f"assignee=team-{team.pk}") == [web_data.refund.pk]
    assert rows("assignee=none") == []  # the refund is the team's
    assert rows(f"tag={vip.pk}") == [web_data.pricing.pk]
    assert rows("priority=urgent") == [web_data.refund.pk]
    body = html(alice_client, url(web_data, "inbox"))
    assert '<li class="tag-chip">VIP</li>' in body
    assert f'<option value="team-{team.pk}">Team: Care</option>' in body


def test_the_inbox_poll_tells_when_there_is_new_activity(
    web_data: WebData, alice_client: Client
) -> None:
    activity = url(web_data, "inbox_activity")
    since = (BASE_TIME + timedelta(hours=4)).isoformat()
    quiet = html(alice_client, activity, data={"since": since})
    assert 'hx-trigger="every 5s"' in quiet
    assert "New activity" not in quiet

    Conversation.objects.filter(pk=web_data.pricing.pk).update(
        last_activity_at=BASE_TIME + timedelta(hours=6)
    )
    assert "New activity" in html(alice_client, activity, data={"since": since})
    # ...unless the filters leave it out.
    filtered = html(alice_client, activity, data={"since": since, "status": "open"})
    assert "New activity" not in filtered


def test_teams_page_for_managers(
    web_data: WebData, personas: Personas, alice_client: Client, bob_client: Client
) -> None:
    teams_url = url(web_data, "teams")
    assert alice_client.post(teams_url, {"name": "Care"}).status_code == 403
    assert bob_client.post(teams_url, {"name": "Care"}).status_code == 302
    team = Team.objects.get(name="Care")

    bob_client.post(url(web_data, "team_members", team.pk), {"add": personas.alice.pk})
    bob_client.post(url(web_data, "team_rename", team.pk), {"name": "Care FR"})
    body = html(alice_client, teams_url)
    assert "Care FR" in body
    assert "Alice" in body
    assert 'action="' + url(web_data, "team_delete", team.pk) not in body  # an agent only reads

    bob_client.post(url(web_data, "team_members", team.pk), {"remove": personas.alice.pk})
    assert list(Team.objects.get(pk=team.pk).members.all()) == []
    assert alice_client.post(url(web_data, "team_delete", team.pk)).status_code == 403
    bob_client.post(url(web_data, "team_delete", team.pk))
    assert not Team.objects.exists()


def test_saved_replies_page(web_data: WebData, alice_client: Client) -> None:
    page = url(web_data, "saved_replies")
    response = alice_client.post(
        page, {"title": "Colis", "language": "fr", "body": "Bonjour {first_name}"}
    )
    assert response.status_code == 302
    reply = SavedReply.objects.get()
    invalid = alice_client.post(page, {"title": "X", "language": "en", "body": "Hi {nick}"})
    assert "Unknown variable: {nick}." in invalid.content.decode()

    alice_client.post(
        url(web_data, "saved_reply", reply.pk),
        {"title": "Colis perdu", "language": "fr", "body": "Bonjour {name}"},
    )
    reply.refresh_from_db()
    assert (reply.title, reply.body) == ("Colis perdu", "Bonjour {name}")
    assert "Colis perdu" in html(alice_client, page)
    alice_client.post(url(web_data, "saved_reply_delete", reply.pk))
    assert not SavedReply.objects.exists()


@pytest.mark.parametrize("name", ["unhandled", "notifications", "teams", "saved_replies"])
def test_the_new_pages_render(name: str, web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, url(web_data, name))
    assert "Secret" not in body


def test_an_sla_notification_opens_its_case(
    web_data: WebData, personas: Personas, bob_client: Client
) -> None:
    from comptoir.cases.actions import do_open_case

    case = do_open_case(personas.workspace_a, title="Colis perdu")
    notification = Notification.objects.create(
        workspace=personas.workspace_a,
        seat=personas.bob,
        verb="case.escalated",
        subject_type="case",
        subject_id=case.pk,
        text="Case 1: resolution overdue",
    )

    opened = bob_client.post(url(web_data, "notification_open", notification.pk))

    assert opened["Location"] == url(web_data, "case", case.pk)
