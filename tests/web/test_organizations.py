"""The organisation list and the organisation page with its buying committee."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from comptoir.people.models import CommitteeRole, Stance
from tests.factories import MembershipFactory, OrganizationFactory, PersonFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_RESULTS, count_queries, html, page_pks, walk_pages


def organizations_url(data: WebData, **query: str | int) -> str:
    url = reverse("web:organizations", args=[data.slug_a])
    return f"{url}?{urlencode(query)}" if query else url


def organization_url(data: WebData, pk: int) -> str:
    return reverse("web:organization", args=[data.slug_a, pk])


def test_the_organisation_list_shows_committee_counts(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, organizations_url(web_data))

    row = body[body.index(f'href="{organization_url(web_data, web_data.lumiere.pk)}"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells == [
        "2",
        "1",
        '<span class="count count-supporter">1</span>',
        '<span class="count count-opponent">1</span>',
    ]
    assert "Retail" in row
    assert '<span class="badge tier-key">Key account</span>' in row


@pytest.mark.parametrize(
    ("search", "expected"),
    [("Lumi", True), ("distribution", True), ("retail", True), ("Holdings", False)],
)
def test_organisation_search(
    search: str, expected: bool, web_data: WebData, alice_client: Client
) -> None:
    pks, _ = page_pks(alice_client, organizations_url(web_data, q=search))

    assert pks == ([web_data.lumiere.pk] if expected else [])


def test_an_organisation_search_that_finds_nothing_says_so(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, organizations_url(web_data, q="zzz"), headers=HTMX_RESULTS)

    assert "No organisation matches this search" in body
    assert "Clear search" in body


def test_no_organisations_yet(web_data: WebData, charlie_client: Client) -> None:
    web_data.secret_org.delete()

    body = html(charlie_client, reverse("web:organizations", args=[web_data.slug_b]))

    assert "No organisations yet" in body


def test_organisation_pagination_has_no_duplicates(web_data: WebData, alice_client: Client) -> None:
    OrganizationFactory.create_batch(55, workspace=web_data.personas.workspace_a)

    pages = walk_pages(alice_client, organizations_url(web_data))

    assert [len(page) for page in pages] == [50, 6]
    assert len({pk for page in pages for pk in page}) == 56


def test_the_organisation_list_runs_the_same_number_of_queries_for_5_or_40_rows(
    web_data: WebData, alice_client: Client
) -> None:
    workspace = web_data.personas.workspace_a

    def more_organizations(count: int) -> None:
        for org in OrganizationFactory.create_batch(count, workspace=workspace):
            MembershipFactory.create(
                person=PersonFactory.create(workspace=workspace), organization=org
            )

    more_organizations(4)
    url = organizations_url(web_data)
    assert len(alice_client.get(url).context["page"].items) == 5
    few = count_queries(alice_client, url)

    more_organizations(35)
    assert len(alice_client.get(url).context["page"].items) == 40
    many = count_queries(alice_client, url)

    assert few == many


def test_the_organisation_page_shows_its_details(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, organization_url(web_data, web_data.lumiere.pk))

    assert "<h1>Lumière Distribution</h1>" in body
    assert "<code>lumièredistribution.test</code>" in body
    assert "Retail" in body
    assert '<span class="badge tier-key">Key account</span>' in body


def committee_cell(body: str, role_label: str, column: int) -> str:
    """The HTML of one committee cell: the role's row, the stance's column (0-based)."""
    table = body[body.index('<table class="table committee">') :]
    row = table[table.index(f'<th scope="row" class="committee-role">{role_label}</th>') :]
    row = row[: row.index("</tr>")]
    cells: list[str] = re.findall(r'<td class="committee-cell">(.*?)</td>', row, re.S)
    return cells[column]


def test_the_buying_committee_is_a_grid_of_roles_and_stances(
    web_data: WebData, alice_client: Client
) -> None:
    MembershipFactory.create(
        person=PersonFactory.create(
            workspace=web_data.personas.workspace_a, display_name="Nora Petit"
        ),
        organization=web_data.lumiere,
        committee_role="",
        stance=Stance.UNKNOWN,
    )

    body = html(alice_client, organization_url(web_data, web_data.lumiere.pk))

    headers = re.findall(r'<th scope="col" class="committee-stance[^"]*">(.*?)</th>', body)
    assert headers == ["Supporter", "Neutral", "Opponent", "Unknown"]
    rows = re.findall(r'<th scope="row" class="committee-role">(.*?)</th>', body)
    assert rows == [str(label) for _, label in CommitteeRole.choices] + ["No committee role"]
    assert "Marie Dupont" in committee_cell(body, "Decision maker", 0)
    assert "Marie Dupont" not in committee_cell(body, "Decision maker", 2)
    assert "Paul Martin" in committee_cell(body, "Influencer", 2)
    assert "Nora Petit" in committee_cell(body, "No committee role", 3)
    assert "person-chip" not in committee_cell(body, "Champion", 0)
    marie = reverse("web:person", args=[web_data.slug_a, web_data.marie.pk])
    assert f'href="{marie}"' in committee_cell(body, "Decision maker", 0)


def test_the_organisation_page_lists_its_members(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, organization_url(web_data, web_data.lumiere.pk))

    members = body[body.index('id="members-title"') :]
    assert members.index("Marie Dupont") < members.index("Paul Martin")
    assert "IT manager" in members
    assert '<span class="badge stance-opponent">Opponent</span>' in members


def test_an_organisation_without_members_says_so(web_data: WebData, alice_client: Client) -> None:
    empty = OrganizationFactory.create(workspace=web_data.personas.workspace_a, name="Nobody Inc")

    body = html(alice_client, organization_url(web_data, empty.pk))

    assert "Nobody is linked to this organisation yet" in body
    assert 'id="members-title"' not in body
