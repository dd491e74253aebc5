"""Entities a CRM acts on, with exact values and positions."""

from __future__ import annotations

from comptoir.understanding.entities import Entity, extract_entities


def entities(text: str, language: str = "fr") -> list[tuple[str, str]]:
    return [(entity.kind, entity.value) for entity in extract_entities([text], [language])[0]]


def test_order_and_ticket_numbers_in_their_usual_shapes() -> None:
    text = "Ma commande CMD-2026-48213, ticket #12345, commande 123456 et order no. 123-4567890"
    assert entities(text) == [
        ("order", "CMD-2026-48213"),
        ("order", "12345"),
        ("order", "123456"),
        ("order", "123-4567890"),
    ]


def test_an_invoice_number_after_n_degree() -> None:
    assert entities("Avoir pour la facture n° 2026-0412 svp") == [("order", "2026-0412")]


def test_handles_hashtags_urls_and_emails() -> None:
    text = "@SNCF #lundimotivation voir https://exemple.fr/a?b=1. ou Marie.Dupont@Exemple.fr"
    assert entities(text) == [
        ("handle", "@SNCF"),
        ("hashtag", "#lundimotivation"),
        ("url", "https://exemple.fr/a?b=1"),
        ("email", "marie.dupont@exemple.fr"),
    ]


def test_a_mastodon_handle_is_a_handle_not_an_email() -> None:
    assert entities("cc @alice@mastodon.social et bob@example.com") == [
        ("handle", "@alice@mastodon.social"),
        ("email", "bob@example.com"),
    ]


def test_bare_short_links_and_www() -> None:
    assert entities("lien : bit.ly/3kdl ou www.exemple.fr", "fr") == [
        ("url", "bit.ly/3kdl"),
        ("url", "www.exemple.fr"),
    ]


def test_phone_numbers_come_back_in_e164_for_the_regions_of_the_language() -> None:
    assert entities("Rappelez-moi au 06 12 34 56 78", "fr") == [("phone", "+33612345678")]
    assert entities("Call me on 07911 123456 or +1 415 555 2671", "en") == [
        ("phone", "+447911123456"),
        ("phone", "+14155552671"),
    ]


def test_an_order_number_is_not_read_as_a_phone() -> None:
    assert entities("order no. 0612345678", "fr") == [("order", "0612345678")]


def test_positions_point_into_the_text() -> None:
    text = "Bonjour @Comptoir, colis CMD-2026-48213"
    found = extract_entities([text])[0]
    assert found == [
        Entity("handle", "@Comptoir", 8, 17),
        Entity("order", "CMD-2026-48213", 25, 39),
    ]
    assert [text[entity.start : entity.end] for entity in found] == ["@Comptoir", "CMD-2026-48213"]


def test_plain_text_has_none() -> None:
    assert extract_entities(["merci !!", ""]) == [[], []]
