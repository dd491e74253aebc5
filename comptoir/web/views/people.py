"""People: the list with its search and filters, and one person across every channel."""

from __future__ import annotations

from django.http import HttpResponse

from comptoir.inbox.queries import TIMELINE_ORDERING, person_timeline
from comptoir.pagination import paginate
from comptoir.people.models import Organization
from comptoir.people.queries import PEOPLE_ORDERING, people, person_detail, person_merges
from comptoir.web.forms import PeopleFilterForm
from comptoir.web.views.seated import (
    SeatedRequest,
    in_workspace,
    render_list,
    render_page_or_fragment,
)
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 30


@in_workspace
def person_list(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    form = PeopleFilterForm(
        request.GET, organizations=list(scoped(Organization, workspace).order_by("name"))
    )
    return render_list(
        request,
        "web/people",
        form,
        people(workspace, form.to_filter()),
        PEOPLE_ORDERING,
        size=PAGE_SIZE,
    )


@in_workspace
def person(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    someone = get_scoped_or_404(person_detail(workspace), workspace, pk)
    timeline = paginate(
        person_timeline(someone),
        TIMELINE_ORDERING,
        cursor=request.GET.get("cursor"),
        size=TIMELINE_PAGE_SIZE,
    )
    return render_page_or_fragment(
        request,
        "web/people/detail.html",
        "web/people/_timeline.html",
        {
            "person": someone,
            "timeline": timeline,
            "merges": person_merges(workspace, someone.pk),  # read by the page, not the fragment
            "can_merge": can(request.seat, Capability.MANAGE_PEOPLE),
        },
    )
