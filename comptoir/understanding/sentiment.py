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
from functools import lru_cache
from itertools import accumulate, chain, pairwise
from pathlib import Path
from typing import NamedTuple

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
_TOKEN_CACHE_SIZE = 200_000  # a few tens of MB at most
_GRAM = np.dtype(np.int32)  # a char-view position, as cached per token
_EMOJI_POSITIVE = "emopos"  # the placeholders, once lowercased
_EMOJI_NEGATIVE = "emoneg"


@dataclass(frozen=True)
class SentimentReading:
    label: str  # one of LABELS
    score: float  # P(positive) - P(negative), in [-1, 1]


def _combining_spans() -> list[tuple[int, int]]:
    """Every code point with a non-zero combining class, as runs of consecutive points."""
    spans: list[tuple[int, int]] = []
    for point in range(0x300, 0x110000):
        if unicodedata.combining(chr(point)):
            if spans and spans[-1][1] == point - 1:
                spans[-1] = (spans[-1][0], point)
            else:
                spans.append((point, point))
    return spans


def _character_class(spans: Sequence[tuple[int, int]]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in spans) + "]")


_SPANS = _combining_spans()
# The marks split at U+FFFF. The regular expression engine tests a class of characters up
# to U+FFFF with one table lookup, but a class that holds a character above it member by
# member: a few microseconds on every accented text. Marks are removed one by one, so the
# first class, then the second on the rare texts with a character above U+FFFF, remove
# what one class of all the marks would.
_COMBINING_BMP = _character_class([(a, b) for a, b in _SPANS if b <= 0xFFFF])
_COMBINING_ASTRAL = _character_class([(a, b) for a, b in _SPANS if a > 0xFFFF])
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Emojis become placeholder words.
_POSITIVE_EMOJI = re.compile("[" + "".join(sorted(_POSITIVE_EMOJIS)) + "]")
_NEGATIVE_EMOJI = re.compile("[" + "".join(sorted(_NEGATIVE_EMOJIS)) + "]")
_EMOJI = re.compile("[" + "".join(sorted(_POSITIVE_EMOJIS | _NEGATIVE_EMOJIS)) + "]")


def _prefilter(characters: frozenset[str]) -> re.Pattern[str]:
    """Two ranges that hold all of ``characters``: a cheap test before the exact class, whose
    emojis lie above U+FFFF (see _COMBINING_BMP). Accented letters fall outside both."""
    points = sorted(map(ord, characters))
    spans = [
        (part[0], part[-1])
        for part in ([p for p in points if p <= 0xFFFF], [p for p in points if p > 0xFFFF])
        if part
    ]
    return _character_class(spans)


_MAYBE_EMOJI = _prefilter(_POSITIVE_EMOJIS | _NEGATIVE_EMOJIS)


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    folded = _COMBINING_BMP.sub("", decomposed)
    return _COMBINING_ASTRAL.sub("", folded) if _ASTRAL.search(folded) else folded


def normalise(text: str) -> str:
    """Lowercase, accent-folded text with placeholders, ready to be tokenised."""
    return _shorten(_normalise_unshortened(text))


