"""Outbound webhooks: the endpoints a workspace configures, and one row per delivery.

An endpoint's signing secret is stored encrypted (Fernet, the ENCRYPTION_KEY of the
channels' secrets); it is shown once, when the endpoint is created, and never again.
A delivery is unique per (endpoint, source key), so an event is never enqueued twice for
one endpoint whatever the number of dispatch passes that see it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.workspaces.models import Workspace


class EventType(models.TextChoices):
    MESSAGE_CREATED = "message.created", _("A message was received or sent")
    CONVERSATION_ASSIGNED = "conversation.assigned", _("A conversation was assigned")
    CONVERSATION_STATUS_CHANGED = (
        "conversation.status_changed",
        _("A conversation changed status"),
    )
    CASE_OPENED = "case.opened", _("A case was opened")
    CASE_SLA_WARNING = "case.sla_warning", _("A case nears an SLA breach")
    CASE_SLA_BREACHED = "case.sla_breached", _("A case breached its SLA")
    CASE_RESOLVED = "case.resolved", _("A case was resolved")


# "ping" is sent on demand to test an endpoint; nobody subscribes to it.
PING = "ping"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, retrying")
    ABANDONED = "abandoned", _("Abandoned")


class WebhookEndpoint(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("workspace"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret_encrypted = models.TextField(_("signing secret (encrypted)"))
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The ingest path asks "any active endpoint here?" on every batch.
            models.Index(fields=["workspace", "is_active"], name="webhook_endpoint_active"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
        db_index=False,  # webhook_delivery_log (endpoint, -created_at, -id) serves it
    )
    event_type = models.CharField(_("event"), max_length=40)
    # What the delivery is about, unique per endpoint: "event:<id>", "message:<id>", "ping:<uuid>".
    source_key = models.CharField(_("source"), max_length=80)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Failed tries are retried until then (a day after creation, or after a redelivery).
    give_up_at = models.DateTimeField(_("retried until"), null=True, blank=True)
    # Set while a worker sends it; another worker may take it over once this has passed.
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "source_key"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log"),
            # The sender's queue: only rows still to send are indexed.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"


class DispatchCursor(models.Model):
    """How far the dispatcher has read the event log: every event with an id at most
    ``last_event_id`` is surely committed and has been turned into deliveries."""

    name = models.CharField(_("name"), max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(_("last event id"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dispatch cursor")
        verbose_name_plural = _("dispatch cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"
