"""Tenancy: every domain row belongs to one Workspace; people work in it through a Seat."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class Workspace(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=Language.choices, default=Language.FRENCH
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    ADVOCATE = "advocate", _("Advocate")
    VIEWER = "viewer", _("Viewer")


class Seat(models.Model):
    """A user working in a workspace with a role. A user may hold seats in several."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="seats", verbose_name=_("workspace")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="seats",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("display name"), max_length=120)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="seat_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"


class Event(models.Model):
    """Append-only record of who did what to which object: the timelines and the audit log.

    Rows are written only through ``workspaces.actions.record_event`` and never updated.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="events", verbose_name=_("workspace")
    )
    actor = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("verb"), max_length=64)
    subject_type = models.CharField(_("subject type"), max_length=32)
    subject_id = models.BigIntegerField(_("subject id"))
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["workspace", "subject_type", "subject_id", "created_at"],
                name="event_subject_timeline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.subject_type}#{self.subject_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("events are append-only")
        super().save(*args, **kwargs)


class Team(models.Model):
    """A group of seats that work can be assigned to (care, sales, a language desk)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="teams", verbose_name=_("workspace")
    )
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(
        Seat, related_name="teams", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """Something a seat should see: an @mention in a note, an escalation, an assignment.

    ``verb`` names what happened ("note.mention", "case.escalated", ...); the subject is
    the object to open; ``text`` is a short sentence shown as is.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("seat")
    )
    verb = models.CharField(_("verb"), max_length=64)
    subject_type = models.CharField(_("subject type"), max_length=32)
    subject_id = models.BigIntegerField(_("subject id"))
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["seat", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.text
