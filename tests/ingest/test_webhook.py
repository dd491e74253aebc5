"""The generic webhook: a signed batch in, stored before the answer; every refusal is a
JSON error that says what to fix, and leaves nothing behind."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from comptoir.inbox.models import Message
from comptoir.ingest.models import RejectedEvent, RejectedStatus, Source
from comptoir.ingest.webhook import MAX_BODY, REPLAY_WINDOW, signed_headers
from comptoir.people.models import Person
from comptoir.webhooks.signing import signature
from tests.ingest.conftest import WEBHOOK_SECRET, Channels, inbox_state

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def event(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": f"order-{n}",
        "created_at": f"2026-11-20T10:{n:02d}:00+01:00",
        "text": f"Avis sur la commande {n} : livraison rapide, merci !",
        "author": {
            "kind": "other",
            "external_id": f"shop-customer-{n}",
            "display_name": f"Client {n}",
            "email": f"client{n}@example.fr",
        },
        "kind": "review",
        **fields,
    }


def deliver(
    channel_id: int,
    payload: Any,
    *,
    secret: str = WEBHOOK_SECRET,
    now: float | None = None,
    headers: dict[str, str] | None = None,
    client: Client | None = None,
) -> Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signed = signed_headers(secret, body, now=now)
    return (client or Client()).post(
        f"/api/v1/channels/{channel_id}/events",
        data=body,
        content_type="application/json",
        headers={**signed, **(headers or {})},
    )


def error_of(response: Response) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    error: dict[str, Any] = response.json()["error"]
    return error


def test_a_signed_batch_is_stored_before_the_200(channels: Channels) -> None:
    # CSRF checks on, no token, no session: the signature is the only credential.
    client = Client(enforce_csrf_checks=True)

    response = deliver(channels.webhook.pk, [event(1), event(2)], client=client)

    assert response.status_code == 200, response.content
    assert response.json() == {"received": 2, "stored": 2, "duplicates": 0, "rejected": []}
    assert list(
        Message.objects.filter(channel=channels.webhook).values_list("external_id", flat=True)
    ) == ["order-1", "order-2"]
    assert Person.objects.filter(display_name="Client 1").count() == 1


def test_the_batch_may_come_wrapped_in_an_object(channels: Channels) -> None:
    response = deliver(channels.webhook.pk, {"events": [event(1)]})
    assert response.status_code == 200
    assert response.json()["stored"] == 1


def test_a_duplicate_delivery_is_a_200_that_changes_nothing(
    channels: Channels, personas: Any
) -> None:
    assert deliver(channels.webhook.pk, [event(1), event(2)]).status_code == 200
    before = inbox_state(personas.workspace_a)

    response = deliver(channels.webhook.pk, [event(1), event(2)])

    assert response.status_code == 200
    assert response.json() == {"received": 2, "stored": 0, "duplicates": 2, "rejected": []}
    assert inbox_state(personas.workspace_a) == before


def test_the_signature_helper_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'[{"external_id": "1"}]'
    expected = hmac.new(b"s3cret", b"1795000000." + body, hashlib.sha256).hexdigest()

    assert signature("s3cret", 1795000000, body) == f"sha256={expected}"
    assert signed_headers("s3cret", body, now=1795000000.7) == {
        "X-Comptoir-Timestamp": "1795000000",
        "X-Comptoir-Signature": f"sha256={expected}",
    }


# Refused: nothing is stored ------------------------------------------------------------------


def assert_nothing_stored() -> None:
    assert Message.objects.count() == RejectedEvent.objects.count() == 0


def test_a_bad_signature_is_a_401_and_a_warning_without_the_secret(
    channels: Channels, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="comptoir.ingest.actions"):
        response = deliver(channels.webhook.pk, [event(1)], secret="not-the-secret")

    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "bad_signature"
    assert error["message"].startswith("X-Comptoir-Signature does not match")
    ours = [r.getMessage() for r in caplog.records if r.name == "comptoir.ingest.actions"]
    assert ours == [f"webhook delivery refused on channel {channels.webhook.pk}: bad_signature"]
    assert WEBHOOK_SECRET not in caplog.text
    assert_nothing_stored()


def test_another_channels_secret_does_not_sign_for_this_one(channels: Channels) -> None:
    response = deliver(channels.webhook.pk, [event(1)], secret="whsec_of_workspace_b_only")
    assert (response.status_code, error_of(response)["code"]) == (401, "bad_signature")
    assert_nothing_stored()


def test_a_body_changed_after_signing_is_refused(channels: Channels) -> None:
    body = json.dumps([event(1)]).encode()
    headers = signed_headers(WEBHOOK_SECRET, body)
    tampered = body.replace(b"livraison rapide", b"livraison lente!")

    response = Client().post(
        f"/api/v1/channels/{channels.webhook.pk}/events",
        data=tampered,
        content_type="application/json",
        headers=headers,
    )

    assert (response.status_code, error_of(response)["code"]) == (401, "bad_signature")
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"X-Comptoir-Signature": ""}, "bad_signature"),
        ({"X-Comptoir-Timestamp": ""}, "bad_timestamp"),
        ({"X-Comptoir-Timestamp": "yesterday"}, "bad_timestamp"),
    ],
)
def test_missing_headers_are_a_401(channels: Channels, headers: dict[str, str], code: str) -> None:
    response = deliver(channels.webhook.pk, [event(1)], headers=headers)
    assert (response.status_code, error_of(response)["code"]) == (401, code)
    assert_nothing_stored()


@pytest.mark.parametrize("offset", [-REPLAY_WINDOW - 5, REPLAY_WINDOW + 5])
def test_a_timestamp_outside_five_minutes_is_a_401(channels: Channels, offset: int) -> None:
    response = deliver(channels.webhook.pk, [event(1)], now=time.time() + offset)

    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "stale_timestamp"
    assert error["message"].endswith("the limit is 300 s. Sign each delivery when you send it.")
    assert_nothing_stored()


def test_a_timestamp_inside_the_window_is_accepted(channels: Channels) -> None:
    response = deliver(channels.webhook.pk, [event(1)], now=time.time() - REPLAY_WINDOW + 30)
    assert response.status_code == 200


def test_a_channel_without_a_secret_accepts_nothing(channels: Channels, personas: Any) -> None:
    from comptoir.channels.actions import do_create_channel

    unsigned = do_create_channel(personas.workspace_a, kind="webhook", name="Unsigned", settings={})
    response = deliver(unsigned.pk, [event(1)], secret="")
    assert (response.status_code, error_of(response)["code"]) == (401, "unsigned_channel")
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            b'[{"external_id": "1",}]',
            "invalid_json",
            (
                "The body is not valid JSON: Expecting property name enclosed in double quotes "
                "(line 1, column 22)."
            ),
        ),
        (b"[\xff]", "invalid_json", "The body is not UTF-8 (byte 2)."),
        (
            b'{"external_id": "1"}',
            "invalid_batch",
            'The body must be a JSON array of events, or {"events": [...]}.',
        ),
        (b"", "invalid_json", "The body is not valid JSON: Expecting value (line 1, column 1)."),
    ],
)
def test_a_body_that_is_not_a_json_batch_is_a_400(
    channels: Channels, body: bytes, code: str, message: str
) -> None:
    response = deliver(channels.webhook.pk, body)

    assert response.status_code == 400
    assert error_of(response) == {"code": code, "message": message, "details": None}
    assert_nothing_stored()


def test_invalid_events_are_a_422_naming_each_event_and_field(channels: Channels) -> None:
    batch = [
        event(0),
        event(1, author={"kind": "myspace", "external_id": "u"}),
        event(2),
        {**event(3), "created_at": "2026-11-20T10:03:00"},
        "not an event",
        {k: v for k, v in event(5).items() if k != "author"},
    ]

    response = deliver(channels.webhook.pk, batch)

    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid_events"
    assert body["error"]["message"] == (
        "4 of 6 events are not valid and were kept as rejected events; the others were "
        "ingested (see report)."
    )
    assert [(d["event"], d["field"]) for d in body["error"]["details"]] == [
        (1, "author.kind"),
        (3, "created_at"),
        (4, None),
        (5, None),
    ]
    assert body["error"]["details"][1]["message"] == "Input should have timezone info"
    assert body["error"]["details"][3]["message"] == "an inbound event needs an author"
    assert body["report"] == {
        "received": 6,
        "stored": 2,
        "duplicates": 0,
        "rejected": body["error"]["details"],
    }
    # The valid events are stored; the invalid ones are kept whole, for review and replay.
    stored = Message.objects.order_by("external_id").values_list("external_id", flat=True)
    assert list(stored) == ["order-0", "order-2"]
    rejected = RejectedEvent.objects.order_by("id")
    assert [(r.location, r.source, r.status) for r in rejected] == [
        (f"event {n}", Source.WEBHOOK, RejectedStatus.PENDING) for n in (1, 3, 4, 5)
    ]
    assert json.loads(rejected[0].raw) == batch[1]
    assert rejected[0].reason.startswith("author.kind: Input should be 'email'")


@pytest.mark.parametrize("which", ["email", "unknown", "huge"])
def test_only_webhook_channels_have_an_events_endpoint(channels: Channels, which: str) -> None:
    channel_id = {"email": channels.mail.pk, "unknown": 987654321, "huge": 10**30}[which]

    response = deliver(channel_id, [event(1)])

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "Not found.", "details": None}
    assert_nothing_stored()


def test_a_body_over_5_mb_is_a_413_unread(channels: Channels) -> None:
    huge = json.dumps([event(1, text="x" * 100)] * ((MAX_BODY // 300) + 1000)).encode()
    assert len(huge) > MAX_BODY

    response = deliver(channels.webhook.pk, huge)

    assert response.status_code == 413
    assert error_of(response) == {
        "code": "payload_too_large",
        "message": "The body is larger than 5 MB; send smaller batches.",
        "details": None,
    }
    assert_nothing_stored()


def test_the_endpoint_answers_only_post(channels: Channels) -> None:
    response = Client().get(f"/api/v1/channels/{channels.webhook.pk}/events")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
