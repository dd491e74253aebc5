"""Sentiment of short social texts in French and English: negative, neutral or positive.

The default analyzer is a multinomial logistic regression per language over three views of a
text, trained by ``scripts/train_sentiment.py`` on the UMSAB train split:

- word unigrams and bigrams of a normalised text (lowercase, accents folded, @user / URL /
  number placeholders, elongations cut to two letters, emoticons and emojis mapped to
  ``EMOPOS`` / ``EMONEG`` tokens, a ``NEG_`` prefix on the words that follow a negation);
- character 2-5-grams inside words (robust to typos, inflection and hashtags);
- a few dense lexicon features (sums and counts of positive and negative valences, flipped
  under negation) from the VADER lexicon for English and its French translation shipped by
  vaderSentiment-fr (both MIT; ``models/LICENSE-vader.txt``).

Tf-idf with sublinear tf and l2 norm per view, as scikit-learn computes it; at run time the
fitted weights are read from ``models/sentiment.npz`` (plain arrays, no pickle) and the
scoring is a handful of numpy operations over the whole batch, so neither scikit-learn nor
any network is needed. Languages other than fr/en (and texts whose language is unknown)
use the ``xx`` model, trained on both languages together: char n-grams, emojis and
punctuation carry over between languages better than either monolingual model does.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, pairwise
from operator import is_not
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
from scipy import sparse

MODELS_DIR = Path(__file__).parent / "models"
ARTEFACT = MODELS_DIR / "sentiment.npz"
LEXICON = MODELS_DIR / "sentiment_lexicon.json"
LANGUAGES = ("fr", "en")
SHARED = "xx"  # the model trained on both languages, for any other language
LABELS = ("negative", "neutral", "positive")
CHAR_NGRAMS = (2, 5)

_URL = re.compile(r"https?://\S*|www\.\S+")
_USER = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ELONGATION = re.compile(r"(\w)\1\1+")  # "trooop" -> "troop", "sooo" -> "soo"
_PUNCT_RUN = re.compile(r"([!?.])\1+")
_EMOTICON_POS = re.compile(r"(?<!\w)(?:[:;=]-?[)\]dDpP3]|\^\^|<3|xD)(?!\w)")
_EMOTICON_NEG = re.compile(r"(?<!\w)(?:[:;=]'?-?[(\[|]|:/|</3)(?!\w|/)")
_EMOTICON_MARKS = re.compile(r"[:;=^<]|xD")  # what every emoticon above holds
_TOKEN = re.compile(r"#?\w+(?:'\w+)*|[!?]+|[.,;:()]+")
# Emojis whose polarity is clear in customer messages; written by us, not from a lexicon.
_POSITIVE_EMOJIS = frozenset(
    "😀😃😄😁😆😊🙂😍🥰😘😻👍👏🙌💪🎉❤💖💕💗💙💚💛💜🧡♥✨🔥😎🤩😂🤣😉☺🥳👌💯🌞☀🙏😇🤗"
)
_NEGATIVE_EMOJIS = frozenset("😠😡🤬😤😞😔😟😢😭😩😫😒🙄👎💔😱😨😰😣😖🤮🤢☹🙁😕😬💩😑😐😪😓🤦")
# Words that open a negation scope; the scope runs until punctuation or three words on.
_NEGATORS = frozenset(
    (
        *("not", "no", "never", "nor", "cannot", "cant", "dont", "doesnt", "didnt", "isnt"),
        *("wasnt", "arent", "wont", "wouldnt", "shouldnt", "couldnt", "aint", "nothing"),
        *("nobody", "without", "pas", "ne", "jamais", "rien", "aucun", "aucune", "ni", "sans"),
    )
)
_NEGATION_REACH = 3
_NEGATED_VALENCE = -0.74  # VADER's damping factor when a negation flips a word
_KNOWN = partial(is_not, None)  # the n-grams the model knows: a position, 0 included
_TOKEN_CACHE_SIZE = 200_000  # a few tens of MB at most
_EMOJI_POSITIVE = "emopos"  # the placeholders, once lowercased
_EMOJI_NEGATIVE = "emoneg"


@dataclass(frozen=True)
class SentimentReading:
    label: str  # one of LABELS
    score: float  # P(positive) - P(negative), in [-1, 1]


def _combining_marks() -> re.Pattern[str]:
    """Every code point with a non-zero combining class, as one character class."""
    spans: list[tuple[int, int]] = []
    for point in range(0x300, 0x110000):
        if unicodedata.combining(chr(point)):
            if spans and spans[-1][1] == point - 1:
                spans[-1] = (spans[-1][0], point)
            else:
                spans.append((point, point))
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in spans) + "]")


_COMBINING = _combining_marks()
# Emojis become placeholder words.
_POSITIVE_EMOJI = re.compile("[" + "".join(sorted(_POSITIVE_EMOJIS)) + "]")
_NEGATIVE_EMOJI = re.compile("[" + "".join(sorted(_NEGATIVE_EMOJIS)) + "]")
_EMOJI = re.compile("[" + "".join(sorted(_POSITIVE_EMOJIS | _NEGATIVE_EMOJIS)) + "]")


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    return _COMBINING.sub("", decomposed)


def normalise(text: str) -> str:
    """Lowercase, accent-folded text with placeholders, ready to be tokenised."""
    # Each pattern needs a character that many texts lack: test for it first.
    if "http" in text or "www." in text:
        text = _URL.sub(" URL ", text)
    if "@" in text:
        text = _USER.sub(" USER ", text)
    if _EMOTICON_MARKS.search(text):
        text = _EMOTICON_POS.sub(" EMOPOS ", text)
        text = _EMOTICON_NEG.sub(" EMONEG ", text)
    if not text.isascii():
        if _EMOJI.search(text):
            text = _POSITIVE_EMOJI.sub(" EMOPOS ", text)
            text = _NEGATIVE_EMOJI.sub(" EMONEG ", text)
        text = fold_accents(text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'"))
    text = text.replace("&amp;", "&").lower()
    text = _NUMBER.sub("0", text)
    text = _ELONGATION.sub(r"\1\1", text)
    return _PUNCT_RUN.sub(r"\1\1", text)


@dataclass(frozen=True)
class Features:
    tokens: list[str]
    words: dict[str, int]
    chars: dict[str, int]  # empty when extract() was told to leave them to the caller
    dense: list[float]


def char_ngrams(token: str) -> list[str]:
    """Character n-grams of one token, padded with a space on each side (char_wb)."""
    padded = " " + token + " "
    length = len(padded)
    low, high = CHAR_NGRAMS
    return [
        padded[start : start + size]
        for size in range(low, min(high, length) + 1)
        for start in range(length - size + 1)
    ]


DENSE_FEATURES = ("pos_sum", "neg_sum", "pos_count", "neg_count", "emo_pos", "emo_neg", "excl")


def extract(text: str, lexicon: dict[str, float], *, chars: bool = True) -> Features:
    """The three views of one text (see the module docstring)."""
    tokens = _TOKEN.findall(normalise(text))
    marked: list[str] = []
    pos_sum = neg_sum = 0.0
    pos_count = neg_count = emo_pos = emo_neg = excl = 0
    scope = 0
    for token in tokens:
        first = token[0]
        if not (first.isalnum() or first in "#_"):
            scope = 0
            excl += "!" in token
            marked.append(token)
            continue
        if token == _EMOJI_POSITIVE:
            emo_pos += 1
        elif token == _EMOJI_NEGATIVE:
            emo_neg += 1
        valence = lexicon.get(token.lstrip("#"), 0.0)
        if scope:
            marked.append("NEG_" + token)
            valence *= _NEGATED_VALENCE
            scope -= 1
        else:
            marked.append(token)
        if token in _NEGATORS or token.endswith("n't") or token.startswith("n'"):
            scope = _NEGATION_REACH  # "n't" and the French elided "n'" arrive glued
        if valence > 0:
            pos_sum += valence
            pos_count += 1
        elif valence < 0:
            neg_sum -= valence
            neg_count += 1
    words = Counter(marked)
    words.update([first + " " + second for first, second in pairwise(marked)])
    grams: dict[str, int] = {}
    if chars:
        for token in tokens:
            for gram in char_ngrams(token):
                grams[gram] = grams.get(gram, 0) + 1
    dense = [
        math.log1p(pos_sum),
        math.log1p(neg_sum),
        math.log1p(pos_count),
        math.log1p(neg_count),
        math.log1p(emo_pos),
        math.log1p(emo_neg),
        math.log1p(excl),
    ]
    return Features(tokens, words, grams, dense)


def load_lexicons() -> dict[str, dict[str, float]]:
    """Accent-folded single-word valences per language, plus both merged for ``xx``."""
    raw = json.loads(LEXICON.read_text(encoding="utf-8"))
    lexicons: dict[str, dict[str, float]] = {}
    for language in LANGUAGES:
        lexicons[language] = {fold_accents(word): float(v) for word, v in raw[language].items()}
    lexicons[SHARED] = {**lexicons["en"], **lexicons["fr"]}
    return lexicons


@dataclass(frozen=True)
class _View:
    index: dict[str, int]
    idf: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]  # (features, classes)


@dataclass(frozen=True)
class _Model:
    words: _View
    chars: _View
    dense_coef: npt.NDArray[np.float64]  # (dense features, classes), scale folded in
    intercept: npt.NDArray[np.float64]
    lexicon: dict[str, float]
    # Token -> positions of its known char n-grams. Tokens repeat a lot from text to text,
    # so caching them removes most of the per-character work; bounded below.
    token_grams: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def char_positions(self, token: str) -> tuple[int, ...]:
        positions = self.token_grams.get(token)
        if positions is None:
            found = map(self.chars.index.get, char_ngrams(token))
            positions = cast(tuple[int, ...], tuple(filter(_KNOWN, found)))
            if len(self.token_grams) >= _TOKEN_CACHE_SIZE:
                self.token_grams.clear()
            self.token_grams[token] = positions
        return positions


def _view(arrays: dict[str, npt.NDArray[np.generic]], prefix: str) -> _View:
    vocabulary = arrays[prefix + "_vocab"].tolist()
    return _View(
        index={feature: position for position, feature in enumerate(vocabulary)},
        idf=arrays[prefix + "_idf"].astype(np.float64),
        coef=arrays[prefix + "_coef"].astype(np.float64),
    )


@lru_cache(maxsize=1)
def _models() -> dict[str, _Model]:
    lexicons = load_lexicons()
    # Our own artefact at a fixed path, plain arrays only: allow_pickle stays off.
    with np.load(ARTEFACT, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return {
        language: _Model(
            words=_view(arrays, language + "_words"),
            chars=_view(arrays, language + "_chars"),
            dense_coef=arrays[language + "_dense_coef"].astype(np.float64),
            intercept=arrays[language + "_intercept"].astype(np.float64),
            lexicon=lexicons[language],
        )
        for language in (*LANGUAGES, SHARED)
    }


def _word_positions(view: _View, batch: list[dict[str, int]]) -> list[dict[int, int]]:
    known = view.index.get
    return [
        {at: count for feature, count in features.items() if (at := known(feature)) is not None}
        for features in batch
    ]


def _view_scores(view: _View, batch: Sequence[dict[int, int]]) -> npt.NDArray[np.float64]:
    """Tf-idf (sublinear tf, l2 norm) times the coefficients, for a whole batch at once."""
    positions: list[int] = []
    counts: list[int] = []
    rows: list[int] = []
    for row, features in enumerate(batch):
        positions.extend(features.keys())
        counts.extend(features.values())
        rows.extend([row] * len(features))
    scores = np.zeros((len(batch), view.coef.shape[1]))
    if not positions:
        return scores
    at = np.asarray(positions, dtype=np.intp)
    where = np.asarray(rows, dtype=np.intp)
    values = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * view.idf[at]
    norms = np.sqrt(np.bincount(where, weights=values * values, minlength=len(batch)))
    np.add.at(scores, where, values[:, None] * view.coef[at])
    norms[norms == 0] = 1.0
    return scores / norms[:, None]


def _char_scores(model: _Model, token_lists: Sequence[list[str]]) -> npt.NDArray[np.float64]:
    """The char n-gram view as a sparse matrix: counting the n-grams of a text and the
    tf-idf sums happen in scipy's compiled code, not in Python dictionaries."""
    view = model.chars
    per_text = [tuple(chain.from_iterable(map(model.char_positions, t))) for t in token_lists]
    rows = len(per_text)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, per_text), dtype=np.int64, count=rows), out=indptr[1:])
    if not indptr[-1]:
        return np.zeros((rows, view.coef.shape[1]))
    indices = np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=int(indptr[-1]))
    matrix = sparse.csr_matrix(
        (np.ones(len(indices)), indices, indptr), shape=(rows, len(view.idf))
    )
    matrix.sum_duplicates()
    matrix.data = (1.0 + np.log(matrix.data)) * view.idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    scores: npt.NDArray[np.float64] = np.asarray(matrix @ view.coef) / norms[:, None]
    return scores


