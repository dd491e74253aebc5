"""Crash safety: an import killed with SIGKILL mid-way, then run again, leaves exactly the
state of an import that was never interrupted: every batch whole or absent, nothing twice.

The imports run as real ``comptoir import`` processes on a database of their own (a SQLite
file in a temporary data dir; also a scratch PostgreSQL database when the suite runs on
PostgreSQL), never on the test database, whose transaction they could not see.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPTOIR = str(Path(sys.executable).with_name("comptoir"))
EVENTS = 20_000
BATCH = 500
DEADLINE = 120.0  # seconds to wait for the first batch: generous, it takes about one

SETUP = """
from comptoir.channels.actions import do_create_channel
from comptoir.workspaces.models import Workspace
workspace = Workspace.objects.create(name="Crash test", slug="crash-test")
do_create_channel(workspace, kind="webhook", name="Import", settings={})
"""
SNAPSHOT = """
import json
from comptoir.workspaces.models import Workspace
from tests.ingest.conftest import inbox_state
print(json.dumps(inbox_state(Workspace.objects.get(slug="crash-test")), default=str))
"""
PHRASES = [
    "Bonjour, ma commande {n} n'est toujours pas arrivée.",
    "Hello, where is my order {n}? It has been a week.",
    "Merci pour la réponse rapide, tout est réglé pour la commande {n} !",
    "The lamp from order {n} flickers when dimmed, is that normal?",
    "Est-ce que l'abat-jour de la commande {n} existe en vert sauge ?",
]


@dataclass
class Database:
    """A database of its own for the import processes, and a cheap way to count rows."""

    env: dict[str, str]
    count_messages: Callable[[], int]


def _base_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "COMPTOIR_TEST_DATABASE_URL"}
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    env |= {
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
        "COMPTOIR_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    return env


@contextmanager
def sqlite_database(data_dir: Path) -> Iterator[Database]:
    def count() -> int:
        path = data_dir / "comptoir.sqlite3"
        with closing(sqlite3.connect(path, timeout=10)) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM inbox_message").fetchone()[0])

    yield Database(_base_env(data_dir), count)


@contextmanager
def postgres_database(data_dir: Path, server_url: str) -> Iterator[Database]:
    import psycopg

    name = f"comptoir_crash_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:

        def count() -> int:
            with psycopg.connect(url) as connection:
                row = connection.execute("SELECT COUNT(*) FROM inbox_message").fetchone()
                return int(row[0]) if row else 0

        yield Database({**_base_env(data_dir), "DATABASE_URL": url}, count)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ["sqlite"]
if os.environ.get("COMPTOIR_TEST_DATABASE_URL"):
    BACKENDS.append("postgresql")


@contextmanager
def fresh_database(backend: str, data_dir: Path) -> Iterator[Database]:
    if backend == "sqlite":
        manager = sqlite_database(data_dir)
    else:
        manager = postgres_database(data_dir, os.environ["COMPTOIR_TEST_DATABASE_URL"])
    with manager as database:
        comptoir(database, "migrate", "--no-input")
        comptoir(database, "shell", "--no-imports", "-c", SETUP)
        yield database


def _processes_using(data_dir: str) -> list[int]:
    """Processes whose environment names this data directory (the import's children)."""
    found = []
    marker = f"COMPTOIR_DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def comptoir(database: Database, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command, with arguments we wrote
        [COMPTOIR, *args],
        env=database.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def import_args(source: Path) -> list[str]:
    return [
        COMPTOIR,
        "import",
        str(source),
        "--channel",
        "Import",
        "--format",
        "jsonl",
        "--batch-size",
        str(BATCH),
        "--quiet",
    ]


def write_events(path: Path) -> None:
    """Realistic traffic: repeat authors on three networks, threads, the brand's answers."""
    rng = random.Random(20261122)  # noqa: S311 - reproducible test data, not secrets
    roots: list[str] = []
    with path.open("w", encoding="utf-8") as handle:
        for n in range(EVENTS):
            minute = n // 4
            event: dict[str, Any] = {
                "external_id": f"evt-{n}",
                "created_at": f"2026-11-{1 + minute // 1440:02d}T{minute // 60 % 24:02d}:"
                f"{minute % 60:02d}:{n % 4 * 15:02d}+01:00",
                "text": rng.choice(PHRASES).format(n=n),
            }
            if roots and rng.random() < 0.4:
                root = rng.choice(roots[-200:])
                event |= {"thread_id": root, "in_reply_to": root, "kind": "reply"}
            else:
                roots.append(event["external_id"])
                event["thread_id"] = event["external_id"]
            if "in_reply_to" in event and rng.random() < 0.25:
                event["direction"] = "outbound"
            else:
                who = rng.randrange(3000)
                kind = ("x", "email", "mastodon")[who % 3]
                event["author"] = {
                    "kind": kind,
                    "external_id": f"{kind}-{who}" if kind != "email" else f"user{who}@example.fr",
                    "display_name": f"Client {who}",
                }
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_import_killed_mid_way_then_rerun_equals_an_uninterrupted_one(
    tmp_path: Path, backend: str
) -> None:
    source = tmp_path / "events.jsonl"
    write_events(source)

    with fresh_database(backend, tmp_path / "interrupted") as interrupted:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our own command
            import_args(source),
            env=interrupted.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stored = 0
        while stored == 0:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() - started < DEADLINE, "no batch was stored in time"
            stored = interrupted.count_messages()
            time.sleep(0.005)  # a polling interval, not a wait for something to happen
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL

        # The helper process that reads batches ahead goes away with the import.
        deadline = time.monotonic() + 10
        while _processes_using(interrupted.env["COMPTOIR_DATA_DIR"]):
            assert time.monotonic() < deadline, "a helper process outlived the import"
            time.sleep(0.1)

        at_kill = interrupted.count_messages()
        assert 0 < at_kill < EVENTS, "the import finished before it could be killed"
        assert at_kill % BATCH == 0, f"a batch was half-written: {at_kill} messages"

        rerun = comptoir(interrupted, *import_args(source)[1:])
        assert _reported(rerun, "stored") == EVENTS - at_kill
        assert _reported(rerun, "duplicates") == at_kill
        after_rerun = json.loads(comptoir(interrupted, "shell", "--no-imports", "-c", SNAPSHOT))

    with fresh_database(backend, tmp_path / "reference") as reference:
        comptoir(reference, *import_args(source)[1:])
        expected = json.loads(comptoir(reference, "shell", "--no-imports", "-c", SNAPSHOT))

    assert len(expected["messages"]) == EVENTS
    assert expected["rejected"] == []
    external_ids = [row[1] for row in after_rerun["messages"]]
    assert len(external_ids) == len(set(external_ids)) == EVENTS
    for key in expected:
        assert after_rerun[key] == expected[key], key
    # Every conversation counts exactly the messages it holds.
    held: dict[str, int] = {}
    for row in after_rerun["messages"]:
        held[row[5]] = held.get(row[5], 0) + 1
    assert {row[1]: row[3] for row in after_rerun["conversations"]} == held


def _reported(output: str, label: str) -> int:
    for line in output.splitlines():
        if line.strip().startswith(label + " "):
            return int(line.split()[-1].replace(",", ""))
    raise AssertionError(f"no {label!r} in:\n{output}")
