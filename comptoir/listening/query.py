"""The listening query language: parsed once into a matcher, then run on many texts.

    marque OR "service client" -spam (#colis AND @laposte) NOT remboursé

- terms side by side must all appear (``AND`` may be written, it is implied);
- ``OR`` between two parts wants either; ``AND`` binds tighter than ``OR``;
- ``NOT term`` or ``-term`` wants the term absent; parentheses group;
- ``"an exact phrase"`` wants these words, in this order, next to each other;
- ``#hashtag`` and ``@handle`` are matched as tokens: ``@brand`` is not ``@brand_fr``.
  A bare word also matches its hashtag (``colis`` finds ``#colis``), never a handle.

Matching is case- and accent-insensitive (``Remboursé`` finds ``rembourse``) and on word
boundaries (``colis`` does not find ``colissimo``). Operators are written in capitals, so
that the French word "or" stays a term.

Speed comes from reading each text once (``read``) and from ``Matcher.triggers``: the
tokens one of which a text must hold for the query to match, so that a set of rules is
only asked about texts that contain one of their triggers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext

MAX_QUERY_LENGTH = 2000

_COMBINING = re.compile(r"[\u0300-\u036f]+")
# A handle may carry a server (``@lea@mastodon.social``); neither a hashtag nor a handle
# starts inside a word, so an email address is not a handle.
_TOKEN = re.compile(r"(?<!\w)@\w+(?:[.@]\w+)*|(?<!\w)#\w+|\w+")
_PLAIN_WORDS = re.compile(r"\w+")  # the same tokens, faster, for a text with no # and no @
_QUERY_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)("?)|(-)(?=\S)|([^\s()"]+))')


class QueryError(ValueError):
    """A query that cannot be read; the message says why, for the person who wrote it."""


def fold(text: str) -> str:
    """Lower case without accents: ``Été à Noël`` becomes ``ete a noel``."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded))


class Text:
    """A text as the matchers read it: its tokens, and its words in order for phrases."""

    __slots__ = ("_joined", "tokens", "words")

    def __init__(self, tokens: set[str], words: list[str]) -> None:
        self.tokens = tokens
        self.words = words
        self._joined: str | None = None

    @property
    def joined(self) -> str:
        """`` word word word ``: a phrase found in it is found on word boundaries. Built
        on first use, as most texts meet no rule with a phrase."""
        if self._joined is None:
            self._joined = f" {' '.join(self.words)} "
        return self._joined


def read(text: str) -> Text:
    """Tokenize a text once, for every rule that will look at it."""
    tagged = "#" in text
    if tagged or "@" in text:
        words = _TOKEN.findall(fold(text))
    else:
        words = _PLAIN_WORDS.findall(fold(text))
    tokens = set(words)
    if tagged:
        tokens.update(w[1:] for w in words if w[0] == "#")
    return Text(tokens, words)


TextTest = Callable[[Text], bool]


@dataclass(frozen=True, slots=True)
class Matcher:
    """A compiled query. ``triggers`` is None when the query can match a text holding
    none of its terms (``-spam`` alone): such a matcher is asked about every text."""

    query: str
    test: TextTest
    triggers: frozenset[str] | None

    def matches(self, text: Text) -> bool:
        return self.test(text)


