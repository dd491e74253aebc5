"""The lean analyzer's shortcuts give the readings of the plain computations they replace.

``analyze_lean`` is the ingest pipeline's hot path: sentiment scored from cached per-token
work, cues tried only when the strings they cannot match without are there, regular
expressions run only when a cheap test says they may match. Each shortcut is checked here
against the straightforward way on the UMSAB validation tweets (when the data is there)
and on odd inputs: every reading must be the same, to the last digit.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from comptoir.understanding import intents, language, sentiment, urgency
from comptoir.understanding.analyzer import Context, analyze_lean, default_analyzer

ROOT = Path(__file__).resolve().parents[2]
UMSAB = ROOT.parent / "shared" / "data" / "umsab"
EDGE_CASES = [
    "",
    "   ",
    "😀😡🙄👍🏽❤️",
    "☺ ★ ✓ ♥ ☀ ✨",
    "x" * 5000 + " é 😍 trooop bien",
    "Un très long courriel, pas content du tout !!! " * 80,
    "https://example.com/a?b=1 www.example.fr @user @Comptoir_FR #soldes #Promo",
    "12,5 € 3.000.000 1/2 10h30 -50% 20% off 2nd time",
    "I'm not happy, not good at all, never again :( :-) ;) xD ^^ <3 </3 :/",
    "Ce n'est pas bon, jamais satisfait, sans réponse, rien ne marche",
    "Est-ce que vous livrez le dimanche ? Peut-on commander ?",
    "Bonjour, deuxième fois que je vous relance, j'ai déjà appelé. Still waiting!",
    "Odeur de gaz et fumée, my lawyer will sue, court-circuit, caught fire",
    "j'attends l'a b'c d'ef' 'gh i''j qu'il aujourd'hui",
    "Mixed: merci beaucoup, but the order never arrived, je résilie",
    "ÉNORME PROMO!!! Achetez maintenant, code PROMO20, -30% 💰🚀",
    "\U0001d165\u0301a \u0300e \u00df \ufb01 \u216b \u2460 \uff46\uff55\uff4c\uff4c",
    "a\u2019b \u2018c\u2019 `d` e\u02bcf",
    "???!!!... ,,, ;;; ::: ((()))",
    "0",
    "€",
]


def _umsab(split: str = "val") -> list[str]:
    if not UMSAB.exists():
        return []
    texts: list[str] = []
    for folder in ("french", "english"):
        path = UMSAB / folder / f"{split}_text.txt"
        texts += path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    return texts


def _intent_set() -> list[str]:
    folder = ROOT / "tests" / "data" / "intents"
    return [
        json.loads(line)["text"]
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


TEXTS = _umsab() + EDGE_CASES


def _fuzz(alphabet: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - a fixed sample, not a secret
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 16))) for _ in range(count)]


# --- sentiment -------------------------------------------------------------------------


def _plain_normalise(text: str) -> str:
    """``sentiment.normalise`` without its shortcuts: every substitution, every time."""
    text = sentiment._URL.sub(" URL ", text)
    text = sentiment._USER.sub(" USER ", text)
    text = sentiment._EMOTICON_POS.sub(" EMOPOS ", text)
    text = sentiment._EMOTICON_NEG.sub(" EMONEG ", text)
    text = sentiment._POSITIVE_EMOJI.sub(" EMOPOS ", text)
    text = sentiment._NEGATIVE_EMOJI.sub(" EMONEG ", text)
    text = unicodedata.normalize("NFKD", text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = sentiment._NUMBER.sub("0", text.replace("&amp;", "&").lower())
    text = sentiment._ELONGATION.sub(r"\1\1", text)
    return sentiment._PUNCT_RUN.sub(r"\1\1", text)


def _plain_sentiment(text: str, code: str) -> tuple[str, float]:
    """One text scored from ``extract``'s dictionaries, tf-idf worked out feature by feature."""
    if not text.strip():
        return "neutral", 0.0
    models = sentiment._models()
    model = models[code if code in sentiment.LANGUAGES else sentiment.SHARED]
    features = sentiment.extract(text, model.lexicon)
    logits = np.asarray(features.dense) @ model.dense_coef + model.intercept
    for view, counts in ((model.words, features.words), (model.chars, features.chars)):
        known = {view.index[name]: count for name, count in counts.items() if name in view.index}
        if known:
            at = np.fromiter(known.keys(), dtype=np.intp)
            values = (1.0 + np.log(np.fromiter(known.values(), dtype=np.float64))) * view.idf[at]
            logits = logits + values @ view.coef[at] / (np.sqrt(values @ values) or 1.0)
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    score = float(np.clip(probabilities[2] - probabilities[0], -1.0, 1.0))
    return sentiment.LABELS[int(probabilities.argmax())], round(score, 4)


