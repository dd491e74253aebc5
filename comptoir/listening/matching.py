"""Matching in the pipeline: every active rule of a workspace against a batch of posts.

Batch-first: one query reads the rules, each text is read once, and a rule is only asked
about texts that hold one of its triggers. Only new messages come here, so a re-delivered
post never adds a mention; the unique (rule, message) stays the guarantee.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from comptoir.channels.models import Channel
from comptoir.inbox.models import Direction, Message, Visibility
from comptoir.listening.models import ListeningRule, Mention
from comptoir.listening.query import Matcher, QueryError, Text, TextTest, compile_query, read
from comptoir.workspaces.models import Workspace


@dataclass(frozen=True, slots=True)
class CompiledRule:
    pk: int
    matcher: Matcher
    languages: frozenset[str]
    channel_kinds: frozenset[str]

    def accepts(self, language: str, channel_kind: str) -> bool:
        return (not self.languages or language in self.languages) and (
            not self.channel_kinds or channel_kind in self.channel_kinds
        )


class RuleSet:
    """Rules indexed by their triggers, so that a text meets only the rules it may match.

    The index is cut once per (language, channel kind): the rules a filter leaves out are
    not even looked at, and a batch (one channel, a few languages) reuses its few cuts.
    """

    def __init__(self, rules: Iterable[CompiledRule]) -> None:
        self.rules = list(rules)
        self._cuts: dict[tuple[str, str], _Cut] = {}

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, text: Text, language: str = "", channel_kind: str = "") -> list[int]:
        """The ids of the rules that match ``text``, each once, in no particular order."""
        cut = self._cuts.get((language, channel_kind))
        if cut is None:
            cut = self._cuts[language, channel_kind] = _Cut(
                [r for r in self.rules if r.accepts(language, channel_kind)]
            )
        hits = text.tokens & cut.triggers
        if len(hits) == 1 and not cut.always:  # the common case: no set to build
            return [pk for pk, test in cut.by_trigger[next(iter(hits))] if test(text)]
        candidates = {entry for token in hits for entry in cut.by_trigger[token]}
        candidates.update(cut.always)
        return [pk for pk, test in candidates if test(text)]


class _Cut:
    """The rules that one (language, channel kind) lets through, by trigger."""

    def __init__(self, rules: list[CompiledRule]) -> None:
        by_trigger: dict[str, list[tuple[int, TextTest]]] = defaultdict(list)
        always: list[tuple[int, TextTest]] = []
        for rule in rules:
            entry = (rule.pk, rule.matcher.test)
            if rule.matcher.triggers is None:
                always.append(entry)
            else:
                for trigger in rule.matcher.triggers:
                    by_trigger[trigger].append(entry)
        self.by_trigger = {token: tuple(entries) for token, entries in by_trigger.items()}
        self.always = tuple(always)
        self.triggers = frozenset(by_trigger)


def compile_rules(rules: Iterable[ListeningRule]) -> RuleSet:
    compiled = []
    for rule in rules:
        try:
            matcher = compile_query(rule.query)
        except QueryError:
            continue  # saved before a change of the language; the form shows it to fix
        compiled.append(
            CompiledRule(rule.pk, matcher, frozenset(rule.languages), frozenset(rule.channel_kinds))
        )
    return RuleSet(compiled)


def active_rules(workspace: Workspace) -> RuleSet:
    rows = ListeningRule.objects.filter(workspace=workspace, is_active=True).only(
        "pk", "query", "languages", "channel_kinds"
    )
    return compile_rules(rows)


def is_listened(message: Message) -> bool:
    # What others say in public; the brand's own posts and notes are not mentions.
    return (
        message.visibility == Visibility.PUBLIC
        and message.direction == Direction.INBOUND
        and bool(message.text)
    )


def mentions_in(
    workspace: Workspace, channel: Channel, messages: Sequence[Message]
) -> list[Mention]:
    """The mentions of every (active rule, public post) that match, unsaved; the messages
    must have their ids. One query whatever the batch; the pipeline writes them in bulk in
    the transaction that stores the messages, so a post and its mentions land together."""
    posts = [m for m in messages if is_listened(m)]
    if not posts:
        return []
    rules = active_rules(workspace)
    if not rules:
        return []
    return [
        Mention(
            workspace_id=workspace.pk,
            rule_id=rule_id,
            message_id=post.pk,
            channel_id=channel.pk,
            language=post.language,
            sent_at=post.sent_at,
        )
        for post in posts
        for rule_id in rules.match(read(post.text), post.language, channel.kind)
    ]
