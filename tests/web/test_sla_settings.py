"""SLA settings pages: calendars and policies, edited by owners and managers."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from comptoir.cases.defaults import ensure_default_policy
from comptoir.cases.models import BusinessCalendar, SlaPolicy
from comptoir.workspaces.models import Event, Team
from tests.conftest import PASSWORD, Personas
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, shot

SLUG = "maison-lumiere"


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=[SLUG, *args])


def calendar_post(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Paris office",
        "timezone": "Europe/Paris",
        "day_1": "09:00-12:30, 14:00-18:00",
        "day_2": "9:00-18:00",
        "day_3": "09:00-18:00",
        "day_4": "09:00-18:00",
        "day_5": "09:00-17:00",
        "day_6": "",
        "day_7": "",
        "holidays": "2026-12-24\n2026-12-31",
        "french_holidays": "on",
        **fields,
    }


def test_everyone_sees_the_settings_only_managers_edit(
    personas: Personas, alice_client: Client, bob_client: Client
) -> None:
    policy = ensure_default_policy(personas.workspace_a)
    page = alice_client.get(url("sla_settings"))
    assert page.status_code == 200
    body = page.content.decode()
    assert policy.name in body
    assert "French public holidays" in body
    assert url("sla_policy", policy.pk) not in body
    assert alice_client.get(url("sla_calendar_new")).status_code == 403
    assert alice_client.get(url("sla_policy", policy.pk)).status_code == 403
    assert alice_client.post(url("sla_calendar_new"), calendar_post()).status_code == 403
    assert url("sla_policy", policy.pk) in bob_client.get(url("sla_settings")).content.decode()


def test_a_manager_adds_a_calendar(personas: Personas, bob_client: Client) -> None:
    form = bob_client.get(url("sla_calendar_new"))
    assert form.status_code == 200
    assert 'value="09:00-18:00"' in form.content.decode()
    response = bob_client.post(url("sla_calendar_new"), calendar_post())
    assert response.status_code == 302, response.content.decode()
    calendar = BusinessCalendar.objects.get(workspace=personas.workspace_a, name="Paris office")
    assert calendar.schedule == {
        "1": [["09:00", "12:30"], ["14:00", "18:00"]],
        "2": [["09:00", "18:00"]],
        "3": [["09:00", "18:00"]],
        "4": [["09:00", "18:00"]],
        "5": [["09:00", "17:00"]],
    }
    assert (calendar.holidays, calendar.holiday_country) == (["2026-12-24", "2026-12-31"], "FR")
    event = Event.objects.get(verb="sla.calendar_created", subject_id=calendar.pk)
    assert event.actor == personas.bob


def test_calendar_mistakes_are_shown_on_the_form(personas: Personas, bob_client: Client) -> None:
    response = bob_client.post(
        url("sla_calendar_new"),
        calendar_post(day_1="18:00-09:00", day_2="nine to five", holidays="24/12"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Write spans as 09:00-12:30, 14:00-18:00." in body
    assert "24/12 is not a YYYY-MM-DD date." in body
    response = bob_client.post(url("sla_calendar_new"), calendar_post(day_1="18:00-09:00"))
    assert "ends before it starts" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_a_manager_edits_a_calendar_and_unticks_french_holidays(
    personas: Personas, bob_client: Client
) -> None:
    calendar = ensure_default_policy(personas.workspace_a).calendar
    edit = url("sla_calendar", calendar.pk)
    assert 'value="09:00-18:00"' in bob_client.get(edit).content.decode()
    post = calendar_post(name=calendar.name, timezone="America/New_York", holidays="")
    del post["french_holidays"]
    assert bob_client.post(edit, post).status_code == 302
    calendar.refresh_from_db()
    assert (calendar.timezone, calendar.holiday_country, calendar.holidays) == (
        "America/New_York",
        "",
        [],
    )


def test_a_manager_edits_the_policy_targets_and_escalations(
    personas: Personas, bob_client: Client
) -> None:
    policy = ensure_default_policy(personas.workspace_a)
    team = Team.objects.create(workspace=personas.workspace_a, name="Care")
    edit = url("sla_policy", policy.pk)
    page = bob_client.get(edit).content.decode()
    assert 'name="t_urgent_standard_first" value="1"' in page
    assert 'name="t_urgent_standard_resolution" value="8"' in page
    post = {
        "name": "Standard",
        "calendar": policy.calendar_id,
        "is_default": "on",
        "warn_before_minutes": "45",
        "t_urgent_strategic_first": "0.5",
        "t_urgent_strategic_resolution": "4",
        "t_normal_standard_first": "10",
        "t_normal_standard_resolution": "27",
        "e0_trigger": "resolution_breach",
        "e0_action": "reassign",
        "e0_team": str(team.pk),
        "e1_trigger": "first_response_warning",
        "e1_action": "raise_priority",
    }
    response = bob_client.post(edit, post)
    assert response.status_code == 302, response.content.decode()
    policy = SlaPolicy.objects.get(pk=policy.pk)
    assert policy.warn_before_minutes == 45
    assert sorted(
        policy.targets.values_list(
            "priority", "tier", "first_response_minutes", "resolution_minutes"
        )
    ) == [("normal", "standard", 600, 1620), ("urgent", "strategic", 30, 240)]
    page = bob_client.get(edit).content.decode()
    assert 'name="t_normal_standard_first" value="10"' in page
    assert 'name="t_urgent_strategic_first" value="0.5"' in page
    assert sorted(policy.escalations.values_list("trigger", "action", "target_team_id")) == [
        ("first_response_warning", "raise_priority", None),
        ("resolution_breach", "reassign", team.pk),
    ]


def test_policy_mistakes_are_shown_on_the_form(personas: Personas, bob_client: Client) -> None:
    policy = ensure_default_policy(personas.workspace_a)
    edit = url("sla_policy", policy.pk)
    base = {"name": "Standard", "calendar": policy.calendar_id, "warn_before_minutes": "30"}
    body = bob_client.post(edit, {**base, "t_low_key_first": "3"}).content.decode()
    assert "Give both targets, or neither." in body
    body = bob_client.post(
        edit, {**base, "e0_trigger": "resolution_breach", "e0_action": "reassign"}
    ).content.decode()
    assert "Reassigning needs a seat or a team to go to." in body
    assert policy.targets.count() == 12


def test_a_new_policy_needs_a_calendar_first(bob_client: Client, personas: Personas) -> None:
    response = bob_client.get(url("sla_policy_new"))
    assert response.status_code == 302
    assert response["Location"] == url("sla_calendar_new")


def test_another_workspace_gets_404(personas: Personas, charlie_client: Client) -> None:
    policy = ensure_default_policy(personas.workspace_a)
    assert charlie_client.get(url("sla_settings")).status_code == 404
    other = reverse("web:sla_policy", args=["other-corp", policy.pk])
    assert charlie_client.get(other).status_code == 404
    other = reverse("web:sla_calendar", args=["other-corp", policy.calendar_id])
    assert charlie_client.post(other, calendar_post()).status_code == 404


@pytest.mark.browser
@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed")
def test_bob_edits_a_target_in_the_browser(
    transactional_db: None, live_server: Any, personas: Personas
) -> None:
    policy = ensure_default_policy(personas.workspace_a)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "bob@example.test")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.button-primary")
        page.wait_for_url("**/w/maison-lumiere/**")
        page.goto(f"{live_server.url}{url('sla_settings')}")
        expect(page.locator("h1")).to_have_text("SLA settings")
        shot(page, "sla-01-settings")
        page.click(f"a[href='{url('sla_policy', policy.pk)}']")
        page.fill("input[name=t_urgent_standard_first]", "0.75")
        shot(page, "sla-02-policy")
        page.click("button.button-primary")
        page.wait_for_url(f"**{url('sla_settings')}")
        expect(page.locator(".flash")).to_contain_text("The SLA policy is saved.")
        chromium.close()
    urgent = policy.targets.get(priority="urgent", tier="standard")
    assert urgent.first_response_minutes == 45
