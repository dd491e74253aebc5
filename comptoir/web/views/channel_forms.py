"""Connecting a channel: add one, edit its settings, and test that it can reach its platform.

The form of each kind comes from its Pydantic models. Secrets are write-only: an edit form
shows which are stored, never their value, and a blank secret keeps the stored one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST
from pydantic import SecretStr

from comptoir.channels.actions import do_create_channel, do_update_channel
from comptoir.channels.connection import check_connection
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import unseal
from comptoir.listening.health import webhook_path
from comptoir.web.forms import ChannelForm
from comptoir.web.views.seated import SeatedRequest, in_workspace
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability, can


def _require_manager(request: SeatedRequest) -> None:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied


def _name_taken(form: ChannelForm, request: SeatedRequest, channel: Channel | None) -> bool:
    others = Channel.objects.filter(
        workspace=request.seat.workspace, name=form.cleaned_data["name"]
    )
    if channel is not None:
        others = others.exclude(pk=channel.pk)
    if others.exists():
        form.add_error("name", gettext("Another channel of this workspace has this name."))
        return True
    return False


def _webhook_url(request: SeatedRequest, channel: Channel) -> str:
    path = webhook_path(channel)
    return request.build_absolute_uri(path) if path else ""


def _stored_secrets(channel: Channel) -> frozenset[str]:
    """The names of the secrets that hold a value; never the values."""
    try:
        secrets = unseal(channel)
    except ValueError:  # sealed with another key: every secret must be filled in again
        return frozenset()
    return frozenset(
        key
        for key, value in secrets
        if (value.get_secret_value() if isinstance(value, SecretStr) else value)
    )


@in_workspace
def channel_new(request: SeatedRequest) -> HttpResponse:
    """Pick a kind, then fill in that kind's form."""
    _require_manager(request)
    workspace = request.seat.workspace
    kind = request.GET.get("kind", "")
    if kind not in ChannelKind.values:
        return render(request, "web/channels/form_kind.html", {"kinds": ChannelKind.choices})
    form = ChannelForm(kind)
    if request.method == "POST":
        form = ChannelForm(kind, request.POST)
        if form.is_valid() and not _name_taken(form, request, None):
            try:
                channel = do_create_channel(
                    workspace,
                    kind=kind,
                    name=form.cleaned_data["name"],
                    settings=form.settings_data(),
                    secrets=form.secrets_data(),
                    actor=request.seat,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("The channel is added."))
                return HttpResponseRedirect(
                    reverse("web:channel_edit", args=[workspace.slug, channel.pk])
                )
    context = {"form": form, "kind_label": ChannelKind(kind).label, "channel": None}
    return render(request, "web/channels/form.html", context)


@in_workspace
def channel_edit(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    workspace = request.seat.workspace
    channel = get_scoped_or_404(Channel.objects.all(), workspace, pk)
    stored = _stored_secrets(channel)
    form = ChannelForm.of(channel, stored_secrets=stored)
    if request.method == "POST":
        form = ChannelForm.of(channel, request.POST, stored_secrets=stored)
        if form.is_valid() and not _name_taken(form, request, channel):
            try:
                do_update_channel(
                    channel,
                    name=form.cleaned_data["name"],
                    settings=form.settings_data(),
                    secrets=form.secrets_data(),
                    actor=request.seat,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("The channel is saved."))
                return HttpResponseRedirect(
                    reverse("web:channel_edit", args=[workspace.slug, channel.pk])
                )
    context = {
        "form": form,
        "kind_label": channel.get_kind_display(),
        "channel": channel,
        "webhook_url": _webhook_url(request, channel),
    }
    return render(request, "web/channels/form.html", context)


@require_POST
@in_workspace
def channel_test(request: SeatedRequest, pk: int) -> HttpResponse:
    """A dry check: poll once without ingesting or keeping the poll state."""
    _require_manager(request)
    channel = get_scoped_or_404(Channel.objects.all(), request.seat.workspace, pk)
    check = check_connection(channel)
    webhook_url = _webhook_url(request, channel)
    if check.ok:
        message = ngettext(
            "Connected: %(count)d new item waiting.",
            "Connected: %(count)d new items waiting.",
            check.waiting,
        ) % {"count": check.waiting}
    elif not check.polls and webhook_url:
        message = gettext(
            "This channel does not poll: %(platform)s must send its events to %(url)s."
        ) % {"platform": channel.get_kind_display(), "url": webhook_url}
    elif check.error:
        message = gettext("Connection failed: %(error)s") % {"error": check.error}
    else:
        message = gettext("Nothing to test: this channel neither polls nor receives webhooks.")
    context = {"ok": check.ok, "message": message, "channel": channel}
    return render(request, "web/channels/form_test_result.html", context)
