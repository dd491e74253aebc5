"""The inbox: the conversation list and one conversation with its person beside it, and
the work on a conversation (assign, status, priority, tags, reply, note), kept live by
htmx polling."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.channels.models import Channel
from comptoir.inbox import replies
from comptoir.inbox.actions import (
    do_add_note,
    do_assign,
    do_ping_presence,
    do_set_priority,
    do_set_status,
    do_tag,
    render_saved_reply,
)
from comptoir.inbox.models import Conversation, ConversationStatus, Direction, Message, Priority
from comptoir.inbox.queries import (
    CONVERSATION_ORDERING,
    THREAD_ORDERING,
    active_seats,
    colleagues_replying,
    conversation_detail,
    conversations,
    has_activity_since,
    recent_conversations_of,
    saved_replies,
    tags,
    teams,
    thread,
    thread_after,
)
from comptoir.inbox.queries import (
    messages as workspace_messages,
)
from comptoir.pagination import paginate
from comptoir.people.queries import person_detail
from comptoir.web.inbox_forms import StatusForm, WorkInboxFilterForm, form_errors
from comptoir.web.templatetags.inbox_rows import ROW_FIELDS
from comptoir.web.views.seated import (
    SeatedRequest,
    in_workspace,
    refused,
    render_list,
    render_page_or_fragment,
    wants_fragment,
)
from comptoir.workspaces.models import Seat, Team
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 50
THREAD_PAGE_SIZE = 50
POLL_SECONDS = 5


def _filter_form(request: SeatedRequest) -> WorkInboxFilterForm:
    workspace = request.seat.workspace
    return WorkInboxFilterForm(
        request.GET,
        # The filter shows names only: neither a channel's settings nor a team's members
        # are fetched.
        channels=list(scoped(Channel, workspace).only("id", "name").order_by("name")),
        seats=list(active_seats(workspace).only("id", "display_name")),
        teams=list(teams(workspace).prefetch_related(None).only("id", "name").order_by("name")),
        tags=list(tags(workspace).only("id", "name").order_by("name")),
        me=request.seat,
    )


@in_workspace
def inbox(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    form = _filter_form(request)
    return render_list(
        request,
        "web/inbox",
        form,
        # Rows, not models: the tag draws them from the columns it shows.
        conversations(workspace, form.to_filter()).values_list(*ROW_FIELDS, named=True),
        CONVERSATION_ORDERING,
        size=PAGE_SIZE,
        extra={"since": timezone.now(), "poll_seconds": POLL_SECONDS},
    )


@in_workspace
def inbox_activity(request: SeatedRequest) -> HttpResponse:
    """The inbox's poll: a notice when the filtered list moved since the page was drawn."""
    since = parse_datetime(request.GET.get("since", "")) or timezone.now()
    if timezone.is_naive(since):
        since = timezone.make_aware(since, timezone.get_current_timezone())
    form = _filter_form(request)
    moved = has_activity_since(request.seat.workspace, form.to_filter(), since)
    return render(
        request,
        "web/inbox/_activity.html",
        {"moved": moved, "since": since, "poll_seconds": POLL_SECONDS},
    )


def _conversation(request: SeatedRequest, pk: int) -> Conversation:
    workspace = request.seat.workspace
    return get_scoped_or_404(conversation_detail(workspace), workspace, pk)


def _live_cursor(last: Message | None) -> str:
    return f"{last.sent_at.isoformat()}|{last.pk}" if last else ""


@in_workspace
def conversation(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    convo = _conversation(request, pk)
    # The latest messages come first from the database and are shown oldest first.
    cursor = request.GET.get("cursor")
    page = paginate(thread(convo), THREAD_ORDERING, cursor=cursor, size=THREAD_PAGE_SIZE)
    shown = page.items[::-1]
    context: dict[str, Any] = {
        "conversation": convo,
        "thread_messages": shown,
        "older_cursor": page.next_cursor,
    }
    if cursor and wants_fragment(request):  # "Show older messages" wants the thread only
        return render_page_or_fragment(
            request, "web/inbox/conversation.html", "web/inbox/_thread.html", context
        )
    seat = request.seat
    person_name = ""
    if convo.person_id is not None:
        person = get_scoped_or_404(person_detail(workspace), workspace, convo.person_id)
        person_name = person.display_name
        context |= {"person": person, "recent": recent_conversations_of(person, exclude=convo)}
    elif convo.identity is not None:
        person_name = convo.identity.display_name
    context |= {
        "can_converse": can(seat, Capability.CONVERSE),
        "live_cursor": _live_cursor(shown[-1] if shown else None),
        "poll_seconds": POLL_SECONDS,
        "seats": list(active_seats(workspace)),
        "teams": list(teams(workspace).prefetch_related(None).order_by("name")),
        "statuses": ConversationStatus.choices,
        "priorities": Priority.choices,
        "conversation_tags": list(convo.tags.all()),
        "all_tags": list(tags(workspace).order_by("name")[:200]),
        "saved_replies": [
            (saved, render_saved_reply(saved.body, person_name, seat.display_name))
            for saved in saved_replies(workspace).order_by("title", "language")[:200]
        ],
        "replying": colleagues_replying(convo, seat),
        "status_form": StatusForm(initial={"status": convo.status}),
    }
    return render_page_or_fragment(
        request, "web/inbox/conversation.html", "web/inbox/_thread.html", context
    )


@in_workspace
def conversation_live(request: SeatedRequest, pk: int) -> HttpResponse:
    """The conversation's poll: messages newer than the last one shown, and who is typing."""
    convo = _conversation(request, pk)
    new: list[Message] = []
    sent_at_text, _sep, pk_text = request.GET.get("after", "").partition("|")
    after = parse_datetime(sent_at_text) if sent_at_text else None
    if after is not None and pk_text.isdigit():
        new = list(thread_after(convo, after, int(pk_text))[:THREAD_PAGE_SIZE])
        cursor = _live_cursor(new[-1]) if new else request.GET["after"]
    else:
        newest = thread(convo).order_by(*THREAD_ORDERING).first()
        cursor = _live_cursor(newest)
    return render(
        request,
        "web/inbox/_live.html",
        {
            "conversation": convo,
            "thread_messages": new,
            "live_cursor": cursor,
            "poll_seconds": POLL_SECONDS,
            "replying": colleagues_replying(convo, request.seat),
        },
    )


def _back(request: SeatedRequest, convo: Conversation) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("web:conversation", args=[request.seat.workspace.slug, convo.pk])
    )


