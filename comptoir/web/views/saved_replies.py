"""Saved replies: reusable answers in French and English, with the person's and the
agent's names filled in when inserted."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.inbox.actions import (
    do_create_saved_reply,
    do_delete_saved_reply,
    do_update_saved_reply,
)
from comptoir.inbox.models import SavedReply
from comptoir.inbox.queries import saved_replies
from comptoir.web.inbox_forms import SavedReplyForm
from comptoir.web.views.seated import SeatedRequest, in_workspace
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability, can


def _list_url(request: SeatedRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("web:saved_replies", args=[request.seat.workspace.slug]))


def _save(form: SavedReplyForm, request: SeatedRequest, reply: SavedReply | None) -> bool:
    if not form.is_valid():
        return False
    try:
        if reply is None:
            do_create_saved_reply(request.seat.workspace, actor=request.seat, **form.cleaned_data)
        else:
            do_update_saved_reply(reply, actor=request.seat, **form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return False
    return True


@in_workspace
def saved_reply_list(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    can_edit = can(request.seat, Capability.CONVERSE)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = SavedReplyForm(request.POST)
        if _save(form, request, None):
            messages.success(request, _("Saved reply created."))
            return _list_url(request)
    else:
        form = SavedReplyForm(initial={"language": workspace.default_language})
    rows = saved_replies(workspace).select_related("created_by").order_by("title", "language")
    return render(
        request,
        "web/saved_replies/list.html",
        {"replies": list(rows[:500]), "form": form, "can_edit": can_edit},
    )


@in_workspace
def saved_reply_edit(request: SeatedRequest, pk: int) -> HttpResponse:
    if not can(request.seat, Capability.CONVERSE):
        raise PermissionDenied
    workspace = request.seat.workspace
    reply = get_scoped_or_404(saved_replies(workspace), workspace, pk)
    if request.method == "POST":
        form = SavedReplyForm(request.POST)
        if _save(form, request, reply):
            messages.success(request, _("Saved reply updated."))
            return _list_url(request)
    else:
        form = SavedReplyForm(
            initial={"title": reply.title, "language": reply.language, "body": reply.body}
        )
    return render(request, "web/saved_replies/edit.html", {"reply": reply, "form": form})


@in_workspace
@require_POST
def saved_reply_delete(request: SeatedRequest, pk: int) -> HttpResponse:
    if not can(request.seat, Capability.CONVERSE):
        raise PermissionDenied
    workspace = request.seat.workspace
    do_delete_saved_reply(
        get_scoped_or_404(saved_replies(workspace), workspace, pk), actor=request.seat
    )
    messages.success(request, _("Saved reply deleted."))
    return _list_url(request)
