"""SLA settings: business calendars (hours, time zone, holidays) and SLA policies (targets
per priority and tier, warning, escalation rules).

Everyone in the workspace sees them; owners and managers (``MANAGE_CHANNELS``) edit them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.cases.models import (
    BusinessCalendar,
    EscalationAction,
    EscalationTrigger,
    SlaPolicy,
)
from comptoir.cases.policies import (
    EscalationSpec,
    TargetSpec,
    calendars,
    do_save_calendar,
    do_save_policy,
    policies,
)
from comptoir.inbox.models import Priority
from comptoir.inbox.queries import active_seats
from comptoir.people.models import Tier
from comptoir.web.views.seated import SeatedRequest, in_workspace
from comptoir.workspaces.models import Seat, Team
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

WEEKDAY_NAMES = (
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
)
PRIORITIES = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)
TIERS = (Tier.STRATEGIC, Tier.KEY, Tier.STANDARD)
BLANK_ESCALATIONS = 3
_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


def _hhmm(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    timezone = forms.ChoiceField(label=_("Time zone"))
    holidays = forms.CharField(
        label=_("Closed dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("One date a line, YYYY-MM-DD (company closing days, bridges)."),
    )
    french_holidays = forms.BooleanField(
        label=_("French public holidays"),
        required=False,
        help_text=_(
            "1 January, Easter Monday, 1 and 8 May, Ascension, Whit Monday, 14 July, "
            "15 August, 1 and 11 November, 25 December."
        ),
    )

    def __init__(self, *args: Any, other_country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.other_country = other_country
        zone_field = self.fields["timezone"]
        assert isinstance(zone_field, forms.ChoiceField)  # noqa: S101  # declared just above
        zone_field.choices = [(z, z) for z in sorted(available_timezones())]
        for day, label in WEEKDAY_NAMES:
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": "09:00-12:30, 14:00-18:00"}),
            )

    @classmethod
    def of(cls, calendar: BusinessCalendar) -> CalendarForm:
        initial: dict[str, Any] = {
            "name": calendar.name,
            "timezone": calendar.timezone,
            "holidays": "\n".join(calendar.holidays),
            "french_holidays": calendar.holiday_country == "FR",
        }
        for day, _label in WEEKDAY_NAMES:
            spans = calendar.schedule.get(day) or []
            initial[f"day_{day}"] = ", ".join(f"{start}-{end}" for start, end in spans)
        other = "" if calendar.holiday_country in ("", "FR") else calendar.holiday_country
        return cls(initial=initial, other_country=other)

    def weekdays(self) -> list[forms.BoundField]:
        return [self[f"day_{day}"] for day, _label in WEEKDAY_NAMES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        schedule: dict[str, list[list[str]]] = {}
        for day, _label in WEEKDAY_NAMES:
            text = data.get(f"day_{day}") or ""
            spans = []
            for part in filter(None, (p.strip() for p in text.split(","))):
                match = _SPAN.match(part)
                if not match:
                    self.add_error(
                        f"day_{day}", gettext("Write spans as 09:00-12:30, 14:00-18:00.")
                    )
                    break
                spans.append([_hhmm(match.group(1)), _hhmm(match.group(2))])
            if spans:
                schedule[day] = spans
        holidays = []
        for line in re.split(r"[\s,;]+", data.get("holidays") or ""):
            if not line:
                continue
            try:
                holidays.append(date.fromisoformat(line).isoformat())
            except ValueError:
                self.add_error(
                    "holidays", gettext("%(value)s is not a YYYY-MM-DD date.") % {"value": line}
                )
        data["schedule"] = schedule
        data["holiday_dates"] = holidays
        return data

    def to_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        country = "FR" if data["french_holidays"] else self.other_country
        return {
            "name": data["name"],
            "timezone": data["timezone"],
            "schedule": data["schedule"],
            "holidays": data["holiday_dates"],
            "holiday_country": country,
        }


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    calendar = forms.TypedChoiceField(label=_("Business calendar"), coerce=int)
    is_default = forms.BooleanField(
        label=_("Default policy"),
        required=False,
        help_text=_("New cases get this policy unless another is chosen."),
    )
    warn_before_minutes = forms.IntegerField(
        label=_("Warn before a due time (business minutes)"), min_value=0, max_value=100_000
    )

    def __init__(
        self,
        *args: Any,
        calendars: list[BusinessCalendar],
        seats: list[Seat],
        teams: list[Team],
        escalation_rows: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        calendar_field = self.fields["calendar"]
        assert isinstance(calendar_field, forms.TypedChoiceField)  # noqa: S101  # declared above
        calendar_field.choices = [(c.pk, c.name) for c in calendars]
        self.escalation_rows = escalation_rows
        for priority in PRIORITIES:
            for tier in TIERS:
                for clock in ("first", "resolution"):
                    self.fields[f"t_{priority}_{tier}_{clock}"] = forms.DecimalField(
                        required=False,
                        min_value=Decimal("0.25"),
                        max_value=Decimal(8784),
                        decimal_places=2,
                        widget=forms.NumberInput(attrs={"step": "0.25", "class": "target-input"}),
                    )
        for index in range(escalation_rows):
            self.fields[f"e{index}_trigger"] = forms.ChoiceField(
                required=False,
                label=_("When"),
                choices=[("", "—"), *EscalationTrigger.choices],
            )
            self.fields[f"e{index}_action"] = forms.ChoiceField(
                required=False, label=_("Do"), choices=[("", "—"), *EscalationAction.choices]
            )
            self.fields[f"e{index}_seat"] = forms.TypedChoiceField(
                required=False,
                label=_("Seat"),
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *((s.pk, s.display_name) for s in seats)],
            )
            self.fields[f"e{index}_team"] = forms.TypedChoiceField(
                required=False,
                label=_("Team"),
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *((t.pk, t.name) for t in teams)],
            )

    @staticmethod
    def initial_of(policy: SlaPolicy) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": policy.name,
            "calendar": policy.calendar_id,
            "is_default": policy.is_default,
            "warn_before_minutes": policy.warn_before_minutes,
        }
        for target in policy.targets.all():
            key = f"t_{target.priority}_{target.tier}"
            initial[f"{key}_first"] = _hours(target.first_response_minutes)
            initial[f"{key}_resolution"] = _hours(target.resolution_minutes)
        for index, rule in enumerate(policy.escalations.all()):
            initial |= {
                f"e{index}_trigger": rule.trigger,
                f"e{index}_action": rule.action,
                f"e{index}_seat": rule.target_seat_id,
                f"e{index}_team": rule.target_team_id,
            }
        return initial

    def target_rows(self) -> list[dict[str, Any]]:
        """The targets table: one row per priority, a pair of fields per tier."""
        return [
            {
                "label": priority.label,
                "cells": [
                    (self[f"t_{priority}_{tier}_first"], self[f"t_{priority}_{tier}_resolution"])
                    for tier in TIERS
                ],
            }
            for priority in PRIORITIES
        ]

    def tier_labels(self) -> list[str]:
        return [str(tier.label) for tier in TIERS]

    def escalation_fields(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"e{i}_{part}"] for part in ("trigger", "action", "seat", "team")]
            for i in range(self.escalation_rows)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets = []
        for priority in PRIORITIES:
            for tier in TIERS:
                first = data.get(f"t_{priority}_{tier}_first")
                resolution = data.get(f"t_{priority}_{tier}_resolution")
                if first is None and resolution is None:
                    continue
                if first is None or resolution is None:
                    self.add_error(
                        f"t_{priority}_{tier}_first",
                        gettext("Give both targets, or neither."),
                    )
                    continue
                targets.append(
                    TargetSpec(priority, tier, round(first * 60), round(resolution * 60))
                )
        rules = []
        for index in range(self.escalation_rows):
            trigger, action = data.get(f"e{index}_trigger"), data.get(f"e{index}_action")
            if not trigger and not action:
                continue
            if not trigger or not action:
                self.add_error(f"e{index}_trigger", gettext("Choose when and what to do."))
                continue
            rules.append(
                EscalationSpec(
                    trigger,
                    action,
                    data.get(f"e{index}_seat") if action == EscalationAction.REASSIGN else None,
                    data.get(f"e{index}_team") if action == EscalationAction.REASSIGN else None,
                )
            )
        data["targets"], data["escalations"] = targets, rules
        return data

    def to_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "calendar_id": data["calendar"],
            "is_default": data["is_default"],
            "warn_before_minutes": data["warn_before_minutes"],
            "targets": data["targets"],
            "escalations": data["escalations"],
        }


def _hours(minutes: int) -> str:
    """Minutes as hours for a number input: 90 is "1.5", 600 is "10"."""
    return format((Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize(), "f")


# Views ----------------------------------------------------------------------------------------


@in_workspace
def overview(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    context = {
        "calendar_rows": [
            (calendar, _week_summary(calendar))
            for calendar in calendars(workspace).order_by("name", "id")
        ],
        "policies": policies(workspace).order_by("name", "id"),
        "can_manage": can(request.seat, Capability.MANAGE_CHANNELS),
    }
    return render(request, "web/sla/overview.html", context)


def _week_summary(calendar: BusinessCalendar) -> list[tuple[str, str]]:
    """The open days of a calendar with their spans: ("Monday", "09:00-12:30, 14:00-18:00")."""
    return [
        (str(label), ", ".join(f"{start}\u2013{end}" for start, end in calendar.schedule[day]))
        for day, label in WEEKDAY_NAMES
        if calendar.schedule.get(day)
    ]


@in_workspace
def calendar_new(request: SeatedRequest) -> HttpResponse:
    return _calendar_page(request, None)


@in_workspace
def calendar_edit(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    return _calendar_page(request, get_scoped_or_404(calendars(workspace), workspace, pk))


@in_workspace
def policy_new(request: SeatedRequest) -> HttpResponse:
    return _policy_page(request, None)


@in_workspace
def policy_edit(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    return _policy_page(request, get_scoped_or_404(policies(workspace), workspace, pk))


def _calendar_page(request: SeatedRequest, calendar: BusinessCalendar | None) -> HttpResponse:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied
    workspace = request.seat.workspace
    if calendar is not None:
        form = CalendarForm.of(calendar)
    else:
        form = CalendarForm(
            initial={
                "timezone": workspace.timezone,
                "french_holidays": workspace.default_language == "fr",
                **{f"day_{d}": "09:00-18:00" for d in "12345"},
            }
        )
    if request.method == "POST":
        form = CalendarForm(request.POST, other_country=form.other_country)
        saved = _saved(
            form,
            lambda fields: do_save_calendar(
                workspace, actor=request.seat, calendar=calendar, **fields
            ),
        )
        if saved:
            messages.success(request, gettext("The business calendar is saved."))
            return HttpResponseRedirect(reverse("web:sla_settings", args=[workspace.slug]))
    return render(
        request,
        "web/sla/calendar_form.html",
        {"calendar": calendar, "form": form, "weekdays": form.weekdays()},
    )


def _policy_page(request: SeatedRequest, policy: SlaPolicy | None) -> HttpResponse:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied
    workspace = request.seat.workspace
    options: dict[str, Any] = {
        "calendars": list(calendars(workspace).order_by("name")),
        "seats": list(active_seats(workspace)),
        "teams": list(scoped(Team, workspace).order_by("name")),
    }
    if not options["calendars"]:
        messages.info(
            request, gettext("Add a business calendar first: a policy counts in its hours.")
        )
        return HttpResponseRedirect(reverse("web:sla_calendar_new", args=[workspace.slug]))
    existing = len(policy.escalations.all()) if policy is not None else 0
    rows = existing + BLANK_ESCALATIONS
    initial = (
        PolicyForm.initial_of(policy)
        if policy is not None
        else {"warn_before_minutes": 30, "is_default": not policies(workspace).exists()}
    )
    form = PolicyForm(initial=initial, escalation_rows=rows, **options)
    if request.method == "POST":
        form = PolicyForm(request.POST, escalation_rows=rows, **options)
        saved = _saved(
            form,
            lambda fields: do_save_policy(workspace, actor=request.seat, policy=policy, **fields),
        )
        if saved:
            messages.success(request, gettext("The SLA policy is saved."))
            return HttpResponseRedirect(reverse("web:sla_settings", args=[workspace.slug]))
    return render(request, "web/sla/policy_form.html", {"policy": policy, "form": form})


def _saved(form: CalendarForm | PolicyForm, action: Callable[[dict[str, Any]], object]) -> bool:
    """Run ``action`` with the form's fields; the action's refusals become form errors."""
    if not form.is_valid():
        return False
    try:
        action(form.to_fields())
    except ValidationError as exc:
        details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for field, problems in details.items():
            for problem in problems:
                known = field in form.fields
                form.add_error(field if known else None, problem)
        return False
    return True
