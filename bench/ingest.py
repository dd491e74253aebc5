"""Ingestion throughput: N realistic events through the same ``ingest`` function.

    .venv/bin/python bench/ingest.py --events 100000 --db sqlite
    .venv/bin/python bench/ingest.py --events 100000 --db postgres   # needs PostgreSQL

The events come from five channels (email, X, Facebook, Instagram, Mastodon), in French
and English, from a pool of repeat authors (a few write a lot), with replies to earlier
messages, shared threads and 2% re-delivered duplicates. The database is fresh for each
run: a temporary SQLite file, or a ``comptoir_bench`` PostgreSQL database dropped and
created again (``--pg-url`` names the server). Each channel's events go through one
``ingest`` call, as a file import or a polled backlog would: the pipeline batches them and,
from the second batch on, reads the next batch in its helper process on the other core while
it stores the current one. Prints messages per second end to end, the CPU time of this
process and of the reading helper (which tells which of the two the wall time waits on),
on PostgreSQL that of the server's backend for this connection (when the server runs on this
machine), and the peak memory (maximum resident set size) of both processes.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FR = [
    "Bonjour, ma commande {order} n'est toujours pas arrivée, pouvez-vous vérifier ?",
    "J'ai perdu mon parapluie dans votre boutique de {city} hier, l'avez-vous retrouvé ?",
    "Super accueil à {city}, merci à toute l'équipe !",
    "Je souhaite un remboursement pour la lampe cassée reçue ce matin ({order}).",
    "Si rien ne bouge d'ici vendredi je résilie mon abonnement.",
    "Vous avez ce modèle en laiton ? Je voudrais en commander trois.",
    "@maisonlumiere toujours aucune réponse à mon mail, c'est long…",
]
EN = [
    "Hi, my order {order} still hasn't arrived, could you check please?",
    "Love the new collection, the store in {city} looks amazing!",
    "I'd like a refund for the broken lamp I received today ({order}).",
    "Is this model available in brass? I want to order three.",
    "If nothing changes by Friday I'm cancelling my subscription.",
    "Still no answer to my email, this is taking forever...",
]
CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Bordeaux", "London", "Brussels"]
CHANNELS = [
    ("email", "Service client", {"address": "service@bench.example.com"}),
    ("x", "X", {"handle": "benchbrand"}),
    ("facebook", "Facebook", {"page_id": "1001"}),
    ("instagram", "Instagram", {"page_id": "1002"}),
    ("mastodon", "Mastodon", {"instance_url": "https://piaille.fr", "account": "bench"}),
]
KIND = {
    "email": "email",
    "x": "post",
    "facebook": "comment",
    "instagram": "comment",
    "mastodon": "post",
}


def events(total: int, seed: int = 7) -> Iterator[tuple[str, dict[str, Any]]]:
    """(channel kind, InboundEvent payload) pairs, in time order."""
    rng = random.Random(seed)
    authors = max(50, total // 8)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    sent: dict[str, list[tuple[str, dict[str, Any]]]] = {kind: [] for kind, _, _ in CHANNELS}
    for n in range(total):
        kind = rng.choices([c[0] for c in CHANNELS], weights=[30, 25, 20, 15, 10])[0]
        history = sent[kind]
        if history and rng.random() < 0.02:
            yield kind, dict(history[rng.randrange(len(history))][1])
            continue
        author = (
            min(int(rng.paretovariate(1.2)) - 1, authors - 1)
            if rng.random() < 0.5
            else rng.randrange(authors)
        )
        french = author % 3 != 0
        text = rng.choice(FR if french else EN).format(
            order=f"CMD-2026-{rng.randrange(10_000, 99_999)}", city=rng.choice(CITIES)
        )
        payload: dict[str, Any] = {
            "external_id": f"{kind}-{n}",
            "created_at": (start + timedelta(seconds=n * 7)).isoformat(),
            "text": text,
            "kind": KIND[kind],
            "visibility": "private" if kind == "email" else "public",
            "author": {
                "kind": kind,
                "external_id": f"user{author}@mail.example.com"
                if kind == "email"
                else f"{kind}-user-{author}",
                "handle": f"@user{author}",
                "display_name": f"Client {author}",
            },
        }
        if kind == "email":
            payload["subject"] = text[:40]
        if history and rng.random() < 0.3:
            parent = history[rng.randrange(max(0, len(history) - 500), len(history))][0]
            payload["in_reply_to"] = parent
        history.append((payload["external_id"], payload))
        yield kind, payload


def configure(db: str, pg_url: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="comptoir-bench-")
    os.environ["COMPTOIR_DATA_DIR"] = data_dir
    os.environ.pop("REDIS_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS comptoir_bench")
            conn.execute("CREATE DATABASE comptoir_bench")
        os.environ["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/comptoir_bench"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def process_cpu(pid: int) -> float | None:
    """The CPU time (user + system, s) of a process of this machine; None if unreadable."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu() -> float | None:
    """The CPU time of this connection's PostgreSQL backend, when the server runs here."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return process_cpu(cursor.fetchone()[0])


def helper_usage() -> tuple[float, float]:
    """The reading helper's peak resident memory (MiB) and CPU time (s), from /proc; zeros
    when it never started."""
    from comptoir.ingest import reading

    peak = cpu = 0.0
    for pool in reading._HELPER:
        for pid in list(pool._processes or {}):
            status = Path(f"/proc/{pid}/status")
            for line in status.read_text().splitlines() if status.exists() else []:
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1]) / 1024
            cpu += process_cpu(pid) or 0.0
    return peak, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    configure(args.db, args.pg_url)

    from django.contrib.auth.models import User
    from huey.contrib.djhuey import HUEY

    from comptoir.channels.actions import do_create_channel
    from comptoir.inbox.models import Conversation, Message
    from comptoir.ingest.pipeline import ingest
    from comptoir.ingest.types import Candidate, IngestReport
    from comptoir.people.models import Person
    from comptoir.workspaces.actions import do_create_workspace

    HUEY.immediate = False  # follow-up tasks are queued, as in production, not run here
    owner = User.objects.create_user("bench@example.com")
    workspace = do_create_workspace(name="Bench", slug="bench", owner=owner, owner_name="Bench")
    channels = {
        kind: do_create_channel(workspace, kind=kind, name=name, settings=settings)
        for kind, name, settings in CHANNELS
    }
    generated = list(events(args.events))
    per_channel: dict[str, list[Candidate]] = {kind: [] for kind in channels}
    for index, (kind, payload) in enumerate(generated):
        per_channel[kind].append(Candidate(location=f"event {index}", payload=payload))
    report = IngestReport()
    started = time.perf_counter()
    cpu_started = time.process_time()
    server_started = server_cpu()
    # Each channel's events in one call, oldest first, as an import or a backlog arrives:
    # ``ingest`` batches them, and reads each batch ahead on the second core.
    for kind, candidates in per_channel.items():
        report.add(ingest(workspace, channels[kind], candidates, batch_size=args.batch_size))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    server_ended = server_cpu()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    helper_mib, helper_cpu = helper_usage()

    print(f"database        {args.db}")
    print(f"events          {args.events:,} generated ({report.duplicates:,} duplicates)")
    print(
        f"stored          {Message.objects.count():,} messages, "
        f"{Conversation.objects.count():,} conversations, {Person.objects.count():,} people"
    )
    print(f"rejected        {len(report.rejected):,}")
    print(f"elapsed         {elapsed:.2f} s")
    print(
        f"throughput      {report.stored / elapsed:,.0f} messages/s stored "
        f"({report.received / elapsed:,.0f} events/s received)"
    )
    print(
        f"CPU time        {cpu:.1f} s in this process ({cpu / report.stored * 1e6:.0f} µs a "
        f"message), {helper_cpu:.1f} s in the reading helper"
    )
    if server_started is not None and server_ended is not None:
        server = server_ended - server_started
        print(
            f"server CPU      {server:.1f} s in the PostgreSQL backend "
            f"({server / report.stored * 1e6:.0f} µs a message)"
        )
    print(f"peak memory     {peak_mib:,.0f} MiB (max RSS, including the generated events)")
    print(f"reading helper  {helper_mib:,.0f} MiB (max RSS of the helper process)")


if __name__ == "__main__":
    main()
