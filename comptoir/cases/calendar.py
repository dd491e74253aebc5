"""Business time: when a team works, and how much working time lies between two instants.

Pure arithmetic, no database. A calendar is a time zone, a weekly schedule of opening
spans in local wall-clock time, extra closed dates and, optionally, a country's public
holidays. Every instant given or returned is timezone-aware; results are in UTC.

How the wall clock maps to real time:

- A span ``["09:00", "18:00"]`` opens the first time the local clock shows 09:00 that
  day and closes the last time it shows 18:00, so on the night the clocks go back, a span
  crossing 02:00-03:00 is one hour longer, and on the night they go forward, one hour
  shorter. A 09:00-18:00 day is nine hours either way.
- A time that does not exist on the night the clocks go forward (02:30 in Paris on the
  last Sunday of March) is read as the moment the clocks jump past it.
- Spans stay within one day: "24:00" may close the day, a span past midnight is written
  as two spans, one on each weekday.

Walking the calendar costs one step per day, never per minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as public_holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")  # ISO: Monday is 1, Sunday is 7
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
# A calendar open less than this often still answers, but no walk goes on forever.
MAX_DAYS = 3 * 366

Span = tuple[time | None, time | None]  # None as the end: the end of the day (24:00)


def parse_clock(value: object) -> time | None:
    """ "HH:MM" as a time; "24:00" (the end of the day) as None."""
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(value)
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def validate_schedule(schedule: object) -> dict[int, list[tuple[time, time | None]]]:
    """The weekly schedule as sorted spans per ISO weekday, or ValidationError saying why."""
    if not isinstance(schedule, Mapping):
        raise ValidationError({"schedule": [_("The schedule must map weekdays to spans.")]})
    unknown = sorted(str(key) for key in schedule if key not in WEEKDAYS)
    if unknown:
        raise ValidationError(
            {
                "schedule": [
                    _("Unknown weekday %(days)s: use 1 (Monday) to 7 (Sunday).")
                    % {"days": ", ".join(unknown)}
                ]
            }
        )
    week: dict[int, list[tuple[time, time | None]]] = {}
    for day in WEEKDAYS:
        raw = schedule.get(day) or []
        spans: list[tuple[time, time | None]] = []
        if not isinstance(raw, list | tuple):
            raise ValidationError({"schedule": [_("Day %(day)s: a list of spans.") % {"day": day}]})
        for item in raw:
            try:
                if not isinstance(item, list | tuple) or len(item) != 2:
                    raise ValueError(item)
                start, end = parse_clock(item[0]), parse_clock(item[1])
            except ValueError:
                raise ValidationError(
                    {
                        "schedule": [
                            _('Day %(day)s: each span is ["HH:MM", "HH:MM"], got %(span)s.')
                            % {"day": day, "span": item}
                        ]
                    }
                ) from None
            if start is None or (end is not None and end <= start):
                raise ValidationError(
                    {
                        "schedule": [
                            _(
                                "Day %(day)s: %(start)s-%(end)s ends before it starts; a span "
                                "past midnight is written as two spans, one on each day."
                            )
                            % {"day": day, "start": item[0], "end": item[1]}
                        ]
                    }
                )
            spans.append((start, end))
        spans.sort(key=lambda span: span[0])
        for (_start, end), (next_start, _end) in pairwise(spans):
            if end is None or end > next_start:
                raise ValidationError(
                    {"schedule": [_("Day %(day)s: spans overlap.") % {"day": day}]}
                )
        week[int(day)] = spans
    if not any(week.values()):
        raise ValidationError({"schedule": [_("The schedule must open at least one day.")]})
    return week


def validate_timezone(value: object) -> ZoneInfo:
    if not isinstance(value, str) or value not in _timezones():
        raise ValidationError(
            {"timezone": [_("%(value)s is not a known time zone.") % {"value": value}]}
        )
    return ZoneInfo(value)


def validate_holidays(values: object) -> frozenset[date]:
    if not isinstance(values, list | tuple):
        raise ValidationError({"holidays": [_("Holidays are a list of YYYY-MM-DD dates.")]})
    days = set()
    for value in values:
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            raise ValidationError(
                {"holidays": [_("%(value)s is not a YYYY-MM-DD date.") % {"value": value}]}
            ) from None
    return frozenset(days)


def validate_country(value: object) -> str:
    code = str(value or "").upper()
    if code and code not in _countries():
        raise ValidationError(
            {"holiday_country": [_("No public holidays are known for %(code)s.") % {"code": value}]}
        )
    return code


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _countries() -> frozenset[str]:
    return frozenset(public_holidays.list_supported_countries())


@dataclass
class BusinessHours:
    """A validated calendar that answers questions in business time.

    Build it with ``BusinessHours.of(calendar)`` from anything with ``timezone``,
    ``schedule``, ``holidays`` and ``holiday_country`` (a ``BusinessCalendar`` row).
    """

    zone: ZoneInfo
    week: dict[int, list[tuple[time, time | None]]]
    closed: frozenset[date] = frozenset()
    country: str = ""
    _days: dict[date, list[tuple[datetime, datetime]]] = field(default_factory=dict, repr=False)
    _public: Any = field(default=None, repr=False)

    @classmethod
    def of(cls, calendar: Any) -> BusinessHours:
        return cls.build(
            timezone=calendar.timezone,
            schedule=calendar.schedule,
            holidays=calendar.holidays,
            holiday_country=calendar.holiday_country,
        )

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        schedule: Mapping[str, Sequence[Sequence[str]]],
        holidays: Sequence[str] = (),
        holiday_country: str = "",
    ) -> BusinessHours:
        """Validate every part; ValidationError names the field at fault."""
        errors: dict[str, list[str]] = {}
        parts: dict[str, Any] = {}
        for name, check, value in (
            ("zone", validate_timezone, timezone),
            ("week", validate_schedule, schedule),
            ("closed", validate_holidays, holidays),
            ("country", validate_country, holiday_country),
        ):
            try:
                parts[name] = check(value)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
            except ZoneInfoNotFoundError:
                errors.setdefault("timezone", []).append(_("Unknown time zone."))
        if errors:
            raise ValidationError(errors)
        return cls(**parts)

    # Days ---------------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        if day in self.closed:
            return True
        if not self.country:
            return False
        if self._public is None:
            self._public = public_holidays.country_holidays(self.country)
        return day in self._public

    def spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening spans as UTC intervals (empty on a holiday)."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans: list[tuple[datetime, datetime]] = []
        if not self.is_holiday(day):
            for start, end in self.week[day.isoweekday()]:
                opens = self._instant(day, start, last=False)
                closes = (
                    self._instant(day + timedelta(days=1), time(0), last=False)
                    if end is None
                    else self._instant(day, end, last=True)
                )
                if closes > opens:
                    spans.append((opens, closes))
        if len(self._days) > 4096:
            self._days.clear()
        self._days[day] = spans
        return spans

    def _instant(self, day: date, clock: time, *, last: bool) -> datetime:
        """The UTC instant the local clock shows ``clock`` on ``day``: its first showing, or
        its last with ``last``; a time skipped when the clocks go forward is the jump."""
        first = datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)
        second = datetime.combine(day, clock, tzinfo=self.zone).replace(fold=1).astimezone(UTC)
        if first.astimezone(self.zone).replace(tzinfo=None) != datetime.combine(day, clock):
            # In the gap: fold=1 reads it with the new offset (before the jump), fold=0 with
            # the old (after). The jump lies between: find it to the second.
            low, high = min(first, second), max(first, second)
            before = low.astimezone(self.zone).utcoffset()
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(self.zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            return high.replace(microsecond=0)
        return max(first, second) if last else min(first, second)

    def _local_day(self, at: datetime) -> date:
        return _aware(at).astimezone(self.zone).date()

    def _forward(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = self._local_day(start) - timedelta(days=1)
        for _step in range(MAX_DAYS):
            for opens, closes in self.spans_on(day):
                if closes > start:
                    yield max(opens, start), closes
            day += timedelta(days=1)
        raise ValidationError(_("The calendar is closed for too long to compute a due time."))

    def _backward(self, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = self._local_day(end) + timedelta(days=1)
        for _step in range(MAX_DAYS):
            for opens, closes in reversed(self.spans_on(day)):
                if opens < end:
                    yield opens, min(closes, end)
            day -= timedelta(days=1)
        raise ValidationError(_("The calendar is closed for too long to compute a due time."))

    # Questions ----------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _aware(at)
        day = self._local_day(at)
        return any(
            opens <= at < closes
            for d in (day - timedelta(days=1), day)
            for opens, closes in self.spans_on(d)
        )

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next moment the team starts working."""
        opens, _closes = next(self._forward(_aware(at)))
        return opens

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of business time after ``start`` (before it if negative).

        Time runs only while open: Friday 17:30 plus two hours of a 09:00-18:00 week is
        Monday 10:30. A due time landing on a closing time stays there (Friday 18:00, not
        Monday 09:00); zero minutes from a closed moment is the next opening.
        """
        start = _aware(start)
        if minutes < 0:
            return self.subtract(start, -minutes)
        left = timedelta(minutes=minutes)
        for opens, closes in self._forward(start):
            if left <= closes - opens:
                return (opens + left).astimezone(UTC)
            left -= closes - opens
        raise AssertionError("unreachable")  # pragma: no cover  # _forward raises first

    def subtract(self, end: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of business time before ``end``."""
        end = _aware(end)
        if minutes <= 0:
            return self.add(end, -minutes) if minutes < 0 else end.astimezone(UTC)
        left = timedelta(minutes=minutes)
        for opens, closes in self._backward(end):
            if left <= closes - opens:
                return (closes - left).astimezone(UTC)
            left -= closes - opens
        raise AssertionError("unreachable")  # pragma: no cover  # _backward raises first

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes from ``start`` to ``end``; negative when ``end`` comes first."""
        start, end = _aware(start), _aware(end)
        if end < start:
            return -self.minutes_between(end, start)
        total = timedelta()
        day = self._local_day(start) - timedelta(days=1)
        last = self._local_day(end)
        while day <= last:
            for opens, closes in self.spans_on(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 60


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("business time needs timezone-aware datetimes")
    return at


# The functions other modules call, over anything shaped like a BusinessCalendar.


def hours_of(calendar: Any) -> BusinessHours:
    return BusinessHours.of(calendar)


def add_business_time(calendar: Any, start: datetime, minutes: float) -> datetime:
    return BusinessHours.of(calendar).add(start, minutes)


def business_minutes_between(calendar: Any, start: datetime, end: datetime) -> float:
    return BusinessHours.of(calendar).minutes_between(start, end)


def is_open(calendar: Any, at: datetime) -> bool:
    return BusinessHours.of(calendar).is_open(at)


def next_opening(calendar: Any, at: datetime) -> datetime:
    return BusinessHours.of(calendar).next_opening(at)
