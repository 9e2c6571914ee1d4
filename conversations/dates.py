"""Dates typed the way Dutch (and English) people write them: `15-3-2027`, `15 maart`, `week 12`, `Q2 2027`.

Every form resolves to one calendar date. Forms that name a period rather than a day
(a month, an ISO week, a quarter, a year) resolve to the deadline inside it: the last day of
the month, quarter or year, and the Friday of the week. Forms without a year resolve to the
first occurrence on or after `today`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import MAXYEAR, date, timedelta
from enum import StrEnum

__all__ = ["DateNotUnderstood", "DateProblem", "parse_date"]

FRIDAY = 5  # ISO weekday number

MONTHS: dict[str, int] = {
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "febr": 2, "mrt": 3, "maa": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
    # English (only the spellings Dutch does not share)
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "mar": 3, "oct": 10,
}
ORDINALS: dict[str, int] = {
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "first": 1, "second": 2, "third": 3, "fourth": 4,
}
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2, "day after tomorrow": 2,
}


class DateProblem(StrEnum):
    """Why a text is not a usable date."""

    EMPTY = "empty"
    UNKNOWN_FORMAT = "unknown_format"
    NO_SUCH_DAY = "no_such_day"
    IN_THE_PAST = "in_the_past"


class DateNotUnderstood(ValueError):
    """A typed date that could not be turned into a usable calendar date."""

    def __init__(self, problem: DateProblem, text: str) -> None:
        super().__init__(problem, text)
        self.problem = problem
        self.text = text

    def __str__(self) -> str:
        return f"{self.problem.value}: {self.text!r}"


class _NoSuchDay(Exception):
    """Internal: the text has a known form but names a day the calendar lacks."""


# ---------------------------------------------------------------------------- building blocks


def _alternatives(words: dict[str, int]) -> str:
    """A regex alternation of the words, longest first so `maart` wins over `maa`."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MONTH = rf"(?P<month>{_alternatives(MONTHS)})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|ste|de|e)?"
_YEAR = r"(?P<year>\d{4})"
_OPT_YEAR = rf"(?:\s(?:van\s|of\s|in\s)?{_YEAR})?"
_END = r"(?:einde?|end)(?:\s(?:van|of))?"


def _day(year: int, month: int, day: int) -> date:
    """`date(year, month, day)`, or `_NoSuchDay` when the calendar lacks it."""
    try:
        return date(year, month, day)
    except ValueError:
        raise _NoSuchDay from None


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    if not 1 <= month <= 12:
        raise _NoSuchDay
    return _day(year, month, calendar.monthrange(year, month)[1])


def _week_friday(year: int, week: int) -> date:
    """The Friday of an ISO week (week 53 only in years that have one)."""
    try:
        return date.fromisocalendar(year, week, FRIDAY)
    except ValueError:
        raise _NoSuchDay from None


def _quarter_end(year: int, quarter: int) -> date:
    """The last day of a quarter."""
    if not 1 <= quarter <= 4:
        raise _NoSuchDay
    return _month_end(year, quarter * 3)


def _first_on_or_after(today: date, first_year: int, make: Callable[[int], date]) -> date:
    """`make(year)` for the first year from `first_year` that exists and is not before today."""
    for year in range(first_year, MAXYEAR + 1):
        try:
            candidate = make(year)
        except _NoSuchDay:
            continue
        if candidate >= today:
            return candidate
    raise _NoSuchDay


def _year(match: re.Match[str]) -> int | None:
    """The year the match names, if any; two digits mean 20yy."""
    text = match.groupdict().get("year")
    if text is None:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


# ---------------------------------------------------------------------------- the forms


def _numeric(match: re.Match[str], today: date) -> date:
    """`15-3-2027`, `15/3/27`, `15.3.2027`, `2027-03-15`, or `15-3` (next occurrence)."""
    day, month, year = int(match["day"]), int(match["month"]), _year(match)
    return _day_month(today, day, month, year)


def _day_month(today: date, day: int, month: int, year: int | None) -> date:
    """A day in a month, in the given year or else the next occurrence on or after today."""
    if year is not None:
        return _day(year, month, day)
    _day(2000, month, day)  # a leap year: refuses 30 February and 31 April once and for all
    return _first_on_or_after(today, today.year, lambda y: _day(y, month, day))


def _written_day(match: re.Match[str], today: date) -> date:
    """`15 maart 2027`, `15 mrt`, `March 15, 2027`, `15th of March`."""
    return _day_month(today, int(match["day"]), MONTHS[match["month"]], _year(match))


def _month(match: re.Match[str], today: date) -> date:
    """`maart 2027`, `eind maart`, `March`: the last day of that month."""
    month, year = MONTHS[match["month"]], _year(match)
    if year is not None:
        return _month_end(year, month)
    return _first_on_or_after(today, today.year, lambda y: _month_end(y, month))


