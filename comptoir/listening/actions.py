"""Writes on listening rules: each checks its query and records an event."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.channels.models import ChannelKind
from comptoir.listening.models import ListeningRule
from comptoir.listening.query import QueryError, check_query
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat, Workspace

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def _clean(
    rule: ListeningRule, query: str, languages: Sequence[str], channel_kinds: Sequence[str]
) -> None:
    try:
        rule.query = check_query(query)
    except QueryError as exc:
        raise ValidationError({"query": str(exc)}) from None
    # Any detected language may be listened to, not only those of the interface.
    wrong = [lang for lang in languages if not _LANGUAGE_CODE.fullmatch(lang)]
    if wrong:
        raise ValidationError(
            {
                "languages": _("“%(code)s” is not a language code such as fr or en.")
                % {"code": wrong[0]}
            }
        )
    unknown = sorted(set(channel_kinds) - set(ChannelKind.values))
    if unknown:
        raise ValidationError(
            {"channel_kinds": _("“%(kind)s” is not a kind of channel.") % {"kind": unknown[0]}}
        )
    rule.languages = sorted(set(languages))
    rule.channel_kinds = sorted(set(channel_kinds))
    rule.full_clean()


def _payload(rule: ListeningRule) -> dict[str, object]:
    return {
        "name": rule.name,
        "query": rule.query,
        "languages": rule.languages,
        "channel_kinds": rule.channel_kinds,
        "is_active": rule.is_active,
    }


@transaction.atomic
def do_create_rule(
    workspace: Workspace,
    *,
    name: str,
    query: str,
    languages: Sequence[str] = (),
    channel_kinds: Sequence[str] = (),
    is_active: bool = True,
    actor: Seat | None = None,
) -> ListeningRule:
    """A new rule; it catches posts received from now on. Raises ValidationError."""
    rule = ListeningRule(workspace=workspace, name=name.strip(), is_active=is_active)
    _clean(rule, query, languages, channel_kinds)
    rule.save()
    record_event(
        workspace,
        "listening.rule_created",
        "listening_rule",
        rule.pk,
        actor=actor,
        payload=_payload(rule),
    )
    return rule


@transaction.atomic
def do_update_rule(
    rule: ListeningRule,
    *,
    name: str | None = None,
    query: str | None = None,
    languages: Sequence[str] | None = None,
    channel_kinds: Sequence[str] | None = None,
    is_active: bool | None = None,
    actor: Seat | None = None,
) -> ListeningRule:
    """Change what is given; mentions already stored stay. Raises ValidationError."""
    before = _payload(rule)
    if name is not None:
        rule.name = name.strip()
    if is_active is not None:
        rule.is_active = is_active
    _clean(
        rule,
        rule.query if query is None else query,
        rule.languages if languages is None else languages,
        rule.channel_kinds if channel_kinds is None else channel_kinds,
    )
    after = _payload(rule)
    changed = {
        key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]
    }
    if changed:
        rule.save()
        record_event(
            rule.workspace_id,
            "listening.rule_updated",
            "listening_rule",
            rule.pk,
            actor=actor,
            payload=changed,
        )
    return rule


@transaction.atomic
def do_delete_rule(rule: ListeningRule, *, actor: Seat | None = None) -> None:
    """Delete a rule and the mentions it caught (the posts themselves stay)."""
    pk = rule.pk
    record_event(
        rule.workspace_id,
        "listening.rule_deleted",
        "listening_rule",
        pk,
        actor=actor,
        payload={"name": rule.name, "query": rule.query, "mentions": rule.mentions.count()},
    )
    rule.delete()