def test_normalise_gives_what_every_substitution_gives() -> None:
    alphabet = "aé:;=^<xD)(]|/3'-pP!?.@#ooo😀😡☺\u0300\U0001d165"
    texts = TEXTS + _umsab("train") + _fuzz(alphabet, 20_000, 1)
    for text in texts:
        assert sentiment.normalise(text) == _plain_normalise(text), text


@pytest.mark.parametrize("code", ["fr", "en", "de", ""])
def test_sentiment_is_the_plain_scoring_of_the_features(code: str) -> None:
    for model in sentiment._models().values():
        model.tokens.clear()  # cold, then warm below
    for _ in range(2):
        readings = sentiment.analyze_sentiment(TEXTS, [code] * len(TEXTS))
        for text, reading in zip(TEXTS, readings, strict=True):
            assert (reading.label, reading.score) == _plain_sentiment(text, code), text


def test_the_n_grams_of_new_tokens_are_the_ones_looked_up_one_by_one() -> None:
    tokens = sorted(
        {token for text in TEXTS for token in sentiment._TOKEN.findall(sentiment.normalise(text))}
    )
    tokens += ["x" * 300, "a", "!", "\u00df", "\U0001f600", "emopos", "#\u00e9t\u00e9", "l'a"]
    for model in sentiment._models().values():
        known = model.chars.index.get
        expected = [
            [at for at in map(known, sentiment.char_ngrams(token)) if at is not None]
            for token in tokens
        ]
        found = sentiment._known_grams(model.grams, tokens)
        assert [np.frombuffer(grams, dtype=sentiment._GRAM).tolist() for grams in found] == expected
    assert sentiment._known_grams(model.grams, []) == []


def test_a_full_token_cache_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "_TOKEN_CACHE_SIZE", 40)
    texts = TEXTS[:60] + EDGE_CASES
    for start in range(0, len(texts), 7):
        batch = texts[start : start + 7]
        readings = sentiment.analyze_sentiment(batch, ["fr"] * len(batch))
        assert [(r.label, r.score) for r in readings] == [
            _plain_sentiment(text, "fr") for text in batch
        ]
        distinct = {
            token
            for text in batch
            if text.strip()
            for token in sentiment._TOKEN.findall(sentiment.normalise(text))
        }
        assert len(sentiment._models()["fr"].tokens) <= max(40, len(distinct))


def test_a_batch_reads_as_its_texts_one_by_one() -> None:
    texts = TEXTS[:150] + EDGE_CASES
    codes = [("fr", "en", "", "it")[index % 4] for index in range(len(texts))]
    batch = sentiment.analyze_sentiment(texts, codes)
    assert batch == [
        sentiment.analyze_sentiment([text], [code])[0]
        for text, code in zip(texts, codes, strict=True)
    ]