def _score(model: _Model, texts: list[str]) -> npt.NDArray[np.float64]:
    features = [extract(text, model.lexicon, chars=False) for text in texts]
    dense = np.asarray([f.dense for f in features], dtype=np.float64)
    logits: npt.NDArray[np.float64] = dense @ model.dense_coef + model.intercept
    logits += _view_scores(model.words, _word_positions(model.words, [f.words for f in features]))
    logits += _char_scores(model, [f.tokens for f in features])
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return probabilities


def analyze_sentiment(texts: Sequence[str], languages: Sequence[str]) -> list[SentimentReading]:
    """One reading per text; ``languages`` holds ISO 639-1 codes ("" when unknown).

    A text with nothing to read (empty or blank) is neutral with a score of 0.
    """
    if len(texts) != len(languages):
        raise ValueError("texts and languages must have the same length")
    models = _models()
    readings = [SentimentReading("neutral", 0.0)] * len(texts)
    groups: dict[str, list[int]] = {}
    for position, (text, language) in enumerate(zip(texts, languages, strict=True)):
        if text.strip():
            code = language[:2].lower()
            groups.setdefault(code if code in LANGUAGES else SHARED, []).append(position)
    for language, positions in groups.items():
        probabilities = _score(models[language], [texts[p] for p in positions])
        for position, row in zip(positions, probabilities, strict=True):
            score = float(np.clip(row[2] - row[0], -1.0, 1.0))
            readings[position] = SentimentReading(LABELS[int(row.argmax())], round(score, 4))
    return readings
