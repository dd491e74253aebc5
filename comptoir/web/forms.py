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
from pydantic import BaseModel, EmailStr, HttpUrl
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from comptoir.channels.config import SECRETS_MODEL, SETTINGS_MODEL
from comptoir.channels.models import Channel
from comptoir.inbox.models import ConversationStatus, Sentiment, Urgency
from comptoir.inbox.queries import HIGH_OR_ABOVE, UNASSIGNED, ConversationFilter
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
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=[("", _("Any sentiment")), *Sentiment.choices],
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), (HIGH_OR_ABOVE, _("High or urgent")), *Urgency.choices],
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
            sentiment=self.value("sentiment") or "",
            urgency=self.value("urgency") or "",
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


# Channel settings: the form of each kind is generated from its Pydantic models, so a new
# setting shows up without touching the web layer.

SECRET_PREFIX = "secret_"  # noqa: S105 - a field-name prefix, not a password

CHANNEL_FIELD_LABELS: dict[str, Any] = {
    "address": _("Address"),
    "imap_host": _("IMAP server"),
    "imap_port": _("IMAP port"),
    "imap_user": _("IMAP user"),
    "imap_ssl": _("IMAP over SSL"),
    "imap_folder": _("IMAP folder"),
    "imap_password": _("IMAP password"),
    "smtp_host": _("SMTP server"),
    "smtp_port": _("SMTP port"),
    "smtp_user": _("SMTP user"),
    "smtp_starttls": _("SMTP with STARTTLS"),
    "smtp_password": _("SMTP password"),
    "handle": _("Handle"),
    "user_id": _("User id"),
    "bearer_token": _("Bearer token"),
    "consumer_secret": _("Consumer secret"),
    "access_token": _("Access token"),
    "page_id": _("Page id"),
    "page_name": _("Page name"),
    "instagram_account_id": _("Instagram account id"),
    "page_access_token": _("Page access token"),
    "app_secret": _("App secret"),
    "verify_token": _("Verify token"),
    "organization_urn": _("Organization URN"),
    "api_version": _("API version"),
    "api_url": _("API URL"),
    "instance_url": _("Instance URL"),
    "account": _("Account"),
    "service_url": _("Service URL"),
    "app_password": _("App password"),
    "url": _("URL"),
    "poll_minutes": _("Poll every (minutes)"),
    "signing_secret": _("Signing secret"),
    "allowed_origins": _("Allowed origins (one per line)"),
    "greeting": _("Greeting"),
}


def channel_field_label(name: str) -> Any:
    return CHANNEL_FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


def _settings_field(info: FieldInfo, label: Any) -> forms.Field:
    annotation = info.annotation
    required = info.is_required()
    initial = None if info.default is PydanticUndefined else info.default
    if annotation is bool:
        return forms.BooleanField(label=label, required=False, initial=initial)
    if annotation is int:
        return forms.IntegerField(label=label, required=required, initial=initial)
    if _is_list(annotation):
        initial = "\n".join(str(item) for item in initial or [])
        return forms.CharField(
            label=label, required=required, initial=initial, widget=forms.Textarea({"rows": 3})
        )
    widget: forms.Widget = forms.TextInput()
    if annotation is HttpUrl:
        widget = forms.URLInput()
    elif annotation is EmailStr:
        widget = forms.EmailInput()
    initial = "" if initial is None else str(initial)
    return forms.CharField(label=label, required=required, initial=initial, widget=widget)


class ChannelForm(forms.Form):
    """A channel's name, its kind's settings, and its secrets (never rendered back).

    Pydantic decides what is valid; its complaints land next to the field they concern.
    """

    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(
        self,
        kind: str,
        *args: Any,
        stored_secrets: frozenset[str] = frozenset(),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.settings_model = SETTINGS_MODEL[kind]
        self.secrets_model = SECRETS_MODEL[kind]
        for name, info in self.settings_model.model_fields.items():
            self.fields[name] = _settings_field(info, channel_field_label(name))
        for name in self.secrets_model.model_fields:
            hint: Any = ""
            if editing and name in stored_secrets:
                hint = _("Stored — leave blank to keep.")
            elif editing:
                hint = _("Not set.")
            self.fields[SECRET_PREFIX + name] = forms.CharField(
                label=channel_field_label(name),
                required=False,
                strip=False,
                help_text=hint,
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
            )

    @classmethod
    def of(cls, channel: Channel, *args: Any, **kwargs: Any) -> ChannelForm:
        """The form of an existing channel: its settings prefilled, its secrets blank."""
        initial: dict[str, Any] = {"name": channel.name}
        for name, value in (channel.config or {}).items():
            initial[name] = "\n".join(map(str, value)) if isinstance(value, list) else value
        return cls(channel.kind, *args, initial=initial, editing=True, **kwargs)

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.settings_model.model_fields]

    def secret_fields(self) -> list[forms.BoundField]:
        return [self[SECRET_PREFIX + name] for name in self.secrets_model.model_fields]

    def settings_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, info in self.settings_model.model_fields.items():
            value = self.cleaned_data.get(name)
            if _is_list(info.annotation):
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            elif value in (None, "") and not info.is_required():
                continue  # blank: the model's default applies
            data[name] = value
        return data

    def secrets_data(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(SECRET_PREFIX + name) or ""
            for name in self.secrets_model.model_fields
        }

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self._check(self.settings_model, self.settings_data(), "")
        blank_kept = {k: v for k, v in self.secrets_data().items() if v}
        self._check(self.secrets_model, blank_kept, SECRET_PREFIX)
        return cleaned

    def _check(self, model: type[BaseModel], data: dict[str, Any], prefix: str) -> None:
        try:
            model.model_validate(data)
        except PydanticValidationError as exc:
            for error in exc.errors():
                field = prefix + str(error["loc"][0]) if error["loc"] else ""
                self.add_error(field if field in self.fields else None, plain_error(error))


def plain_error(error: Any) -> str:
    """Pydantic's complaint in plain words."""
    kind = error.get("type", "")
    if kind == "missing":
        return str(_("This field is required."))
    if kind == "string_pattern_mismatch":
        return str(_("This is not in the expected format."))
    if kind.startswith("url_"):
        return str(_("Enter a full web address, such as https://example.com."))
    if kind == "value_error" and "email" in str(error.get("msg", "")):
        return str(_("Enter a valid email address."))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return message[:1].upper() + message[1:].rstrip(".") + "."
