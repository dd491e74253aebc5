"""Every endpoint of the API, as the isolation and authentication tests walk them.

Keys are the paths as the OpenAPI document lists them (under /api/v1), so that a new
endpoint without an entry here fails ``test_every_documented_endpoint_is_checked``.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.api import inbox_rows, sla_rows
from tests.api.conftest import Side
from tests.cases.world import case_ids, case_of
from tests.webhooks.world import delivery_of, endpoint_ids, endpoint_of

# A list endpoint, and the ids of one workspace's rows it must list.
LISTS: dict[str, Callable[[Side], set[int]]] = {
    "/people": lambda s: {s.marie.pk, s.jean.pk},
    "/identities": lambda s: {s.marie_email.pk, s.marie_x.pk, s.jean_linkedin.pk},
    "/organizations": lambda s: {s.acme.pk},
    "/memberships": lambda s: {s.marie_at_acme.pk, s.jean_at_acme.pk},
    "/conversations": lambda s: {s.complaint.pk, s.question.pk},
    "/channels": lambda s: {s.email.pk, s.x.pk},
    "/merge-suggestions": lambda s: {s.suggestion.pk},
    "/merges": lambda s: {s.merge.pk},
    "/rejected-events": lambda s: {s.rejected.pk},
    "/listening/rules": lambda s: {s.rule.pk},
    "/listening/mentions": lambda s: {s.mention.pk},
    "/webhooks": endpoint_ids,
    # Working the inbox: the complaint was answered, the question waits.
    "/conversations/unhandled": lambda s: {s.question.pk},
    # Rows the side does not hold: whatever each workspace (or seat) has.
    "/tags": inbox_rows.tag_ids,
    "/saved-replies": inbox_rows.saved_reply_ids,
    "/teams": inbox_rows.team_ids,
    "/notifications": inbox_rows.notification_ids,
    "/cases": case_ids,
    "/sla/calendars": sla_rows.calendar_ids,
    "/sla/policies": sla_rows.policy_ids,
}

# An endpoint about one object: the URL for one workspace's object.
OBJECTS: dict[str, Callable[[Side], str]] = {
    "/people/{person_id}": lambda s: f"/people/{s.marie.pk}",
    "/people/{person_id}/timeline": lambda s: f"/people/{s.marie.pk}/timeline",
    "/identities/{identity_id}": lambda s: f"/identities/{s.marie_x.pk}",
    "/organizations/{organization_id}": lambda s: f"/organizations/{s.acme.pk}",
    "/conversations/{conversation_id}": lambda s: f"/conversations/{s.complaint.pk}",
    "/conversations/{conversation_id}/messages": (
        lambda s: f"/conversations/{s.complaint.pk}/messages"
    ),
    "/messages/{message_id}": lambda s: f"/messages/{s.reply.pk}",
    "/channels/{channel_id}": lambda s: f"/channels/{s.email.pk}",
    "/merges/{merge_id}": lambda s: f"/merges/{s.merge.pk}",
    "/rejected-events/{rejected_event_id}": lambda s: f"/rejected-events/{s.rejected.pk}",
    "/listening/rules/{rule_id}": lambda s: f"/listening/rules/{s.rule.pk}",
    "/webhooks/{endpoint_id}": lambda s: f"/webhooks/{endpoint_of(s).pk}",
    "/webhooks/{endpoint_id}/deliveries": lambda s: f"/webhooks/{endpoint_of(s).pk}/deliveries",
    "/webhook-deliveries/{delivery_id}": lambda s: f"/webhook-deliveries/{delivery_of(s).pk}",
    "/conversations/{conversation_id}/tags": lambda s: f"/conversations/{s.complaint.pk}/tags",
    "/conversations/{conversation_id}/notes": lambda s: f"/conversations/{s.complaint.pk}/notes",
    "/saved-replies/{saved_reply_id}": (
        lambda s: f"/saved-replies/{inbox_rows.saved_reply_of(s).pk}"
    ),
    "/teams/{team_id}": lambda s: f"/teams/{inbox_rows.team_of(s).pk}",
    "/cases/{case_id}": lambda s: f"/cases/{case_of(s).pk}",
    "/cases/{case_id}/timeline": lambda s: f"/cases/{case_of(s).pk}/timeline",
    "/cases/{case_id}/notes": lambda s: f"/cases/{case_of(s).pk}/notes",
    "/cases/{case_id}/conversations": lambda s: f"/cases/{case_of(s).pk}/conversations",
    "/sla/calendars/{calendar_id}": lambda s: f"/sla/calendars/{sla_rows.calendar_of(s).pk}",
    "/sla/policies/{policy_id}": lambda s: f"/sla/policies/{sla_rows.policy_of(s).pk}",
}

# An endpoint that changes one object (a POST): the URL for one workspace's object.
ACTIONS: dict[str, Callable[[Side], str]] = {
    "/merge-suggestions/{suggestion_id}/accept": (
        lambda s: f"/merge-suggestions/{s.suggestion.pk}/accept"
    ),
    "/merge-suggestions/{suggestion_id}/reject": (
        lambda s: f"/merge-suggestions/{s.suggestion.pk}/reject"
    ),
    "/people/{person_id}/merge": lambda s: f"/people/{s.marie.pk}/merge",
    "/merges/{merge_id}/undo": lambda s: f"/merges/{s.merge.pk}/undo",
    "/rejected-events/{rejected_event_id}/replay": (
        lambda s: f"/rejected-events/{s.rejected.pk}/replay"
    ),
    "/rejected-events/{rejected_event_id}/discard": (
        lambda s: f"/rejected-events/{s.rejected.pk}/discard"
    ),
    "/webhooks/{endpoint_id}/ping": lambda s: f"/webhooks/{endpoint_of(s).pk}/ping",
    "/webhook-deliveries/{delivery_id}/redeliver": (
        lambda s: f"/webhook-deliveries/{delivery_of(s).pk}/redeliver"
    ),
    "/conversations/{conversation_id}/replies": (
        lambda s: f"/conversations/{s.complaint.pk}/replies"
    ),
    "/messages/{message_id}/retry": lambda s: f"/messages/{s.reply.pk}/retry",
}

# Endpoints that take no token: the webhook (its HMAC signature is its credential) and the
# published schema; tests/ingest checks them.
PUBLIC = {
    "/channels/{channel_id}/events": "post",
    "/hooks/{channel_id}": "post",
    "/schemas/inbound-event.json": "get",
}

# The same endpoints, naming an id that exists in no workspace.
MISSING_ID = 987654321

SEAT_ENDPOINTS = ("/me",)

# Reports over the whole workspace (not paginated, no object id); tests/api/test_listening.py
# checks what they hold for each workspace.
REPORTS = ("/listening/volume", "/channels/health")

# Paths that also answer writes besides their GET: path -> the other methods.
WRITES: dict[str, tuple[str, ...]] = {
    "/listening/rules": ("post",),
    "/listening/rules/{rule_id}": ("patch", "delete"),
    "/webhooks": ("post",),
    "/webhooks/{endpoint_id}": ("patch", "delete"),
    "/conversations/{conversation_id}": ("patch",),
    "/conversations/{conversation_id}/tags": ("post",),
    "/conversations/{conversation_id}/notes": ("post",),
    "/tags": ("post",),
    "/saved-replies": ("post",),
    "/saved-replies/{saved_reply_id}": ("patch", "delete"),
    "/teams": ("post",),
    "/teams/{team_id}": ("patch", "delete"),
    "/notifications": ("patch",),
    "/cases": ("post",),
    "/cases/{case_id}": ("patch",),
    "/cases/{case_id}/notes": ("post",),
    "/cases/{case_id}/conversations": ("post", "delete"),
    "/sla/calendars": ("post",),
    "/sla/calendars/{calendar_id}": ("patch",),
    "/sla/policies": ("post",),
    "/sla/policies/{policy_id}": ("patch",),
}

DOCUMENTED = {*LISTS, *OBJECTS, *SEAT_ENDPOINTS, *REPORTS, *ACTIONS, *PUBLIC}


def every_url(side: Side) -> list[str]:
    return [*LISTS, *(url(side) for url in OBJECTS.values()), *SEAT_ENDPOINTS, *REPORTS]


def with_id(template: str, pk: int = MISSING_ID) -> str:
    """The endpoint's URL for the object ``pk``; by default, one nobody has."""
    return template.split("{", 1)[0] + str(pk) + template.split("}", 1)[1]
