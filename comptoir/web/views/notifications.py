"""A seat's notifications: the notes that @mention it, and what else asks for its eyes."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from comptoir.inbox.actions import do_mark_notifications_read
from comptoir.inbox.queries import NOTIFICATION_ORDERING, notifications_of
from comptoir.pagination import paginate
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_page_or_fragment

PAGE_SIZE = 50


@in_workspace
def notification_list(request: SeatedRequest) -> HttpResponse:
    page = paginate(
        notifications_of(request.seat),
        NOTIFICATION_ORDERING,
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
    )
    return render_page_or_fragment(
        request, "web/notifications/list.html", "web/notifications/_page.html", {"page": page}
    )


@in_workspace
@require_POST
def notification_open(request: SeatedRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open what it is about."""
    notification = notifications_of(request.seat).filter(pk=pk).first()
    slug = request.seat.workspace.slug
    if notification is None:
        return HttpResponseRedirect(reverse("web:notifications", args=[slug]))
    do_mark_notifications_read(request.seat, [notification.pk])
    if notification.subject_type == "conversation":
        url = reverse("web:conversation", args=[slug, notification.subject_id])
    elif notification.subject_type == "case":
        url = reverse("web:case", args=[slug, notification.subject_id])
    else:
        url = reverse("web:notifications", args=[slug])
    return HttpResponseRedirect(url)


@in_workspace
@require_POST
def notifications_read(request: SeatedRequest) -> HttpResponse:
    do_mark_notifications_read(request.seat)
    return HttpResponseRedirect(reverse("web:notifications", args=[request.seat.workspace.slug]))
