"""The hot-path helpers of comptoir.bulk, on the database the suite runs on."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta, timezone

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comptoir import bulk
from comptoir.people.models import Identity, Person
from tests.conftest import Personas
from tests.factories import IdentityFactory, PersonFactory


def test_one_of_matches_text_and_integers_like_a_plain_in_lookup(personas: Personas) -> None:
    people = [PersonFactory.create(workspace=personas.workspace_a) for _ in range(5)]
    wanted = [people[0].pk, people[3].pk, 10**9]
    assert sorted(
        Person.objects.filter(pk__in=bulk.one_of(wanted)).values_list("pk", flat=True)
    ) == [
        people[0].pk,
        people[3].pk,
    ]
    identity = IdentityFactory.create(person=people[1], external_id='l\'été "quoted" ☀')
    found = Identity.objects.filter(external_id__in=bulk.one_of(['l\'été "quoted" ☀', "nobody"]))
    assert list(found) == [identity]


def test_one_of_sends_all_values_as_one_parameter(personas: Personas) -> None:
    person = PersonFactory.create(workspace=personas.workspace_a)
    ids = [person.pk, *range(-5000, 0)]
    with CaptureQueriesContext(connection) as queries:
        found = list(Person.objects.filter(pk__in=bulk.one_of(ids)))
    assert found == [person]
    assert len(queries) == 1


def test_one_of_nothing_is_answered_without_a_query(personas: Personas) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert list(Person.objects.filter(pk__in=bulk.one_of([]))) == []
    assert len(queries) == 0


def test_loaded_instances_are_saved_ones_and_load_what_was_left_out(personas: Personas) -> None:
    person = PersonFactory.create(workspace=personas.workspace_a, display_name="Jeanne")
    rows = Person.objects.filter(pk=person.pk).values_list("id", "workspace_id")
    [loaded] = bulk.loaded(Person, ("id", "workspace_id"), rows)

    assert loaded.pk == person.pk
    assert not loaded._state.adding
    assert loaded.get_deferred_fields() >= {"display_name"}
    assert loaded.display_name == "Jeanne"  # deferred: read when asked for


def test_datetimes_are_stored_as_django_stores_them(personas: Personas) -> None:
    paris = timezone(timedelta(hours=2))
    moments = [
        datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC),
        datetime(2026, 5, 1, 14, 0, 0, 250_000, tzinfo=paris),  # 12:00:00.25 UTC
    ]
    people = [
        bulk.new(Person, workspace_id=personas.workspace_a.pk, display_name=f"p{n}")
        for n in range(len(moments))
    ]
    for person, moment in zip(people, moments, strict=True):
        person.first_seen_at = moment
        person.last_inbound_at = moment
    with transaction.atomic():
        bulk.insert(Person, people)
    stored = dict(
        Person.objects.filter(pk__in=[p.pk for p in people]).values_list("pk", "first_seen_at")
    )
    assert [stored[p.pk] for p in people] == moments
    assert Person.objects.filter(first_seen_at__gt=moments[0]).count() == 1


def test_the_collector_is_paused_for_a_batch_and_restored_after() -> None:
    assert gc.isenabled()
    with bulk.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "a caller's own choice is left alone"
    finally:
        gc.enable()
