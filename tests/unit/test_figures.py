"""The evaluation figures per wijk and per partner, on a seeded dataset worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.i18n import use_locale
from conversations.stand_texts import partner_summary, summary
from storage.figures import Figures, Period, partner_figures, wijk_figures
from storage.models import (
    Afspraak,
    AfspraakStatus,
    Answer,
    Area,
    Organisation,
    Request,
    RequestRoute,
    RouteStatus,
    Theme,
)
from storage.municipality import example_config, load_municipality

TZ = ZoneInfo("Europe/Amsterdam")
PERIOD = Period(date(2027, 1, 1), date(2027, 12, 31))
TODAY = date(2027, 6, 1)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A local moment, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def _id(session: Session, table: type, code: str) -> int:
    return session.exec(select(table).where(table.code == code)).one().id  # type: ignore[attr-defined]


def seed(session: Session) -> dict[str, int]:
    """Two wijken, two partners; every case the definitions in storage/figures.py distinguish."""
    load_municipality(session, config=example_config())
    ids = {"L": _id(session, Area, "zuid-west-leidsebuurt"), "B": _id(session, Area, "schalkwijk-boerhaavewijk"),
           "A": _id(session, Organisation, "haarlem-openbare-ruimte"),
           "P": _id(session, Organisation, "politie-kennemerland-haarlem"),
           "spelen": _id(session, Theme, "spelen"), "verkeer": _id(session, Theme, "verkeer"),
           "groen": _id(session, Theme, "groen")}

    def request(wijk: str, theme: str, status: str, filed: datetime) -> Request:
        row = Request(kind="wish", status=status, wijk_id=ids[wijk], theme_id=ids[theme], text="…",
                      created_at=filed, updated_at=filed)
        session.add(row)
        session.flush()
        return row

    def route(request: Request, org: str, routed: date, deadline: date, status: str = RouteStatus.OPEN,
              answered: date | None = None, category: str = "within_period", satisfaction: str | None = None) -> None:
        row = RequestRoute(request_id=request.id, organisation_id=ids[org], status=status, deadline=deadline,
                           routed_at=local(routed))
        session.add(row)
        session.flush()
        if answered is not None:
            session.add(Answer(request_id=request.id, route_id=row.id, organisation_id=ids[org], category=category,
                               text="…", answered_at=local(answered, 15), satisfaction=satisfaction))

    r1 = request("L", "spelen", "answered", local(date(2027, 1, 2)))
    # Answered in 5 working days, on time; and in 20 working days, after the deadline.
    route(r1, "A", date(2027, 1, 4), date(2027, 1, 25), RouteStatus.ANSWERED, date(2027, 1, 11),
          satisfaction="satisfied")
    route(r1, "P", date(2027, 1, 4), date(2027, 1, 25), RouteStatus.ANSWERED, date(2027, 2, 1),
          category="not_possible", satisfaction="not_satisfied")
    r2 = request("L", "verkeer", "routed", local(date(2027, 5, 1)))
    route(r2, "A", date(2027, 5, 3), date(2027, 5, 24))  # open and past its deadline: due, not in time
    route(r2, "P", date(2027, 5, 3), date(2027, 5, 24), RouteStatus.RETURNED)  # "not ours": owes nothing
    r3 = request("L", "verkeer", "routed", local(date(2027, 5, 24)))
    route(r3, "A", date(2027, 5, 25), date(2027, 6, 15))  # open, not yet due
    request("L", "groen", "submitted", local(date(2027, 5, 30)))
    request("L", "spelen", "duplicate", local(date(2027, 5, 31)))
    # Filed half an hour before the period began (local time): not in it.
    r6 = request("L", "spelen", "answered", local(date(2026, 12, 31), 23, 30))
    route(r6, "A", date(2027, 1, 4), date(2027, 1, 25), RouteStatus.ANSWERED, date(2027, 1, 5))
    # Another wijk: only in the partner's figures across wijken.
    r7 = request("B", "groen", "answered", local(date(2027, 2, 20)))
    route(r7, "A", date(2027, 2, 22), date(2027, 3, 15), RouteStatus.ANSWERED, date(2027, 3, 1),
          category="in_planning", satisfaction="satisfied")

    def afspraak(wijk: str, owner: str, org: str | None, deadline: date, done: date | None,
                 made: date = date(2027, 2, 1)) -> None:
        session.add(Afspraak(wijk_id=ids[wijk], owner_kind=owner, organisation_id=ids[org] if org else None,
                             what="…", deadline=deadline, status=AfspraakStatus.DONE if done else AfspraakStatus.OPEN,
                             done_at=local(done) if done else None, created_at=local(made)))

    afspraak("L", "partner", "A", date(2027, 3, 15), date(2027, 3, 1))  # on time
    afspraak("L", "residents", "A", date(2027, 4, 1), date(2027, 4, 10))  # late
    afspraak("L", "partner", "A", date(2027, 5, 1), None)  # overdue
    afspraak("L", "partner", "P", date(2027, 9, 1), None)  # running
    afspraak("L", "partner", "A", date(2027, 1, 20), date(2027, 1, 10), made=date(2026, 12, 1))  # before
    afspraak("B", "partner", "A", date(2027, 5, 1), None)  # another wijk
    session.flush()
    return ids


@pytest.fixture
def seeded(db):  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        ids = seed(session)
    return db, ids


def test_wijk_figures(seeded) -> None:  # type: ignore[no-untyped-def]
    db, ids = seeded
    with db.read() as session:
        figures = wijk_figures(session, wijk_id=ids["L"], period=PERIOD, today=TODAY, tz=TZ)
    assert figures.requests == 5
    assert dict(figures.by_status) == {"answered": 1, "routed": 2, "submitted": 1, "duplicate": 1}
    assert dict(figures.by_theme) == {ids["spelen"]: 2, ids["verkeer"]: 2, ids["groen"]: 1}
    assert dict(figures.categories) == {"within_period": 1, "not_possible": 1}
    answers = figures.answers
    assert (answers.owed, answers.answered, answers.due, answers.within_deadline) == (4, 2, 3, 1)
    assert answers.answered_share == 0.5
    assert answers.within_deadline_share == pytest.approx(1 / 3)
    assert sorted(answers.working_days) == [5, 20]
    assert answers.median_working_days == 12.5
    afspraken = figures.afspraken
    assert (afspraken.on_time, afspraken.late, afspraken.overdue, afspraken.running) == (1, 1, 1, 1)
    assert afspraken.on_time_share == pytest.approx(1 / 3)
    assert (figures.satisfied, figures.not_satisfied, figures.satisfaction_share) == (1, 1, 0.5)


def test_partner_figures_across_wijken_and_within_one(seeded) -> None:  # type: ignore[no-untyped-def]
    db, ids = seeded
    with db.read() as session:
        everywhere = partner_figures(session, organisation_id=ids["A"], wijk_ids=None, period=PERIOD, today=TODAY,
                                     tz=TZ)
        police = partner_figures(session, organisation_id=ids["P"], wijk_ids=[ids["L"]], period=PERIOD,
                                 today=TODAY, tz=TZ)
        elsewhere = partner_figures(session, organisation_id=ids["P"], wijk_ids=[ids["B"]], period=PERIOD,
                                    today=TODAY, tz=TZ)
    assert everywhere.requests == 4
    a = everywhere.answers
    assert (a.owed, a.answered, a.due, a.within_deadline, a.median_working_days) == (4, 2, 3, 2, 5)
    assert dict(everywhere.categories) == {"within_period": 1, "in_planning": 1}
    assert everywhere.satisfaction_share == 1.0
    # Its own afspraken as a partner, made in the period (the residents' one is theirs; another wijk counts).
    assert (everywhere.afspraken.on_time, everywhere.afspraken.overdue, everywhere.afspraken.total) == (1, 2, 3)
    p = police.answers
    assert (p.owed, p.answered, p.due, p.within_deadline, p.working_days) == (1, 1, 1, 0, [20])
    assert police.satisfaction_share == 0.0
    assert (police.afspraken.running, police.afspraken.on_time_share) == (1, None)
    assert (elsewhere.requests, elsewhere.answers.owed, elsewhere.answers.answered_share) == (0, 0, None)


def test_the_summary_says_the_same_figures_in_dutch_and_english(seeded) -> None:  # type: ignore[no-untyped-def]
    db, ids = seeded
    with db.read() as session:
        figures = wijk_figures(session, wijk_id=ids["L"], period=PERIOD, today=TODAY, tz=TZ)
        themes = {t.id: t.name_nl for t in session.exec(select(Theme))}
    with use_locale("nl"):
        dutch = summary(figures, wijk_name="Leidsebuurt", themes=themes, budget=None, tz=TZ)
    assert "5 verzoeken" in dutch and "bij partners: 2" in dutch
    assert "Beantwoord: 2 van 4 (50%)" in dutch
    assert "Binnen de termijn: 1 van 3 (33%)" in dutch
    assert "Mediaan tot een antwoord: 12,5 werkdagen" in dutch
    assert "Afspraken op tijd klaar: 1 van 3 (33%)" in dutch
    assert "4 afspraken: op tijd klaar: 1, te laat klaar: 1, over de deadline: 1, lopen nog: 1" in dutch
    assert "Tevreden bewoners: 1 van 2 (50%)" in dutch
    assert "1 januari 2027" in dutch
    with use_locale("en"):
        english = summary(figures, wijk_name="Leidsebuurt", themes=themes, budget=None, tz=TZ)
    assert "5 requests" in english and "12.5 working days" in english and "January 1, 2027" in english
    # Where nothing can be judged yet, it says so instead of "0 of 0".
    empty = Figures(period=PERIOD)
    with use_locale("nl"):
        nothing = partner_summary("Ymere", empty)
    assert "Beantwoord: nog niets te meten." in nothing and "van 0" not in nothing
    assert "Mediaan tot een antwoord: nog niets te meten." in nothing


def test_wijkbot_figures_prints_both_tables(seeded) -> None:  # type: ignore[no-untyped-def]
    from bot.cli_figures import figures_tables

    db, _ids = seeded
    with db.read() as session:
        lines = figures_tables(session, period=PERIOD, today=TODAY, tz=TZ)
    rows = {line.split("  ")[0]: line.split() for line in lines}
    assert rows["Leidsebuurt"][-6:] == ["5", "50%", "33%", "12.5", "33%", "50%"]
    assert rows["Boerhaavewijk"][-6:] == ["1", "100%", "100%", "5", "0%", "100%"]  # its afspraak is overdue
    assert rows["Gemeente Haarlem, Beheer openbare ruimte"][-6:] == ["4", "50%", "67%", "5", "33%", "100%"]
    assert rows["Ymere"][-6:] == ["0", "-", "-", "-", "-", "-"]
