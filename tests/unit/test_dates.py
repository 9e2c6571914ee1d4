"""Dates typed the Dutch (and English) way: every form, leap days, year ends, DST weekends, errors.

Expected dates are worked out by hand (ISO week 1 of 2027 starts Monday 4 January 2027,
of 2028 on Monday 3 January 2028, of 2026 on Monday 29 December 2025), not by the parser.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.dates import DateNotUnderstood, DateProblem, parse_date

TODAY = date(2026, 6, 1)  # a Monday, ISO week 23 of 2026
DST_START = date(2027, 3, 28)  # last Sunday of March 2027: clocks go forward
DST_END = date(2027, 10, 31)  # last Sunday of October 2027: clocks go back
NEW_YEARS_EVE_EVE = date(2027, 12, 30)  # a Thursday, ISO week 52 of 2027


def parses(text: str, expected: date, *, today: date = TODAY) -> None:
    """Assert the text parses to exactly the expected date."""
    assert parse_date(text, today=today) == expected


def refused(text: str, problem: DateProblem, *, today: date = TODAY, allow_past: bool = False) -> None:
    """Assert the text is refused for exactly this reason."""
    with pytest.raises(DateNotUnderstood) as caught:
        parse_date(text, today=today, allow_past=allow_past)
    assert caught.value.problem is problem
    assert caught.value.text == text


# ---------------------------------------------------------------------------- numeric forms


@pytest.mark.parametrize(("text", "expected"), [
    ("15-3-2027", date(2027, 3, 15)),
    ("15/3/2027", date(2027, 3, 15)),
    ("15.3.2027", date(2027, 3, 15)),
    ("15-03-2027", date(2027, 3, 15)),
    ("15-03-27", date(2027, 3, 15)),
    ("15/03/27", date(2027, 3, 15)),
    ("15.03.27", date(2027, 3, 15)),
    ("01.01.27", date(2027, 1, 1)),
    ("1-1-2027", date(2027, 1, 1)),
    ("2027-03-15", date(2027, 3, 15)),
    ("2027-3-15", date(2027, 3, 15)),
    ("2027/03/15", date(2027, 3, 15)),
    ("  15-3-2027  ", date(2027, 3, 15)),
    ("15-3-2027.", date(2027, 3, 15)),
    ("..15.3.2027..", date(2027, 3, 15)),
    ("15 - 3 - 2027", date(2027, 3, 15)),
    ("31-12-2027", date(2027, 12, 31)),
    ("15-3", date(2027, 3, 15)),  # no year: March 2026 has passed
    ("15/3", date(2027, 3, 15)),
    ("2-6", date(2026, 6, 2)),
])
def test_numeric_dates(text: str, expected: date) -> None:
    parses(text, expected)


# ---------------------------------------------------------------------------- written-out dates


@pytest.mark.parametrize(("text", "expected"), [
    ("15 maart 2027", date(2027, 3, 15)),
    ("15 Maart 2027", date(2027, 3, 15)),
    ("15 MAART 2027", date(2027, 3, 15)),
    ("15 mrt 2027", date(2027, 3, 15)),
    ("15 mrt. 2027", date(2027, 3, 15)),
    ("15 maa 2027", date(2027, 3, 15)),
    ("15  maart\t2027", date(2027, 3, 15)),
    ("1e april 2027", date(2027, 4, 1)),
    ("15 March 2027", date(2027, 3, 15)),
    ("15 Mar 2027", date(2027, 3, 15)),
    ("15th March 2027", date(2027, 3, 15)),
    ("15th of March 2027", date(2027, 3, 15)),
    ("March 15, 2027", date(2027, 3, 15)),
    ("march 15 2027", date(2027, 3, 15)),
    ("Mar 15th, 2027", date(2027, 3, 15)),
    ("31 december 2027", date(2027, 12, 31)),
    ("3 okt 2027", date(2027, 10, 3)),
    ("3 Oct 2027", date(2027, 10, 3)),
    ("3 sept 2027", date(2027, 9, 3)),
    ("3 mei 2027", date(2027, 5, 3)),
    ("May 3, 2027", date(2027, 5, 3)),
])
def test_written_dates(text: str, expected: date) -> None:
    parses(text, expected)


DUTCH_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
ABBREVIATIONS = [("jan", 1), ("feb", 2), ("mrt", 3), ("maa", 3), ("apr", 4), ("mei", 5), ("jun", 6),
                 ("jul", 7), ("aug", 8), ("sep", 9), ("sept", 9), ("okt", 10), ("nov", 11), ("dec", 12),
                 ("Mar", 3), ("May", 5), ("Oct", 10)]
ALL_MONTH_WORDS = ([(name, n) for n, name in enumerate(DUTCH_MONTHS, start=1)]
                   + [(name, n) for n, name in enumerate(ENGLISH_MONTHS, start=1)] + ABBREVIATIONS)
MONTH_ENDS_2027 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


@pytest.mark.parametrize(("word", "month"), ALL_MONTH_WORDS)
def test_every_month_word_in_a_date(word: str, month: int) -> None:
    parses(f"1 {word} 2027", date(2027, month, 1))


@pytest.mark.parametrize(("word", "month"), ALL_MONTH_WORDS)
def test_every_month_word_alone_means_its_last_day(word: str, month: int) -> None:
    parses(f"{word} 2027", date(2027, month, MONTH_ENDS_2027[month - 1]))


@pytest.mark.parametrize(("text", "expected"), [
    ("15 maart", date(2027, 3, 15)),  # March 2026 is over
    ("March 15", date(2027, 3, 15)),
    ("1 juni", date(2026, 6, 1)),  # today itself
    ("2 juni", date(2026, 6, 2)),
    ("31 mei", date(2027, 5, 31)),  # yesterday: next year
    ("31 december", date(2026, 12, 31)),
    ("1 januari", date(2027, 1, 1)),
])
def test_written_dates_without_a_year_are_the_next_occurrence(text: str, expected: date) -> None:
    parses(text, expected)


# ---------------------------------------------------------------------------- months


@pytest.mark.parametrize(("text", "expected"), [
    ("maart 2027", date(2027, 3, 31)),
    ("mrt 2027", date(2027, 3, 31)),
    ("March 2027", date(2027, 3, 31)),
    ("april 2027", date(2027, 4, 30)),
    ("februari 2027", date(2027, 2, 28)),
    ("februari 2028", date(2028, 2, 29)),
    ("feb 2028", date(2028, 2, 29)),
    ("december 2027", date(2027, 12, 31)),
    ("eind maart 2027", date(2027, 3, 31)),
    ("end of March 2027", date(2027, 3, 31)),
    ("maart", date(2027, 3, 31)),
    ("juni", date(2026, 6, 30)),  # the current month counts: its end is still ahead
    ("mei", date(2027, 5, 31)),
    ("december", date(2026, 12, 31)),
    ("eind juli", date(2026, 7, 31)),
])
def test_a_month_means_its_last_day(text: str, expected: date) -> None:
    parses(text, expected)


# ---------------------------------------------------------------------------- ISO weeks


@pytest.mark.parametrize(("text", "expected"), [
    ("week 12 2027", date(2027, 3, 26)),
    ("wk 12 2027", date(2027, 3, 26)),
    ("Week 12, 2027", date(2027, 3, 26)),
    ("week 12 van 2027", date(2027, 3, 26)),
    ("week12 2027", date(2027, 3, 26)),
    ("wk. 12 2027", date(2027, 3, 26)),
    ("2027-W12", date(2027, 3, 26)),
    ("week 1 2027", date(2027, 1, 8)),
    ("week 52 2027", date(2027, 12, 31)),
    ("week 53 2026", date(2027, 1, 1)),  # 2026 has 53 ISO weeks; the Friday of the last is New Year's Day
    ("week 1 2028", date(2028, 1, 7)),
    ("week 12", date(2027, 3, 26)),  # week 12 of 2026 is over
    ("wk 12", date(2027, 3, 26)),
    ("week 23", date(2026, 6, 5)),  # this week: its Friday is still ahead
    ("week 22", date(2027, 6, 4)),  # last week: next year
    ("week 53", date(2027, 1, 1)),
])
def test_a_week_means_its_friday(text: str, expected: date) -> None:
    assert expected.isoweekday() == 5
    parses(text, expected)


def test_week_53_without_a_year_skips_to_a_year_that_has_one() -> None:
    # After 1 January 2027 the next ISO year with 53 weeks is 2032 (1 January 2032 is a Thursday).
    parses("week 53", date(2032, 12, 31), today=date(2027, 1, 2))


@pytest.mark.parametrize("text", ["week 53 2027", "week 54", "week 54 2026", "week 0", "week 0 2027", "week 100"])
def test_weeks_that_do_not_exist(text: str) -> None:
    refused(text, DateProblem.NO_SUCH_DAY)


# ---------------------------------------------------------------------------- quarters and year ends


@pytest.mark.parametrize(("text", "expected"), [
    ("Q1 2027", date(2027, 3, 31)),
    ("Q2 2027", date(2027, 6, 30)),
    ("q3 2027", date(2027, 9, 30)),
    ("Q4 2027", date(2027, 12, 31)),
    ("2e kwartaal 2027", date(2027, 6, 30)),
    ("2de kwartaal 2027", date(2027, 6, 30)),
    ("tweede kwartaal 2027", date(2027, 6, 30)),
    ("kwartaal 2 2027", date(2027, 6, 30)),
    ("2nd quarter 2027", date(2027, 6, 30)),
    ("Q2", date(2026, 6, 30)),  # the current quarter
    ("Q1", date(2027, 3, 31)),
    ("4e kwartaal", date(2026, 12, 31)),
])
def test_a_quarter_means_its_last_day(text: str, expected: date) -> None:
    parses(text, expected)


@pytest.mark.parametrize("text", ["Q5 2027", "Q0", "5e kwartaal 2027", "kwartaal 5"])
def test_quarters_that_do_not_exist(text: str) -> None:
    refused(text, DateProblem.NO_SUCH_DAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("eind 2027", date(2027, 12, 31)),
    ("einde 2027", date(2027, 12, 31)),
    ("Eind 2027.", date(2027, 12, 31)),
    ("end of 2027", date(2027, 12, 31)),
    ("eind dit jaar", date(2026, 12, 31)),
    ("end of this year", date(2026, 12, 31)),
])
def test_end_of_a_year(text: str, expected: date) -> None:
    parses(text, expected)


@pytest.mark.parametrize("text", [
    "31-12-2027", "31 december 2027", "december 2027", "Q4 2027", "eind 2027", "week 52 2027",
])
def test_every_way_to_say_the_last_day_of_2027(text: str) -> None:
    parses(text, date(2027, 12, 31))


# ---------------------------------------------------------------------------- relative days


@pytest.mark.parametrize(("text", "days"), [
    ("vandaag", 0), ("Vandaag.", 0), ("today", 0), ("morgen", 1), ("MORGEN", 1), ("tomorrow", 1), ("overmorgen", 2),
])
def test_today_and_tomorrow(text: str, days: int) -> None:
    parses(text, TODAY + timedelta(days=days))


def test_tomorrow_crosses_the_year() -> None:
    parses("morgen", date(2028, 1, 1), today=date(2027, 12, 31))


# ---------------------------------------------------------------------------- 29 February


@pytest.mark.parametrize(("text", "expected"), [
    ("29-2-2028", date(2028, 2, 29)),
    ("29-02-28", date(2028, 2, 29)),
    ("2028-02-29", date(2028, 2, 29)),
    ("29 februari 2028", date(2028, 2, 29)),
    ("February 29, 2028", date(2028, 2, 29)),
    ("29 februari", date(2028, 2, 29)),  # the next 29 February after June 2026
])
def test_leap_day_in_a_leap_year(text: str, expected: date) -> None:
    parses(text, expected)


def test_leap_day_without_a_year_skips_to_the_next_leap_year() -> None:
    parses("29 februari", date(2032, 2, 29), today=date(2028, 3, 1))
    parses("29-2", date(2028, 2, 29), today=date(2028, 2, 29))


@pytest.mark.parametrize("text", [
    "29-2-2027", "29-02-27", "2027-02-29", "29 februari 2027", "Feb 29, 2027", "29-2-2100",  # 2100 is no leap year
    "30 februari", "30-2-2028", "31-4-2027", "31 april 2027", "31 april", "31-6-2027", "31 sep 2027",
    "32-1-2027", "0-1-2027", "15-13-2027", "15-0-2027", "32 maart",
])
def test_days_that_do_not_exist(text: str) -> None:
    refused(text, DateProblem.NO_SUCH_DAY)
    refused(text, DateProblem.NO_SUCH_DAY, allow_past=True)


# ---------------------------------------------------------------------------- the turn of the year


@pytest.mark.parametrize(("text", "expected"), [
    ("5 januari", date(2028, 1, 5)),
    ("5-1", date(2028, 1, 5)),
    ("January 5", date(2028, 1, 5)),
    ("30 december", date(2027, 12, 30)),  # today
    ("29 december", date(2028, 12, 29)),  # yesterday: a year from now
    ("week 1", date(2028, 1, 7)),  # Friday of ISO week 1 of 2028 (Monday 3 January 2028)
    ("week 52", date(2027, 12, 31)),  # this week's Friday is tomorrow
    ("week 51", date(2028, 12, 22)),  # ISO week 51 of 2028: Monday 18 December
    ("januari", date(2028, 1, 31)),
    ("december", date(2027, 12, 31)),
    ("Q4", date(2027, 12, 31)),
    ("Q1", date(2028, 3, 31)),
    ("eind dit jaar", date(2027, 12, 31)),
    ("morgen", date(2027, 12, 31)),
])
def test_forms_without_a_year_around_new_year(text: str, expected: date) -> None:
    parses(text, expected, today=NEW_YEARS_EVE_EVE)


def test_new_years_day_in_the_53rd_week() -> None:
    friday_1_january_2027 = date(2027, 1, 1)  # ISO week 53 of 2026
    parses("week 53", friday_1_january_2027, today=friday_1_january_2027)
    parses("week 1", date(2027, 1, 8), today=friday_1_january_2027)
    parses("vandaag", friday_1_january_2027, today=friday_1_january_2027)


# ---------------------------------------------------------------------------- daylight-saving weekends


def test_the_dst_sundays_are_what_the_tests_assume() -> None:
    for sunday in (DST_START, DST_END):
        assert sunday.isoweekday() == 7
        assert (sunday + timedelta(days=7)).month != sunday.month  # the last Sunday of its month


@pytest.mark.parametrize(("text", "expected"), [
    ("28-3-2027", DST_START),
    ("28 maart 2027", DST_START),
    ("2027-03-28", DST_START),
    ("week 12 2027", date(2027, 3, 26)),  # the week that ends on the DST Sunday (22-28 March)
    ("week 13 2027", date(2027, 4, 2)),  # the first full summer-time week (29 March-4 April)
    ("31 oktober 2027", DST_END),
    ("31-10-2027", DST_END),
    ("2027-10-31", DST_END),
    ("week 43 2027", date(2027, 10, 29)),  # the week that ends on the DST Sunday (25-31 October)
    ("week 44 2027", date(2027, 11, 5)),
])
def test_dst_weeks_are_plain_calendar_dates(text: str, expected: date) -> None:
    parses(text, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("vandaag", DST_START),
    ("morgen", date(2027, 3, 29)),
    ("28 maart", DST_START),
    ("28-3-2027", DST_START),
    ("29 maart", date(2027, 3, 29)),
    ("maart", date(2027, 3, 31)),
    ("Q1", date(2027, 3, 31)),
    ("week 12", date(2028, 3, 24)),  # this week's Friday has passed: week 12 of 2028 (Monday 20 March)
    ("week 13", date(2027, 4, 2)),
    ("27 maart", date(2028, 3, 27)),
])
def test_parsing_on_the_spring_dst_sunday(text: str, expected: date) -> None:
    parses(text, expected, today=DST_START)


@pytest.mark.parametrize(("text", "expected"), [
    ("vandaag", DST_END),
    ("morgen", date(2027, 11, 1)),
    ("31 oktober", DST_END),
    ("31-10-2027", DST_END),
    ("oktober", DST_END),
    ("Q4", date(2027, 12, 31)),
    ("week 43", date(2028, 10, 27)),  # this week's Friday has passed: week 43 of 2028 (Monday 23 October)
    ("week 44", date(2027, 11, 5)),
    ("30 oktober", date(2028, 10, 30)),
])
def test_parsing_on_the_autumn_dst_sunday(text: str, expected: date) -> None:
    parses(text, expected, today=DST_END)


@pytest.mark.parametrize(("text", "today"), [
    ("27-3-2027", DST_START), ("week 12 2027", DST_START), ("30-10-2027", DST_END), ("week 43 2027", DST_END),
])
def test_the_day_before_a_dst_sunday_is_past(text: str, today: date) -> None:
    refused(text, DateProblem.IN_THE_PAST, today=today)


# ---------------------------------------------------------------------------- the past


@pytest.mark.parametrize(("text", "expected"), [
    ("31-5-2026", date(2026, 5, 31)),  # yesterday
    ("1-1-2026", date(2026, 1, 1)),
    ("15-03-25", date(2025, 3, 15)),
    ("15 maart 2026", date(2026, 3, 15)),
    ("mei 2026", date(2026, 5, 31)),
    ("week 22 2026", date(2026, 5, 29)),
    ("week 53 2020", date(2021, 1, 1)),
    ("Q1 2026", date(2026, 3, 31)),
    ("eind 2025", date(2025, 12, 31)),
])
def test_past_dates_are_refused_unless_allowed(text: str, expected: date) -> None:
    refused(text, DateProblem.IN_THE_PAST)
    assert parse_date(text, today=TODAY, allow_past=True) == expected


def test_today_is_not_past() -> None:
    assert parse_date("1-6-2026", today=TODAY) == TODAY


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize("text", ["", " ", "   \t\n", ".", " .. ", ". . ."])
def test_empty(text: str) -> None:
    refused(text, DateProblem.EMPTY)


@pytest.mark.parametrize("text", [
    "blah", "volgende week", "15", "2027", "15-3-202", "15-3-20271", "15-3/2027", "15/3-2027", "15.3",
    "maart maart", "15 foo 2027", "15 maart 27", "week", "week twaalf", "Q", "Q2 27", "eind", "eind van 2027 of zo",
    "gisteren", "15-3-2027 14:00", "morgen om 10 uur", "2027-03", "1st", "-1-3-2027",
])
def test_unknown_format(text: str) -> None:
    refused(text, DateProblem.UNKNOWN_FORMAT)
    refused(text, DateProblem.UNKNOWN_FORMAT, allow_past=True)


def test_the_exception() -> None:
    with pytest.raises(ValueError, match="no_such_day") as caught:
        parse_date(" 31-4-2027 ", today=TODAY)
    error = caught.value
    assert isinstance(error, DateNotUnderstood)
    assert error.problem == "no_such_day"
    assert error.text == " 31-4-2027 "
    assert "31-4-2027" in str(error)


def test_problem_values() -> None:
    assert [p.value for p in DateProblem] == ["empty", "unknown_format", "no_such_day", "in_the_past"]


# ---------------------------------------------------------------------------- properties

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(today=DAYS, offset=st.integers(min_value=0, max_value=3000))
def test_numeric_and_iso_round_trip(today: date, offset: int) -> None:
    day = today + timedelta(days=offset)
    assert parse_date(f"{day.day}-{day.month}-{day.year}", today=today) == day
    if day.year < 2100:  # two digits always mean 20yy
        assert parse_date(f"{day.day:02}/{day.month:02}/{day.year % 100:02}", today=today) == day
    assert parse_date(day.isoformat(), today=today) == day


@given(today=DAYS, day=st.integers(min_value=1, max_value=31), month=st.sampled_from(DUTCH_MONTHS))
def test_without_a_year_is_never_past_and_within_a_leap_cycle(today: date, day: int, month: str) -> None:
    try:
        result = parse_date(f"{day} {month}", today=today)
    except DateNotUnderstood as error:
        assert error.problem is DateProblem.NO_SUCH_DAY
        assert (day, month) in {(30, "februari"), (31, "februari"), (31, "april"), (31, "juni"),
                                (31, "september"), (31, "november")}
        return
    assert today <= result < today + timedelta(days=8 * 366)
    assert result.day == day and result.month == DUTCH_MONTHS.index(month) + 1
    if (day, month) != (29, "februari"):
        assert result < today + timedelta(days=366)


@given(today=DAYS, week=st.integers(min_value=1, max_value=52))
def test_week_without_a_year_is_the_next_such_friday(today: date, week: int) -> None:
    result = parse_date(f"week {week}", today=today)
    assert result.isoweekday() == 5 and result.isocalendar().week == week
    assert today <= result < today + timedelta(days=371)  # at most one ISO year ahead
