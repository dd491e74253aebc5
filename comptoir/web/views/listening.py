"""Listening: the stream of mentions with its filters and hourly chart, and the rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from comptoir.channels.models import Channel, ChannelKind
from comptoir.inbox.models import Sentiment
from comptoir.listening.actions import do_create_rule, do_delete_rule, do_update_rule
from comptoir.listening.models import ListeningRule
from comptoir.listening.queries import (
    MENTION_ORDERING,
    RULE_ORDERING,
    MentionFilter,
    Volume,
    mentions,
    rules,
    volume,
)
from comptoir.web.forms import ListFilterForm
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_list, wants_fragment
from comptoir.workspaces.models import Language
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 50
CHART_HOURS = 48


class MentionFilterForm(ListFilterForm):
    rule = forms.TypedChoiceField(label=_("Rule"), required=False, coerce=int, empty_value=None)
    channel = forms.TypedChoiceField(
        label=_("Channel"), required=False, coerce=int, empty_value=None
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *Language.choices]
    )
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=[("", _("Any sentiment")), *Sentiment.choices],
    )

    def __init__(
        self, data: QueryDict, *, rules: Sequence[ListeningRule], channels: Sequence[Channel]
    ) -> None:
        super().__init__(data)
        self.set_choices("rule", [("", _("Any rule")), *((r.pk, r.name) for r in rules)])
        self.set_choices("channel", [("", _("Any channel")), *((c.pk, c.name) for c in channels)])

    def to_filter(self) -> MentionFilter:
        return MentionFilter(
            rule_id=self.value("rule"),
            channel_id=self.value("channel"),
            language=self.value("language") or "",
            sentiment=self.value("sentiment") or "",
        )


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    query = forms.CharField(
        label=_("Query"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "Terms side by side must all appear; OR between alternatives; -term or NOT to "
            'exclude; (parentheses) to group; "an exact phrase"; #hashtags and @handles. '
            "Case and accents are ignored."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every language."),
    )
    channel_kinds = forms.MultipleChoiceField(
        label=_("Channels"),
        required=False,
        choices=ChannelKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind of channel."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def of(cls, rule: ListeningRule) -> RuleForm:
        return cls(
            initial={
                "name": rule.name,
                "query": rule.query,
                "languages": rule.languages,
                "channel_kinds": rule.channel_kinds,
                "is_active": rule.is_active,
            }
        )


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    count: int
    hour: datetime


@dataclass(frozen=True)
class ChartRow:
    """One rule's hours as bars of a small chart; every row shares one scale."""

    rule: ListeningRule
    total: int
    bars: list[Bar]


BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 5, 1, 36


def chart_rows(data: Volume) -> list[ChartRow]:
    peak = max(data.peak, 1)
    rows = []
    for series in data.series:
        bars = []
        for index, (count, hour) in enumerate(zip(series.counts, data.hours, strict=True)):
            height = round(count / peak * CHART_HEIGHT) if count else 0
            # A single mention still shows: one pixel is the least a bar is drawn with.
            height = max(height, 1) if count else 0
            x = index * (BAR_WIDTH + BAR_GAP)
            bars.append(Bar(x, CHART_HEIGHT - height, height, count, hour))
        rows.append(ChartRow(series.rule, series.total, bars))
    return rows


@in_workspace
def stream(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    all_rules = list(rules(workspace).order_by(*RULE_ORDERING))
    form = MentionFilterForm(
        request.GET,
        rules=all_rules,
        channels=list(scoped(Channel, workspace).order_by("name")),
    )
    extra: dict[str, Any] = {"rule_count": len(all_rules)}
    if not wants_fragment(request):  # the chart comes with the page, not with its fragments
        extra |= {
            "chart": chart_rows(volume(workspace, hours=CHART_HOURS)),
            "chart_hours": CHART_HOURS,
            "chart_width": CHART_HOURS * (BAR_WIDTH + BAR_GAP),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
        }
    return render_list(
        request,
        "web/listening",
        form,
        mentions(workspace, form.to_filter()),
        MENTION_ORDERING,
        size=PAGE_SIZE,
        extra=extra,
    )


@in_workspace
def rule_list(request: SeatedRequest) -> HttpResponse:
    """The rules, and the form that adds one (for those who manage channels)."""
    workspace = request.seat.workspace
    can_manage = can(request.seat, Capability.MANAGE_CHANNELS)
    form = RuleForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = RuleForm(request.POST)
        if _saved(form, lambda data: do_create_rule(workspace, actor=request.seat, **data)):
            messages.success(request, gettext("The rule is listening from now on."))
            return HttpResponseRedirect(reverse("web:listening_rules", args=[workspace.slug]))
    context = {
        "rules": rules(workspace).order_by(*RULE_ORDERING),
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "web/listening/rules.html", context)


@in_workspace
def rule_edit(request: SeatedRequest, pk: int) -> HttpResponse:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied
    workspace = request.seat.workspace
    rule = get_scoped_or_404(rules(workspace), workspace, pk)
    form = RuleForm.of(rule)
    if request.method == "POST":
        form = RuleForm(request.POST)
        if _saved(form, lambda data: do_update_rule(rule, actor=request.seat, **data)):
            messages.success(request, gettext("The rule is saved."))
            return HttpResponseRedirect(reverse("web:listening_rules", args=[workspace.slug]))
    return render(request, "web/listening/rule_edit.html", {"rule": rule, "form": form})


@require_POST
@in_workspace
def rule_delete(request: SeatedRequest, pk: int) -> HttpResponse:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied
    workspace = request.seat.workspace
    rule = get_scoped_or_404(rules(workspace), workspace, pk)
    do_delete_rule(rule, actor=request.seat)
    messages.success(request, gettext("The rule and its mentions are deleted."))
    return HttpResponseRedirect(reverse("web:listening_rules", args=[workspace.slug]))


def _saved(form: RuleForm, action: Callable[[dict[str, Any]], object]) -> bool:
    """Run ``action`` with the form's data; the action's refusals become form errors."""
    if not form.is_valid():
        return False
    try:
        action(dict(form.cleaned_data))
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True
