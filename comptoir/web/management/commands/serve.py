"""``comptoir serve``: the web UI and API on a production WSGI server (waitress)."""

from __future__ import annotations

import gc
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve the web UI and the API (waitress, static files by whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="request threads")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from comptoir.wsgi import application

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(pending)} migration(s) not applied: run `comptoir migrate` first."
                )
            )
        # Everything loaded so far lives as long as the process: keep the garbage collector
        # from walking it again on every collection (fewer slow requests).
        gc.collect()
        gc.freeze()
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"Comptoir is listening on {url} (Ctrl-C stops)."))
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="comptoir",
        )
