"""Outbound webhooks settings: the endpoints, their delivery logs, pings and redelivery.

Only seats with the MANAGE_CHANNELS capability (owners and managers) see these pages;
others get a 403 page. A new endpoint's secret is rendered once, in the answer to its
creation, and never stored anywhere it could be shown again.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from comptoir.pagination import paginate
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_page_or_fragment
from comptoir.webhooks import queries
from comptoir.webhooks.actions import (
    do_create_endpoint,
    do_delete_endpoint,
    do_ping,
    do_redeliver,
    do_update_endpoint,
)
from comptoir.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 30


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("Events are POSTed there as JSON: an http:// or https:// address."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/comptoir-events"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(EventType.values),
    )


def _require_manage(request: SeatedRequest) -> None:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied


def _endpoint(request: SeatedRequest, pk: int) -> WebhookEndpoint:
    workspace = request.seat.workspace
    return get_scoped_or_404(queries.endpoints(workspace), workspace, pk)


@in_workspace
def endpoint_list(request: SeatedRequest) -> HttpResponse:
    _require_manage(request)
    workspace = request.seat.workspace
    form = EndpointForm(request.POST if request.method == "POST" else None)
    secret = ""
    created = None
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        try:
            result = do_create_endpoint(
                workspace,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                actor=request.seat,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 400
        else:
            created, secret = result.endpoint, result.secret
            form = EndpointForm()
    endpoints = list(queries.endpoints(workspace).order_by(*queries.ENDPOINT_ORDERING))
    response = render(
        request,
        "web/webhooks/list.html",
        {
            "form": form,
            "endpoints": endpoints,
            "created": created,
            "secret": secret,
            "event_labels": dict(EventType.choices),
        },
        status=status,
    )
    # The one page that shows a secret is never kept by a cache.
    response["Cache-Control"] = "no-store"
    return response


@in_workspace
def endpoint_log(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    endpoint = _endpoint(request, pk)
    page = paginate(
        queries.deliveries(request.seat.workspace, endpoint.pk),
        queries.DELIVERY_ORDERING,
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
    )
    for delivery in page.items:
        # Shown as sent: the same JSON document, indented for reading.
        delivery.payload_json = json.dumps(delivery.payload, indent=2, ensure_ascii=False)  # type: ignore[attr-defined]
    return render_page_or_fragment(
        request,
        "web/webhooks/log.html",
        "web/webhooks/_delivery_page.html",
        {"endpoint": endpoint, "page": page, "event_labels": dict(EventType.choices)},
    )


@in_workspace
@require_POST
def endpoint_toggle(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    endpoint = _endpoint(request, pk)
    do_update_endpoint(endpoint, is_active=not endpoint.is_active, actor=request.seat)
    if endpoint.is_active:
        messages.success(request, gettext("The endpoint is receiving events again."))
    else:
        messages.success(
            request, gettext("The endpoint is paused: its deliveries wait until it resumes.")
        )
    return redirect("web:webhooks", slug=request.seat.workspace.slug)


@in_workspace
@require_POST
def endpoint_delete(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    endpoint = _endpoint(request, pk)
    do_delete_endpoint(endpoint, actor=request.seat)
    messages.success(request, gettext("The endpoint and its delivery log are deleted."))
    return redirect("web:webhooks", slug=request.seat.workspace.slug)


@in_workspace
@require_POST
def endpoint_ping(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    endpoint = _endpoint(request, pk)
    do_ping(endpoint, actor=request.seat)
    messages.success(request, gettext("A ping event is on its way; its delivery shows below."))
    return redirect("web:webhook_log", slug=request.seat.workspace.slug, pk=endpoint.pk)


@in_workspace
@require_POST
def delivery_redeliver(request: SeatedRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    workspace = request.seat.workspace
    delivery = get_scoped_or_404(scoped(WebhookDelivery, workspace), workspace, pk)
    do_redeliver(delivery, actor=request.seat)
    messages.success(request, gettext("The event will be sent again now."))
    return redirect("web:webhook_log", slug=workspace.slug, pk=delivery.endpoint_id)
