"""Business time: weekly hours, holidays, and the nights the clocks change."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from comptoir.cases.calendar import BusinessHours

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = {str(day): [["09:00", "18:00"]] for day in range(1, 6)}


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def office(
    timezone: str = "Europe/Paris",
    country: str = "FR",
    week: dict[str, list[list[str]]] | None = None,
) -> BusinessHours:
    return BusinessHours.build(
        timezone=timezone, schedule=week or WEEKDAYS, holiday_country=country
    )


def test_friday_afternoon_plus_two_hours_is_monday_morning() -> None:
    hours = office()
    due = hours.add(paris(2026, 11, 20, 17, 30), 120)
    assert due == paris(2026, 11, 23, 10, 30)
    assert due.tzinfo == UTC
    assert hours.minutes_between(paris(2026, 11, 20, 17, 30), due) == 120


def test_a_due_time_on_the_closing_time_stays_there() -> None:
    hours = office()
    assert hours.add(paris(2026, 11, 20, 17, 30), 30) == paris(2026, 11, 20, 18, 0)
    # From a closed moment, time starts at the next opening.
    assert hours.add(paris(2026, 11, 21, 12, 0), 30) == paris(2026, 11, 23, 9, 30)
    assert hours.add(paris(2026, 11, 21, 12, 0), 0) == paris(2026, 11, 23, 9, 0)


def test_french_public_holidays_are_skipped() -> None:
    hours = office()
    # 14 July 2026 is a Tuesday: Monday 17:00 plus 2 hours is Wednesday 10:00.
    assert hours.add(paris(2026, 7, 13, 17, 0), 120) == paris(2026, 7, 15, 10, 0)
    # Ascension, Thursday 14 May 2026.
    assert hours.add(paris(2026, 5, 13, 17, 0), 120) == paris(2026, 5, 15, 10, 0)
    assert not hours.is_open(paris(2026, 5, 14, 11, 0))
    # Easter Monday 6 April and Whit Monday 25 May 2026.
    assert hours.next_opening(paris(2026, 4, 3, 19, 0)) == paris(2026, 4, 7, 9, 0)
    assert hours.next_opening(paris(2026, 5, 23, 9, 0)) == paris(2026, 5, 26, 9, 0)
    for day in ("2026-01-01", "2026-05-01", "2026-05-08", "2026-11-11", "2026-12-25"):
        assert hours.is_holiday(date.fromisoformat(day)), day
    # Without the country, 14 July is a Tuesday like another.
    assert office(country="").is_open(paris(2026, 7, 14, 11, 0))


def test_extra_closed_dates() -> None:
    hours = BusinessHours.build(
        timezone="Europe/Paris", schedule=WEEKDAYS, holidays=["2026-12-24", "2026-12-31"]
    )
    assert hours.add(paris(2026, 12, 23, 17, 0), 120) == paris(2026, 12, 25, 10, 0)
    assert hours.minutes_between(paris(2026, 12, 21, 0, 0), paris(2027, 1, 4, 0, 0)) == 8 * 540


def test_a_working_day_is_nine_hours_on_both_dst_sundays() -> None:
    sundays = office(week={"7": [["09:00", "18:00"]]}, country="")
    for day in (paris(2026, 3, 29, 0, 0), paris(2026, 10, 25, 0, 0)):
        assert sundays.minutes_between(day, day + timedelta(days=1)) == 540
        assert sundays.add(day, 540).astimezone(PARIS) == day.replace(hour=18)


def test_a_span_across_the_change_hour_follows_the_clock() -> None:
    night = office(week={"7": [["01:00", "04:00"]]}, country="")
    # Clocks go forward at 02:00 on 29 March 2026: 01:00-04:00 lasts two hours.
    assert night.minutes_between(paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0)) == 120
    # They go back at 03:00 on 25 October 2026: it lasts four.
    assert night.minutes_between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0)) == 240
    # A day open round the clock is 23 then 25 hours long.
    always = office(country="", week={str(d): [["00:00", "24:00"]] for d in range(1, 8)})
    assert always.minutes_between(paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0)) == 23 * 60
    assert always.minutes_between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0)) == 25 * 60


def test_a_time_skipped_by_the_clocks_is_read_as_the_jump() -> None:
    gap = office(week={"7": [["02:30", "05:00"]]}, country="")
    # 02:30 does not exist on 29 March 2026; the span opens when the clocks jump to 03:00.
    assert gap.spans_on(date(2026, 3, 29)) == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 3, 0, tzinfo=UTC))
    ]
    assert gap.next_opening(paris(2026, 3, 29, 0, 0)) == paris(2026, 3, 29, 3, 0)
    # 02:30 happens twice on 25 October: the span opens at the first, so 3.5 hours.
    assert gap.minutes_between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0)) == 210
    closing = office(week={"7": [["00:30", "02:30"]]}, country="")
    # ... and closes at the last: 00:30 to the second 02:30 is three hours.
    assert closing.minutes_between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0)) == 180


def test_new_york_across_its_dst_changes() -> None:
    hours = office(timezone="America/New_York", country="US")

    def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)

    # Clocks go forward on Sunday 8 March 2026 and back on Sunday 1 November 2026.
    assert hours.add(ny(2026, 3, 6, 17, 0), 120) == ny(2026, 3, 9, 10, 0)
    assert hours.add(ny(2026, 10, 30, 17, 0), 120) == ny(2026, 11, 2, 10, 0)
    # In UTC the opening moves by an hour across the change.
    assert hours.next_opening(ny(2026, 3, 7, 0, 0)) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert hours.next_opening(ny(2026, 3, 6, 0, 0)) == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    # Thanksgiving, Thursday 26 November 2026.
    assert hours.add(ny(2026, 11, 25, 17, 0), 120) == ny(2026, 11, 27, 10, 0)


def test_one_week_across_the_spring_change_in_paris() -> None:
    hours = office(country="")
    start = paris(2026, 3, 27, 12, 0)  # Friday before the change
    assert hours.add(start, 5 * 540) == paris(2026, 4, 3, 12, 0)
    assert hours.minutes_between(start, paris(2026, 4, 3, 12, 0)) == 5 * 540


def test_subtract_is_the_inverse_of_add() -> None:
    hours = office()
    due = paris(2026, 11, 23, 9, 30)
    assert hours.subtract(due, 60) == paris(2026, 11, 20, 17, 30)
    assert hours.add(due, -60) == paris(2026, 11, 20, 17, 30)
    assert hours.minutes_between(due, paris(2026, 11, 20, 17, 30)) == -60


def test_several_spans_a_day() -> None:
    split = office(
        country="", week={str(d): [["14:00", "18:00"], ["08:30", "12:00"]] for d in range(1, 6)}
    )
    assert split.add(paris(2026, 6, 1, 11, 0), 120) == paris(2026, 6, 1, 15, 0)
    assert not split.is_open(paris(2026, 6, 1, 13, 0))
    assert split.next_opening(paris(2026, 6, 1, 13, 0)) == paris(2026, 6, 1, 14, 0)


def test_long_targets_cost_days_not_minutes() -> None:
    hours = office()
    # A working year away answers at once: one step a day. 2026 has 252 working days in
    # France from 2 January; the 250th ends on Tuesday 29 December.
    far = hours.add(paris(2026, 1, 2, 9, 0), 540 * 250)
    assert far == paris(2026, 12, 29, 18, 0)
    assert hours.minutes_between(paris(2026, 1, 2, 9, 0), far) == 540 * 250


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"8": [["09:00", "18:00"]]}, "Unknown weekday 8"),
        ({"1": [["18:00", "09:00"]]}, "ends before it starts"),
        ({"1": [["09:00", "12:00"], ["11:00", "14:00"]]}, "spans overlap"),
        ({"1": [["9h", "18:00"]]}, '["HH:MM", "HH:MM"]'),
        ({"1": [["09:00"]]}, '["HH:MM", "HH:MM"]'),
        ({}, "at least one day"),
        ([], "map weekdays"),
    ],
)
def test_invalid_schedules_say_why(schedule: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BusinessHours.build(timezone="Europe/Paris", schedule=schedule)  # type: ignore[arg-type]
    assert message in caught.value.message_dict["schedule"][0]


def test_invalid_time_zone_holidays_and_country_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        BusinessHours.build(
            timezone="Mars/Olympus",
            schedule=WEEKDAYS,
            holidays=["2026-02-30"],
            holiday_country="XX",
        )
    assert set(caught.value.message_dict) == {"timezone", "holidays", "holiday_country"}


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        office().add(datetime(2026, 1, 5, 9, 0), 10)  # noqa: DTZ001  # the point of the test


def _reference_add(hours: BusinessHours, start: datetime, minutes: int) -> datetime:
    """Minute by minute: slow and obviously right (every boundary here is on a minute)."""
    at = start.astimezone(UTC)
    left = minutes
    while True:
        if left == 0 and (minutes > 0 or hours.is_open(at)):
            return at
        if hours.is_open(at):
            left -= 1
        at += timedelta(minutes=1)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York"])
def test_add_agrees_with_minute_by_minute_counting(zone: str) -> None:
    hours = BusinessHours.build(
        timezone=zone,
        schedule={
            **WEEKDAYS,
            "6": [["10:00", "12:00"]],
            "7": [["01:30", "03:30"]],  # crosses the change hour on both DST Sundays
        },
        holiday_country="FR" if zone == "Europe/Paris" else "US",
    )
    rng = random.Random(6)  # noqa: S311  # test data, not secrets
    windows = [
        datetime(2026, 3, 5, tzinfo=UTC),
        datetime(2026, 10, 22, tzinfo=UTC),
        datetime(2026, 5, 10, tzinfo=UTC),
        datetime(2026, 7, 10, tzinfo=UTC),
    ]
    for _ in range(40):
        start = rng.choice(windows) + timedelta(minutes=rng.randrange(0, 5 * 24 * 60))
        minutes = rng.randrange(0, 1200)
        expected = _reference_add(hours, start, minutes)
        assert hours.add(start, minutes) == expected, (start, minutes)
        assert hours.minutes_between(start, expected) == minutes, (start, minutes)
