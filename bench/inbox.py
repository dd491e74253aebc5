"""Inbox latency: a workspace of N messages, its pages measured over HTTP.

    .venv/bin/python bench/inbox.py --messages 100000
    .venv/bin/python bench/inbox.py --messages 1000000 --db postgres   # needs PostgreSQL

The workspace is built fresh, in bulk: many people on five channels, conversations of
varied lengths spread over two years, one conversation whose thread holds 2,000 messages
(``--thread``), a share of conversations waiting to be handled, cases linked to some
conversations, tags on a few. The database is a temporary SQLite file, or a
``comptoir_bench_inbox`` PostgreSQL database created for the run and dropped after it
(``--pg-url`` names the server; the bulk load is followed by VACUUM ANALYZE, as autovacuum
would do). Either is removed at the end unless ``--keep`` is given.

The app is then served by waitress in a child process, as ``comptoir serve`` does, and a
client logged in through /login/ (and, for the API, holding a token) asks each page
``--samples`` times after a warm-up. Printed: the data's size, the build time, the p50 and
p95 of each page against the goals (inbox list p95 <= 20 ms at 1,000,000 messages;
conversation page p95 <= 30 ms whatever the thread's length), and, measured apart in this
process with a test client, the SQL queries each page runs and the slowest of them
(``--explain`` prints its query plan).
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from tqdm import tqdm

logging.getLogger("httpx").setLevel(logging.WARNING)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SLUG = "bench"
LOGIN = "bench@example.com"
PASSWORD = "bench-inbox-password"  # noqa: S105 - a throwaway account in a throwaway database
PG_DATABASE = "comptoir_bench_inbox"
CHANNELS = [
    ("email", "Service client", {"address": "service@bench.example.com"}),
    ("x", "X", {"handle": "benchbrand"}),
    ("facebook", "Facebook", {"page_id": "1001"}),
    ("instagram", "Instagram", {"page_id": "1002"}),
    ("mastodon", "Mastodon", {"instance_url": "https://piaille.fr", "account": "bench"}),
]
CHANNEL_WEIGHTS = [30, 25, 20, 15, 10]
KIND = {"email": "email", "x": "post", "facebook": "comment", "instagram": "comment"}
INBOUND = {
    "fr": [
        "Bonjour, ma commande {order} n'est toujours pas arrivée, pouvez-vous vérifier ?",
        "J'ai perdu mon parapluie dans votre boutique de {city} hier, l'avez-vous retrouvé ?",
        "Super accueil à {city}, merci à toute l'équipe !",
        "Je souhaite un remboursement pour la lampe cassée reçue ce matin ({order}).",
        "Vous avez ce modèle en laiton ? Je voudrais en commander trois.",
    ],
    "en": [
        "Hi, my order {order} still hasn't arrived, could you check please?",
        "Love the new collection, the store in {city} looks amazing!",
        "I'd like a refund for the broken lamp I received today ({order}).",
        "Is this model available in brass? I want to order three.",
    ],
}
OUTBOUND = {
    "fr": ["Bonjour, merci pour votre message : nous regardons la commande {order}."],
    "en": ["Hello, thanks for your message: we are looking into order {order}."],
}
NOTE = "Vu avec la logistique, colis {order} relancé."
CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Bordeaux", "London", "Brussels"]
FIRST = ["Camille", "Léa", "Hugo", "Jules", "Inès", "Arthur", "Emma", "Louis", "Chloé", "Noah"]
LAST = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre"]
TAGS = ["livraison", "remboursement", "vip", "presse", "b2b", "retour", "garantie", "boutique"]
HISTORY_DAYS = 730
RECENT_DAYS = 30
CASE_SHARE = 0.03
TAG_SHARE = 0.08
SEATS = 12
CHUNK = 4000  # conversations per transaction
INPROCESS_RUNS = 15
# Goals of the issue, in milliseconds of p95.
INBOX_GOAL = 20.0
CONVERSATION_GOAL = 30.0


# Building -------------------------------------------------------------------------------------


def configure(db: str, pg_url: str) -> str:
    """Point Django at a fresh database and migrate it; returns the database's description."""
    data_dir = tempfile.mkdtemp(prefix="comptoir-bench-inbox-")
    os.environ["COMPTOIR_DATA_DIR"] = data_dir
    os.environ.pop("REDIS_URL", None)
    os.environ["DEBUG"] = "false"
    if db == "postgres":
        import psycopg

        server = pg_url.rsplit("/", 1)[0]
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        os.environ["DATABASE_URL"] = f"{server}/{PG_DATABASE}"
        where = f"PostgreSQL {server.split('@')[-1]}/{PG_DATABASE}"
    else:
        os.environ.pop("DATABASE_URL", None)
        where = f"SQLite {data_dir}/comptoir.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return where


