"""Cases: the list, one case with its SLA clocks and timeline, and the cases of a
conversation (a panel the conversation page loads on its own).

Everybody with a seat reads; changing a case takes the CONVERSE capability (a 403 page).
The forms post with htmx and the view answers with the case page, from which htmx keeps
the ``#case`` element; without JavaScript the browser follows the redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.cases import queries, sla
from comptoir.cases.actions import (
    CaseError,
    do_add_case_note,
    do_assign_case,
    do_attach_conversation,
    do_change_case_priority,
    do_change_case_status,
    do_detach_conversation,
    do_open_case,
    title_from,
)
from comptoir.cases.models import (
    Case,
    CaseCategory,
    CaseStatus,
    EscalationAction,
    EscalationTrigger,
)
from comptoir.inbox.models import Conversation, Priority
from comptoir.inbox.queries import active_seats
from comptoir.web.forms import ListFilterForm
from comptoir.web.views.seated import (
    SeatedRequest,
    in_workspace,
    render_list,
    render_page_or_fragment,
)
from comptoir.workspaces.models import Event, Seat, Team, Workspace
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 50
ME = "me"
# Events that repeat the status change recorded beside them (they exist for webhooks).
REPEATED_VERBS = frozenset({"case.resolved", "case.closed"})


# Forms ----------------------------------------------------------------------------------------


class CaseFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (queries.ACTIVE, _("Not finished")), *CaseStatus.choices],
    )
    owner = forms.ChoiceField(label=pgettext_lazy("case", "Owner"), required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *CaseCategory.choices],
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", _("Any SLA state")),
            (queries.AT_RISK, _("At risk")),
            (queries.BREACHED, _("Breached")),
        ],
    )

    def __init__(self, data: Any, *, seats: Iterable[Seat], me: Seat) -> None:
        super().__init__(data)
        self.me = me
        self.set_choices(
            "owner",
            [
                ("", _("Anyone")),
                (ME, _("Me")),
                (queries.UNASSIGNED, _("Nobody")),
                *((str(seat.pk), seat.display_name) for seat in seats),
            ],
        )

    def to_filter(self) -> queries.CaseFilter:
        owner = self.value("owner") or ""
        return queries.CaseFilter(
            status=self.value("status") or "",
            owner=str(self.me.pk) if owner == ME else owner,
            category=self.value("category") or "",
            priority=self.value("priority") or "",
            sla=self.value("sla") or "",
        )


class OpenCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=CaseCategory.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    owner = forms.TypedChoiceField(
        label=pgettext_lazy("case", "Owner"), required=False, coerce=int, empty_value=None
    )
    conversation = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, seats: Iterable[Seat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "owner", [("", _("Nobody yet"))], seats)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    reason = forms.CharField(label=_("Reason (needed to close)"), max_length=200, required=False)


class AssignForm(forms.Form):
    owner = forms.TypedChoiceField(
        label=pgettext_lazy("case", "Owner"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, seats: Iterable[Seat], teams: Iterable[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "owner", [("", _("Nobody"))], seats)
        field = cast(forms.ChoiceField, self.fields["team"])
        field.choices = [("", _("No team")), *((team.pk, team.name) for team in teams)]


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only colleagues see it."),
    )


class AttachForm(forms.Form):
    conversation = forms.IntegerField(label=_("Conversation"), min_value=1)


def _set_choices(
    form: forms.Form, name: str, first: list[tuple[Any, Any]], seats: Iterable[Seat]
) -> None:
    field = cast(forms.ChoiceField, form.fields[name])
    field.choices = [*first, *((seat.pk, seat.display_name) for seat in seats)]


def _seats(workspace: Workspace) -> list[Seat]:
    return list(active_seats(workspace))


def _require_converse(request: SeatedRequest) -> None:
    if not can(request.seat, Capability.CONVERSE):
        raise PermissionDenied


# The list -------------------------------------------------------------------------------------


@in_workspace
def case_list(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    seats = _seats(workspace)
    form = CaseFilterForm(request.GET, seats=seats, me=request.seat)
    return render_list(
        request,
        "web/cases",
        form,
        queries.cases(workspace, form.to_filter()),
        queries.CASE_ORDERING,
        size=PAGE_SIZE,
        extra={
            "open_count": queries.open_case_count(workspace),
            "open_form": OpenCaseForm(seats=seats, initial={"category": CaseCategory.OTHER}),
            "can_converse": can(request.seat, Capability.CONVERSE),
        },
    )


@in_workspace
@require_POST
def case_new(request: SeatedRequest) -> HttpResponse:
    """Open a case, from the list or from a conversation (its person comes along)."""
    _require_converse(request)
    workspace = request.seat.workspace
    seats = _seats(workspace)
    form = OpenCaseForm(request.POST, seats=seats)
    if form.is_valid():
        data = form.cleaned_data
        conversation = None
        if data["conversation"]:
            conversation = get_scoped_or_404(
                scoped(Conversation, workspace), workspace, data["conversation"]
            )
        owner = next((s for s in seats if s.pk == data["owner"]), None)
        try:
            case = do_open_case(
                workspace,
                title=data["title"],
                person=conversation.person if conversation else None,
                category=data["category"],
                priority=data["priority"],
                owner=owner,
                conversations=[conversation] if conversation else [],
                actor=request.seat,
            )
        except CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text)
        else:
            return HttpResponseRedirect(reverse("web:case", args=[workspace.slug, case.pk]))
    return render(
        request, "web/cases/new.html", {"open_form": form}, status=200 if request.htmx else 400
    )


# One case -------------------------------------------------------------------------------------


def _case(request: SeatedRequest, pk: int) -> Case:
    workspace = request.seat.workspace
    return get_scoped_or_404(queries.cases(workspace), workspace, pk)


@in_workspace
def case_detail(request: SeatedRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.GET.get("cursor"):
        return _timeline_page(request, case)
    return _case_page(request, case)


def _timeline_page(request: SeatedRequest, case: Case) -> HttpResponse:
    page = queries.timeline(case, cursor=request.GET.get("cursor"), size=TIMELINE_PAGE_SIZE)
    context = {"case": case, "timeline": _described(page), "next_cursor": page.next_cursor}
    return render_page_or_fragment(
        request, "web/cases/timeline.html", "web/cases/_timeline.html", context
    )


def _case_page(
    request: SeatedRequest, case: Case, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    workspace = request.seat.workspace
    seats = _seats(workspace)
    teams = list(scoped(Team, workspace).order_by("name"))
    page = queries.timeline(case, size=TIMELINE_PAGE_SIZE)
    search = request.GET.get("q", "")
    context = {
        "case": case,
        "clock_rows": [(clock, remaining(clock)) for clock in sla.clock(case, timezone.now())],
        "conversations": list(queries.linked_conversations(case)),
        "timeline": _described(page),
        "next_cursor": page.next_cursor,
        "can_converse": can(request.seat, Capability.CONVERSE),
        "status_form": StatusForm(initial={"status": case.status}),
        "assign_form": AssignForm(
            seats=seats, teams=teams, initial={"owner": case.owner_id, "team": case.team_id}
        ),
        "priority_form": PriorityForm(initial={"priority": case.priority}),
        "note_form": NoteForm(),
        "search": search,
        "candidates": queries.attachable_conversations(workspace, case, search),
    }
    context.update(forms_)
    # A form sent with htmx swaps the case even when refused, to show its errors.
    return render(request, "web/cases/detail.html", context, status=200 if request.htmx else status)


@in_workspace
@require_GET
def attach_search(request: SeatedRequest, pk: int) -> HttpResponse:
    """Conversations to attach, by id, subject or person (the attach form's live results)."""
    case = _case(request, pk)
    search = request.GET.get("q", "")
    candidates = queries.attachable_conversations(request.seat.workspace, case, search)
    return render(
        request,
        "web/cases/_candidates.html",
        {"case": case, "candidates": candidates, "search": search},
    )


def _changed(
    request: SeatedRequest,
    case: Case,
    form: forms.Form,
    name: str,
    action: Callable[[dict[str, Any]], object],
) -> HttpResponse:
    """Run ``action`` with a valid form: back to the case; else the page shows the errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text)
        else:
            url = reverse("web:case", args=[request.seat.workspace.slug, case.pk])
            return HttpResponseRedirect(url, status=303)
    return _case_page(request, case, status=400, **{name: form})


@in_workspace
@require_POST
def case_status(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_converse(request)
    case = _case(request, pk)
    return _changed(
        request,
        case,
        StatusForm(request.POST),
        "status_form",
        lambda data: do_change_case_status(
            case, data["status"], reason=data["reason"], actor=request.seat
        ),
    )


@in_workspace
@require_POST
def case_assign(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_converse(request)
    case = _case(request, pk)
    workspace = request.seat.workspace
    seats = _seats(workspace)
    teams = list(scoped(Team, workspace).order_by("name"))

    def assign(data: dict[str, Any]) -> None:
        owner = next((s for s in seats if s.pk == data["owner"]), None)
        team = next((t for t in teams if t.pk == data["team"]), None)
        do_assign_case(case, owner=owner, team=team, actor=request.seat)

    form = AssignForm(request.POST, seats=seats, teams=teams)
    return _changed(request, case, form, "assign_form", assign)


@in_workspace
@require_POST
def case_priority(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_converse(request)
    case = _case(request, pk)
    return _changed(
        request,
        case,
        PriorityForm(request.POST),
        "priority_form",
        lambda data: do_change_case_priority(case, data["priority"], actor=request.seat),
    )


@in_workspace
@require_POST
def case_note(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_converse(request)
    case = _case(request, pk)
    return _changed(
        request,
        case,
        NoteForm(request.POST),
        "note_form",
        lambda data: do_add_case_note(case, data["text"], actor=request.seat),
    )


@in_workspace
@require_POST
def case_attach(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_converse(request)
    case = _case(request, pk)
    workspace = request.seat.workspace

    def attach(data: dict[str, Any]) -> None:
        conversation = get_scoped_or_404(
            scoped(Conversation, workspace), workspace, data["conversation"]
        )
        do_attach_conversation(case, conversation, actor=request.seat)

    return _changed(request, case, AttachForm(request.POST), "attach_form", attach)


@in_workspace
@require_POST
def case_detach(request: SeatedRequest, pk: int, conversation: int) -> HttpResponse:
    _require_converse(request)
    case = _case(request, pk)
    workspace = request.seat.workspace
    convo = get_scoped_or_404(scoped(Conversation, workspace), workspace, conversation)
    do_detach_conversation(case, convo, actor=request.seat)
    return HttpResponseRedirect(reverse("web:case", args=[workspace.slug, case.pk]), status=303)


# The cases of a conversation --------------------------------------------------------------------


@in_workspace
@require_GET
def conversation_cases(request: SeatedRequest, pk: int) -> HttpResponse:
    """The conversation page's panel: the cases it belongs to and an "Open a case" form,
    after-sales first when its messages ask for it."""
    workspace = request.seat.workspace
    conversation = get_scoped_or_404(scoped(Conversation, workspace), workspace, pk)
    after_sales = queries.asks_for_after_sales(conversation)
    title = conversation.subject or title_from(conversation.last_message_preview)
    form = OpenCaseForm(
        seats=_seats(workspace),
        initial={
            "title": title,
            "category": CaseCategory.AFTER_SALES if after_sales else CaseCategory.OTHER,
            "priority": conversation.priority,
            "owner": request.seat.pk,
            "conversation": conversation.pk,
        },
    )
    return render(
        request,
        "web/cases/_conversation_cases_panel.html",
        {
            "conversation": conversation,
            "cases": queries.cases_of_conversation(conversation),
            "open_form": form,
            "after_sales": after_sales,
            "can_converse": can(request.seat, Capability.CONVERSE),
        },
    )


def remaining(clock: sla.Clock) -> str:
    """The business time left on a running clock, or by how much it is overdue."""
    if clock.remaining_minutes is None or clock.met_at is not None or clock.due_at is None:
        return ""
    hours, minutes = divmod(round(abs(clock.remaining_minutes)), 60)
    amount = (
        gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
        if hours
        else gettext("%(minutes)d min") % {"minutes": minutes}
    )
    if clock.remaining_minutes < 0:
        return gettext("overdue by %(amount)s of business time") % {"amount": amount}
    return gettext("%(amount)s of business time left") % {"amount": amount}


# Timeline lines -------------------------------------------------------------------------------


def _described(page: queries.TimelinePage) -> list[tuple[queries.TimelineEntry, str]]:
    """Each entry with the sentence that tells its event (empty for a message)."""
    events = [entry.event for entry in page.items if entry.event is not None]
    seat_ids = {e.payload.get("seat") for e in events} | {
        e.payload.get("target_seat") for e in events
    }
    team_ids = {e.payload.get("team") for e in events}
    names = _names(scoped(Seat, events[0].workspace_id), seat_ids) if events else {}
    teams = _names(scoped(Team, events[0].workspace_id), team_ids) if events else {}
    return [
        (entry, describe(entry.event, names, teams) if entry.event else "")
        for entry in page.items
        if entry.event is None or entry.event.verb not in REPEATED_VERBS
    ]


def _names(rows: QuerySet[Any], ids: set[Any]) -> dict[int, str]:
    wanted = [pk for pk in ids if isinstance(pk, int)]
    if not wanted:
        return {}
    field = "display_name" if rows.model is Seat else "name"
    return dict(rows.filter(pk__in=wanted).values_list("pk", field))


def _label(choices: type[models.TextChoices], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(event: Event, seats: dict[int, str], teams: dict[int, str]) -> str:
    """A case event in one sentence."""
    p = event.payload
    verb = event.verb
    if verb == "case.opened":
        if p.get("automatic"):
            return gettext("Opened on its own from an after-sales message")
        return gettext("Opened the case")
    if verb == "case.status_changed":
        sentence = gettext("Status: %(from)s → %(to)s") % {
            "from": _label(CaseStatus, p.get("from")),
            "to": _label(CaseStatus, p.get("to")),
        }
        return f"{sentence} ({p['reason']})" if p.get("reason") else sentence
    if verb == "case.assigned":
        seat = seats.get(p.get("seat") or 0)
        team = teams.get(p.get("team") or 0)
        if seat and team:
            return pgettext("case", "Assigned to %(seat)s (%(team)s)") % {
                "seat": seat,
                "team": team,
            }
        if seat or team:
            return pgettext("case", "Assigned to %(name)s") % {"name": seat or team}
        return pgettext("case", "Unassigned")
    if verb == "case.priority_changed":
        return gettext("Priority: %(from)s → %(to)s") % {
            "from": _label(Priority, p.get("from")),
            "to": _label(Priority, p.get("to")),
        }
    if verb == "case.conversation_attached":
        return gettext("Attached conversation #%(id)s") % {"id": p.get("conversation")}
    if verb == "case.conversation_detached":
        return gettext("Detached conversation #%(id)s") % {"id": p.get("conversation")}
    if verb == "case.note":
        return gettext("Internal note")
    if verb == "case.sla_warning":
        return gettext("SLA warning: %(clock)s due soon") % {"clock": _clock_name(p)}
    if verb == "case.sla_breached":
        return gettext("SLA breached: %(clock)s") % {"clock": _clock_name(p)}
    if verb == "case.escalated":
        return gettext("Escalated (%(trigger)s): %(action)s") % {
            "trigger": _label(EscalationTrigger, p.get("trigger")).lower(),
            "action": _label(EscalationAction, p.get("action")).lower(),
        }
    return verb


def _clock_name(payload: dict[str, Any]) -> str:
    kind = payload.get("clock") or payload.get("kind") or ""
    return str(sla.CLOCK_LABELS.get(kind, kind))
