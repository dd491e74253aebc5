"""Every endpoint of the API, as the isolation and authentication tests walk them.

Keys are the paths as the OpenAPI document lists them (under /api/v1), so that a new
endpoint without an entry here fails ``test_every_documented_endpoint_is_checked``.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Side

# A list endpoint, and the ids of one workspace's rows it must list.
LISTS: dict[str, Callable[[Side], set[int]]] = {
    "/people": lambda s: {s.marie.pk, s.jean.pk},
    "/identities": lambda s: {s.marie_email.pk, s.marie_x.pk, s.jean_linkedin.pk},
    "/organizations": lambda s: {s.acme.pk},
    "/memberships": lambda s: {s.marie_at_acme.pk, s.jean_at_acme.pk},
    "/conversations": lambda s: {s.complaint.pk, s.question.pk},
    "/channels": lambda s: {s.email.pk, s.x.pk},
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
}

# The same endpoints, naming an id that exists in no workspace.
MISSING_ID = 987654321

SEAT_ENDPOINTS = ("/me",)


def every_url(side: Side) -> list[str]:
    return [*LISTS, *(url(side) for url in OBJECTS.values()), *SEAT_ENDPOINTS]


def with_id(template: str, pk: int = MISSING_ID) -> str:
    """The endpoint's URL for the object ``pk``; by default, one nobody has."""
    return template.split("{", 1)[0] + str(pk) + template.split("}", 1)[1]
