"""Merging people: the review queue of suggestions, merging from a person's page, and the
merge record where a merge is undone.

Everybody with a seat sees the queue and the merge records; deciding, merging and undoing
take the MANAGE_PEOPLE capability (a 403 page otherwise).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from comptoir.pagination import paginate
from comptoir.people.merging import (
    MergeError,
    describe_changes,
    do_accept_suggestion,
    do_merge_people,
    do_reject_suggestion,
    do_unmerge,
    merge_record,
    plan_merge,
    undo_blocker,
)
from comptoir.people.models import MergeSuggestion, PersonMerge
from comptoir.people.queries import (
    SUGGESTION_ORDERING,
    merge_candidates,
    merge_queue,
    merge_suggestions,
    pending_suggestion_count,
    pending_suggestions_of,
    person_detail,
    person_merges,
)
from comptoir.web.forms import search_field
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_page_or_fragment
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 20
CANDIDATE_LIMIT = 20


class MergeSearchForm(forms.Form):
    q = search_field()


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are they one person?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the merge, for whoever reviews or undoes it."),
    )


class UndoForm(forms.Form):
    reason = forms.CharField(
        label=_("Why undo it? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _require_manage_people(request: SeatedRequest) -> None:
    if not can(request.seat, Capability.MANAGE_PEOPLE):
        raise PermissionDenied


@in_workspace
def suggestion_queue(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    page = paginate(
        merge_queue(workspace),
        SUGGESTION_ORDERING,
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
    )
    return render_page_or_fragment(
        request,
        "web/people/suggestions.html",
        "web/people/_suggestion_page.html",
        {"page": page, "can_merge": can(request.seat, Capability.MANAGE_PEOPLE)},
    )


@in_workspace
@require_POST
def accept_suggestion(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage_people(request)
    workspace = request.seat.workspace
    suggestion = get_scoped_or_404(merge_suggestions(workspace), workspace, pk)
    try:
        merge = do_accept_suggestion(
            suggestion, actor=request.seat, survivor_id=_posted_id(request, "survivor")
        )
    except MergeError as error:
        return _decided(request, suggestion, error=str(error))
    return _decided(request, suggestion, merge=merge)


@in_workspace
@require_POST
def reject_suggestion(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage_people(request)
    workspace = request.seat.workspace
    suggestion = get_scoped_or_404(merge_suggestions(workspace), workspace, pk)
    try:
        do_reject_suggestion(suggestion, actor=request.seat)
    except MergeError as error:
        return _decided(request, suggestion, error=str(error))
    return _decided(request, suggestion)


def _decided(
    request: SeatedRequest,
    suggestion: MergeSuggestion,
    *,
    merge: PersonMerge | None = None,
    error: str = "",
) -> HttpResponse:
    """The decided row for htmx (and the menu's new count), or back to the queue."""
    if request.htmx:
        context = {
            "suggestion": suggestion,
            "merge": merge,
            "error": error,
            "pending_count": pending_suggestion_count(request.seat.workspace),
        }
        return render(request, "web/people/_suggestion_decided.html", context)
    if error:
        messages.error(request, error)
    elif merge is not None:
        messages.success(request, _merged_message(merge))
    else:
        messages.success(
            request,
            gettext("%(person)s and %(other)s are kept apart.")
            % {"person": suggestion.person.display_name, "other": suggestion.other.display_name},
        )
    return redirect("web:merge_suggestions", slug=request.seat.workspace.slug)


@in_workspace
def merge_search(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage_people(request)
    workspace = request.seat.workspace
    person = get_scoped_or_404(person_detail(workspace), workspace, pk)
    form = MergeSearchForm(request.GET)
    search = form.cleaned_data.get("q", "") if form.is_valid() else ""
    candidates = (
        list(merge_candidates(workspace, person, search)[:CANDIDATE_LIMIT]) if search else []
    )
    suggested = [
        suggestion.other if suggestion.person_id == person.pk else suggestion.person
        for suggestion in pending_suggestions_of(person)
    ]
    return render_page_or_fragment(
        request,
        "web/people/merge_search.html",
        "web/people/_merge_candidates.html",
        {
            "person": person,
            "form": form,
            "search": search,
            "candidates": candidates,
            "suggested": suggested,
        },
    )


@in_workspace
def merge_confirm(request: SeatedRequest, pk: int, other: int) -> HttpResponse:
    _require_manage_people(request)
    workspace = request.seat.workspace
    survivor = get_scoped_or_404(person_detail(workspace), workspace, pk)
    merged = get_scoped_or_404(person_detail(workspace), workspace, other)
    form = MergeForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            merge = do_merge_people(
                survivor, merged, reason=form.cleaned_data["reason"], actor=request.seat
            )
        except MergeError as exc:
            error = str(exc)
        else:
            messages.success(request, _merged_message(merge))
            return redirect("web:person", slug=workspace.slug, pk=survivor.pk)
    context: dict[str, Any] = {"survivor": survivor, "merged": merged, "form": form}
    try:
        plan = plan_merge(survivor, merged)
    except MergeError as exc:
        context |= {"plan": None, "error": error or str(exc)}
    else:
        changes = describe_changes(plan.survivor_changes)
        context |= {"plan": plan, "changes": changes, "error": error}
    status = 400 if request.method == "POST" else 200
    return render(request, "web/people/merge_confirm.html", context, status=status)


@in_workspace
def merge_detail(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    merge = get_scoped_or_404(person_merges(workspace), workspace, pk)
    form = UndoForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST":
        _require_manage_people(request)
        if form.is_valid():
            try:
                do_unmerge(merge, actor=request.seat, reason=form.cleaned_data["reason"])
            except MergeError as exc:
                error = str(exc)
            else:
                messages.success(
                    request,
                    gettext("The merge is undone: %(merged)s is a person of their own again.")
                    % {"merged": merge.merged.display_name},
                )
                return redirect("web:person", slug=workspace.slug, pk=merge.merged_id)
    context = {
        "record": merge_record(merge),
        "merge": merge,
        "form": form,
        "error": error,
        "blocker": undo_blocker(merge) if merge.undone_at is None else None,
        "can_merge": can(request.seat, Capability.MANAGE_PEOPLE),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/people/merge_record.html", context, status=status)


def _merged_message(merge: PersonMerge) -> str:
    return gettext("%(merged)s was merged into %(survivor)s.") % {
        "merged": merge.merged.display_name,
        "survivor": merge.survivor.display_name,
    }


def _posted_id(request: SeatedRequest, name: str) -> int | None:
    value = request.POST.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise SuspiciousOperation(f"{name} is not an id")
    return int(value)
