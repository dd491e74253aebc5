"""The webhooks settings: API and pages. The secret is shown once; other workspaces 404."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from comptoir.webhooks.dispatch import deliver_due, dispatch_events
from comptoir.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from comptoir.webhooks.signing import unseal
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Event, Seat
from tests.api.conftest import token_for
from tests.conftest import Personas
from tests.webhooks.conftest import Receiver, make_endpoint, signed_correctly


class Api:
    def __init__(self, seat: Seat) -> None:
        self.headers = {"authorization": f"Bearer {token_for(seat)}"}
        self.client = Client()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers=self.headers,
        )


def test_the_api_creates_an_endpoint_and_shows_its_secret_once(
    personas: Personas, receiver: Receiver
) -> None:
    bob = Api(personas.bob)

    response = bob.call(
        "post",
        "/webhooks",
        {"url": receiver.url, "events": ["case.resolved", "case.opened"], "description": "ERP"},
    )

    assert response.status_code == 201, response.content
    created = response.json()
    secret = created.pop("secret")
    assert secret.startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get()
    assert created == {
        "id": endpoint.pk,
        "url": receiver.url,
        "description": "ERP",
        "events": ["case.opened", "case.resolved"],
        "is_active": True,
        "created_at": created["created_at"],
    }
    assert secret not in endpoint.secret_encrypted
    assert unseal(endpoint.secret_encrypted) == secret

    # It signs with that secret.
    record_event(personas.workspace_a, "case.resolved", "case", 3)
    dispatch_events()
    deliver_due()
    [request] = receiver.requests
    assert signed_correctly(request, secret)

    # Nowhere else: reads, the delivery log, the event log, the pages.
    delivery = WebhookDelivery.objects.get()
    answers = [
        bob.call("get", "/webhooks").content,
        bob.call("get", f"/webhooks/{endpoint.pk}").content,
        bob.call("get", f"/webhooks/{endpoint.pk}/deliveries").content,
        bob.call("get", f"/webhook-deliveries/{delivery.pk}").content,
        bob.call("patch", f"/webhooks/{endpoint.pk}", {"description": "ERP v2"}).content,
        bob.call("post", f"/webhooks/{endpoint.pk}/ping").content,
        bob.call("post", f"/webhook-deliveries/{delivery.pk}/redeliver").content,
    ]
    pages = personas.client_for(personas.bob)
    answers += [
        pages.get("/w/maison-lumiere/settings/webhooks/").content,
        pages.get(f"/w/maison-lumiere/settings/webhooks/{endpoint.pk}/").content,
    ]
    events = json.dumps(list(Event.objects.values("verb", "payload")), default=str)
    deliveries = json.dumps(list(WebhookDelivery.objects.values("payload")))
    for text in [*answers, events.encode(), deliveries.encode(), request.get_data()]:
        assert secret.encode() not in text
        assert b"secret_encrypted" not in text
    assert Event.objects.filter(verb="webhook.created").count() == 1


def test_the_api_refuses_bad_addresses_and_unknown_events(personas: Personas) -> None:
    bob = Api(personas.bob)

    for url in ("ftp://example.com/hook", "javascript:alert(1)", "example.com", ""):
        response = bob.call("post", "/webhooks", {"url": url, "events": ["case.opened"]})
        assert response.status_code == 400, url
        assert set(response.json()["error"]["details"]) == {"url"}

    response = bob.call(
        "post", "/webhooks", {"url": "https://example.com/h", "events": ["case.exploded"]}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"events"}
    assert "case.exploded" in response.json()["error"]["message"]
    assert not WebhookEndpoint.objects.exists()


def test_changes_take_a_manager_and_reads_a_seat(personas: Personas, receiver: Receiver) -> None:
    endpoint = make_endpoint(personas, receiver).endpoint
    alice = Api(personas.alice)

    assert alice.call("get", f"/webhooks/{endpoint.pk}").status_code == 200
    assert alice.call("post", f"/webhooks/{endpoint.pk}/ping").status_code == 403
    assert alice.call("delete", f"/webhooks/{endpoint.pk}").status_code == 403
    assert (
        alice.call("post", "/webhooks", {"url": receiver.url, "events": ["case.opened"]})
    ).status_code == 403

    bob = Api(personas.bob)
    assert (
        bob.call("patch", f"/webhooks/{endpoint.pk}", {"is_active": False}).json()["is_active"]
        is False
    )
    assert bob.call("delete", f"/webhooks/{endpoint.pk}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_another_workspace_sees_nothing(personas: Personas, receiver: Receiver) -> None:
    endpoint = make_endpoint(personas, receiver).endpoint
    record_event(personas.workspace_a, "case.opened", "case", 1)
    dispatch_events()
    delivery = WebhookDelivery.objects.get()
    charlie = Api(personas.charlie)

    assert charlie.call("get", "/webhooks").json()["items"] == []
    for method, path in [
        ("get", f"/webhooks/{endpoint.pk}"),
        ("get", f"/webhooks/{endpoint.pk}/deliveries"),
        ("patch", f"/webhooks/{endpoint.pk}"),
        ("delete", f"/webhooks/{endpoint.pk}"),
        ("post", f"/webhooks/{endpoint.pk}/ping"),
        ("get", f"/webhook-deliveries/{delivery.pk}"),
        ("post", f"/webhook-deliveries/{delivery.pk}/redeliver"),
    ]:
        response = charlie.call(method, path, {} if method == "patch" else None)
        assert response.status_code == 404, (method, path)

    # Charlie owns B: on B's pages, A's endpoint is missing too.
    pages = personas.client_for(personas.charlie)
    assert pages.get("/w/maison-lumiere/settings/webhooks/").status_code == 404
    assert pages.get(f"/w/other-corp/settings/webhooks/{endpoint.pk}/").status_code == 404
    for action in ("ping", "toggle", "delete"):
        url = f"/w/other-corp/settings/webhooks/{endpoint.pk}/{action}/"
        assert pages.post(url).status_code == 404
    redeliver = f"/w/other-corp/settings/webhooks/deliveries/{delivery.pk}/redeliver/"
    assert pages.post(redeliver).status_code == 404
    assert WebhookEndpoint.objects.get().is_active
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_the_settings_page_creates_an_endpoint_and_shows_the_secret_once(
    personas: Personas, receiver: Receiver
) -> None:
    pages = personas.client_for(personas.bob)
    assert pages.get("/w/maison-lumiere/settings/webhooks/").status_code == 200

    response = pages.post(
        "/w/maison-lumiere/settings/webhooks/",
        {"url": receiver.url, "description": "ERP", "events": ["case.opened", "case.resolved"]},
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    secret = unseal(endpoint.secret_encrypted)
    assert response.content.count(secret.encode()) == 1
    assert endpoint.events == ["case.opened", "case.resolved"]
    again = pages.get("/w/maison-lumiere/settings/webhooks/")
    assert secret.encode() not in again.content
    assert receiver.url.encode() in again.content

    refused = pages.post(
        "/w/maison-lumiere/settings/webhooks/",
        {"url": "ftp://example.com", "events": ["case.opened"]},
    )
    assert refused.status_code == 400
    assert WebhookEndpoint.objects.count() == 1


def test_the_delivery_log_pages_and_redelivers(personas: Personas, receiver: Receiver) -> None:
    receiver.answer(500, "nope")
    endpoint = make_endpoint(personas, receiver).endpoint
    for case in range(35):
        record_event(personas.workspace_a, "case.opened", "case", case)
    dispatch_events()
    deliver_due(limit=100)
    pages = personas.client_for(personas.bob)
    log = f"/w/maison-lumiere/settings/webhooks/{endpoint.pk}/"

    first = pages.get(log)
    assert first.status_code == 200
    assert first.content.count(b'class="webhook-delivery') == 30
    assert b"HTTP 500" in first.content
    assert b"&quot;case_id&quot;: 34" in first.content
    cursor = first.context["page"].next_cursor
    rest = pages.get(log, {"cursor": cursor}, headers={"HX-Request": "true"})
    assert rest.content.count(b'class="webhook-delivery') == 5
    assert b"<html" not in rest.content

    receiver.answer(200)
    delivery = WebhookDelivery.objects.order_by("id").first()
    assert delivery is not None
    redone = pages.post(f"/w/maison-lumiere/settings/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert redone.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING  # sent by the worker after the commit

    assert (
        pages.post(f"/w/maison-lumiere/settings/webhooks/{endpoint.pk}/toggle/").status_code == 302
    )
    assert not WebhookEndpoint.objects.get().is_active


def test_agents_do_not_manage_webhooks(personas: Personas) -> None:
    pages = personas.client_for(personas.alice)
    assert pages.get("/w/maison-lumiere/settings/webhooks/").status_code == 403
    assert b"settings/webhooks" not in pages.get("/w/maison-lumiere/inbox/").content
    bob = personas.client_for(personas.bob)
    assert b"/w/maison-lumiere/settings/webhooks/" in bob.get("/w/maison-lumiere/inbox/").content


def test_text_no_database_stores_is_refused(personas: Personas) -> None:
    bob = Api(personas.bob)
    for body, field in [
        ({"url": "https://example.com/\x00", "events": ["case.opened"]}, "url"),
        (
            {"url": "https://example.com/h", "events": ["case.opened"], "description": "a\x00"},
            "description",
        ),
        ({"url": "https://example.com/h", "events": ["case\x00"]}, "events"),
    ]:
        response = bob.call("post", "/webhooks", body)
        assert response.status_code == 400, body
        assert set(response.json()["error"]["details"]) == {field}
    assert not WebhookEndpoint.objects.exists()