def _working(request: SeatedRequest, pk: int) -> Conversation:
    if not can(request.seat, Capability.CONVERSE):
        raise PermissionDenied
    return _conversation(request, pk)


@in_workspace
@require_POST
def assign(request: SeatedRequest, pk: int) -> HttpResponse:
    """Assign to a seat and/or a team; "" leaves nobody there."""
    convo = _working(request, pk)
    workspace = request.seat.workspace
    seat_id, team_id = request.POST.get("assignee", ""), request.POST.get("team", "")
    if seat_id == "me":
        seat_id = str(request.seat.pk)
    seat = get_scoped_or_404(scoped(Seat, workspace), workspace, seat_id) if seat_id else None
    team = get_scoped_or_404(scoped(Team, workspace), workspace, team_id) if team_id else None
    try:
        do_assign(convo, seat=seat, team=team, actor=request.seat)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Assignment saved."))
    return _back(request, convo)


@in_workspace
@require_POST
def change_status(request: SeatedRequest, pk: int) -> HttpResponse:
    convo = _working(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        for error in form_errors(form):
            messages.error(request, error)
        return _back(request, convo)
    until: datetime | None = form.cleaned_data["snoozed_until"]
    try:
        do_set_status(
            convo,
            form.cleaned_data["status"],
            reason=form.cleaned_data["closed_reason"],
            snoozed_until=until,
            actor=request.seat,
        )
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            _("The conversation is now %(status)s.") % {"status": convo.get_status_display()},
        )
    return _back(request, convo)


@in_workspace
@require_POST
def change_priority(request: SeatedRequest, pk: int) -> HttpResponse:
    convo = _working(request, pk)
    priority = request.POST.get("priority", "")
    if priority not in Priority.values:
        messages.error(request, _("Choose a priority."))
    else:
        do_set_priority(convo, priority, actor=request.seat)
    return _back(request, convo)


@in_workspace
@require_POST
def change_tags(request: SeatedRequest, pk: int) -> HttpResponse:
    """Add the tags named in ``add`` (comma-separated, created on the fly), remove ``remove``."""
    convo = _working(request, pk)
    add = [name for name in request.POST.get("add", "").split(",") if name.strip()]
    remove = request.POST.getlist("remove")
    try:
        do_tag(convo, add=add, remove=remove, actor=request.seat)
    except ValidationError as exc:
        refused(request, exc)
    return _back(request, convo)


@in_workspace
@require_POST
def compose(request: SeatedRequest, pk: int) -> HttpResponse:
    """The composer: a reply sent on the channel, or an internal note."""
    convo = _working(request, pk)
    text = request.POST.get("text", "")
    try:
        if request.POST.get("mode") == "note":
            message = do_add_note(convo, seat=request.seat, text=text)
            messages.success(request, _("Note added."))
        else:
            message = replies.do_reply(convo, seat=request.seat, text=text)
            messages.success(request, _("Reply saved; it is on its way."))
    except ValidationError as exc:
        refused(request, exc)
        return _back(request, convo)
    do_ping_presence(convo, request.seat, replying=False)
    response = _back(request, convo)
    response["Location"] += f"#message-{message.pk}"
    return response


def _outbound(request: SeatedRequest, pk: int, message_pk: int) -> tuple[Conversation, Message]:
    convo = _conversation(request, pk)
    workspace = request.seat.workspace
    rows = workspace_messages(workspace).filter(conversation=convo, direction=Direction.OUTBOUND)
    return convo, get_scoped_or_404(rows, workspace, message_pk)


@in_workspace
@require_POST
def retry(request: SeatedRequest, pk: int, message_pk: int) -> HttpResponse:
    if not can(request.seat, Capability.CONVERSE):
        raise PermissionDenied
    convo, message = _outbound(request, pk, message_pk)
    try:
        replies.do_retry_delivery(message, seat=request.seat)
    except replies.NotRetryableError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The reply will be sent again."))
    return _back(request, convo)


@in_workspace
def delivery(request: SeatedRequest, pk: int, message_pk: int) -> HttpResponse:
    """One reply's delivery badge; it polls itself while the reply is on its way."""
    convo, message = _outbound(request, pk, message_pk)
    return render(
        request,
        "web/inbox/_delivery.html",
        {"conversation": convo, "message": message, "poll_seconds": POLL_SECONDS},
    )


@in_workspace
@require_POST
def presence(request: SeatedRequest, pk: int) -> HttpResponse:
    """The composer's heartbeat: this seat is typing a reply for the next 30 seconds."""
    convo = _working(request, pk)
    do_ping_presence(convo, request.seat, replying=request.POST.get("replying", "1") == "1")
    return HttpResponse(status=204)
