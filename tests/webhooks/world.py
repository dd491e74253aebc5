"""One webhook endpoint and one delivery per side of the API's world, made on first use.

The API's isolation tables (tests/api/endpoints.py) name URLs with these ids.
"""

from __future__ import annotations

from django.utils import timezone

from comptoir.webhooks.actions import do_create_endpoint
from comptoir.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from tests.api.conftest import Side

# Nothing listens there: deliveries the tests make are never sent anyway.
NOWHERE = "http://127.0.0.1:9/hooks"


def endpoint_of(side: Side) -> WebhookEndpoint:
    workspace = side.email.workspace
    found = WebhookEndpoint.objects.filter(workspace=workspace).order_by("id").first()
    if found is not None:
        return found
    return do_create_endpoint(
        workspace, url=NOWHERE, events=[EventType.CASE_OPENED], description="world"
    ).endpoint


def delivery_of(side: Side) -> WebhookDelivery:
    endpoint = endpoint_of(side)
    found = endpoint.deliveries.order_by("id").first()
    if found is not None:
        return found
    now = timezone.now()
    return WebhookDelivery.objects.create(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        event_type=EventType.CASE_OPENED,
        source_key="world:1",
        payload={"id": "world:1", "type": EventType.CASE_OPENED, "data": {}},
        created_at=now,
        next_attempt_at=None,
        status="abandoned",
    )


def endpoint_ids(side: Side) -> set[int]:
    return set(
        WebhookEndpoint.objects.filter(workspace=side.email.workspace).values_list("pk", flat=True)
    )
