"""One demo conversation: its messages, when they were sent, what they say, their ids.

A thread follows a pattern of steps (the person opens, an employee replies, the person
follows up, the employee closes, the person thanks); it stops at the demo's "now", so
the most recent conversations are still waiting for an answer. Employees answer within
working hours; the platform ids and links have each network's own shape.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from comptoir.channels.models import ChannelKind
from comptoir.demo.company import ChannelSpec, Company, Employee
from comptoir.demo.corpus import Corpus, Mood, TopicText, corpus, fill, story_of
from comptoir.demo.platform import PlatformIds, Register, message_kind
from comptoir.demo.population import PlannedIdentity, PlannedPerson, weighted
from comptoir.inbox.actions import preview_of
from comptoir.inbox.models import (
    ConversationStatus,
    Direction,
    MessageKind,
    Priority,
    Visibility,
)
from comptoir.workspaces.models import Role

# The demo's "now": a Friday afternoon. A fixed clock keeps every build identical.
ANCHOR = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
Step = Literal["open", "reply", "follow", "close", "thanks", "note"]

PATTERNS: tuple[tuple[tuple[Step, ...], int], ...] = (
    (("open",), 7),
    (("open", "reply"), 15),
    (("open", "reply", "follow", "close"), 30),
    (("open", "reply", "follow", "close", "thanks"), 26),
    (("open", "reply", "follow", "reply", "follow", "close", "thanks"), 22),
)
# On LinkedIn the answer is public and short; the rest goes on in private messages.
PRO_PATTERNS: tuple[tuple[tuple[Step, ...], int], ...] = (
    (("open",), 10),
    (("open", "reply"), 60),
    (("open", "reply", "thanks"), 30),
)
INBOUND_STEPS = frozenset({"open", "follow", "thanks"})
REPLIER_WEIGHTS = {Role.OWNER: 1, Role.MANAGER: 2, Role.AGENT: 6}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "heic": "image/heic",
    "png": "image/png",
    "pdf": "application/pdf",
}


@dataclass
class PlannedMessage:
    direction: Direction
    kind: MessageKind
    visibility: Visibility
    text: str
    sent_at: datetime
    language: str
    seat: str | None  # the login of the employee who wrote it; None: the person did
    external_id: str | None
    url: str = ""
    reply_to: int | None = None  # the position in the thread of the message it answers
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PlannedConversation:
    channel: int  # index in the company's channels
    person: int  # index in the plan's people
    identity: int  # index in the person's identities
    topic: str
    subject: str
    language: str
    priority: Priority
    status: ConversationStatus = ConversationStatus.OPEN
    assignee: str | None = None
    messages: list[PlannedMessage] = field(default_factory=list)

    # The denormalised fields, exactly as the inbox actions keep them message by message.
    @property
    def last_activity_at(self) -> datetime:
        return max(m.sent_at for m in self.messages)

    @property
    def first_inbound_at(self) -> datetime | None:
        return min(
            (m.sent_at for m in self.messages if m.direction == Direction.INBOUND), default=None
        )

    @property
    def first_response_at(self) -> datetime | None:
        return min(
            (m.sent_at for m in self.messages if m.direction == Direction.OUTBOUND), default=None
        )

    @property
    def last_message_preview(self) -> str:
        said = [m for m in self.messages if m.direction != Direction.NOTE]
        return preview_of(said[-1].text) if said else ""


@dataclass
class _Thread:
    """What one conversation's messages share while they are written."""

    person: PlannedPerson
    identity: PlannedIdentity
    channel: ChannelSpec
    register: Register
    texts: Corpus
    lines: TopicText
    mood: Mood
    notes: tuple[str, ...]
    slots: dict[str, str]
    replier: Employee
    root: str  # the post, activity or private thread that the messages hang on
    used: set[str] = field(default_factory=set)
    story: str = ""
    story_open: bool = True


