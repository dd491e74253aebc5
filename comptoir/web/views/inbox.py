"""The inbox: the conversation list and one conversation with its person beside it."""

from __future__ import annotations

from django.http import HttpResponse

from comptoir.channels.models import Channel
from comptoir.inbox.queries import (
    CONVERSATION_ORDERING,
    THREAD_ORDERING,
    conversation_detail,
    conversations,
    recent_conversations_of,
    thread,
)
from comptoir.pagination import paginate
from comptoir.people.queries import person_detail
from comptoir.web.forms import InboxFilterForm
from comptoir.web.views.seated import (
    SeatedRequest,
    in_workspace,
    render_list,
    render_page_or_fragment,
)
from comptoir.workspaces.models import Seat
from comptoir.workspaces.queries import get_scoped_or_404, scoped

PAGE_SIZE = 50
THREAD_PAGE_SIZE = 50


@in_workspace
def inbox(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    form = InboxFilterForm(
        request.GET,
        channels=list(scoped(Channel, workspace).order_by("name")),
        seats=list(scoped(Seat, workspace).filter(is_active=True).order_by("display_name")),
    )
    return render_list(
        request,
        "web/inbox",
        form,
        conversations(workspace, form.to_filter()),
        CONVERSATION_ORDERING,
        size=PAGE_SIZE,
    )


@in_workspace
def conversation(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    convo = get_scoped_or_404(conversation_detail(workspace), workspace, pk)
    # The latest messages come first from the database and are shown oldest first.
    page = paginate(
        thread(convo), THREAD_ORDERING, cursor=request.GET.get("cursor"), size=THREAD_PAGE_SIZE
    )
    context = {
        "conversation": convo,
        "messages": page.items[::-1],
        "older_cursor": page.next_cursor,
    }
    if convo.person_id is not None:
        person = get_scoped_or_404(person_detail(workspace), workspace, convo.person_id)
        context |= {"person": person, "recent": recent_conversations_of(person, exclude=convo)}
    return render_page_or_fragment(
        request, "web/inbox/conversation.html", "web/inbox/_thread.html", context
    )
