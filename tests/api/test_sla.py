"""SLA settings over the API: calendars and policies, written by owners and managers.
Charlie, in B, never sees or touches A's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from comptoir.cases.models import BusinessCalendar, SlaPolicy
from comptoir.workspaces.models import Event, Team
from tests.api.conftest import ApiClient, token_for
from tests.conftest import Personas

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

WEEKDAYS = {str(d): [["09:00", "12:30"], ["14:00", "18:00"]] for d in range(1, 6)}


def send(api: ApiClient, method: str, path: str, body: Any = None) -> Response:
    call = getattr(Client(), method)
    response: Response = call(
        f"/api/v1{path}",
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"authorization": f"Bearer {api.token}"},
    )
    return response


@pytest.fixture
def bob_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.bob))


@pytest.fixture
def alice_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.alice))


@pytest.fixture
def charlie_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.charlie))


def create_calendar(api: ApiClient, **fields: Any) -> Any:
    body = {
        "name": "Paris office",
        "timezone": "Europe/Paris",
        "schedule": WEEKDAYS,
        "holidays": ["2026-12-24"],
        "holiday_country": "fr",
        **fields,
    }
    response = send(api, "post", "/sla/calendars", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_manager_creates_and_edits_a_calendar(bob_api: ApiClient, personas: Personas) -> None:
    calendar = create_calendar(bob_api)
    assert {k: calendar[k] for k in ("name", "timezone", "holidays", "holiday_country")} == {
        "name": "Paris office",
        "timezone": "Europe/Paris",
        "holidays": ["2026-12-24"],
        "holiday_country": "FR",
    }
    assert calendar["schedule"]["1"] == [["09:00", "12:30"], ["14:00", "18:00"]]
    patched = send(
        bob_api,
        "patch",
        f"/sla/calendars/{calendar['id']}",
        {"timezone": "America/New_York", "holiday_country": ""},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["timezone"] == "America/New_York"
    assert patched.json()["holiday_country"] == ""
    assert patched.json()["holidays"] == ["2026-12-24"]
    assert bob_api.ok(f"/sla/calendars/{calendar['id']}")["timezone"] == "America/New_York"
    verbs = Event.objects.filter(subject_type="business_calendar").values_list("verb", flat=True)
    assert sorted(verbs) == ["sla.calendar_created", "sla.calendar_updated"]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"schedule": {"1": [["18:00", "09:00"]]}}, "schedule", "ends before it starts"),
        ({"schedule": {"9": [["09:00", "18:00"]]}}, "schedule", "Unknown weekday"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "not a known time zone"),
        ({"holidays": ["24/12/2026"]}, "holidays", "not a YYYY-MM-DD date"),
        ({"holiday_country": "ZZ"}, "holiday_country", "No public holidays"),
    ],
)
def test_an_invalid_calendar_is_a_400_naming_the_field(
    bob_api: ApiClient, fields: dict[str, Any], field: str, words: str
) -> None:
    body = {"name": "Bad", "schedule": WEEKDAYS, **fields}
    response = send(bob_api, "post", "/sla/calendars", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert words in error["details"][field][0]
    assert not BusinessCalendar.objects.filter(name="Bad").exists()


def test_a_manager_creates_a_policy_with_targets_and_escalations(
    bob_api: ApiClient, personas: Personas
) -> None:
    calendar = create_calendar(bob_api)
    team = Team.objects.create(workspace=personas.workspace_a, name="Care")
    body = {
        "name": "Key accounts",
        "calendar_id": calendar["id"],
        "is_default": True,
        "warn_before_minutes": 60,
        "targets": [
            {
                "priority": "urgent",
                "tier": "key",
                "first_response_minutes": 30,
                "resolution_minutes": 240,
            }
        ],
        "escalations": [
            {"trigger": "first_response_breach", "action": "reassign", "target_team_id": team.pk},
            {"trigger": "resolution_warning", "action": "notify_manager"},
        ],
    }
    created = send(bob_api, "post", "/sla/policies", body)
    assert created.status_code == 201, created.content
    policy = created.json()
    assert policy["calendar"] == {"id": calendar["id"], "name": "Paris office"}
    assert policy["is_default"] is True
    assert policy["targets"] == body["targets"]
    assert policy["escalations"] == [
        {
            "trigger": "first_response_breach",
            "action": "reassign",
            "target_seat_id": None,
            "target_team_id": team.pk,
        },
        {
            "trigger": "resolution_warning",
            "action": "notify_manager",
            "target_seat_id": None,
            "target_team_id": None,
        },
    ]
    # A second default takes the place of the first.
    other = send(bob_api, "post", "/sla/policies", {**body, "name": "Others"})
    assert other.status_code == 201
    assert SlaPolicy.objects.get(pk=policy["id"]).is_default is False
    # Targets given in a patch replace the policy's; escalations left out stay.
    patched = send(
        bob_api,
        "patch",
        f"/sla/policies/{policy['id']}",
        {
            "targets": [
                {
                    "priority": "low",
                    "tier": "standard",
                    "first_response_minutes": 600,
                    "resolution_minutes": 2700,
                }
            ]
        },
    )
    assert patched.status_code == 200, patched.content
    assert [t["priority"] for t in patched.json()["targets"]] == ["low"]
    assert len(patched.json()["escalations"]) == 2
    listed = bob_api.ok("/sla/policies")["items"]
    assert [p["name"] for p in listed] == ["Key accounts", "Others"]


def test_policy_refusals_name_the_field(
    bob_api: ApiClient, charlie_api: ApiClient, personas: Personas
) -> None:
    calendar = create_calendar(bob_api)
    theirs = create_calendar(charlie_api)
    target = {
        "priority": "normal",
        "tier": "standard",
        "first_response_minutes": 600,
        "resolution_minutes": 60,
    }
    for body, field in (
        ({"calendar_id": theirs["id"]}, "calendar"),
        ({"calendar_id": calendar["id"], "targets": [target]}, "targets"),
        (
            {
                "calendar_id": calendar["id"],
                "escalations": [{"trigger": "resolution_breach", "action": "reassign"}],
            },
            "escalations",
        ),
        (
            {
                "calendar_id": calendar["id"],
                "escalations": [
                    {
                        "trigger": "resolution_breach",
                        "action": "reassign",
                        "target_seat_id": personas.charlie.pk,
                    }
                ],
            },
            "escalations",
        ),
    ):
        response = send(bob_api, "post", "/sla/policies", {"name": "P", **body})
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["error"]["details"]
    assert not SlaPolicy.objects.filter(name="P").exists()


def test_agents_read_but_do_not_write(
    alice_api: ApiClient, bob_api: ApiClient, personas: Personas
) -> None:
    calendar = create_calendar(bob_api)
    assert [c["id"] for c in alice_api.ok("/sla/calendars")["items"]] == [calendar["id"]]
    response = send(alice_api, "post", "/sla/calendars", {"name": "Mine", "schedule": WEEKDAYS})
    assert response.status_code == 403
    response = send(alice_api, "patch", f"/sla/calendars/{calendar['id']}", {"name": "Mine"})
    assert response.status_code == 403


def test_another_workspace_gets_404(bob_api: ApiClient, charlie_api: ApiClient) -> None:
    calendar = create_calendar(bob_api)
    assert send(charlie_api, "get", f"/sla/calendars/{calendar['id']}").status_code == 404
    response = send(charlie_api, "patch", f"/sla/calendars/{calendar['id']}", {"name": "Ours"})
    assert response.status_code == 404
    assert charlie_api.ok("/sla/calendars")["items"] == []
    assert BusinessCalendar.objects.get(pk=calendar["id"]).name == "Paris office"


def test_a_null_character_in_a_name_is_a_400(bob_api: ApiClient) -> None:
    response = send(bob_api, "post", "/sla/calendars", {"name": "Paris\x00", "schedule": WEEKDAYS})
    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]
