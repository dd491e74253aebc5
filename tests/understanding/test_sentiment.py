"""The default sentiment analyzer: obvious cases, ranges, batching, odd inputs."""

from __future__ import annotations

import pytest

from comptoir.understanding.sentiment import LABELS, analyze_sentiment, extract, normalise


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Merci beaucoup, service génial et super rapide ! 😍", "fr", "positive"),
        ("J'adore ce magasin, bravo à toute l'équipe", "fr", "positive"),
        ("Colis jamais arrivé, service client nul, je suis furieux 😡", "fr", "negative"),
        ("Thank you so much, great service and a lovely team! 😊", "en", "positive"),
        (
            "Worst company ever, my order never arrived and nobody answers. Terrible.",
            "en",
            "negative",
        ),
    ],
)
def test_obvious_texts_get_the_right_label(text: str, language: str, label: str) -> None:
    assert analyze_sentiment([text], [language])[0].label == label


@pytest.mark.parametrize(
    ("plain", "negated", "language"),
    [("C'est bon", "Ce n'est pas bon du tout", "fr"), ("This is good", "This is not good", "en")],
)
def test_negation_turns_positive_into_negative(plain: str, negated: str, language: str) -> None:
    readings = analyze_sentiment([plain, negated], [language, language])
    assert [r.label for r in readings] == ["positive", "negative"]


def test_negation_marks_the_following_words() -> None:
    words = extract("ce n'est pas bon, vraiment", {}).words
    assert "NEG_bon" in words
    assert "vraiment" in words  # the comma closes the scope
    assert "NEG_good" in extract("This is not good", {}).words


def test_negation_flips_lexicon_valence() -> None:
    lexicon = {"good": 1.9}
    plain = extract("good", lexicon).dense
    negated = extract("not good", lexicon).dense
    assert (plain[0] > 0, plain[1]) == (True, 0.0)  # (pos_sum, neg_sum)
    assert (negated[0], negated[1] > 0) == (0.0, True)


def test_normalise_uses_placeholders_and_folds() -> None:
    assert normalise("Trooop BIEN @marie http://x.fr 12,5 € :)") == (
        "troop bien  user   url  0 €  emopos "
    )


def test_scores_are_in_range_and_agree_with_labels() -> None:
    texts = ["Génial !", "Horrible, je déteste", "Le magasin ouvre à 9h", "ok", "😡😡"]
    readings = analyze_sentiment(texts, ["fr"] * len(texts))
    for reading in readings:
        assert reading.label in LABELS
        assert -1.0 <= reading.score <= 1.0


def test_batch_and_single_give_the_same_reading() -> None:
    texts = ["I love it", "Je déteste attendre", "Hola amigos", "", "meh"]
    languages = ["en", "fr", "es", "en", ""]
    batch = analyze_sentiment(texts, languages)
    single = [analyze_sentiment([t], [lang])[0] for t, lang in zip(texts, languages, strict=True)]
    assert batch == single


def test_unknown_language_uses_the_shared_model() -> None:
    readings = analyze_sentiment(["Muchas gracias, excelente 😍", "hmm"], ["es", ""])
    assert readings[0].label == "positive"
    assert len(readings) == 2


def test_empty_text_is_neutral_with_zero_score() -> None:
    readings = analyze_sentiment(["", "   "], ["fr", "en"])
    assert [(r.label, r.score) for r in readings] == [("neutral", 0.0), ("neutral", 0.0)]


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="same length"):
        analyze_sentiment(["a", "b"], ["en"])