def _normalise_unshortened(text: str) -> str:
    """``normalise`` but for its last step, ``_shorten``, which can as well be done token by
    token: what ``_score`` does, once per distinct token rather than on every text."""
    # Each pattern needs a character that many texts lack: test for it first.
    if "http" in text or "www." in text:
        text = _URL.sub(" URL ", text)
    if "@" in text:
        text = _USER.sub(" USER ", text)
    # Every emoticon above holds one of these: substring tests cost less than a search.
    if ":" in text or ";" in text or "=" in text or "^" in text or "<" in text or "xD" in text:
        text = _EMOTICON_POS.sub(" EMOPOS ", text)
        text = _EMOTICON_NEG.sub(" EMONEG ", text)
    if not text.isascii():
        if _MAYBE_EMOJI.search(text) and _EMOJI.search(text):
            text = _POSITIVE_EMOJI.sub(" EMOPOS ", text)
            text = _NEGATIVE_EMOJI.sub(" EMONEG ", text)
        text = fold_accents(text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'"))
    text = text.replace("&amp;", "&").lower()
    return _NUMBER.sub("0", text)


def _shorten(text: str) -> str:
    """Elongations and runs of punctuation cut to two characters. Both only ever shorten
    a run of one repeated word character, or one repeated "!", "?" or ".", so tokens keep
    their bounds: shortening a text or each of its tokens gives the same tokens."""
    if _ELONGATION.search(text):  # rare: spares sub()'s per-call template handling
        text = _ELONGATION.sub(r"\1\1", text)
    if "!!" in text or "??" in text or ".." in text:  # a run, as _PUNCT_RUN would find
        text = _PUNCT_RUN.sub(r"\1\1", text)
    return text


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
    dense = _dense(pos_sum, neg_sum, pos_count, neg_count, emo_pos, emo_neg, excl)
    return Features(tokens, words, grams, dense)


def _dense(*values: float) -> list[float]:
    """The dense features (``DENSE_FEATURES``, in that order), log-scaled."""
    return [math.log1p(value) for value in values]


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
class _GramIndex:
    """The char view's n-grams as numbers, to look many up at once with numpy.

    Each character of the vocabulary is a digit (its rank, from 1) and an n-gram the number
    its digits write in base ``base``, the first character lowest. Digits of known n-grams
    are never 0, so n-grams of different lengths never share a number, and a window over a
    character that no known n-gram holds (digit 0) is never known.
    """

    alphabet: npt.NDArray[np.uint32]  # the code points, sorted
    base: int
    keys: npt.NDArray[np.int64]  # the n-grams' numbers, sorted
    positions: npt.NDArray[np.int64]  # the view position of each


def _gram_index(index: dict[str, int]) -> _GramIndex:
    alphabet = sorted(set("".join(index)))
    base = 1 << len(alphabet).bit_length()
    if base ** CHAR_NGRAMS[1] >= 2**62:
        raise ValueError(f"{len(alphabet)} characters: too many for n-grams as numbers")
    digit = {char: rank for rank, char in enumerate(alphabet, start=1)}
    keys = np.array(
        [sum(digit[char] * base**place for place, char in enumerate(gram)) for gram in index],
        dtype=np.int64,
    )
    order = np.argsort(keys)
    return _GramIndex(
        alphabet=np.array([ord(char) for char in alphabet], dtype=np.uint32),
        base=base,
        keys=keys[order],
        positions=np.fromiter(index.values(), dtype=np.int64, count=len(index))[order],
    )


def _known_grams(grams: _GramIndex, tokens: Sequence[str]) -> list[bytes]:
    """For each token, the view positions of its known char n-grams in ``char_ngrams``
    order, repeats kept: ``map(index.get, char_ngrams(token))`` less the None, as int32
    (``_GRAM``) bytes, which a batch joins and numpy reads in one go.

    Cutting a string and looking it up per n-gram costs a few microseconds a token, the
    main cost of a batch of unseen texts. Here numpy numbers every window of 2 to 5
    characters of all the tokens together, padded and joined by a character outside the
    alphabet (so no known window spans two tokens), and finds them in the sorted numbers.
    """
    if not tokens:
        return []
    text = "\x00".join(" " + token + " " for token in tokens)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    rank = np.minimum(np.searchsorted(grams.alphabet, codes), len(grams.alphabet) - 1)
    digits = np.where(grams.alphabet[rank] == codes, rank + 1, 0).astype(np.int64)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens)) + 2
    owner = np.repeat(np.arange(len(tokens)), lengths + 1)[: len(codes)]
    zeros = np.concatenate(([0], np.cumsum(digits == 0)))
    last = len(grams.keys) - 1
    found_owner: list[npt.NDArray[np.int64]] = []
    found_position: list[npt.NDArray[np.int64]] = []
    numbers = digits
    low, high = CHAR_NGRAMS
    for size in range(2, high + 1):
        span = len(digits) - size + 1
        if span <= 0:
            break
        numbers = numbers[:span] + digits[size - 1 :] * grams.base ** (size - 1)
        if size < low:
            continue
        clean = np.flatnonzero(zeros[size : size + span] == zeros[:span])
        at = np.minimum(np.searchsorted(grams.keys, numbers[clean]), last)
        hit = grams.keys[at] == numbers[clean]
        found_owner.append(owner[clean[hit]])
        found_position.append(grams.positions[at[hit]])
    owners = np.concatenate(found_owner) if found_owner else np.zeros(0, dtype=np.int64)
    order = np.argsort(owners, kind="stable")  # by token, then size, then start
    flat = np.concatenate(found_position)[order] if found_owner else owners
    blob = flat.astype(_GRAM).tobytes()
    counts = np.bincount(owners, minlength=len(tokens)).tolist()
    ends = list(accumulate(counts))
    width = _GRAM.itemsize
    return [
        blob[(end - count) * width : end * width] for count, end in zip(counts, ends, strict=True)
    ]