def drop_postgres(pg_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


@dataclass
class Built:
    messages: int = 0
    conversations: int = 0
    people: int = 0
    identities: int = 0
    cases: int = 0
    unhandled: int = 0
    big_id: int = 0
    big_length: int = 0
    seconds: float = 0.0


@dataclass
class Planned:
    """One conversation, decided before anything is written."""

    length: int
    identity: int  # index into the identities
    start: datetime
    big: bool = False


def _lengths(total: int, big: int, rng: random.Random) -> list[int]:
    """Thread lengths that add up to ``total - big``: mostly short, a long tail."""
    rest = total - big
    lengths: list[int] = []
    while rest > 0:
        length = min(rest, 1 + min(int(rng.expovariate(1 / 2.3)), 80))
        lengths.append(length)
        rest -= length
    return lengths


def build(total: int, big: int, seed: int) -> Built:
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from comptoir import bulk
    from comptoir.cases.models import Case, CaseCategory, CaseConversation, CaseStatus
    from comptoir.channels.actions import do_create_channel
    from comptoir.inbox.models import (
        Conversation,
        ConversationStatus,
        DeliveryStatus,
        Direction,
        Message,
        Priority,
        Sentiment,
        Tag,
        Urgency,
        Visibility,
    )
    from comptoir.people.models import Identity, Person
    from comptoir.workspaces.actions import do_add_seat, do_create_workspace
    from comptoir.workspaces.models import Role, Seat

    rng = random.Random(seed)
    started = time.perf_counter()
    built = Built()
    now = timezone.now().replace(microsecond=0)
    owner = User.objects.create_user(LOGIN, email=LOGIN, password=PASSWORD)
    workspace = do_create_workspace(name="Bench", slug=SLUG, owner=owner, owner_name="Bench")
    seat_ids = list(Seat.objects.filter(workspace=workspace).values_list("pk", flat=True))
    for index in range(SEATS - 1):
        user = User.objects.create_user(f"agent{index}@example.com")
        seat = do_add_seat(workspace, user, role=Role.AGENT, display_name=f"Agent {index}")
        seat_ids.append(seat.pk)
    channels = [
        do_create_channel(workspace, kind=kind, name=name, settings=settings)
        for kind, name, settings in CHANNELS
    ]
    with transaction.atomic():
        tags = [bulk.new(Tag, workspace_id=workspace.pk, name=name) for name in TAGS]
        bulk.insert(Tag, tags)

    big = min(big, total // 2)
    lengths = _lengths(total, big, rng)
    people_count = max(50, len(lengths) // 2)
    # People and their identities: one on a home channel, a quarter on a second one too.
    people: list[Any] = []
    identities: list[tuple[int, int, int]] = []  # (identity id, person id, channel index)
    languages: list[str] = []
    with transaction.atomic():
        for first in range(0, people_count, 20_000):
            persons: list[Any] = []
            for number in range(first, min(people_count, first + 20_000)):
                persons.append(
                    bulk.new(
                        Person,
                        workspace_id=workspace.pk,
                        display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {number}",
                        preferred_language="fr" if number % 3 else "en",
                        first_seen_at=now - timedelta(days=HISTORY_DAYS),
                        created_at=now,
                        updated_at=now,
                    )
                )
            bulk.insert(Person, persons)
            people.extend(person.pk for person in persons)
        pending: list[Any] = []
        plan_identities: list[tuple[int, int]] = []
        for number, person_id in enumerate(people):
            home = rng.choices(range(len(CHANNELS)), weights=CHANNEL_WEIGHTS)[0]
            owned = [home]
            if rng.random() < 0.25:
                owned.append((home + 1 + rng.randrange(len(CHANNELS) - 1)) % len(CHANNELS))
            for channel_index in owned:
                kind = CHANNELS[channel_index][0]
                pending.append(
                    bulk.new(
                        Identity,
                        workspace_id=workspace.pk,
                        person_id=person_id,
                        kind=kind,
                        external_id=f"user{number}@mail.example.com"
                        if kind == "email"
                        else f"{kind}-user-{number}",
                        handle=f"@user{number}",
                        display_name=f"Client {number}",
                        created_at=now,
                    )
                )
                plan_identities.append((person_id, channel_index))
                languages.append("fr" if number % 3 else "en")
        for batch in bulk.chunks(pending, 20_000):
            bulk.insert(Identity, batch)
        identities = [
            (identity.pk, person_id, channel_index)
            for identity, (person_id, channel_index) in zip(pending, plan_identities, strict=True)
        ]
    built.people, built.identities = len(people), len(identities)

    # Conversations: who (a few people write a lot), when (two years, uniform).
    plans: list[Planned] = []
    for length in lengths:
        who = (
            min(int(rng.paretovariate(1.1)) - 1, len(identities) - 1)
            if rng.random() < 0.3
            else rng.randrange(len(identities))
        )
        began = now - timedelta(seconds=rng.uniform(3600, HISTORY_DAYS * 86400))
        plans.append(Planned(length=length, identity=who, start=began))
    if big:
        # The long thread: a customer who has written for a year, still active today.
        plans.insert(
            rng.randrange(len(plans) + 1),
            Planned(
                length=big,
                identity=rng.randrange(len(identities)),
                start=now - timedelta(days=365),
                big=True,
            ),
        )

    through = Conversation.tags.through
    sentiments = list(Sentiment)
    # Weighted draws for each message, as flat lists: rng.choices costs more than the row.
    urgencies = [Urgency.LOW] * 30 + [Urgency.NORMAL] * 55 + [Urgency.HIGH] * 12
    urgencies += [Urgency.URGENT] * 3
    case_number = 0
    progress = tqdm(total=total, unit="msg", desc="building", smoothing=0.05)
    for chunk_start in range(0, len(plans), CHUNK):
        chunk = plans[chunk_start : chunk_start + CHUNK]
        with transaction.atomic():
            ids = bulk.reserve_ids(Conversation, len(chunk))
            conversations: list[Any] = []
            messages: list[Any] = []
            cases: list[Any] = []
            links: list[Any] = []
            tagged: list[Any] = []
            for conversation_id, plan in zip(ids, chunk, strict=True):
                identity_id, person_id, channel_index = identities[plan.identity]
                channel_kind = CHANNELS[channel_index][0]
                channel_id = channels[channel_index].pk
                language = languages[plan.identity]
                order = f"CMD-{rng.randrange(10_000, 99_999)}"
                city = rng.choice(CITIES)
                # Gaps between messages: minutes to a day; the long thread spreads over its year.
                mean_gap = 365 * 86400 / big if plan.big else 4 * 3600
                moment = plan.start
                seat_id = rng.choice(seat_ids)
                first_inbound = first_response = None
                last_inbound: datetime | None = None
                last_direction = ""
                preview = ""
                sentiment = urgency = ""
                for position in range(plan.length):
                    if position:
                        moment += timedelta(seconds=60 + rng.expovariate(1 / mean_gap))
                    if moment > now - timedelta(minutes=1):
                        moment = now - timedelta(minutes=1) + timedelta(microseconds=position)
                    if position % 2 == 0 or rng.random() < 0.2:
                        direction = Direction.INBOUND
                    elif rng.random() < 0.15:
                        direction = Direction.NOTE
                    else:
                        direction = Direction.OUTBOUND
                    values: dict[str, Any] = {
                        "workspace_id": workspace.pk,
                        "conversation_id": conversation_id,
                        "channel_id": channel_id,
                        "direction": direction,
                        "visibility": Visibility.PRIVATE
                        if channel_kind == "email"
                        else Visibility.PUBLIC,
                        "kind": KIND.get(channel_kind, "post"),
                        "sent_at": moment,
                        "created_at": moment,
                        "language": language,
                    }
                    if direction == Direction.INBOUND:
                        text = rng.choice(INBOUND[language]).format(order=order, city=city)
                        sentiment = rng.choice(sentiments)
                        urgency_now = rng.choice(urgencies)
                        values |= {
                            "author_identity_id": identity_id,
                            "external_id": f"{channel_kind}-{conversation_id}-{position}",
                            "sentiment_label": sentiment,
                            "sentiment_score": rng.uniform(-1, 1),
                            "urgency": urgency_now,
                            "intents": {"question": 0.7},
                        }
                        if urgency_now in (Urgency.HIGH, Urgency.URGENT) or not urgency:
                            urgency = urgency_now
                        first_inbound = first_inbound or moment
                        last_inbound = last_inbound or moment
                    elif direction == Direction.OUTBOUND:
                        text = rng.choice(OUTBOUND[language]).format(order=order)
                        values |= {
                            "author_seat_id": seat_id,
                            "external_id": f"{channel_kind}-{conversation_id}-{position}",
                            "delivery_status": DeliveryStatus.SENT,
                            "delivery_attempts": 1,
                        }
                        first_response = first_response or moment
                        last_inbound = None
                    else:
                        text = NOTE.format(order=order)
                        values["author_seat_id"] = seat_id
                    values["text"] = text
                    if direction != Direction.NOTE:
                        preview = text[:280]
                        last_direction = direction
                    messages.append(bulk.new(Message, **values))
                recent = (now - moment).days < RECENT_DAYS or plan.big
                if recent:
                    status = rng.choices(
                        [
                            ConversationStatus.OPEN,
                            ConversationStatus.PENDING,
                            ConversationStatus.RESOLVED,
                        ],
                        weights=[55, 20, 25],
                    )[0]
                else:
                    status = rng.choices(
                        [ConversationStatus.RESOLVED, ConversationStatus.CLOSED], weights=[85, 15]
                    )[0]
                has_case = not plan.big and rng.random() < CASE_SHARE
                waiting = last_direction == Direction.INBOUND and last_inbound is not None
                # Waiting customers: recent ones still open, and a few forgotten long ago.
                unhandled = (
                    waiting
                    and not has_case
                    and ((recent and status != ConversationStatus.RESOLVED) or rng.random() < 0.04)
                )
                if unhandled and status in (
                    ConversationStatus.RESOLVED,
                    ConversationStatus.CLOSED,
                ):
                    status = ConversationStatus.OPEN
                built.unhandled += unhandled
                conversations.append(
                    bulk.new(
                        Conversation,
                        id=conversation_id,
                        workspace_id=workspace.pk,
                        channel_id=channel_id,
                        identity_id=identity_id,
                        person_id=person_id,
                        subject=f"Commande {order}" if channel_kind == "email" else "",
                        thread_key=f"{channel_kind}-thread-{conversation_id}",
                        status=status,
                        closed_reason="spam" if status == ConversationStatus.CLOSED else "",
                        assignee_id=seat_id if rng.random() < 0.6 else None,
                        unhandled_since=last_inbound if unhandled else None,
                        priority=rng.choices(list(Priority), weights=[10, 75, 12, 3])[0],
                        language=language,
                        first_inbound_at=first_inbound,
                        first_response_at=first_response,
                        last_activity_at=moment,
                        message_count=plan.length,
                        last_message_preview=preview,
                        sentiment=sentiment,
                        urgency=urgency,
                        created_at=plan.start,
                    )
                )
                if plan.big:
                    built.big_id, built.big_length = conversation_id, plan.length
                if rng.random() < TAG_SHARE:
                    for tag in rng.sample(tags, rng.choice([1, 1, 2])):
                        tagged.append(
                            bulk.new(through, conversation_id=conversation_id, tag_id=tag.pk)
                        )
                if has_case:
                    case_number += 1
                    done = status in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED)
                    case = bulk.new(
                        Case,
                        workspace_id=workspace.pk,
                        number=case_number,
                        title=f"{order}: {preview[:150]}",
                        person_id=person_id,
                        category=rng.choice(list(CaseCategory)),
                        priority=rng.choices(list(Priority), weights=[10, 70, 15, 5])[0],
                        status=CaseStatus.RESOLVED
                        if done
                        else rng.choice(
                            [
                                CaseStatus.NEW,
                                CaseStatus.OPEN,
                                CaseStatus.WAITING_ON_CUSTOMER,
                                CaseStatus.WAITING_ON_US,
                            ]
                        ),
                        owner_id=seat_id,
                        opened_at=first_inbound or plan.start,
                        first_response_at=first_response,
                        resolved_at=moment if done else None,
                        updated_at=moment,
                    )
                    cases.append(case)
                    links.append(
                        bulk.new(
                            CaseConversation,
                            case=case,
                            conversation_id=conversation_id,
                            added_at=first_inbound or plan.start,
                        )
                    )
            bulk.insert(Conversation, conversations)
            for batch in bulk.chunks(messages, 20_000):
                bulk.insert(Message, batch)
            bulk.insert(Case, cases)
            bulk.insert(CaseConversation, links)
            bulk.insert(through, tagged)
        built.messages += len(messages)
        built.conversations += len(conversations)
        built.cases += len(cases)
        progress.update(len(messages))
    progress.close()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics and the visibility map
        # (without it, counts over an index still read every heap page they touch).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    built.seconds = time.perf_counter() - started
    return built


# Measuring ------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    url: str
    goal: float | None
    timings: list[float] = field(default_factory=list)
    status: int = 0
    note: str = ""
    queries: int | None = None
    slowest_ms: float | None = None
    sql_ms: float | None = None
    inprocess_ms: float | None = None
    cpu_ms: float | None = None
    slowest_sql: str = ""

    def percentile(self, share: float) -> float:
        ordered = sorted(self.timings)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "comptoir.cli", "serve", "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
        else:
            return server
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def log_in(client: httpx.Client) -> None:
    page = client.get("/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if match is None:
        raise SystemExit("no CSRF token on /login/")
    answer = client.post(
        "/login/",
        data={"csrfmiddlewaretoken": match.group(1), "username": LOGIN, "password": PASSWORD},
    )
    if answer.status_code != 302:
        raise SystemExit(f"login refused ({answer.status_code})")


MORE_LINK = re.compile(r'<tbody class="more">\s*<tr><td[^>]*><a class="button" href="([^"]+)"')
OLDER_LINK = re.compile(r'<div class="older">\s*<a class="button button-quiet" href="([^"]+)"')


def next_link(path: str, body: str, pattern: re.Pattern[str] = MORE_LINK) -> str | None:
    """The "Load more" link of an HTML list, as an absolute path."""
    match = pattern.search(body)
    return urljoin(path, html.unescape(match.group(1))) if match else None


def walk(client: httpx.Client, path: str, pages: int) -> str | None:
    """The URL of the page ``pages`` deep, following each page's "Load more" link."""
    url: str | None = path
    for _ in range(pages):
        if url is None:
            return None
        url = next_link(url, client.get(url).text)
    return url


def walk_api(client: httpx.Client, path: str, pages: int) -> str | None:
    url: str | None = path
    for _ in range(pages):
        if url is None:
            return None
        cursor = client.get(url).json().get("next_cursor")
        url = f"{path.split('?')[0]}?cursor={cursor}" if cursor else None
    return url


def time_requests(
    client: httpx.Client,
    result: Result,
    samples: int,
    warmup: int,
    headers: dict[str, str] | None = None,
) -> None:
    for _ in range(warmup):
        answer = client.get(result.url, headers=headers)
    result.status = answer.status_code
    if answer.status_code == 404:
        result.note = "not available (404)"
        return
    if answer.status_code != 200:
        result.note = f"HTTP {answer.status_code}"
        return
    for _ in range(samples):
        began = time.perf_counter()
        answer = client.get(result.url, headers=headers)
        answer.read()
        result.timings.append((time.perf_counter() - began) * 1000)


@dataclass
class Executed:
    sql: str
    params: Any
    ms: float


def count_queries(result: Result, headers: dict[str, Any], explain: bool) -> None:
    """The page's SQL queries, counted in this process with Django's test client.

    Queries are recorded with their bound parameters and planned that way: SQLite may plan
    a statement with literal values differently (an OR of ranges, for one)."""
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1", **headers)
    if "HTTP_AUTHORIZATION" not in headers:
        from django.contrib.auth.models import User

        client.force_login(User.objects.get(username=LOGIN))
    client.get(result.url)  # warm the caches the server warmed too
    spent: list[float] = []
    cpu = time.process_time()
    for _ in range(INPROCESS_RUNS):
        began = time.perf_counter()
        client.get(result.url)
        spent.append((time.perf_counter() - began) * 1000)
    result.cpu_ms = (time.process_time() - cpu) * 1000 / INPROCESS_RUNS
    result.inprocess_ms = sorted(spent)[len(spent) // 2]
    executed: list[Executed] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append(Executed(sql, params, (time.perf_counter() - began) * 1000))

    with connection.execute_wrapper(record):
        client.get(result.url)
    result.queries = len(executed)
    result.sql_ms = sum(query.ms for query in executed)
    if executed:
        slowest = max(executed, key=lambda query: query.ms)
        result.slowest_ms = slowest.ms
        result.slowest_sql = slowest.sql
        if explain:
            print(f"\n-- {result.name}: slowest query {slowest.ms:.1f} ms")
            print(slowest.sql, slowest.params)
            for line in explain_lines(slowest.sql, slowest.params):
                print("   ", line)


def explain_lines(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in cursor.fetchall()]


def deep_inbox_cursor(fraction: float) -> str:
    """A cursor into the middle of history: the inbox as the ``fraction`` of it is read."""
    from comptoir.inbox.models import Conversation
    from comptoir.inbox.queries import CONVERSATION_ORDERING
    from comptoir.pagination import encode_cursor

    rows = Conversation.objects.filter(workspace__slug=SLUG).order_by(*CONVERSATION_ORDERING)
    position = int(rows.count() * fraction)
    row = rows.values_list("last_activity_at", "id")[position]
    return encode_cursor(list(row))


def measure(built: Built, samples: int, warmup: int, depth: int, explain: bool) -> list[Result]:
    from comptoir.api.actions import do_create_token
    from comptoir.workspaces.models import Seat

    seat = Seat.objects.get(workspace__slug=SLUG, user__username=LOGIN)
    secret = do_create_token(seat, name="bench").secret
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    results: list[Result] = []
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            log_in(client)
            inbox = f"/w/{SLUG}/inbox/"
            deep = walk(client, inbox, depth)
            middle = f"{inbox}?cursor={deep_inbox_cursor(0.5)}"
            thread = f"/w/{SLUG}/inbox/{built.big_id}/"
            first = client.get(thread).text
            shown = first.count('<article class="msg ')
            older = next_link(thread, first, OLDER_LINK)
            htmx = {"HX-Request": "true", "HX-Target": "thread"}
            pages: list[tuple[Result, dict[str, str] | None]] = [
                (Result("inbox, first page", inbox, INBOX_GOAL), None),
                (Result(f"inbox, page {depth + 1} (cursor)", deep or inbox, INBOX_GOAL), None),
                (Result("inbox, middle of history", middle, INBOX_GOAL), None),
                (
                    Result(
                        f"conversation, {built.big_length:,} messages",
                        thread,
                        CONVERSATION_GOAL,
                        note=f"shows {shown}",
                    ),
                    None,
                ),
                (
                    Result("conversation, older (htmx)", older or thread, CONVERSATION_GOAL),
                    htmx,
                ),
                (Result("cases list", f"/w/{SLUG}/cases/", None), None),
                (Result("unhandled", f"/w/{SLUG}/unhandled/", None), None),
            ]
            for result, headers in pages:
                time_requests(client, result, samples, warmup, headers)
                results.append(result)
        token = {"Authorization": f"Bearer {secret}"}
        with httpx.Client(base_url=base, timeout=60, headers=token) as api:
            listing = "/api/v1/conversations"
            api_pages = [
                Result("API conversations", listing, INBOX_GOAL),
                Result(
                    f"API conversations, page {depth + 1}",
                    walk_api(api, listing, depth) or listing,
                    INBOX_GOAL,
                ),
                Result(
                    "API thread messages",
                    f"/api/v1/conversations/{built.big_id}/messages",
                    CONVERSATION_GOAL,
                ),
                Result("API unhandled", "/api/v1/conversations/unhandled", None),
                Result("API cases", "/api/v1/cases", None),
            ]
            for result in api_pages:
                time_requests(api, result, samples, warmup)
                results.append(result)
    finally:
        server.terminate()
        server.wait(10)
    for result in results:
        if result.status != 200:
            continue
        environ: dict[str, Any] = (
            {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if result.url.startswith("/api/") else {}
        )
        if "htmx" in result.name:
            environ |= {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "thread"}
        count_queries(result, environ, explain)
    return results


# Report ---------------------------------------------------------------------------------------


def report(db: str, where: str, built: Built, results: list[Result], loads: list[str]) -> None:
    print()
    print(f"database        {db} ({where})")
    print(
        f"data            {built.messages:,} messages, {built.conversations:,} conversations, "
        f"{built.people:,} people ({built.identities:,} identities), {built.cases:,} cases, "
        f"{built.unhandled:,} unhandled, longest thread {built.big_length:,} messages"
    )
    print(
        f"build           {built.seconds:.1f} s ({built.messages / built.seconds:,.0f} messages/s)"
    )
    print(f"load average    {' -> '.join(loads)} (1, 5, 15 min; {os.cpu_count()} CPUs)")
    print()
    print(
        f"{'page':<34} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'goal':>5} {'':4} "
        f"{'queries':>7} {'SQL ms':>7} {'slowest':>7} {'in-proc':>7} {'CPU ms':>7}  note"
    )
    for result in results:
        measured = [
            result.queries,
            result.sql_ms,
            result.slowest_ms,
            result.inprocess_ms,
            result.cpu_ms,
        ]
        q, sql, slowest, inprocess, cpu = (
            "" if value is None else f"{value:.0f}" if index == 0 else f"{value:.1f}"
            for index, value in enumerate(measured)
        )
        if result.timings:
            p50, p95 = f"{result.percentile(0.5):.1f}", f"{result.percentile(0.95):.1f}"
        else:
            p50 = p95 = ""
        goal = f"{result.goal:.0f}" if result.goal is not None else "-"
        verdict = ""
        if result.goal is not None and result.timings:
            verdict = "ok" if result.percentile(0.95) <= result.goal else "MISS"
        print(
            f"{result.name:<34} {len(result.timings):>4} {p50:>7} {p95:>7} {goal:>5} "
            f"{verdict:<4} {q:>7} {sql:>7} {slowest:>7} {inprocess:>7} {cpu:>7}  {result.note}"
        )
    print(
        "\n(p50/p95: over HTTP, waitress in a child process; queries, SQL ms (their sum), "
        "slowest (one query), in-proc (median wall time of the whole request with Django's "
        "test client) and CPU ms (its mean CPU time, which the machine's load does not "
        "inflate as much): measured apart, in this process.)"
    )


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--thread", type=int, default=2000, help="the long thread's length")
    parser.add_argument("--samples", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first")
    parser.add_argument("--depth", type=int, default=20, help="inbox pages followed by cursor")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--explain", action="store_true", help="print each page's slowest query plan"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (and say where) afterwards"
    )
    args = parser.parse_args()
    loads = [load_average()]
    where = configure(args.db, args.pg_url)
    try:
        built = build(args.messages, args.thread, args.seed)
        loads.append(load_average())
        results = measure(built, args.samples, args.warmup, args.depth, args.explain)
        loads.append(load_average())
        report(args.db, where, built, results, loads)
    finally:
        if args.keep:
            print(f"kept            {where}")
        elif args.db == "postgres":
            drop_postgres(args.pg_url)
        else:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(os.environ["COMPTOIR_DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
