"""Working days in the Netherlands: weekends and Dutch public holidays excluded (any year)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _dutch_holidays(year: int) -> frozenset[date]:
    """Public holidays of one year."""
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
