"""Unhandled: conversations whose inbound messages nobody answered, attached to a case or
closed with a reason yet, the longest-waiting first."""

from __future__ import annotations

from django.http import HttpResponse

from comptoir.inbox.queries import UNHANDLED_ORDERING, unhandled
from comptoir.pagination import paginate
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_page_or_fragment

PAGE_SIZE = 50


@in_workspace
def unhandled_list(request: SeatedRequest) -> HttpResponse:
    page = paginate(
        unhandled(request.seat.workspace),
        UNHANDLED_ORDERING,
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
    )
    return render_page_or_fragment(
        request, "web/unhandled/list.html", "web/unhandled/_page.html", {"page": page}
    )
