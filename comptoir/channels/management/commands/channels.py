"""``comptoir channels``: add a channel, test its connection, and show every channel's health.

``status`` exits non-zero when any channel is failing or silent, so that a monitoring check
can run it as is. ``add --secret KEY`` without a value asks for it without echo, so that a
secret need not sit in the shell's history. The health query sits with listening (it
counts the inbox's messages); a command is an entry point, above every app, so it may
reach it.
"""

from __future__ import annotations

from datetime import datetime
from getpass import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from comptoir.channels.actions import do_create_channel
from comptoir.channels.config import SETTINGS_MODEL
from comptoir.channels.connection import check_connection
from comptoir.channels.models import Channel, ChannelKind
from comptoir.listening.health import ChannelHealth, channel_health, webhook_path
from comptoir.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Add a channel, test its connection, or show the health of the channels."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        status = actions.add_parser(
            "status", help="Each channel's last receive, last error and flags."
        )
        status.add_argument("--workspace", metavar="SLUG", help="Only this workspace.")
        add = actions.add_parser("add", help="Add a channel to a workspace.")
        add.add_argument("--workspace", metavar="SLUG", required=True)
        add.add_argument("--kind", required=True, choices=ChannelKind.values)
        add.add_argument("--name", required=True)
        add.add_argument(
            "--set",
            metavar="KEY=VALUE",
            action="append",
            default=[],
            dest="settings",
            help="A setting; a list setting takes comma-separated values.",
        )
        add.add_argument(
            "--secret",
            metavar="KEY[=VALUE]",
            action="append",
            default=[],
            dest="secrets",
            help="A secret; without a value it is asked for without echo.",
        )
        test = actions.add_parser("test", help="Poll a channel once, keeping nothing.")
        test.add_argument("name", metavar="NAME")
        test.add_argument("--workspace", metavar="SLUG", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self.add(options)
        elif options["action"] == "test":
            self.test(options["workspace"], options["name"])
        else:
            self.status(options["workspace"])

    def add(self, options: dict[str, Any]) -> None:
        workspace = _workspace(options["workspace"])
        kind = options["kind"]
        name = options["name"]
        if Channel.objects.filter(workspace=workspace, name=name).exists():
            raise CommandError(f"the workspace {workspace.slug!r} has a channel named {name!r}")
        settings = _settings(kind, options["settings"])
        secrets: dict[str, str] = {}
        for item in options["secrets"]:
            key, has_value, value = item.partition("=")
            secrets[key.strip()] = value if has_value else getpass(f"{key.strip()}: ")
        try:
            channel = do_create_channel(
                workspace, kind=kind, name=name, settings=settings, secrets=secrets
            )
        except ValidationError as exc:
            raise CommandError(" ".join(" ".join(exc.messages).split())) from None
        self.stdout.write(f"Added the {kind} channel {name!r} (id {channel.pk}).")
        path = webhook_path(channel)
        if path:
            self.stdout.write(f"Webhook path to give the platform, after your host: {path}")

    def test(self, slug: str, name: str) -> None:
        workspace = _workspace(slug)
        channel = Channel.objects.filter(workspace=workspace, name=name).first()
        if channel is None:
            raise CommandError(f"the workspace {slug!r} has no channel named {name!r}")
        check = check_connection(channel)
        if check.ok:
            self.stdout.write(f"Connected: {check.waiting} new item(s) waiting.")
            return
        path = webhook_path(channel)
        if not check.polls and path:
            self.stdout.write(
                f"This channel does not poll: {channel.get_kind_display()} must send "
                f"its events to {path} on this server."
            )
            return
        raise CommandError(f"connection failed: {check.error or 'nothing to test'}")

    def status(self, slug: str | None) -> None:
        workspace = _workspace(slug) if slug else None
        health = channel_health(workspace)
        if not health:
            self.stdout.write("No channels.")
            return
        rows = [("WORKSPACE", "CHANNEL", "KIND", "HEALTH", "LAST RECEIVED", "24H", "LAST ERROR")]
        rows += [_row(h) for h in health]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
        unhealthy = [h for h in health if not h.healthy]
        if unhealthy:
            names = ", ".join(h.channel.name for h in unhealthy)
            raise CommandError(f"{len(unhealthy)} channel(s) failing or silent: {names}")


def _workspace(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise CommandError(f"no workspace has the slug {slug!r}")
    return workspace


def _settings(kind: str, items: list[str]) -> dict[str, Any]:
    fields = SETTINGS_MODEL[kind].model_fields
    settings: dict[str, Any] = {}
    for item in items:
        key, has_value, value = item.partition("=")
        key = key.strip()
        if not has_value:
            raise CommandError(f"--set {item!r}: write KEY=VALUE")
        if key not in fields:
            known = ", ".join(fields) or "none"
            raise CommandError(f"{kind} channels have no setting {key!r} (settings: {known})")
        annotation = fields[key].annotation
        if getattr(annotation, "__origin__", None) is list:
            settings[key] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            settings[key] = value
    return settings


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else "never"


def _row(health: ChannelHealth) -> tuple[str, str, str, str, str, str, str]:
    channel = health.channel
    flags = [flag for flag, on in (("failing", health.failing), ("silent", health.silent)) if on]
    error = " ".join(channel.last_error.split())[:60]
    if error and channel.consecutive_failures:
        error = f"{error} (x{channel.consecutive_failures})"
    return (
        channel.workspace.slug,
        channel.name,
        channel.kind,
        ",".join(flags) or "ok",
        _when(channel.last_received_at),
        str(health.events_24h),
        error or "-",
    )