class _Token(NamedTuple):
    """What scoring needs of one token under one model, worked out once (see ``extract``,
    whose per-token steps these are)."""

    text: str  # the token as ``normalise`` gives it (see ``_shorten``)
    word: bool  # else punctuation, which closes a negation scope
    exclamations: int  # 1 for punctuation holding "!"
    emoji_positive: int  # 1 for the placeholder word
    emoji_negative: int
    valence: float  # in the model's lexicon, hashtag stripped
    negator: bool  # opens a negation scope
    plain: int | None  # word-view position of the token as is, None when unknown
    negated: int | None  # ... and marked "NEG_"
    grams: bytes  # char-view positions of its known n-grams, repeats kept, as _GRAM


@dataclass(frozen=True)
class _Model:
    words: _View
    chars: _View
    dense_coef: npt.NDArray[np.float64]  # (dense features, classes), scale folded in
    intercept: npt.NDArray[np.float64]
    lexicon: dict[str, float]
    grams: _GramIndex  # the char view's vocabulary, for numpy
    # Token -> what scoring needs of it. Tokens repeat a lot from text to text, so caching
    # them removes most of the per-character and per-lookup work; bounded below.
    tokens: dict[str, _Token] = field(default_factory=dict)

    def learn(self, tokens: Sequence[str]) -> None:
        """Cache the entries of ``tokens`` (as ``_normalise_unshortened`` cuts them), new
        ones, their n-grams found all at once."""
        known = self.words.index.get
        texts = [_shorten(token) for token in tokens]
        for token, text, grams in zip(tokens, texts, _known_grams(self.grams, texts), strict=True):
            first = text[0]
            word = first.isalnum() or first in "#_"
            self.tokens[token] = _Token(
                text,
                word,
                int(not word and "!" in text),
                int(text == _EMOJI_POSITIVE),
                int(text == _EMOJI_NEGATIVE),
                self.lexicon.get(text.lstrip("#"), 0.0) if word else 0.0,
                text in _NEGATORS or text.endswith("n't") or text.startswith("n'"),
                known(text),
                known("NEG_" + text),
                grams,
            )


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
    models: dict[str, _Model] = {}
    for language in (*LANGUAGES, SHARED):
        chars = _view(arrays, language + "_chars")
        models[language] = _Model(
            words=_view(arrays, language + "_words"),
            chars=chars,
            dense_coef=arrays[language + "_dense_coef"].astype(np.float64),
            intercept=arrays[language + "_intercept"].astype(np.float64),
            lexicon=lexicons[language],
            grams=_gram_index(chars.index),
        )
    return models


def _tfidf_scores(view: _View, counts: sparse.csr_matrix) -> npt.NDArray[np.float64]:
    """Tf-idf (sublinear tf, l2 norm per text) of ``counts`` times the view's coefficients.
    The counts of a text may sit in any order, each feature once."""
    rows = counts.shape[0]
    values = (1.0 + np.log(counts.data)) * view.idf[counts.indices]
    where = np.repeat(np.arange(rows), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(where, weights=values * values, minlength=rows))
    norms[norms == 0] = 1.0
    counts.data = values
    scores: npt.NDArray[np.float64] = np.asarray(counts @ view.coef) / norms[:, None]
    return scores


def _csr(columns: list[int], ends: list[int], shape: tuple[int, int]) -> sparse.csr_matrix:
    """Ones at ``columns``, row ``r`` holding ``columns[ends[r] : ends[r + 1]]``."""
    return sparse.csr_matrix(
        (
            np.ones(len(columns)),
            np.asarray(columns, dtype=np.int64),
            np.asarray(ends, dtype=np.int64),
        ),
        shape=shape,
    )


