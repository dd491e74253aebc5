"""``comptoir reanalyze``: read stored messages again with the default analyzer.

    comptoir reanalyze
    comptoir reanalyze --workspace acme --batch-size 2000

Walks the messages by primary key ranges, reads each batch in one analyzer call and writes
the readings back in one bulk update per batch (its own transaction), with a progress bar
on stderr; then recomputes every conversation's rolled-up sentiment and urgency in bulk.
See ``comptoir.ingest.reanalysis`` for the rules.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from comptoir.inbox.models import Conversation, Message
from comptoir.ingest.reanalysis import batches, reanalyze, roll_up
from comptoir.workspaces.models import Workspace

BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Re-run the analyzer over stored messages, then recompute conversation roll-ups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", help="Only this workspace.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Messages read per batch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1")
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"no workspace {options['workspace']!r}")
        ids = list(workspaces.values_list("pk", flat=True))
        messages = Message.objects.filter(workspace_id__in=ids)
        read = 0
        with tqdm(
            total=messages.count(), unit="msg", file=sys.stderr, desc="messages", leave=False
        ) as bar:
            for batch in batches(messages, size):
                reanalyze(batch)
                read += len(batch)
                bar.update(len(batch))
        rolled = roll_up(Conversation.objects.filter(workspace_id__in=ids), size * 10)
        self.stdout.write(
            f"Re-read {read} messages in {len(ids)} workspace(s); "
            f"rolled up {rolled} conversation(s)."
        )
