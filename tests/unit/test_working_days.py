"""Working days in the Netherlands around Christmas, New Year, Easter, King's Day, Ascension and Whitsun.

Expected dates are worked out from the calendar by hand, not by calling the functions:
Christmas 2026 falls on Friday-Saturday, Christmas 2027 on Saturday-Sunday, Easter 2027 is 28 March.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.working_days import add_working_days, is_working_day, working_days_between

GOOD_FRIDAY_2027 = date(2027, 3, 26)
EASTER_MONDAY_2027 = date(2027, 3, 29)
KINGS_DAY_2027 = date(2027, 4, 27)  # a Tuesday
ASCENSION_2027 = date(2027, 5, 6)  # a Thursday, 39 days after Easter
WHIT_MONDAY_2027 = date(2027, 5, 17)  # 50 days after Easter


def test_the_library_calendar_for_2027() -> None:
    assert set(holidays.country_holidays("NL", years=2027)) == {
        date(2027, 1, 1),  # New Year's Day (Friday)
        GOOD_FRIDAY_2027,
        date(2027, 3, 28),  # Easter Sunday
        EASTER_MONDAY_2027,
        KINGS_DAY_2027,
        ASCENSION_2027,
        date(2027, 5, 16),  # Whit Sunday
        WHIT_MONDAY_2027,
        date(2027, 12, 25),  # Christmas Day (Saturday)
        date(2027, 12, 26),  # Boxing Day (Sunday)
    }


def test_kings_day_2025_was_moved_to_saturday() -> None:
    nl_2025 = holidays.country_holidays("NL", years=2025)
    assert date(2025, 4, 26) in nl_2025  # 27 April 2025 was a Sunday, so King's Day was the day before
    assert date(2025, 4, 27) not in nl_2025
    assert date(2025, 4, 28) not in nl_2025  # and not to the Monday
    assert is_working_day(date(2025, 4, 28))
    assert add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 28)


@pytest.mark.parametrize("day", [
    date(2026, 12, 25),  # Christmas Day, a Friday
    date(2027, 1, 1),  # New Year's Day, a Friday
    GOOD_FRIDAY_2027,
    EASTER_MONDAY_2027,
    KINGS_DAY_2027,
    ASCENSION_2027,
    WHIT_MONDAY_2027,
    date(2026, 4, 27),  # King's Day 2026, a Monday
    date(2025, 5, 5),  # Liberation Day in a lustrum year (a Monday)
    date(2027, 3, 27), date(2027, 3, 28),  # a weekend
    date(2027, 12, 25), date(2027, 12, 26),  # Christmas on a weekend
])
def test_not_a_working_day(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [
    date(2026, 12, 24),  # Christmas Eve is a normal Thursday
    date(2027, 12, 24),  # a normal Friday
    date(2027, 12, 27),  # Monday after a Christmas on the weekend: no substitute day
    date(2027, 12, 31),  # New Year's Eve
    date(2027, 3, 25),  # Maundy Thursday
    date(2027, 3, 30),  # the Tuesday after Easter
    date(2027, 4, 26),  # the day before King's Day
    date(2027, 5, 5),  # Liberation Day outside a lustrum year, per the library
    date(2027, 5, 7),  # the Friday after Ascension
    date(2027, 5, 18),  # the Tuesday after Whitsun
])
def test_a_working_day(day: date) -> None:
    assert is_working_day(day)


@pytest.mark.parametrize(("start", "days", "expected"), [
    # Christmas 2026: Thu 24 (1), Fri 25 holiday, weekend, Mon 28 (2), Tue 29 (3)
    (date(2026, 12, 23), 3, date(2026, 12, 29)),
    (date(2026, 12, 24), 1, date(2026, 12, 28)),
    # Christmas 2027 falls on the weekend: Friday 24 + 1 is the normal Monday 27
    (date(2027, 12, 24), 1, date(2027, 12, 27)),
    (date(2027, 12, 23), 2, date(2027, 12, 27)),
    # New Year: 1 January 2027 is a Friday holiday; 1 January 2028 a Saturday
    (date(2026, 12, 31), 1, date(2027, 1, 4)),
    (date(2026, 12, 30), 2, date(2027, 1, 4)),
    (date(2027, 12, 31), 1, date(2028, 1, 3)),
    # Christmas + New Year 2026-2027: Tue 22 -> 23, 24, 28, 29, 30, 31, (1 Jan holiday) 4 Jan
    (date(2026, 12, 22), 7, date(2027, 1, 4)),
    # Easter 2027: Good Friday 26 March, weekend, Easter Monday 29 March
    (date(2027, 3, 25), 1, date(2027, 3, 30)),
    (date(2027, 3, 24), 2, date(2027, 3, 30)),
    # King's Day, Tuesday 27 April 2027
    (date(2027, 4, 26), 1, date(2027, 4, 28)),
    (date(2026, 4, 24), 1, date(2026, 4, 28)),  # King's Day 2026 is a Monday
    # Ascension, Thursday 6 May 2027 (5 May 2027 is a working day)
    (date(2027, 5, 5), 1, date(2027, 5, 7)),
    (date(2027, 5, 4), 2, date(2027, 5, 7)),
    # Liberation Day 2025 (lustrum year) is a holiday: Friday 2 May + 1 is Tuesday 6 May
    (date(2025, 5, 2), 1, date(2025, 5, 6)),
    # Whit Monday, 17 May 2027
    (date(2027, 5, 14), 1, date(2027, 5, 18)),
    # Ten working days spanning King's Day and Ascension: 28, 29, 30 Apr; 3, 4, 5, 7; 10, 11, 12 May
    (date(2027, 4, 26), 10, date(2027, 5, 12)),
    # Zero days: the start itself, even when it is a holiday
    (date(2027, 12, 25), 0, date(2027, 12, 25)),
    # From a holiday the count starts the next day
    (GOOD_FRIDAY_2027, 1, date(2027, 3, 30)),
])
def test_add_working_days(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 12, 23), date(2026, 12, 29), 3),
    (date(2027, 12, 24), date(2027, 12, 27), 1),
    (date(2026, 12, 31), date(2027, 1, 4), 1),
    (date(2027, 3, 25), date(2027, 3, 30), 1),  # across Easter
    (date(2027, 3, 26), date(2027, 3, 29), 0),  # Good Friday to Easter Monday: nothing in between works
    (date(2027, 4, 26), date(2027, 5, 18), 13),  # 16 weekdays minus King's Day, Ascension, Whit Monday
    (date(2027, 5, 1), date(2027, 5, 1), 0),
    (date(2026, 12, 29), date(2026, 12, 23), -3),  # backwards
    # Whole years: 2027 has 261 weekdays, 6 of them holidays (1 Jan, Good Friday, Easter Monday,
    # King's Day, Ascension, Whit Monday; Christmas is on the weekend)
    (date(2026, 12, 31), date(2027, 12, 31), 255),
    # 2026 has 261 weekdays, 7 of them holidays (Christmas Day is a Friday)
    (date(2025, 12, 31), date(2026, 12, 31), 254),
])
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@given(start=DAYS, days=st.integers(min_value=0, max_value=300))
def test_add_and_between_agree(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert working_days_between(end, start) == -days
    if days:
        assert is_working_day(end)
        previous = add_working_days(start, days - 1)
        assert previous < end
        assert not any(is_working_day(previous + timedelta(days=n)) for n in range(1, (end - previous).days))
