"""``comptoir ingest``: run ingestion work in the foreground.

``--once --channel NAME`` polls one channel now (what the worker does every minute) and
prints the report. ``--replay-rejected`` retries every pending rejected event (of a
workspace, of a channel), after a fix: what now validates is stored, the rest stays pending
with its new reason.
Each mode is one option of the mutually exclusive group below, with its own method.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.channels.models import Channel
from comptoir.ingest.actions import do_replay_pending
from comptoir.ingest.polling import poll_channel
from comptoir.ingest.queries import channel_named, workspace_with_slug
from comptoir.workspaces.models import Workspace

SHOWN_FAILURES = 20


class Command(BaseCommand):
    help = "Run ingestion by hand: poll a channel once, or replay the rejected events."

    def add_arguments(self, parser: CommandParser) -> None:
        modes = parser.add_mutually_exclusive_group(required=True)
        modes.add_argument(
            "--replay-rejected",
            action="store_true",
            help="Retry every pending rejected event; those that fail again stay pending.",
        )
        modes.add_argument(
            "--once",
            action="store_true",
            help="Poll --channel once in the foreground and print what was ingested.",
        )
        parser.add_argument("--workspace", default="", metavar="SLUG")
        parser.add_argument("--channel", default="", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace, channel = _scope(options["workspace"], options["channel"])
        if options["replay_rejected"]:
            self.replay_rejected(workspace, channel)
        elif options["once"]:
            if channel is None:
                raise CommandError("--once needs --channel NAME (and --workspace SLUG if shared)")
            self.poll_once(channel)

    def poll_once(self, channel: Channel) -> None:
        outcome = poll_channel(channel)
        if outcome.error:
            raise CommandError(f"polling {channel.name} failed: {outcome.error}")
        report = outcome.report
        assert report is not None  # noqa: S101 - a poll without error always has a report
        self.stdout.write(
            f"Polled {channel.name}: {report.received:,} received, {report.stored:,} stored, "
            f"{report.duplicates:,} duplicates, {len(report.rejected):,} rejected, "
            f"{outcome.ignored:,} automatic replies or bounces ignored, "
            f"{report.new_people:,} new people, {report.new_conversations:,} new conversations."
        )
        for rejection in report.rejected[:SHOWN_FAILURES]:
            self.stdout.write(f"  rejected {rejection.location}: {rejection.reason}")

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
