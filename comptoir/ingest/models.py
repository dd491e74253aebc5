"""Rejected events: what could not be ingested, kept whole with the reason, for replay."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.workspaces.models import Workspace


class Source(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    POLL = "poll", _("Polling")
    IMPORT = "import", _("File import")
    API = "api", _("API")


class RejectedStatus(models.TextChoices):
    PENDING = "pending", _("To fix")
    REPLAYED = "replayed", _("Replayed")
    DISCARDED = "discarded", _("Discarded")


class RejectedEvent(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rejected_events",
        verbose_name=_("channel"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Where in the input: "line 12", "event 3", "UID 4411"...
    location = models.CharField(_("where"), max_length=200, blank=True)
    # The payload as received, decoded with replacement characters if it was not UTF-8;
    # the exact bytes are kept too when they differ.
    raw = models.TextField(_("raw payload"))
    raw_bytes = models.BinaryField(_("raw bytes"), null=True, blank=True, editable=False)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RejectedStatus.choices,
        default=RejectedStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rejected event")
        verbose_name_plural = _("rejected events")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["workspace", "status", "-received_at", "-id"], name="rejected_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.location}: {self.reason[:60]}"