@lru_cache(maxsize=4096)
def compile_query(query: str) -> Matcher:
    """Parse ``query`` into a matcher; raise QueryError with a readable reason."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            gettext("A query is at most %(limit)d characters long.") % {"limit": MAX_QUERY_LENGTH}
        )
    parser = _Parser(_lex(query))
    if parser.at_end():
        raise QueryError(gettext("The query is empty: write at least one term."))
    node = parser.expression()
    if not parser.at_end():
        # The only token an expression stops before is a closing parenthesis.
        raise QueryError(gettext("A closing parenthesis has no opening one."))
    return Matcher(query, node.test, node.triggers)


def check_query(query: str) -> str:
    """The query, stripped, once it parses; raises QueryError otherwise."""
    query = query.strip()
    compile_query(query)
    return query


# Lexing and parsing -----------------------------------------------------------------------

_LPAREN, _RPAREN, _PHRASE, _MINUS, _WORD = "(", ")", "phrase", "-", "word"


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    stripped = query.rstrip()
    while position < len(stripped):
        found = _QUERY_TOKEN.match(stripped, position)
        if found is None:  # pragma: no cover - every character is a token or a space
            raise QueryError(gettext("The query cannot be read."))
        lparen, rparen, phrase, closed, minus, word = found.groups()
        if lparen:
            tokens.append((_LPAREN, lparen))
        elif rparen:
            tokens.append((_RPAREN, rparen))
        elif phrase is not None:
            if not closed:
                raise QueryError(gettext("A quotation mark is not closed."))
            tokens.append((_PHRASE, phrase))
        elif minus:
            tokens.append((_MINUS, minus))
        else:
            tokens.append((_WORD, word))
        position = found.end()
    return tokens


@dataclass(frozen=True, slots=True)
class _Node:
    """A parsed part: its test, its triggers, and, for a bare one-token term, the token,
    so that the parts around it can test many such terms in one set operation."""

    test: TextTest
    triggers: frozenset[str] | None
    token: str = ""
    absent: str = ""  # for ``-token``: the token the text must not hold


class _Parser:
    """Recursive descent: expression = conjunction (OR conjunction)*;
    conjunction = unary (AND? unary)*; unary = (NOT | -) unary | ( expression ) | term."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def at_end(self) -> bool:
        return self.position >= len(self.tokens)

    def peek(self) -> tuple[str, str] | None:
        return None if self.at_end() else self.tokens[self.position]

    def is_operator(self, name: str) -> bool:
        token = self.peek()
        return token is not None and token == (_WORD, name)

    def expression(self) -> _Node:
        parts = [self.conjunction()]
        while self.is_operator("OR"):
            self.position += 1
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        triggers: frozenset[str] | None = frozenset()
        for part in parts:
            if triggers is not None:
                triggers = None if part.triggers is None else triggers | part.triggers
        return _Node(_any_of(parts), triggers)

    def conjunction(self) -> _Node:
        parts = [self.unary()]
        while not self.at_end() and not self.is_operator("OR") and self.peek() != (_RPAREN, ")"):
            if self.is_operator("AND"):
                self.position += 1
            parts.append(self.unary())
        if len(parts) == 1:
            return parts[0]
        # Any one part's triggers will do; the fewest is the most selective.
        known = [part.triggers for part in parts if part.triggers is not None]
        return _Node(_all_of(parts), min(known, key=len) if known else None)

    def unary(self) -> _Node:
        token = self.peek()
        if token is None:
            raise QueryError(gettext("The query ends where a term was expected."))
        kind, value = token
        if kind == _MINUS or token == (_WORD, "NOT"):
            self.position += 1
            negated = self.unary()
            if negated.token:
                absent = negated.token
                return _Node(lambda text: absent not in text.tokens, None, absent=absent)
            test = negated.test
            return _Node(lambda text: not test(text), None)
        if kind == _LPAREN:
            return self.group()
        if kind == _RPAREN:
            raise QueryError(gettext("A closing parenthesis has no opening one."))
        if kind == _WORD and value in ("AND", "OR"):
            raise QueryError(
                gettext("%(operator)s needs a term on each side.") % {"operator": value}
            )
        self.position += 1
        return _term(value, phrase=kind == _PHRASE)

    def group(self) -> _Node:
        self.position += 1
        if self.peek() == (_RPAREN, ")"):
            raise QueryError(gettext("A pair of parentheses is empty."))
        node = self.expression()
        if self.peek() != (_RPAREN, ")"):
            raise QueryError(gettext("An opening parenthesis is not closed."))
        self.position += 1
        return node


def _term(value: str, *, phrase: bool) -> _Node:
    words = _TOKEN.findall(fold(value))
    if not words:
        if phrase:
            raise QueryError(gettext("A quoted phrase is empty."))
        raise QueryError(
            gettext("“%(term)s” holds no letter or digit to search for.") % {"term": value}
        )
    if len(words) == 1:
        word = words[0]
        return _Node(lambda text: word in text.tokens, frozenset({word}), word)
    # Several words (a phrase, or a term such as "e-mail"): they must follow each other.
    needle = f" {' '.join(words)} "
    return _Node(lambda text: needle in text.joined, frozenset({max(words, key=len)}))


# Bare terms side by side are the common case: ``a b -c`` is one subset and one disjointness
# test, ``a OR b OR c`` one disjointness test, rather than a call per term.


def _all_of(parts: list[_Node]) -> TextTest:
    required = frozenset(part.token for part in parts if part.token)
    forbidden = frozenset(part.absent for part in parts if part.absent)
    rest = _all_tests([part.test for part in parts if not (part.token or part.absent)])
    if rest is None:
        if not forbidden:
            return lambda text: required <= text.tokens
        return lambda text: required <= text.tokens and forbidden.isdisjoint(text.tokens)
    if not forbidden:
        return lambda text: required <= text.tokens and rest(text)
    return lambda text: required <= text.tokens and forbidden.isdisjoint(text.tokens) and rest(text)


def _all_tests(tests: list[TextTest]) -> TextTest | None:
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda text: first(text) and second(text)
    every = tuple(tests)
    return lambda text: all(test(text) for test in every)


def _any_of(parts: list[_Node]) -> TextTest:
    wanted = frozenset(part.token for part in parts if part.token)
    others = [part.test for part in parts if not part.token]
    if len(others) == 1:
        other = others[0]
        if not wanted:  # pragma: no cover - an OR has two parts at least
            return other
        return lambda text: not wanted.isdisjoint(text.tokens) or other(text)
    if not others:
        return lambda text: not wanted.isdisjoint(text.tokens)
    tests = tuple(others)
    if not wanted:
        return lambda text: any(test(text) for test in tests)
    return lambda text: not wanted.isdisjoint(text.tokens) or any(test(text) for test in tests)
