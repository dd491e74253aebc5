"""The REST router of outbound webhooks: endpoints, their delivery logs, pings, redelivery.

Reading takes a seat in the workspace; every change takes the MANAGE_CHANNELS capability
(owners and managers). The signing secret appears once, in the answer to the creation,
and in no other answer: the output schemas name their fields one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.pagination import Page
from comptoir.rest import (
    BlankIsNull,
    PageOut,
    PageParams,
    caller,
    page_of,
    reading,
    responses,
    workspace_for,
)
from comptoir.webhooks import queries
from comptoir.webhooks.actions import (
    CreatedEndpoint,
    do_create_endpoint,
    do_delete_endpoint,
    do_ping,
    do_redeliver,
    do_update_endpoint,
)
from comptoir.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from comptoir.workspaces.models import Workspace
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability

router = Router(tags=["webhooks"])


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[EventType]
    is_active: bool
    created_at: datetime


class CreatedEndpointOut(EndpointOut):
    secret: str = Field(description="The signing secret: shown in this answer only, keep it now.")


class EndpointIn(Schema):
    url: str = Field(description="Where events are POSTed: an http:// or https:// address.")
    events: list[str] = Field(description="The event types to send.", min_length=1)
    description: str = ""


class EndpointPatch(Schema):
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    is_active: bool | None = Field(None, description="false pauses the endpoint.")


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: Annotated[str | None, BlankIsNull]
    response_excerpt: Annotated[str | None, BlankIsNull]
    payload: dict[str, Any]
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None


def _managing(request: HttpRequest) -> Workspace:
    return workspace_for(request, Capability.MANAGE_CHANNELS)


def _endpoint(workspace: Workspace, endpoint_id: int) -> WebhookEndpoint:
    return get_scoped_or_404(queries.endpoints(workspace), workspace, endpoint_id)


def _saved(action: Callable[[], Any], *, status: int = 200) -> Status[Any]:
    return Status(status, action())


def _created_out(created: CreatedEndpoint) -> dict[str, Any]:
    endpoint = created.endpoint
    return {
        **EndpointOut.from_orm(endpoint).model_dump(),
        "secret": created.secret,
    }


@router.get("/webhooks", response=responses(PageOut[EndpointOut]))
def list_endpoints(request: HttpRequest, page: Query[PageParams]) -> Page[WebhookEndpoint]:
    """The workspace's webhook endpoints, newest first."""
    workspace = reading(request)
    return page_of(queries.endpoints(workspace), queries.ENDPOINT_ORDERING, page)


@router.post("/webhooks", response={**responses(CreatedEndpointOut), 201: CreatedEndpointOut})
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[Any]:
    """A new endpoint. The answer carries its signing secret, this once."""
    workspace = _managing(request)
    fields = payload.model_dump()
    return _saved(
        lambda: _created_out(do_create_endpoint(workspace, actor=caller(request), **fields)),
        status=201,
    )


@router.get("/webhooks/{int:endpoint_id}", response=responses(EndpointOut))
def get_endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    workspace = reading(request)
    return _endpoint(workspace, endpoint_id)


@router.patch("/webhooks/{int:endpoint_id}", response=responses(EndpointOut))
def update_endpoint(request: HttpRequest, endpoint_id: int, payload: EndpointPatch) -> Status[Any]:
    """Change the fields given; `is_active: false` pauses it, `true` resumes it."""
    workspace = _managing(request)
    endpoint = _endpoint(workspace, endpoint_id)
    fields = payload.model_dump(exclude_none=True)
    return _saved(lambda: do_update_endpoint(endpoint, actor=caller(request), **fields))


@router.delete("/webhooks/{int:endpoint_id}", response={**responses(None), 204: None})
def delete_endpoint(request: HttpRequest, endpoint_id: int) -> Status[None]:
    """Delete the endpoint and its delivery log."""
    workspace = _managing(request)
    do_delete_endpoint(_endpoint(workspace, endpoint_id), actor=caller(request))
    return Status(204, None)


@router.get("/webhooks/{int:endpoint_id}/deliveries", response=responses(PageOut[DeliveryOut]))
def list_deliveries(
    request: HttpRequest, endpoint_id: int, page: Query[PageParams]
) -> Page[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    workspace = reading(request)
    endpoint = _endpoint(workspace, endpoint_id)
    return page_of(queries.deliveries(workspace, endpoint.pk), queries.DELIVERY_ORDERING, page)


@router.post("/webhooks/{int:endpoint_id}/ping", response=responses(DeliveryOut))
def ping_endpoint(request: HttpRequest, endpoint_id: int) -> WebhookDelivery:
    """Send a `ping` event to the endpoint now; its delivery shows in the log."""
    workspace = _managing(request)
    return do_ping(_endpoint(workspace, endpoint_id), actor=caller(request))


@router.get("/webhook-deliveries/{int:delivery_id}", response=responses(DeliveryOut))
def get_delivery(request: HttpRequest, delivery_id: int) -> WebhookDelivery:
    workspace = reading(request)
    return get_scoped_or_404(scoped(WebhookDelivery, workspace), workspace, delivery_id)


@router.post("/webhook-deliveries/{int:delivery_id}/redeliver", response=responses(DeliveryOut))
def redeliver(request: HttpRequest, delivery_id: int) -> WebhookDelivery:
    """Send the same payload again now, with a fresh day of retries."""
    workspace = _managing(request)
    delivery = get_scoped_or_404(scoped(WebhookDelivery, workspace), workspace, delivery_id)
    return do_redeliver(delivery, actor=caller(request))
