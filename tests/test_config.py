"""Settings from the environment, and one clear line when the database is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from comptoir import config

COMPTOIR = str(Path(sys.executable).with_name("comptoir"))


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS"))}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own console script with fixed arguments
        [COMPTOIR, *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_env_bool_reads_words_and_rejects_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert config.env_bool("X_FLAG", default=False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert config.env_bool("X_FLAG", default=True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be true or false"):
        config.env_bool("X_FLAG", default=False)


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert config.env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_secret_from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    assert config.env_secret("X_SECRET") == "from-a-file"


def test_generated_secret_is_made_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("X_KEY", raising=False)
    first = config.generated_secret(tmp_path, "X_KEY", config.new_secret_key)
    second = config.generated_secret(tmp_path, "X_KEY", config.new_secret_key)
    assert first == second
    assert (tmp_path / "x_key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_wal_mode(tmp_path: Path) -> None:
    db = config.database(None, tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "comptoir.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_url_is_parsed(tmp_path: Path) -> None:
    db = config.database("postgres://app:pw@db.internal:5433/crm", tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == ("crm", "app", "db.internal", 5433)


def test_unknown_scheme_is_refused_without_leaking_the_password(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        config.database("mysql://root:hunter2@db/crm", tmp_path)
    assert "hunter2" not in str(caught.value)
    assert "mysql://root:***@db/crm" in str(caught.value)


def test_bad_database_url_gives_one_clear_line(tmp_path: Path) -> None:
    result = run_cli(
        "check",
        env={"DATABASE_URL": "mysql://root:hunter2@db/crm", "COMPTOIR_DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("comptoir: configuration error: DATABASE_URL")
    assert "hunter2" not in result.stderr


def test_unreachable_database_gives_one_clear_line(tmp_path: Path) -> None:
    result = run_cli(
        "migrate",
        env={
            "DATABASE_URL": "postgres://postgres:pw@127.0.0.1:1/nowhere",
            "COMPTOIR_DATA_DIR": str(tmp_path),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "comptoir: database error: cannot use the database at "
        "postgres://postgres:***@127.0.0.1:1/nowhere"
    )
