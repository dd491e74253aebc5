"""The ``comptoir`` command: every manage.py command, with one-line errors for bad config."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError, InterfaceError

    args = ["comptoir", *(sys.argv[1:] if argv is None else argv)]
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        print(f"comptoir: configuration error: {exc}", file=sys.stderr)
        return 2
    except (DatabaseError, InterfaceError) as exc:
        print(f"comptoir: database error: {_database_hint(exc)}", file=sys.stderr)
        return 3
    return 0


def _database_hint(exc: Exception) -> str:
    from django.conf import settings

    from comptoir.config import redact_url

    where = redact_url(settings.DATABASE_URL) if settings.DATABASE_URL else "the SQLite file"
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot use the database at {where}: {reason}"


if __name__ == "__main__":
    raise SystemExit(main())
