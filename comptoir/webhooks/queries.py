"""Reads of outbound webhooks shared by the settings pages and the API.

The encrypted secret is deferred on every path that shows an endpoint: it is not even read.
"""

from __future__ import annotations

from django.db.models import QuerySet

from comptoir.webhooks.models import WebhookDelivery, WebhookEndpoint
from comptoir.workspaces.models import Workspace
from comptoir.workspaces.queries import scoped

ENDPOINT_ORDERING = ("-created_at", "-id")
DELIVERY_ORDERING = ("-created_at", "-id")


def endpoints(workspace: Workspace | int) -> QuerySet[WebhookEndpoint]:
    return scoped(WebhookEndpoint, workspace).defer("secret_encrypted")


def deliveries(workspace: Workspace | int, endpoint_id: int) -> QuerySet[WebhookDelivery]:
    """One endpoint's delivery log, newest first (the caller paginates)."""
    return scoped(WebhookDelivery, workspace).filter(endpoint_id=endpoint_id)