# --- intents and urgency ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "gates"),
    [
        (r"\b\w+-(?:t-)?(?:il|on)\b(?!-)", (("-",), ("il", "on"))),
        (r"\b\d+ ?% (?:off|bonus)\b", (("% ",), ("off", "bonus"))),
        (r"\b(?:i'm|just) cancel+(?:ing|ed)\b", (("i'm", "just"), (" cancel",), ("ing", "ed"))),
        (r"\bcomm?ande(?:r|z)?\b", (("com",), ("ande",))),
        (r"-\d+ ?%", (("-",), ("%",))),
        (r"a{2}b[xy]c\.d", (("b",), ("c.d",))),
        (r"https?://|www\.", ()),  # alternatives at the top level: nothing to say
        (r"[😡😤]", ()),
        (r"(?i)abc", ()),  # case-insensitive: no literal to go by
        (r"\x41bc", ()),  # an escape of more than one character: not read
    ],
)
def test_mandatory_literals(pattern: str, gates: tuple[tuple[str, ...], ...]) -> None:
    assert intents.mandatory_literals(pattern) == gates


def test_alternatives_literals() -> None:
    assert intents.alternatives_literals(r"\b(?:\d+e fois|je (?:vous )?relance|chased)\b") == (
        "e fois",
        "relance",
        "chased",
    )
    assert intents.alternatives_literals(r"\b(?:\d+|abc)\b") == ()


def test_a_cue_that_matches_is_always_tried() -> None:
    """Whatever a cue's regular expression finds, the cue is a candidate for the text and
    the strings it was gated on are there: the gates only ever skip hopeless searches."""
    texts = [intents.normalise(text) for text in TEXTS + _intent_set()]
    for number, compiled in enumerate(intents._COMPILED):
        for text in texts:
            if compiled.pattern.whole.search(text) is None:
                continue
            assert number in intents._candidates(text), (compiled.cue.pattern, text)
            for needs in intents._NEEDS[number]:
                assert any(literal in text for literal in needs), (compiled.cue.pattern, text)


def test_the_repeated_contact_gate_hides_no_match() -> None:
    texts = [intents.normalise(text) for text in TEXTS + _intent_set()]
    texts += ["2e fois", "je vous relance", "deja appele", "3rd time", "still waiting"]
    for text in texts:
        if urgency._SAID_REPEATED.search(text):
            assert any(literal in text for literal in urgency._SAID_REPEATED_NEEDS), text


def test_intents_without_cues_score_the_same() -> None:
    folded = [intents.normalise(text) for text in TEXTS + _intent_set()]
    full = intents.detect_intents(folded, normalised=folded)
    lean = intents.detect_intents(folded, normalised=folded, cues=False)
    assert [reading.scores for reading in lean] == [reading.scores for reading in full]
    assert all(reading.cues == {} for reading in lean)


# --- language --------------------------------------------------------------------------


def test_the_noise_pattern_is_the_plain_alternation() -> None:
    plain = re.compile(r"(?:https?://\S+|#[\w.@-]+|[\d/:.,-]+)")
    texts = TEXTS + _fuzz("ahttps:/#.@-1,x é٣", 20_000, 2)
    for text in texts:
        assert language._NOISE_WITHOUT_AT.sub(" ", text) == plain.sub(" ", text), text


# --- the whole lean reading --------------------------------------------------------------


def test_lean_readings_are_the_full_readings_less_what_is_dropped() -> None:
    rng = random.Random(5)  # noqa: S311 - a fixed sample, not a secret
    hints = [rng.choice(["", "", "", "fr", "en", "es"]) for _ in TEXTS]
    publics = [rng.random() < 0.5 for _ in TEXTS]
    for start in range(0, len(TEXTS), 250):
        texts = TEXTS[start : start + 250]
        batch_hints = hints[start : start + 250]
        batch_publics = publics[start : start + 250]
        full = default_analyzer().analyze(
            texts,
            hints=batch_hints,
            context=[Context(is_public=public, channel_kind="x") for public in batch_publics],
            entities=False,
        )
        lean = analyze_lean(texts, batch_hints, batch_publics, "x")
        expected = [
            replace(reading, intent_scores={}, intent_cues={}, urgency_cues=()) for reading in full
        ]
        assert lean == expected
        for text, reading in zip(texts, lean, strict=True):
            assert (reading.sentiment, reading.sentiment_score) == _plain_sentiment(
                text, reading.language
            ), text
