"""Listening: the rules that say what to listen for, and the public posts they caught."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.inbox.models import Message
from comptoir.workspaces.models import Workspace


class ListeningRule(models.Model):
    """A query (see ``listening.query``) run on every public post the workspace receives."""

    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,  # listening_rule_unique_name starts with the workspace
    )
    name = models.CharField(_("name"), max_length=120)
    query = models.TextField(_("query"))
    # Empty lists mean "any": a rule is narrowed only when someone asks for it.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    channel_kinds = models.JSONField(_("channel kinds"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("listening rule")
        verbose_name_plural = _("listening rules")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="listening_rule_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Mention(models.Model):
    """A public post a rule caught. The post's channel, language and time are copied here
    so that the stream and the hourly chart read one table through its indexes."""

    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,  # the mention_stream indexes start with the workspace
    )
    rule = models.ForeignKey(
        ListeningRule,
        on_delete=models.CASCADE,
        related_name="mentions",
        verbose_name=_("rule"),
        db_index=False,  # mention_unique_per_rule (rule, message) serves these lookups
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("message")
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("channel"),
        db_index=False,  # filtered within a workspace's stream, never looked up alone
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    matched_at = models.DateTimeField(_("matched at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "message"], name="mention_unique_per_rule"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-sent_at", "-id"], name="mention_stream"),
            models.Index(
                fields=["workspace", "rule", "-sent_at", "-id"], name="mention_stream_by_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message_id}"
