"""The filter forms of the lists. They only parse the query string into a query's filter.

A value that does not validate (a stale channel id, a hand-edited URL) is dropped rather
than refused: the list then shows what the other filters select.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.inbox.models import ConversationStatus
from comptoir.inbox.queries import UNASSIGNED, ConversationFilter
from comptoir.ingest.models import RejectedStatus
from comptoir.ingest.queries import RejectedFilter
from comptoir.people.models import IdentityKind, LifecycleStage, Organization
from comptoir.people.queries import PeopleFilter
from comptoir.workspaces.models import Language, Seat


class ListFilterForm(forms.Form):
    """A GET form whose valid fields are kept even when another field is invalid."""

    def value(self, name: str) -> Any:
        self.is_valid()  # cleans once, then keeps every field that validated
        return self.cleaned_data.get(name)

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) not in (None, "") for name in self.fields)

    def set_choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        # self.fields is this form's own copy; base_fields is shared by every request.
        cast(forms.ChoiceField, self.fields[name]).choices = choices


def search_field() -> forms.CharField:
    """The free-text search of a list; the template draws its box (see _search_field.html)."""
    return forms.CharField(label=_("Search"), required=False, max_length=200)


class InboxFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ConversationStatus.choices],
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"), required=False, coerce=int, empty_value=None
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *Language.choices],
    )

    def __init__(
        self, data: QueryDict, *, channels: Sequence[Channel], seats: Sequence[Seat]
    ) -> None:
        super().__init__(data)
        self.set_choices(
            "channel",
            [("", _("Any channel")), *((channel.pk, channel.name) for channel in channels)],
        )
        self.set_choices(
            "assignee",
            [
                ("", _("Anyone")),
                (UNASSIGNED, _("Unassigned")),
                *((str(seat.pk), seat.display_name) for seat in seats),
            ],
        )

    def to_filter(self) -> ConversationFilter:
        return ConversationFilter(
            status=self.value("status") or "",
            channel_id=self.value("channel"),
            assignee=self.value("assignee") or "",
            language=self.value("language") or "",
        )


class PeopleFilterForm(ListFilterForm):
    q = search_field()
    stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        required=False,
        choices=[("", _("Any stage")), *LifecycleStage.choices],
    )
    network = forms.ChoiceField(
        label=_("Network"),
        required=False,
        choices=[("", _("Any network")), *IdentityKind.choices],
    )
    organization = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: QueryDict, *, organizations: Sequence[Organization]) -> None:
        super().__init__(data)
        self.set_choices(
            "organization",
            [("", _("Any organisation")), *((org.pk, org.name) for org in organizations)],
        )

    def to_filter(self) -> PeopleFilter:
        return PeopleFilter(
            search=self.value("q") or "",
            lifecycle_stage=self.value("stage") or "",
            identity_kind=self.value("network") or "",
            organization_id=self.value("organization"),
        )


class OrganizationSearchForm(ListFilterForm):
    q = search_field()


class RejectedFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *RejectedStatus.choices],
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: QueryDict, *, channels: Sequence[Channel]) -> None:
        super().__init__(data)
        self.set_choices(
            "channel",
            [("", _("Any channel")), *((channel.pk, channel.name) for channel in channels)],
        )

    def to_filter(self) -> RejectedFilter:
        return RejectedFilter(status=self.value("status") or "", channel_id=self.value("channel"))