def _week(match: re.Match[str], today: date) -> date:
    """`week 12`, `wk 12 2027`, `2027-W12`: the Friday of that ISO week."""
    week, year = int(match["week"]), _year(match)
    if not 1 <= week <= 53:
        raise _NoSuchDay
    if year is not None:
        return _week_friday(year, week)
    return _first_on_or_after(today, today.isocalendar().year, lambda y: _week_friday(y, week))


def _quarter(match: re.Match[str], today: date) -> date:
    """`Q2 2027`, `2e kwartaal`, `kwartaal 2 2027`, `tweede kwartaal`: the last day of that quarter."""
    number = match["quarter"]
    quarter, year = (int(number) if number.isdigit() else ORDINALS[number]), _year(match)
    if year is not None:
        return _quarter_end(year, quarter)
    if not 1 <= quarter <= 4:
        raise _NoSuchDay
    return _first_on_or_after(today, today.year, lambda y: _quarter_end(y, quarter))


def _year_end(match: re.Match[str], today: date) -> date:
    """`eind 2027`, `end of 2027`, `eind dit jaar`: 31 December."""
    year = _year(match)
    return _day(today.year if year is None else year, 12, 31)


def _relative(match: re.Match[str], today: date) -> date:
    """`vandaag`, `morgen`, `overmorgen`, `today`, `tomorrow`."""
    return today + timedelta(days=RELATIVE_DAYS[match["word"]])


_QUARTER_NUMBER = rf"(?P<quarter>\d|{_alternatives(ORDINALS)})"
FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], date]]] = [
    (re.compile(p), handler) for p, handler in [
        (r"(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})", _numeric),
        (r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})", _numeric),
        (r"(?P<day>\d{1,2})[-/](?P<month>\d{1,2})", _numeric),
        (rf"{_DAY}\s(?:of\s)?{_MONTH}(?:\s{_YEAR})?", _written_day),
        (rf"{_MONTH}\s{_DAY}(?:\s{_YEAR})?", _written_day),
        (rf"(?:{_END}\s)?{_MONTH}(?:\s{_YEAR})?", _month),
        (rf"(?:week|wk)\s?(?P<week>\d{{1,3}}){_OPT_YEAR}", _week),
        (r"(?P<year>\d{4})-?w(?P<week>\d{1,3})", _week),
        (rf"q\s?(?P<quarter>\d){_OPT_YEAR}", _quarter),
        (rf"(?:kwartaal|quarter)\s(?P<quarter>\d){_OPT_YEAR}", _quarter),
        (rf"{_QUARTER_NUMBER}(?:st|nd|rd|th|ste|de|e)?\s(?:kwartaal|quarter){_OPT_YEAR}", _quarter),
        (rf"{_END}\s{_YEAR}", _year_end),
        (rf"{_END}\s(?:dit|het|this|the)\s(?:jaar|year)", _year_end),
        (rf"(?P<word>{_alternatives(RELATIVE_DAYS)})", _relative),
    ]
]


# ---------------------------------------------------------------------------- parsing


def _normalise(text: str) -> str:
    """Lower case, single spaces, no surrounding dots, no abbreviation dots or commas."""
    cleaned = text.lower().replace(",", " ")
    cleaned = re.sub(r"(?<=[a-z])\.", " ", cleaned)  # `mrt.` and `wk.`
    cleaned = re.sub(r"(?<=\d)\s*([-/])\s*(?=\d)", r"\1", cleaned)  # `15 - 3 - 2027`
    cleaned = re.sub(r"\s+", " ", cleaned)
    return cleaned.strip(" .")


def _resolve(cleaned: str, today: date) -> date | None:
    """The date a normalised text names, None when no form fits, `_NoSuchDay` when it cannot exist."""
    for pattern, handler in FORMS:
        match = pattern.fullmatch(cleaned)
        if match:
            return handler(match, today)
    return None


def parse_date(text: str, *, today: date, allow_past: bool = False) -> date:
    """The calendar date a typed text names; raises `DateNotUnderstood` saying why not."""
    cleaned = _normalise(text)
    if not cleaned:
        raise DateNotUnderstood(DateProblem.EMPTY, text)
    try:
        result = _resolve(cleaned, today)
    except (_NoSuchDay, OverflowError):
        raise DateNotUnderstood(DateProblem.NO_SUCH_DAY, text) from None
    if result is None:
        raise DateNotUnderstood(DateProblem.UNKNOWN_FORMAT, text)
    if result < today and not allow_past:
        raise DateNotUnderstood(DateProblem.IN_THE_PAST, text)
    return result
