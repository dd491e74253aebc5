"""``comptoir token create|list|revoke``: API tokens from the command line.

A token's secret is printed once, when it is created; only its digest is stored, so
``list`` can show the prefix, never the token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from comptoir.api.actions import TOKEN_PREFIX, do_create_token, do_revoke_token
from comptoir.api.models import ApiToken
from comptoir.api.queries import token_by_prefix, tokens_of
from comptoir.workspaces.models import Seat, Workspace


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Issue a token for a user's seat.")
        create.add_argument("--workspace", required=True, metavar="SLUG")
        create.add_argument("--user", required=True, metavar="EMAIL")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = actions.add_parser("list", help="The tokens of a workspace (never secrets).")
        listing.add_argument("--workspace", required=True, metavar="SLUG")
        revoke = actions.add_parser("revoke", help="Revoke a token: it stops working at once.")
        revoke.add_argument("prefix", metavar="PREFIX", help="As `list` shows it: cpt_<prefix>.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self.create_token(options["workspace"], options["user"], options["name"])
        elif options["action"] == "list":
            self.list_token(options["workspace"])
        else:
            self.revoke_token(options["prefix"])

    def create_token(self, slug: str, email: str, name: str) -> None:
        seat = _seat(_workspace(slug), email)
        issued = do_create_token(seat, name=name)
        self.stdout.write(issued.secret)
        self.stdout.write(
            "Shown only this once. Send it as a header: "
            "curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8000/api/v1/me"
        )

    def list_token(self, slug: str) -> None:
        workspace = _workspace(slug)
        tokens = list(tokens_of(workspace))
        if not tokens:
            self.stdout.write(f"No API tokens in {slug}.")
            return
        rows = [("PREFIX", "NAME", "SEAT", "CREATED", "LAST USED", "REVOKED")]
        rows += [_row(token) for token in tokens]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )

    def revoke_token(self, prefix: str) -> None:
        token = token_by_prefix(prefix)
        if token is None:
            raise CommandError(f"no API token has the prefix {prefix!r}; see `token list`")
        label = f"{TOKEN_PREFIX}_{token.prefix}"
        if token.revoked_at is not None:
            self.stdout.write(f"{label} was already revoked on {_when(token.revoked_at)}.")
            return
        do_revoke_token(token)
        self.stdout.write(f"Revoked {label} ({token.seat.display_name}).")


def _workspace(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise CommandError(f"no workspace has the slug {slug!r}")
    return workspace


def _seat(workspace: Workspace, email: str) -> Seat:
    users = list(
        get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))[:2]
    )
    if not users:
        raise CommandError(f"no user has the email {email!r}")
    if len(users) > 1:
        raise CommandError(f"several users match {email!r}; give the exact username")
    seat = Seat.objects.filter(workspace=workspace, user=users[0]).first()
    if seat is None:
        raise CommandError(f"{email} has no seat in the workspace {workspace.slug!r}")
    if not seat.is_active:
        raise CommandError(f"{email}'s seat in the workspace {workspace.slug!r} is inactive")
    return seat


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else "-"


def _row(token: ApiToken) -> tuple[str, str, str, str, str, str]:
    user = token.seat.user
    return (
        f"{TOKEN_PREFIX}_{token.prefix}",
        token.name or "-",
        f"{token.seat.display_name} <{user.email or user.get_username()}>",
        _when(token.created_at),
        _when(token.last_used_at) if token.last_used_at else "never",
        _when(token.revoked_at),
    )
