"""``comptoir worker``: the Huey consumer that runs background and periodic tasks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker (Huey consumer: SQLite queue, or Redis when REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=None, help="worker threads")
        parser.add_argument(
            "--check",
            action="store_true",
            help="print when a worker last ran, and exit non-zero if none ran lately",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from comptoir.workspaces.tasks import worker_last_seen, worker_seems_alive

        if options["check"]:
            seen = worker_last_seen()
            if seen is None:
                self.stdout.write("No worker has run on this queue yet.")
            else:
                self.stdout.write(f"A worker last ran at {seen.isoformat()}.")
            if not worker_seems_alive():
                raise SystemExit(1)
            return
        queue = "Redis" if settings.REDIS_URL else "SQLite"
        self.stdout.write(f"Comptoir worker on the {queue} queue (Ctrl-C stops).")
        extra = ["--workers", str(options["workers"])] if options["workers"] else []
        call_command("run_huey", *extra)
