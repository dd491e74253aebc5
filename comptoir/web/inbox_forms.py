"""The forms of the inbox work: the inbox's filters, and what a conversation's controls post.

The filters add to the inbox's first ones (status, channel, language, readings): an
assignee that can be "me", a team, a tag and a priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.inbox.models import ConversationStatus, Priority, Tag
from comptoir.inbox.queries import UNASSIGNED, ConversationFilter
from comptoir.web.forms import InboxFilterForm
from comptoir.workspaces.models import Language, Seat, Team

ME = "me"
TEAM_PREFIX = "team-"


class WorkInboxFilterForm(InboxFilterForm):
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )

    def __init__(
        self,
        data: QueryDict,
        *,
        channels: Sequence[Channel],
        seats: Sequence[Seat],
        teams: Sequence[Team],
        tags: Sequence[Tag],
        me: Seat,
    ) -> None:
        super().__init__(data, channels=channels, seats=seats)
        self.me = me
        self.set_choices(
            "assignee",
            [
                ("", _("Anyone")),
                (ME, _("Me")),
                (UNASSIGNED, _("Unassigned")),
                *((str(seat.pk), seat.display_name) for seat in seats),
                *(
                    (f"{TEAM_PREFIX}{team.pk}", _("Team: %(name)s") % {"name": team.name})
                    for team in teams
                ),
            ],
        )
        self.set_choices("tag", [("", _("Any tag")), *((tag.pk, tag.name) for tag in tags)])

    def to_filter(self) -> ConversationFilter:
        base = super().to_filter()
        assignee = self.value("assignee") or ""
        team_id = None
        if assignee == ME:
            assignee = str(self.me.pk)
        elif assignee.startswith(TEAM_PREFIX):
            team_id, assignee = int(assignee.removeprefix(TEAM_PREFIX)), ""
        return ConversationFilter(
            **{
                **base.__dict__,
                "assignee": assignee,
                "team_id": team_id,
                "tag_id": self.value("tag"),
                "priority": self.value("priority") or "",
            }
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConversationStatus.choices)
    closed_reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    snoozed_until = forms.DateTimeField(
        label=_("Snooze until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    body = forms.CharField(
        label=_("Text"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("You may write {first_name}, {name} and {agent_name}."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


def form_errors(form: forms.Form) -> list[Any]:
    """Every error of a form, for a flash message."""
    return [error for errors in form.errors.values() for error in errors]
