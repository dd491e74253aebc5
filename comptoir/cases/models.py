"""Cases: a customer problem followed to its end, under a service-level agreement.

A case is separate from conversations: it may span several conversations and channels,
and a conversation may open one. Its clocks run in business time: the workspace's
business calendar (weekly hours, holidays, time zone) and the SLA policy's targets.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.inbox.models import Conversation, Priority
from comptoir.people.models import Organization, Person, Tier
from comptoir.workspaces.models import Seat, Team, Workspace


class BusinessCalendar(models.Model):
    """When the team works. ``schedule`` maps ISO weekdays ("1" Monday .. "7" Sunday) to
    lists of ["HH:MM", "HH:MM"] opening spans in ``timezone``; ``holidays`` lists extra
    closed dates ("YYYY-MM-DD"); ``holiday_country`` adds a country's public holidays
    (the ``holidays`` package, "FR" for France)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    schedule = models.JSONField(_("weekly schedule"), default=dict)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    holiday_country = models.CharField(_("public holidays of"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="calendar_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    name = models.CharField(_("name"), max_length=120)
    calendar = models.ForeignKey(
        BusinessCalendar,
        # A calendar in use cannot be deleted alone; deleting the workspace removes both.
        on_delete=models.RESTRICT,
        related_name="policies",
        verbose_name=_("business calendar"),
    )
    # The policy new cases get when none is chosen; at most one per workspace.
    is_default = models.BooleanField(_("default"), default=False)
    # How long before a due time the warning fires, in business minutes.
    warn_before_minutes = models.PositiveIntegerField(_("warn before (minutes)"), default=30)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="sla_policy_unique_name"),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="sla_policy_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """Targets for one priority and customer tier, in business minutes."""

    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, related_name="targets", verbose_name=_("policy")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    tier = models.CharField(_("customer tier"), max_length=16, choices=Tier.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority", "tier"], name="sla_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority}/{self.tier}"


class EscalationTrigger(models.TextChoices):
    FIRST_RESPONSE_WARNING = "first_response_warning", _("First response due soon")
    FIRST_RESPONSE_BREACH = "first_response_breach", _("First response breached")
    RESOLUTION_WARNING = "resolution_warning", _("Resolution due soon")
    RESOLUTION_BREACH = "resolution_breach", _("Resolution breached")


class EscalationAction(models.TextChoices):
    REASSIGN = "reassign", _("Reassign")
    RAISE_PRIORITY = "raise_priority", _("Raise priority")
    NOTIFY_MANAGER = "notify_manager", _("Notify managers")


class EscalationRule(models.Model):
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("policy")
    )
    trigger = models.CharField(_("when"), max_length=24, choices=EscalationTrigger.choices)
    action = models.CharField(_("do"), max_length=16, choices=EscalationAction.choices)
    # For "reassign": the seat or team the case goes to.
    target_seat = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["policy", "trigger", "id"]

    def __str__(self) -> str:
        return _("%(trigger)s: %(action)s") % {
            "trigger": self.get_trigger_display(),
            "action": self.get_action_display(),
        }


class CaseStatus(models.TextChoices):
    # Their own context: a case's words differ from a conversation's in some languages.
    NEW = "new", pgettext_lazy("case status", "New")
    OPEN = "open", pgettext_lazy("case status", "Open")
    WAITING_ON_CUSTOMER = "waiting_on_customer", pgettext_lazy("case status", "Waiting on customer")
    WAITING_ON_US = "waiting_on_us", pgettext_lazy("case status", "Waiting on us")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class CaseCategory(models.TextChoices):
    AFTER_SALES = "after_sales", _("After-sales (lost item, refund, return)")
    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")
    BILLING = "billing", _("Billing")
    TECHNICAL = "technical", _("Technical")
    OTHER = "other", _("Other")


class Case(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,  # the list indexes start with the workspace
    )
    # Shown to people as "#<number>", counted per workspace.
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("organisation"),
    )
    category = models.CharField(
        _("category"), max_length=16, choices=CaseCategory.choices, default=CaseCategory.OTHER
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    tier = models.CharField(
        _("customer tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    owner = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("team"),
    )
    policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("SLA policy"),
    )
    conversations: models.ManyToManyField[Conversation, CaseConversation] = models.ManyToManyField(
        Conversation,
        through="CaseConversation",
        related_name="cases",
        blank=True,
        verbose_name=_("conversations"),
    )
    opened_at = models.DateTimeField(_("opened at"))
    # SLA clocks. Due times move when the clock pauses (waiting on customer) and resumes.
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    # While waiting on the customer the clock stops; this is when it stopped.
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    # Which warnings and breaches have been recorded, so each fires once.
    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    # The earliest moment the SLA worker must look at this case again (a warning or due
    # time); NULL when no clock runs. The worker reads only rows whose time has come.
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="case_unique_number"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-opened_at", "-id"], name="case_list"),
            models.Index(
                fields=["workspace", "status", "-opened_at", "-id"], name="case_list_status"
            ),
            models.Index(
                fields=["workspace", "owner", "-opened_at", "-id"], name="case_list_owner"
            ),
            models.Index(
                fields=["next_check_at"],
                name="case_sla_due",
                condition=models.Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class CaseConversation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="case_links"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("conversation of a case")
        verbose_name_plural = _("conversations of cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "conversation"], name="case_conversation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case} / {self.conversation}"
