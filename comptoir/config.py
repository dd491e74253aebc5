"""Typed readers for the environment, shared by settings and the CLI.

Every setting comes from the environment with a safe default; a value that cannot be
understood raises ``ImproperlyConfigured`` with one sentence that names the variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """Read NAME, or the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {path}, unreadable: {exc}") from exc
    return os.environ.get(name)


def data_dir() -> Path:
    path = Path(env_str("COMPTOIR_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def generated_secret(directory: Path, name: str, make: Callable[[], str]) -> str:
    """NAME from the environment, else a value generated once into the data dir and kept."""
    explicit = env_secret(name)
    if explicit:
        return explicit
    key_file = directory / name.lower()
    if not key_file.exists():
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def redact_url(url: str) -> str:
    """The URL with its password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def database(url: str | None, directory: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] from a URL; SQLite in WAL mode by default."""
    if not url:
        return sqlite_database(directory / "comptoir.sqlite3")
    import dj_database_url

    scheme = urlsplit(url).scheme
    if scheme in {"sqlite", ""}:
        path = url.split("://", 1)[-1].lstrip("/") if "://" in url else url
        return sqlite_database(Path("/" + path) if url.startswith("sqlite:////") else Path(path))
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} is not understood: "
            "use postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL {redact_url(url)!r}: {exc}") from exc
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL {redact_url(url)!r} names no database.")
    config["ENGINE"] = "django.db.backends.postgresql"
    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config


def sqlite_database(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            # WAL lets readers work while one writer commits; NORMAL sync is safe with WAL;
            # a 64 MiB page cache and memory-mapped reads keep growing indexes in memory.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
            ),
        },
    }
