"""``comptoir channels status``: every channel's health, for a terminal or a cron job.

It exits non-zero when any channel is failing or silent, so that a monitoring check can
run it as is. The health query sits with listening (it counts the inbox's messages); a
command is an entry point, above every app, so it may reach it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from comptoir.listening.health import ChannelHealth, channel_health
from comptoir.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Show the health of the channels."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        status = actions.add_parser(
            "status", help="Each channel's last receive, last error and flags."
        )
        status.add_argument("--workspace", metavar="SLUG", help="Only this workspace.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.status(options["workspace"])

    def status(self, slug: str | None) -> None:
        workspace = None
        if slug:
            workspace = Workspace.objects.filter(slug=slug).first()
            if workspace is None:
                raise CommandError(f"no workspace has the slug {slug!r}")
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
