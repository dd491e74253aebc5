"""Rejected events: replay after a fix, discard, the command, the API and the web page."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation, Message
from comptoir.ingest import schema
from comptoir.ingest.actions import (
    NotPendingError,
    do_discard_rejected,
    do_replay_rejected,
)
from comptoir.ingest.models import RejectedEvent, RejectedStatus, Source
from comptoir.workspaces.models import Event, Workspace
from tests.api.conftest import ApiClient, token_for
from tests.conftest import Personas
from tests.ingest.conftest import IMPORTS, Channels
from tests.web.helpers import HTMX_MORE, HTMX_RESULTS, count_queries, html, page_pks

UNQUOTED = "Expecting property name enclosed in double quotes (column 2)"
VALID = {
    "external_id": "order-77",
    "created_at": "2026-11-20T10:00:00+01:00",
    "text": "Ma commande 77 est arrivée ouverte",
    "author": {"kind": "other", "external_id": "customer-77", "display_name": "Inès Moreau"},
}


def rejected(
    channel: Channel | None,
    raw: str | dict[str, Any] = VALID,
    *,
    source: str = Source.WEBHOOK,
    location: str = "event 0",
    reason: str = "author: an earlier rule refused it",
    raw_bytes: bytes | None = None,
    workspace: Workspace | None = None,
) -> RejectedEvent:
    owner = workspace or (channel.workspace if channel else None)
    assert owner is not None
    return RejectedEvent.objects.create(
        workspace=owner,
        channel=channel,
        source=source,
        location=location,
        raw=raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False),
        raw_bytes=raw_bytes,
        reason=reason,
    )


# The actions -------------------------------------------------------------------------------


def test_a_replay_that_now_validates_stores_the_event_and_marks_it_replayed(
    channels: Channels, personas: Personas
) -> None:
    row = rejected(channels.webhook)

    summary = do_replay_rejected(row, actor=personas.bob)

    assert (len(summary.replayed), summary.report.stored) == (1, 1)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (RejectedStatus.REPLAYED, 2)
    assert row.replayed_at is not None
    message = Message.objects.get(external_id="order-77")
    assert message.channel == channels.webhook
    audit = Event.objects.get(verb="rejected_event.replayed")
    assert (audit.subject_id, audit.actor) == (row.pk, personas.bob)


def test_a_replay_that_still_fails_keeps_it_pending_with_the_new_reason(
    channels: Channels,
) -> None:
    row = rejected(channels.webhook, {**VALID, "created_at": "2026-11-20T10:00:00"})

    summary = do_replay_rejected(row)

    assert [r.pk for r in summary.failed] == [row.pk]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (RejectedStatus.PENDING, 2)
    assert row.reason == "created_at: Input should have timezone info"
    assert row.replayed_at is None
    assert Message.objects.count() == 0
    # The replay did not add a second rejected event for the same payload.
    assert RejectedEvent.objects.count() == 1


def test_a_replay_of_an_event_stored_meanwhile_counts_it_as_a_duplicate(
    channels: Channels,
) -> None:
    first, second = rejected(channels.webhook), rejected(channels.webhook, location="event 1")
    do_replay_rejected(first)

    summary = do_replay_rejected(second)

    assert (summary.report.stored, summary.report.duplicates) == (0, 1)
    second.refresh_from_db()
    assert second.status == RejectedStatus.REPLAYED
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "raw_bytes", "reason"),
    [
        ("{not json", None, f"not valid JSON: {UNQUOTED}"),
        ("[1, 2]", None, "not a JSON object"),
        (
            "d\ufffdj\ufffd",
            b"d\xe9j",
            "the payload is not UTF-8 text, so it cannot be read as JSON",
        ),
    ],
)
def test_what_never_was_json_cannot_be_replayed(
    channels: Channels, raw: str, raw_bytes: bytes | None, reason: str
) -> None:
    row = rejected(channels.webhook, raw, raw_bytes=raw_bytes, source=Source.IMPORT)

    do_replay_rejected(row)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.reason) == (RejectedStatus.PENDING, 2, reason)


def test_an_event_whose_channel_was_deleted_cannot_be_replayed(
    channels: Channels, personas: Personas
) -> None:
    row = rejected(None, workspace=personas.workspace_a)

    do_replay_rejected(row)

    row.refresh_from_db()
    assert row.status == RejectedStatus.PENDING
    assert row.reason == "its channel was deleted: nothing can take it in any more"


def test_an_email_is_replayed_through_the_email_parser(
    channels: Channels, personas: Personas
) -> None:
    mail = (IMPORTS.parent / "email" / "21-thread-1-question.eml").read_bytes()
    row = rejected(
        channels.mail,
        mail.decode("utf-8", errors="replace"),
        raw_bytes=mail,
        source=Source.POLL,
        location="UID 4411",
        reason="the message could not be parsed: a defect since fixed",
    )

    do_replay_rejected(row)

    row.refresh_from_db()
    assert row.status == RejectedStatus.REPLAYED
    message = Message.objects.get(channel=channels.mail)
    assert (message.direction, message.kind) == ("inbound", "email")
    assert Conversation.objects.filter(channel=channels.mail).count() == 1


def test_an_email_now_recognised_as_automatic_is_discarded_on_replay(
    channels: Channels,
) -> None:
    mail = (IMPORTS.parent / "email" / "10-out-of-office-auto-submitted.eml").read_bytes()
    row = rejected(channels.mail, mail.decode("utf-8", errors="replace"), source=Source.IMPORT)

    summary = do_replay_rejected(row)

    assert [r.pk for r in summary.skipped] == [row.pk]
    row.refresh_from_db()
    assert row.status == RejectedStatus.DISCARDED
    assert row.reason == "skipped on replay: auto-reply"
    assert Message.objects.count() == 0


def test_only_pending_events_are_replayed_or_discarded(
    channels: Channels, personas: Personas
) -> None:
    row = rejected(channels.webhook)
    do_discard_rejected(row, actor=personas.bob)
    row.refresh_from_db()
    assert row.status == RejectedStatus.DISCARDED
    assert Event.objects.get(verb="rejected_event.discarded").actor == personas.bob

    with pytest.raises(NotPendingError):
        do_replay_rejected(row)
    with pytest.raises(NotPendingError):
        do_discard_rejected(row)
    assert Message.objects.count() == 0


# The command --------------------------------------------------------------------------------


def replay_command(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", "--replay-rejected", *args, stdout=out)
    return out.getvalue()


def test_the_command_replays_every_pending_event_and_sums_up(
    tmp_path: Path, channels: Channels, personas: Personas
) -> None:
    fixed = rejected(channels.webhook, location="event 3")
    broken = rejected(channels.webhook, "{oops", location="event 4", reason="not valid JSON")
    elsewhere = rejected(channels.other_webhook, location="event 9")

    output = replay_command("--workspace", "maison-lumiere")

    assert output.splitlines() == [
        (
            "Replayed 2 rejected events: 1 ingested (1 stored, 0 already there), 0 skipped, "
            "1 still failing."
        ),
        "Still failing (kept pending, with the new reason):",
        (
            f"  #{broken.pk} event 4: not valid JSON: Expecting property name enclosed in double "
            "quotes (column 2)"
        ),
    ]
    statuses = dict(RejectedEvent.objects.values_list("pk", "status"))
    assert statuses == {
        fixed.pk: RejectedStatus.REPLAYED,
        broken.pk: RejectedStatus.PENDING,
        elsewhere.pk: RejectedStatus.PENDING,  # workspace B's, out of scope
    }
    assert replay_command("--workspace", "maison-lumiere").startswith(
        "Replayed 1 rejected events: 0 ingested"
    )


def test_the_command_can_be_scoped_to_a_channel(channels: Channels) -> None:
    on_mail = rejected(channels.mail, "{oops", source=Source.API)
    on_webhook = rejected(channels.webhook)

    output = replay_command("--channel", "Boutique", "--workspace", "maison-lumiere")

    assert output.startswith("Replayed 1 rejected events: 1 ingested")
    on_mail.refresh_from_db()
    on_webhook.refresh_from_db()
    assert (on_mail.attempts, on_webhook.status) == (1, RejectedStatus.REPLAYED)


def test_the_command_says_when_there_is_nothing_to_replay(channels: Channels) -> None:
    assert replay_command() == "No pending rejected event to replay.\n"


def test_the_command_names_what_it_cannot_find(channels: Channels) -> None:
    with pytest.raises(CommandError, match=r"^no workspace has the slug 'nowhere'$"):
        replay_command("--workspace", "nowhere")
    with pytest.raises(CommandError, match=r"add --workspace SLUG$"):
        replay_command("--channel", "Boutique")


# The API ------------------------------------------------------------------------------------


@pytest.fixture
def rows(channels: Channels) -> list[RejectedEvent]:
    return [
        rejected(channels.webhook, location="event 0"),
        rejected(channels.mail, "{x", source=Source.IMPORT, location="line 3"),
        rejected(
            channels.webhook,
            "\ufffd",
            raw_bytes=b"\xff",
            source=Source.IMPORT,
            location="line 9",
        ),
    ]


def post(api: ApiClient, path: str) -> Any:
    headers = {"authorization": f"Bearer {api.token}"} if api.token else {}
    return Client().post(f"/api/v1{path}", headers=headers)


def test_the_api_lists_rejected_events_with_filters_and_pages(
    rows: list[RejectedEvent], personas: Personas, channels: Channels
) -> None:
    api = ApiClient(token_for(personas.alice))
    do_discard_rejected(rows[1])

    everything = api.walk("/rejected-events", {"limit": 2})
    pending = api.ok("/rejected-events", {"status": "pending"})["items"]
    on_mail = api.ok("/rejected-events", {"channel": channels.mail.pk})["items"]

    assert [item["id"] for item in everything] == [rows[2].pk, rows[1].pk, rows[0].pk]
    assert [item["id"] for item in pending] == [rows[2].pk, rows[0].pk]
    assert [item["location"] for item in on_mail] == ["line 3"]
    first = everything[-1]
    assert first["channel"] == {"id": channels.webhook.pk, "kind": "webhook", "name": "Boutique"}
    assert (first["source"], first["status"], first["attempts"]) == ("webhook", "pending", 1)
    assert first["raw_preview"] == json.dumps(VALID, ensure_ascii=False)
    assert first["raw_length"] == len(first["raw_preview"])
    assert "raw" not in first


def test_the_api_returns_one_rejected_event_whole(
    rows: list[RejectedEvent], personas: Personas
) -> None:
    api = ApiClient(token_for(personas.alice))

    detail = api.ok(f"/rejected-events/{rows[2].pk}")

    assert detail["raw"] == "\ufffd"
    assert base64.b64decode(detail["raw_bytes_base64"]) == b"\xff"
    assert api.ok(f"/rejected-events/{rows[0].pk}")["raw_bytes_base64"] is None


def test_replay_and_discard_need_the_manage_channels_right(
    rows: list[RejectedEvent], personas: Personas
) -> None:
    alice = ApiClient(token_for(personas.alice))  # an agent
    bob = ApiClient(token_for(personas.bob))  # a manager
    charlie = ApiClient(token_for(personas.charlie))  # another workspace

    assert post(alice, f"/rejected-events/{rows[0].pk}/replay").status_code == 403
    assert post(charlie, f"/rejected-events/{rows[0].pk}/replay").status_code == 404
    assert post(ApiClient(None), f"/rejected-events/{rows[0].pk}/discard").status_code == 401

    replayed = post(bob, f"/rejected-events/{rows[0].pk}/replay")
    assert replayed.status_code == 200
    assert replayed.json()["outcome"] == "replayed"
    assert replayed.json()["rejected_event"]["status"] == "replayed"

    failed = post(bob, f"/rejected-events/{rows[1].pk}/replay").json()
    assert failed["outcome"] == "failed"
    assert failed["rejected_event"]["attempts"] == 2

    discarded = post(bob, f"/rejected-events/{rows[1].pk}/discard")
    assert (discarded.status_code, discarded.json()["status"]) == (200, "discarded")

    again = post(bob, f"/rejected-events/{rows[1].pk}/replay")
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "conflict",
        "message": "This event is already discarded; only pending ones can be replayed or "
        "discarded.",
        "details": None,
    }


def test_the_inbound_event_schema_is_public(db: None) -> None:
    response = Client().get("/api/v1/schemas/inbound-event.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["title"] == "InboundEvent"
    assert set(schema["required"]) == {"external_id", "created_at"}


def test_the_published_schema_file_is_the_generated_one() -> None:
    committed = Path(__file__).resolve().parents[2] / "docs" / "inbound-event.schema.json"
    assert committed.read_text(encoding="utf-8") == schema.render(), (
        "docs/inbound-event.schema.json is stale: regenerate it with "
        "`python -m comptoir.ingest.schema`"
    )


# The web page -------------------------------------------------------------------------------


def page_url(personas: Personas, query: str = "") -> str:
    url = reverse("web:rejected_events", args=[personas.workspace_a.slug])
    return f"{url}?{query}" if query else url


def action_url(personas: Personas, row: RejectedEvent, action: str) -> str:
    return reverse(f"web:rejected_{action}", args=[personas.workspace_a.slug, row.pk])


def test_the_page_lists_rejected_events_with_their_payload_escaped(
    channels: Channels, personas: Personas, bob_client: Client
) -> None:
    row = rejected(channels.webhook, '{"text": "<script>alert(1)</script>"}', location="event 7")

    body = html(bob_client, page_url(personas))

    assert "1 event to fix." in body
    assert "event 7" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert action_url(personas, row, "replay") in body
    # The navigation shows how many are left to fix.
    assert 'title="To fix">1</span>' in body


def test_an_agent_sees_the_list_without_the_buttons(
    channels: Channels, personas: Personas, alice_client: Client
) -> None:
    row = rejected(channels.webhook)

    body = html(alice_client, page_url(personas))

    assert "event 0" in body
    assert action_url(personas, row, "replay") not in body
    assert alice_client.post(action_url(personas, row, "replay")).status_code == 403
    assert alice_client.post(action_url(personas, row, "discard")).status_code == 403
    row.refresh_from_db()
    assert row.status == RejectedStatus.PENDING


def test_another_workspace_sees_nothing(
    channels: Channels, personas: Personas, charlie_client: Client
) -> None:
    row = rejected(channels.webhook)

    assert charlie_client.get(page_url(personas)).status_code == 404
    assert charlie_client.post(action_url(personas, row, "replay")).status_code == 404
    own = reverse("web:rejected_events", args=[personas.workspace_b.slug])
    assert "event 0" not in html(charlie_client, own)


def test_replay_swaps_the_row_in_place(
    channels: Channels, personas: Personas, bob_client: Client
) -> None:
    row = rejected(channels.webhook)

    response = bob_client.post(action_url(personas, row, "replay"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<tr id="rejected-{row.pk}">')
    assert "Replayed" in fragment
    assert action_url(personas, row, "replay") not in fragment  # nothing left to do
    assert Message.objects.filter(external_id="order-77").exists()


def test_discard_without_javascript_comes_back_to_the_list(
    channels: Channels, personas: Personas, bob_client: Client
) -> None:
    row = rejected(channels.webhook)

    response = bob_client.post(action_url(personas, row, "discard"))

    assert (response.status_code, response["Location"]) == (302, page_url(personas))
    row.refresh_from_db()
    assert row.status == RejectedStatus.DISCARDED
    assert bob_client.get(action_url(personas, row, "discard")).status_code == 405


def test_the_page_filters_by_status_and_channel(
    channels: Channels, personas: Personas, bob_client: Client
) -> None:
    webhook = rejected(channels.webhook)
    mail = rejected(channels.mail, "{x", source=Source.IMPORT)
    do_discard_rejected(mail)

    pending, _ = page_pks(bob_client, page_url(personas, "status=pending"), headers=HTMX_RESULTS)
    on_mail, _ = page_pks(bob_client, page_url(personas, f"channel={channels.mail.pk}"))

    assert (pending, on_mail) == ([webhook.pk], [mail.pk])


def test_the_page_runs_the_same_number_of_queries_for_5_or_40_rows(
    channels: Channels, personas: Personas, bob_client: Client
) -> None:
    for n in range(5):
        rejected(channels.webhook, location=f"event {n}")
    few = count_queries(bob_client, page_url(personas))
    for n in range(35):
        rejected(channels.mail, "{x", source=Source.IMPORT, location=f"line {n}")
    assert len(bob_client.get(page_url(personas)).context["page"].items) == 40
    many = count_queries(bob_client, page_url(personas))

    assert few == many
    assert count_queries(bob_client, page_url(personas), headers=HTMX_MORE) < many


def test_the_page_speaks_french(channels: Channels, personas: Personas, bob_client: Client) -> None:
    rejected(channels.webhook)
    bob_client.post(reverse("set_language"), {"language": "fr", "next": page_url(personas)})

    body = html(bob_client, page_url(personas))

    assert "Événements rejetés" in body
    assert "1 événement à corriger." in body
    assert ">Rejets <span" in body
    assert "Rejouer" in body
