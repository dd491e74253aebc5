"""The query language: each operator, phrases, accents, hashtags, handles, and errors."""

from __future__ import annotations

import pytest

from comptoir.listening.query import QueryError, compile_query, fold, read

POST = (
    "Mon COLIS n'est toujours pas arrivé ! Service client injoignable #LaPoste "
    "@maison_lumiere @lea@mastodon.social, écrivez à aide@example.com"
)


def matches(query: str, text: str = POST) -> bool:
    return compile_query(query).matches(read(text))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("colis", True),
        ("COLIS", True),
        ("coli", False),  # word boundaries: no partial words
        ("colissimo", False),
        ("colis arrive", True),  # AND is implied
        ("colis AND arrive", True),
        ("colis AND remboursement", False),
        ("remboursement OR colis", True),
        ("remboursement OR lampe", False),
        ("colis -injoignable", False),
        ("colis NOT injoignable", False),
        ("colis -lampe", True),
        ("NOT lampe", True),
        ("-colis", False),
        ("(lampe OR colis) AND (injoignable OR joignable)", True),
        ("lampe OR colis injoignable", True),  # AND binds tighter than OR
        ("(lampe OR colis) remboursement", False),
        ("NOT (lampe OR colis)", False),
    ],
)
def test_operators(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"service client"', True),
        ('"Service Client injoignable"', True),
        ('"client service"', False),  # in this order
        ('"colis arrive"', False),  # next to each other
        ('"toujours pas"', True),
        ('"n est"', True),  # apostrophes separate words, on both sides
        ('"service cli"', False),
    ],
)
def test_phrases(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("arrivé", "pas arrive", True),
        ("arrive", "pas ARRIVÉ", True),
        ("écrivez", "ECRIVEZ-NOUS", True),
        ("noel", "Joyeux Noël", True),
        ("'garçon'", "garcon", True),
        ('"déjà vu"', "Un effet DEJA VU", True),
        ("oeuvre", "une Œuvre", False),  # Œ is its own letter: folded to œ, not oe
    ],
)
def test_case_and_accents_are_ignored(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("#laposte", True),
        ("#LaPoste", True),
        ("laposte", True),  # a word also finds its hashtag
        ("#colis", False),  # a hashtag does not find the word
        ("@maison_lumiere", True),
        ("@maison", False),  # a handle is one token
        ("maison_lumiere", False),  # and a word never finds a handle
        ("@lea@mastodon.social", True),
        ("@example", False),  # an email address is not a handle
        ("@maison_lumiere #laposte -#sav", True),
    ],
)
def test_hashtags_and_handles_are_tokens(query: str, expected: bool) -> None:
    assert matches(query) is expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "The query is empty: write at least one term."),
        ("   ", "The query is empty: write at least one term."),
        ("(colis", "An opening parenthesis is not closed."),
        ("colis)", "A closing parenthesis has no opening one."),
        ("(colis))", "A closing parenthesis has no opening one."),
        ("()", "A pair of parentheses is empty."),
        ('"colis', "A quotation mark is not closed."),
        ('""', "A quoted phrase is empty."),
        ("OR colis", "OR needs a term on each side."),
        ("colis AND AND perdu", "AND needs a term on each side."),
        ("colis OR", "The query ends where a term was expected."),
        ("colis -", "“-” holds no letter or digit to search for."),
        ("!!!", "“!!!” holds no letter or digit to search for."),
        ("x" * 2001, "A query is at most 2000 characters long."),
    ],
)
def test_a_bad_query_says_why(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert str(caught.value) == message


def test_triggers_name_the_tokens_a_text_must_hold() -> None:
    assert compile_query("colis perdu").triggers in (frozenset({"colis"}), frozenset({"perdu"}))
    assert compile_query("colis OR #sav").triggers == frozenset({"colis", "#sav"})
    assert compile_query('"service client"').triggers == frozenset({"service"})
    assert compile_query("-spam").triggers is None
    assert compile_query("colis OR -spam").triggers is None
    assert compile_query("colis -spam").triggers == frozenset({"colis"})


def test_fold() -> None:
    assert fold("Été À Noël") == "ete a noel"
    assert fold("ASCII only") == "ascii only"
