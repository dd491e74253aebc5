"""``comptoir ingest``: run ingestion work in the foreground.

``--replay-rejected`` retries every pending rejected event (of a workspace, of a channel),
after a fix: what now validates is stored, the rest stays pending with its new reason.
Each mode is one option of the mutually exclusive group below, with its own method.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.channels.models import Channel
from comptoir.ingest.actions import do_replay_pending
from comptoir.ingest.queries import channel_named, workspace_with_slug
from comptoir.workspaces.models import Workspace

SHOWN_FAILURES = 20


class Command(BaseCommand):
    help = "Run ingestion by hand: replay the rejected events."

    def add_arguments(self, parser: CommandParser) -> None:
        modes = parser.add_mutually_exclusive_group(required=True)
        modes.add_argument(
            "--replay-rejected",
            action="store_true",
            help="Retry every pending rejected event; those that fail again stay pending.",
        )
        # Polling's "--once" (one poll of --channel in the foreground) is the next mode here,
        # with its own method beside replay_rejected.
        parser.add_argument("--workspace", default="", metavar="SLUG")
        parser.add_argument("--channel", default="", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace, channel = _scope(options["workspace"], options["channel"])
        if options["replay_rejected"]:
            self.replay_rejected(workspace, channel)

    def replay_rejected(self, workspace: Workspace | None, channel: Channel | None) -> None:
        summary = do_replay_pending(workspace=workspace, channel=channel)
        total = len(summary.replayed) + len(summary.failed) + len(summary.skipped)
        if not total:
            self.stdout.write("No pending rejected event to replay.")
            return
        report = summary.report
        self.stdout.write(
            f"Replayed {total:,} rejected events: {len(summary.replayed):,} ingested "
            f"({report.stored:,} stored, {report.duplicates:,} already there), "
            f"{len(summary.skipped):,} skipped, {len(summary.failed):,} still failing."
        )
        for row in summary.skipped:
            self.stdout.write(f"  skipped #{row.pk} {row.location}: {row.reason}")
        if summary.failed:
            self.stdout.write("Still failing (kept pending, with the new reason):")
            for row in summary.failed[:SHOWN_FAILURES]:
                self.stdout.write(f"  #{row.pk} {row.location}: {' '.join(row.reason.split())}")
            more = len(summary.failed) - SHOWN_FAILURES
            if more > 0:
                self.stdout.write(f"  … and {more:,} more")


def _scope(slug: str, name: str) -> tuple[Workspace | None, Channel | None]:
    try:
        workspace = workspace_with_slug(slug) if slug else None
        channel = channel_named(name, slug) if name else None
    except LookupError as exc:  # ChannelLookupError included
        raise CommandError(str(exc)) from None
    return workspace, channel
