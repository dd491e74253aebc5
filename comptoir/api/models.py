"""API tokens: a bearer secret tied to one seat, stored only as its SHA-256 digest."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.workspaces.models import Seat, Workspace


class ApiToken(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("seat")
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    # The public part of the token, to find the row without scanning digests.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.seat})"
