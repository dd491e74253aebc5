"""Channels: where conversations happen (a mailbox, an X account, a Facebook Page...)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.people.models import IdentityKind
from comptoir.workspaces.models import Workspace


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    FEED = "feed", _("RSS / Atom feed")
    WEBHOOK = "webhook", _("Generic webhook")
    WEB_CHAT = "web_chat", _("Web chat")


# The network an author on each channel has an identity on. Feeds and webhooks carry
# authors from anywhere; their events name the identity kind themselves.
IDENTITY_KIND_OF_CHANNEL: dict[str, str] = {
    ChannelKind.EMAIL: IdentityKind.EMAIL,
    ChannelKind.X: IdentityKind.X,
    ChannelKind.FACEBOOK: IdentityKind.FACEBOOK,
    ChannelKind.INSTAGRAM: IdentityKind.INSTAGRAM,
    ChannelKind.LINKEDIN: IdentityKind.LINKEDIN,
    ChannelKind.MASTODON: IdentityKind.MASTODON,
    ChannelKind.BLUESKY: IdentityKind.BLUESKY,
    ChannelKind.WEB_CHAT: IdentityKind.WEB_CHAT,
    ChannelKind.FEED: IdentityKind.OTHER,
    ChannelKind.WEBHOOK: IdentityKind.OTHER,
}


class ChannelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FAILING = "failing", _("Failing")
    DISCONNECTED = "disconnected", _("Disconnected")


class Channel(models.Model):
    """One connected account. ``config`` holds the kind's public settings, validated by the
    kind's Pydantic model; secrets live apart, encrypted, and are never rendered."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=120)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    secrets_encrypted = models.TextField(_("encrypted secrets"), blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ChannelStatus.choices, default=ChannelStatus.ACTIVE
    )
    # Where polling resumes (IMAP UIDVALIDITY and last UID, an API's since_id...), written
    # only after the events it covers are stored.
    poll_state = models.JSONField(_("poll state"), default=dict, blank=True, editable=False)
    last_received_at = models.DateTimeField(_("last received"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="channel_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def __repr__(self) -> str:
        return f"<Channel {self.pk} {self.kind} {self.name!r}>"
