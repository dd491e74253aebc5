"""The intent reader on clear French and English messages and on the hard cases it claims:
sarcasm, negation, mixed intents, slang, typos, very short texts."""

from __future__ import annotations

import pytest

from comptoir.understanding.intents import (
    INTENTS,
    OTHER,
    THRESHOLD,
    detect_intents,
    normalise,
    required_literals,
)


def labels(text: str) -> set[str]:
    return set(detect_intents([text])[0].labels)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # complaint
        ("Livraison en retard, c'est inadmissible.", {"complaint"}),
        ("The app crashes every time, so annoying", {"complaint"}),
        # question
        ("Est-ce que l'application fonctionne sur Android 9 ?", {"question"}),
        ("How do I reset my password", {"question"}),
        # praise
        ("Merci beaucoup, service au top !", {"praise"}),
        ("Brilliant support, thanks Julie!", {"praise"}),
        # purchase intent
        ("Je voudrais commander 50 licences", {"purchase_intent"}),
        ("Where can I buy your products in Canada?", {"purchase_intent", "question"}),
        # churn threat
        ("Je résilie dès la fin du mois.", {"churn_threat"}),
        ("I'm switching to another provider next week", {"churn_threat"}),
        # after-sales: lost items, refunds, returns, replacements
        ("J'ai oublié mon parapluie dans le train de 18h", {"after_sales"}),
        ("I'd like a refund for my cancelled ticket", {"after_sales"}),
        ("Je souhaite échanger le pull contre une taille L", {"after_sales"}),
        ("Requesting a replacement for the broken charger", {"after_sales"}),
        # spam and advertising
        ("DM for collab 📩", {"spam_or_advertising"}),
        ("Investis dans le Bitcoin, profits garantis 🚀 https://bit.ly/x", {"spam_or_advertising"}),
        # nothing to act on
        ("On se voit au salon la semaine prochaine", {"other"}),
        ("Meeting moved to Thursday 2pm", {"other"}),
    ],
)
def test_each_intent_fires_on_a_clear_message(text: str, expected: set[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("super, encore en retard 🙄", {"complaint"}),  # sarcasm: the interjection does not count
        ("Great, late again 🙄", {"complaint"}),
        ("Merci pour rien, train annulé sans prévenir", {"complaint"}),
        ("Je ne suis pas satisfait de la qualité", {"complaint"}),  # negated praise
        ("I'm not happy with this jacket", {"complaint"}),
        ("Pas de problème, je regarde ça demain", {"other"}),  # negated complaint word
        ("No problem, I'll look tomorrow", {"other"}),
        ("Vraiment pas déçu, produit solide", {"praise"}),  # negated complaint word, flipped
        ("Encore une panne, je vais résilier mon abonnement", {"complaint", "churn_threat"}),
        ("Comment je fais pour retourner un article ?", {"question", "after_sales"}),
        ("wsh la fibre elle marche pas depuis hier 😡", {"complaint"}),  # slang
        ("je voudrais un rembourssement svp", {"after_sales"}),  # typo
        ("je me desabonne", {"churn_threat"}),  # no accents
        ("??", {"question"}),  # very short
        ("dispo ?", {"question"}),
        ("merci !!", {"praise"}),
        ("Merci de procéder à la résiliation de ma ligne.", {"churn_threat"}),  # "please"
        ("Besoin d'un site web ? Je fais ça pas cher, écris-moi", {"spam_or_advertising"}),
    ],
)
def test_the_hard_cases_it_claims(text: str, expected: set[str]) -> None:
    assert labels(text) == expected


def test_scores_are_in_range_and_other_is_the_complement_of_the_strongest() -> None:
    reading = detect_intents(["Colis jamais reçu, je veux être remboursé, c'est scandaleux"])[0]
    assert set(reading.scores) == set(INTENTS)
    assert all(0.0 <= score <= 1.0 for score in reading.scores.values())
    strongest = max(score for name, score in reading.scores.items() if name != OTHER)
    assert reading.scores[OTHER] == round(1 - strongest, 3)
    assert reading.scores["after_sales"] >= THRESHOLD
    assert reading.scores["complaint"] >= THRESHOLD


def test_the_cues_say_why_an_intent_fired() -> None:
    reading = detect_intents(["Je vais résilier, c'est inadmissible"])[0]
    assert reading.cues["churn_threat"] == ("resilier",)
    assert reading.cues["complaint"] == ("inadmissible",)
    assert reading.labels == ["churn_threat", "complaint"]


def test_nothing_fires_on_an_empty_text() -> None:
    reading = detect_intents([""])[0]
    assert reading.labels == [OTHER]
    assert reading.scores[OTHER] == 1.0
    assert reading.cues == {}


def test_a_batch_keeps_its_order() -> None:
    readings = detect_intents(["merci !", "je résilie", "??"])
    assert [reading.labels for reading in readings] == [
        ["praise"],
        ["churn_threat"],
        ["question"],
    ]


def test_normalise_folds_case_accents_and_apostrophes() -> None:
    assert normalise("Ça N\u2019ÉTAIT pas Prévu") == "ca n'etait pas prevu"


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\bresili", ("resili",)),
        (r"\b(?:en )?retard\b", ("retard",)),
        (r"\b(?:close|delete) (?:my|our) account\b", ("close", "delete")),
        (r"[🙄🙃]", ("🙄", "🙃")),
        (r"https?://|www\.", ("http", "www.")),
        (r"^(?:hi )?(?:how|what)\b", ()),  # a nested group: always tried
    ],
)
def test_required_literals_are_what_a_match_cannot_do_without(
    pattern: str, literals: tuple[str, ...]
) -> None:
    assert required_literals(pattern) == literals


def test_word_start_patterns_find_what_the_plain_expression_finds() -> None:
    """The faster search of cues opening on a word boundary gives the same matches."""
    import json
    from pathlib import Path

    from comptoir.understanding.intents import _COMPILED, normalise

    root = Path(__file__).resolve().parents[1] / "data" / "intents"
    texts = [
        json.loads(line)["text"]
        for path in sorted(root.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += ["", "x", "_merci", "merci_", "2merci", "l'arnaque", "re-arnaque", "arnaque!"]
    folded = [normalise(text) for text in texts]
    for compiled in _COMPILED:
        for text in folded:
            plain = compiled.pattern.whole.search(text)
            fast = compiled.pattern.search(text)
            assert (plain and plain.span()) == (fast and fast.span()), (compiled.cue, text)
