"""Merging people on the web: the review queue, merging from a person's page, undoing from
the merge record; who may do what, and Charlie, who sees none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.inbox.models import Conversation
from comptoir.people.merging import do_merge_people
from comptoir.people.models import (
    Identity,
    IdentityKind,
    MergeSuggestion,
    Person,
    PersonMerge,
    SuggestionStatus,
)
from comptoir.workspaces.models import Role, Seat
from tests.conftest import Personas
from tests.factories import IdentityFactory, PersonFactory, SeatFactory, UserFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_MORE, count_queries, html

HTMX = {"HX-Request": "true"}
NAME_REASON = {
    "signal": "display_name",
    "detail": "Marie Dupont ≈ Marie Dupond",
    "weight": 0.52,
    "ratio": 92,
}
AVATAR_REASON = {"signal": "avatar", "detail": "https://cdn.example/m.png", "weight": 0.4}


@dataclass
class Queue:
    data: WebData
    dupond: Person  # a second record of Marie
    suggestion: MergeSuggestion  # Marie ~ Dupond, 0.92
    weaker: MergeSuggestion  # Paul ~ Léa, 0.6
    secret: MergeSuggestion  # in workspace B

    @property
    def slug(self) -> str:
        return self.data.slug_a

    def url(self, name: str, *args: int) -> str:
        return reverse(f"web:{name}", args=[self.slug, *args])


def suggest(
    person: Person, other: Person, score: float, reasons: list[dict[str, object]]
) -> MergeSuggestion:
    first, second = sorted((person, other), key=lambda p: p.pk)
    return MergeSuggestion.objects.create(
        workspace_id=person.workspace_id, person=first, other=second, score=score, reasons=reasons
    )


@pytest.fixture
def queue(web_data: WebData) -> Queue:
    dupond = PersonFactory.create(workspace=web_data.marie.workspace, display_name="Marie Dupond")
    IdentityFactory.create(
        person=dupond, kind=IdentityKind.EMAIL, external_id="mdupond@lumiere.test", handle=""
    )
    secret_twin = PersonFactory.create(
        workspace=web_data.secret_person.workspace, display_name="Zoé Secrète"
    )
    return Queue(
        data=web_data,
        dupond=dupond,
        suggestion=suggest(web_data.marie, dupond, 0.92, [NAME_REASON, AVATAR_REASON]),
        weaker=suggest(
            web_data.paul,
            web_data.lea,
            0.6,
            [{"signal": "same_thread", "detail": "Pricing question", "weight": 0.2}],
        ),
        secret=suggest(
            web_data.secret_person,
            secret_twin,
            0.9,
            [{"signal": "display_name", "detail": "Zoé Secrète ≈ Zoé Secrète", "weight": 0.6}],
        ),
    )


@pytest.fixture
def viewer(personas: Personas) -> Seat:
    return SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="victor@example.test"),
        role=Role.VIEWER,
        display_name="Victor",
    )


@pytest.fixture
def viewer_client(personas: Personas, viewer: Seat) -> Client:
    return personas.client_for(viewer)


# ---------- the queue ----------


def test_the_queue_shows_both_people_the_hints_and_the_score(
    queue: Queue, alice_client: Client
) -> None:
    response = alice_client.get(queue.url("merge_suggestions"))

    assert response.status_code == 200
    assert [s.pk for s in response.context["page"].items] == [queue.suggestion.pk, queue.weaker.pk]
    body = response.content.decode()
    assert "<h1>Possible duplicates</h1>" in body
    assert "92% alike" in body
    assert '<span class="signal signal-display_name">Similar names</span>' in body
    assert "Marie Dupont ≈ Marie Dupond" in body
    assert "Same profile picture" in body
    assert "Wrote in the same thread" in body
    assert "mdupond@lumiere.test" in body  # the identities of both sides
    assert "Lumière Distribution" in body  # and their organisations
    assert body.index("Marie Dupond") < body.index("Paul Martin")  # best first
    assert "Zoé" not in body
    assert f'name="survivor" value="{queue.data.marie.pk}" checked' in body
    assert f'hx-post="{queue.url("reject_suggestion", queue.suggestion.pk)}"' in body


def test_the_menu_counts_the_suggestions_to_review(queue: Queue, alice_client: Client) -> None:
    body = html(alice_client, queue.url("people"))

    assert 'id="nav-merge-count" class="nav-count" title="To review">2</span>' in body


def test_the_queue_leaves_out_decided_and_stale_suggestions(
    queue: Queue, alice_client: Client
) -> None:
    MergeSuggestion.objects.filter(pk=queue.weaker.pk).update(status=SuggestionStatus.REJECTED)
    do_merge_people(queue.data.paul, queue.dupond, reason="Dupond is Paul")  # Marie ~ Dupond

    body = html(alice_client, queue.url("merge_suggestions"))

    assert "Nothing to review" in body
    assert 'class="nav-count" title="To review" hidden>0</span>' in body


def test_the_queue_pages_with_a_cursor(queue: Queue, alice_client: Client) -> None:
    for _ in range(25):
        suggest(
            PersonFactory.create(workspace=queue.data.marie.workspace),
            PersonFactory.create(workspace=queue.data.marie.workspace),
            0.61,
            [NAME_REASON],
        )
    first = alice_client.get(queue.url("merge_suggestions"))
    cursor = first.context["page"].next_cursor
    assert len(first.context["page"].items) == 20
    assert cursor is not None

    more = alice_client.get(f"{queue.url('merge_suggestions')}?cursor={cursor}", headers=HTMX_MORE)

    assert len(more.context["page"].items) == 7
    assert more.context["page"].next_cursor is None
    assert "<h1>" not in more.content.decode()  # a fragment


def test_the_queue_runs_the_same_number_of_queries_for_2_or_20_suggestions(
    queue: Queue, alice_client: Client
) -> None:
    few = count_queries(alice_client, queue.url("merge_suggestions"))
    for _ in range(18):
        person = PersonFactory.create(workspace=queue.data.marie.workspace)
        IdentityFactory.create(person=person)
        suggest(person, PersonFactory.create(workspace=person.workspace), 0.7, [NAME_REASON])

    many = count_queries(alice_client, queue.url("merge_suggestions"))

    assert few == many


def test_a_viewer_sees_the_queue_read_only(queue: Queue, viewer_client: Client) -> None:
    body = html(viewer_client, queue.url("merge_suggestions"))

    assert "Marie Dupond" in body
    assert "your role does not let you merge people" in body
    assert "Merge them" not in body
    assert 'name="survivor"' not in body


def test_the_queue_speaks_french(queue: Queue, alice_client: Client) -> None:
    body = html(alice_client, queue.url("merge_suggestions"), headers={"Accept-Language": "fr"})

    assert "Doublons possibles" in body
    assert "Noms proches" in body
    assert "Les fusionner" in body


# ---------- deciding ----------


def test_accepting_merges_them(queue: Queue, alice_client: Client) -> None:
    response = alice_client.post(queue.url("accept_suggestion", queue.suggestion.pk), headers=HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="suggestion-{queue.suggestion.pk}"' in body
    assert "Marie Dupond was merged into" in body
    assert 'hx-swap-oob="true">1</span>' in body  # the menu's count goes down
    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged) == (queue.data.marie, queue.dupond)
    assert merge.actor == queue.data.personas.alice
    assert queue.url("merge_record", merge.pk) in body
    assert Identity.objects.get(external_id="mdupond@lumiere.test").person == queue.data.marie


def test_the_person_first_seen_the_earliest_is_checked_and_kept(
    queue: Queue, alice_client: Client
) -> None:
    Person.objects.filter(pk=queue.dupond.pk).update(
        first_seen_at=queue.data.marie.first_seen_at - timedelta(days=1)
    )

    body = html(alice_client, queue.url("merge_suggestions"))
    alice_client.post(queue.url("accept_suggestion", queue.suggestion.pk))

    assert f'name="survivor" value="{queue.dupond.pk}" checked' in body
    assert f'name="survivor" value="{queue.data.marie.pk}">' in body
    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged) == (queue.dupond, queue.data.marie)


def test_accepting_can_keep_the_other_person(queue: Queue, alice_client: Client) -> None:
    alice_client.post(
        queue.url("accept_suggestion", queue.suggestion.pk),
        {"survivor": queue.dupond.pk},
        headers=HTMX,
    )

    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged) == (queue.dupond, queue.data.marie)
    assert set(queue.dupond.conversations.all()) == {queue.data.lost_parcel, queue.data.refund}


def test_accepting_without_htmx_goes_back_to_the_queue(queue: Queue, bob_client: Client) -> None:
    response = bob_client.post(queue.url("accept_suggestion", queue.suggestion.pk), follow=True)

    assert response.redirect_chain == [(queue.url("merge_suggestions"), 302)]
    assert "Marie Dupond was merged into Marie Dupont." in response.content.decode()


def test_rejecting_keeps_them_apart(queue: Queue, alice_client: Client) -> None:
    response = alice_client.post(queue.url("reject_suggestion", queue.suggestion.pk), headers=HTMX)

    assert response.status_code == 200
    assert "are kept apart; they will not be suggested again." in response.content.decode()
    suggestion = MergeSuggestion.objects.get(pk=queue.suggestion.pk)
    assert suggestion.status == SuggestionStatus.REJECTED
    assert suggestion.decided_by == queue.data.personas.alice
    assert not PersonMerge.objects.exists()


def test_a_decided_suggestion_says_so(queue: Queue, alice_client: Client) -> None:
    alice_client.post(queue.url("reject_suggestion", queue.suggestion.pk), headers=HTMX)

    response = alice_client.post(queue.url("accept_suggestion", queue.suggestion.pk), headers=HTMX)

    assert "This suggestion was already decided." in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_a_survivor_that_is_not_an_id_is_a_bad_request(queue: Queue, alice_client: Client) -> None:
    response = alice_client.post(
        queue.url("accept_suggestion", queue.suggestion.pk), {"survivor": "x"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize("action", ["accept_suggestion", "reject_suggestion"])
def test_a_viewer_may_not_decide(queue: Queue, viewer_client: Client, action: str) -> None:
    response = viewer_client.post(queue.url(action, queue.suggestion.pk))

    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()
    assert MergeSuggestion.objects.get(pk=queue.suggestion.pk).status == SuggestionStatus.PENDING


@pytest.mark.parametrize("action", ["accept_suggestion", "reject_suggestion"])
def test_deciding_is_a_post(queue: Queue, alice_client: Client, action: str) -> None:
    assert alice_client.get(queue.url(action, queue.suggestion.pk)).status_code == 405


# ---------- merging from the person page ----------


def test_the_person_page_offers_to_merge(queue: Queue, alice_client: Client) -> None:
    body = html(alice_client, queue.url("person", queue.data.marie.pk))

    assert f'href="{queue.url("merge_search", queue.data.marie.pk)}">Merge with…</a>' in body


def test_a_viewer_is_not_offered_to_merge(queue: Queue, viewer_client: Client) -> None:
    body = html(viewer_client, queue.url("person", queue.data.marie.pk))

    assert "Merge with…" not in body


def test_the_search_finds_people_to_merge_with(queue: Queue, alice_client: Client) -> None:
    url = queue.url("merge_search", queue.data.marie.pk)

    page = html(alice_client, url)
    found = html(
        alice_client, f"{url}?q=marie", headers={"HX-Request": "true", "HX-Target": "results"}
    )

    assert "Merge Marie Dupont with…" in page
    # Suggested: the pending suggestion's other person.
    assert queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk) in page
    assert "<h1>" not in found
    assert queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk) in found
    assert queue.url("merge_confirm", queue.data.marie.pk, queue.data.marie.pk) not in found
    assert "Nobody else matches" in html(alice_client, f"{url}?q=zzz", headers=HTMX)


def test_the_confirm_page_says_what_will_move(queue: Queue, alice_client: Client) -> None:
    body = html(alice_client, queue.url("merge_confirm", queue.dupond.pk, queue.data.marie.pk))

    assert "Marie Dupont will be merged into Marie Dupond." in body
    assert "2 identities" in body
    assert "2 conversations" in body
    assert "1 organisation" in body
    assert "Lumière Distribution" in body
    assert "Customer" in body  # the lifecycle stage Dupond takes from Marie
    assert queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk) in body  # swap
    assert 'name="reason"' in body
    assert not PersonMerge.objects.exists()


def test_merging_from_the_confirm_page(queue: Queue, alice_client: Client) -> None:
    url = queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk)

    response = alice_client.post(url, {"reason": "Same person, new address"}, follow=True)

    assert response.redirect_chain == [(queue.url("person", queue.data.marie.pk), 302)]
    body = response.content.decode()
    assert "Marie Dupond was merged into Marie Dupont." in body
    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged, merge.reason) == (
        queue.data.marie,
        queue.dupond,
        "Same person, new address",
    )
    assert queue.url("merge_record", merge.pk) in body  # the history, with its undo
    assert "Undo merge" in body


def test_a_merge_needs_a_reason(queue: Queue, alice_client: Client) -> None:
    url = queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk)

    response = alice_client.post(url, {"reason": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_a_merged_person_cannot_be_merged_again(queue: Queue, alice_client: Client) -> None:
    do_merge_people(queue.data.paul, queue.dupond, reason="Same person")
    url = queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk)

    page = html(alice_client, url)
    response = alice_client.post(url, {"reason": "Try again"})

    assert "Marie Dupond was already merged into someone else." in page
    assert 'name="reason"' not in page
    assert response.status_code == 400
    assert PersonMerge.objects.count() == 1


def test_a_merged_persons_page_says_into_whom(queue: Queue, alice_client: Client) -> None:
    merge = do_merge_people(queue.data.marie, queue.dupond, reason="Same person")

    body = html(alice_client, queue.url("person", queue.dupond.pk))

    assert "This record was merged into" in body
    assert f'href="{queue.url("person", queue.data.marie.pk)}">Marie Dupont</a>' in body
    assert queue.url("merge_record", merge.pk) in body
    assert "Merge with…" not in body


@pytest.mark.parametrize("page", ["search", "confirm"])
def test_a_viewer_may_not_merge(queue: Queue, viewer_client: Client, page: str) -> None:
    url = {
        "search": queue.url("merge_search", queue.data.marie.pk),
        "confirm": queue.url("merge_confirm", queue.data.marie.pk, queue.dupond.pk),
    }[page]

    assert "You are not allowed to do this" in html(viewer_client, url, status=403)
    response = viewer_client.post(url, {"reason": "Sneaky"})
    assert response.status_code == 403
    assert not PersonMerge.objects.exists()


def test_people_of_another_workspace_cannot_be_merged_in(
    queue: Queue, alice_client: Client
) -> None:
    url = queue.url("merge_confirm", queue.data.marie.pk, queue.data.secret_person.pk)

    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"reason": "Leak"}).status_code == 404
    assert not PersonMerge.objects.exists()


# ---------- the merge record and undo ----------


def test_the_merge_record_shows_what_moved_and_offers_the_undo(
    queue: Queue, alice_client: Client
) -> None:
    merge = do_merge_people(
        queue.data.marie, queue.dupond, reason="Same person", actor=queue.data.personas.bob
    )

    body = html(alice_client, queue.url("merge_record", merge.pk))

    assert "Marie Dupond merged into Marie Dupont" in body
    assert "In effect" in body
    assert "mdupond@lumiere.test" in body
    assert "Same person" in body
    assert "Bob" in body
    assert "Undo merge" in body


def test_undoing_a_merge(queue: Queue, alice_client: Client) -> None:
    merge = do_merge_people(queue.data.marie, queue.dupond, reason="Same person")

    response = alice_client.post(
        queue.url("merge_record", merge.pk), {"reason": "Two people"}, follow=True
    )

    assert response.redirect_chain == [(queue.url("person", queue.dupond.pk), 302)]
    assert "The merge is undone" in response.content.decode()
    merge.refresh_from_db()
    assert merge.undone_by == queue.data.personas.alice
    assert Person.objects.get(pk=queue.dupond.pk).merged_into is None
    assert Identity.objects.get(external_id="mdupond@lumiere.test").person_id == queue.dupond.pk


def test_an_undo_out_of_order_is_explained(queue: Queue, alice_client: Client) -> None:
    first = do_merge_people(queue.data.marie, queue.dupond, reason="Same person")
    later = do_merge_people(queue.data.marie, queue.data.lea, reason="Also her")
    url = queue.url("merge_record", first.pk)

    page = html(alice_client, url)
    response = alice_client.post(url, {"reason": ""})

    assert "Merges are undone newest first" in page
    assert queue.url("merge_record", later.pk) in page
    assert 'class="button button-danger"' not in page
    assert response.status_code == 400
    assert "undo it first" in response.content.decode()
    assert PersonMerge.objects.get(pk=first.pk).undone_at is None


def test_a_viewer_sees_the_record_but_may_not_undo(queue: Queue, viewer_client: Client) -> None:
    merge = do_merge_people(queue.data.marie, queue.dupond, reason="Same person")
    url = queue.url("merge_record", merge.pk)

    body = html(viewer_client, url)
    response = viewer_client.post(url)

    assert "Marie Dupond merged into Marie Dupont" in body
    assert "Undo merge" not in body
    assert response.status_code == 403
    assert PersonMerge.objects.get(pk=merge.pk).undone_at is None


# ---------- Charlie ----------


def test_charlie_gets_404_on_everything_of_a(
    queue: Queue, charlie_client: Client, personas: Personas
) -> None:
    merge = do_merge_people(queue.data.marie, queue.dupond, reason="Same person")
    pages = [
        queue.url("merge_suggestions"),
        queue.url("merge_search", queue.data.marie.pk),
        queue.url("merge_confirm", queue.data.marie.pk, queue.data.paul.pk),
        queue.url("merge_record", merge.pk),
    ]
    posts = [
        queue.url("accept_suggestion", queue.weaker.pk),
        queue.url("reject_suggestion", queue.weaker.pk),
        queue.url("merge_confirm", queue.data.paul.pk, queue.data.lea.pk),
        queue.url("merge_record", merge.pk),
    ]
    for url in pages:
        assert charlie_client.get(url).status_code == 404, url
    for url in posts:
        assert charlie_client.post(url, {"reason": "x"}).status_code == 404, url
    # Through his own workspace, A's objects are missing too.
    slug_b = queue.data.slug_b
    mine = [
        reverse("web:merge_record", args=[slug_b, merge.pk]),
        reverse(
            "web:merge_confirm", args=[slug_b, queue.data.secret_person.pk, queue.data.marie.pk]
        ),
    ]
    for url in mine:
        assert charlie_client.get(url).status_code == 404, url
    assert (
        charlie_client.post(
            reverse("web:accept_suggestion", args=[slug_b, queue.weaker.pk])
        ).status_code
        == 404
    )
    assert MergeSuggestion.objects.get(pk=queue.weaker.pk).status == SuggestionStatus.PENDING
    assert PersonMerge.objects.get().undone_at is None
    assert Conversation.objects.filter(person=queue.data.marie).count() == 2


def test_charlies_queue_holds_only_his_suggestions(queue: Queue, charlie_client: Client) -> None:
    body = html(charlie_client, reverse("web:merge_suggestions", args=[queue.data.slug_b]))

    assert "Zoé Secrète" in body
    assert "Marie" not in body