class ThreadWriter:
    """Writes the conversations of one company with its seeded generator."""

    def __init__(self, company: Company, rng: random.Random) -> None:
        self.company = company
        self.rng = rng
        self.zone = ZoneInfo(company.timezone)
        self.ids = PlatformIds(rng)

    def conversation(
        self,
        person: PlannedPerson,
        person_index: int,
        identity_index: int,
        channel_index: int,
        register: Register,
        topic_key: str,
    ) -> PlannedConversation:
        rng, company = self.rng, self.company
        topic = company.topics[topic_key]
        language = person.language or company.default_language
        texts = corpus(company.corpus, language)
        start = self._opening_time()
        thread = _Thread(
            person=person,
            identity=person.identities[identity_index],
            channel=company.channels[channel_index],
            register=register,
            texts=texts,
            lines=texts.topics[topic_key],
            mood=topic.mood,
            notes=corpus(company.corpus, company.team_language).topics[topic_key].notes,
            slots=self._slots(person, company.channels[channel_index], language, start),
            replier=self._replier(language),
            root=self.ids.root(company.channels[channel_index].kind),
        )
        conversation = PlannedConversation(
            channel=channel_index,
            person=person_index,
            identity=identity_index,
            topic=topic_key,
            subject="",
            language=language,
            priority=weighted(rng, topic.priorities),
        )
        patterns = PRO_PATTERNS if register == "pro" else PATTERNS
        steps = list(weighted(rng, patterns)) if topic.answered else ["open"]
        if thread.notes and rng.random() < (0.3 if not topic.answered else 0.18):
            steps.insert(min(len(steps), rng.choice((1, 2))), "note")
        when, taken = start, list[Step]()
        for step in steps:
            if step != "open":
                when = self._next_time(step, when, register, conversation.priority)
            if when > ANCHOR:
                break  # the rest of this thread has not happened yet
            message = self._message(thread, conversation, step, when)
            if message is not None:
                conversation.messages.append(message)
                taken.append(step)
        if register == "email":
            subject = self._pick(thread, thread.lines.subjects, step=None)
            subject = subject or story_of(rng.choice(thread.lines.subjects))[1]
            conversation.subject = fill(subject, thread.slots)
        if register == "pro" and taken[-1] == "reply":
            taken.append("close")  # a public answer on LinkedIn is the last word there
        conversation.status = self._status(taken, topic.answered, conversation.last_activity_at)
        conversation.assignee = self._assignee(conversation, thread, topic.answered)
        if topic.attachments and register == "email" and rng.random() < 0.55:
            conversation.messages[0].attachments = self._attachments(topic.attachments)
        return conversation

    # --- texts --------------------------------------------------------------------------

    def _message(
        self, thread: _Thread, conversation: PlannedConversation, step: Step, when: datetime
    ) -> PlannedMessage | None:
        rng, lines = self.rng, thread.lines
        formal = thread.register == "email"
        pools: dict[Step, tuple[str, ...]] = {
            "open": getattr(lines, thread.register),
            "follow": lines.follow_ups,
            "thanks": lines.thanks,
            "reply": lines.replies_formal if formal else lines.replies_casual,
            "close": lines.closings_formal if formal else lines.closings_casual,
            "note": thread.notes,
        }
        if thread.register == "pro":
            pools["reply"] = lines.replies_pro or lines.replies_formal
            pools["thanks"] = thread.texts.voice.pro_thanks
        line = self._pick(thread, pools[step], step)
        if line is None:
            return None  # this topic has nothing to say at this step, in this story
        position = len(conversation.messages)
        said = [i for i, m in enumerate(conversation.messages) if m.direction != Direction.NOTE]
        kind = message_kind(thread.channel.kind, thread.register, first=position == 0)
        if step == "note":
            author = self._note_author(thread)
            return PlannedMessage(
                direction=Direction.NOTE,
                kind=message_kind(thread.channel.kind, thread.register, first=False),
                visibility=Visibility.PRIVATE,
                text=fill(line, self._with_agent(thread.slots, author)),
                sent_at=when,
                language=self.company.team_language,
                seat=author.email,
                external_id=None,
            )
        inbound = step in INBOUND_STEPS
        employee = thread.replier
        if not inbound and step == "reply" and said and rng.random() < 0.15:
            employee = self._replier(conversation.language)  # a colleague takes over
        body = fill(line, self._with_agent(thread.slots, employee))
        text = (
            self._from_person(thread, step, body)
            if inbound
            else self._from_employee(thread, employee, body)
        )
        external_id, url = self.ids.message(
            thread.channel.kind,
            thread.channel.settings,
            public=thread.register != "private",
            author=thread.identity.handle if inbound else "",
            root=thread.root,
            when=when,
        )
        return PlannedMessage(
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            kind=kind,
            visibility=Visibility.PUBLIC
            if thread.register in ("public", "pro")
            else Visibility.PRIVATE,
            text=text,
            sent_at=when,
            language=conversation.language,
            seat=None if inbound else employee.email,
            external_id=external_id,
            url=url,
            reply_to=said[-1] if said else None,
        )

    def _from_person(self, thread: _Thread, step: Step, body: str) -> str:
        rng, voice, person = self.rng, thread.texts.voice, thread.person
        if thread.register == "email":
            signature = person.display_name
            if person.membership is not None:
                organization = self.company.organizations[person.membership.organization]
                signature += f"\n{person.membership.title}, {organization.name}"
            if step == "open":
                greeting, signoff = (
                    rng.choice(voice.customer_greetings),
                    rng.choice(voice.customer_signoffs),
                )
                return f"{greeting}\n\n{body}\n\n{signoff}\n{signature}"
            return f"{body}\n\n{signature}"
        if thread.register == "public":
            if step == "open":
                garnish = voice.garnish.get(thread.mood, ())
                if garnish and rng.random() < 0.5:
                    return f"{body} {rng.choice(garnish)}"
                return body
            if thread.channel.kind in (ChannelKind.X, ChannelKind.MASTODON):
                return f"{thread.channel.mention} {body}"
        return body

    def _from_employee(self, thread: _Thread, employee: Employee, body: str) -> str:
        rng, voice = self.rng, thread.texts.voice
        if thread.register == "email":
            greeting = rng.choice(voice.agent_greetings).format(name=thread.person.name.first)
            signoff = rng.choice(voice.agent_signoffs)
            return (
                f"{greeting}\n\n{body}\n\n{signoff}\n{employee.full_name}\n{voice.team_signature}"
            )
        if thread.register == "pro":
            return f"{thread.person.display_name} {body}"
        signature = voice.casual_signature.format(agent=employee.first_name)
        if thread.register == "public":
            return f"{thread.identity.mention} {body} {signature}"
        return f"{body} {signature}"

    def _pick(self, thread: _Thread, pool: tuple[str, ...], step: Step | None) -> str | None:
        """A line of the pool that fits the thread's story and was not said in it yet.

        The opener sets the story; an untagged opener leaves it to the first reply. Once
        set, the story's own lines come first and untagged ones stand in when it has no
        more. None when nothing fits: the step is left out rather than said twice.
        """
        fresh = [line for line in pool if line not in thread.used]
        choosing = thread.story_open and step in ("open", "reply")
        if not choosing:
            own = [line for line in fresh if thread.story and story_of(line)[0] == thread.story]
            fresh = own or [line for line in fresh if not story_of(line)[0]]
        if not fresh:
            return None
        line = self.rng.choice(fresh)
        thread.used.add(line)
        story, text = story_of(line)
        if choosing:
            thread.story = story
            thread.story_open = step == "open" and not story
        return text

    # --- who --------------------------------------------------------------------------

    def _replier(self, language: str) -> Employee:
        """Someone who speaks the language and may converse: advocates and viewers don't."""
        candidates = [
            (employee, REPLIER_WEIGHTS[employee.role])
            for employee in self.company.employees
            if language in employee.languages and employee.role in REPLIER_WEIGHTS
        ]
        return weighted(self.rng, candidates)

    def _note_author(self, thread: _Thread) -> Employee:
        managers = [
            e
            for e in self.company.employees
            if e.role == Role.MANAGER and self.company.team_language in e.languages
        ]
        if managers and self.rng.random() < 0.4:
            return managers[0]
        return thread.replier

    def _assignee(
        self, conversation: PlannedConversation, thread: _Thread, answered: bool
    ) -> str | None:
        """Whoever answered first; an unanswered one is sometimes already picked up."""
        for message in conversation.messages:
            if message.direction == Direction.OUTBOUND:
                return message.seat
        if answered and self.rng.random() < 0.35:
            return thread.replier.email
        return None

    # --- when -------------------------------------------------------------------------

    def _opening_time(self) -> datetime:
        """Recent days are busier: half the conversations start in the last two weeks."""
        rng = self.rng
        days_ago = min(rng.expovariate(1 / 20), 150.0)
        day = (ANCHOR - timedelta(days=days_ago)).astimezone(self.zone).date()
        first_peak, last_peak = self.company.peak_hours
        hour = weighted(
            rng,
            tuple((h, 4 if first_peak <= h <= last_peak else 1) for h in range(7, 24)),
        )
        local = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=self.zone)
        when = local.astimezone(UTC)
        while when > ANCHOR:
            when -= timedelta(days=1)
        return when

    def _next_time(
        self, step: Step, after: datetime, register: Register, priority: Priority
    ) -> datetime:
        rng = self.rng
        if step in INBOUND_STEPS:
            return self._waking_hours(after + timedelta(minutes=rng.uniform(20, 30 * 60)))
        if step == "note":
            return self._working_hours(after + timedelta(minutes=rng.uniform(3, 60)))
        minutes = rng.uniform(20, 20 * 60) if register == "email" else rng.uniform(5, 4 * 60)
        if priority in (Priority.HIGH, Priority.URGENT):
            minutes /= 3
        return self._working_hours(after + timedelta(minutes=minutes))

    def _waking_hours(self, when: datetime) -> datetime:
        """People write between 7:00 and midnight; a night-time answer waits for morning."""
        local = when.astimezone(self.zone)
        if local.hour < 7:
            morning = datetime.combine(local.date(), time(7), tzinfo=self.zone)
            local = morning + timedelta(minutes=self.rng.uniform(0, 120))
        return local.astimezone(UTC)

    def _working_hours(self, when: datetime) -> datetime:
        """The team answers from 9:00 to 19:00, Monday to Saturday."""
        local = when.astimezone(self.zone)
        opening = timedelta(minutes=self.rng.uniform(0, 90))
        if local.hour >= 19:
            local = (
                datetime.combine(local.date() + timedelta(days=1), time(9), tzinfo=self.zone)
                + opening
            )
        elif local.hour < 9:
            local = datetime.combine(local.date(), time(9), tzinfo=self.zone) + opening
        if local.weekday() == 6:
            local = (
                datetime.combine(local.date() + timedelta(days=1), time(9), tzinfo=self.zone)
                + opening
            )
        return local.astimezone(UTC)

    def _status(
        self, steps: list[Step], answered: bool, last_activity: datetime
    ) -> ConversationStatus:
        said = [s for s in steps if s != "note"]
        if not answered:
            return ConversationStatus.CLOSED
        if said[-1] in ("open", "follow"):
            return (
                ConversationStatus.SNOOZED if self.rng.random() < 0.12 else ConversationStatus.OPEN
            )
        if said[-1] == "reply":
            return (
                ConversationStatus.SNOOZED
                if self.rng.random() < 0.25
                else ConversationStatus.PENDING
            )
        if ANCHOR - last_activity < timedelta(days=4) or self.rng.random() < 0.3:
            return ConversationStatus.RESOLVED
        return ConversationStatus.CLOSED

    # --- what -------------------------------------------------------------------------

    def _slots(
        self, person: PlannedPerson, channel: ChannelSpec, language: str, start: datetime
    ) -> dict[str, str]:
        company = self.company
        if person.membership is not None:
            organization = company.organizations[person.membership.organization]
            firm, domain = organization.name, organization.domain
        elif company.loose_companies:
            firm, domain = self.rng.choice(company.loose_companies)
        else:
            firm, domain = "", ""
        slots = company.slots(self.rng, language, start)
        slots.update(
            name=person.name.first,
            e="e" if person.name.gender == "f" and language == "fr" else "",
            brand=channel.mention,
            company=firm,
            company_slug=slugify(firm),
            company_domain=domain,
        )
        return slots

    @staticmethod
    def _with_agent(slots: dict[str, str], employee: Employee) -> dict[str, str]:
        return {**slots, "agent": employee.first_name, "ae": "e" if employee.gender == "f" else ""}

    def _attachments(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        chosen = self.rng.sample(names, k=min(len(names), self.rng.choice((1, 1, 2))))
        return [
            {
                "filename": name,
                "content_type": CONTENT_TYPES.get(
                    name.rpartition(".")[2].lower(), "application/octet-stream"
                ),
                "size": self.rng.randint(80_000, 2_400_000),
            }
            for name in chosen
        ]