def _score(model: _Model, texts: list[str]) -> npt.NDArray[np.float64]:
    """Class probabilities of a batch, ``extract``'s features without its dictionaries.

    The tokens that the model's cache lacks are worked out first, all together (see
    ``_Model.learn``). Then one pass over the tokens of the batch, each token's share read
    from the cache, gathers the word features' positions, the tokens and the dense
    features, with no dictionary of features per text as ``extract`` builds. The counts
    then come from scipy's compiled code: the word view's by summing the duplicates of a
    sparse matrix, the char view's as (texts x tokens) @ (tokens x n-grams), which adds
    up the n-grams of a text's tokens without sorting them.
    """
    token_lists = [_TOKEN.findall(_normalise_unshortened(text)) for text in texts]
    cache = model.tokens
    new = set(chain.from_iterable(token_lists)).difference(cache)
    if len(cache) + len(new) > _TOKEN_CACHE_SIZE:  # bounded: start again from this batch
        cache.clear()
        new = set(chain.from_iterable(token_lists))
    model.learn(list(new))
    known = model.words.index.get
    dense: list[list[float]] = []
    word_at: list[int] = []
    word_ends = [0]
    token_at: list[int] = []
    token_ends = [0]
    # Token -> its number in this batch, its text, its word-view position, whether it is a
    # plain word (no valence, no emoji, no negation: outside a negation scope it adds its
    # position and nothing else) and its entry. One lookup for a token seen before.
    seen: dict[str, tuple[int, str, int | None, bool, _Token]] = {}
    grams: list[bytes] = []
    for tokens in token_lists:
        marked: list[str] = []
        pos_sum = neg_sum = 0.0
        pos_count = neg_count = emo_pos = emo_neg = excl = 0
        scope = 0
        for unshortened in tokens:
            found = seen.get(unshortened)
            if found is None:
                new_entry = cache[unshortened]
                plain_word = (
                    new_entry.word
                    and not new_entry.valence
                    and not new_entry.negator
                    and not (new_entry.emoji_positive or new_entry.emoji_negative)
                )
                found = seen[unshortened] = (
                    len(grams),
                    new_entry.text,
                    new_entry.plain,
                    plain_word,
                    new_entry,
                )
                grams.append(new_entry.grams)
            number, token, plain, plain_word, entry = found
            token_at.append(number)
            if plain_word and not scope:  # most tokens: what the steps below come to
                marked.append(token)
                if plain is not None:
                    word_at.append(plain)
                continue
            (
                _,
                word,
                exclamations,
                emoji_positive,
                emoji_negative,
                valence,
                negator,
                _,
                negated,
                _,
            ) = entry
            if not word:
                scope = 0
                excl += exclamations
                marked.append(token)
                if plain is not None:
                    word_at.append(plain)
                continue
            emo_pos += emoji_positive
            emo_neg += emoji_negative
            if scope:
                marked.append("NEG_" + token)
                if negated is not None:
                    word_at.append(negated)
                valence *= _NEGATED_VALENCE
                scope -= 1
            else:
                marked.append(token)
                if plain is not None:
                    word_at.append(plain)
            if negator:
                scope = _NEGATION_REACH
            if valence > 0:
                pos_sum += valence
                pos_count += 1
            elif valence < 0:
                neg_sum -= valence
                neg_count += 1
        for first, second in pairwise(marked):
            at = known(first + " " + second)
            if at is not None:
                word_at.append(at)
        word_ends.append(len(word_at))
        token_ends.append(len(token_at))
        dense.append(_dense(pos_sum, neg_sum, pos_count, neg_count, emo_pos, emo_neg, excl))
    rows = len(texts)
    logits: npt.NDArray[np.float64] = (
        np.asarray(dense, dtype=np.float64) @ model.dense_coef + model.intercept
    )
    words = _csr(word_at, word_ends, (rows, len(model.words.idf)))
    words.sum_duplicates()
    logits += _tfidf_scores(model.words, words)
    gram_ends = np.zeros(len(grams) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, grams), dtype=np.int64, count=len(grams)), out=gram_ends[1:])
    gram_ends //= _GRAM.itemsize
    by_token = sparse.csr_matrix(
        (
            np.ones(int(gram_ends[-1])),
            np.frombuffer(b"".join(grams), dtype=_GRAM).astype(np.int64),
            gram_ends,
        ),
        shape=(len(grams), len(model.chars.idf)),
    )
    chars = _csr(token_at, token_ends, (rows, len(grams))) @ by_token
    logits += _tfidf_scores(model.chars, chars)
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
        # For the whole group at once: numpy on one row at a time costs microseconds a text.
        scores = np.clip(probabilities[:, 2] - probabilities[:, 0], -1.0, 1.0).tolist()
        best = probabilities.argmax(axis=1).tolist()
        for position, label, score in zip(positions, best, scores, strict=True):
            readings[position] = SentimentReading(LABELS[label], round(score, 4))
    return readings
